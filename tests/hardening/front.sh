#!/bin/sh
# front.sh - regression tests for the check-side items of issue 15 added in
# its second round (speed of check, AWS's limits, ResultWriter field sets,
# templates): each runs aslc on a definition written here and checks the exit
# status and what is printed. Run by tests/run.sh. Environment: BUILD.
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
ASLC=$here/../../$BUILD/aslc
[ -x "$ASLC" ] || { echo "front: $ASLC is missing" >&2; exit 1; }
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
cd "$t" || exit 1
status=0
count=0
fail() { echo "FAIL: $*"; status=1; }

# expect WANT_RC PATTERN COMMAND...: runs COMMAND (stdout in out, stderr in
# err); its exit status must be WANT_RC and PATTERN (grep -E; "" for none)
# must occur in stdout or stderr.
expect() {
    want=$1 pat=$2
    shift 2
    count=$((count + 1))
    "$@" >out 2>err
    got=$?
    [ "$got" -eq "$want" ] || { fail "exit $got, expected $want: $*"; sed 's/^/    /' out err | head -5; return; }
    [ -z "$pat" ] || cat out err | grep -Eq -- "$pat" || { fail "no /$pat/ in the output of: $*"; sed 's/^/    /' out err | head -5; }
}
# refute PATTERN COMMAND...: PATTERN must not occur in the output of COMMAND.
refute() {
    pat=$1
    shift
    count=$((count + 1))
    "$@" >out 2>err
    ! cat out err | grep -Eq -- "$pat" || { fail "/$pat/ in the output of: $*"; sed 's/^/    /' out err | head -5; }
}

# ---- check is linear in states: 200,000 Pass states in a chain took
# ~30 s when the loop pass scanned every state per component.
awk -v n=200000 'BEGIN { printf "{\"StartAt\":\"S0\",\"States\":{";
    for (i = 0; i < n - 1; i++) printf "\"S%d\":{\"Type\":\"Pass\",\"Next\":\"S%d\"},", i, i + 1;
    printf "\"S%d\":{\"Type\":\"Pass\",\"End\":true}}}\n", n - 1 }' >chain.json
count=$((count + 1))
start=$(date +%s)
timeout 60 "$ASLC" check chain.json >/dev/null 2>&1
took=$(($(date +%s) - start))
[ "$took" -le 15 ] || fail "check of 200,000 states took $took s (limit 15 s)"

# ---- ResultWriter: AWS's three field sets (WriterConfig alone; Resource +
# Parameters; all three); any other is a check error, not a run-time one
dmap() { printf '{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ResultWriter":%s,"End":true}}}\n' "$1"; }
W='"WriterConfig":{"OutputType":"JSON","Transformation":"COMPACT"}'
R='"Resource":"arn:aws:states:::s3:putObject"'
P='"Parameters":{"Bucket":"b","Prefix":"p"}'
dmap "{$W}" >rw-config.json
dmap "{$R,$P}" >rw-export.json
dmap "{$R,$P,$W}" >rw-all.json
dmap "{$R,$W}" >rw-no-params.json
dmap "{$P,$W}" >rw-no-resource.json
dmap "{$R}" >rw-resource.json
dmap '{}' >rw-empty.json
for f in rw-config rw-export rw-all; do expect 0 '' "$ASLC" check $f.json; done
expect 0 '^\[1,2\]$' "$ASLC" run rw-config.json --input '[1,2]'
expect 1 '"Resource" without "Parameters": the valid sets are "WriterConfig" alone' "$ASLC" check rw-no-params.json
expect 1 '"Parameters" without "Resource"' "$ASLC" check rw-no-resource.json
expect 1 '"Resource" without "Parameters"' "$ASLC" check rw-resource.json
expect 1 '"ResultWriter" must not be empty' "$ASLC" check rw-empty.json
expect 2 '"Resource" without "Parameters"' "$ASLC" run rw-no-params.json --input '[1]'
sed 's/"StartAt":"M"/"QueryLanguage":"JSONata","StartAt":"M"/; s/"Parameters":/"Arguments":/' rw-no-resource.json >rw-ja.json
expect 1 '"Arguments" without "Resource"' "$ASLC" check rw-ja.json
sed 's/"StartAt":"M"/"QueryLanguage":"JSONata","StartAt":"M"/' rw-config.json >rw-ja-config.json
expect 0 '' "$ASLC" check rw-ja-config.json

[ "$status" -eq 0 ] && echo "front: $count checks passed"
exit "$status"
