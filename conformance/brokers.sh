#!/usr/bin/env bash
# shellcheck disable=SC2016 # the bash -c scripts below expand their own positional parameters
# conformance/brokers.sh: run the real message brokers the conformance suite
# talks to, natively (no Docker), on the same loopback ports as
# docker-compose.yml.
#
#   conformance/brokers.sh up     [NAME...]   install (if needed) and start
#   conformance/brokers.sh down   [NAME...]   stop what `up` started
#   conformance/brokers.sh status [NAME...]   one line per broker
#
# NAME is one of: redis rabbitmq mosquitto nats postgres kafka http-echo smtp
# (default: all).
# See conformance/README.md for ports, credentials, environment variables and
# exit codes, and docs/brokers.md for what was measured on Debian 12.
set -euo pipefail

readonly ALL_BROKERS=(redis rabbitmq mosquitto nats postgres kafka http-echo smtp)

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO

STATE=${OUTRIGGER_BROKERS_DIR:-$REPO/.brokers}
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
readonly STATE

readonly HOST=127.0.0.1
readonly PGBIN=/usr/lib/postgresql/15/bin
readonly PG_PASSWORD=example
readonly PG_DATABASE=dapr_test
readonly NATS_MONITOR_PORT=8222
readonly EPMD_PORT=4369
readonly RABBITMQ_NODE=rabbit@localhost
readonly RABBITMQ_MANAGEMENT_PORT=15672
# redis also listens with TLS here, with a self-signed certificate for
# localhost and 127.0.0.1 in $REDIS_TLS_DIR (tests trust its cert.pem). The folder is fixed per
# port, not per checkout, so tests find the certificate of a server another checkout started.
readonly REDIS_TLS_PORT=6380
readonly REDIS_TLS_DIR=${OUTRIGGER_REDIS_TLS_DIR:-/tmp/outrigger-redis-tls-$REDIS_TLS_PORT}

declare -Ar PORT=(
    [redis]=6379 [rabbitmq]=5672 [mosquitto]=1883
    [nats]=4222 [postgres]=5432 [kafka]=9092
    [http-echo]=8091 [smtp]=2525
)
# Debian 12 packages each broker needs to run (SERVER_PKGS) and the command
# line clients the tests use (CLIENT_PKGS; a missing client is only a warning).
declare -Ar SERVER_PKGS=(
    [redis]="redis-server openssl"
    [rabbitmq]="rabbitmq-server"
    [mosquitto]="mosquitto"
    [nats]="nats-server"
    [postgres]="postgresql-15 postgresql-client-15"
    [kafka]="librdkafka-dev gcc libc6-dev pkg-config"
    [http-echo]="python3"
    [smtp]="python3-aiosmtpd"
)
declare -Ar CLIENT_PKGS=(
    [redis]="redis-tools"
    [rabbitmq]=""
    [mosquitto]="mosquitto-clients"
    [nats]=""
    [postgres]=""
    [kafka]="kcat"
    [http-echo]=""
    [smtp]=""
)
# Seconds a start may take before it is reported as FAILED.
declare -A START_TIMEOUT=(
    [redis]=15 [rabbitmq]=60 [mosquitto]=15
    [nats]=20 [postgres]=60 [kafka]=30
    [http-echo]=15 [smtp]=15
)
if [[ -n ${OUTRIGGER_BROKERS_TIMEOUT:-} ]]; then
    if [[ ! $OUTRIGGER_BROKERS_TIMEOUT =~ ^[1-9][0-9]*$ ]]; then
        echo "brokers.sh: OUTRIGGER_BROKERS_TIMEOUT must be a number of seconds" >&2
        exit 2
    fi
    for b in "${ALL_BROKERS[@]}"; do START_TIMEOUT[$b]=$OUTRIGGER_BROKERS_TIMEOUT; done
fi
readonly STOP_TIMEOUT=30

# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

die() { echo "brokers.sh: $*" >&2; exit 2; }
warn() { echo "brokers.sh: $*" >&2; }

is_root() { [[ $EUID -eq 0 ]]; }

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# "1234" ms -> "1.2 s"
fmt_ms() { printf '%d.%d s' $(($1 / 1000)) $(($1 % 1000 / 100)); }

user_exists() { id -u "$1" >/dev/null 2>&1; }

