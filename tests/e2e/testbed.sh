#!/bin/bash
# leakaudit network-namespace testbed: a client behind a NATing home router,
# a real WireGuard VPN (wireguard-go), STUN servers (coturn), resolvers
# (dnsmasq) and a DTLS server (openssl), all inside four network namespaces on
# documentation addresses. Nothing touches the host's interfaces, routes or
# /run/wireguard; every process it starts lives in one of its namespaces.
#
#   tests/e2e/testbed.sh up                      build everything (root)
#   tests/e2e/testbed.sh down                    kill its processes, delete its namespaces
#   tests/e2e/testbed.sh status                  namespaces, links, routes, processes, handshake
#   tests/e2e/testbed.sh exec ROLE CMD...        run CMD in a namespace (client|router|inet|vpn)
#   tests/e2e/testbed.sh wg ROLE ARGS...         run `wg ARGS` against that namespace's wireguard-go
#   tests/e2e/testbed.sh wg-reset                forget the client's session: the next packet makes a new handshake
#   tests/e2e/testbed.sh vpn-off | vpn-on        stop / restart the client's wireguard-go (wg0 disappears)
#   tests/e2e/testbed.sh policy-route on|off     'from 198.51.100.10 lookup 100' (per-interface sockets leak)
#   tests/e2e/testbed.sh env                     print shell assignments: namespace names, state dir, addresses
#
# Instance id: $LA_TB (default: the pid of `up`). Namespaces are la-<id>-client,
# la-<id>-router, la-<id>-inet, la-<id>-vpn; state (keys, logs, pids) lives in
# $LA_TB_STATE_ROOT/<id> (default /tmp/leakaudit-testbed/<id>). Commands other
# than `up` find the instance from $LA_TB, or take the only one that exists.
# Addresses: tests/e2e/testbed.env.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/testbed.env
. "$HERE/testbed.env"
STATE_ROOT=${LA_TB_STATE_ROOT:-/tmp/leakaudit-testbed}
PY=/usr/bin/python3              # not a pyenv shim: shims fork and hide the pid
ROLES="client router inet vpn"

die() { echo "testbed: $*" >&2; exit 1; }
log() { [ -n "${LA_TB_QUIET:-}" ] || echo "testbed: $*" >&2; }

resolve_id() {
    if [ -n "${LA_TB:-}" ]; then ID=$LA_TB; return; fi
    local dirs=()
    [ -d "$STATE_ROOT" ] && mapfile -t dirs < <(find "$STATE_ROOT" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')
    case ${#dirs[@]} in
        1) ID=${dirs[0]} ;;
        0) die "no testbed is up (set LA_TB?)" ;;
        *) die "several testbeds are up (${dirs[*]}): set LA_TB" ;;
    esac
}
ns()  { echo "$TB_PREFIX-$ID-$1"; }
nsx() { local role=$1; shift; ip netns exec "$(ns "$role")" "$@"; }
sysw() { local role=$1; shift; local kv; for kv in "$@"; do nsx "$role" sysctl -qw "$kv" >/dev/null; done; }

# Start a long-lived daemon in a namespace; its pid goes to $S/<name>.pid.
# `ip netns exec` execs the command, so $! is the daemon itself.
spawn() {
    local role=$1 name=$2; shift 2
    ip netns exec "$(ns "$role")" "$@" </dev/null >"$S/$name.log" 2>&1 &
    echo $! >"$S/$name.pid"
}

alive() {  # pid alive and not a zombie (the lab's pid 1 reaps lazily)
    local pid=$1 st
    [ -r "/proc/$pid/stat" ] || return 1
    st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ "$st" != Z ]
}

