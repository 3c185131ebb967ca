#!/usr/bin/env bash
# Sandbox benchmark (issue 10): what the sandbox costs. Two servers run side by side, one with the
# sandbox (the default) and one with Ferry:Sandbox:Mode=None, and every load alternates between
# them, ROUNDS rounds (3), median round reported: worker start (createSession with no warm pool),
# a trivial execute round trip at 1 connection, and consuming the iris service at 1 and 16
# connections. Prints Markdown.
#   ./ferry bench sandbox             (DURATION=10s, ROUNDS=3 by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${DURATION:-10s}"
rounds="${ROUNDS:-3}"
body='{"flower_data":[7,3.2,4.7,1.4]}'

once() { # URL CONNECTIONS BODY TOKEN
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BODY="$3" TOKEN="$4" wrk -t"$threads" -c"$2" -d"$duration" --latency -s "$bench_root/bench/post.lua" "$1" | wrk_summary
}

declare -A url token session start
for mode in Bubblewrap None; do
  start_ferry --Ferry:Sandbox:Mode=$mode --Ferry:Workers:WarmPoolSize=0
  url[$mode]="$FERRY_URL"
  token[$mode]="$TOKEN"
  publish_iris
  id="$IRIS_SESSION"
  session[$mode]="$id"
  once "$FERRY_URL/api/Iris/V1.0" 16 "$body" "$TOKEN" >/dev/null # warm-up: JIT tiering, the pool's workers
done

results="$(mktemp)"
for _ in $(seq 1 "$rounds"); do
  for mode in Bubblewrap None; do
    FERRY_URL="${url[$mode]}" TOKEN="${token[$mode]}"
    for _ in 1 2 3 4 5; do
      out="$(api POST /sessions -d '{"runtimeType":"Python"}' -w ' %{time_total}')"
      api DELETE "/sessions/$(jq -r .sessionId <<<"${out% *}")" >/dev/null
      echo "$mode start ${out##* }" >>"$results"
    done
    echo "$mode execute $(once "$FERRY_URL/sessions/${session[$mode]}/execute" 1 '{"code":"x = 1"}' "$TOKEN")" >>"$results"
    for connections in 1 16; do
      echo "$mode consume$connections $(once "$FERRY_URL/api/Iris/V1.0" "$connections" "$body" "$TOKEN")" >>"$results"
    done
  done
done
stop_all # the results file is not in dirs: it is read below

median() { # MODE LOAD
  awk -v m="$1" -v l="$2" '$1 == m && $2 == l { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$results" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"
}
echo "| measurement | sandboxed (bubblewrap) | unsandboxed (Mode=None) |"
echo "|---|---|---|"
for mode in Bubblewrap None; do
  read -r p50 p99 < <(awk -v m="$mode" '$1 == m && $2 == "start" { print $3 }' "$results" | percentiles)
  start[$mode]="p50 $p50 ms, p99 $p99 ms"
done
echo "| worker start: createSession, no warm pool ($(( rounds * 5 )) each) | ${start[Bubblewrap]} | ${start[None]} |"
for load in execute consume1 consume16; do
  read -r b_rps b_p50 b_p99 b_x < <(median Bubblewrap "$load")
  read -r n_rps n_p50 n_p99 n_x < <(median None "$load")
  case "$load" in
    execute) what='executeCode `x = 1`, 1 connection' ;;
    consume1) what='consume iris, 1 connection' ;;
    consume16) what='consume iris, 16 connections' ;;
  esac
  echo "| $what | $b_rps req/s, p50 $b_p50 ms, p99 $b_p99 ms ${b_x:-} | $n_rps req/s, p50 $n_p50 ms, p99 $n_p99 ms ${n_x:-} |"
done
rm -f "$results"
