#!/usr/bin/env bash
# `make bench`: Outrigger's figures beside baselines measured in the same run on the same box.
#
#   1. nginx answering 204 to POST (the HTTP baseline) vs single publishes into pubsub.in-memory
#      (wrk: 50 connections, 2 threads, 10 s, 1 KB JSON body) -> req/s, p50, p99, ratio; beside the
#      ceilings of the stack the API runs on: a bare SwiftNIO HTTP/1.1 handler and Hummingbird with
#      the publish route, both reading the body and answering 204, and the NIO handler answering
#      from a Swift task (the cost of one hop to async code and back) (outrigger-ceilings)
#   2. bulk publish, 100 x 1 KB entries per request, and 100 entries of 256 B each (entryId, event and
#      contentType together) -> messages/s, beside the same bulk path in process with no sockets
#      (outrigger-microbench: CPU per message of parse + envelopes + publish); the single publish of 1 again
#      with tracing on (samplingRate 1, every span exported over OTLP/HTTP to nginx) -> ratio
#   3. publish -> delivery end to end: the in-memory broker delivers every event to an HTTP app
#      (nginx answering 204) -> delivered/s from the sidecar's own counters, beside the same load
#      against its ceiling: a SwiftNIO relay answering 204 and POSTing each body to nginx on the
#      same event loop (outrigger-ceilings nio-relay)
#   4. publish-to-delivery latency at light load (one event at a time, Python app)
#   5. idle memory of the sidecar (VmRSS, its anonymous part, Pss, private pages) after start and
#      again after the publish loads, and its start-to-healthz time
#   6. gRPC PublishEvent through the Swift load client (outrigger-grpc-load): at 1,000 QPS over
#      16 connections, open loop (latency from each request's scheduled send time), from its
#      grpc-swift 2 client and from its bare SwiftNIO HTTP/2 client, and at saturation (50
#      requests in flight over 16 connections, closed loop) -> p50/p90/p99, beside the same loads
#      against a no-op Swift gRPC server (the gRPC stack's ceiling) and the open loop against
#      bare SwiftNIO HTTP/2 answering every call (the floor);
#      and one call at a time from h2load (a C HTTP/2 client) against both and against bare
#      SwiftNIO HTTP/2 answering every call (outrigger-ceilings nio-h2: the floor without
#      grpc-swift), so the Swift client's and grpc-swift's shares of the latency show
#   7. brokers (Redis Streams, RabbitMQ, Kafka, MQTT, NATS JetStream): single publishes through the sidecar
#      into the broker's component (wrk, as in 1) beside the broker's own client publishing the
#      same 1 KB body with the same acknowledgement (redis-benchmark XADD; a librabbitmq
#      publisher with confirms; a librdkafka producer; a libmosquitto QoS 1 publisher; a libnats
#      publisher waiting for PubAcks), and publish ->
#      delivery end to end through the broker to nginx as the app (skipped when it does not answer);
#      CPU per message of each process (client, wrk, sidecar, broker) in both runs, and the rate
#      the sidecar's run would reach with every core busy if the sidecar cost only what the bare
#      SwiftNIO 204 of 1 costs (plus, for a component on the baseline's C library, that
#      library's own work per message): where the gap to the baseline is
# Machines here are noisy: compare the ratios, not the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

# shellcheck source=bench/common.sh
source bench/common.sh

echo "building release binaries (scripts/release-build.sh) ..."
scripts/release-build.sh outrigger outrigger-ceilings outrigger-microbench outrigger-grpc-load
release=.build/packed/release
BIN=$release/outrigger
python3 bench/make_bodies.py "$work"
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# 5. start-up time and idle RSS: exec to the first 204 from /v1.0/healthz, median of 5, with the
# in-memory component alone, and with five (in-memory, Redis, RabbitMQ, MQTT, Kafka: each init a
# connection handshake with its broker) when those brokers answer.
startup_ms() {  # resources folder -> median milliseconds
  python3 - "$BIN" "$1" <<'PY'
import http.client, statistics, subprocess, sys, time
times = []
for run in range(5):
    start = time.perf_counter()
    process = subprocess.Popen([sys.argv[1], "run", "-a", "bench", "-H", "18510", "-G", "18933", "-M", "0", "-d", sys.argv[2], "--log-level", "error"])
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", 18510, timeout=1)
            connection.request("GET", "/v1.0/healthz")
            if connection.getresponse().status == 204:
                break
        except OSError:
            time.sleep(0.001)
    times.append((time.perf_counter() - start) * 1000)
    process.terminate()
    process.wait()
print(f"{statistics.median(times):.1f}")
PY
}
startup=$(startup_ms bench/components)
startup_five=skipped
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && answers 5672 && answers 1883 && answers 9092; then
  mkdir -p "$work/five"
  cp bench/components/pubsub.yaml "$work/five/"
  for broker in redis rabbitmq mqtt3 kafka; do
    sed "s/^  name: pubsub$/  name: $broker/" "bench/$broker/pubsub.yaml" >"$work/five/$broker.yaml"
  done
  startup_five=$(startup_ms "$work/five")
fi

