#!/usr/bin/env bash
# SIGHUP reopens output files (logrotate): live capture in a throwaway network
# namespace writes JSON lines; the file is moved away, SIGHUP is sent, and what
# follows lands in a new file at the original path while the moved file keeps
# everything before. Documentation addresses only. Needs root; skips otherwise.
set -u
LA=${LEAKAUDIT:-$PWD/leakaudit}
if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
    echo "1..0 # SKIP needs root and ip netns"
    exit 0
fi
. "$(dirname "$0")/netns_pair.sh"
c=la-hup-c-$$ s=la-hup-s-$$
tmp=$(mktemp -d)
# As root, leakaudit runs as its drop user (leakaudit, else nobody) by the
# time SIGHUP comes and creates the new file itself: the directory is that
# user's, as a log directory for a daemon that drops root would be.
drop_user=nobody
id leakaudit >/dev/null 2>&1 && drop_user=leakaudit
[ "$(id -u)" -eq 0 ] && chown "$drop_user" "$tmp"
la=""
cleanup() {
    [ -n "$la" ] && kill -INT "$la" 2>/dev/null
    netns_pair_down "$c" "$s"
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0 fails=0

netns_pair_up "$c" "$s"
query() {
    ip netns exec "$c" /usr/bin/python3 -c '
import socket, struct, sys
q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in sys.argv[1].split(".")) + b"\0" + struct.pack("!HH", 1, 1)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(q, ("198.51.100.1", 53))
' "$1"
    sleep 0.5
}

ip netns exec "$c" "$LA" -i any --require-vpn --json "$tmp/alerts.jsonl" -q >/dev/null 2>"$tmp/err" &
la=$!
sleep 1.5
query before-rotate.example.com
mv "$tmp/alerts.jsonl" "$tmp/alerts.jsonl.1"
kill -HUP $la
sleep 0.5
query after-rotate.example.com
kill -INT $la
wait $la
rc=$?
la=""
check "exit status 1 (leaks), SIGHUP did not stop the capture" '[ $rc -eq 1 ]'
check "the rotated file holds the alert from before SIGHUP" 'grep -q "before-rotate.example.com" "$tmp/alerts.jsonl.1"'
check "the rotated file holds nothing after SIGHUP" '! grep -q "after-rotate\|\"summary\"" "$tmp/alerts.jsonl.1"'
check "a new file at the original path holds the alert after SIGHUP" 'grep -q "after-rotate.example.com" "$tmp/alerts.jsonl"'
check "the summary goes to the new file" 'grep -q "\"event_type\":\"summary\"" "$tmp/alerts.jsonl"'
check "nothing on stderr but the kernel counters" '! grep -v "kernel:" "$tmp/err" | grep -q .'
echo "1..$n"
[ $fails -eq 0 ] || { echo "# stderr:"; sed 's/^/#   /' "$tmp/err"; }
[ $fails -eq 0 ]
