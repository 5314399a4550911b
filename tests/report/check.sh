#!/bin/sh
# check.sh - tests of --report (run by tests/run.sh): a run of a sample and
# of tests/graph/hostile.asl.json, through `aslc run` and through an
# executable from `aslc build`, each writes an HTML page that must be
#   1. self-contained: no <script> at all, no src/href to http:// or https://;
#   2. complete: result, graph (an inline <svg>), states, timeline, variables;
#      every state taken has its node id s-<hex of the name> in the SVG and a
#      CSS rule for it, so the picture marks it;
#   3. safe: hostile state names and errors come back as text, never markup;
#   4. when /usr/bin/chromium exists: rendered headless, the DOM holds the same
#      ids and no script, and the console shows no error (CSP included).
# Environment: BUILD (default build), CHROMIUM (default /usr/bin/chromium),
# REPORT_CC (the compiler for aslc build; the sanitized one under make asan).
# Exit 1 on any failure.
set -u
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# check_page FILE STATE... : the static checks; each STATE must have its node
# and appear as text, and be marked taken (!STATE: must not be marked).
check_page() {
    python3 - "$@" <<'PY' || bad "$1: page checks failed"
import sys, html.parser

path, taken = sys.argv[1], sys.argv[2:]
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.ids, self.text, self.style, self.in_style = [], {}, [], "", False
        self.errors = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids[a["id"]] = tag
        for k in ("src", "href", "xlink:href", "action"):
            v = (a.get(k) or "").strip().lower()
            if v.startswith(("http:", "https:", "//")):
                self.errors.append("external %s=%s on <%s>" % (k, v, tag))
        self.in_style = tag == "style"
    def handle_endtag(self, tag):
        self.in_style = False
    def handle_data(self, d):
        if self.in_style:
            self.style += d
        else:
            self.text.append(d)
p = P()
p.feed(open(path, encoding="utf-8").read())
p.close()
err = p.errors
for bad_tag in ("script", "iframe", "object", "embed", "link", "b", "i"):
    if bad_tag in p.tags:
        err.append("a <%s> element" % bad_tag)
for want, tag in (("result", "div"), ("graph", "div"), ("states", "table"),
                  ("timeline", "table"), ("variables", "table")):
    if p.ids.get(want) != tag:
        err.append("no <%s id=%s>" % (tag, want))
if "svg" not in p.tags:
    err.append("no inline <svg>")
if "default-src 'none'" not in open(path, encoding="utf-8").read():
    err.append("no CSP default-src 'none'")
text = "".join(p.text)
for name in taken:
    untaken = name.startswith("!")
    name = name[1:] if untaken else name
    sid = "s-" + name.encode("utf-8").hex()
    if p.ids.get(sid) != "g":
        err.append("no SVG node id %s for %r" % (sid, name))
    if ("#" + sid + "{opacity:1}" in p.style) == untaken:
        err.append("%r is %s" % (name, "marked, not taken" if untaken else "not marked"))
    if name not in text:
        err.append("state name %r is not text on the page" % name)
for e in err:
    print("  " + path + ": " + e)
sys.exit(1 if err else 0)
PY
}

# render FILE STATE... : the page in headless Chromium: DOM and console.
render() {
    page=$1
    shift
    timeout 20 "$CHROMIUM" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --user-data-dir="$tmp/chrome" --dump-dom "file://$page" > "$page.dom" 2> "$page.log" ||
        { bad "$page: chromium failed"; return; }
    # Console messages (and CSP refusals, which are reported there).
    if grep -E 'CONSOLE|Content Security Policy|Refused to' "$page.log"; then
        bad "$page: console errors in chromium"
    fi
    python3 - "$page.dom" "$@" <<'PY' || bad "$page: the rendered DOM is wrong"
import sys, re
dom = open(sys.argv[1], encoding="utf-8").read()
err = []
if "<svg" not in dom or 'id="timeline"' not in dom:
    err.append("the graph or the timeline did not render")
if re.search(r"<script", dom, re.I):
    err.append("a <script> in the DOM")
for name in sys.argv[2:]:
    sid = "s-" + name.lstrip("!").encode("utf-8").hex()
    if 'id="%s"' % sid not in dom:
        err.append("no node %s in the DOM" % sid)
for e in err:
    print("  " + sys.argv[1] + ": " + e)
sys.exit(1 if err else 0)
PY
}