"$BIN" run -a bench -H 18500 -G 18930 -M 0 -d bench/components --log-level error &
pids+=($!)
sidecar=$!
wait_healthy 18500
# Idle: the sidecar unmaps start-up's pages in the first quiet second after it (IdlePageRelease).
sleep 3
# VmRSS and its anonymous part from status; Pss and the private (unshared) pages from smaps_rollup.
memory_of() {  # pid -> {"rss", "anon", "pss", "private"} in kB
  python3 - "$1" <<'PY'
import json, sys
def read(path):
    values = {}
    for line in open(path):
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            values[name] = int(parts[0])
    return values
status, rollup = read(f"/proc/{sys.argv[1]}/status"), read(f"/proc/{sys.argv[1]}/smaps_rollup")
print(json.dumps({"rss": status["VmRSS"], "anon": status["RssAnon"], "pss": rollup["Pss"],
                  "private": rollup["Private_Clean"] + rollup["Private_Dirty"]}))
PY
}
memory_kb=$(memory_of "$sidecar")

# 1. single publish vs nginx, and vs the ceilings of the HTTP stack it runs on
# nginx's CPU per request: its workers' (the master only starts them).
nginx_ticks() { local total=0 worker; for worker in $(pgrep -P "$(cat "$work/nginx.pid")"); do total=$((total + $(cpu_ticks "$worker"))); done; echo "$total"; }
nginx_before=$(nginx_ticks)
nginx_result=$(load "http://127.0.0.1:$NGINX_PORT/v1.0/publish/pubsub/orders" "$work/single.json" application/json)
nginx_result=$(with_cpu_per_request "$nginx_result" cpu_us "$nginx_before" "$(nginx_ticks)")
ceiling() {  # hummingbird|nio|nio-task|nio-loop-task port -> RESULT json of the same load against that 204 server, with its CPU per request
  $release/outrigger-ceilings "$1" "$2" &
  local server=$! ticks result
  for _ in $(seq 1 200); do curl -s -o /dev/null -X POST "http://127.0.0.1:$2/v1.0/publish/p/t" && break; sleep 0.05; done
  ticks=$(cpu_ticks "$server")
  result=$(load "http://127.0.0.1:$2/v1.0/publish/pubsub/orders" "$work/single.json" application/json)
  cpu_per_request "$server" "$ticks" "$result" json
  kill "$server"; wait "$server" 2>/dev/null || true
}
hummingbird_result=$(ceiling hummingbird 18090)
nio_result=$(ceiling nio 18091)
nio_task_result=$(ceiling nio-task 18092)
nio_loop_task_result=$(ceiling nio-loop-task 18093)
publish_ticks=$(cpu_ticks "$sidecar")
publish_result=$(load "http://127.0.0.1:18500/v1.0/publish/pubsub/orders" "$work/single.json" application/json)
publish_cpu=$(cpu_per_request "$sidecar" "$publish_ticks" "$publish_result")
# 2. bulk publish
bulk_result=$(load "http://127.0.0.1:18500/v1.0-alpha1/publish/bulk/pubsub/orders" "$work/bulk.json" application/json)
bulk256_result=$(load "http://127.0.0.1:18500/v1.0-alpha1/publish/bulk/pubsub/orders" "$work/bulk-256.json" application/json)
# the same bulk path in process, no sockets: its ceiling per core
bulk_micro=$($release/outrigger-microbench bulk 256 3 | tail -1)
# the same sidecar idle again after the publish loads (3 s: a quiet second has passed)
sleep 3
memory_kb="$memory_kb"$'\n'"$(memory_of "$sidecar")"
kill "$sidecar"; wait "$sidecar" 2>/dev/null || true

# 2b. the same single publish with every span recorded and exported over OTLP/HTTP to nginx
cat > "$work/tracing.yaml" <<YAML
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: bench-tracing
spec:
  tracing:
    samplingRate: "1"
    otel:
      endpointAddress: "127.0.0.1:$NGINX_PORT"
      protocol: http
YAML
"$BIN" run -a bench -H 18501 -G 18931 -M 0 -d bench/components --config "$work/tracing.yaml" --log-level error &
pids+=($!)
sidecar=$!
wait_healthy 18501
traced_result=$(load "http://127.0.0.1:18501/v1.0/publish/pubsub/orders" "$work/single.json" application/json)
kill "$sidecar"; wait "$sidecar" 2>/dev/null || true

