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
kill -INT $pid
wait $pid; src=$?; pid=
if [ $src -ne 0 ] || ! grep -q 'stopped' "$tmp/log"; then
    echo "serve-robust: FAIL: SIGINT: exit code $src"; cat "$tmp/log"; exit 1
fi
if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/log"; then
    echo "serve-robust: FAIL: the sanitizers reported:"; cat "$tmp/log"; exit 1
fi
exit $rc
