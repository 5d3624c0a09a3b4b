#!/usr/bin/env bash
# Writes scripts/startup-order.txt: the functions the sidecar runs, one symbol per line, in the
# order the release link places them at the front of the code (Package.swift,
# sidecarLinkerSettings), so the pages resident are the pages used, not every page a scattered
# function shares.
#
# The functions come from a run of the release binary under valgrind's callgrind (every function
# executed, not a sample), kept when the binary defines them, in three groups: first what runs
# once start-up is over (serving the HTTP and gRPC APIs, publishing, bulk, a delivery, metadata,
# the idle timers), then what only start-up runs, then what only shutdown runs. An idle sidecar
# unmaps start-up's pages (Sources/OutriggerRuntime/IdlePageRelease.swift), and serving maps
# back pages of the first group alone. Names that later vanish from the code are ignored by the
# linker; new hot functions land outside the front until the next run, so rerun this
# (`make startup-order`) after large changes. Usage: scripts/startup-order.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

scripts/release-build.sh outrigger outrigger-grpc-load
release=.build/packed/release
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# valgrind 3.19 (Debian 12) cannot read the DWARF 5 the toolchain writes: profile a copy without it.
objcopy --strip-debug "$release/outrigger" "$work/outrigger"
http=18610 grpc=18611 app=18612

# The app: answers the subscription query and every delivery with 200.
python3 - "$app" > /dev/null 2>&1 <<'PY' &
import http.server, json, sys
class App(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps([{"pubsubname": "pubsub", "topic": "orders", "route": "/orders"}]).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), App).serve_forever()
PY
pids+=($!)

# Counters are dumped (callgrind_control -d) when start-up is over and after the load: callgrind.out.1
# holds start-up, .2 serving, and the file without a number what ran from there to the exit.
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --demangle=no --compress-strings=no \
  --compress-pos=no --dump-instr=no "$work/outrigger" run -a order -H "$http" -G "$grpc" -M 0 -p "$app" \
  -d bench/components --log-level error > "$work/valgrind.log" 2>&1 &
sidecar=$!
pids+=($sidecar)

for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$http/v1.0/healthz" && break
  sleep 0.2
done
sleep 3
callgrind_control -d "$sidecar" > /dev/null
body='{"orderId": 1, "note": "startup order"}'
for _ in $(seq 20); do
  curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$http/v1.0/publish/pubsub/orders"
done
curl -sf -o /dev/null -H 'Content-Type: application/json' \
  -d "[{\"entryId\": \"1\", \"event\": $body, \"contentType\": \"application/json\"}]" \
  "http://127.0.0.1:$http/v1.0-alpha1/publish/bulk/pubsub/orders"
curl -sf -o /dev/null "http://127.0.0.1:$http/v1.0/metadata"
"$release/outrigger-grpc-load" load "$grpc" --qps 50 --connections 2 --seconds 1 > /dev/null
sleep 3
callgrind_control -d "$sidecar" > /dev/null
kill -TERM "$sidecar"
wait "$sidecar" || true

nm --defined-only "$release/outrigger" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort -u > "$work/defined"
functions() {  # callgrind output -> the functions it names that the binary defines, sorted
  grep -E '^c?fn=' "$1" | sed -E "s/^c?fn=(\([0-9]+\) )?//; s/'[0-9]+$//" | sort -u | comm -12 - "$work/defined"
}
functions "$work/callgrind.out.2" > "$work/serving"
functions "$work/callgrind.out.1" | comm -23 - "$work/serving" > "$work/startup"
functions "$work/callgrind.out" | comm -23 - "$work/serving" | comm -23 - "$work/startup" > "$work/shutdown"
cat "$work/serving" "$work/startup" "$work/shutdown" > scripts/startup-order.txt
echo "serving $(wc -l < "$work/serving"), start-up only $(wc -l < "$work/startup"), shutdown only $(wc -l < "$work/shutdown")"
echo "scripts/startup-order.txt: $(wc -l < scripts/startup-order.txt) functions"