# Publishes with wrk to $1 while something delivers each event to nginx as the app; `$2` prints
# how many were delivered so far. Stops once every accepted publish is delivered, or the count
# has not moved for 2 s (a broker that batches its fetches pauses for a moment now and then),
# checked every 0.1 s at most $3 times -> wrk's RESULT json plus "delivered" and "elapsed" (up
# to the last time the count moved).
measure_delivery() {
  local url=$1 count_command=$2 checks=$3 start end result count last=-1 still=0 accepted
  start=$(date +%s.%N)
  result=$(load "$url" "$work/single.json" application/json)
  accepted=$(python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(r['requests'] - r['errors'])" "$result")
  end=$(date +%s.%N)
  for _ in $(seq 1 "$checks"); do
    count=$($count_command)
    if [ "$count" != "$last" ]; then last=$count; still=0; end=$(date +%s.%N); else still=$((still + 1)); fi
    [ "$count" -ge "$accepted" ] || [ "$still" -ge 20 ] && break
    sleep 0.1
  done
  python3 -c "import json,sys; r=json.loads(sys.argv[1]); r['delivered']=int(sys.argv[2]); r['elapsed']=float(sys.argv[4])-float(sys.argv[3]); print(json.dumps(r))" \
    "$result" "$($count_command)" "$start" "$end"
}

# Publish -> delivery end to end: a sidecar on HTTP port $1 / gRPC port $2 with the resources in
# $3 delivers to nginx as the app while wrk publishes (measure_delivery, at most $4 checks).
end_to_end() {
  "$BIN" run -a bench -H "$1" -G "$2" -M 0 -p "$NGINX_PORT" -d "$3" --log-level error >/dev/null &
  pids+=($!)
  local sidecar=$!
  wait_healthy "$1"
  # bash scoping: `delivered` sees this call's `sidecar_port`.
  local sidecar_port=$1
  delivered() { curl -s "http://127.0.0.1:$sidecar_port/v1.0/metadata" | python3 -c 'import json,sys; print(sum(s["deliveries"]["delivered"] for s in json.load(sys.stdin)["subscriptions"]))'; }
  measure_delivery "http://127.0.0.1:$1/v1.0/publish/pubsub/bench" delivered "$4"
  kill "$sidecar"; wait "$sidecar" 2>/dev/null || true
}

# 3. end to end: publish while the in-memory broker delivers each event to nginx as the app,
#    and the same load against the end-to-end ceiling: a SwiftNIO relay that answers 204 and
#    POSTs each body to nginx on the same event loop (outrigger-ceilings nio-relay)
e2e_result=$(end_to_end 18501 18931 bench/e2e 200)
$release/outrigger-ceilings nio-relay 18094 "$NGINX_PORT" &
relay=$!
pids+=("$relay")
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:18094/delivered" && break; sleep 0.05; done
relay_delivered() { curl -s "http://127.0.0.1:18094/delivered"; }
relay_result=$(measure_delivery "http://127.0.0.1:18094/v1.0/publish/pubsub/bench" relay_delivered 200)
kill "$relay"; wait "$relay" 2>/dev/null || true

# 4. light-load latency
coproc PROBE { exec python3 bench/latency_probe.py 18090 18502 2000; }
read -r _ <&"${PROBE[0]}"
"$BIN" run -a probe -H 18502 -G 18932 -M 0 -p 18090 -d bench/components --log-level error &
pids+=($!)
probe_sidecar=$!
wait_healthy 18502
echo go >&"${PROBE[1]}"
probe_result=""
while read -r line <&"${PROBE[0]}"; do
  case $line in RESULT*) probe_result=${line#RESULT }; break ;; esac
done
kill "$probe_sidecar"; wait "$probe_sidecar" 2>/dev/null || true
# bash runs one coproc at a time: let the probe end before anything else runs.
wait "$PROBE_PID" 2>/dev/null || true

# 6. gRPC PublishEvent, open loop at 1,000 QPS x 16 connections and closed loop at saturation,
#    against a no-op Swift gRPC server (the ceiling: decode, answer) and then the sidecar.
grpc_loads() {  # port -> three RESULT json lines: open loop, saturation, open loop from the SwiftNIO client
  $release/outrigger-grpc-load load "$1" --qps 1000 --connections 16 --seconds 10 | sed -n 's/^RESULT //p'
  $release/outrigger-grpc-load saturate "$1" --concurrency 50 --connections 16 --seconds 10 | sed -n 's/^RESULT //p'
  nio_h2_load "$1"
}
# The open loop again from a client on bare SwiftNIO HTTP/2, each call timed by its connection's
# event loop: grpc-swift's client costs more per call than the answers measured.
nio_h2_load() {  # port -> RESULT json line
  $release/outrigger-grpc-load load "$1" --qps 1000 --connections 16 --seconds 10 --client nio-h2 | sed -n 's/^RESULT //p'
}
# The same PublishEvent one request at a time from h2load, nghttp2's C client (a gRPC call is
# an HTTP/2 POST of a length-prefixed message): each server's round trip with the client's own
# share as small as it gets. h2load checks the HTTP status, not the gRPC status in the trailers.
h2_round_trip() {  # port -> JSON: requests that got a 2xx, and min / mean / sd of their times in us
  h2load -n 20000 -c 1 -m 1 -d "$work/publish.grpc" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$1/dapr.proto.runtime.v1.Dapr/PublishEvent" | python3 -c 'import json, re, sys
text = sys.stdin.read()
us = lambda v: float(re.match(r"[0-9.]+", v).group()) * {"us": 1, "ms": 1e3, "s": 1e6}[re.search(r"[a-z]+$", v).group()]
times = re.search(r"time for request:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", text).groups()
print(json.dumps({"succeeded": int(re.search(r"(\d+) succeeded", text).group(1)), "min_us": us(times[0]), "mean_us": us(times[2]), "sd_us": us(times[3])}))'
}
$release/outrigger-grpc-load noop 18920 >/dev/null &
pids+=($!)
grpc_noop=$!
# The load client's warm-up request waits for the server to listen.
grpc_noop_results=$(grpc_loads 18920)
grpc_noop_h2=$(h2_round_trip 18920)
kill "$grpc_noop"; wait "$grpc_noop" 2>/dev/null || true
# The floor without grpc-swift: bare SwiftNIO HTTP/2 answering each call with an empty OK message.
$release/outrigger-ceilings nio-h2 18922 &
pids+=($!)
grpc_floor=$!
for _ in $(seq 1 200); do answers 18922 && break; sleep 0.05; done
grpc_floor_h2=$(h2_round_trip 18922)
grpc_floor_load=$(nio_h2_load 18922)
kill "$grpc_floor"; wait "$grpc_floor" 2>/dev/null || true
"$BIN" run -a bench -H 18503 -G 18921 -M 0 -d bench/components --log-level error &
pids+=($!)
grpc_sidecar=$!
wait_healthy 18503
grpc_sidecar_results=$(grpc_loads 18921)
grpc_sidecar_h2=$(h2_round_trip 18921)
kill "$grpc_sidecar"; wait "$grpc_sidecar" 2>/dev/null || true

# 7+. Brokers: single publishes through the sidecar into a broker component (wrk, as in 1)
#     beside the broker's own client publishing the same 1 KB with the same acknowledgement
#     (the baseline), then publish -> delivery end to end through the broker to nginx as the app.
#     One JSON line per broker in $work/brokers.jsonl; a broker that does not answer is skipped.
# Every run also counts CPU per message: the baseline client's and the broker's while the
# baseline runs, wrk's, the sidecar's and the broker's while the sidecar runs (the broker is
# the process listening on its port: counted only where that is visible, not in a container).
#
# baseline BROKER-PORT MESSAGES COMMAND... -> JSON: the rate COMMAND printed (its last line),
# its CPU per message and the broker's, in microseconds ("client_cpu_us", "broker_cpu_us")
baseline() {
  local port=$1 messages=$2 broker ticks=0 after=0 out cpu
  shift 2
  broker=$(listener_pid "$port")
  [ -n "$broker" ] && ticks=$(cpu_ticks "$broker")
  out=$(mktemp "$work/baseline.XXXXXX")
  cpu=$(cpu_seconds_of "$out" "$@")
  [ -n "$broker" ] && after=$(cpu_ticks "$broker")
  python3 -c 'import json, os, sys
messages, broker_ticks = int(sys.argv[3]), int(sys.argv[5]) - int(sys.argv[4])
print(json.dumps({"rate": float(sys.argv[1]), "client_cpu_us": float(sys.argv[2]) * 1e6 / messages,
                  "broker_cpu_us": broker_ticks * 1e6 / os.sysconf("SC_CLK_TCK") / messages if sys.argv[6] else None}))' \
    "$(tail -1 "$out")" "$cpu" "$messages" "$ticks" "$after" "$broker"
  rm -f "$out"
}

# broker_section NAME BROKER-PORT HTTP-PORT GRPC-PORT RESOURCES BASELINE-JSON BASELINE-LABEL SAME-LIBRARY [TARGET-REQ/S]
# BASELINE-JSON comes from `baseline`; SAME-LIBRARY (yes|no) says whether the baseline client
# runs on the C library the component uses. Without TARGET-REQ/S the target is a sidecar /
# baseline ratio of at least 0.8.
broker_section() {
  local name=$1 broker_port=$2 port=$3 grpc=$4 resources=$5 direct=$6 label=$7 same_library=$8 target=${9:-0} sidecar publish bulk e2e
  "$BIN" run -a bench -H "$port" -G "$grpc" -M 0 -d "$resources" --log-level error &
  pids+=($!)
  sidecar=$!
  wait_healthy "$port"
  # The first publish to a topic the broker does not have yet waits for it to be created (Kafka:
  # a metadata round or two). wrk corrects its latencies for coordinated omission (a request
  # that took T adds samples for the ones a connection could not send meanwhile), so that one
  # wait of the first 50 requests would stand as the run's p99: it is measured on its own.
  local first
  first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST -H 'Content-Type: application/json' \
    --data-binary @"$work/single.json" "http://127.0.0.1:$port/v1.0/publish/pubsub/outrigger-bench-sidecar")
  local ticks broker broker_ticks=0
  broker=$(listener_pid "$broker_port")
  [ -n "$broker" ] && broker_ticks=$(cpu_ticks "$broker")
  ticks=$(cpu_ticks "$sidecar")
  publish=$(load "http://127.0.0.1:$port/v1.0/publish/pubsub/outrigger-bench-sidecar" "$work/single.json" application/json)
  publish=$(cpu_per_request "$sidecar" "$ticks" "$publish" json)
  [ -n "$broker" ] && publish=$(with_cpu_per_request "$publish" broker_cpu_us "$broker_ticks" "$(cpu_ticks "$broker")")
  bulk=$(load "http://127.0.0.1:$port/v1.0-alpha1/publish/bulk/pubsub/outrigger-bench-sidecar" "$work/bulk.json" application/json)
  kill "$sidecar"; wait "$sidecar" 2>/dev/null || true
  e2e=$(end_to_end $((port + 1)) $((grpc + 1)) "$resources" 600)
  python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "direct": json.loads(sys.argv[2]), "label": sys.argv[3], "publish": json.loads(sys.argv[4]), "e2e": json.loads(sys.argv[5]), "target": float(sys.argv[6]), "bulk": json.loads(sys.argv[7]), "first": sys.argv[8], "same_library": sys.argv[9] == "yes"}))' \
    "$name" "$direct" "$label" "$publish" "$e2e" "$target" "$bulk" "$first" "$same_library" >>"$work/brokers.jsonl"
}
# broker_ceiling NAME BROKER-PORT PORT CEILING-ARGS...: the same publish load against an
# outrigger-ceilings server for that broker (it answers on PORT), with its CPU and the broker's
# per request, as one JSON line in $work/ceilings.jsonl.
broker_ceiling() {
  local name=$1 broker_port=$2 port=$3 server ticks broker broker_ticks result
  shift 3
  $release/outrigger-ceilings "$@" &
  server=$!
  pids+=("$server")
  for _ in $(seq 1 200); do answers "$port" && break; sleep 0.05; done
  if ! answers "$port"; then
    echo "$name ceiling skipped: outrigger-ceilings $1 did not start" >&2
    kill "$server" 2>/dev/null || true
    return 0
  fi
  curl -s -o /dev/null -X POST --data-binary @"$work/single.json" "http://127.0.0.1:$port/v1.0/publish/pubsub/ceiling"
  broker=$(listener_pid "$broker_port")
  broker_ticks=0
  [ -n "$broker" ] && broker_ticks=$(cpu_ticks "$broker")
  ticks=$(cpu_ticks "$server")
  result=$(load "http://127.0.0.1:$port/v1.0/publish/pubsub/ceiling" "$work/single.json" application/json)
  result=$(cpu_per_request "$server" "$ticks" "$result" json)
  [ -n "$broker" ] && result=$(with_cpu_per_request "$result" broker_cpu_us "$broker_ticks" "$(cpu_ticks "$broker")")
  kill "$server"; wait "$server" 2>/dev/null || true
  python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "ceiling": json.loads(sys.argv[2]), "label": sys.argv[3]}))' \
    "$name" "$result" "$*" >>"$work/ceilings.jsonl"
}
: >"$work/brokers.jsonl"
: >"$work/ceilings.jsonl"
body_bytes=$(stat -c %s "$work/single.json")

