# bench/common.sh: what make bench and make profile share: wrk's settings, a work folder
# removed at exit with every process listed in `pids`, nginx on $NGINX_PORT (204 to everything,
# the app and the OTLP receiver of the benchmarks), and the wrk and health-check helpers.
# Sourced, not run.

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
NGINX_PORT=18080
work=$(mktemp -d /tmp/outrigger-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work;
  proxy_temp_path $work;
  fastcgi_temp_path $work;
  uwsgi_temp_path $work;
  scgi_temp_path $work;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    client_max_body_size 16m;
    location = /dapr/subscribe { return 404; }
    # OTLP/HTTP receiver for the tracing section: an empty ExportTraceServiceResponse.
    location = /v1/traces { default_type application/x-protobuf; return 200 ""; }
    location / { return 204; }
  }
}
NGINX
nginx -c "$work/nginx.conf"

answers() {  # port -> success when something accepts a TCP connection on 127.0.0.1:port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_healthy() {  # port
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v1.0/healthz")" = 204 ] && return 0
    sleep 0.05
  done
  echo "sidecar on port $1 did not become healthy" >&2
  return 1
}

# Runs a command with its output to file $1 -> the user + system CPU seconds it used, its
# children's included (bash's `time`).
cpu_seconds_of() {  # output-file command...
  local TIMEFORMAT='%U %S' out=$1 times
  shift
  times=$( { time "$@" >"$out" 2>/dev/null; } 2>&1 )
  python3 -c 'import sys; print(float(sys.argv[1]) + float(sys.argv[2]))' $times
}

load() {  # url body-file content-type -> RESULT json, with wrk's own CPU per request ("client_cpu_us")
  local out cpu
  out=$(mktemp "$work/wrk.XXXXXX")
  cpu=$(cpu_seconds_of "$out" env BODY_FILE="$2" CONTENT_TYPE="$3" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/wrk-post.lua "$1")
  python3 -c 'import json, sys
r = json.loads(sys.argv[1]); r["client_cpu_us"] = float(sys.argv[2]) * 1e6 / max(r["requests"], 1); print(json.dumps(r))' \
    "$(sed -n 's/^RESULT //p' "$out")" "$cpu"
  rm -f "$out"
}

cpu_ticks() {  # pid -> user + system clock ticks the process has used
  awk '{print $14 + $15}' "/proc/$1/stat"
}

listener_pid() {  # port -> pid of the process listening on it; empty when not visible (a container's)
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

# RESULT-json field ticks-before ticks-after -> the RESULT json with `field` added: the clock
# ticks between the two counts, as CPU microseconds per request.
with_cpu_per_request() {
  python3 -c 'import json, os, sys
r = json.loads(sys.argv[1])
r[sys.argv[2]] = (int(sys.argv[4]) - int(sys.argv[3])) * 1e6 / os.sysconf("SC_CLK_TCK") / max(r["requests"], 1)
print(json.dumps(r))' "$@"
}

# pid ticks-before RESULT-json [json] -> sidecar CPU microseconds per request since ticks-before;
# with "json", the RESULT json with a "cpu_us" field added instead.
cpu_per_request() {
  local result
  result=$(with_cpu_per_request "$3" cpu_us "$2" "$(cpu_ticks "$1")")
  if [ -n "${4:-}" ]; then echo "$result"; else python3 -c 'import json, sys; print("%.1f" % json.loads(sys.argv[1])["cpu_us"])' "$result"; fi
}

