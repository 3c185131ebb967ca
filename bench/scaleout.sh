#!/usr/bin/env bash
# Scale-out benchmark (issue 17): the seed's Iris/V1.0 consumed on one box (--role all) against the
# same service behind a web node (--role web) with two compute nodes (--role compute), all on this
# machine and on one throwaway PostgreSQL (a database each), so the difference is the extra hop: the
# web node re-sends each call to a compute node over loopback HTTP and relays the answer. On two
# cores the split runs three .NET processes where the box runs one, so it shows the hop's cost, not
# what more machines give. Alongside, the async FastAPI baseline (../shared/bench) as a yardstick.
# Each server is warmed up (WARMUP, 20 s), then ROUNDS rounds (3) alternate between them at 1 and 16
# connections; the median round by req/s is reported. Prints Markdown.
#   ./ferry bench scaleout            (DURATION=10s, ROUNDS=3, WARMUP=20s by default)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
duration="${DURATION:-10s}"
rounds="${ROUNDS:-3}"
warmup="${WARMUP:-20s}"
body='{"flower_data":[7,3.2,4.7,1.4]}'

once() { # URL CONNECTIONS DURATION [TOKEN]
  local threads=$(( $2 < 2 ? 1 : 2 ))
  BODY="$body" TOKEN="${4:-}" wrk -t"$threads" -c"$2" -d"$3" --latency -s "$bench_root/bench/post.lua" "$1" | wrk_summary
}

# PostgreSQL as its own account (it refuses root), in a throwaway directory, stopped at the end.
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -n 1)"
[[ -x "$pgbin/initdb" ]] || { echo "bench: PostgreSQL's server binaries are missing: apt-get install -y postgresql" >&2; exit 1; }
pgdir="$(mktemp -d)"
chown postgres:postgres "$pgdir"
pgport="$(free_port)"
as_postgres() { setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"; }
as_postgres "$pgbin/initdb" -D "$pgdir/data" -U ferry --auth=trust --encoding=UTF8 --no-locale --no-sync >/dev/null
as_postgres "$pgbin/pg_ctl" start -w -D "$pgdir/data" -l "$pgdir/server.log" \
  -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
trap 'stop_all; as_postgres "$pgbin/pg_ctl" stop -m immediate -D "$pgdir/data" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
for db in onebox cluster; do "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U ferry "$db"; done
storage() { echo "--Ferry:Storage:Provider=Postgres" "--Ferry:Storage:ConnectionString=Host=127.0.0.1;Port=$pgport;Username=ferry;Database=$1"; }

# One box: the seed workflow on --role all.
# shellcheck disable=SC2046
start_ferry $(storage onebox)
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
onebox="$FERRY_URL/api/Iris/V1.0"
onebox_token="$TOKEN"

# Two compute nodes and a web node sharing one data directory, each with a node directory of its own.
shared="$(mktemp -d)"
dirs+=("$shared")
start_node() { # ROLE: a node over the shared data directory, with a node directory of its own -> FERRY_URL
  local node
  node="$(mktemp -d)"
  dirs+=("$node")
  # shellcheck disable=SC2046
  serve_ferry "$shared" --role "$1" "--Ferry:NodeDirectory=$node" $(storage cluster)
}
start_node compute
compute1="$FERRY_URL"
start_node compute
compute2="$FERRY_URL"
start_node web
sign_in
api POST /computenodes -d "{\"entries\":[\"$compute1\",\"$compute2\"]}" >/dev/null
for _ in $(seq 1 100); do
  session="$(api POST /sessions -d '{"runtimeType":"Python"}' 2>/dev/null | jq -r .sessionId 2>/dev/null || true)"
  [[ -n "$session" && "$session" != null ]] && { api DELETE "/sessions/$session" >/dev/null; break; }
  sleep 0.2
done
publish_iris
api DELETE "/sessions/$IRIS_SESSION" >/dev/null
cluster="$FERRY_URL/api/Iris/V1.0"
cluster_token="$TOKEN"

# The yardstick: the async FastAPI baseline (2 workers), beside them.
port="$(free_port)"
(cd "$bench_root/bench" && exec /usr/bin/python3 -m uvicorn baseline_fastapi:app --host 127.0.0.1 --port "$port" \
  --workers 2 --http httptools --loop uvloop --log-level warning) >/dev/null 2>&1 &
pids+=($!)
async="http://127.0.0.1:$port/api/Iris/V1.0"
for _ in $(seq 1 300); do curl -sf -o /dev/null "$async" -H 'Content-Type: application/json' -d "$body" && break; sleep 0.1; done

once "$onebox" 16 "$warmup" "$onebox_token" >/dev/null
once "$cluster" 16 "$warmup" "$cluster_token" >/dev/null
once "$async" 16 "$warmup" >/dev/null
results="$(mktemp)"
dirs+=("$results")
for _ in $(seq 1 "$rounds"); do
  for connections in 1 16; do
    echo "onebox $connections $(once "$onebox" "$connections" "$duration" "$onebox_token")" >>"$results"
    echo "cluster $connections $(once "$cluster" "$connections" "$duration" "$cluster_token")" >>"$results"
    echo "async $connections $(once "$async" "$connections" "$duration")" >>"$results"
  done
done

echo "| connections | server | req/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for connections in 1 16; do
  row "$connections" onebox "Ferry, one box (--role all)"
  row "$connections" cluster "Ferry, web node + 2 compute nodes"
  row "$connections" async "FastAPI + uvicorn, async handler, raw body (baseline_fastapi.py)"
done
read -r o1 op50 _ < <(median onebox 1)
read -r c1 cp50 _ < <(median cluster 1)
read -r o16 _ < <(median onebox 16)
read -r c16 _ < <(median cluster 16)
echo
echo "Web + compute / one box: $(ratio "$c16" "$o16") of the throughput at 16 connections, $(ratio "$c1" "$o1") at 1; the hop adds $(awk -v a="$cp50" -v b="$op50" 'BEGIN { printf "%.2f", a - b }') ms to the p50 at 1 connection."
