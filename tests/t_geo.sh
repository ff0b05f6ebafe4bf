#!/usr/bin/env bash
# GeoIP annotation through the whole program: the bundled samples with the
# demo databases (samples/geo, built from samples/geo/demo-geoip.json), a
# generated capture to public addresses with MaxMind's test databases (corpus),
# the no-database warning, and clear errors for unusable databases. Expected
# values are read from the databases' source JSON, never written here. TAP.
set -u
LA=${LEAKAUDIT:-./leakaudit}
root=${LEAKAUDIT_ROOT:-.}
corpus=${LEAKAUDIT_CORPUS:-$root/../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; echo "# SKIP-NOTE $2"; }

# check_json NAME JSONL SOURCE...: every alert's destination / exposed / source
# annotation equals the most specific network of the source files holding it.
check_json() {
    local name=$1 jsonl=$2; shift 2
    local out
    if out=$(python3 - "$jsonl" "$@" <<'EOF'
import ipaddress, json, sys
jsonl, sources = sys.argv[1], sys.argv[2:]
nets = []
for path in sources:
    for entry in json.load(open(path)):
        for net, rec in entry.items():
            n = ipaddress.ip_network(net, strict=False)
            if n.version == 6 and n.prefixlen >= 96 and int(n.network_address) >> 32 == 0:
                n = ipaddress.ip_network("%s/%d" % (ipaddress.IPv4Address(int(n.network_address) & 0xffffffff),
                                                    n.prefixlen - 96))
            nets.append((path, n, rec))
def expect(ip):
    """The merged view: per source file, its most specific network holding ip."""
    a = ipaddress.ip_address(ip)
    best = {}
    for path, n, rec in nets:
        if a.version == n.version and a in n and (path not in best or n.prefixlen >= best[path][0]):
            best[path] = (n.prefixlen, rec)
    merged = {}
    for path in sources:
        if path in best:
            for k, v in best[path][1].items():
                merged.setdefault(k, v)
    return merged
checked = 0
problems = []
for line in open(jsonl):
    ev = json.loads(line)
    if not ev.get("alert"):
        continue
    for obj, ip in (("destination", ev["dest_ip"]), ("source", ev["src_ip"]),
                    ("exposed", (ev.get("exposed") or {}).get("ip"))):
        if not ip:
            continue
        want = expect(ip)
        got = (ev.get("exposed") if obj == "exposed" else ev.get(obj)) or {}
        if not want:
            if got.get("geo") or got.get("as"):
                problems.append("%s %s: annotated but in no source: %s" % (obj, ip, got))
            continue
        checks = [
            ("geo.country_iso_code", want.get("country", {}).get("iso_code"), got.get("geo", {}).get("country_iso_code")),
            ("geo.country_name", want.get("country", {}).get("names", {}).get("en"), got.get("geo", {}).get("country_name")),
            ("geo.city_name", want.get("city", {}).get("names", {}).get("en"), got.get("geo", {}).get("city_name")),
            ("as.number", want.get("autonomous_system_number"), got.get("as", {}).get("number")),
            ("as.organization.name", want.get("autonomous_system_organization"),
             got.get("as", {}).get("organization", {}).get("name")),
            ("isp", want.get("isp"), got.get("isp")),
            ("geo.location.lat", want.get("location", {}).get("latitude"), got.get("geo", {}).get("location", {}).get("lat")),
            ("geo.location.lon", want.get("location", {}).get("longitude"), got.get("geo", {}).get("location", {}).get("lon")),
        ]
        for field, w, g in checks:
            if w != g:
                problems.append("%s %s %s: want %r got %r" % (obj, ip, field, w, g))
        checked += 1
if problems or not checked:
    print("; ".join(problems[:5]) or "no annotated alert")
    sys.exit(1)
print(checked)
EOF
    ); then
        ok "$name ($out addresses)"
    else
        notok "$name" "$out"
    fi
}

demo_src="$root/samples/geo/demo-geoip.json"

# 1. The samples with the demo databases: JSON equals the demo source.
"$LA" -r "$root/samples/webrtc-leak.pcapng" --geoip "$root/samples/geo" -q --json "$tmp/webrtc.jsonl" >/dev/null
check_json "webrtc-leak: destination, source and exposed annotated from the demo databases" "$tmp/webrtc.jsonl" "$demo_src"
# shellcheck disable=SC2046
"$LA" -r "$root/samples/dns-leak-any.pcap" $(cat "$root/samples/dns-leak-any.pcap.args") \
    --geoip "$root/samples/geo/demo-City.mmdb" --geoip "$root/samples/geo/demo-ISP.mmdb" -q --json "$tmp/dns.jsonl" >/dev/null
check_json "dns-leak-any: the resolver annotated (two --geoip files)" "$tmp/dns.jsonl" "$demo_src"

