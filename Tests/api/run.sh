#!/bin/sh
# Checks the running HTTP API against docs/openapi.yaml with schemathesis: every route, with inputs it
# generates from the description (valid and invalid), answered with a documented status, content type
# and body, and never a server error. Run by `make test` after the build; needs the test venv.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$root/.build/venv/bin/python3}
spoold=${SPOOLD:-$root/.build/debug/spoold}
work=$(mktemp -d)
trap 'kill $daemon 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=schema-check-token-0123456789
mkdir -p "$work/spool"
cat > "$work/spool/spool.yaml" <<YAML
api: {listen: "127.0.0.1:$port", auth: {tokens: [$token]}}
cron:
  - {name: nightly, spec: "0 3 * * *", task: {type: report}}
YAML
"$spoold" --spool "$work/spool" --mode api --log-level warning > "$work/spoold.log" 2>&1 &
daemon=$!
"$python" - "$port" <<'PY'
import socket, sys, time
deadline = time.time() + 30
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("spoold did not listen")
PY
status=0
# From the scratch folder, where schemathesis leaves its own files. Examples and fuzzing, not the coverage
# phase: a task's schema (docs/task.schema.json) nests workflow steps recursively, and the coverage phase's
# enumeration of such a schema grows without bound (it was killed for memory).
cd "$work"
"$root/.build/venv/bin/schemathesis" --config-file "$root/Tests/api/schemathesis.toml" run "$root/docs/openapi.yaml" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --exclude-checks ignored_auth,positive_data_acceptance \
    --phases examples,fuzzing \
    --max-examples "${SPOOL_SCHEMA_EXAMPLES:-100}" \
    --workers 1 \
    --seed 1 \
    --suppress-health-check all \
    || status=$?
if ! kill -0 "$daemon" 2>/dev/null; then
    echo "spoold exited during the run:" >&2
    cat "$work/spoold.log" >&2
    exit 1
fi
exit $status
