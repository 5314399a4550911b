#!/bin/sh
# tests/serve/robust.sh - hostile clients against `aslc serve` (issue 13):
# starts a server and runs tests/serve/robust.py (raw sockets: bad and
# oversized bodies, garbage, vanishing, slow and silent clients, a flood
# of connections), then checks the server stops cleanly on SIGINT.
# Prints SKIPPED when python3 is absent.
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
if ! command -v python3 >/dev/null 2>&1; then
    echo "serve-robust: SKIPPED: python3 is not installed"
    exit 0
fi
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$ASLC" serve --port 0 --port-file "$tmp/port" --state-dir "$tmp/st" 2>"$tmp/log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "serve-robust: FAIL: server did not start"; cat "$tmp/log"; exit 1; }
python3 "$(dirname "$0")/robust.py" "$port"; rc=$?
if ! kill -0 $pid 2>/dev/null; then
    echo "serve-robust: FAIL: the server died:"; cat "$tmp/log"; exit 1
fi
# SIGINT while a StartSyncExecution waits in a 60 s Wait: the server stops
# at once (the execution is aborted, the request's thread joined).
post() {
    curl -s -m 70 -X POST "http://127.0.0.1:$port/" -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: AWSStepFunctions.$1" --data "$2"
}
if command -v curl >/dev/null 2>&1; then
    post CreateStateMachine '{"name":"w","type":"EXPRESS","roleArn":"arn:aws:iam::1:role/r","definition":"{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":60,\"End\":true}}}"}' >/dev/null
    post StartSyncExecution '{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:w"}' >/dev/null &
    cpid=$!
    sleep 0.5
fi
t0=$(date +%s)
kill -INT $pid
wait $pid; src=$?; pid=
if [ $(($(date +%s) - t0)) -gt 5 ]; then
    echo "serve-robust: FAIL: SIGINT with a StartSyncExecution waiting took $(($(date +%s) - t0)) s"
    rc=1
fi
[ -n "${cpid:-}" ] && wait $cpid
if [ $src -ne 0 ] || ! grep -q 'stopped' "$tmp/log"; then
    echo "serve-robust: FAIL: SIGINT: exit code $src"; cat "$tmp/log"; exit 1
fi
if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/log"; then
    echo "serve-robust: FAIL: the sanitizers reported:"; cat "$tmp/log"; exit 1
fi
exit $rc