# Redis Streams: redis-benchmark's XADD of a body as long as the published one, without quotes
# or commas (redis-benchmark's CSV output repeats the command unescaped).
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  body=$(python3 -c "import sys; print('x' * int(sys.argv[1]))" "$body_bytes")
  redis_xadd_rate() {
    redis-benchmark -h 127.0.0.1 -p 6379 -c "$CONNECTIONS" -n 200000 -q --csv XADD outrigger-bench-direct MAXLEN '~' 100000 '*' data "$body" \
      | tail -1 | python3 -c 'import csv,sys; print(next(csv.reader(sys.stdin))[1])'
  }
  redis_direct=$(baseline 6379 200000 redis_xadd_rate)
  redis-cli -h 127.0.0.1 -p 6379 del outrigger-bench-direct outrigger-bench-sidecar bench >/dev/null
  broker_section pubsub.redis 6379 18504 18934 bench/redis "$redis_direct" "redis-benchmark -c $CONNECTIONS XADD" no
  redis-cli -h 127.0.0.1 -p 6379 del outrigger-bench-direct outrigger-bench-sidecar bench >/dev/null
else
  echo "Redis section skipped: nothing answers on 127.0.0.1:6379 (make brokers-up)" >&2
fi

# RabbitMQ: a librabbitmq publisher with confirms and $CONNECTIONS publishes unconfirmed at
# most (wrk's in-flight publishes); mandatory publishes need a queue bound to the topic.
if answers 5672; then
  rabbit=$work/rabbitmq_confirm_baseline
  cc -O2 -o "$rabbit" bench/rabbitmq/confirm_baseline.c $(pkg-config --cflags --libs librabbitmq)
  rabbit_direct=$(baseline 5672 200000 "$rabbit" publish 127.0.0.1 5672 outrigger-bench-direct 200000 "$body_bytes" "$CONNECTIONS")
  "$rabbit" declare 127.0.0.1 5672 outrigger-bench-sidecar
  broker_section pubsub.rabbitmq 5672 18506 18936 bench/rabbitmq "$rabbit_direct" "librabbitmq publisher, confirms, $CONNECTIONS in flight" yes
  broker_ceiling pubsub.rabbitmq 5672 18807 nio-amqp 18807 5672 outrigger-bench-sidecar
  "$rabbit" delete 127.0.0.1 5672 outrigger-bench-sidecar
