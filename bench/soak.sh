#!/usr/bin/env bash
# Soak benchmark (issue 12): the iris service consumed at about 80% of its measured maximum
# throughput for SOAK_SECONDS (600) while other clients publish, patch, consume and delete services
# and open, use and close sessions. Reports requests, errors (goal: 0), p50/p99 and the memory of
# the server and of its interpreter workers at the start (after warm-up) and at the end. Prints Markdown.
#   ./ferry bench soak                (SOAK_SECONDS=600, LOAD=0.8, CONNECTIONS=64, CHURN_PAUSE=1)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
seconds="${SOAK_SECONDS:-600}"
load="${LOAD:-0.8}"
connections="${CONNECTIONS:-64}"
churn_pause="${CHURN_PAUSE:-1}" # seconds between a churn client's cycles (each starts one or two interpreters)
body='{"flower_data":[7,3.2,4.7,1.4]}'

start_ferry
server_pid="${pids[-1]}"
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
url="$FERRY_URL/api/Iris/V1.0"

# Resident memory in MB: the server, and every process below it (the interpreter workers).
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
workers_mb() {
  ps -e -o pid=,ppid=,rss= | awk -v root="$server_pid" '
    { parent[$1] = $2; rss[$1] = $3 }
    END { for (p in parent) { q = parent[p]; while (q != "" && q != root && q in parent && q != 1) q = parent[q]; if (q == root) { n++; sum += rss[p] } }
          printf "%.0f %d\n", sum / 1024, n }'
}

# The maximum, measured as consume does (after a warm-up), then the pause per connection for LOAD of it.
BODY="$body" TOKEN="$TOKEN" wrk -t2 -c16 -d20s -s "$bench_root/bench/post.lua" "$url" >/dev/null
read -r max_rps max_p50 _ < <(BODY="$body" TOKEN="$TOKEN" wrk -t2 -c16 -d10s --latency -s "$bench_root/bench/post.lua" "$url" | wrk_summary)
target="$(awk -v m="$max_rps" -v l="$load" 'BEGIN { printf "%.0f", m * l }')"
# wrk paces by a pause after each reply (whole milliseconds): a connection's cycle is the pause plus the latency.
delay_ms="$(awk -v c="$connections" -v t="$target" -v p="$max_p50" 'BEGIN { d = c * 1000 / t - p; printf "%d", (d < 1 ? 1 : d + 0.5) }')"

server_start="$(rss_mb "$server_pid")"
read -r workers_start count_start < <(workers_mb)

# Churn beside the load: services published, patched, consumed and deleted; sessions opened, used and closed.
churn="$(mktemp -d)"
dirs+=("$churn")
deadline=$(( $(date +%s) + seconds ))
(
  i=0
  while (( $(date +%s) < deadline )); do
    i=$((i + 1)); name="churn$i"
    ok=1
    api POST "/services/$name/v1" -d '{"code":"y = x * 2","runtimeType":"Python","inputParameterDefinitions":[{"name":"x","type":"integer"}],"outputParameterDefinitions":[{"name":"y","type":"integer"}]}' >/dev/null || ok=0
    api PATCH "/services/$name/v1" -d '{"description":"patched"}' >/dev/null || ok=0
    [[ "$(api POST "/api/$name/v1" -d '{"x":21}' | jq -r .outputParameters.y)" == "42" ]] || ok=0
    api DELETE "/services/$name/v1" >/dev/null || ok=0
    echo "$ok" >>"$churn/services"
    sleep "$churn_pause"
  done
) &
pids+=($!)
(
  while (( $(date +%s) < deadline )); do
    ok=1
    id="$(api POST /sessions -d '{"runtimeType":"Python"}' | jq -r .sessionId)" || ok=0
    [[ "$(api POST "/sessions/$id/execute" -d '{"code":"x = sum(range(1000))","outputParameters":["x"]}' | jq -r '.outputParameters[0].value')" == "499500" ]] || ok=0
    api DELETE "/sessions/$id" >/dev/null || ok=0
    echo "$ok" >>"$churn/sessions"
    sleep "$churn_pause"
  done
) &
pids+=($!)

out="$(BODY="$body" TOKEN="$TOKEN" DELAY_MS="$delay_ms" wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$bench_root/bench/soak.lua" "$url")"
wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
read -r rps p50 p99 _ < <(echo "$out" | wrk_summary)
requests="$(echo "$out" | awk '/requests in/ { print $1 }')"
non2xx="$(echo "$out" | awk '/Non-2xx/ { print $NF }')"
socket="$(echo "$out" | awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }')"
server_end="$(rss_mb "$server_pid")"
read -r workers_end count_end < <(workers_mb)
count() { [[ -f "$churn/$1" ]] && grep -c "^$2" "$churn/$1" || true; }
services_ok="$(count services 1)"; services_failed="$(count services 0)"
sessions_ok="$(count sessions 1)"; sessions_failed="$(count sessions 0)"
stop_all

echo "| measurement | value |"
echo "|---|---|"
echo "| duration | ${seconds} s |"
echo "| max consume throughput (16 connections, 10 s) | $max_rps req/s |"
echo "| target ($load of it, $connections connections, ${delay_ms} ms pause) / achieved | $target / $rps req/s |"
echo "| consume requests / errors (non-2xx + socket) | $requests / $(( ${non2xx:-0} + ${socket:-0} )) |"
echo "| consume p50 / p99 | $p50 ms / $p99 ms |"
echo "| service churn cycles (publish, patch, consume, delete): succeeded / failed | ${services_ok:-0} / ${services_failed:-0} |"
echo "| session cycles (create, execute, close): succeeded / failed | ${sessions_ok:-0} / ${sessions_failed:-0} |"
echo "| server RSS start / end | $server_start MB / $server_end MB |"
echo "| workers RSS start / end (processes) | $workers_start MB ($count_start) / $workers_end MB ($count_end) |"
