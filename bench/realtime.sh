#!/usr/bin/env bash
# Realtime benchmark (issue 15): the iris SVC as an ONNX realtime service on Ferry (scored in-process,
# batched) against the same SVC behind FastAPI + uvicorn (bench/baseline_fastapi.py: 2 workers,
# httptools, uvloop, async handler), load-tested side by side with wrk at 1, 16 and 64 connections.
# Both run side by side, are warmed up (WARMUP, 20 s), then ROUNDS rounds (5) alternate between them
# and the median round by req/s is reported, as bench/consume.sh does. A last run at 64 connections
# counts the batch sizes Ferry reports in Server-Timing. Beside them runs Kestrel's floor (bench/KestrelFloor: the
# call routed, its body read, a fixed answer written; no authentication, parsing or model), the most any ASP.NET
# Core server answers on these cores with this wrk beside it. Prints Markdown.
#   ./ferry bench realtime            (DURATION=10s, ROUNDS=5, WARMUP=20s by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${DURATION:-10s}"
rounds="${ROUNDS:-5}"
warmup="${WARMUP:-20s}"
loads=(1 16 64)
base_body='{"flower_data":[7,3.2,4.7,1.4]}'
ferry_body='{"inputData":{"Sepal.Length":[7],"Sepal.Width":[3.2],"Petal.Length":[4.7],"Petal.Width":[1.4]}}'

once() { # URL CONNECTIONS DURATION BODY [TOKEN]
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BODY="$4" TOKEN="${5:-}" wrk -t"$threads" -c"$2" -d"$3" --latency -s "$bench_root/bench/post.lua" "$1" | wrk_summary
}

# The baseline's model is svm.SVC() with today's defaults (gamma='scale'); the ONNX graph is built from the same fit.
models="$(mktemp -d)"
dirs+=("$models")
/usr/bin/python3 "$bench_root/tests/Ferry.Server.Tests/Realtime/onnx_models.py" "$models" --gamma scale

start_ferry
curl -sf "$FERRY_URL/realtime-services/Iris/V1.0" -H "Authorization: Bearer $TOKEN" \
  -F "model=@$models/iris_svc.onnx" -F "description=Iris SVC" >/dev/null
ferry="$FERRY_URL/api/Iris/V1.0"
check="$(curl -sf "$ferry" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$ferry_body" | jq -r '.outputParameters.outputData.label[0]')"
[[ "$check" == "1" ]] || { echo "bench: Ferry labelled '$check', not 1 (versicolor)" >&2; exit 1; }

dotnet build "$bench_root/bench/KestrelFloor" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
floor_port="$(free_port)"
dotnet "$bench_root/artifacts/bin/KestrelFloor/release/KestrelFloor.dll" --urls "http://127.0.0.1:$floor_port" >/dev/null 2>&1 &
pids+=($!)
floor="http://127.0.0.1:$floor_port/api/Iris/V1.0"
wait_http "http://127.0.0.1:$floor_port/"

port="$(free_port)"
(cd "$bench_root/bench" && exec /usr/bin/python3 -m uvicorn baseline_fastapi:app --host 127.0.0.1 --port "$port" \
  --workers 2 --http httptools --loop uvloop --log-level warning) &
pids+=($!)
base="http://127.0.0.1:$port/api/Iris/V1.0"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$base" -H 'Content-Type: application/json' -d "$base_body" && break; sleep 0.1; done

once "$ferry" 16 "$warmup" "$ferry_body" "$TOKEN" >/dev/null
once "$base" 16 "$warmup" "$base_body" >/dev/null
once "$floor" 16 "$warmup" "$ferry_body" >/dev/null
results="$(mktemp)" # removed at the end: stop_all runs before the table is made
for _ in $(seq 1 "$rounds"); do
  for connections in "${loads[@]}"; do
    echo "ferry $connections $(once "$ferry" "$connections" "$duration" "$ferry_body" "$TOKEN")" >>"$results"
    echo "base $connections $(once "$base" "$connections" "$duration" "$base_body")" >>"$results"
    echo "floor $connections $(once "$floor" "$connections" "$duration" "$ferry_body")" >>"$results"
  done
done
sizes="$(BODY="$ferry_body" TOKEN="$TOKEN" wrk -t2 -c64 -d"$duration" -s "$bench_root/bench/batch_sizes.lua" "$ferry" | grep '^batch sizes' || true)"
stop_all

echo "| connections | server | req/s | p50 | p99 |"
echo "|---|---|---|---|---|"
ratios=()
floors=()
for connections in "${loads[@]}"; do
  read -r f_rps f_p50 f_p99 f_x < <(median ferry "$connections")
  read -r b_rps b_p50 b_p99 b_x < <(median base "$connections")
  echo "| $connections | Ferry, realtime (ONNX) | $f_rps | $f_p50 ms | $f_p99 ms ${f_x:-} |"
  read -r k_rps k_p50 k_p99 k_x < <(median floor "$connections")
  echo "| $connections | FastAPI + uvicorn | $b_rps | $b_p50 ms | $b_p99 ms ${b_x:-} |"
  echo "| $connections | Kestrel's floor (fixed answer, no auth) | $k_rps | $k_p50 ms | $k_p99 ms ${k_x:-} |"
  ratios+=("$(ratio "$f_rps" "$b_rps") at $connections")
  floors+=("$(ratio "$k_rps" "$b_rps") at $connections")
done
echo
echo "Throughput ratio Ferry / FastAPI: $(IFS=,; echo "${ratios[*]}" | sed 's/,/, /g') connections."
echo "Kestrel's floor / FastAPI: $(IFS=,; echo "${floors[*]}" | sed 's/,/, /g') connections (no ASP.NET Core server beats this ratio here)."
echo "At 64 connections, $sizes"
rm -f "$results"
