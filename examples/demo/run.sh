#!/bin/sh
# Runs the demo: the local echo endpoint, then spoold on the embedded spool with spool/spool.yaml.
# Started from the repository root by `make run`; Ctrl-C stops both.
set -eu
python3 examples/demo/echo-server.py 8471 &
echo_pid=$!
trap 'kill "$echo_pid" 2>/dev/null || true' EXIT INT TERM
"${SPOOLD:-.build/debug/spoold}" --spool "${SPOOL:-spool}" "$@"