# page NAME DEF "STATES (one per line, see check_page)" RUN-ARGS... : run through aslc run and an executable.
page() {
    n=$1 def=$2 states=$3
    shift 3
    # The runs may fail (that is what some pages show): only a sanitizer
    # report in their stderr, or a missing page, is a failure here.
    "$ASLC" run "$def" --wait skip --report "$tmp/$n.run.html" "$@" > /dev/null 2> "$tmp/$n.err"
    if [ -n "${REPORT_CC:-}" ]; then
        "$ASLC" build --cc "$REPORT_CC" "$def" -o "$tmp/$n.exe" > /dev/null 2>> "$tmp/$n.err"
    else
        "$ASLC" build "$def" -o "$tmp/$n.exe" > /dev/null 2>> "$tmp/$n.err"
    fi || bad "aslc build $def failed"
    [ -x "$tmp/$n.exe" ] && "$tmp/$n.exe" --wait skip --report "$tmp/$n.exe.html" "$@" > /dev/null 2>> "$tmp/$n.err"
    if grep -E 'Sanitizer|runtime error:' "$tmp/$n.err"; then
        bad "$n: sanitizer errors"
    fi
    for f in "$tmp/$n.run.html" "$tmp/$n.exe.html"; do
        [ -s "$f" ] || { bad "$f: no report written"; continue; }
        # shellcheck disable=SC2086 # one state name per line
        old_ifs=$IFS IFS='
'
        set -- $states
        IFS=$old_ifs
        check_page "$f" "$@"
        if [ -x "$CHROMIUM" ]; then render "$f" "$@"; fi
    done
}

page shipping samples/shipping-check.asl.json 'CheckAddress
MissingPostcode
!Ready' --input-file samples/shipping-check.input.json
# Parallel branches and a Map's processor: nodes inside clusters.
page fanout tests/graph/fanout.asl.json 'P
B1
B2
M
Try
Caught
Last' --input '{"items":[1,2,3]}' --mock-config tests/graph/fanout.mock.json --test-case t
page hostile tests/graph/hostile.asl.json '"];</svg><script>
a\nb |{x}| --> end
!été ☃ 😀 &#60;' --input '{"x":"y"}' \
    --mock-config tests/graph/hostile.mock.json --test-case t

# The hostile error and cause are text too.
if [ -s "$tmp/hostile.run.html" ]; then
    grep -qF '</svg><script>alert(1)' "$tmp/hostile.run.html" && bad "hostile: raw cause on the page"
    grep -qF '&lt;/svg&gt;&lt;script&gt;alert(1)' "$tmp/hostile.run.html" || bad "hostile: the cause is not shown as text"
fi

# A page that cannot be written is said so (the exit status stays the run's,
# as for --history).
"$ASLC" run samples/expense-approval.asl.json --input-file samples/expense-approval.input.json \
    --wait skip --report "$tmp/no/such/dir/r.html" > /dev/null 2> "$tmp/nowrite.err"
grep -qF -- "--report: cannot write '$tmp/no/such/dir/r.html'" "$tmp/nowrite.err" ||
    bad "an unwritable --report path is not reported"
if [ -w /dev/full ]; then
    "$ASLC" run samples/expense-approval.asl.json --input-file samples/expense-approval.input.json \
        --wait skip --report /dev/full > /dev/null 2> "$tmp/full.err"
    grep -qF -- "--report: error writing '/dev/full'" "$tmp/full.err" || bad "a full disk under --report is not reported"
fi

[ -x "$CHROMIUM" ] || echo "SKIPPED: rendering in a browser ($CHROMIUM not found)"
[ $fail = 0 ] && echo "report: all checks passed"
exit $fail
