# netns_pair.sh — sourced by the live tests (t_live, t_attrib, t_sighup): the
# two throwaway namespaces they share. Client "eth0" 198.51.100.10/24 is a veth
# to server "lan0" 198.51.100.1/24 (documentation addresses only; nothing
# touches the host's interfaces). Not a test itself (no t_ prefix).

# netns_pair_up CLIENT SERVER: both namespaces, the veth, addresses, links up.
# Prints the TAP skip line and exits when namespaces cannot be made.
netns_pair_up() {
    ip netns add "$1" && ip netns add "$2" || { echo "1..0 # SKIP cannot create namespaces"; exit 0; }
    ip link add eth0 netns "$1" type veth peer name lan0 netns "$2"
    ip -n "$1" addr add 198.51.100.10/24 dev eth0
    ip -n "$2" addr add 198.51.100.1/24 dev lan0
    for ns in "$1" "$2"; do ip -n "$ns" link set lo up; done
    ip -n "$1" link set eth0 up
    ip -n "$2" link set lan0 up
}

# netns_pair_down CLIENT SERVER: ends what still runs inside, then removes both.
netns_pair_down() {
    ip netns pids "$1" 2>/dev/null | xargs -r kill 2>/dev/null
    ip netns pids "$2" 2>/dev/null | xargs -r kill 2>/dev/null
    sleep 0.2
    ip netns del "$1" 2>/dev/null
    ip netns del "$2" 2>/dev/null
}

# TAP: check NAME EXPRESSION (counts in $n and $fails).
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n $1"; else fails=$((fails + 1)); echo "not ok $n $1"; fi; }