else
  echo "RabbitMQ section skipped: nothing answers on 127.0.0.1:5672 (make brokers-up)" >&2
fi

# Kafka (librdkafka's mock cluster of brokers.sh, or docker-compose's Kafka): a librdkafka
# producer with the component's settings, every message acknowledged by its delivery report.
# The target here is absolute: 20,000 acknowledged single-event publishes/s through the sidecar.
if answers 9092; then
  kafka=$work/kafka_producer_baseline
  cc -O2 -o "$kafka" bench/kafka/producer_baseline.c $(pkg-config --cflags --libs rdkafka)
  kafka_direct=$(baseline 9092 200000 "$kafka" 127.0.0.1:9092 "outrigger-bench-direct-$RANDOM" 200000 "$body_bytes")
  broker_section pubsub.kafka 9092 18510 18940 bench/kafka "$kafka_direct" "librdkafka producer, delivery reports" yes 20000
else
  echo "Kafka section skipped: nothing answers on 127.0.0.1:9092 (make brokers-up)" >&2
fi

# MQTT: a libmosquitto QoS 1 publisher with $CONNECTIONS publishes awaiting their PUBACK at most.
if answers 1883; then
  mqtt=$work/mqtt3_baseline
  cc -O2 -o "$mqtt" bench/mqtt3/baseline.c $(pkg-config --cflags --libs libmosquitto) -lpthread
  mqtt_direct=$(baseline 1883 200000 "$mqtt" -n 200000 -w "$CONNECTIONS" -b "$body_bytes")
  broker_section pubsub.mqtt3 1883 18512 18942 bench/mqtt3 "$mqtt_direct" "libmosquitto QoS 1 publisher, PUBACKs, $CONNECTIONS in flight" yes
