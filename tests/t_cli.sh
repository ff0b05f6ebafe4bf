#!/usr/bin/env bash
# Command-line manners: bad input gives one clear error line and exit 2;
# alerts already produced survive errors and signals. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# expect_error NAME WANT_SUBSTRING CMD...: exit 2, exactly one stderr line containing WANT
expect_error() {
    local name=$1 want=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$? lines
    lines=$(grep -c . "$tmp/err")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$want" "$tmp/err"; then
        ok "$name"
    else
        notok "$name" "rc=$rc lines=$lines" "$(head -3 "$tmp/err")"
    fi
}

expect_error "missing file" "No such file" "$LA" -r "$tmp/nope.pcap"
printf 'hello, this is not a capture at all\n' >"$tmp/text.txt"
expect_error "not a capture" "not a pcap or pcapng" "$LA" -r "$tmp/text.txt"
: >"$tmp/empty.pcap"
expect_error "empty file" "empty.pcap" "$LA" -r "$tmp/empty.pcap"
expect_error "a directory" "$tmp" "$LA" -r "$tmp"
expect_error "unknown option" "Unknown option" "$LA" --no-such-option
expect_error "bad --ifname" "INDEX=NAME" "$LA" -r "$tmp/text.txt" --ifname eth0
expect_error "nothing to read" "nothing to read" "$LA"
expect_error "bad --color" "--color" "$LA" -r x --color=sometimes
if [ "$(id -u)" -ne 0 ]; then
    cp "$tmp/text.txt" "$tmp/unreadable.pcap"; chmod 000 "$tmp/unreadable.pcap"
    expect_error "unreadable file" "Permission denied" "$LA" -r "$tmp/unreadable.pcap"
fi

# --version names every library in use.
if "$LA" --version | grep -q "libpcap version" && "$LA" --version | grep -q "nDPI" &&
   "$LA" --version | grep -q "GLib" && "$LA" --version | grep -q "libmaxminddb"; then
    ok "--version lists libpcap, nDPI, GLib, libmaxminddb"
else
    notok "--version lists libpcap, nDPI, GLib, libmaxminddb" "$("$LA" --version 2>&1 | head -5)"
fi

echo "1..$n"
[ $fails -eq 0 ]
