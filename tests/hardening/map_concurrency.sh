#!/bin/sh
# tests/hardening/map_concurrency.sh - a distributed Map's MaxConcurrency is
# honoured up to AWS's 10,000 child executions (issue 15; it was capped at
# 257 by the run's thread pool): 1,200 children that each Wait 3 s with
# MaxConcurrency 1000 finish in two rounds (about 6 s; 15 s when only 257
# ran at once) with bounded memory, and MaxConcurrency is never exceeded
# (600 children of 1 s at MaxConcurrency 300 take at least two rounds).
BUILD=${BUILD:-build}
ASLC=$BUILD/aslc
PEAK=$BUILD/tests/peakrss
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "map-concurrency: FAIL: $*"; fails=$((fails + 1)); }
[ -x "$PEAK" ] || { echo "map-concurrency: FAIL: $PEAK is not built"; exit 1; }

machine() { # MAXCONCURRENCY SECONDS
    printf '{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":%s,"ItemsPath":"$.items",
 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
  "StartAt":"W","States":{"W":{"Type":"Wait","Seconds":%s,"Next":"P"},"P":{"Type":"Pass","End":true}}},
 "ResultSelector":{"n.$":"States.ArrayLength($)"},"End":true}}}\n' "$1" "$2"
}
items() { # N
    i=0; printf '{"items":['
    while [ $i -lt "$1" ]; do [ $i -gt 0 ] && printf ','; printf '%d' $i; i=$((i + 1)); done
    printf ']}\n'
}

machine 1000 3 >"$tmp/wide.json"
items 1200 >"$tmp/wide.in"
out=$("$PEAK" -o "$tmp/wide.rss" "$ASLC" run "$tmp/wide.json" --input-file "$tmp/wide.in" 2>"$tmp/err")
[ "$out" = '{"n":1200}' ] || { bad "1,200 children: output '$out'"; head -5 "$tmp/err"; }
wall=$(sed -n 's/.*wall_s=\([0-9]*\).*/\1/p' "$tmp/wide.rss")
rss=$(sed -n 's/.*peak_rss_kb=\([0-9]*\).*/\1/p' "$tmp/wide.rss")
echo "map-concurrency: 1,200 children, MaxConcurrency 1000, Wait 3 s: $(cat "$tmp/wide.rss")"
[ -n "$wall" ] && [ "$wall" -lt 12 ] || bad "1,200 children took ${wall}s: fewer than 1,000 ran at once"
[ -n "$rss" ] && [ "$rss" -lt 262144 ] || bad "1,200 children: peak RSS ${rss} KiB (256 MiB at most)"

machine 300 1 >"$tmp/narrow.json"
items 600 >"$tmp/narrow.in"
out=$("$PEAK" -o "$tmp/narrow.rss" "$ASLC" run "$tmp/narrow.json" --input-file "$tmp/narrow.in" 2>"$tmp/err")
[ "$out" = '{"n":600}' ] || { bad "600 children: output '$out'"; head -5 "$tmp/err"; }
wall=$(sed -n 's/.*wall_s=\([0-9]*\).*/\1/p' "$tmp/narrow.rss")
echo "map-concurrency: 600 children, MaxConcurrency 300, Wait 1 s: $(cat "$tmp/narrow.rss")"
[ -n "$wall" ] && [ "$wall" -ge 2 ] || bad "600 children at MaxConcurrency 300 took ${wall}s: more than 300 ran at once"

[ $fails -eq 0 ] && echo "map-concurrency: passed"
[ $fails -eq 0 ]
