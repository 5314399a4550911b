#!/bin/sh
# demo.sh - what `make demo` runs: a short tour of aslc on the samples in this
# folder. It checks a workflow, runs it at once with `aslc run` (JIT), builds
# another into a native executable and runs that, and shows what a failing
# execution looks like. Environment: BUILD (default build), where aslc is.
# Exits non-zero only when something does not behave as described.
set -u

BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
ASLC=$BUILD/aslc
OUT=$BUILD/demo
mkdir -p "$OUT"
problems=0

if [ ! -x "$ASLC" ]; then
    echo "demo: $ASLC not found; run: make BUILD=$BUILD demo" >&2
    exit 1
fi

# Headings in bold on a terminal only: a log or a pipe gets plain text.
if [ -t 1 ]; then
    say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
else
    say() { printf '\n%s\n' "$*"; }
fi
show() { printf '  $ %s\n' "$*"; }
# Pretty-print JSON when jq is installed; otherwise print it as it is.
pretty() {
    if command -v jq >/dev/null 2>&1; then jq . 2>/dev/null || cat; else cat; fi
}
expect_rc() { # expect_rc WANT GOT WHAT
    if [ "$2" -ne "$1" ]; then
        echo "  !! $3 exited with $2, expected $1" >&2
        problems=$((problems + 1))
    fi
}

cat <<'EOF'
aslc compiles AWS Step Functions state machines (Amazon States Language) to C.
This demo uses three sample workflows from samples/:
  expense-approval  Choice + Wait: small expenses approved at once, others wait for reviewers
  order-reshape     a pipeline of Pass states reshaping an order webhook with JSONPath
  shipping-check    fails on purpose, to show how errors are reported
  cart-pricing      JSONata states and workflow variables: a Map, a Choice, a total
EOF

say "1. Check a definition (like a compiler: file:line:col diagnostics, exit 1 on errors)"
show "$ASLC check samples/expense-approval.asl.json"
"$ASLC" check samples/expense-approval.asl.json
rc=$?
expect_rc 0 $rc "aslc check"
[ $rc -eq 0 ] && echo "  no problems found"

say "2. Run it now with aslc run (compiled in memory with TinyCC)"
echo "  --wait skip jumps over the Wait states (an hour for the manager, a finance batch);"
echo "  --history writes the AWS-shaped execution events, one JSON object per line."
show "$ASLC run samples/expense-approval.asl.json --input-file samples/expense-approval.input.json --wait skip --name demo-1 --history $OUT/approval-history.jsonl"
"$ASLC" run samples/expense-approval.asl.json --input-file samples/expense-approval.input.json \
    --wait skip --name demo-1 --history "$OUT/approval-history.jsonl" > "$OUT/approval.out"
rc=$?
expect_rc 0 $rc "aslc run"
echo "  output (stdout):"
pretty < "$OUT/approval.out" | sed 's/^/    /'
if [ -f "$OUT/approval-history.jsonl" ]; then
    echo "  path through the states, from the $(wc -l < "$OUT/approval-history.jsonl") events in $OUT/approval-history.jsonl:"
    sed -n 's/.*"type":"[A-Za-z]*StateEntered".*"stateEnteredEventDetails":{"name":"\([^"]*\)".*/\1/p' \
        "$OUT/approval-history.jsonl" | tr '\n' ' ' | sed 's/ $//; s/ / -> /g; s/^/    /'
    echo
fi
echo "  the same workflow with a small expense is approved by policy at once; --trace shows each step:"
show "$ASLC run samples/expense-approval.asl.json --input-file samples/expense-approval.small.input.json --wait skip --trace"
"$ASLC" run samples/expense-approval.asl.json --input-file samples/expense-approval.small.input.json \
    --wait skip --trace --name demo-2 > "$OUT/approval-small.out" 2> "$OUT/approval-small.trace"
expect_rc 0 $? "aslc run (small expense)"
cut -c1-110 "$OUT/approval-small.trace" | sed 's/^/    trace: /'
pretty < "$OUT/approval-small.out" | sed 's/^/    /'

say "3. Build a native executable and run it"
show "$ASLC build samples/order-reshape.asl.json -o $OUT/order-reshape -O2"
"$ASLC" build samples/order-reshape.asl.json -o "$OUT/order-reshape" -O2
rc=$?
expect_rc 0 $rc "aslc build"
if [ $rc -eq 0 ] && [ -x "$OUT/order-reshape" ]; then
    echo "  $OUT/order-reshape is a standalone program ($(wc -c < "$OUT/order-reshape") bytes); its input comes from"
    echo "  --input, --input-file or stdin, its output goes to stdout:"
    show "$OUT/order-reshape --name demo-4 < samples/order-reshape.input.json"
    "$OUT/order-reshape" --name demo-4 < samples/order-reshape.input.json > "$OUT/order-reshape.out"
    expect_rc 0 $? "order-reshape"
    pretty < "$OUT/order-reshape.out" | sed 's/^/    /'
    echo "  (aslc emit samples/order-reshape.asl.json shows the C it was built from)"
fi

say "4. A workflow that fails"
echo "  A failed execution prints one JSON line on stderr and exits 1 (3 = timed out, 4 = aborted)."
show "$ASLC run samples/shipping-check.asl.json --input-file samples/shipping-check.input.json"
"$ASLC" run samples/shipping-check.asl.json --input-file samples/shipping-check.input.json \
    2> "$OUT/shipping.err"
rc=$?
expect_rc 1 $rc "shipping-check (no postcode)"
sed 's/^/    stderr: /' "$OUT/shipping.err"
echo "    exit status: $rc   <- a Fail state chose this error and cause"
show "$ASLC run samples/shipping-check.asl.json --input-file samples/shipping-check.no-parcel.input.json"
"$ASLC" run samples/shipping-check.asl.json --input-file samples/shipping-check.no-parcel.input.json \
    2> "$OUT/shipping2.err"
rc=$?
expect_rc 1 $rc "shipping-check (no parcel)"
sed 's/^/    stderr: /' "$OUT/shipping2.err"
echo "    exit status: $rc   <- a path that finds nothing: States.Runtime, with AWS's cause text"

say "5. JSONata states and variables"
echo "  \"QueryLanguage\": \"JSONata\": fields are {% expressions %}; Assign keeps values for later states."
show "$ASLC run samples/cart-pricing.asl.json --input-file samples/cart-pricing.input.json"
"$ASLC" run samples/cart-pricing.asl.json --input-file samples/cart-pricing.input.json > "$OUT/cart.out"
rc=$?
expect_rc 0 $rc "cart-pricing"
pretty < "$OUT/cart.out" | sed 's/^/    /'
if ! grep -q '"total":"41.32 EUR"' "$OUT/cart.out"; then
    echo "  !! cart-pricing: expected a total of 41.32 EUR" >&2
    problems=$((problems + 1))
fi
show "$ASLC jsonata --input-file samples/cart-pricing.input.json '\$sum(lines.(qty * unit))'"
"$ASLC" jsonata --input-file samples/cart-pricing.input.json '$sum(lines.(qty * unit))' | sed 's/^/    /'

echo
if [ "$problems" -eq 0 ]; then
    echo "Demo finished. Next: README.md (commands, options, exit codes); make test runs the test suite."
else
    echo "Demo finished with $problems unexpected result(s) (see the !! lines above)." >&2
    exit 1
fi
