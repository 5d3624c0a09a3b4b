#!/usr/bin/env bash
# Prints the path of a Python that has the official Dapr Python SDK (dapr, dapr-ext-grpc),
# creating the virtualenv .build/python-sdk from PyPI the first time (later runs reuse it and
# need no network). Used by Tests/GRPCTests and examples/grpc.
#
#   PY=$(scripts/python-sdk.sh) && $PY examples/grpc/client.py
#
# DAPR_SDK_VERSION overrides the pinned version (1.18.3: the newest release whose generated
# protos match shared/reference/dapr-proto, for both packages).
# Exit status 3 means PyPI could not be reached or the install failed.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${DAPR_SDK_VERSION:-1.18.3}"
venv=".build/python-sdk"
stamp="$venv/.dapr-sdk-$version"
mkdir -p .build

# Test processes may ask at the same time: one creates the virtualenv, the others wait.
exec 9>.build/.python-sdk.lock
flock 9

if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >&2; then
    echo "python-sdk.sh: 'python3 -m venv' failed; install python3-venv (scripts/deps.sh test does)" >&2
    exit 1
  fi
  if ! "$venv/bin/pip" install --disable-pip-version-check --quiet --timeout 20 --retries 2 \
      "dapr==$version" "dapr-ext-grpc==$version" >&2; then
    rm -rf "$venv"
    echo "python-sdk.sh: cannot install dapr==$version and dapr-ext-grpc==$version from PyPI" >&2
    exit 3
  fi
  touch "$stamp"
fi
echo "$PWD/$venv/bin/python"