# 2. The text alert names the exposed address's AS and place, from the source.
"$LA" -r "$root/samples/webrtc-leak.pcapng" --geoip "$root/samples/geo" -q >"$tmp/webrtc.txt"
want=$(python3 - "$tmp/webrtc.jsonl" "$demo_src" <<'EOF'
import ipaddress, json, sys
ev = next(e for e in map(json.loads, open(sys.argv[1])) if e.get("exposed"))
ip = ipaddress.ip_address(ev["exposed"]["ip"])
rec = max(((ipaddress.ip_network(k), v) for e in json.load(open(sys.argv[2])) for k, v in e.items()
           if ip.version == ipaddress.ip_network(k).version and ip in ipaddress.ip_network(k)),
          key=lambda kv: kv[0].prefixlen)[1]
port = ev["exposed"]["port"]
addr = ("[%s]:%d" if ip.version == 6 else "%s:%d") % (ip, port)
print("exposed %s — AS%d %s" % (addr, rec["autonomous_system_number"], rec["autonomous_system_organization"]))
print("%s %s  [" % (rec["city"]["names"]["en"], rec["country"]["iso_code"]))
EOF
)
first=$(echo "$want" | sed -n 1p) place=$(echo "$want" | sed -n 2p)
if grep -qF -- "$first" "$tmp/webrtc.txt" && grep -F -- "$first" "$tmp/webrtc.txt" | grep -qF -- "$place"; then
    ok "text alert: '$first … $place'"
else
    notok "text alert names the exposed address's AS and place" "want: $first … $place" "$(head -2 "$tmp/webrtc.txt")"
fi

# 3. Public addresses with MaxMind's own test databases: a generated capture
#    of DNS queries to addresses the City and ASN test data hold.
city="$corpus/MaxMind-DB/test-data/GeoIP2-City-Test.mmdb"
asn="$corpus/MaxMind-DB/test-data/GeoLite2-ASN-Test.mmdb"
if [ -f "$city" ] && [ -f "$asn" ]; then
    targets=$(python3 - "$corpus/MaxMind-DB/source-data/GeoIP2-City-Test.json" \
        "$corpus/MaxMind-DB/source-data/GeoLite2-ASN-Test.json" <<'EOF'
import ipaddress, json, sys
# One IPv4 and one IPv6 address with a city, preferably one the ASN data knows too.
def nets(path):
    out = []
    for e in json.load(open(path)):
        for k, v in e.items():
            n = ipaddress.ip_network(k, strict=False)
            if n.version == 6 and n.prefixlen >= 96 and int(n.network_address) >> 32 == 0:
                n = ipaddress.ip_network("%s/%d" % (ipaddress.IPv4Address(int(n.network_address) & 0xffffffff), n.prefixlen - 96))
            out.append((n, v))
    return out
city, asn = nets(sys.argv[1]), nets(sys.argv[2])
picked = {}
for want_asn in (True, False):
    for n, v in city:
        if "city" not in v or n.version in picked:
            continue
        a = n.network_address + (1 if n.num_addresses > 2 else 0)
        if a.is_global and (not want_asn or any(a.version == m.version and a in m for m, _ in asn)):
            picked[n.version] = a
print(picked[4], picked[6])
EOF
    )
    python3 - "$tmp/public.pcap" $targets <<'EOF'
import struct, sys
out, v4, v6 = sys.argv[1], sys.argv[2], sys.argv[3]
import ipaddress
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def dns(name, qid):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
frames = []
src4, dst4 = ipaddress.ip_address("10.0.0.2").packed, ipaddress.ip_address(v4).packed
payload = dns("public-v4.example.com", 0x1234)
udp = struct.pack("!HHHH", 40001, 53, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src4, dst4)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frames.append(b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + udp)
src6, dst6 = ipaddress.ip_address("fd00::2").packed, ipaddress.ip_address(v6).packed
payload = dns("public-v6.example.com", 0x4321)
udp = struct.pack("!HHHH", 40002, 53, 8 + len(payload), 0) + payload
pseudo = src6 + dst6 + struct.pack("!IxxxB", len(udp), 17)
udp = udp[:6] + struct.pack("!H", csum(pseudo + udp)) + udp[8:]
ip6 = struct.pack("!IHBB16s16s", 0x60000000, len(udp), 17, 64, src6, dst6)
frames.append(b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x86\xdd" + ip6 + udp)
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)
EOF
    "$LA" -r "$tmp/public.pcap" --interface eth0 --require-vpn --geoip "$city" --geoip "$asn" -q \
        --json "$tmp/public.jsonl" >"$tmp/public.txt"
    alerts=$(grep -c '"alert":true' "$tmp/public.jsonl")
    if [ "$alerts" -eq 2 ]; then ok "generated capture to $targets: 2 alerts"; else notok "generated capture: 2 alerts" "got $alerts"; fi
    check_json "public IPv4 and IPv6 resolvers annotated from GeoIP2-City-Test + GeoLite2-ASN-Test" "$tmp/public.jsonl" \
        "$corpus/MaxMind-DB/source-data/GeoIP2-City-Test.json" "$corpus/MaxMind-DB/source-data/GeoLite2-ASN-Test.json"
    # the label sits in the ECS source object beside ip/port/address (sinks' ECS writer), with no geo/as
    if python3 -c '
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
alerts = [a for a in alerts if a.get("alert")]
ok = alerts and all(a["source"].get("address_class") == "private" and a["source"].get("address_label") == "private network"
                    and "geo" not in a["source"] and "as" not in a["source"] for a in alerts)
