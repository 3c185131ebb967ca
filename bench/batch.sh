#!/usr/bin/env bash
# Batch benchmark (issue 14) on the seed's iris service: a batch of RECORDS (10,000) iris rows
# against the same rows sent one by one by wrk at 16 connections (records per second each), and the
# p99 of single calls at 1 connection while a batch runs against without it (one batch of LONG
# records, 100,000 by default, outlasting the wrk run), and while batches of RECORDS are started back
# to back (each start, its 10,000 results read and its delete: the batch API's own load included). ROUNDS rounds (5), each load in turn; the median round by
# throughput (for the batch: by elapsed time) is reported. The p99 ratios are paired: each round's p99 beside a batch over the
# same round's p99 without one (measured just before it), and the median of the rounds' ratios is reported, so a round the
# machine made slow for both does not decide it. Prints Markdown.
#   ./ferry bench batch        (RECORDS=10000, PARALLEL=4, DURATION=10s, ROUNDS=5, WARMUP=10s by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
records="${RECORDS:-10000}"
parallel="${PARALLEL:-4}"
duration="${DURATION:-10s}"
rounds="${ROUNDS:-5}"
warmup="${WARMUP:-10s}"

long="${LONG:-100000}"
start_ferry "--Ferry:Batch:MaxRecords=$(( records > long ? records : long ))"
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
ferry="$FERRY_URL/api/Iris/V1.0"

# The records: the 150 iris rows over and over, as one array (the batch) and one body per line (wrk).
work="$(mktemp -d)"
dirs+=("$work")
/usr/bin/python3 - "$records" "$work" "$long" <<'PY'
import json, sys
from sklearn import datasets
n, out = int(sys.argv[1]), sys.argv[2]
rows = datasets.load_iris().data.tolist()
records = [{"flower_data": rows[i % len(rows)]} for i in range(n)]
with open(f"{out}/batch.json", "w") as f:
    json.dump(records, f)
long = int(sys.argv[3])
with open(f"{out}/long.json", "w") as f:
    json.dump([{"flower_data": rows[i % len(rows)]} for i in range(long)], f)
with open(f"{out}/bodies.txt", "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in records)
PY

one_by_one() { # CONNECTIONS DURATION: "req/s p50 p99"
  local threads=$(( $1 < 2 ? 1 : 2 ))
  BODIES="$work/bodies.txt" TOKEN="$TOKEN" wrk -t"$threads" -c"$1" -d"$2" --latency -s "$bench_root/bench/records.lua" "$ferry" | wrk_summary
}

# Starts a batch of every record and waits until it is complete; prints its seconds.
batch_once() {
  local start id state end
  start="$(date +%s.%N)"
  id="$(api POST "/api/Iris/V1.0/batch?parallelCount=$parallel" --data-binary "@$work/batch.json" | jq -r .batchExecutionId)"
  while :; do
    state="$(api GET "/api/Iris/V1.0/batch/$id" | jq -r .state)"
    [[ "$state" == complete ]] && break
    [[ "$state" == inProgress || "$state" == pending ]] || { echo "bench: batch $id is $state" >&2; exit 1; }
    sleep 0.05
  done
  end="$(date +%s.%N)"
  [[ "$(api GET "/api/Iris/V1.0/batch/$id" | jq '[.batchExecutionResults[] | select(.success)] | length')" == "$records" ]] \
    || { echo "bench: batch $id has failed records" >&2; exit 1; }
  api DELETE "/api/Iris/V1.0/batch/$id" >/dev/null
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

# Batches back to back until the file STOP appears.
batches_until_stopped() {
  while [[ ! -f "$work/stop" ]]; do batch_once >/dev/null; done
}

one_by_one 16 "$warmup" >/dev/null
batch_once >/dev/null
results="$(mktemp)"
dirs+=("$results")
for _ in $(seq 1 "$rounds"); do
  echo "single16 $(one_by_one 16 "$duration")" >>"$results"
  echo "batch $(batch_once)" >>"$results"
  echo "alone1 $(one_by_one 1 "$duration")" >>"$results"
  id="$(api POST "/api/Iris/V1.0/batch?parallelCount=$parallel" --data-binary "@$work/long.json" | jq -r .batchExecutionId)"
  sleep 1 # stored and running
  echo "long1 $(one_by_one 1 "$duration")" >>"$results"
  [[ "$(api GET "/api/Iris/V1.0/batch/$id" | jq -r .state)" == inProgress ]] || echo "bench: the long batch ended before the run did; raise LONG" >&2
  api DELETE "/api/Iris/V1.0/batch/$id" >/dev/null
  rm -f "$work/stop"
  batches_until_stopped &
  loader=$!
  sleep 1 # the first batch is stored and running
  echo "during1 $(one_by_one 1 "$duration")" >>"$results"
  touch "$work/stop"
  wait "$loader"
done

median() { # KIND: the median round's fields (by the first field; for batch seconds the median is the same either way)
  awk -v k="$1" '$1 == k { $1 = ""; sub(/^ +/, ""); print }' "$results" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"
}
# The median over the rounds of KIND's p99 / alone1's p99 in the same round.
paired() {
  awk -v k="$1" '$1 == "alone1" { a[++na] = $4 } $1 == k { b[++nb] = $4 } END { for (i = 1; i <= nb && i <= na; i++) print b[i] / a[i] }' "$results" \
    | sort -g | sed -n "$(( (rounds + 1) / 2 ))p" | awk '{ printf "%.2f", $1 }'
}
each_round() { # KIND: every round's p99 / alone1's p99, in order
  awk -v k="$1" '$1 == "alone1" { a[++na] = $4 } $1 == k { b[++nb] = $4 } END { for (i = 1; i <= nb && i <= na; i++) printf "%s%.2f", (i > 1 ? ", " : ""), b[i] / a[i] }' "$results"
}
long_ratio="$(paired long1)"
long_rounds="$(each_round long1)"
during_ratio="$(paired during1)"
during_rounds="$(each_round during1)"
read -r s16_rps s16_p50 s16_p99 s16_x < <(median single16)
read -r batch_s < <(median batch)
read -r a1_rps a1_p50 a1_p99 a1_x < <(median alone1)
read -r d1_rps d1_p50 d1_p99 d1_x < <(median during1)
read -r l1_rps l1_p50 l1_p99 l1_x < <(median long1)
stop_all
batch_rps="$(awk -v n="$records" -v s="$batch_s" 'BEGIN { printf "%.0f", n / s }')"
echo "| measurement | records/s or req/s | p50 | p99 |"
echo "|---|---|---|---|"
echo "| $records records one by one, 16 connections (wrk) | $s16_rps | $s16_p50 ms | $s16_p99 ms ${s16_x:-} |"
echo "| batch of $records records, parallelCount=$parallel (start to complete: $batch_s s) | $batch_rps | | |"
echo "| single calls, 1 connection, no batch | $a1_rps | $a1_p50 ms | $a1_p99 ms ${a1_x:-} |"
echo "| single calls, 1 connection, one batch of $long records running | $l1_rps | $l1_p50 ms | $l1_p99 ms ${l1_x:-} |"
echo "| single calls, 1 connection, batches of $records started back to back (start, poll, read all results, delete) | $d1_rps | $d1_p50 ms | $d1_p99 ms ${d1_x:-} |"
echo
echo "Batch / one-by-one throughput: $(ratio "$batch_rps" "$s16_rps"). Interactive p99 while a batch runs / without, paired by round: median $long_ratio (rounds: $long_rounds); with batches back to back: median $during_ratio (rounds: $during_rounds)."