else
  echo "MQTT section skipped: nothing answers on 127.0.0.1:1883 (make brokers-up)" >&2
fi

# NATS JetStream: a libnats publisher waiting for PubAcks, $CONNECTIONS in flight at most.
if answers 4222; then
  nats=$work/jetstream_baseline
  cc -O2 -o "$nats" bench/jetstream/baseline.c $(pkg-config --cflags --libs libnats)
  nats_direct=$(baseline 4222 200000 "$nats" -n 200000 -w "$CONNECTIONS" -b "$body_bytes")
  broker_section pubsub.jetstream 4222 18508 18938 bench/jetstream "$nats_direct" "libnats JetStream publisher, PubAcks, $CONNECTIONS in flight" yes
  "$nats" -d outrigger-bench
else
  echo "JetStream section skipped: nothing answers on 127.0.0.1:4222 (make brokers-up)" >&2
fi

python3 - "$nginx_result" "$publish_result" "$bulk_result" "$e2e_result" "$probe_result" "$memory_kb" "$startup" "$grpc_noop_results" "$grpc_sidecar_results" "$work/brokers.jsonl" "$traced_result" "$hummingbird_result" "$nio_result" "$nio_task_result" "$bulk256_result" "$bulk_micro" "$nio_loop_task_result" "$publish_cpu" "$relay_result" "$grpc_noop_h2" "$grpc_sidecar_h2" "$grpc_floor_h2" "$grpc_floor_load" "$startup_five" <<'PY'
import json, os, sys
nginx, publish, bulk, e2e = (json.loads(a) for a in sys.argv[1:5])
probe = json.loads(sys.argv[5]) if sys.argv[5] else None
memory, served_memory = ({k: v / 1024 for k, v in json.loads(line).items()} for line in sys.argv[6].splitlines())
startup_ms = float(sys.argv[7])
rate = lambda r: r["requests"] / r["seconds"]
print()
print(f"{'benchmark':44} {'req/s':>10} {'p50':>9} {'p99':>9} {'errors':>7}")
hummingbird, bare_nio, nio_task = json.loads(sys.argv[12]), json.loads(sys.argv[13]), json.loads(sys.argv[14])
bulk256 = json.loads(sys.argv[15])
nio_loop_task = json.loads(sys.argv[17])
for name, r in [("nginx 204 (baseline)", nginx), ("SwiftNIO HTTP/1.1 204 (ceiling)", bare_nio),
                ("SwiftNIO 204 from a pool task (ceiling)", nio_task),
                ("SwiftNIO 204 from a task on the loop (ceiling)", nio_loop_task),
                ("Hummingbird 204, same route (ceiling)", hummingbird), ("publish 1 KB -> in-memory", publish),
                ("bulk publish 100 x 1 KB -> in-memory", bulk), ("bulk publish 100 x 256 B -> in-memory", bulk256),
                ("publish while delivering to app", e2e)]:
    print(f"{name:44} {rate(r):10.0f} {r['p50_us']/1000:7.2f}ms {r['p99_us']/1000:7.2f}ms {r['errors']:7d}")
print()
print(f"single publish / nginx ratio:     {rate(publish)/rate(nginx):.2f}   (target >= 0.6)")
print(f"  ceilings / nginx:               SwiftNIO {rate(bare_nio)/rate(nginx):.2f}, + pool task hop {rate(nio_task)/rate(nginx):.2f}, + task on the loop {rate(nio_loop_task)/rate(nginx):.2f}, Hummingbird {rate(hummingbird)/rate(nginx):.2f}; publish / Hummingbird {rate(publish)/rate(hummingbird):.2f}")
print(f"  sidecar CPU per publish:        {float(sys.argv[18]):.1f} us (user + system time of the sidecar over the run / requests: steadier than req/s on a shared box);"
      f" bare SwiftNIO {bare_nio['cpu_us']:.1f} us, nginx {nginx['cpu_us']:.1f} us, wrk {publish['client_cpu_us']:.1f} us per request")