wait_for() {  # wait_for SECONDS DESCRIPTION CMD...: poll every 0.1 s
    local limit=$(( $1 * 10 )) what=$2 i; shift 2
    for ((i = 0; i < limit; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "timed out waiting for $what"
}

# --- WireGuard -------------------------------------------------------------
# wireguard-go's UAPI socket /var/run/wireguard/wg0.sock is not per netns, so
# each instance runs in its own mount namespace with a private tmpfs on /run,
# and `wg` reaches it through nsenter into that mount namespace.
start_wg() {
    local role=$1
    ip netns exec "$(ns "$role")" unshare --mount --propagation private \
        sh -c 'mount -t tmpfs -o mode=0755 leakaudit-tb-run /run && exec wireguard-go -f wg0' \
        </dev/null >"$S/wg-$role.log" 2>&1 &
    echo $! >"$S/wg-$role.pid"
    local pid=$!
    wait_for 10 "wireguard-go in $role" sh -c "[ -S /proc/$pid/root/run/wireguard/wg0.sock ] && nsenter -t $pid -m -n wg show wg0"
}
wgx() {  # wgx ROLE ARGS...: wg in the role's wireguard-go mount+net namespace
    local role=$1; shift
    [ -r "$S/wg-$role.pid" ] || die "no wireguard-go in $role"
    nsenter -t "$(cat "$S/wg-$role.pid")" -m -n wg "$@"
}

client_wg_up() {
    sysw client net.ipv6.conf.default.disable_ipv6=1   # wg0 gets no link-local, no router solicitations
    start_wg client
    wgx client set wg0 private-key "$S/client.key" listen-port "$TB_CLIENT_WG_PORT" \
        peer "$(cat "$S/server.pub")" endpoint "$TB_VPN_ENDPOINT_V4:$TB_VPN_PORT" allowed-ips 0.0.0.0/0
    nsx client ip addr add "$TB_CLIENT_WG_V4/32" dev wg0
    nsx client ip link set wg0 up
    nsx client ip route add default dev wg0 src "$TB_CLIENT_WG_V4"
}

# --- up ----------------------------------------------------------------------
cmd_up() {
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
    local t
    for t in ip nsenter unshare wireguard-go wg turnserver dnsmasq nft openssl "$PY"; do
        command -v "$t" >/dev/null || die "missing $t"
    done
    ID=${LA_TB:-$$}
    S=$STATE_ROOT/$ID
    local role
    for role in $ROLES; do
        [ ! -e "/run/netns/$(ns "$role")" ] || die "namespace $(ns "$role") exists already (testbed.sh down?)"
    done
    mkdir -p "$S"; chmod 700 "$S"
    UP_DONE=
    trap 'if [ -z "$UP_DONE" ]; then echo "testbed: up failed, tearing down" >&2; cmd_down_quiet; fi' EXIT
    trap 'exit 130' INT TERM

    for role in $ROLES; do
        ip netns add "$(ns "$role")"
        nsx "$role" ip link set lo up
        # Quiet, deterministic links: no RA/RS, no DAD delays, no rp_filter surprises.
        sysw "$role" net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
            net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 \
            net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    done

    # Links, created directly inside the namespaces (never in the host's).
    ip -n "$(ns client)" link add eth0 address 02:00:5e:10:00:10 type veth \
        peer name lan0 address 02:00:5e:10:00:01 netns "$(ns router)"
    ip -n "$(ns router)" link add wan0 address 02:00:5e:10:01:02 type veth \
        peer name wan0 address 02:00:5e:10:01:01 netns "$(ns inet)"
    ip -n "$(ns inet)" link add vpn0 address 02:00:5e:10:02:02 type veth \
        peer name eth0 address 02:00:5e:10:02:01 netns "$(ns vpn)"

    # client
    nsx client ip addr add "$TB_CLIENT_V4/24" dev eth0
    nsx client ip addr add "$TB_CLIENT_V6/64" dev eth0 nodad
    nsx client ip link set eth0 up
    nsx client ip route add "$TB_VPN_ENDPOINT_V4/32" via "$TB_ROUTER_LAN_V4" dev eth0
    nsx client ip route add default via "$TB_ROUTER_LAN_V4" dev eth0 metric 1000
    nsx client ip route add default via "$TB_ROUTER_LAN_V4" dev eth0 table "$TB_CLIENT_POLICY_TABLE"
    nsx client ip -6 route add default via "$TB_ROUTER_LAN_V6" dev eth0

    # home router: LAN, WAN, NAT (IPv4 masquerade; IPv6 routed as is)
    nsx router ip addr add "$TB_ROUTER_LAN_V4/24" dev lan0
    nsx router ip addr add "$TB_ROUTER_LAN_V6/64" dev lan0 nodad
    nsx router ip addr add "$TB_ROUTER_WAN_V4/30" dev wan0
    nsx router ip addr add "$TB_ROUTER_WAN_V6/64" dev wan0 nodad
    nsx router ip link set lan0 up
    nsx router ip link set wan0 up
    nsx router ip route add default via "$TB_INET_WAN_V4"
    nsx router ip -6 route add default via "$TB_INET_WAN_V6"
    sysw router net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    nsx router nft -f - <<EOF
table ip leakaudit_tb_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "wan0" masquerade
    }
}
EOF

    # the internet
    nsx inet ip addr add "$TB_INET_WAN_V4/30" dev wan0
    nsx inet ip addr add "$TB_INET_WAN_V6/64" dev wan0 nodad
    nsx inet ip addr add "$TB_INET_VPN_V4/25" dev vpn0
    local a
    for a in "$TB_STUN_V4" "$TB_DNS_V4" "$TB_DTLS_V4"; do nsx inet ip addr add "$a/32" dev lo; done
    nsx inet ip addr add "$TB_STUN_V6/128" dev lo nodad
    nsx inet ip link set wan0 up
    nsx inet ip link set vpn0 up
    nsx inet ip -6 route add "${TB_CLIENT_V6%::*}::/64" via "$TB_ROUTER_WAN_V6"
    sysw inet net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

    # VPN server: endpoint 192.0.2.1, tunnel NATed to it
    nsx vpn ip addr add "$TB_VPN_ENDPOINT_V4/25" dev eth0
    nsx vpn ip link set eth0 up
    nsx vpn ip route add default via "$TB_INET_VPN_V4"
    sysw vpn net.ipv4.ip_forward=1 net.ipv6.conf.default.disable_ipv6=1
    nsx vpn nft -f - <<EOF
table ip leakaudit_tb_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr $TB_VPN_GW_V4/25 oifname "eth0" snat to $TB_VPN_ENDPOINT_V4
    }
}
EOF

    # Services. Resolvers answer every name under TB_DNS_DOMAINS, A and AAAA.
    local dnsargs=() d
    for d in $TB_DNS_DOMAINS; do
        dnsargs+=("--address=/$d/$TB_DNS_ANSWER_V4" "--address=/$d/$TB_DNS_ANSWER_V6")
    done
    local dnsmasq_common=(dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts
        --bind-interfaces --pid-file= --user=root --group=root --log-queries
        --log-facility=- --port=53 "${dnsargs[@]}")
    spawn router dnsmasq-router "${dnsmasq_common[@]}" \
        --listen-address="$TB_ROUTER_LAN_V4" --listen-address="$TB_ROUTER_LAN_V6"
    spawn inet dnsmasq-public "${dnsmasq_common[@]}" --listen-address="$TB_DNS_V4"

    # coturn: one instance per address family, one IP each, so it never turns
    # on RFC 5780 (CHANGE-REQUEST probes would hang turnutils_stunclient).
    local fam ip
    for fam in 4 6; do
        if [ $fam = 4 ]; then ip=$TB_STUN_V4; else ip=$TB_STUN_V6; fi
        spawn inet "coturn$fam" turnserver -n --stun-only --no-rfc5780 --no-cli --no-tls --no-dtls \
            --listening-ip="$ip" --listening-port="$TB_STUN_PORT" --realm=testbed.example.net \
            --db="$S/turndb$fam" --log-file="$S/coturn$fam.turnlog" --simple-log --no-stdout-log \
            --pidfile="$S/coturn$fam.selfpid"
    done

    # DTLS 1.2 server offering use_srtp, like a WebRTC peer.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=dtls.example.net" -keyout "$S/dtls.key" -out "$S/dtls.crt" >/dev/null 2>&1
    spawn inet dtls openssl s_server -dtls1_2 -accept "$TB_DTLS_V4:$TB_DTLS_PORT" \
        -cert "$S/dtls.crt" -key "$S/dtls.key" -use_srtp SRTP_AES128_CM_SHA1_80 -quiet -naccept 1000000

    # WireGuard: server in vpn ns, client in client ns.
    (umask 077; wg genkey >"$S/server.key"; wg genkey >"$S/client.key")
    wg pubkey <"$S/server.key" >"$S/server.pub"
    wg pubkey <"$S/client.key" >"$S/client.pub"
    start_wg vpn
    wgx vpn set wg0 private-key "$S/server.key" listen-port "$TB_VPN_PORT" \
        peer "$(cat "$S/client.pub")" allowed-ips "$TB_CLIENT_WG_V4/32"
    nsx vpn ip addr add "$TB_VPN_GW_V4/32" dev wg0
    nsx vpn ip link set wg0 up
    nsx vpn ip route add "$TB_CLIENT_WG_V4/32" dev wg0
    client_wg_up

    # Wait for the services, then prove each path once.
    wait_for 10 "public dnsmasq" nsx inet dig +short +time=1 +tries=1 @"$TB_DNS_V4" probe.example.net
    wait_for 10 "router dnsmasq" nsx router dig +short +time=1 +tries=1 @"$TB_ROUTER_LAN_V4" probe.example.net
    wait_for 10 "coturn (IPv4)" nsx inet sh -c "ss -Hlun 'sport = :$TB_STUN_PORT' | grep -q '$TB_STUN_V4'"
    wait_for 10 "coturn (IPv6)" nsx inet sh -c "ss -Hlun 'sport = :$TB_STUN_PORT' | grep -q '$TB_STUN_V6'"
    wait_for 10 "DTLS server" nsx inet sh -c "ss -Hlun 'sport = :$TB_DTLS_PORT' | grep -q '$TB_DTLS_V4'"
    self_test
    write_env >"$S/env"
    UP_DONE=1
    trap - EXIT INT TERM
    log "up: instance $ID (namespaces $(ns client) ...); state in $S"
}

