#!/usr/bin/env bash
# nDPI classification through the command line: app= labels in alerts (checked
# against ndpiReader 4.2 on the same capture, flow by flow), encrypted-DNS
# events for DoH/DoT, VPN transports nDPI recognises as VPN evidence, and
# --no-dpi turning all of it off. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
corpus=${LEAKAUDIT_CORPUS:-$root/../shared/corpus}
pcaps=$corpus/nDPI/tests/cfgs/default/pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
check() { # check NAME CONDITION-COMMAND... (detail lines from $tmp/detail)
    local name=$1; shift
    if "$@"; then ok "$name"; else notok "$name" "$(head -5 "$tmp/detail" 2>/dev/null)"; fi
}

# ---- in-repo sample (always runs): the DTLS handshake of a WebRTC leak ----
sample=$root/samples/webrtc-leak.pcapng
"$LA" -r "$sample" >"$tmp/s.txt" 2>/dev/null
"$LA" -r "$sample" --no-dpi >"$tmp/s-nodpi.txt" 2>/dev/null
grep ' dtls ' "$tmp/s.txt" >"$tmp/detail"
check "sample: DTLS alerts carry nDPI's label, category and risks" \
    grep -q 'app=DTLS category=Web risks="TLS (probably) Not Carrying HTTPS,Missing SNI TLS Extension"' "$tmp/s.txt"
grep -c LEAK "$tmp/s.txt" >"$tmp/a1"; grep -c LEAK "$tmp/s-nodpi.txt" >"$tmp/a2"
cat "$tmp/a1" "$tmp/a2" >"$tmp/detail"
check "sample: --no-dpi gives the same alerts without labels" \
    sh -c "cmp -s '$tmp/a1' '$tmp/a2' && [ \$(cat '$tmp/a1') -gt 0 ] && ! grep -q 'app=' '$tmp/s-nodpi.txt'"
"$LA" -r "$sample" -v 2>"$tmp/v.txt" >/dev/null
"$LA" -r "$sample" -v --no-dpi 2>"$tmp/v-nodpi.txt" >/dev/null
grep nDPI "$tmp/v.txt" >"$tmp/detail"
check "-v reports nDPI's work; not with --no-dpi" \
    sh -c "grep -Eq 'nDPI: [1-9][0-9]* packets inspected, [1-9][0-9]* flows' '$tmp/v.txt' && ! grep -q nDPI: '$tmp/v-nodpi.txt'"

if [ ! -d "$pcaps" ]; then
    echo "# SKIP-NOTE corpus not found ($corpus): nDPI CLI tests skipped"
    skip "corpus tests" "corpus not found"
    echo "1..$n"
    [ $fails -eq 0 ]
    exit
fi

# ---- a call app's STUN: app= labels in alerts equal ndpiReader's ----
# Every labelled (not guessed) STUN/DTLS alert's flow has the same label in
# ndpiReader's flow list.
compare_with_ndpireader() { # FILE ALERTS-TXT
    ndpiReader -i "$1" -v 2 >"$tmp/ndpi.txt" 2>/dev/null || return 1
    python3 - "$2" "$tmp/ndpi.txt" >"$tmp/detail" <<'EOF'
import re, sys
alerts, ndpi = open(sys.argv[1]).read(), open(sys.argv[2]).read()
theirs = {}
for m in re.finditer(r'^\t\d+\t\S+ (\S+) <?-> (\S+) .*?\[proto: [0-9.]+/([^\]]+)\]', ndpi, re.M):
    theirs[frozenset((m.group(1), m.group(2)))] = m.group(3)
checked = bad = 0
for line in alerts.splitlines():
    m = re.search(r' (stun|dtls) .* (?:out|in) +(\S+) -> (\S+) .* app=(\S+)', line)
    if not m or m.group(4).endswith('(guessed)'):
        continue
    checked += 1
    want = theirs.get(frozenset((m.group(2), m.group(3))))
    if want != m.group(4):
        bad += 1
        print(f"{m.group(2)} -> {m.group(3)}: ours {m.group(4)}, ndpiReader {want}")
print(f"{checked} labelled alerts checked, {bad} differ")
sys.exit(0 if checked and not bad else 1)
EOF
}
for f in zoom.pcap teams.pcap whatsapp_voice_and_message.pcap stun_signal.pcapng; do
    "$LA" -r "$pcaps/$f" --require-vpn >"$tmp/alerts.txt" 2>/dev/null
    app=$(case $f in zoom*) echo STUN.Zoom;; teams*) echo STUN.Teams;; whatsapp*) echo STUN.WhatsAppCall;;
          *) echo STUN.SignalVoip;; esac)
    grep -c " stun .*app=$app " "$tmp/alerts.txt" >"$tmp/detail"
    check "$f: STUN alerts name the app ($app)" grep -q " stun .*app=$app " "$tmp/alerts.txt"
    if command -v ndpiReader >/dev/null; then
        check "$f: every labelled STUN/DTLS alert has ndpiReader's label for its flow" \
            compare_with_ndpireader "$pcaps/$f" "$tmp/alerts.txt"
    else
        echo "# SKIP-NOTE ndpiReader not installed (Debian package libndpi-bin): label cross-check skipped"
        skip "$f: labels against ndpiReader" "ndpiReader not installed"
    fi