traced = json.loads(sys.argv[11])
print(f"publish with tracing on:          {rate(traced):,.0f} req/s, p99 {traced['p99_us']/1000:.2f} ms, {traced['errors']} errors; traced / untraced ratio {rate(traced)/rate(publish):.2f}")
print(f"                                  (samplingRate 1, every publish span exported over OTLP/HTTP to nginx; untraced = propagation only)")
print(f"bulk publish messages/s, 256 B:   {rate(bulk256)*100:,.0f}   (target >= 1,000,000; nobody subscribed: a discard after the envelopes are built)")
print(f"bulk publish messages/s, 1 KB:    {rate(bulk)*100:,.0f}")
print(f"  in process, 100 x 256 B:        {sys.argv[16]} (outrigger-microbench)")
e2e_rate = e2e['delivered'] / e2e['elapsed']
relay = json.loads(sys.argv[19])
relay_rate = relay['delivered'] / relay['elapsed']
print(f"end-to-end delivered/s:           {e2e_rate:,.0f}   ({e2e['delivered']} delivered of {e2e['requests']} published) = {e2e_rate / rate(nginx):.2f} x nginx (target >= 0.35)")
print(f"  SwiftNIO relay (ceiling):       {relay_rate:,.0f}   ({relay['delivered']} delivered of {relay['requests']} published) = {relay_rate / rate(nginx):.2f} x nginx; sidecar / relay {e2e_rate / relay_rate:.2f}")
print("                                  (the relay answers 204 and POSTs each body to nginx on the same event loop, 64 connections: no envelope, broker, routing or retries)")
if probe:
    print(f"publish->delivery, light load:    p50 {probe['p50_us']/1000:.2f} ms, p99 {probe['p99_us']/1000:.2f} ms over {probe['count']} events (Python app; target p99 <= 5 ms)")