self_test() {
    local stun="$PY $HERE/clients/stun_binding.py --timeout 2"
    local out
    out=$(nsx client dig +short +time=2 +tries=2 @"$TB_DNS_V4" selftest.example.net) || true
    [ "$out" = "$TB_DNS_ANSWER_V4" ] || die "self-test: DNS through the tunnel failed ($out)"
    out=$(nsx client $stun --server "$TB_STUN_V4" --port "$TB_STUN_PORT" --field mapped-ip)
    [ "$out" = "$TB_VPN_ENDPOINT_V4" ] || die "self-test: STUN through wg0 reflected '$out', not $TB_VPN_ENDPOINT_V4"
    out=$(nsx client $stun --server "$TB_STUN_V4" --port "$TB_STUN_PORT" --device eth0 --field mapped-ip)
    [ "$out" = "$TB_ROUTER_WAN_V4" ] || die "self-test: STUN out eth0 reflected '$out', not $TB_ROUTER_WAN_V4"
    out=$(nsx client $stun --server "$TB_STUN_V6" --port "$TB_STUN_PORT" --field mapped-ip)
    [ "$out" = "$TB_CLIENT_V6" ] || die "self-test: IPv6 STUN reflected '$out', not $TB_CLIENT_V6"
    wgx client show wg0 latest-handshakes | awk '{ exit !($2 > 0) }' || die "self-test: no WireGuard handshake"
}

