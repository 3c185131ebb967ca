#!/usr/bin/env bash
# Consumption benchmark (issue 4): the iris service published on Ferry and the same SVC behind
# FastAPI + uvicorn (2 workers, httptools, uvloop), load-tested side by side with wrk at 1 and 16
# connections; and the mrsdeploy example (an R glm, mtService) on Ferry, in the same rounds. Both servers run side by side; each is warmed up first (WARMUP, 20 s: the JIT's
# background tiering and the pools settle), then ROUNDS rounds (5) run every load on each server in
# turn, and the median round by req/s is reported: on a shared 2-core box single runs vary by a
# third, and alternating keeps a slow minute from landing on one server only. Prints Markdown.
#   ./ferry bench consume             (DURATION=10s, ROUNDS=5, WARMUP=20s by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${DURATION:-10s}"
rounds="${ROUNDS:-5}"
warmup="${WARMUP:-20s}"
body='{"flower_data":[7,3.2,4.7,1.4]}'

once() { # URL CONNECTIONS DURATION [TOKEN]
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BODY="$body" TOKEN="${4:-}" wrk -t"$threads" -c"$2" -d"$3" --latency -s "$bench_root/bench/post.lua" "$1" | wrk_summary
}

# Ferry: train in a session, snapshot, publish, as the seed workflow does.
start_ferry
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
ferry="$FERRY_URL/api/Iris/V1.0"
publish_mtcars
rservice="$FERRY_URL/api/mtService/v1.0.0"

# The baseline, running beside it: an idle server costs the other nothing.
port="$(free_port)"
(cd "$bench_root/bench" && exec /usr/bin/python3 -m uvicorn fastapi_iris:app --host 127.0.0.1 --port "$port" \
  --workers 2 --http httptools --loop uvloop --log-level warning) &
pids+=($!)
base="http://127.0.0.1:$port/api/Iris/V1.0"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$base" -H 'Content-Type: application/json' -d "$body" && break; sleep 0.1; done

# Warm-up (JIT tiering, both pool workers, uvicorn's processes), then the rounds, alternating between
# the two servers so that both see the same machine: a shared box has slow and fast minutes.
once "$ferry" 16 "$warmup" "$TOKEN" >/dev/null
once "$base" 16 "$warmup" >/dev/null
body='{"hp":120,"wt":2.8}' once "$rservice" 16 "$warmup" "$TOKEN" >/dev/null
results="$(mktemp)"
dirs+=("$results")
for _ in $(seq 1 "$rounds"); do
  for connections in 1 16; do
    echo "ferry $connections $(once "$ferry" "$connections" "$duration" "$TOKEN")" >>"$results"
    echo "base $connections $(once "$base" "$connections" "$duration")" >>"$results"
    echo "r $connections $(body='{"hp":120,"wt":2.8}' once "$rservice" "$connections" "$duration" "$TOKEN")" >>"$results"
  done
done

median() { # SERVER CONNECTIONS: "req/s p50 p99 [NON-2XX=n]" of the median round by req/s
  awk -v s="$1" -v c="$2" '$1 == s && $2 == c { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$results" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"
}
read -r f1_rps f1_p50 f1_p99 f1_x < <(median ferry 1)
read -r b1_rps b1_p50 b1_p99 b1_x < <(median base 1)
read -r f16_rps f16_p50 f16_p99 f16_x < <(median ferry 16)
read -r b16_rps b16_p50 b16_p99 b16_x < <(median base 16)
read -r r1_rps r1_p50 r1_p99 r1_x < <(median r 1)
read -r r16_rps r16_p50 r16_p99 r16_x < <(median r 16)
stop_all

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "| connections | server | req/s | p50 | p99 |"
echo "|---|---|---|---|---|"
echo "| 1 | Ferry | $f1_rps | $f1_p50 ms | $f1_p99 ms ${f1_x:-} |"
echo "| 1 | FastAPI + uvicorn | $b1_rps | $b1_p50 ms | $b1_p99 ms ${b1_x:-} |"
echo "| 16 | Ferry | $f16_rps | $f16_p50 ms | $f16_p99 ms ${f16_x:-} |"
echo "| 16 | FastAPI + uvicorn | $b16_rps | $b16_p50 ms | $b16_p99 ms ${b16_x:-} |"
echo "| 1 | Ferry, R service (mtService, glm) | $r1_rps | $r1_p50 ms | $r1_p99 ms ${r1_x:-} |"
echo "| 16 | Ferry, R service (mtService, glm) | $r16_rps | $r16_p50 ms | $r16_p99 ms ${r16_x:-} |"
echo
echo "Throughput ratio Ferry / FastAPI: $(ratio "$f1_rps" "$b1_rps") at 1 connection, $(ratio "$f16_rps" "$b16_rps") at 16."