done
"$LA" -r "$pcaps/zoom.pcap" --require-vpn --json - 2>/dev/null | grep '"event_type":"stun"' | head -1 >"$tmp/detail"
check "JSON: the app object (name, protocol, application, category, guessed)" \
    grep -q '"app":{"name":"STUN.Zoom","protocol":"STUN","application":"Zoom","category":"Video","guessed":false}' "$tmp/detail"

# ---- encrypted DNS: DoH by nDPI's label, DoT by label and port ----
"$LA" -r "$pcaps/dns_doh.pcap" --events >"$tmp/doh.txt" 2>/dev/null
"$LA" -r "$pcaps/dns_doh.pcap" --events --no-dpi >"$tmp/doh-nodpi.txt" 2>/dev/null
grep encrypted-dns "$tmp/doh.txt" >"$tmp/detail"
check "DoH (TLS.DoH_DoT on 443): one encrypted-dns event, from the client" \
    sh -c "[ \$(grep -c 'encrypted-dns .* 172.20.10.4:49877 -tcp-> 104.16.248.249:443  DoH connection (encrypted DNS) app=TLS.DoH_DoT' '$tmp/doh.txt') -eq 1 ] && [ \$(grep -c encrypted-dns '$tmp/doh.txt') -eq 1 ]"
check "DoH: none with --no-dpi (nothing but the label says DNS)" sh -c "! grep -q encrypted-dns '$tmp/doh-nodpi.txt'"
"$LA" -r "$pcaps/dns_doh.pcap" --require-vpn >"$tmp/doh-alert.txt" 2>/dev/null
cat "$tmp/doh-alert.txt" >"$tmp/detail"
check "DoH alert is medium (the resolver sees the address, not the names)" \
    grep -q 'LEAK     medium encrypted-dns' "$tmp/doh-alert.txt"
for mode in "" --no-dpi; do
    "$LA" -r "$pcaps/dns_dot.pcap" --events $mode >"$tmp/dot.txt" 2>/dev/null
    grep encrypted-dns "$tmp/dot.txt" >"$tmp/detail"
    check "DoT (TCP 853) ${mode:-with nDPI}: one encrypted-dns event" \
        sh -c "[ \$(grep -c 'encrypted-dns .* 192.168.1.185:58290 -tcp-> 8.8.8.8:853  DoT connection' '$tmp/dot.txt') -eq 1 ] && [ \$(grep -c encrypted-dns '$tmp/dot.txt') -eq 1 ]"
done
"$LA" -r "$pcaps/doq.pcapng" --events >"$tmp/doq.txt" 2>/dev/null
grep encrypted-dns "$tmp/doq.txt" >"$tmp/detail"
check "DoQ on port 784 (QUIC.DoH_DoT): one encrypted-dns event" \
    sh -c "[ \$(grep -c 'encrypted-dns .* \[::1\]:47826 -> \[::1\]:784  DoQ connection' '$tmp/doq.txt') -eq 1 ]"

# ---- VPN transports nDPI recognises feed VPN-by-evidence ----
"$LA" -r "$pcaps/anyconnect-vpn.pcap" >"$tmp/vpn.txt" 2>&1; rc=$?
"$LA" -r "$pcaps/anyconnect-vpn.pcap" --no-dpi >"$tmp/vpn-nodpi.txt" 2>&1; rc_nodpi=$?
grep -E 'interfaces|LEAK:|NO VPN' "$tmp/vpn.txt" "$tmp/vpn-nodpi.txt" >"$tmp/detail"
check "Cisco AnyConnect (CiscoVPN by nDPI): the interface carries the VPN, DNS beside it leaks" \
    sh -c "[ $rc -eq 1 ] && grep -q 'carries CiscoVPN' '$tmp/vpn.txt' && grep -q 'DNS query outside the VPN; VPN: CiscoVPN over if0' '$tmp/vpn.txt'"
check "Cisco AnyConnect with --no-dpi: no VPN in sight (no port heuristic knows DTLS on 443)" \
    sh -c "[ $rc_nodpi -eq 0 ] && grep -q 'NO VPN' '$tmp/vpn-nodpi.txt' && ! grep -q carries '$tmp/vpn-nodpi.txt'"
vpn_packets() { "$LA" -r "$pcaps/openvpn.pcap" --json - "$@" 2>/dev/null | tail -1 | grep -o '"vpn_transport_packets":[0-9]*' | cut -d: -f2; }
with=$(vpn_packets); without=$(vpn_packets --no-dpi)
echo "with nDPI $with, without $without" >"$tmp/detail"
check "OpenVPN on port 13680 and TCP 443 (found by nDPI, not the 1194 heuristic) adds VPN evidence" \
    sh -c "[ '${with:-0}' -gt '${without:-0}' ] && [ '${without:-0}' -gt 0 ]"
"$LA" -r "$pcaps/telegram.pcap" >"$tmp/tg.txt" 2>&1; rc=$?
grep -E 'interfaces|LEAK|NO VPN' "$tmp/tg.txt" >"$tmp/detail"
check "telegram.pcap: nDPI's one-way 'OpenVPN' burst is not taken for a tunnel (no false leaks)" \
    sh -c "[ $rc -eq 0 ] && ! grep -q carries '$tmp/tg.txt' && grep -q 'NO VPN' '$tmp/tg.txt'"

echo "1..$n"
[ $fails -eq 0 ]
