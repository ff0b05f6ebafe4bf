#!/bin/bash
# Regenerates samples/*.pcap[ng], samples/expected.tsv and samples/README.md
# from real traffic: brings up the namespace testbed (tests/e2e/testbed.sh: a
# client with eth0 + a real WireGuard wg0, a NATing home router, STUN, DNS and
# DTLS servers on documentation addresses), captures each scenario inside the
# client namespace, tears everything down (also on failure).
#
#   sudo scripts/make-samples.sh            # writes into samples/
#   SAMPLES_DIR=/tmp/x scripts/make-samples.sh
#
# Needs root, wireguard-go, wireguard-tools, coturn, dnsmasq-base, nftables,
# openssl, bind9-dnsutils (dig), tcpdump, tshark/dumpcap/reordercap, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TB=$ROOT/tests/e2e/testbed.sh
CLIENTS=$ROOT/tests/e2e/clients
OUT=${SAMPLES_DIR:-$ROOT/samples}
PY=/usr/bin/python3
# shellcheck source=tests/e2e/testbed.env
. "$ROOT/tests/e2e/testbed.env"
export LA_TB=samples$$
WORK=$(mktemp -d /tmp/leakaudit-samples.XXXXXX)
INTENTS=$WORK/intents.jsonl
CAP_PID=""
CAP_FILTER="udp or tcp"     # no ARP, NDP, MLD, IGMP, ICMP: samples stay small and on topic

[ "$(id -u)" -eq 0 ] || { echo "make-samples: needs root (network namespaces)" >&2; exit 1; }
for t in dumpcap tcpdump tshark reordercap dig "$PY"; do
    command -v "$t" >/dev/null || { echo "make-samples: missing $t" >&2; exit 1; }
done

cleanup() {
    local rc=$?
    set +e
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null
    LA_TB_QUIET=1 "$TB" down
    rm -rf -- "$WORK"
    [ $rc = 0 ] || echo "make-samples: FAILED (rc=$rc); testbed torn down" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cx() { "$TB" exec client "$@"; }
pause() { sleep 0.3; }       # keeps scenarios apart in time, so the frames read in order

# --- captures (inside the client namespace) ----------------------------------
start_dumpcap() {   # start_dumpcap FILE: eth0 + wg0, pcapng with named IDBs
    rm -f "$WORK/$1.raw"
    ip netns exec "la-$LA_TB-client" dumpcap -q -i eth0 -f "$CAP_FILTER" -i wg0 -f "$CAP_FILTER" \
        -w "$WORK/$1.raw" 2>"$WORK/$1.log" &
    CAP_PID=$!
    local i
    for ((i = 0; i < 50; i++)); do [ -s "$WORK/$1.raw" ] && break; sleep 0.1; done
    sleep 1     # dumpcap -q prints no "ready" line; the file header comes a little before the socket
}
start_tcpdump() {   # start_tcpdump FILE IFACE
    rm -f "$WORK/$1.raw"
    ip netns exec "la-$LA_TB-client" tcpdump -n -U -Z root -i "$2" -w "$WORK/$1.raw" "$CAP_FILTER" \
        2>"$WORK/$1.log" &
    CAP_PID=$!
    local i
    for ((i = 0; i < 50; i++)); do grep -q "listening on" "$WORK/$1.log" 2>/dev/null && break; sleep 0.1; done
    sleep 0.3
}
stop_capture() {    # stop_capture FILE: stop, put frames in time order, install into $OUT
    sleep 0.5
    kill -INT "$CAP_PID"; wait "$CAP_PID" || true; CAP_PID=""
    reordercap "$WORK/$1.raw" "$OUT/$1" >/dev/null   # dumpcap interleaves interfaces out of order
    chmod 644 "$OUT/$1"
    echo "make-samples: $1: $(tshark -r "$OUT/$1" 2>/dev/null | wc -l) frames, $(stat -c %s "$OUT/$1") bytes" >&2
}

# --- scenario actions; each logs its intent for expected_tsv.py ---------------
intent() { echo "$1" >>"$INTENTS"; }
TXN=0
stun() {  # stun FILE VERDICT IFACE EXPECTED_EXPOSED_IP SERVER [client options...]
    local file=$1 verdict=$2 iface=$3 expect=$4 server=$5; shift 5
    TXN=$((TXN + 1))
    local txid ipver=4 sport=$((40000 + TXN))
    txid=$(printf '6c65616b6175646974%06x' "$TXN")        # "leakaudit" + counter: easy to spot
    case $server in *:*) ipver=6 ;; esac
    cx "$PY" "$CLIENTS/stun_binding.py" --server "$server" --port "$TB_STUN_PORT" --txid "$txid" \
        --sport "$sport" --timeout 3 "$@" >&2
    intent "{\"file\":\"$file\",\"kind\":\"stun-binding\",\"txid\":\"$txid\",\"interface\":\"$iface\",\"ip_version\":$ipver,\"transport\":\"udp\",\"dst\":\"$server\",\"dst_port\":$TB_STUN_PORT,\"verdict\":\"$verdict\",\"expect_exposed_ip\":\"$expect\"}"
    pause
}
dns() {   # dns FILE VERDICT IFACE SERVER NAME QTYPE [udp|tcp]
    local file=$1 verdict=$2 iface=$3 server=$4 name=$5 qtype=$6 transport=${7:-udp} ipver=4 tcpflag=""
    case $server in *:*) ipver=6 ;; esac
    [ "$transport" = tcp ] && tcpflag=+tcp
    cx dig +nocookie +tries=1 +time=3 $tcpflag @"$server" "$name" "$qtype" +short >&2
    intent "{\"file\":\"$file\",\"kind\":\"dns-query\",\"name\":\"$name\",\"interface\":\"$iface\",\"ip_version\":$ipver,\"transport\":\"$transport\",\"dst\":\"$server\",\"dst_port\":53,\"verdict\":\"$verdict\"}"
    pause
}
dtls() {  # dtls FILE VERDICT IFACE [openssl s_client options...]
    local file=$1 verdict=$2 iface=$3; shift 3
    echo | cx timeout 8 openssl s_client -dtls1_2 -connect "$TB_DTLS_V4:$TB_DTLS_PORT" \
        -use_srtp SRTP_AES128_CM_SHA1_80 -brief "$@" >/dev/null 2>&1
    intent "{\"file\":\"$file\",\"kind\":\"dtls-client-hello\",\"interface\":\"$iface\",\"ip_version\":4,\"transport\":\"udp\",\"dst\":\"$TB_DTLS_V4\",\"dst_port\":$TB_DTLS_PORT,\"verdict\":\"$verdict\"}"
    pause
}

