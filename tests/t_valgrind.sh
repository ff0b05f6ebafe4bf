#!/usr/bin/env bash
# valgrind memcheck over real samples (pcapng through our block reader, pcap
# through libpcap, evidence writing and JSON on): no invalid read or write,
# no use of uninitialised memory, nothing definitely or indirectly lost.
# The plain build only (a sanitizer build cannot run under valgrind). TAP.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
build=${LEAKAUDIT_BUILD:-build}
n=0 fails=0
if ! command -v valgrind >/dev/null; then
    echo "1..0 # SKIP valgrind not installed"
    echo "# SKIP-NOTE valgrind not installed (scripts/install-deps.sh): memcheck test skipped"
    exit 0
fi
case $build in *asan*)
    echo "1..0 # SKIP sanitizer build: valgrind runs on the plain build"
    exit 0;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# memcheck NAME WANT_RC ARGS...: leakaudit's own exit status must be WANT_RC
memcheck() {
    local name=$1 want=$2; shift 2
    n=$((n + 1))
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes \
        --log-file="$tmp/vg.$n" "$LA" "$@" >"$tmp/out.$n" 2>"$tmp/err.$n"
    local rc=$?
    local errors lost
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$tmp/vg.$n" | tail -1)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$tmp/vg.$n" | tail -1)
    if [ "$rc" -eq "$want" ] && [ "${errors:-x}" = 0 ] && [ "${lost:-0}" = 0 ]; then
        echo "ok $n $name (memcheck: 0 errors, ${lost:-0} bytes definitely lost)"
    else
        fails=$((fails + 1))
        echo "not ok $n $name (rc=$rc want $want, errors=${errors:-?}, definitely lost=${lost:-?})"
        grep -E 'Invalid|uninitialised|definitely lost|indirectly lost|at 0x|by 0x' "$tmp/vg.$n" | head -20 | sed 's/^/#   /'
    fi
}

memcheck "webrtc-leak.pcapng: alerts, JSON, evidence" 1 -r "$root/samples/webrtc-leak.pcapng" --json "$tmp/a.json" -w "$tmp/ev.pcapng"
memcheck "dns-leak-any.pcap (libpcap, SLL2, TCP DNS): every event" 1 -r "$root/samples/dns-leak-any.pcap" \
    --ifname 1=lo --ifname 2=eth0 --ifname 3=wg0 --events --json "$tmp/b.json"
memcheck "clean.pcapng: clean run" 0 -r "$root/samples/clean.pcapng"
# the evidence written above reads back with the same alerts
memcheck "evidence read back" 1 -r "$tmp/ev.pcapng"
# a truncated capture: the error path frees what it holds too
head -c 1500 "$root/samples/webrtc-leak.pcapng" >"$tmp/cut.pcapng"
memcheck "truncated pcapng: error exit" 2 -r "$tmp/cut.pcapng"
echo "1..$n"
[ $fails -eq 0 ]