write_env() {
    local role
    echo "LA_TB=$ID"
    echo "TB_STATE=$S"
    for role in $ROLES; do echo "TB_NS_${role^^}=$(ns "$role")"; done
    grep -E '^TB_[A-Z0-9_]+=' "$HERE/testbed.env" | sed 's/[[:space:]]*#.*$//'
}

# --- down --------------------------------------------------------------------
kill_pids() {  # TERM, wait up to 3 s, then KILL
    local pids=("$@") pid i left
    [ ${#pids[@]} -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for ((i = 0; i < 30; i++)); do
        left=0
        for pid in "${pids[@]}"; do alive "$pid" && left=1; done
        [ $left = 0 ] && return 0
        sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
}

cmd_down() {
    local role n pids=()
    # Every process in our namespaces is ours: `ip netns pids` lists exactly them.
    for role in $ROLES; do
        n=$(ns "$role")
        [ -e "/run/netns/$n" ] || continue
        mapfile -t -O ${#pids[@]} pids < <(ip netns pids "$n" 2>/dev/null)
    done
    kill_pids "${pids[@]}"
    for role in $ROLES; do
        n=$(ns "$role")
        [ -e "/run/netns/$n" ] && ip netns delete "$n"
    done
    [ -n "${S:-}" ] && [ -d "$S" ] && rm -rf -- "$S"
    rmdir "$STATE_ROOT" 2>/dev/null || true
    log "down: instance $ID removed"
}
cmd_down_quiet() { set +e; cmd_down; }

# --- status ------------------------------------------------------------------
cmd_status() {
    local role n
    for role in $ROLES; do
        n=$(ns "$role")
        if [ ! -e "/run/netns/$n" ]; then echo "== $n: absent"; continue; fi
        echo "== $n"
        nsx "$role" ip -br addr
        nsx "$role" ip route; nsx "$role" ip -6 route | grep -v '^fe80\|^multicast' || true
        echo "processes:"; ip netns pids "$n" | while read -r p; do echo "  $p $(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-100)"; done
    done
    if [ -r "$S/wg-client.pid" ] && alive "$(cat "$S/wg-client.pid")"; then
        echo "== client wg0"; wgx client show wg0
    fi
}

# --- main --------------------------------------------------------------------
cmd=${1:-}; shift || true
case $cmd in
    up) cmd_up ;;
    down)
        resolve_id; S=$STATE_ROOT/$ID; cmd_down ;;
    status)
        resolve_id; S=$STATE_ROOT/$ID; cmd_status ;;
    exec)
        resolve_id; S=$STATE_ROOT/$ID
        [ $# -ge 2 ] || die "usage: exec ROLE CMD..."
        role=$1; shift; exec ip netns exec "$(ns "$role")" "$@" ;;
    wg)
        resolve_id; S=$STATE_ROOT/$ID
        [ $# -ge 1 ] || die "usage: wg ROLE ARGS..."
        role=$1; shift; wgx "$role" "$@" ;;
    wg-reset)
        # Removing and re-adding the peer drops its session keys: the next
        # packet starts a new handshake (for captures that must show one).
        resolve_id; S=$STATE_ROOT/$ID
        pub=$(cat "$S/server.pub")
        wgx client set wg0 peer "$pub" remove
        wgx client set wg0 peer "$pub" endpoint "$TB_VPN_ENDPOINT_V4:$TB_VPN_PORT" allowed-ips 0.0.0.0/0
        nsx client ip route replace default dev wg0 src "$TB_CLIENT_WG_V4" ;;
    vpn-off)
        resolve_id; S=$STATE_ROOT/$ID
        kill_pids "$(cat "$S/wg-client.pid")"; rm -f "$S/wg-client.pid"
        wait_for 5 "wg0 to disappear" sh -c "! ip -n $(ns client) link show wg0" ;;
    vpn-on)
        resolve_id; S=$STATE_ROOT/$ID; client_wg_up ;;
    policy-route)
        resolve_id; S=$STATE_ROOT/$ID
        case ${1:-} in
            on)  nsx client ip rule add from "$TB_CLIENT_V4" lookup "$TB_CLIENT_POLICY_TABLE" priority 100 ;;
            off) nsx client ip rule del from "$TB_CLIENT_V4" lookup "$TB_CLIENT_POLICY_TABLE" priority 100 ;;
            *) die "usage: policy-route on|off" ;;
        esac ;;
    env)
        resolve_id; S=$STATE_ROOT/$ID; write_env ;;
    *)
        sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