mkdir -p "$OUT"
LA_TB_QUIET=1 "$TB" up

# 1. webrtc-leak.pcapng: what a WebRTC page learns while the VPN is up.
F=webrtc-leak.pcapng
"$TB" wg-reset
start_dumpcap $F
stun $F inside-vpn wg0 "$TB_VPN_ENDPOINT_V4" "$TB_STUN_V4" --software "leakaudit-testbed"
stun $F leak eth0 "$TB_ROUTER_WAN_V4" "$TB_STUN_V4" --device eth0 --ice "Rj4c:8hXq"
stun $F leak eth0 "$TB_CLIENT_V6" "$TB_STUN_V6"
"$TB" policy-route on        # per-interface socket bound to eth0's address: leaves by eth0
dtls $F leak eth0 -bind "$TB_CLIENT_V4:40100"
"$TB" policy-route off
stop_capture $F

# 2. dns-leak-any.pcap: tcpdump -i any (LINUX_SLL2: ifindex + direction).
F=dns-leak-any.pcap
IFMAP=$(ip -n "la-$LA_TB-client" -o link | awk -F': ' '{ split($2, n, "@"); printf "%s%s=%s", sep, $1, n[1]; sep="," }')
"$TB" wg-reset
start_tcpdump $F any
dns $F inside-vpn wg0 "$TB_DNS_V4" through-tunnel.example.net A
dns $F leak eth0 "$TB_ROUTER_LAN_V4" router-leak.example.com A
dns $F leak eth0 "$TB_ROUTER_LAN_V4" tcp-leak.example.com A tcp
dns $F leak eth0 "$TB_ROUTER_LAN_V6" v6-leak.example.com AAAA
stop_capture $F

# 3. clean.pcapng: everything through the tunnel; eth0 carries only WireGuard.
F=clean.pcapng
"$TB" wg-reset
start_dumpcap $F
stun $F inside-vpn wg0 "$TB_VPN_ENDPOINT_V4" "$TB_STUN_V4"
dns $F inside-vpn wg0 "$TB_DNS_V4" clean.example.net A
dns $F inside-vpn wg0 "$TB_DNS_V4" clean-tcp.example.net A tcp
dtls $F inside-vpn wg0
stop_capture $F

# 4. vpn-underlay-eth0.pcap: only eth0, Ethernet, no interface names. The
#    WireGuard handshake/transport to 192.0.2.1:51820 is the VPN's evidence;
#    the tunnelled STUN and DNS appear only as WireGuard transport data.
F=vpn-underlay-eth0.pcap
"$TB" wg-reset
start_tcpdump $F eth0
cx "$PY" "$CLIENTS/stun_binding.py" --server "$TB_STUN_V4" --txid 6c65616b6175646974ffff01 >&2; pause
cx dig +nocookie +tries=1 +time=3 @"$TB_DNS_V4" tunnelled.example.net +short >&2; pause
stun $F leak eth0 "$TB_ROUTER_WAN_V4" "$TB_STUN_V4" --device eth0
dns $F leak eth0 "$TB_ROUTER_LAN_V4" underlay-leak.example.org A
stop_capture $F

# 5. no-vpn.pcap: the VPN is off (no wg0); the same traffic is not a leak.
F=no-vpn.pcap
"$TB" vpn-off
start_tcpdump $F eth0
stun $F no-vpn eth0 "$TB_ROUTER_WAN_V4" "$TB_STUN_V4"
stun $F no-vpn eth0 "$TB_CLIENT_V6" "$TB_STUN_V6"
dns $F no-vpn eth0 "$TB_ROUTER_LAN_V4" no-vpn.example.org A
dns $F no-vpn eth0 "$TB_DNS_V4" public.example.net A
stop_capture $F

"$PY" "$CLIENTS/expected_tsv.py" --intents "$INTENTS" --dir "$OUT" --out "$OUT/expected.tsv" \
    --ifmap "dns-leak-any.pcap:$IFMAP"
echo "make-samples: client ifindex map for dns-leak-any.pcap: $IFMAP" >&2
"$PY" "$CLIENTS/expected_tsv.py" --counts --dir "$OUT" \
    webrtc-leak.pcapng dns-leak-any.pcap clean.pcapng vpn-underlay-eth0.pcap no-vpn.pcap >"$WORK/counts.tsv"
column -t "$WORK/counts.tsv" >&2
