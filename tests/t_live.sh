#!/usr/bin/env bash
# Live capture end to end in two network namespaces this test creates and
# removes (documentation addresses only; nothing touches the host's
# interfaces): `leakaudit -i any` in the client namespace must name the veth
# "eth0" from rtnetlink, see a DNS query and a STUN binding leave by it, alert
# (with --require-vpn, since no VPN is up), flush on SIGINT and exit 1.
# Needs root; skips otherwise. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
    echo "1..0 # SKIP needs root and ip netns"
    exit 0
fi
. "$(dirname "$0")/netns_pair.sh"
c=la-live-c-$$ s=la-live-s-$$
tmp=$(mktemp -d)
cleanup() {
    netns_pair_down "$c" "$s"
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0 fails=0

netns_pair_up "$c" "$s"

ip netns exec "$c" "$LA" -i any --require-vpn --json "$tmp/alerts.jsonl" -q >"$tmp/out" 2>"$tmp/err" &
la=$!
sleep 1.5
ip netns exec "$c" python3 - <<'PY'
import socket, struct, os
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + b"\x04live\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
s.sendto(q, ("198.51.100.1", 53))
stun = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + os.urandom(12)
s.sendto(stun, ("198.51.100.1", 3478))
PY
sleep 1.5
kill -INT $la
wait $la
rc=$?
check "exit status 1 after SIGINT (leaks found)" '[ $rc -eq 1 ]'
check "DNS query alert on eth0 named from rtnetlink" \
    'grep -q "\"event_type\":\"dns\".*\"interface\":\"eth0\".*\"dest_ip\":\"198.51.100.1\".*\"verdict\":\"leak\"" "$tmp/alerts.jsonl"'
check "STUN binding alert on eth0" \
    'grep -q "\"event_type\":\"stun\".*\"interface\":\"eth0\".*\"dest_port\":3478.*\"verdict\":\"leak\"" "$tmp/alerts.jsonl"'
check "direction came from the capture (SLL2), not inferred" '! grep -q direction_inferred "$tmp/alerts.jsonl"'
check "nothing on stderr but the kernel counters" '! grep -v "kernel:" "$tmp/err" | grep -q .'
echo "1..$n"
[ $fails -eq 0 ] || { echo "# stderr:"; sed 's/^/#   /' "$tmp/err"; echo "# alerts:"; sed 's/^/#   /' "$tmp/alerts.jsonl"; }
[ $fails -eq 0 ]