# Run "$@" as OS user $1 (when we are root and the user exists), with a clean
# environment given as NAME=VALUE words before the command.
as_user() {
    local user=$1
    shift
    if is_root && [[ $user != root ]] && user_exists "$user"; then
        setpriv --reuid="$user" --regid="$user" --init-groups -- env -i "$@"
    else
        env -i "$@"
    fi
}

# The OS user a server that refuses root runs as.
service_user() {
    if is_root && user_exists "$1"; then echo "$1"; else id -un; fi
}

readonly BASE_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                   LANG=C.UTF-8 LC_ALL=C.UTF-8)

# TCP connect to $HOST:$1 within 2 seconds.
port_open() {
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

pidfile() { echo "$STATE/$1/$1.pid"; }
logfile() { echo "$STATE/$1/$1.log"; }

# Prints "STATE STARTTIME" of a live process, fails if there is none.
proc_info() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    read -r -a fields <<<"$stat"
    [[ ${fields[0]} != Z && ${fields[0]} != X ]] || return 1
    echo "${fields[0]} ${fields[19]}"
}

# Pid recorded by `up` for $1 if that very process is still alive (the start
# time stored next to the pid guards against pid reuse).
managed_pid() {
    local file pid start info
    file=$(pidfile "$1")
    [[ -f $file ]] || return 1
    read -r pid start <"$file" || true
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    info=$(proc_info "$pid") || return 1
    [[ ${info#* } == "$start" ]] || return 1
    echo "$pid"
}

# spawn NAME USER [NAME=VALUE...] COMMAND...: start a server as OS user USER
# in a session of its own (so it outlives this shell and `down` can signal its
# process group), with only the given environment, logging to NAME.log, and
# record "PID STARTTIME" in NAME.pid.
spawn() {
    local name=$1 user=$2 pid info
    shift 2
    local -a pre=()
    if is_root && [[ $user != root ]] && user_exists "$user"; then
        pre=(setpriv --reuid="$user" --regid="$user" --init-groups --)
    fi
    # The subshell is not a process group leader (no job control here), so
    # setsid(1) calls setsid() and execs without forking: $! is the server.
    (
        exec 9>&- # the state dir lock must not outlive this script
        cd "$STATE/$name"
        exec setsid ${pre[@]+"${pre[@]}"} env -i "$@"
    ) </dev/null >>"$(logfile "$name")" 2>&1 &
    pid=$!
    info=$(proc_info "$pid") || info="? 0"
    echo "$pid ${info#* }" >"$(pidfile "$name")"
}

log_tail() {
    local f
    for f in "$@"; do
        [[ -s $f ]] || continue
        echo "    --- last lines of $f"
        tail -n 15 -- "$f" | sed 's/^/    /'
    done
}

broker_logs() {
    case $1 in
        rabbitmq) echo "$(logfile rabbitmq)" "$STATE/rabbitmq/log/$RABBITMQ_NODE.log" ;;
        *) logfile "$1" ;;
    esac
}

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------

declare -A UNAVAILABLE=()   # broker -> why it cannot run here (SKIP, not FAIL)
declare -A PREP_FAILED=()   # broker -> why it could not be prepared

pkg_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

pkg_candidate() {
    local c
    c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')
    [[ -n $c && $c != "(none)" ]]
}

POLICY_RC_CREATED=
cleanup() {
    if [[ -n $POLICY_RC_CREATED ]]; then rm -f -- "$POLICY_RC_CREATED"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_packages() {
    local -a want=() missing=() installable=()
    local -A no_candidate=()
    local b pkg sudo=()

    for b in "$@"; do
        # shellcheck disable=SC2206 # word lists
        want+=(${SERVER_PKGS[$b]} ${CLIENT_PKGS[$b]})
    done
    for pkg in "${want[@]}"; do
        pkg_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0

    local reason=
    if [[ ${OUTRIGGER_BROKERS_NO_INSTALL:-0} == 1 ]]; then
        reason="not installed and OUTRIGGER_BROKERS_NO_INSTALL=1"
    elif ! command -v apt-get >/dev/null; then
        reason="not installed and apt-get is not available"
    elif ! is_root; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            reason="not installed; run as root (or with passwordless sudo) to install"
        fi
    fi

    if [[ -z $reason ]]; then
        echo "brokers.sh: missing Debian packages: ${missing[*]} (installing)"
        if ! "${sudo[@]}" apt-get update -qq -o DPkg::Lock::Timeout=120 >/dev/null; then
            warn "apt-get update failed; trying with the package lists already present"
        fi
        for pkg in "${missing[@]}"; do
            if pkg_candidate "$pkg"; then
                installable+=("$pkg")
            else
                no_candidate[$pkg]=1
            fi
        done
        if [[ ${#installable[@]} -gt 0 ]]; then
            # Installing a server package must not start a system-wide copy of
            # it on our ports (on a systemd machine it would): forbid service
            # starts for the duration of the install unless a policy exists.
            if is_root && [[ ! -e /usr/sbin/policy-rc.d ]]; then
                printf '#!/bin/sh\n# temporary, created by outrigger conformance/brokers.sh\nexit 101\n' \
                    >/usr/sbin/policy-rc.d
                chmod 755 /usr/sbin/policy-rc.d
                POLICY_RC_CREATED=/usr/sbin/policy-rc.d
            fi
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends \
                -o DPkg::Lock::Timeout=120 "${installable[@]}" >/dev/null ||
                warn "apt-get install ${installable[*]} failed"
            cleanup
            POLICY_RC_CREATED=
        fi
    fi

    for b in "$@"; do
        for pkg in ${SERVER_PKGS[$b]}; do
            pkg_installed "$pkg" && continue
            if [[ -n $reason ]]; then
                UNAVAILABLE[$b]="package $pkg $reason"
            elif [[ -n ${no_candidate[$pkg]:-} ]]; then
                UNAVAILABLE[$b]="Debian package $pkg is not available from the configured apt sources"
            else
                PREP_FAILED[$b]="installing Debian package $pkg failed"
            fi
            break
        done
        for pkg in ${CLIENT_PKGS[$b]}; do
            pkg_installed "$pkg" || warn "$b: client package $pkg is not installed (tests using it will fail)"
        done
    done
}

# ---------------------------------------------------------------------------
# health probes: succeed only if the server on the port really answers
# ---------------------------------------------------------------------------

probe_redis() {
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1"
        printf "PING\r\n" >&3
        IFS= read -r line <&3
        [[ $line == "+PONG"* ]]' "$HOST" "${PORT[redis]}" 2>/dev/null
}

# AMQP 0-9-1 protocol header; the broker answers with a method frame
# (type 1, Connection.Start) once it accepts clients.
probe_rabbitmq() {
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1"
        printf "AMQP\x00\x00\x09\x01" >&3
        b=$(head -c 1 <&3 | od -An -tu1)
        [[ ${b// /} == 1 ]]' "$HOST" "${PORT[rabbitmq]}" 2>/dev/null
}

# MQTT 3.1.1 CONNECT (clean session, empty client id, no credentials); a
# broker allowing anonymous clients answers CONNACK 20 02 00 00.
probe_mosquitto() {
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1"
        printf "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00" >&3
        r=$(head -c 4 <&3 | od -An -tx1)
        printf "\xe0\x00" >&3
        [[ ${r// /} == 20020000 ]]' "$HOST" "${PORT[mosquitto]}" 2>/dev/null
}

# Prints the response to GET PATH on $HOST:PORT (HTTP/1.0, 3 s at most).
http_get() { # PORT PATH
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1"
        printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3
        cat <&3' "$HOST" "$1" "$2" 2>/dev/null
}

# Healthy, and JetStream enabled: nats-server 2.9's /healthz answers 200
# even without JetStream (js-enabled-only is ignored), so /jsz is checked too.
probe_nats() {
    local health jsz
    health=$(http_get "$NATS_MONITOR_PORT" "/healthz?js-enabled-only=true") || return 1
    [[ $health == "HTTP/1."[01]" 200"* ]] || return 1
    jsz=$(http_get "$NATS_MONITOR_PORT" /jsz) || return 1
    [[ $jsz == "HTTP/1."[01]" 200"* && $jsz == *'"config"'* && $jsz != *'"disabled": true'* ]] || return 1
    port_open "${PORT[nats]}"
}

pg_ready() {
    [[ -x $PGBIN/pg_isready ]] &&
        "$PGBIN/pg_isready" -q -h "$HOST" -p "${PORT[postgres]}" -t 3 >/dev/null 2>&1
}

pg_sql() { # SQL [DATABASE]
    env PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 \
        timeout 10 "$PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 \
        -h "$HOST" -p "${PORT[postgres]}" -U postgres -d "${2:-postgres}" -c "$1"
}

# Ready, password login works and the test database exists.
probe_postgres() {
    pg_ready && [[ $(pg_sql "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" 2>/dev/null) == 1 ]]
}

# Create the test database if the server accepts our credentials but lacks it.
ensure_pg_database() {
    local out
    out=$(pg_sql "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" 2>&1) || {
        echo "cannot log in as postgres/$PG_PASSWORD: $out"
        return 1
    }
    [[ $out == 1 ]] && return 0
    out=$(pg_sql "CREATE DATABASE $PG_DATABASE" 2>&1) || {
        echo "CREATE DATABASE $PG_DATABASE failed: $out"
        return 1
    }
}

# Kafka ApiVersions v0 request (correlation id 1); expects a response with
# the same correlation id and error code 0.
probe_kafka() {
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1"
        printf "\x00\x00\x00\x11\x00\x12\x00\x00\x00\x00\x00\x01\x00\x07brokers" >&3
        r=$(head -c 10 <&3 | od -An -tx1)
        r=${r//[[:space:]]/}
        [[ ${r:8:12} == 000000010000 ]]' "$HOST" "${PORT[kafka]}" 2>/dev/null
}

# The bindings.http echo server (conformance/http-echo/server.py) answers
# /healthz with 200 "ok".
probe_http-echo() {
    local reply
    reply=$(http_get "${PORT[http-echo]}" /healthz) || return 1
    [[ $reply == "HTTP/1."[01]" 200"* && $reply == *ok ]]
}

# The SMTP sink (conformance/smtp-sink/server.py) greets with 220; QUIT ends
# the session politely.
probe_smtp() {
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/$0/$1"
        IFS= read -r line <&3
        printf "QUIT\r\n" >&3
        [[ $line == "220 "* ]]' "$HOST" "${PORT[smtp]}" 2>/dev/null
}

probe() { "probe_$1"; }

# ---------------------------------------------------------------------------
# launching (each returns quickly; readiness is awaited afterwards)
# ---------------------------------------------------------------------------

# launch_NAME prints an error and fails if the server could not be launched.

# The certificate of the TLS listener: made once (valid ten years), kept
# across runs so that a test may trust it.
redis_tls_certificate() {
    local tls=$1
    [[ -s $tls/cert.pem && -s $tls/key.pem ]] && return 0
    mkdir -p "$tls"
    if ! openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:$HOST" \
        -keyout "$tls/key.pem" -out "$tls/cert.pem" >>"$(logfile redis)" 2>&1; then
        echo "openssl could not make the TLS certificate in $tls"
        return 1
    fi
}

launch_redis() {
    local dir=$STATE/redis
    mkdir -p "$dir/data"
    redis_tls_certificate "$REDIS_TLS_DIR" || return 1
    spawn redis root "${BASE_ENV[@]}" HOME="$dir" \
        redis-server --bind "$HOST" --port "${PORT[redis]}" --protected-mode yes \
        --tls-port "$REDIS_TLS_PORT" --tls-cert-file "$REDIS_TLS_DIR/cert.pem" \
        --tls-key-file "$REDIS_TLS_DIR/key.pem" --tls-auth-clients no \
        --daemonize no --supervised no --dir "$dir/data" --logfile "" \
        --save "" --appendonly no
}

launch_rabbitmq() {
    local dir=$STATE/rabbitmq user home
    user=$(service_user rabbitmq)
    mkdir -p "$dir/mnesia" "$dir/log"
    cat >"$dir/rabbitmq.conf" <<EOF
# generated by conformance/brokers.sh
listeners.tcp.default = $HOST:${PORT[rabbitmq]}
loopback_users.guest = true
management.tcp.ip = $HOST
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
log.file.level = info
EOF
    if [[ ${OUTRIGGER_RABBITMQ_MANAGEMENT:-0} == 1 ]]; then
        echo '[rabbitmq_management].' >"$dir/enabled_plugins"
    else
        echo '[].' >"$dir/enabled_plugins"
    fi
    : >"$dir/rabbitmq-env.conf"
    if [[ $user == rabbitmq ]]; then
        chown -R rabbitmq:rabbitmq "$dir"
        home=$(getent passwd rabbitmq | cut -d: -f6)
        home=${home:-/var/lib/rabbitmq}
    else
        home=$dir
    fi
    check_reachable rabbitmq "$user" "$dir" || return 1

    # Erlang's port mapper: start our own (loopback only) unless one runs.
    if ! port_open "$EPMD_PORT" && ! managed_pid epmd >/dev/null; then
        mkdir -p "$STATE/epmd"
        [[ $user == rabbitmq ]] && chown rabbitmq:rabbitmq "$STATE/epmd"
        spawn epmd "$user" "${BASE_ENV[@]}" HOME="$home" ERL_EPMD_ADDRESS="$HOST" \
            epmd -address "$HOST" -port "$EPMD_PORT"
        local deadline=$(($(now_ms) + 5000))
        until port_open "$EPMD_PORT"; do
            if (($(now_ms) > deadline)) || ! managed_pid epmd >/dev/null; then
                echo "epmd did not start on $HOST:$EPMD_PORT"
                log_tail "$(logfile epmd)"
                return 1
            fi
            sleep 0.1
        done
    fi

    spawn rabbitmq "$user" "${BASE_ENV[@]}" HOME="$home" \
        RABBITMQ_NODENAME="$RABBITMQ_NODE" \
        RABBITMQ_NODE_IP_ADDRESS="$HOST" \
        RABBITMQ_NODE_PORT="${PORT[rabbitmq]}" \
        RABBITMQ_DIST_PORT=25672 \
        ERL_EPMD_ADDRESS="$HOST" \
        ERL_EPMD_PORT="$EPMD_PORT" \
        RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" \
        RABBITMQ_LOG_BASE="$dir/log" \
        RABBITMQ_PID_FILE="$dir/mnesia/rabbit.pid" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
        /usr/lib/rabbitmq/bin/rabbitmq-server
}

launch_mosquitto() {
    local dir=$STATE/mosquitto
    mkdir -p "$dir"
    {
        echo "# generated by conformance/brokers.sh"
        echo "per_listener_settings false"
        echo "listener ${PORT[mosquitto]} $HOST"
        echo "allow_anonymous true"
        echo "persistence false"
        echo "log_dest stderr"
        echo "log_type error"
        echo "log_type warning"
        echo "log_type notice"
        echo "log_type information"
        echo "log_timestamp true"
        echo "log_timestamp_format %Y-%m-%dT%H:%M:%S"
        # mosquitto drops root privileges to this user after binding.
        if is_root && user_exists mosquitto; then echo "user mosquitto"; fi
    } >"$dir/mosquitto.conf"
    spawn mosquitto root "${BASE_ENV[@]}" HOME="$dir" mosquitto -c "$dir/mosquitto.conf"
}

launch_nats() {
    local dir=$STATE/nats
    mkdir -p "$dir"
    spawn nats root "${BASE_ENV[@]}" HOME="$dir" \
        nats-server --addr "$HOST" --port "${PORT[nats]}" \
        --http_port "$NATS_MONITOR_PORT" --server_name outrigger-nats \
        --jetstream --store_dir "$dir" # JetStream keeps its data in $dir/jetstream
}

# Fails (with a message) if OS user $2 cannot write $3, e.g. because the state
# dir lives under a folder like /root that other users cannot traverse.
check_reachable() {
    local name=$1 user=$2 dir=$3
    if ! as_user "$user" "${BASE_ENV[@]}" test -w "$dir" -a -x "$dir"; then
        echo "user $user cannot write $dir; put the state dir somewhere every user can reach," \
            "e.g. OUTRIGGER_BROKERS_DIR=/var/tmp/outrigger-brokers ($name refuses to run as root)"
        return 1
    fi
}

launch_postgres() {
    local dir=$STATE/postgres user
    user=$(service_user postgres)
    mkdir -p "$dir"
    [[ -x $PGBIN/postgres ]] || { echo "$PGBIN/postgres not found"; return 1; }
    chown "$user:" "$dir"
    check_reachable postgres "$user" "$dir" || return 1
    if [[ ! -f $dir/data/PG_VERSION ]]; then
        rm -rf -- "$dir/data"
        install -d -m 700 -o "$user" -g "$(id -gn "$user")" "$dir/data"
        printf '%s\n' "$PG_PASSWORD" >"$dir/pwfile"
        chown "$user:" "$dir/pwfile"
        chmod 600 "$dir/pwfile"
        if ! as_user "$user" "${BASE_ENV[@]}" timeout 120 \
            "$PGBIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
            >>"$(logfile postgres)" 2>&1; then
            rm -f -- "$dir/pwfile"
            rm -rf -- "$dir/data"
            echo "initdb failed"
            return 1
        fi
        rm -f -- "$dir/pwfile"
    fi
    # Test settings: TCP on loopback only (no unix socket to collide with a
    # system cluster), and no fsync (the data is disposable).
    spawn postgres "$user" "${BASE_ENV[@]}" HOME="$dir" \
        "$PGBIN/postgres" -D "$dir/data" \
        -c listen_addresses="$HOST" -c port="${PORT[postgres]}" \
        -c unix_socket_directories= -c logging_collector=off \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=200
}

launch_kafka() {
    local dir=$STATE/kafka src=$SCRIPT_DIR/kafka-mock
    local bin=$STATE/kafka/kafka-mock
    mkdir -p "$dir"
    if [[ ! -x $bin || $src/kafka_mock.c -nt $bin || $src/build.sh -nt $bin ]]; then
        if ! timeout 120 "$src/build.sh" "$bin" >>"$(logfile kafka)" 2>&1; then
            echo "compiling $src/kafka_mock.c failed"
            return 1
        fi
    fi
    local -a topics=()
    # shellcheck disable=SC2206 # space separated list of TOPIC[:PARTITIONS]
    topics=(${OUTRIGGER_KAFKA_TOPICS:-})
    rm -f -- "$dir/bootstrap"
    spawn kafka root "${BASE_ENV[@]}" HOME="$dir" \
        "$bin" -p "${PORT[kafka]}" -f "$dir/bootstrap" ${topics[@]+"${topics[@]}"}
}

# Both are Python scripts in this folder; /usr/bin/python3 is Debian's, the
# one python3-aiosmtpd installs into.
launch_http-echo() {
    local dir=$STATE/http-echo
    mkdir -p "$dir"
    spawn http-echo root "${BASE_ENV[@]}" HOME="$dir" \
        /usr/bin/python3 "$SCRIPT_DIR/http-echo/server.py" "${PORT[http-echo]}" "$HOST"
}

# The mail folder is fixed per port, not per checkout, so a test finds the mail of a sink
# another checkout's brokers.sh started (`up` leaves a sink that answers alone).
SMTP_MAIL_DIR=${OUTRIGGER_SMTP_MAIL_DIR:-/tmp/outrigger-smtp-sink-${PORT[smtp]}}
# Every accepted message becomes one JSON file in $SMTP_MAIL_DIR (tests read
# them there); recipients named reject* are refused with 550.
launch_smtp() {
    local dir=$STATE/smtp
    mkdir -p "$dir/mail"
    spawn smtp root "${BASE_ENV[@]}" HOME="$dir" \
        /usr/bin/python3 "$SCRIPT_DIR/smtp-sink/server.py" \
        --host "$HOST" --port "${PORT[smtp]}" --dir "$SMTP_MAIL_DIR"
}

# ---------------------------------------------------------------------------
# stopping
# ---------------------------------------------------------------------------

stop_signal() {
    case $1 in
        postgres) echo INT ;;   # "fast" shutdown (TERM waits for clients)
        *) echo TERM ;;
    esac
}

# Send the stop signal to a managed server; prints its pid if there was one.
signal_managed() {
    local pid
    pid=$(managed_pid "$1") || return 1
    kill -s "$(stop_signal "$1")" "$pid" 2>/dev/null || true
    echo "$pid"
}

# Wait for pid $2 of server $1 to exit; escalates to SIGKILL of its process
# group (the session spawn() created) after STOP_TIMEOUT seconds.
wait_stopped() {
    local name=$1 pid=$2 deadline
    deadline=$(($(now_ms) + STOP_TIMEOUT * 1000))
    while managed_pid "$name" >/dev/null; do
        if (($(now_ms) > deadline)); then
            warn "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing its process group"
            kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null || true
            deadline=$(($(now_ms) + 5000))
            while managed_pid "$name" >/dev/null; do
                (($(now_ms) > deadline)) && return 1
                sleep 0.1
            done
            break
        fi
        sleep 0.1
    done
    rm -f -- "$(pidfile "$name")"
}

# epmd is started for rabbitmq (when none was running): stop it once
# rabbitmq is gone.
stop_epmd() {
    local pid
    managed_pid rabbitmq >/dev/null && return 0
    pid=$(signal_managed epmd) || return 0
    wait_stopped epmd "$pid"
}

# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------

cmd_up() {
    local -a names=("$@") launched=()
    local -A t0=() result=() why=()
    local b msg rc=0

    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock -w 300 9 || die "another brokers.sh holds $STATE/.lock"

    ensure_packages "${names[@]}"

    # Launch everything first (slowest first), then wait for all at once.
    local -a order=()
    for b in rabbitmq postgres redis mosquitto nats kafka http-echo smtp; do
        [[ " ${names[*]} " == *" $b "* ]] && order+=("$b")
    done
    for b in "${order[@]}"; do
        mkdir -p "$STATE/$b"
        if [[ -n ${UNAVAILABLE[$b]:-} ]]; then
            result[$b]="unavailable (${UNAVAILABLE[$b]})"
        elif [[ -n ${PREP_FAILED[$b]:-} ]]; then
            result[$b]="FAILED (${PREP_FAILED[$b]})"
        elif port_open "${PORT[$b]}"; then
            result[$b]=preexisting
        elif managed_pid "$b" >/dev/null; then
            # started by an earlier `up`, still booting
            t0[$b]=$(now_ms)
            launched+=("$b")
            result[$b]=booting
        else
            rm -f -- "$(pidfile "$b")"
            echo "--- $(date -u '+%Y-%m-%dT%H:%M:%SZ') brokers.sh up" >>"$(logfile "$b")"
            t0[$b]=$(now_ms)
            if msg=$("launch_$b" 2>&1); then
                launched+=("$b")
                result[$b]=launched
            else
                result[$b]="FAILED (could not launch: ${msg:-see log})"
            fi
        fi
    done

    # Port already answering: check it is the right kind of server.
    for b in "${order[@]}"; do
        [[ ${result[$b]} == preexisting ]] || continue
        local deadline=$(($(now_ms) + 10000))
        msg=
        until probe "$b"; do
            # Another PostgreSQL that takes our credentials: add the database.
            if [[ $b == postgres ]] && pg_ready; then
                if msg=$(ensure_pg_database) && probe "$b"; then break; fi
                # Ready but refusing our credentials: waiting will not help.
                [[ $msg == *"cannot log in"* ]] && deadline=0
            fi
            if (($(now_ms) > deadline)); then
                if [[ $b == postgres ]] && pg_ready; then
                    result[$b]="FAILED (a PostgreSQL on $HOST:${PORT[$b]} was left alone but ${msg:-does not accept postgres/$PG_PASSWORD})"
                else
                    result[$b]="FAILED (port $HOST:${PORT[$b]} is in use by something that does not answer like $b; left alone)"
                fi
                continue 2
            fi
            sleep 0.5
        done
        if managed_pid "$b" >/dev/null; then
            result[$b]="already running ($HOST:${PORT[$b]}, pid $(managed_pid "$b"))"
        else
            result[$b]="already running ($HOST:${PORT[$b]}, not started by brokers.sh; left alone)"
        fi
    done

    # Wait for everything launched, polling all of them together so each
    # measured start time is its own.
    local -a pending=("${launched[@]}")
    local -A pg_db_done=()
    while ((${#pending[@]} > 0)); do
        local -a still=()
        for b in "${pending[@]}"; do
            local ready=
            if [[ $b == postgres ]]; then
                if [[ -z ${pg_db_done[$b]:-} ]] && pg_ready; then
                    if why[$b]=$(ensure_pg_database); then pg_db_done[$b]=1; fi
                fi
                [[ -n ${pg_db_done[$b]:-} ]] && probe postgres && ready=1
            elif probe "$b"; then
                ready=1
            fi
            local elapsed=$(($(now_ms) - t0[$b]))
            if [[ -n $ready ]]; then
                if [[ ${result[$b]} == booting ]]; then
                    result[$b]="already running ($HOST:${PORT[$b]}, pid $(managed_pid "$b"))"
                else
                    result[$b]="started ($HOST:${PORT[$b]}, pid $(managed_pid "$b"), $(fmt_ms "$elapsed"))"
                fi
            elif ! managed_pid "$b" >/dev/null; then
                result[$b]="FAILED (exited during start-up after $(fmt_ms "$elapsed"))"
            elif ((elapsed > START_TIMEOUT[$b] * 1000)); then
                result[$b]="FAILED (not answering on $HOST:${PORT[$b]} after ${START_TIMEOUT[$b]} s${why[$b]:+; ${why[$b]}})"
                # Do not leave a half-started server behind.
                local pid
                if pid=$(signal_managed "$b"); then wait_stopped "$b" "$pid" || true; fi
            else
                still+=("$b")
                continue
            fi
            if [[ $b == rabbitmq && ${result[$b]} == FAILED* ]]; then stop_epmd || true; fi
            print_up_line "$b" "${result[$b]}" || rc=1
        done
        pending=(${still[@]+"${still[@]}"})
        ((${#pending[@]} == 0)) || sleep 0.1
    done

    # Lines of brokers that were not launched (launched ones are printed as
    # soon as they are ready or failed).
    for b in "${names[@]}"; do
        [[ " ${launched[*]} " == *" $b "* ]] || print_up_line "$b" "${result[$b]}" || rc=1
    done
    return "$rc"
}

# Prints the result line (and the log tail of a failure); fails for FAILED.
print_up_line() {
    local b=$1 line=$2
    printf '%-10s %s\n' "$b:" "$line"
    [[ $line == FAILED* ]] || return 0
    if [[ $line != *"left alone"* ]]; then
        # shellcheck disable=SC2046 # broker_logs prints a list of paths
        log_tail $(broker_logs "$b")
    fi
    return 1
}

cmd_down() {
    local -a names=("$@") stopping=() pids=()
    local b pid rc=0 i
    if [[ -d $STATE ]]; then
        exec 9>"$STATE/.lock"
        flock -w 300 9 || die "another brokers.sh holds $STATE/.lock"
    fi
    for b in "${names[@]}"; do
        if pid=$(signal_managed "$b"); then
            stopping+=("$b")
            pids+=("$pid")
        fi
    done
    for i in "${!stopping[@]}"; do
        b=${stopping[$i]}
        if wait_stopped "$b" "${pids[$i]}"; then
            printf '%-10s %s\n' "$b:" "stopped (pid ${pids[$i]})"
        else
            printf '%-10s %s\n' "$b:" "FAILED to stop (pid ${pids[$i]})"
            rc=1
        fi
    done
    if [[ " ${names[*]} " == *" rabbitmq "* ]]; then stop_epmd || rc=1; fi
    for b in "${names[@]}"; do
        [[ " ${stopping[*]} " == *" $b "* ]] && continue
        rm -f -- "$(pidfile "$b")"
        if port_open "${PORT[$b]}"; then
            printf '%-10s %s\n' "$b:" "not started by brokers.sh; left alone ($HOST:${PORT[$b]} still answers)"
        else
            printf '%-10s %s\n' "$b:" "not running"
        fi
    done
    return "$rc"
}

cmd_status() {
    local b pid rc=0 note
    for b in "$@"; do
        note=
        if pid=$(managed_pid "$b"); then
            note=", started by brokers.sh, pid $pid"
        fi
        if probe "$b"; then
            printf '%-10s %-5s %s\n' "$b:" up "$HOST:${PORT[$b]}${note:+ (${note#, })}"
        else
            rc=1
            if [[ -z $note ]] && ! server_installed "$b"; then
                note=", not installed: brokers.sh up $b installs it, or reports it unavailable"
            elif [[ -z $note ]] && port_open "${PORT[$b]}"; then
                note=", port in use by something that does not answer like $b"
            fi
            printf '%-10s %-5s %s\n' "$b:" down "$HOST:${PORT[$b]}${note:+ (${note#, })}"
        fi
    done
    return "$rc"
}

server_installed() {
    local pkg
    for pkg in ${SERVER_PKGS[$1]}; do
        pkg_installed "$pkg" || return 1
    done
}

usage() {
    cat <<EOF
usage: conformance/brokers.sh up|down|status [NAME...]
  NAME: ${ALL_BROKERS[*]} (default: all)
  up      install missing Debian packages, start the brokers on $HOST, wait
          until each answers; exit 1 if any FAILED (unavailable ones are not
          failures)
  down    stop the brokers \`up\` started (pid files in the state dir)
  status  one line per broker (up/down and port); exit 0 only if all are up
state dir: $STATE (OUTRIGGER_BROKERS_DIR)
EOF
}

main() {
    [[ $# -ge 1 ]] || { usage >&2; exit 2; }
    local cmd=$1 b
    shift
    local -a names=()
    for b in "$@"; do
        [[ -n ${PORT[$b]:-} ]] || die "unknown broker '$b' (known: ${ALL_BROKERS[*]})"
        [[ " ${names[*]} " == *" $b "* ]] || names+=("$b")
    done
    ((${#names[@]} > 0)) || names=("${ALL_BROKERS[@]}")
    case $cmd in
        up) cmd_up "${names[@]}" ;;
        down) cmd_down "${names[@]}" ;;
        status) cmd_status "${names[@]}" ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
