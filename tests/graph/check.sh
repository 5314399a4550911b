#!/bin/sh
# check.sh - tests of `aslc graph` (run by tests/run.sh):
#   1. golden DOT and Mermaid for every sample and tests/graph/*.asl.json
#      (tests/graph/<name>.dot.expected, .mmd.expected; update.sh rewrites them);
#   2. an SVG for each of them, laid out by Graphviz, that is well-formed XML;
#   3. hostile names stay text: no raw markup or quote from a name in any format;
#   4. runs drawn with --history (tests/graph/runs.sh): golden DOT and Mermaid,
#      an SVG of each, hostile names and errors still text, bad histories refused.
# Environment: BUILD (default build). Exit 1 on any failure.
set -u
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

for f in samples/*.asl.json tests/graph/*.asl.json; do
    n=$(basename "$f" .asl.json)
    for fmt in dot mermaid; do
        ext=$fmt; [ $fmt = mermaid ] && ext=mmd
        if ! "$ASLC" graph --format $fmt "$f" > "$tmp/$n.$ext"; then
            bad "aslc graph --format $fmt $f failed"
        elif ! cmp -s "$tmp/$n.$ext" "tests/graph/$n.$ext.expected"; then
            bad "$f: $fmt differs from tests/graph/$n.$ext.expected"
            diff "tests/graph/$n.$ext.expected" "$tmp/$n.$ext" | head -20
        fi
    done
    if ! "$ASLC" graph --format svg "$f" -o "$tmp/$n.svg"; then
        bad "aslc graph --format svg $f failed"
    elif ! python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert d.documentElement.tagName == "svg"; assert not d.getElementsByTagName("script")' "$tmp/$n.svg"; then
        bad "$f: the SVG is not well-formed or holds a <script>"
    fi
done

# The hostile names: the raw sequences must not appear in any output.
h=tests/graph/hostile.asl.json
for fmt in dot mermaid svg; do
    "$ASLC" graph --format $fmt "$h" > "$tmp/h.$fmt" || bad "hostile: $fmt failed"
    for s in '"];</svg>' '<script>' '<b>' '<i>' '-->|<'; do
        grep -qF -- "$s" "$tmp/h.$fmt" && bad "hostile: $fmt output holds raw '$s'"
    done
    # Mermaid directives and its entity syntax only matter in Mermaid.
    if [ $fmt = mermaid ]; then
        for s in '%%{init}%%' '#quot;' '<br/>"'; do
            grep -qF -- "$s" "$tmp/h.$fmt" && bad "hostile: mermaid output holds raw '$s'"
        done
    fi
done
# ... and the names come back as text in the SVG (Graphviz decodes our entities).
python3 - "$tmp/h.svg" <<'PY' || bad "hostile: names are not text in the SVG"
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
texts = "".join(t.firstChild.data for t in d.getElementsByTagName("text") if t.firstChild)
for want in ['"];</svg><script>', 'été ☃ 😀 &#60;', 'a\\nb |{x}| --> end']:
    assert want in texts, want
PY
# ---- 4. runs drawn on the graph
. tests/graph/runs.sh
check_run() {
    n=$1 def=$2
    shift 2
    hist="$tmp/$n.jsonl"
    "$ASLC" run "$def" --wait skip --history "$hist" "$@" > /dev/null 2>&1
    [ -s "$hist" ] || { bad "run $n: no history written"; return; }
    for fmt in dot mermaid; do
        ext=$fmt; [ $fmt = mermaid ] && ext=mmd
        if ! "$ASLC" graph --format $fmt --history "$hist" "$def" > "$tmp/$n.run.$ext"; then
            bad "aslc graph --history ($n, $fmt) failed"
        elif ! cmp -s "$tmp/$n.run.$ext" "tests/graph/$n.run.$ext.expected"; then
            bad "run $n: $fmt differs from tests/graph/$n.run.$ext.expected"
            diff "tests/graph/$n.run.$ext.expected" "$tmp/$n.run.$ext" | head -20
        fi
    done
    "$ASLC" graph --format svg --history "$hist" "$def" -o "$tmp/$n.run.svg" ||
        bad "aslc graph --format svg --history ($n) failed"
    python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert not d.getElementsByTagName("script")' \
        "$tmp/$n.run.svg" || bad "run $n: the SVG is not well-formed or holds a <script>"
}
each_run check_run
for fmt in dot mermaid svg; do
    "$ASLC" graph --format $fmt --history "$tmp/hostile.jsonl" "$h" > "$tmp/hr.$fmt" || bad "hostile run: $fmt failed"
    for s in '"];</svg>' '<script>' '<b>' '<i>' '-->|<'; do
        grep -qF -- "$s" "$tmp/hr.$fmt" && bad "hostile run: $fmt output holds raw '$s'"
    done
done
# A history of another definition, and files that are no history, are refused
# with a message (exit 2), never drawn.
"$ASLC" graph --history "$tmp/fanout.jsonl" samples/expense-approval.asl.json > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q 'does not have' "$tmp/err" || bad "a history of another definition was not refused"
printf '{"id":1,"type":"ExecutionStarted"}\nnot json\n' > "$tmp/bad.jsonl"
"$ASLC" graph --history "$tmp/bad.jsonl" "$h" > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q 'bad.jsonl:2: not a history event' "$tmp/err" || bad "a broken history line was not refused"
printf '{"id":99999999,"type":"ExecutionStarted"}\n' > "$tmp/bad.jsonl"
"$ASLC" graph --history "$tmp/bad.jsonl" "$h" > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q 'out of range' "$tmp/err" || bad "an event id out of range was not refused"
"$ASLC" graph --history "$tmp/missing.jsonl" "$h" > /dev/null 2>&1
[ $? = 2 ] || bad "a missing history file did not exit 2"

[ $fail = 0 ] && echo "graph: all passed"
exit $fail