sys.exit(0 if ok else 1)' "$tmp/public.jsonl"; then
        ok "private source labelled, not looked up"
    else
        notok "private source labelled, not looked up" "$(head -c 400 "$tmp/public.jsonl")"
    fi
else
    skip "public addresses with MaxMind test databases" "corpus not found (../shared/corpus): MaxMind test databases skipped"
fi

# 4. No database anywhere: alerts still flow, one warning says how to get one.
mkdir "$tmp/nogeo"
LEAKAUDIT_GEOIP_PATH="$tmp/nogeo" "$LA" -r "$root/samples/webrtc-leak.pcapng" >"$tmp/nodb.out" 2>"$tmp/nodb.err"
rc=$?
"$LA" -r "$root/samples/webrtc-leak.pcapng" --no-geoip >"$tmp/nogeoip.out" 2>"$tmp/nogeoip.err"
warnings=$(grep -c "warning: no GeoIP database" "$tmp/nodb.err")
if [ $rc -eq 1 ] && [ "$warnings" -eq 1 ] && grep -q "geoipupdate" "$tmp/nodb.err" &&
   cmp -s "$tmp/nodb.out" "$tmp/nogeoip.out" && [ -s "$tmp/nodb.out" ]; then
    ok "no database: same alerts, exit 1, one warning naming geoipupdate"
else
    notok "no database: same alerts, one warning" "rc=$rc warnings=$warnings" "$(head -2 "$tmp/nodb.err")"
fi
if ! grep -q "GeoIP" "$tmp/nogeoip.err"; then ok "--no-geoip: no warning"; else notok "--no-geoip: no warning" "$(cat "$tmp/nogeoip.err")"; fi
LEAKAUDIT_GEOIP_PATH="$tmp/nogeo" "$LA" -r "$root/samples/webrtc-leak.pcapng" -q >/dev/null 2>"$tmp/q.err"
if [ ! -s "$tmp/q.err" ]; then ok "-q: no warning either"; else notok "-q: no warning either" "$(cat "$tmp/q.err")"; fi

# 5. A named database that is missing or unusable: one error line, exit 2.
expect_error() {
    local name=$1 want=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$? lines
    lines=$(grep -c . "$tmp/err")
    if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$want" "$tmp/err" && [ ! -s "$tmp/out" ]; then
        ok "$name"
    else
        notok "$name" "rc=$rc lines=$lines" "$(head -3 "$tmp/err")"
    fi
}
sample="$root/samples/webrtc-leak.pcapng"
expect_error "--geoip missing file" "No such file" "$LA" -r "$sample" --geoip "$tmp/GeoLite2-City.mmdb"
head -c 1000 "$root/samples/geo/demo-City.mmdb" >"$tmp/cut.mmdb"
expect_error "--geoip truncated file" "cut.mmdb" "$LA" -r "$sample" --geoip "$tmp/cut.mmdb"
printf 'not a database\n' >"$tmp/text.mmdb"
expect_error "--geoip not a database" "not a usable MaxMind DB" "$LA" -r "$sample" --geoip "$tmp/text.mmdb"
expect_error "--geoip directory without .mmdb" "no .mmdb" "$LA" -r "$sample" --geoip "$tmp/nogeo"
expect_error "--geoip with --no-geoip" "exclude each other" "$LA" -r "$sample" --geoip "$root/samples/geo" --no-geoip
bad="$corpus/MaxMind-DB/bad-data/libmaxminddb/libmaxminddb-corrupt-search-tree.mmdb"
decoder="$corpus/MaxMind-DB/test-data/MaxMind-DB-test-decoder.mmdb"
if [ -f "$bad" ] && [ -f "$decoder" ]; then
    expect_error "--geoip corrupt search tree (MaxMind bad-data)" "corrupt search tree" "$LA" -r "$sample" --geoip "$bad"
    expect_error "--geoip database of a type leakaudit does not read" "database type" "$LA" -r "$sample" --geoip "$decoder"
else
    skip "--geoip corrupt/unknown-type files from MaxMind's bad-data" "corpus not found (../shared/corpus): MaxMind bad-data skipped"
fi
# In the default search a corrupt file is skipped with a warning, not fatal.
cp "$tmp/cut.mmdb" "$tmp/nogeo/broken.mmdb"
LEAKAUDIT_GEOIP_PATH="$tmp/nogeo" "$LA" -r "$sample" >/dev/null 2>"$tmp/skip.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "skipped .*broken.mmdb" "$tmp/skip.err"; then
    ok "default search: corrupt file skipped with a warning"
else
    notok "default search: corrupt file skipped with a warning" "rc=$rc" "$(head -3 "$tmp/skip.err")"
fi

echo "1..$n"
[ $fails -eq 0 ]
