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
NEW=$WORK/out               # samples land in $OUT only when every check passed
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
    reordercap "$WORK/$1.raw" "$NEW/$1" >/dev/null   # dumpcap interleaves interfaces out of order
    chmod 644 "$NEW/$1"
    echo "make-samples: $1: $(tshark -r "$NEW/$1" 2>/dev/null | wc -l) frames, $(stat -c %s "$NEW/$1") bytes" >&2
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
    cx timeout 8 openssl s_client -dtls1_2 -connect "$TB_DTLS_V4:$TB_DTLS_PORT" </dev/null \
        -use_srtp SRTP_AES128_CM_SHA1_80 -brief "$@" >/dev/null 2>&1
    intent "{\"file\":\"$file\",\"kind\":\"dtls-client-hello\",\"interface\":\"$iface\",\"ip_version\":4,\"transport\":\"udp\",\"dst\":\"$TB_DTLS_V4\",\"dst_port\":$TB_DTLS_PORT,\"verdict\":\"$verdict\"}"
    pause
}

readme_template() {
    cat <<'EOF'
# Bundled samples

Real traffic, recorded by `scripts/make-samples.sh` in the network-namespace
testbed (`tests/e2e/testbed.sh`, addresses in `tests/e2e/testbed.env`): a
client with `eth0` and a real WireGuard tunnel `wg0` (wireguard-go), a home
router that NATs and runs the LAN resolver (dnsmasq), STUN servers (coturn),
a public resolver (dnsmasq), a DTLS server (openssl `s_server -use_srtp`) and
the VPN server. All addresses are documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32); nothing left the machine.

```
 client ns                    router ns (home router)       inet ns                        vpn ns
 eth0 198.51.100.10/24 ------ lan0 198.51.100.1  resolver   lo 203.0.113.10:3478  STUN
      2001:db8:1::10/64            2001:db8:1::1 resolver      2001:db8:2::10:3478 STUN
 wg0  192.0.2.130/32          wan0 203.0.113.2 (NAT) ------ wan0 203.0.113.1
      (WireGuard, IPv4 only)       2001:db8:ff::2              203.0.113.53:53     resolver
                                                               203.0.113.20:4433   DTLS
                                                            vpn0 192.0.2.2 ------------- eth0 192.0.2.1:51820 WireGuard
                                                                                         wg0  192.0.2.129, NAT -> 192.0.2.1
 client routes: IPv4 default dev wg0; 192.0.2.1 via 198.51.100.1 dev eth0 (endpoint);
 default via 198.51.100.1 dev eth0 metric 1000 (used by SO_BINDTODEVICE); IPv6 default via eth0.
```

