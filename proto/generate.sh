#!/usr/bin/env bash
#
# Regenerates the Swift sources of the `DaprProto` module (Sources/DaprProto/)
# from the Dapr .proto files (dapr/proto/common/v1 and dapr/proto/runtime/v1).
#
# The generated .swift files are COMMITTED to the repository. The normal
# `swift build` never runs protoc or any protoc plugin; run this script by hand
# only when the .proto files or the plugin versions change, then commit the
# result:
#
#     bash proto/generate.sh
#
# What it does:
#   1. Builds the two protoc plugins into .build-proto/ (git-ignored) using a
#      throwaway SwiftPM package written there, unless PROTOC_GEN_SWIFT and
#      PROTOC_GEN_GRPC_SWIFT point at existing plugin binaries:
#        - protoc-gen-swift         (apple/swift-protobuf       1.39.0)
#        - protoc-gen-grpc-swift-2  (grpc/grpc-swift-protobuf   2.4.1)
#   2. Runs protoc (PROTOC, default `protoc` on PATH; Debian: apt-get install
#      protobuf-compiler) with both plugins over the proto root
#      DAPR_PROTO_DIR (default: ../shared/reference/dapr-proto relative to the
#      repo root), with Visibility=Public and FileNaming=PathToUnderscores.
#      All files land in one Swift module, so no cross-module imports are
#      emitted (only SwiftProtobuf, GRPCCore, GRPCProtobuf).
#   3. Replaces the old *.pb.swift / *.grpc.swift files in Sources/DaprProto/
#      with the new ones. .grpc.swift files for protos without services
#      (header-only) are dropped.
#
# The script is idempotent: running it twice gives byte-identical output.

set -euo pipefail

SWIFT_PROTOBUF_VERSION="1.39.0"
GRPC_SWIFT_PROTOBUF_VERSION="2.4.1"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

DAPR_PROTO_DIR="${DAPR_PROTO_DIR:-$REPO_ROOT/../shared/reference/dapr-proto}"
OUT_DIR="$REPO_ROOT/Sources/DaprProto"
BUILD_DIR="$REPO_ROOT/.build-proto"
PROTOC="${PROTOC:-protoc}"

log() { printf '[generate.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- checks -----------------------------------------------------------------

command -v "$PROTOC" >/dev/null 2>&1 \
  || die "protoc not found (PROTOC=$PROTOC); on Debian: apt-get install -y protobuf-compiler"
[ -d "$DAPR_PROTO_DIR/dapr/proto/runtime/v1" ] \
  || die "proto root not found: $DAPR_PROTO_DIR (expected dapr/proto/runtime/v1 inside; set DAPR_PROTO_DIR)"
DAPR_PROTO_DIR="$(cd "$DAPR_PROTO_DIR" && pwd)"
log "protoc: $("$PROTOC" --version)"
log "proto root: $DAPR_PROTO_DIR"

# --- 1. plugins -------------------------------------------------------------

build_plugins() {
  local pkg="$BUILD_DIR/plugins"
  mkdir -p "$pkg"
  local manifest
  manifest="$(cat <<EOF
// swift-tools-version:6.0
// Throwaway package written by proto/generate.sh to build the protoc plugins.
import PackageDescription

let package = Package(
    name: "outrigger-protoc-plugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "$SWIFT_PROTOBUF_VERSION"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "$GRPC_SWIFT_PROTOBUF_VERSION"),
    ],
    targets: []
)
EOF
)"
  # Rewrite only on change so SwiftPM does not re-resolve needlessly.
  if [ ! -f "$pkg/Package.swift" ] || [ "$(cat "$pkg/Package.swift")" != "$manifest" ]; then
    printf '%s\n' "$manifest" > "$pkg/Package.swift"
  fi
  log "building protoc-gen-swift $SWIFT_PROTOBUF_VERSION and protoc-gen-grpc-swift-2 $GRPC_SWIFT_PROTOBUF_VERSION (first time: a few minutes)"
  swift build --package-path "$pkg" -c release --product protoc-gen-swift >&2
  swift build --package-path "$pkg" -c release --product protoc-gen-grpc-swift-2 >&2
  PLUGIN_BIN_DIR="$(swift build --package-path "$pkg" -c release --show-bin-path)"
}

if [ -n "${PROTOC_GEN_SWIFT:-}" ] && [ -x "${PROTOC_GEN_SWIFT}" ] \
  && [ -n "${PROTOC_GEN_GRPC_SWIFT:-}" ] && [ -x "${PROTOC_GEN_GRPC_SWIFT}" ]; then
  log "using prebuilt plugins from PROTOC_GEN_SWIFT / PROTOC_GEN_GRPC_SWIFT"
else
  build_plugins
  PROTOC_GEN_SWIFT="$PLUGIN_BIN_DIR/protoc-gen-swift"
  PROTOC_GEN_GRPC_SWIFT="$PLUGIN_BIN_DIR/protoc-gen-grpc-swift-2"
fi
log "$("$PROTOC_GEN_SWIFT" --version) / $("$PROTOC_GEN_GRPC_SWIFT" --version)"

# --- 2. protoc --------------------------------------------------------------

PROTO_FILES=()
while IFS= read -r f; do PROTO_FILES+=("$f"); done < <(
  cd "$DAPR_PROTO_DIR" && find dapr/proto/common/v1 dapr/proto/runtime/v1 -maxdepth 1 -name '*.proto' | LC_ALL=C sort
)
[ "${#PROTO_FILES[@]}" -gt 0 ] || die "no .proto files under $DAPR_PROTO_DIR/dapr/proto/{common,runtime}/v1"

mkdir -p "$BUILD_DIR"
TMP_OUT="$(mktemp -d "$BUILD_DIR/out.XXXXXX")"
trap 'rm -rf "$TMP_OUT"' EXIT

log "generating from ${#PROTO_FILES[@]} proto files"
"$PROTOC" \
  --proto_path="$DAPR_PROTO_DIR" \
  --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
  --plugin=protoc-gen-grpc-swift-2="$PROTOC_GEN_GRPC_SWIFT" \
  --swift_out="$TMP_OUT" \
  --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
  --grpc-swift-2_out="$TMP_OUT" \
  --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true \
  "${PROTO_FILES[@]}"

# Drop header-only .grpc.swift files (protos that declare no service).
for f in "$TMP_OUT"/*.grpc.swift; do
  if grep -q '^// This file contained no services\.' "$f"; then rm -f "$f"; fi
done

# Safety net: everything must live in the one DaprProto module.
if grep -lE '^(public |internal |package )?import +Dapr' "$TMP_OUT"/*.swift >/dev/null 2>&1; then
  die "generated code imports another Dapr module; check plugin options"
fi

# --- 3. install -------------------------------------------------------------

mkdir -p "$OUT_DIR"
find "$OUT_DIR" -maxdepth 1 -type f \( -name '*.pb.swift' -o -name '*.grpc.swift' \) -delete
cp "$TMP_OUT"/*.swift "$OUT_DIR"/
log "wrote $(find "$OUT_DIR" -maxdepth 1 -name '*.swift' | wc -l) files to ${OUT_DIR#"$REPO_ROOT"/}"
