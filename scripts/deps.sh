#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only the missing ones, so a second run is
# fast and works offline. Usage: scripts/deps.sh build|test|bench|chaos|startup-order
set -euo pipefail

need_build=(ca-certificates git pkg-config libssl-dev zlib1g-dev python3 curl libpq-dev libhiredis-dev
  librdkafka-dev librabbitmq-dev libmosquitto-dev libnats-dev)
need_test=(python3-venv openssl python3-aiosmtpd rabbitmq-server nats-server mosquitto iproute2)
need_bench=(wrk nginx-light redis-tools gcc libc6-dev linux-perf nghttp2-client)
need_chaos=(redis-server gcc libc6-dev)
need_startup_order=(valgrind binutils)

packages=("${need_build[@]}")
case "${1:-build}" in
  build) ;;
  test) packages+=("${need_test[@]}") ;;
  bench) packages+=("${need_test[@]}" "${need_bench[@]}") ;;
  chaos) packages+=("${need_test[@]}" "${need_chaos[@]}") ;;
  startup-order) packages+=("${need_startup_order[@]}") ;;
  *) echo "usage: $0 build|test|bench|chaos|startup-order" >&2; exit 64 ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1 && [ ! -x /opt/swift/usr/bin/swift ]; then
  echo "Swift 6 is not installed: Outrigger needs the Swift toolchain (swift.org's Linux release) on PATH or in /opt/swift." >&2
  exit 1
fi
