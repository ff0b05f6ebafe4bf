#!/usr/bin/env bash
# Live VPN state and interface-index reuse in throwaway network namespaces
# (documentation addresses only; nothing touches the host's interfaces).
# `leakaudit -i any` runs in the client namespace while this script changes
# its routing the way VPN clients do:
#   1. no VPN: VPN-DOWN at start; DNS out eth0 is no-vpn, not a leak
#   2. a tun "wg0" takes the default route (table main): VPN-UP wg0; DNS out
#      eth0 is a leak, DNS into wg0 is inside-vpn
#   3. wg-quick's policy routing (default in table 51820, 'not fwmark' rule,
#      main with suppress_prefixlength 0): VPN-UP again with table 51820
#   4. index reuse: "wg9" with ifindex 40 is deleted and "lan9" takes index 40;
#      packets on index 40 are wg9 (inside-vpn) before and lan9 (leak) after
#   5. wg0 deleted: VPN-DOWN; DNS out eth0 is no-vpn again
# Needs root and /dev/net/tun; skips otherwise. TAP output.
set -u
LA=${LEAKAUDIT:-$PWD/leakaudit}
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1 || [ ! -c /dev/net/tun ]; then
    echo "1..0 # SKIP needs root, ip netns and /dev/net/tun"
    exit 0
