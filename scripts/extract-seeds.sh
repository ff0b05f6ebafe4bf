#!/usr/bin/env bash
# extract-seeds.sh — fuzz seed corpora from real captures.
#
#   scripts/extract-seeds.sh [CORPUS_DIR] [OUT_DIR]
#     CORPUS_DIR  captures to read (default ../shared/corpus)
#     OUT_DIR     where seeds go   (default build-fuzz/seeds)
#   PROTOS="stun dtls dns"  which protocols to extract (default: all known)
#   SEEDS_PER_CAPTURE=64    cap per protocol per capture (distinct payloads)
#
# Runs tshark once per capture (*.pcap, *.pcapng, *.cap) and writes every
# distinct UDP/TCP payload of the packets tshark decodes as <proto> to
# OUT_DIR/<proto>/<sha1>.bin (content-named, so reruns and overlapping
# captures do not duplicate). TCP payloads are written as tshark shows them
# (e.g. with the RFC 4571 / DNS-over-TCP 2-byte length prefix), which is what
# a stream reader sees first.
#
# Then scripts/capture-seeds.py adds OUT_DIR/capture/ (whole or cut capture
# files, for fuzz_capture and fuzz_pcapng) and OUT_DIR/decode/ (link-type
# byte + frame, for fuzz_decode) from the same captures and from samples/.
#
# Protocol → tshark frame.protocols layers that count as it:
#   stun: stun, classicstun     dtls: dtls     dns: dns, mdns, llmnr
# To add one, extend LAYERS below and the display filter follows.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/../shared/corpus}
out=${2:-$root/build-fuzz/seeds}
protos=${PROTOS:-stun dtls dns}
per_capture=${SEEDS_PER_CAPTURE:-64}

declare -A LAYERS=(
    [stun]="stun classicstun"
    [dtls]="dtls"
    [dns]="dns mdns llmnr"
)

command -v tshark >/dev/null || { echo "extract-seeds: tshark not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "extract-seeds: python3 not found" >&2; exit 1; }
[ -d "$corpus" ] || { echo "extract-seeds: no corpus directory $corpus" >&2; exit 1; }

# proto=layer,layer;proto=layer for the python side; display filter of all.
spec="" filter=""
for p in $protos; do
    [ -n "${LAYERS[$p]:-}" ] || { echo "extract-seeds: unknown protocol $p" >&2; exit 1; }
    mkdir -p "$out/$p"
    spec+="$p=$(echo "${LAYERS[$p]}" | tr ' ' ',');"
    for l in ${LAYERS[$p]}; do filter+="${filter:+ || }$l"; done
done

find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z |
while IFS= read -r -d '' cap; do
    tshark -n -r "$cap" -Y "$filter" -T fields -E separator=/t \
        -e frame.protocols -e udp.payload -e tcp.payload 2>/dev/null || true
    printf '#END\t%s\n' "$cap"
done | python3 -c '
import hashlib, os, sys
spec, out, cap_limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
layers = {}
for item in filter(None, spec.split(";")):
    proto, ls = item.split("=")
    for l in ls.split(","):
        layers[l] = proto
counts, written = {}, {}
for line in sys.stdin:
    fields = line.rstrip("\n").split("\t")
    if fields[0] == "#END":
        counts = {}
        continue
    if len(fields) < 3:
        continue
    stack = fields[0].split(":")
    proto = next((layers[l] for l in stack if l in layers), None)
    hexdata = fields[1] or fields[2]
    hexdata = hexdata.split(",")[0].replace(":", "")
    if not proto or not hexdata or counts.get(proto, 0) >= cap_limit:
        continue
    try:
        data = bytes.fromhex(hexdata)
    except ValueError:
        continue
    path = os.path.join(out, proto, hashlib.sha1(data).hexdigest() + ".bin")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        written[proto] = written.get(proto, 0) + 1
    counts[proto] = counts.get(proto, 0) + 1
for proto in sorted(set(layers.values())):
    print("%s: %d new seeds in %s" % (proto, written.get(proto, 0), os.path.join(out, proto)))
' "$spec" "$out" "$per_capture"

find "$corpus" "$root/samples" "$root/tests/data/synthetic" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 |
    sort -z | xargs -0 python3 "$root/scripts/capture-seeds.py" "$out"
