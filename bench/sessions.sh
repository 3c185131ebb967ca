#!/usr/bin/env bash
# Session benchmark (issue 3): session creation time with and without the warm pool, and the
# round trip of a trivial execute (x = 1) over HTTP at one connection. Prints a Markdown table.
#   ./ferry bench sessions            (DURATION=10s by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${DURATION:-10s}"

create_times() {
  local n="$1" pause="$2" i id
  for i in $(seq 1 "$n"); do
    out="$(api POST /sessions -d '{"runtimeType":"Python"}' -w ' %{time_total}')"
    id="$(jq -r .sessionId <<<"${out% *}")"
    echo "${out##* }"
    api DELETE "/sessions/$id" >/dev/null
    sleep "$pause"
  done
}

echo "| measurement | p50 | p99 | note |"
echo "|---|---|---|---|"

start_ferry
sleep 2 # the warm pool fills
read -r p50 p99 < <(create_times 30 0.5 | percentiles)
echo "| createSession, warm pool (size 2) | $p50 ms | $p99 ms | 30 sessions, 0.5 s apart so the pool refills |"

id="$(api POST /sessions -d '{"runtimeType":"Python"}' | jq -r .sessionId)"
read -r rps p50 p99 extra < <(BODY='{"code":"x = 1"}' TOKEN="$TOKEN" wrk -t1 -c1 -d"$duration" --latency \
  -s "$bench_root/bench/post.lua" "$FERRY_URL/sessions/$id/execute" | wrk_summary)
echo "| executeCode \`x = 1\`, 1 connection | $p50 ms | $p99 ms | $rps req/s over $duration ${extra:-} |"
stop_all

start_ferry --Ferry:Workers:WarmPoolSize=0
read -r p50 p99 < <(create_times 10 0 | percentiles)
echo "| createSession, no warm pool | $p50 ms | $p99 ms | 10 sessions: an interpreter starts for each |"
