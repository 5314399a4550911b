#!/bin/sh
# serve_load.sh - `make bench`: load on `aslc serve` (issue 13). N (default
# 1000) executions of a small workflow (Pass -> Choice -> Pass) are started
# through the API (StartExecution, by one curl process, 50 requests in
# flight), then ListExecutions is polled until none is RUNNING. Reports
# executions/s (first request sent to the last execution ended), p50 / p99
# latency from StartExecution to SUCCEEDED (the server's startDate and
# stopDate, millisecond resolution), and the server's peak RSS (VmHWM).
# Fails (exit 1) when an execution is lost: a start refused, or fewer than
# N SUCCEEDED. Prints SKIPPED without curl (needs 7.66+ for --parallel).
set -u
BUILD=${BUILD:-build}
N=${SERVE_LOAD_N:-1000}
ASLC=$BUILD/aslc
cd "$(dirname "$0")/.." || exit 1
if ! command -v curl >/dev/null 2>&1 || ! curl --help all 2>/dev/null | grep -q -- '--parallel'; then
    echo "serve load: SKIPPED: needs curl with --parallel (7.66 or later)"
    exit 0
fi
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$ASLC" serve --port 0 --port-file "$tmp/port" --wait skip 2>"$tmp/log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port" 2>/dev/null)
[ -n "$port" ] || { echo "serve load: FAIL: the server did not start"; cat "$tmp/log"; exit 1; }
url=http://127.0.0.1:$port/
post() {
    curl -s -m 30 -X POST "$url" -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: AWSStepFunctions.$1" --data-binary "$2"
}
def='{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Parameters\":{\"n.$\":\"$.n\",\"id.$\":\"$$.Execution.Name\"},\"Next\":\"C\"},\"C\":{\"Type\":\"Choice\",\"Choices\":[{\"Variable\":\"$.n\",\"NumericGreaterThan\":500,\"Next\":\"Big\"}],\"Default\":\"Small\"},\"Big\":{\"Type\":\"Pass\",\"Result\":\"big\",\"ResultPath\":\"$.kind\",\"End\":true},\"Small\":{\"Type\":\"Pass\",\"Result\":\"small\",\"ResultPath\":\"$.kind\",\"End\":true}}}'
out=$(post CreateStateMachine "{\"name\":\"load\",\"roleArn\":\"arn:aws:iam::123456789012:role/r\",\"definition\":\"$def\"}")
case $out in *stateMachineArn*) ;; *) echo "serve load: FAIL: create: $out"; exit 1 ;; esac
sm=arn:aws:states:us-east-1:123456789012:stateMachine:load

# one curl process, N requests: a config file with one block per request
k=0
: > "$tmp/cfg"
while [ $k -lt "$N" ]; do
    # options hold per request only up to `next`, so each block repeats them
    [ $k -gt 0 ] && echo next >> "$tmp/cfg"
    printf 'url = "%s"\nrequest = "POST"\nheader = "Content-Type: application/x-amz-json-1.0"\nheader = "X-Amz-Target: AWSStepFunctions.StartExecution"\nsilent\nmax-time = 60\ndata = "{\\"stateMachineArn\\":\\"%s\\",\\"name\\":\\"x%d\\",\\"input\\":\\"{\\\\\\"n\\\\\\":%d}\\"}"\noutput = "%s/r%d"\n' \
        "$url" "$sm" $k $k "$tmp" $k >> "$tmp/cfg"
    k=$((k + 1))
done
now() { date +%s.%N; }
t0=$(now)
curl -s -Z --parallel-max 50 -K "$tmp/cfg" 2>/dev/null
started=$(cat "$tmp"/r* 2>/dev/null | grep -o '"executionArn"' | wc -l)
# until nothing runs (at most 120 s)
k=0
while [ $k -lt 2400 ]; do
    running=$(post ListExecutions "{\"stateMachineArn\":\"$sm\",\"statusFilter\":\"RUNNING\",\"maxResults\":1}")
    case $running in *executionArn*) sleep 0.05; k=$((k + 1)) ;; *) break ;; esac
done
t1=$(now)
rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null)
post ListExecutions "{\"stateMachineArn\":\"$sm\",\"statusFilter\":\"SUCCEEDED\",\"maxResults\":1000}" > "$tmp/list"
[ "$N" -le 1000 ] || echo "serve load: note: latencies of the newest 1000 only"
succeeded=$(grep -o '"status":"SUCCEEDED"' "$tmp/list" | wc -l)
kill -TERM $pid; wait $pid
echo "== aslc serve: $N executions of a 4-state workflow started through StartExecution"
echo "   (curl, 50 requests in flight; --wait skip; 2 cores shared with the load generator)"
awk -v t0="$t0" -v t1="$t1" -v n="$N" -v started="$started" -v ok="$succeeded" -v rss="${rss:-0}" '
BEGIN { RS = "}" }
/"startDate"/ {
    s = $0; sub(/.*"startDate":/, "", s); sub(/[,}].*/, "", s)
    e = $0; sub(/.*"stopDate":/, "", e); sub(/[,}].*/, "", e)
    lat[c++] = (e - s) * 1000
}
END {
    for (i = 1; i < c; i++) { v = lat[i]; j = i - 1; while (j >= 0 && lat[j] > v) { lat[j + 1] = lat[j]; j-- } lat[j + 1] = v }
    p50 = c ? lat[int(c * 0.50)] : 0; p99 = c ? lat[int(c * 0.99) < c ? int(c * 0.99) : c - 1] : 0
    printf "   started %d, SUCCEEDED %d, lost %d\n", started, ok, n - ok
    printf "   %.0f executions/s (%.2f s from the first StartExecution to the last end)\n", n / (t1 - t0), t1 - t0
    printf "   StartExecution -> SUCCEEDED: p50 %s ms, p99 %s ms (startDate to stopDate, server clock, 1 ms steps)\n", \
        p50 < 1 ? "<1" : sprintf("%.0f", p50), p99 < 1 ? "<1" : sprintf("%.0f", p99)
    printf "   server peak RSS %.1f MB\n", rss / 1024
}' "$tmp/list"
[ "$started" -eq "$N" ] && [ "$succeeded" -eq "$N" ] || { echo "serve load: FAIL: executions lost"; exit 1; }
