#!/usr/bin/env bash
# Pool growth (issue 16): how long a service's pool takes to grow by one worker, and how much memory
# (PSS) each extra worker adds, with workers forked from the version's template (the default) against
# workers started and prepared one by one (--Ferry:WebServices:ForkWorkers=false), two servers side by
# side in one run. For each: the seed's iris service, its pool set to 1 (of at most SIZE, 8) through
# the 9.3 pool API and left to settle; then the pool set to SIZE and timed until its status reads
# Success (the pool fills one worker at a time, so the time over SIZE-1 is one worker's add, pool API
# and 2-ms polling by bench/pool_timer.py included); the PSS of the server's child processes before and
# after, over SIZE-1. Before that, the settled pool of one is set to 2 and timed: one worker's add alone.
# The warm interpreter pool is off on both (Workers:WarmPoolSize=0) so that only the pool's workers
# count. ROUNDS (3) rounds, the median reported. Prints Markdown.
#   ./ferry bench pool            (SIZE=8, ROUNDS=3 by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
size="${SIZE:-8}"
rounds="${ROUNDS:-3}"

# The PSS in kB of every process below PID (the server's sandboxes, their interpreters and copies).
descendants_pss() {
  local pid="$1" child total=0 kb
  for child in $(pgrep -P "$pid"); do
    kb="$(descendants_pss "$child")"
    total=$(( total + kb ))
    kb="$(awk '/^Pss:/ { print $2 }' "/proc/$child/smaps_rollup" 2>/dev/null || echo 0)"
    total=$(( total + ${kb:-0} ))
  done
  echo "$total"
}

# Sets the pool to INITIAL (of at most MAX, SIZE by default) and prints the seconds until it reads Success.
size_pool() { /usr/bin/python3 "$bench_root/bench/pool_timer.py" "$FERRY_URL/services/Iris/V1.0/pool" "$TOKEN" "$1" "${2:-$size}"; }

results="$(mktemp)"
dirs+=("$results")
measure() { # LABEL [SETTINGS...]: one server, ROUNDS rounds of "label add_ms extra_pss_mb one_add_ms"
  local label="$1" server before after seconds one
  shift
  start_ferry --Ferry:Workers:WarmPoolSize=0 "$@"
  server="${pids[-1]}"
  publish_iris
  api DELETE "/sessions/$IRIS_SESSION" >/dev/null
  for _ in $(seq 1 "$rounds"); do
    size_pool 1 1 >/dev/null # back to one worker: idle ones above the maximum stop
    size_pool 1 >/dev/null
    sleep 3
    one="$(size_pool 2)" # one worker added to a settled pool
    size_pool 1 1 >/dev/null
    size_pool 1 >/dev/null
    sleep 3
    before="$(descendants_pss "$server")"
    seconds="$(size_pool "$size")"
    sleep 3
    after="$(descendants_pss "$server")"
    awk -v l="$label" -v s="$seconds" -v b="$before" -v a="$after" -v n="$((size - 1))" -v o="$one" \
      'BEGIN { printf "%s %.1f %.1f %.1f\n", l, s * 1000 / n, (a - b) / 1024 / n, o * 1000 }' >>"$results"
  done
}
measure fork
measure start --Ferry:WebServices:ForkWorkers=false
stop_all_results="$(cat "$results")"

median() { # LABEL COLUMN
  awk -v l="$1" -v c="$2" '$1 == l { print $c }' <<<"$stop_all_results" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"
}
echo "| workers | add one worker (1 → 2) | per worker, growing 1 → $size | PSS per extra worker |"
echo "|---|---|---|---|"
echo "| forked from the version's template (default) | $(median fork 4) ms | $(median fork 2) ms | $(median fork 3) MB |"
echo "| started and prepared one by one (ForkWorkers=false) | $(median start 4) ms | $(median start 2) ms | $(median start 3) MB |"
echo
echo "An extra forked worker adds $(awk -v f="$(median fork 3)" -v s="$(median start 3)" 'BEGIN { printf "%.2f", f / s }') of a started worker's memory."
stop_all