fi
c=la-vst-c-$$ s=la-vst-s-$$
tmp=$(mktemp -d)
la=""
cleanup() {
    [ -n "$la" ] && kill -INT "$la" 2>/dev/null
    ip netns pids "$c" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns pids "$s" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns del "$c" 2>/dev/null
    ip netns del "$s" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0 fails=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n $1"; else fails=$((fails + 1)); echo "not ok $n $1"; fi; }
cx() { ip netns exec "$c" "$@"; }

ip netns add "$c" && ip netns add "$s" || { echo "1..0 # SKIP cannot create namespaces"; exit 0; }
ip link add eth0 netns "$c" type veth peer name lan0 netns "$s"
ip -n "$c" addr add 198.51.100.10/24 dev eth0
ip -n "$s" addr add 198.51.100.1/24 dev lan0
for ns in "$c" "$s"; do ip -n "$ns" link set lo up; done
ip -n "$c" link set eth0 up
ip -n "$s" link set lan0 up
ip -n "$c" route add default via 198.51.100.1 dev eth0 metric 1000

# dns NAME SERVER: one A query from a fresh socket (the route decides the interface)
dns() {
    cx /usr/bin/python3 -c '
import socket, struct, sys
name, server = sys.argv[1], sys.argv[2]
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(q, (server, 53))
except OSError:
    pass
' "$1" "$2"
    sleep 0.3
}
settle() { sleep 0.6; }   # netlink notifications reach leakaudit's poll loop

ip netns exec "$c" "$LA" -i any --events --json "$tmp/ev.jsonl" >"$tmp/out" 2>"$tmp/err" &
la=$!
sleep 1.5

dns novpn.example.com 198.51.100.1                         # 1
# A VPN client's tun: wg0 lives while this process holds it (and has carrier,
# so packets routed into it are captured); killing it is the client exiting.
ip netns exec "$c" /usr/bin/python3 -c '
import fcntl, os, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"wg0", 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
time.sleep(120)
' &
tunpid=$!
for _ in $(seq 50); do cx ip link show wg0 >/dev/null 2>&1 && break; sleep 0.1; done                        # 2
cx ip addr add 192.0.2.130/32 dev wg0
cx ip link set wg0 up
cx ip route add default dev wg0
settle
dns leak.example.com 198.51.100.1
dns tunnel.example.com 203.0.113.53
cx ip route del default dev wg0                            # 3
cx ip route add default dev wg0 table 51820
cx ip rule add not fwmark 51820 table 51820 priority 32765
cx ip rule add table main suppress_prefixlength 0 priority 32764
settle
dns policy.example.com 203.0.113.53
ip link add wg9 index 40 netns "$c" type veth peer name wg9p netns "$s"   # 4
ip -n "$s" link set wg9p up
cx ip link set wg9 up
cx ip route add 203.0.113.99/32 dev wg9 table 51820
cx ip neigh add 203.0.113.99 lladdr 02:00:5e:10:00:99 dev wg9 nud permanent
settle
dns before-reuse.example.com 203.0.113.99
cx ip link del wg9
ip link add lan9 index 40 netns "$c" type veth peer name lan9p netns "$s"
ip -n "$s" link set lan9p up
cx ip link set lan9 up
cx ip route add 203.0.113.99/32 dev lan9 table 51820
cx ip neigh add 203.0.113.99 lladdr 02:00:5e:10:00:99 dev lan9 nud permanent
settle
dns after-reuse.example.com 203.0.113.99
kill $tunpid; wait $tunpid 2>/dev/null                     # 5: the VPN client exits
settle
dns gone.example.com 198.51.100.1
sleep 0.3
kill -INT $la
wait $la
rc=$?
la=""

ev="$tmp/ev.jsonl"
# verdict_of NAME: "interface verdict" of the DNS query for NAME
verdict_of() {
    /usr/bin/python3 - "$ev" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event_type") == "dns" and e["dns"]["type"] == "query" and e["dns"]["queries"][0]["rrname"] == sys.argv[2]:
        print(e["interface"], e["verdict"], e.get("vpn") or "-")
        break
PY
}
states() {
    /usr/bin/python3 - "$ev" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event_type") == "vpn_state":
        print(e["state"], e["vpn"] or "-", e["reason"])
PY
}
states >"$tmp/states"
check "exit status 1 (a leak was seen)" '[ $rc -eq 1 ]'
check "first VPN state: down, no VPN route" 'sed -n 1p "$tmp/states" | grep -qx "down - no VPN interface carries a default route"'
check "VPN-UP wg0 by the main table's default route" \
    'sed -n 2p "$tmp/states" | grep -qx "up wg0 wg0 carries the default route (IPv4 default, table main)"'
check "wg-quick policy routing: down, then up by table 51820" \
    'sed -n 3p "$tmp/states" | grep -q "^down " && sed -n 4p "$tmp/states" | grep -qx "up wg0 wg0 carries the default route (IPv4 default, table 51820)"'
check "VPN-DOWN when wg0 is deleted" 'sed -n 5p "$tmp/states" | grep -qx "down - no VPN interface carries a default route"'
check "exactly five VPN state events" '[ "$(wc -l <"$tmp/states")" -eq 5 ]'
check "before the VPN: DNS out eth0 is no-vpn" '[ "$(verdict_of novpn.example.com)" = "eth0 no-vpn -" ]'
check "VPN up: DNS out eth0 is a leak" '[ "$(verdict_of leak.example.com)" = "eth0 leak wg0" ]'
check "VPN up: DNS into wg0 is inside-vpn" '[ "$(verdict_of tunnel.example.com)" = "wg0 inside-vpn wg0" ]'
check "policy-routed DNS goes into wg0, inside-vpn" '[ "$(verdict_of policy.example.com)" = "wg0 inside-vpn wg0" ]'
check "index 40 as wg9: inside-vpn" '[ "$(verdict_of before-reuse.example.com)" = "wg9 inside-vpn wg9" ]'
check "index 40 reused by lan9: labelled lan9, a leak" '[ "$(verdict_of after-reuse.example.com)" = "lan9 leak wg0" ]'
check "after wg0 is gone: DNS out eth0 is no-vpn" '[ "$(verdict_of gone.example.com)" = "eth0 no-vpn -" ]'
check "no packet labelled ifN (every index named)" '[ -s "$ev" ] && ! grep -q "\"interface\":\"if[0-9]" "$ev"'
check "no kernel drops" 'grep -q " 0 dropped (buffer full)" "$tmp/err"'
echo "1..$n"
[ $fails -eq 0 ] || { echo "# stderr:"; sed 's/^/#   /' "$tmp/err"; echo "# states:"; sed 's/^/#   /' "$tmp/states"; echo "# events:"; sed 's/^/#   /' "$ev"; }
[ $fails -eq 0 ]
