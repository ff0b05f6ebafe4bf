#!/usr/bin/env bash
# The progress line of long offline runs, on a real terminal (script(1)
# gives the program a pty): shown for a large file when stderr is a tty,
# with percent, packets, packets/s and alerts that match the run's own
# summary; erased before the summary; never in a pipe, with -q, for a small
# file, or in JSON output. TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
if ! command -v script >/dev/null || ! script -qec true /dev/null >/dev/null 2>&1; then
    echo "1..0 # SKIP script(1) cannot open a pty here"
    echo "# SKIP-NOTE script(1) missing or no pty: progress tests skipped"
    exit 0
fi
queries=$(python3 "$root/tests/make_big_capture.py" "$tmp/big.pcap" 40)
args="-r $tmp/big.pcap --interface eth0 --require-vpn"
on_tty() { script -qec "$1" "$2" >/dev/null 2>&1; }

on_tty "$LA $args >/dev/null" "$tmp/tty.log"
packets=$(sed -n 's/.*big.pcap: \([0-9]*\) packets;.*/\1/p' "$tmp/tty.log")
final=$(tr '\r' '\n' <"$tmp/tty.log" | grep -a "100.0% $packets packets [0-9]* pkt/s $queries alerts")
if [ -n "$packets" ] && [ "$packets" -gt 20000 ] && [ -n "$final" ]; then
    ok "tty, 40 MiB file: progress reaches 100.0% with $packets packets and $queries alerts, as the summary says"
else
    notok "tty: progress line with the run's numbers" "packets=$packets queries=$queries" "$(tr '\r' '\n' <"$tmp/tty.log" | grep -a pkt/s | head -3)"
fi
first=$(tr '\r' '\n' <"$tmp/tty.log" | grep -a -m1 'pkt/s')
if [[ $first =~ leakaudit:\ +[0-9]+\.[0-9]%\ [0-9]+\ packets ]]; then ok "progress line shape: $first"; else notok "progress line shape" "$first"; fi
if grep -aq $'\r\033\[Kleakaudit: '"$tmp/big.pcap: " "$tmp/tty.log"; then ok "line erased before the summary"; else notok "line erased before the summary" "$(cat -v "$tmp/tty.log" | grep -a big.pcap: | head -2)"; fi
rate=$(tr '\r' '\n' <"$tmp/tty.log" | grep -a "100.0%" | sed -n 's/.* \([0-9]*\) pkt\/s.*/\1/p' | head -1)
echo "# measured: $packets packets of a 40 MiB file at $rate packets/s"

"$LA" $args >/dev/null 2>"$tmp/pipe.err"
if ! grep -q "pkt/s" "$tmp/pipe.err" && ! grep -q $'\r' "$tmp/pipe.err" && grep -q "big.pcap: $packets packets" "$tmp/pipe.err"; then ok "stderr not a terminal: no progress"; else notok "stderr not a terminal: no progress" "$(head -c 300 "$tmp/pipe.err" | cat -v)"; fi

on_tty "$LA $args -q >/dev/null" "$tmp/quiet.log"
if ! grep -aq "pkt/s" "$tmp/quiet.log"; then ok "-q: no progress"; else notok "-q: no progress"; fi

on_tty "$LA -r $root/samples/webrtc-leak.pcapng >/dev/null" "$tmp/small.log"
if ! grep -aq "pkt/s" "$tmp/small.log" && grep -aq "webrtc-leak.pcapng: 22 packets" "$tmp/small.log"; then ok "small file: no progress"; else notok "small file: no progress"; fi

on_tty "$LA $args --json - >$tmp/out.json" "$tmp/json.log"
if grep -aq "pkt/s" "$tmp/json.log" && ! grep -q "pkt/s" "$tmp/out.json" &&
   python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out.json" &&
   [ "$(grep -c '"event_type":"dns"' "$tmp/out.json")" -eq "$queries" ]; then
    ok "--json -: every line is JSON ($queries alerts + summary), progress only on stderr"
else
    notok "--json -: JSON output stays clean" "$(head -c 200 "$tmp/out.json")"
fi

on_tty "cat $tmp/big.pcap | $LA -r - --interface eth0 --require-vpn >/dev/null" "$tmp/stdin.log"
if ! grep -aq "pkt/s" "$tmp/stdin.log" && grep -aq "stdin: $packets packets" "$tmp/stdin.log"; then ok "standard input (size unknown): no progress"; else notok "standard input: no progress" "$(tail -c 300 "$tmp/stdin.log" | cat -v)"; fi
echo "1..$n"
[ $fails -eq 0 ]
