# Shared by the benchmarks: a real `ferry serve` on a free loopback port over a throwaway data dir.
# Source it; call start_ferry [--Section:Key=value ...]; it sets FERRY_URL and TOKEN; stop_all cleans up.
set -euo pipefail

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pids=()
dirs=()

stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
  dirs=()
}
trap stop_all EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until a URL answers (any HTTP status) or gives up after 90 s.
wait_http() {
  local url="$1" i
  for i in $(seq 1 900); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    sleep 0.1
  done
  echo "bench: $url did not answer within 90 s" >&2
  return 1
}

# Starts `ferry serve` over the data directory DATA with further ARGS (--role, --Section:Key=value ...), on a
# free loopback port, and waits until it answers; sets FERRY_URL and FERRY_METRICS_URL. The metrics listener
# gets a free port too (its default, 12801, may be another server's); a caller's --Ferry:Metrics:Urls=
# (empty) after it turns metrics off, to measure what they cost. The log goes to DATA/server-PORT.log.
serve_ferry() {
  local data="$1" port metrics_port
  shift
  port="$(free_port)"
  metrics_port="$(free_port)"
  FERRY_ADMIN_PASSWORD=bench-Passw0rd FERRY_NO_BUILD=1 FERRY_SKIP_INSTALL=1 \
    "$bench_root/ferry" serve --urls "http://127.0.0.1:$port" --data-dir "$data" \
    --Logging:LogLevel:Default=Warning "--Ferry:Metrics:Urls=http://127.0.0.1:$metrics_port" "$@" >"$data/server-$port.log" 2>&1 &
  pids+=($!)
  FERRY_URL="http://127.0.0.1:$port"
  FERRY_METRICS_URL="http://127.0.0.1:$metrics_port"
  wait_http "$FERRY_URL/status"
}

# A server over a throwaway data directory, signed in as its admin (TOKEN).
start_ferry() {
  local data
  data="$(mktemp -d)"
  dirs+=("$data")
  serve_ferry "$data" "$@"
  sign_in
}

# TOKEN: the admin's access token on the server at FERRY_URL.
sign_in() {
  TOKEN="$(curl -sf "$FERRY_URL/login" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"bench-Passw0rd"}' | jq -r .access_token)"
}

# curl with the token, JSON in and out.
api() {
  local method="$1" path="$2"
  shift 2
  curl -sf -X "$method" "$FERRY_URL$path" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"
}

# Prints "p50 p99" in milliseconds of the numbers (seconds) on stdin.
percentiles() {
  sort -n | awk '{v[NR]=$1} END {i50=int(NR*0.5+0.5); i99=int(NR*0.99+0.5); if(i99<1)i99=1; printf "%.2f %.2f\n", v[i50]*1000, v[i99]*1000}'
}

# wrk's latency distribution as "req/s p50 p99" (p in ms); wrk -s LUA must be given by the caller.
wrk_summary() {
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f%s\n", rps, p50, p99, (bad ? " NON-2XX=" bad : "") }'
}

# The seed workflow on the server at FERRY_URL: train iris in a session, snapshot, publish Iris/V1.0,
# check one prediction. Leaves the session's id in IRIS_SESSION.
# The mrsdeploy example: carsModel trained in an R session, published as mtService v1.0.0.
publish_mtcars() {
  local session snapshot check
  session="$(api POST /sessions -d '{"runtimeType":"R"}' | jq -r .sessionId)"
  api POST "/sessions/$session/execute" -d '{"code":"carsModel <- glm(am ~ hp + wt, data = mtcars, family = binomial)"}' | jq -e .success >/dev/null
  snapshot="$(api POST "/sessions/$session/snapshot" -d '{"name":"cars"}' | jq -r .snapshotId)"
  api DELETE "/sessions/$session" >/dev/null
  api POST /services/mtService/v1.0.0 -d "{\"code\":\"answer <- predict(carsModel, data.frame(hp = hp, wt = wt), type = 'response')\",
    \"inputParameterDefinitions\":[{\"name\":\"hp\",\"type\":\"numeric\"},{\"name\":\"wt\",\"type\":\"numeric\"}],
    \"outputParameterDefinitions\":[{\"name\":\"answer\",\"type\":\"numeric\"}],
    \"runtimeType\":\"R\",\"snapshotId\":\"$snapshot\"}" >/dev/null
  check="$(api POST /api/mtService/v1.0.0 -d '{"hp":120,"wt":2.8}' | jq -r '.outputParameters.answer')"
  [[ "$check" == 0.641812* ]] || { echo "bench: mtService answered '$check'" >&2; exit 1; }
}

publish_iris() {
  local train snapshot check
  train="from sklearn import svm, datasets\niris = datasets.load_iris()\nclf = svm.SVC(gamma='auto').fit(iris.data, iris.target)\nnames = ['I. setosa', 'I. versicolor', 'I. virginica']"
  IRIS_SESSION="$(api POST /sessions -d '{"runtimeType":"Python"}' | jq -r .sessionId)"
  api POST "/sessions/$IRIS_SESSION/execute" -d "{\"code\":\"$train\"}" | jq -e .success >/dev/null
  IRIS_SNAPSHOT="$(api POST "/sessions/$IRIS_SESSION/snapshot" -d '{"name":"Iris"}' | jq -r .snapshotId)"
  snapshot="$IRIS_SNAPSHOT"
  api POST /services/Iris/V1.0 -d "{\"code\":\"iris_species = [names[i] for i in clf.predict([flower_data])]\",
    \"inputParameterDefinitions\":[{\"name\":\"flower_data\",\"type\":\"vector\"}],
    \"outputParameterDefinitions\":[{\"name\":\"iris_species\",\"type\":\"vector\"}],
    \"runtimeType\":\"Python\",\"snapshotId\":\"$snapshot\"}" >/dev/null
  check="$(api POST /api/Iris/V1.0 -d '{"flower_data":[7,3.2,4.7,1.4]}' | jq -r '.outputParameters.iris_species[0]')"
  [[ "$check" == "I. versicolor" ]] || { echo "bench: Ferry predicted '$check'" >&2; exit 1; }
}

# For the load benchmarks whose rounds append "SERVER CONNECTIONS req/s p50 p99 [NON-2XX=n]" lines to the
# file $results, $rounds of them per server and load:
median() { # SERVER CONNECTIONS: "req/s p50 p99 [NON-2XX=n]" of the median round by req/s
  awk -v s="$1" -v c="$2" '$1 == s && $2 == c { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$results" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p"
}

# A / B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# One Markdown row of the median round.
row() { # CONNECTIONS SERVER LABEL
  local rps p50 p99 extra
  read -r rps p50 p99 extra < <(median "$2" "$1")
  echo "| $1 | $3 | $rps | $p50 ms | $p99 ms ${extra:-} |"
}
