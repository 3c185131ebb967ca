#!/usr/bin/env bash
# Idle pools (issue 12): the iris service's call when its pool is warm, and its first call after the
# pool shrank to zero for want of calls (Ferry:WebServices:IdleTimeout, shortened here to 3 s), which
# starts and prepares an interpreter (snapshot load, then the call). ROUNDS (5) of each; curl's
# time_total. Prints Markdown.
#   ./ferry bench idle
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rounds="${ROUNDS:-5}"
body='{"flower_data":[7,3.2,4.7,1.4]}'

start_ferry --Ferry:WebServices:IdleTimeout=00:00:03 --Ferry:Workers:WarmPoolSize=0
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null

call() { curl -s -o /dev/null -w '%{time_total}\n' -X POST "$FERRY_URL/api/Iris/V1.0" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$body"; }
warm="$(mktemp)"; cold="$(mktemp)"
dirs+=("$warm" "$cold")
for _ in $(seq 1 "$rounds"); do
  call >/dev/null
  for _ in 1 2 3; do call >>"$warm"; done
  sleep 6 # past the idle timeout and the once-a-second check: the pool is empty now
  call >>"$cold"
done
read -r w50 w99 < <(percentiles <"$warm")
read -r c50 c99 < <(percentiles <"$cold")
stop_all

echo "| call | p50 | max | calls |"
echo "|---|---|---|---|"
echo "| warm pool | $w50 ms | $w99 ms | $((rounds * 3)) |"
echo "| first call after the pool shrank to zero | $c50 ms | $c99 ms | $rounds |"
