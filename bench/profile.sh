#!/usr/bin/env bash
# `make profile`: where the sidecar spends its time, as flame graphs (docs/perf/*.svg).
#
#   publish   single 1 KB publishes into pubsub.in-memory, nobody subscribed (wrk, as make bench)
#   delivery  the same publishes while the in-memory broker delivers each to nginx as the app
#   grpc-publish  gRPC PublishEvent calls, 1 KB, into pubsub.in-memory (h2load: 16 connections,
#             8 calls in flight on each)
#   rabbitmq-publish  single 1 KB publishes into pubsub.rabbitmq with publisher confirms (as
#             make bench; needs the rabbitmq-server of conformance/brokers.sh)
#
# perf samples the sidecar's threads (cpu-clock, 499 Hz, frame-pointer stacks) for 8 s under
# load; `swift demangle` names the Swift frames; bench/flamegraph.py draws them.
#   PROFILE_NAME=before BIN=/path/to/older/outrigger bench/profile.sh   profiles another build
#   bench/profile.sh grpc-publish                                      profiles the paths named only
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
# shellcheck source=bench/common.sh
source bench/common.sh

NAME=${PROFILE_NAME:-after}
if [ -z "${BIN:-}" ]; then
  scripts/release-build.sh outrigger
  BIN=.build/packed/release/outrigger
fi
python3 bench/make_bodies.py "$work"
mkdir -p docs/perf

start_sidecar() {  # resources-folder app-port-arguments... -> sets $sidecar, healthy
  "$BIN" run -a profile -H 18600 -G 18601 -M 0 -d "$@" --log-level error >/dev/null &
  sidecar=$!
  pids+=("$sidecar")
  wait_healthy 18600
}

# Samples the sidecar for 8 s, 2 s into the load CLIENT-PID makes; waits for the client to end
# and stops the sidecar.
sample() {  # name client-pid
  sleep 2
  perf record -F 499 -g -p "$sidecar" -o "$work/$1.data" -- sleep 8 2>/dev/null
  wait "$2"
  kill "$sidecar"; wait "$sidecar" 2>/dev/null || true
}

draw() {  # name title -> docs/perf/NAME-$NAME.svg
  perf script -i "$work/$1.data" 2>/dev/null | swift demangle --simplified \
    | python3 bench/flamegraph.py "$2" >"docs/perf/$1-$NAME.svg"
  echo "docs/perf/$1-$NAME.svg"
}

profile() {  # path-name topic resources-folder app-port-arguments...
  local name=$1 topic=$2 sidecar rate
  shift 2
  start_sidecar "$@"
  DURATION=12s load "http://127.0.0.1:18600/v1.0/publish/pubsub/$topic" "$work/single.json" application/json >"$work/$name.wrk" &
  sample "$name" $!
  rate=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(round(r["requests"] / r["seconds"]))' "$work/$name.wrk")
  draw "$name" "outrigger, $name path ($NAME build): $rate req/s under wrk -t2 -c50, 1 KB"
}

# The same for gRPC PublishEvent, from h2load (nghttp2's C client).
profile_grpc() {
  local name=grpc-publish sidecar rate
  start_sidecar bench/components
  h2load -D 12 -c 16 -m 8 -d "$work/publish.grpc" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:18601/dapr.proto.runtime.v1.Dapr/PublishEvent" >"$work/$name.h2load" &
  sample "$name" $!
  rate=$(sed -n 's/^finished in [^,]*, \([0-9]*\)\.[0-9]* req\/s.*/\1/p' "$work/$name.h2load")
  draw "$name" "outrigger, gRPC PublishEvent path ($NAME build): $rate calls/s under h2load -c16 -m8, 1 KB"
}

paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(publish delivery grpc-publish)
for path in "${paths[@]}"; do
  case $path in
    publish) profile publish bench bench/components ;;
    delivery) profile delivery bench bench/e2e -p "$NGINX_PORT" ;;
    grpc-publish) profile_grpc ;;
    rabbitmq-publish)
      # Mandatory publishes need a queue bound to the topic's exchange.
      cc -O2 -o "$work/rabbit" bench/rabbitmq/confirm_baseline.c $(pkg-config --cflags --libs librabbitmq)
      "$work/rabbit" declare 127.0.0.1 5672 outrigger-bench-sidecar
      profile rabbitmq-publish outrigger-bench-sidecar bench/rabbitmq
      "$work/rabbit" delete 127.0.0.1 5672 outrigger-bench-sidecar ;;
    *) echo "unknown path $path (publish, delivery, grpc-publish, rabbitmq-publish)" >&2; exit 2 ;;
  esac
done