So a STUN server sees **192.0.2.1** (the VPN exit) through the tunnel,
**203.0.113.2** (the user's real public address) when a request leaves by
eth0, and **2001:db8:1::10** over IPv6, which the IPv4-only tunnel does not
carry. While the tunnel holds the default route, a socket leaves by eth0 only
with SO_BINDTODEVICE, an on-link destination (the router's resolver), a
source policy rule, or IPv6.

| file | format, how captured | what it shows | verdict |
|---|---|---|---|
| `webrtc-leak.pcapng` | pcapng, `dumpcap -i eth0 -i wg0` (IDBs `eth0` Ethernet and `wg0` raw IP; no direction flags), frames put in time order with `reordercap` | a STUN Binding through wg0 (reflects 192.0.2.1: fine) and its WireGuard handshake/transport on eth0; a Binding with ICE USERNAME/PRIORITY/ICE-CONTROLLING out eth0 by SO_BINDTODEVICE (reflects 203.0.113.2); an IPv6 Binding out eth0 (reflects 2001:db8:1::10); a DTLS 1.2 handshake offering use_srtp out eth0 (through a source policy rule, like a per-interface WebRTC socket on a policy-routed host) | leaks: 2 STUN, 2 DTLS ClientHellos |
| `dns-leak-any.pcap` | pcap, LINUX_SLL2, `tcpdump -i any` (ifindex + direction) | DNS through wg0 to 203.0.113.53 (fine); DNS to the home router 198.51.100.1 out eth0 over UDP and over TCP; AAAA over IPv6 to 2001:db8:1::1 | leaks: 3 DNS |
| `clean.pcapng` | pcapng, `dumpcap -i eth0 -i wg0` | STUN, DNS (UDP and TCP) and a DTLS handshake, all through wg0; eth0 carries only WireGuard to 192.0.2.1:51820 | clean |
| `vpn-underlay-eth0.pcap` | pcap, Ethernet, `tcpdump -i eth0` (one interface, no names) | WireGuard handshake and transport to 192.0.2.1:51820 (a tunnelled STUN and DNS exchange), then a STUN Binding (reflects 203.0.113.2) and a DNS query to the router leaking beside it: VPN by evidence | leaks: 1 STUN, 1 DNS |
| `no-vpn.pcap` | pcap, Ethernet, `tcpdump -i eth0` | the VPN is off (no wg0): STUN over IPv4 and IPv6, DNS to the router and to the public resolver | no-vpn |

Interface indexes in the client namespace when `dns-leak-any.pcap` was taken
(`ip -o link`): `@IFMAP@`; audit it with `--ifname 2=eth0 --ifname 3=wg0`.
A `NAME.args` file beside a sample holds the options `scripts/demo.sh` gives it.

Every capture uses the filter `udp or tcp`: no ARP, NDP, MLD, IGMP or router
solicitations (the testbed also turns RA, RS and DAD off and gives wg0 no IPv6).

## Ground truth: `expected.tsv`

Written by the generator from what it sent (not by leakaudit), each value
confirmed by decoding the capture with tshark. The generator refuses a capture
that holds a STUN request, DNS query or DTLS ClientHello it did not send, or
frames out of time order. One row per request frame (`#` lines are comments).
Columns: `file`, `frame` (1-based), `kind` (`stun-binding`, `dns-query`,
`dtls-client-hello`), `interface` (the IDB name, the name of the SLL2 ifindex,
or the one interface captured), `ifindex` (SLL2 only), `ip_version`,
`transport`, `src`, `src_port`, `dst`, `dst_port`, `verdict` (`leak`,
`inside-vpn`, `no-vpn`), `exposed` (the XOR-MAPPED-ADDRESS of the STUN success
response, tshark's `stun.att.ipv4`/`stun.att.ipv6` and `stun.att.port`),
`dns_name`, `dns_qtype`; `-` where it does not apply. Tunnelled traffic seen
only as WireGuard transport data has no row.

The DTLS server is OpenSSL, which answers the first ClientHello with a
HelloVerifyRequest: each handshake has two ClientHellos (the second carries
the cookie), and both are rows. coturn's Binding responses carry
XOR-MAPPED-ADDRESS, MAPPED-ADDRESS and RESPONSE-ORIGIN.

## Packet counts

| file | frames | bytes | STUN frames | DNS frames | DTLS frames |
|---|---|---|---|---|---|
@COUNTS@

## Regenerating

```sh
sudo scripts/make-samples.sh        # about 20 s; SAMPLES_DIR=/tmp/x writes elsewhere
```

Needs root and wireguard-go, wireguard-tools, coturn, dnsmasq-base, nftables,
openssl, bind9-dnsutils, tcpdump, tshark (dumpcap and reordercap come with
wireshark-common) and python3. It brings the testbed up under a private id,
records the five scenarios, checks them, writes the files here only when every
check passed, and tears the testbed down (also on failure or Ctrl-C).

The same every run: addresses, MAC addresses, STUN transaction ids
(`leakaudit` + a counter: `6c65616b6175646974000001` ...), STUN source ports
(40001 ...), the DTLS source port (40100), the client's WireGuard port (51000),
DNS names and the sequence of frames. Different every run: timestamps,
WireGuard keys and ciphertext, DNS ids and source ports, TLS randoms and the
certificate.
EOF
}

write_readme() {
    local counts
    counts=$(awk -F'\t' '{ printf "| `%s` | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$WORK/counts.tsv")
    readme_template | awk -v ifmap="$IFMAP" -v counts="$counts" \
        '{ gsub(/@IFMAP@/, ifmap) } /^@COUNTS@$/ { print counts; next } { print }'
}

mkdir -p "$OUT" "$NEW"
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

# The documented ifindex map (samples/README.md, dns-leak-any.pcap.args) must hold.
case ",$IFMAP," in *,2=eth0,3=wg0,*) ;; *) echo "make-samples: client ifindex map is $IFMAP, not 2=eth0 3=wg0" >&2; exit 1 ;; esac

SAMPLES="webrtc-leak.pcapng dns-leak-any.pcap clean.pcapng vpn-underlay-eth0.pcap no-vpn.pcap"
"$PY" "$CLIENTS/expected_tsv.py" --intents "$INTENTS" --dir "$NEW" --out "$NEW/expected.tsv" \
    --ifmap "dns-leak-any.pcap:$IFMAP"
# shellcheck disable=SC2086
"$PY" "$CLIENTS/expected_tsv.py" --counts --dir "$NEW" $SAMPLES >"$WORK/counts.tsv"
column -t "$WORK/counts.tsv" >&2
write_readme >"$NEW/README.md"
for f in $SAMPLES expected.tsv README.md; do install -m 644 "$NEW/$f" "$OUT/$f"; done
echo "make-samples: wrote $SAMPLES expected.tsv README.md into $OUT" >&2