print(f"idle RSS:                         {memory['rss']:.1f} MB   (target <= 15 MB); anonymous {memory['anon']:.1f} MB, Pss {memory['pss']:.1f} MB, private {memory['private']:.1f} MB")
print("                                  (3 s after healthy; RSS counts every shared-library page mapped; Pss splits shared pages among the processes mapping them; private pages are this process's alone)")
print(f"  idle after the publish loads:   {served_memory['rss']:.1f} MB; anonymous {served_memory['anon']:.1f} MB, Pss {served_memory['pss']:.1f} MB, private {served_memory['private']:.1f} MB")
print("                                  (the same sidecar 3 s after the single and bulk publish loads; an idle sidecar unmaps the code and constants a busy spell mapped, start-up's first)")
print(f"start to healthz 204:             {startup_ms:.1f} ms (median of 5, in-memory component alone)")
startup_five = sys.argv[24]
print(f"  with five components:           " + (f"{float(startup_five):.1f} ms (median of 5; in-memory, Redis, RabbitMQ, MQTT, Kafka; target <= 50 ms)" if startup_five != "skipped" else "skipped: Redis, RabbitMQ, MQTT and Kafka must all answer (make brokers-up)"))
grpc_noop_load, grpc_noop_saturate, grpc_noop_nio = (json.loads(line) for line in sys.argv[8].splitlines())
grpc_load, grpc_saturate, grpc_nio = (json.loads(line) for line in sys.argv[9].splitlines())
grpc_floor_nio = json.loads(sys.argv[23])
percentiles = lambda r: f"p50 {r['p50_us']/1000:.2f}, p90 {r['p90_us']/1000:.2f}, p99 {r['p99_us']/1000:.2f}, p99.9 {r['p999_us']/1000:.2f} ms"
print(f"gRPC PublishEvent, 1,000 QPS x16, open loop (latency from the scheduled send), SwiftNIO HTTP/2 client (nio-h2):")
print(f"  sidecar -> in-memory:           {percentiles(grpc_nio)}, {grpc_nio['errors']} errors (targets p50 <= 0.25, p99 <= 1)")
print(f"  no-op Swift gRPC server:        {percentiles(grpc_noop_nio)} (grpc-swift's ceiling)")
print(f"  bare SwiftNIO HTTP/2, no-op:    {percentiles(grpc_floor_nio)} (the floor: a round trip between two processes that sleep between calls)")
print(f"  sidecar - floor at p50:         {(grpc_nio['p50_us'] - grpc_floor_nio['p50_us'])/1000:+.2f} ms; client's send lag p99 {grpc_nio['send_lag_p99_us']/1000:.2f} ms")
print(f"gRPC PublishEvent, 1,000 QPS x16, open loop, grpc-swift 2 client:")
print(f"  sidecar -> in-memory:           {percentiles(grpc_load)}, {grpc_load['errors']} errors")
print(f"  no-op Swift gRPC server:        {percentiles(grpc_noop_load)} (ceiling; client's send lag p99 {grpc_noop_load['send_lag_p99_us']/1000:.2f} ms)")
grpc_noop_h2, grpc_sidecar_h2 = json.loads(sys.argv[20]), json.loads(sys.argv[21])
round_trip = lambda r: f"mean {r['mean_us']/1000:.2f} ms, sd {r['sd_us']/1000:.2f}, min {r['min_us']/1000:.2f} ms ({r['succeeded']:,} of 20,000 answered 200)"
print(f"gRPC PublishEvent one at a time, h2load (C client: the load generator's share as small as it gets):")
print(f"  sidecar -> in-memory:           {round_trip(grpc_sidecar_h2)}")
print(f"  no-op Swift gRPC server:        {round_trip(grpc_noop_h2)} (ceiling)")
print(f"  bare SwiftNIO HTTP/2, no-op:    {round_trip(json.loads(sys.argv[22]))} (the floor without grpc-swift)")
print(f"gRPC PublishEvent at saturation, 50 in flight x16 connections (closed loop):")
print(f"  sidecar -> in-memory:           {grpc_saturate['rate']:,.0f} req/s, {percentiles(grpc_saturate)}, {grpc_saturate['errors']} errors")
print(f"  no-op Swift gRPC server:        {grpc_noop_saturate['rate']:,.0f} req/s, {percentiles(grpc_noop_saturate)} (ceiling); sidecar / no-op {grpc_saturate['rate']/grpc_noop_saturate['rate']:.2f}")
ceilings = {entry["name"]: entry for entry in map(json.loads, open(os.path.join(os.path.dirname(sys.argv[10]), "ceilings.jsonl")))}
for line in open(sys.argv[10]):
    broker = json.loads(line)
    publish, e2e_broker = broker["publish"], broker["e2e"]
    print()
    print(f"{broker['name']}:")
    direct = broker["direct"]
    print(f"  baseline, {broker['label']}: {direct['rate']:,.0f} msgs/s")
    status, seconds = broker["first"].split()
    print(f"  first publish to a new topic:      {float(seconds)*1000:.1f} ms (HTTP {status}; the broker creates the topic)")
    print(f"  publish 1 KB through the sidecar:  {rate(publish):,.0f} req/s, p50 {publish['p50_us']/1000:.2f} ms, p99 {publish['p99_us']/1000:.2f} ms, {publish['errors']} errors; sidecar CPU {publish['cpu_us']:.1f} us per publish")
    if broker["target"]:
        print(f"  sidecar / baseline ratio:          {rate(publish)/direct['rate']:.2f}   (target: >= {broker['target']:,.0f} acknowledged publishes/s)")
    else:
        print(f"  sidecar / baseline ratio:          {rate(publish)/direct['rate']:.2f}   (target >= 0.8)")
    if publish.get("broker_cpu_us") is not None and direct["broker_cpu_us"] is not None:
        # Where the gap is: CPU per message of every process on the box, and the rate the
        # sidecar's run would reach with all cores busy if the sidecar cost only what a bare
        # SwiftNIO 204 costs (section 1), and that plus the C library's own work per message.
        wrk_us, sidecar_us, broker_us = publish["client_cpu_us"], publish["cpu_us"], publish["broker_cpu_us"]
        cores = os.cpu_count()
        project = lambda sidecar: cores * 1e6 / (wrk_us + broker_us + sidecar)
        print(f"  CPU per message (us):              baseline: client {direct['client_cpu_us']:.1f} + broker {direct['broker_cpu_us']:.1f};"
              f" through the sidecar: wrk {wrk_us:.1f} + sidecar {sidecar_us:.1f} + broker {broker_us:.1f}")
        floors = []
        for server, cost in [("a bare SwiftNIO 204", bare_nio["cpu_us"]), ("nginx's 204", nginx["cpu_us"])]:
            floors.append((f"{server} ({cost:.1f} us)", cost))
            if broker["same_library"]:
                floors.append((f"{server} + the library's own work ({cost + direct['client_cpu_us']:.1f} us)", cost + direct["client_cpu_us"]))
        print(f"  projected, {cores} cores busy:           sidecar as measured {project(sidecar_us):,.0f}/s; a sidecar costing")
        for label, cost in floors:
            print(f"    {label + ':':58} {project(cost):,.0f}/s = {project(cost) / direct['rate']:.2f} x baseline")
    if broker["name"] in ceilings:
        # The most a sidecar on SwiftNIO reaches against this broker here: HTTP in, the body
        # published on the event loop's own broker connection, answered on the broker's
        # acknowledgement; no envelope, no thread of its own (outrigger-ceilings).
        ceiling = ceilings[broker["name"]]["ceiling"]
        print(f"  ceiling, {ceilings[broker['name']]['label'].split()[0]} (same load):    {rate(ceiling):,.0f} req/s = {rate(ceiling)/direct['rate']:.2f} x baseline, {ceiling['errors']} errors;"
              f" its CPU {ceiling['cpu_us']:.1f} us" + (f" + broker {ceiling['broker_cpu_us']:.1f} us" if "broker_cpu_us" in ceiling else "") + " per publish")
        print(f"    (SwiftNIO: HTTP in, the 1 KB body published on its event loop's own connection, 204 on the broker's ack; no envelope,"
              f" no broker thread); sidecar / ceiling {rate(publish)/rate(ceiling):.2f}")
    bulk_broker = broker["bulk"]
    print(f"  bulk publish 100 x 1 KB:           {rate(bulk_broker)*100:,.0f} msgs/s, p50 {bulk_broker['p50_us']/1000:.2f} ms, p99 {bulk_broker['p99_us']/1000:.2f} ms per request, {bulk_broker['errors']} errors")
    print(f"  end to end delivered/s:            {e2e_broker['delivered']/e2e_broker['elapsed']:,.0f}   ({e2e_broker['delivered']} delivered of {e2e_broker['requests']} published, to nginx as the app)")
PY
