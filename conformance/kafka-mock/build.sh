#!/usr/bin/env bash
# Build the librdkafka mock-cluster broker used by conformance/brokers.sh.
# Usage: conformance/kafka-mock/build.sh [OUTPUT]
#   OUTPUT defaults to conformance/kafka-mock/kafka-mock (ignored by git);
#   brokers.sh builds into its state dir instead.
# Needs gcc, pkg-config and librdkafka-dev (Debian 12: librdkafka 2.0.2).
set -euo pipefail

src_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
out=${1:-"$src_dir/kafka-mock"}
cc=${CC:-gcc}

read -r -a rdkafka_cflags <<<"$(pkg-config --cflags rdkafka)"
read -r -a rdkafka_libs <<<"$(pkg-config --libs rdkafka)"

mkdir -p -- "$(dirname -- "$out")"
tmp="$out.tmp.$$"
trap 'rm -f -- "$tmp"' EXIT
# --export-dynamic-symbol=bind: librdkafka's bind() calls must resolve to the
# wrapper in kafka_mock.c that pins the mock listener to a fixed port.
"$cc" -std=c11 -O2 -Wall -Wextra ${rdkafka_cflags[@]+"${rdkafka_cflags[@]}"} \
    -o "$tmp" "$src_dir/kafka_mock.c" \
    -Wl,--export-dynamic-symbol=bind \
    ${rdkafka_libs[@]+"${rdkafka_libs[@]}"} -ldl -lpthread
mv -f -- "$tmp" "$out"
trap - EXIT
