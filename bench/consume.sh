#!/usr/bin/env bash
# Consumption benchmark (issues 4, 13, 16): the iris service published on Ferry against the same SVC
# behind FastAPI + uvicorn (2 workers, httptools, uvloop) written two ways: the fastest way people
# write it by hand (baseline_fastapi.py: an async handler reading the raw body, from ../shared/bench)
# and the common way (fastapi_iris.py: a sync handler with a pydantic model). Plus the mrsdeploy
# example (an R glm, mtService) on Ferry, and Ferry cold: the requests served at 16 connections in
# the first 10 s after publishing a new version with the default pool settings. And Ferry with its
# metrics off beside the one with them on (issue 18: what the instruments cost a consume call). And the floor of
# Ferry's design (bench/ProcessFloor: Kestrel passing the body as it is to two Python processes over Unix
# sockets, no authentication, sandbox or checks): user code must run outside the server's process, and no
# server that keeps it there outruns this floor on the same cores.
# All servers run side by side; each is warmed up first (WARMUP, 20 s: the JIT's background tiering
# and the pools settle), then ROUNDS rounds (3) run every load on each server in turn, and the median
# round by req/s is reported: on a shared 2-core box single runs vary by a third, and alternating
# keeps a slow minute from landing on one server only. Prints Markdown.
#   ./ferry bench consume             (DURATION=10s, ROUNDS=3, WARMUP=20s by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${DURATION:-10s}"
rounds="${ROUNDS:-3}"
warmup="${WARMUP:-20s}"
body='{"flower_data":[7,3.2,4.7,1.4]}'
rbody='{"hp":120,"wt":2.8}'

once() { # URL CONNECTIONS DURATION [TOKEN] [BODY]
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BODY="${5:-$body}" TOKEN="${4:-}" wrk -t"$threads" -c"$2" -d"$3" --latency -s "$bench_root/bench/post.lua" "$1" | wrk_summary
}

# What metrics cost a consume call: the same Ferry with metrics off (an empty Ferry:Metrics:Urls after
# lib.sh's turns the exporter off), run beside the one with them on.
start_ferry --Ferry:Metrics:Urls=
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
plain="$FERRY_URL/api/Iris/V1.0"
plain_token="$TOKEN"

# Ferry: train in a session, snapshot, publish, as the seed workflow does.
start_ferry
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
ferry="$FERRY_URL/api/Iris/V1.0"
publish_mtcars
rservice="$FERRY_URL/api/mtService/v1.0.0"

# The baselines, running beside it: an idle server costs the others nothing.
start_uvicorn() { # MODULE -> prints the consume URL
  local port
  port="$(free_port)"
  (cd "$bench_root/bench" && exec /usr/bin/python3 -m uvicorn "$1:app" --host 127.0.0.1 --port "$port" \
    --workers 2 --http httptools --loop uvloop --log-level warning) >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/Iris/V1.0" -H 'Content-Type: application/json' -d "$body" && break; sleep 0.1; done
  echo "http://127.0.0.1:$port/api/Iris/V1.0"
}
async="$(start_uvicorn baseline_fastapi)"

# The floor of the out-of-process design: as many Python processes as a pool's default MaxPoolSize here.
dotnet build "$bench_root/bench/ProcessFloor" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
floor_port="$(free_port)"
WORKERS="$(( $(nproc) < 2 ? 2 : $(nproc) ))" FLOOR_SCRIPT="$bench_root/bench/process_floor.py" \
  dotnet "$bench_root/artifacts/bin/ProcessFloor/release/ProcessFloor.dll" --urls "http://127.0.0.1:$floor_port" >/dev/null 2>&1 &
pids+=($!)
floor="http://127.0.0.1:$floor_port/api/Iris/V1.0"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$floor" -H 'Content-Type: application/json' -d "$body" && break; sleep 0.1; done
sync="$(start_uvicorn fastapi_iris)"

# Cold: a new version from the same snapshot, loaded at once with the defaults (one warm worker, the
# pool grows under load); what it serves in its first 10 s.
api POST /services/Iris/V9.0 -d "{\"code\":\"iris_species = [names[i] for i in clf.predict([flower_data])]\",
  \"inputParameterDefinitions\":[{\"name\":\"flower_data\",\"type\":\"vector\"}],
  \"outputParameterDefinitions\":[{\"name\":\"iris_species\",\"type\":\"vector\"}],
  \"runtimeType\":\"Python\",\"snapshotId\":\"$IRIS_SNAPSHOT\"}" >/dev/null
read -r cold_rps _ < <(once "$FERRY_URL/api/Iris/V9.0" 16 10s "$TOKEN")

# Warm-up (JIT tiering, the pools' workers, uvicorn's processes), then the rounds, alternating between
# the servers so that all see the same machine: a shared box has slow and fast minutes.
once "$ferry" 16 "$warmup" "$TOKEN" >/dev/null
once "$plain" 16 "$warmup" "$plain_token" >/dev/null
once "$async" 16 "$warmup" >/dev/null
once "$floor" 16 "$warmup" >/dev/null
once "$sync" 16 "$warmup" >/dev/null
once "$rservice" 16 "$warmup" "$TOKEN" "$rbody" >/dev/null
results="$(mktemp)"
dirs+=("$results")
for _ in $(seq 1 "$rounds"); do
  for connections in 1 16; do
    echo "ferry $connections $(once "$ferry" "$connections" "$duration" "$TOKEN")" >>"$results"
    echo "plain $connections $(once "$plain" "$connections" "$duration" "$plain_token")" >>"$results"
    echo "async $connections $(once "$async" "$connections" "$duration")" >>"$results"
    echo "floor $connections $(once "$floor" "$connections" "$duration")" >>"$results"
    echo "sync $connections $(once "$sync" "$connections" "$duration")" >>"$results"
    echo "r $connections $(once "$rservice" "$connections" "$duration" "$TOKEN" "$rbody")" >>"$results"
  done
done

echo "| connections | server | req/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for connections in 1 16; do
  row "$connections" ferry "Ferry (Iris/V1.0, warmed)"
  row "$connections" plain "Ferry with metrics off (--Ferry:Metrics:Urls=)"
  row "$connections" async "FastAPI + uvicorn, async handler, raw body (baseline_fastapi.py)"
  row "$connections" sync "FastAPI + uvicorn, sync handler, pydantic (fastapi_iris.py)"
  row "$connections" floor "The out-of-process floor (ProcessFloor: no auth, sandbox or checks)"
  row "$connections" r "Ferry, R service (mtService, glm)"
done
read -r f16 _ < <(median ferry 16)
read -r a16 _ < <(median async 16)
read -r s16 _ < <(median sync 16)
read -r p16 _ < <(median plain 16)
read -r l16 _ < <(median floor 16)
read -r _ a1p50 _ < <(median async 1)
read -r _ l1p50 _ < <(median floor 1)
echo
echo "Ferry with metrics on / off at 16 connections: $(ratio "$f16" "$p16") (1.00 is no cost)."
echo "Ferry / async FastAPI at 16 connections: $(ratio "$f16" "$a16"); Ferry / sync FastAPI: $(ratio "$f16" "$s16")."
echo "The out-of-process floor / async FastAPI at 16 connections: $(ratio "$l16" "$a16"); Ferry / the floor: $(ratio "$f16" "$l16"). At 1 connection the floor's p50 is $l1p50 ms against the async baseline's $a1p50 ms."
echo "Cold: a version published with the defaults served $cold_rps req/s at 16 connections over its first 10 s, $(ratio "$cold_rps" "$a16") of the warm async baseline."
stop_all
