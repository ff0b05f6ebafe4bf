#!/usr/bin/env bash
# Least privilege: offline analysis needs no privilege at all. As root the
# test drops to nobody with setpriv (no capabilities, empty bounding set,
# no_new_privs) and checks that reading a capture gives the same alerts as
# before; live capture without CAP_NET_RAW fails with one clear error line.
# Run unprivileged already, it checks the same without switching. TAP.
set -u
LA=$(readlink -f "${LEAKAUDIT:-./leakaudit}")
root=$(readlink -f "${LEAKAUDIT_ROOT:-.}")
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
tmp=$(mktemp -d)
chmod 0777 "$tmp"
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" -eq 0 ]; then
    if ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
        echo "1..0 # SKIP setpriv or user nobody missing"
        exit 0
    fi
    group=$(id -gn nobody)
    drop=(setpriv --reuid=nobody --regid="$group" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs)
else
    drop=()
fi

# The dropped process really has no capability and is not root.
status=$("${drop[@]}" cat /proc/self/status)
no_caps=$(printf '%s\n' "$status" | grep -cE '^CapEff:\s+0+$')
nnp=$(printf '%s\n' "$status" | grep -cE '^NoNewPrivs:\s+1$')
if [ "$no_caps" -eq 1 ] && { [ "$nnp" -eq 1 ] || [ "$(id -u)" -ne 0 ]; }; then
    ok "the unprivileged process has CapEff 0 (uid $("${drop[@]}" id -u))"
else
    notok "dropping privileges" "$(printf '%s\n' "$status" | grep -E '^(Uid|CapEff|NoNewPrivs)')"
fi

# Offline: the same alerts as the privileged run, exit 1 for the leaks.
sample=$root/samples/webrtc-leak.pcapng
"$LA" -r "$sample" -q --json "$tmp/priv.json" >/dev/null 2>&1
"${drop[@]}" "$LA" -r "$sample" -q --json "$tmp/unpriv.json" -w "$tmp/unpriv-evidence.pcapng" >"$tmp/out" 2>"$tmp/err"
rc=$?
want=$(grep -c '"alert":true' "$tmp/priv.json")
got=$(grep -c '"alert":true' "$tmp/unpriv.json" 2>/dev/null || echo 0)
if [ $rc -eq 1 ] && [ "$want" -gt 0 ] && [ "$got" -eq "$want" ] &&
   diff <(grep '"alert":true' "$tmp/priv.json") <(grep '"alert":true' "$tmp/unpriv.json") >/dev/null; then
    ok "offline analysis as an unprivileged user: the same $got alerts, exit 1"
else
    notok "offline analysis as an unprivileged user" "rc=$rc alerts $got, want $want" "$(head -3 "$tmp/err")"
fi
# Standard input as well (tcpdump -w - | leakaudit -r -).
"${drop[@]}" "$LA" -r - -q <"$sample" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c LEAK "$tmp/out2")" -eq "$want" ]; then
    ok "unprivileged, capture on standard input: $want alerts"
else
    notok "unprivileged, capture on standard input" "rc=$rc" "$(head -3 "$tmp/err2")"
fi

# Live capture needs CAP_NET_RAW: without it, one clear error line and exit 2.
"${drop[@]}" "$LA" -i lo -c 1 >"$tmp/out3" 2>"$tmp/err3"
rc=$?
lines=$(grep -c . "$tmp/err3")
if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^leakaudit: ' "$tmp/err3"; then
    ok "live capture without CAP_NET_RAW: one clear error, exit 2 ($(cut -c1-80 "$tmp/err3"))"
else
    notok "live capture without CAP_NET_RAW" "rc=$rc lines=$lines" "$(head -3 "$tmp/err3")"
fi
# Live capture with CAP_NET_RAW as the one capability (ambient, as nobody):
# the minimal set for `setcap cap_net_raw+ep leakaudit`. A DNS query sent to
# 127.0.0.1 must be seen on lo; SIGINT ends the run with the summary.
if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=nobody --regid="$group" --clear-groups --inh-caps=+net_raw --ambient-caps=+net_raw \
        --bounding-set=-all,+net_raw --no-new-privs "$LA" -i lo --events >"$tmp/out4" 2>"$tmp/err4" &
    pid=$!
    for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q listening "$tmp/err4" 2>/dev/null && break; sleep 0.3; done
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex("beef01000001000000000000") + b"\x0cnet-raw-only\x07example\x00\x00\x01\x00\x01", ("127.0.0.1", 53))'
    sleep 0.5
    kill -INT $pid
    wait $pid
    rc=$?
    if [ $rc -eq 0 ] && grep -q 'net-raw-only.example' "$tmp/out4"; then
        ok "live capture on lo as nobody with only CAP_NET_RAW: the query is seen"
    else
        notok "live capture with only CAP_NET_RAW" "rc=$rc" "$(head -3 "$tmp/err4")" "$(head -3 "$tmp/out4")"
    fi
fi
echo "1..$n"
[ $fails -eq 0 ]
