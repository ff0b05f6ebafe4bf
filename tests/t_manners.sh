#!/usr/bin/env bash
# tcpdump-style manners: -n is accepted and changes nothing, --help carries
# examples and the config file, colour only on a terminal (script(1) gives a
# pty) unless --color=always, NO_COLOR respected. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
sample="$root/samples/webrtc-leak.pcapng"

"$LA" -r "$sample" >"$tmp/plain" 2>&1; rc1=$?
"$LA" -n -r "$sample" >"$tmp/numeric" 2>&1; rc2=$?
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && cmp -s "$tmp/plain" "$tmp/numeric"; then ok "-n accepted, output identical"; else notok "-n accepted, output identical" "rc $rc1/$rc2"; fi
"$LA" --help >"$tmp/help"
if grep -q "^Examples:" "$tmp/help" && grep -q "leakaudit -r capture.pcapng" "$tmp/help" && grep -q "/etc/leakaudit.conf" "$tmp/help"; then
    ok "--help has examples and names the config file"
else
    notok "--help has examples and names the config file"
fi
if ! grep -q $'\033' "$tmp/plain"; then ok "--color=auto into a file: no escapes"; else notok "--color=auto into a file: no escapes"; fi
"$LA" -r "$sample" --color=always -q >"$tmp/always"
if [ "$(grep -c $'\033\[1;31mLEAK' "$tmp/always")" -eq 3 ]; then ok "--color=always: 3 red LEAK lines into a file"; else notok "--color=always"; fi
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "$LA -r $sample -q" "$tmp/tty" >/dev/null 2>&1
    if [ "$(grep -ac $'\033\[1;31mLEAK' "$tmp/tty")" -eq 3 ]; then ok "terminal: alerts coloured"; else notok "terminal: alerts coloured"; fi
    NO_COLOR=1 script -qec "$LA -r $sample -q" "$tmp/tty-nc" >/dev/null 2>&1
    if [ "$(grep -ac 'LEAK' "$tmp/tty-nc")" -eq 3 ] && ! grep -aq $'\033\[1;31m' "$tmp/tty-nc"; then ok "terminal with NO_COLOR: no colour"; else notok "terminal with NO_COLOR: no colour"; fi
    script -qec "$LA -r $sample -q --color=never" "$tmp/tty-never" >/dev/null 2>&1
    if ! grep -aq $'\033\[1;31m' "$tmp/tty-never"; then ok "terminal with --color=never: no colour"; else notok "terminal with --color=never"; fi
else
    n=$((n + 1)); echo "ok $n terminal colour # SKIP script(1) cannot open a pty"; echo "# SKIP-NOTE no pty: terminal colour not tested"
fi
echo "1..$n"
[ $fails -eq 0 ]
