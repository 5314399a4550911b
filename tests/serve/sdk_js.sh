#!/bin/sh
# tests/serve/sdk_js.sh - `aslc serve` driven by the AWS SDK for JavaScript
# v3 (tests/serve/sdk.cjs). @aws-sdk/client-sfn is installed from npm into
# $BUILD/node on first use. Prints SKIPPED, saying why, without node, npm
# or the registry.
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
NODE_DIR=$BUILD/node
MOD=$NODE_DIR/node_modules/@aws-sdk/client-sfn
if ! command -v node >/dev/null 2>&1; then
    echo "serve-sdk-js: SKIPPED: node is not installed"
    exit 0
fi
if [ ! -f "$MOD/package.json" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "serve-sdk-js: SKIPPED: @aws-sdk/client-sfn is not in $NODE_DIR and npm is not installed"
        exit 0
    fi
    mkdir -p "$NODE_DIR"
    # saved in $NODE_DIR/package.json, so that other --no-save installs there keep it
    if ! npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
            @aws-sdk/client-sfn > "$NODE_DIR/npm-client-sfn.log" 2>&1; then
        echo "serve-sdk-js: SKIPPED: npm could not install @aws-sdk/client-sfn (no registry?):"
        tail -3 "$NODE_DIR/npm-client-sfn.log"
        exit 0
    fi
fi
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$ASLC" serve --port 0 --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "serve-sdk-js: FAIL: server did not start"; cat "$tmp/log"; exit 1; }
NODE_NO_WARNINGS=1 node tests/serve/sdk.cjs "$(cd "$NODE_DIR/node_modules" && pwd)" "http://127.0.0.1:$port"
rc=$?
kill -TERM $pid
wait $pid || { echo "serve-sdk-js: FAIL: the server did not stop cleanly"; rc=1; }
exit $rc
