#!/usr/bin/env bash
# --report FILE.html: the page of a run checked against the JSON lines of the
# same run (headline, counts, alerts, exposed addresses, leaked names,
# timeline lanes), self-contained, with hostile DNS and interface names shown
# as text. Then the same checks on the DOM headless Chromium builds from it,
# and a screenshot in tests/out/report/ (git-ignored). Chromium parts skip
# with a reason when it is missing, and under the sanitizer build (the page
# is the same; the browser is not what ASan tests). TAP output.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
build=${LEAKAUDIT_BUILD:-build}
tmp=$(mktemp -d)
shots="$root/tests/out/report"
mkdir -p "$shots"
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; echo "# SKIP-NOTE $2"; }
# report_check.py prints "ok ..." / "not ok ..."; number them here.
checks() {
    local prefix=$1; shift
    python3 "$root/tests/report_check.py" "$@" >"$tmp/check" 2>&1 || { notok "$prefix: report_check.py ran" "$(tail -3 "$tmp/check")"; return; }
    while IFS= read -r line; do
        case $line in
            "ok "*) ok "$prefix: ${line#ok }" ;;
            "not ok "*) notok "$prefix: ${line#not ok }" ;;
        esac
    done <"$tmp/check"
}

# A DNS leak whose names are markup, on an interface whose name is markup.
python3 - "$tmp/hostile.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!10H", b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
labels = [b"<script>alert(1)</script>", b"<img/src=x/onerror=alert(2)>", b"example"]
q = struct.pack("!HHHHHH", 0x1d1d, 0x0100, 1, 0, 0, 0) + b"".join(bytes([len(l)]) + l for l in labels) + b"\0" + struct.pack("!HH", 1, 1)
udp = struct.pack("!HHHH", 41000, 53, 8 + len(q), 0) + q
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 7, 0, 64, 17, 0, bytes([198, 51, 100, 10]), bytes([198, 51, 100, 1]))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
pkt = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1764547200, 0, len(pkt), len(pkt)) + pkt)
PY
hostile_if='"><svg/onload=alert(3)>'

run() {  # NAME ARGS...: report + JSON of one run
    local name=$1; shift
    "$LA" "$@" --report "$tmp/$name.html" --json "$tmp/$name.jsonl" -q >/dev/null 2>"$tmp/$name.err"
    local rc=$?
    if [ $rc -le 1 ] && [ -s "$tmp/$name.html" ]; then ok "$name: report written (exit $rc)"; else notok "$name: report written" "rc=$rc $(head -2 "$tmp/$name.err")"; fi
}
run webrtc-leak -r "$root/samples/webrtc-leak.pcapng"
run dns-leak-any -r "$root/samples/dns-leak-any.pcap" --ifname 1=lo --ifname 2=eth0 --ifname 3=wg0
run clean -r "$root/samples/clean.pcapng"
run no-vpn -r "$root/samples/no-vpn.pcap" --interface eth0
run hostile -r "$tmp/hostile.pcap" --interface "$hostile_if" --require-vpn
for name in webrtc-leak dns-leak-any clean no-vpn; do
    checks "$name" "$tmp/$name.html" "$tmp/$name.jsonl"
done
checks hostile "$tmp/hostile.html" "$tmp/hostile.jsonl" "<script>alert(1)</script>" "<img/src=x/onerror=alert(2)>" "$hostile_if"
if grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/hostile.html" && ! grep -q '<script' "$tmp/hostile.html"; then
    ok "hostile: the DNS name is escaped in the file itself"
else
    notok "hostile: the DNS name is escaped in the file itself"
fi

# A path that cannot be written: one error line, exit 2, before any output.
"$LA" -r "$root/samples/clean.pcapng" --report "$tmp/no/such/dir/r.html" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -q "^leakaudit: cannot write report" "$tmp/err"; then
    ok "unwritable --report path: one error line, exit 2"
else
    notok "unwritable --report path" "rc=$rc $(cat "$tmp/err")"
fi

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    skip "Chromium renders the report" "chromium not installed (scripts/install-deps.sh --extra): report not rendered in a browser"
elif [[ $build == *asan* ]]; then
    skip "Chromium renders the report" "browser rendering checked in the plain build only"
else
    browse() { timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
               --user-data-dir="$tmp/profile" --window-size=1280,1600 "$@" 2>>"$tmp/chromium.log"; }
    for name in webrtc-leak hostile; do
        browse --dump-dom "file://$tmp/$name.html" >"$tmp/$name.dom.html"
        if [ -s "$tmp/$name.dom.html" ]; then ok "chromium: $name DOM dumped"; else notok "chromium: $name DOM dumped" "$(tail -3 "$tmp/chromium.log")"; fi
    done
    checks "chromium DOM webrtc-leak" "$tmp/webrtc-leak.dom.html" "$tmp/webrtc-leak.jsonl"
    checks "chromium DOM hostile" "$tmp/hostile.dom.html" "$tmp/hostile.jsonl" "<script>alert(1)</script>" "<img/src=x/onerror=alert(2)>" "$hostile_if"
    for name in webrtc-leak; do
        rm -f "$shots/$name.png"
        (cd "$tmp" && browse --screenshot="$shots/$name.png" "file://$tmp/$name.html" >/dev/null)
        dims=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$shots/$name.png" 2>/dev/null)
        if [ "$dims" = "1280x1600" ] && [ "$(stat -c %s "$shots/$name.png")" -gt 20000 ]; then
            ok "chromium: screenshot tests/out/report/$name.png ($dims)"
        else
            notok "chromium: screenshot tests/out/report/$name.png" "dims=$dims $(tail -3 "$tmp/chromium.log")"
        fi
    done
fi
echo "1..$n"
[ $fails -eq 0 ]
