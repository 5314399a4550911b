#!/bin/sh
# deps.sh - make sure the Debian packages aslc builds with are installed.
# Installs what is missing with apt-get (as root, or through sudo when it
# needs no password); otherwise stops and prints the exact command to run.
# Packages named as arguments are wanted too (`make fuzz`: clang).
set -u
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# The libraries the build links or loads (cJSON, libtcc, libcurl, Nettle, libyaml, PCRE2,
# libmicrohttpd, SQLite, Graphviz), cmocka for the unit tests, tcc itself, and
# zip (aslc build --zip writes Lambda packages with it; unzip for their test).
for pkg in libcjson-dev libtcc-dev tcc libcmocka-dev libcurl4-openssl-dev nettle-dev libyaml-dev \
           libpcre2-dev libmicrohttpd-dev libsqlite3-dev libgraphviz-dev pkg-config zip unzip "$@"; do
    have_pkg "$pkg" || need="$need $pkg"
done
# gcc and make are assumed present (you are running make); everything else is here.
[ -z "$need" ] && exit 0
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian system; install the development files of cJSON, libtcc + tcc, cmocka, libcurl, Nettle, libyaml, PCRE2, libmicrohttpd, SQLite and Graphviz" >&2
    exit 1
fi
cmd="apt-get install -y --no-install-recommends$need"
echo "deps: missing Debian packages:$need" >&2
if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $cmd) >&2 && exit 0
fi
echo "deps: could not install them; run this, then make again:" >&2
echo "    sudo apt-get update && sudo $cmd" >&2
exit 1
