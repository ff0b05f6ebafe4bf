#!/usr/bin/env bash
# -Z USER: live capture in a throwaway network namespace, then leakaudit runs
# as USER (nobody) with no capabilities and still alerts; bad uses fail with
# one clear line and exit 2. Documentation addresses only. Needs root.
set -u
LA=${LEAKAUDIT:-$PWD/leakaudit}
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1 || ! id nobody >/dev/null 2>&1; then
    echo "1..0 # SKIP needs root, ip netns and user nobody"
    exit 0
fi
c=la-pd-c-$$ s=la-pd-s-$$
tmp=$(mktemp -d)
la=""
cleanup() {
    [ -n "$la" ] && kill -INT "$la" 2>/dev/null
    ip netns del "$c" 2>/dev/null
    ip netns del "$s" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0 fails=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n $1"; else fails=$((fails + 1)); echo "not ok $n $1"; fi; }

"$LA" -i any -Z no-such-user-leakaudit >"$tmp/o1" 2>"$tmp/e1"; rc1=$?
check "unknown user: exit 2" '[ $rc1 -eq 2 ]'
check "unknown user: one clear line" '[ "$(cat "$tmp/e1")" = "leakaudit: -Z '"'"'no-such-user-leakaudit'"'"': no such user" ]'
"$LA" -r "${LEAKAUDIT_ROOT:-.}/samples/no-vpn.pcap" -Z nobody >"$tmp/o2" 2>"$tmp/e2"; rc2=$?
check "-Z with -r: exit 2, says why" '[ $rc2 -eq 2 ] && grep -q "^leakaudit: -Z USER applies to live capture" "$tmp/e2"'

ip netns add "$c" && ip netns add "$s" || { echo "1..0 # SKIP cannot create namespaces"; exit 0; }
ip link add eth0 netns "$c" type veth peer name lan0 netns "$s"
ip -n "$c" addr add 198.51.100.10/24 dev eth0
ip -n "$s" addr add 198.51.100.1/24 dev lan0
ip -n "$c" link set eth0 up
ip -n "$s" link set lan0 up
ip netns exec "$c" "$LA" -i any -Z nobody --require-vpn --json "$tmp/alerts.jsonl" >/dev/null 2>"$tmp/err" &
la=$!
sleep 1.5
status=$(cat "/proc/$la/status" 2>/dev/null)
nobody=$(id -u nobody)
check "runs as nobody (real, effective, saved, fs uid)" \
    '[ "$(echo "$status" | awk "/^Uid:/ {print \$2, \$3, \$4, \$5}")" = "$nobody $nobody $nobody $nobody" ]'
check "no capabilities left (CapEff and CapPrm 0)" \
    '[ "$(echo "$status" | awk "/^Cap(Eff|Prm):/ {print \$2}" | sort -u)" = "0000000000000000" ]'
check "no_new_privs set" '[ "$(echo "$status" | awk "/^NoNewPrivs:/ {print \$2}")" = 1 ]'
ip netns exec "$c" /usr/bin/python3 -c '
import socket, struct
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x07dropped\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(q, ("198.51.100.1", 53))
'
sleep 1
kill -INT $la
wait $la
rc=$?
la=""
check "still captures and alerts after the drop (exit 1)" \
    '[ $rc -eq 1 ] && grep -q "\"interface\":\"eth0\".*dropped.example.com" "$tmp/alerts.jsonl"'
check "kernel counters still read after the drop" 'grep -q "kernel: [0-9]* packets received" "$tmp/err"'
echo "1..$n"
[ $fails -eq 0 ] || { echo "# stderr:"; sed 's/^/#   /' "$tmp/err"; echo "# status:"; echo "$status" | sed 's/^/#   /'; }
[ $fails -eq 0 ]
