#!/usr/bin/env python3
"""capture-seeds.py — the capture-level fuzz seeds, beside extract-seeds.sh's
per-protocol payloads.

    capture-seeds.py OUT_DIR CAPTURE...

OUT_DIR/capture/: each capture file up to MAX_CAPTURE bytes whole, larger
ones cut to their first MAX_CAPTURE bytes (a cut capture is a truncated-file
seed as well); for fuzz_capture and fuzz_pcapng.
OUT_DIR/decode/: every distinct frame (at most FRAMES_PER_CAPTURE a capture)
as one byte naming its link type (the index in fuzz_decode.c's table) and
the frame; for fuzz_decode. Frames are read with a small reader of our own
(classic pcap both byte orders, pcapng EPB/SPB/PB) that stops at the first
thing it does not understand: seeds need not be complete.
Content-named files (sha1), so reruns add nothing twice.
"""
import hashlib
import os
import struct
import sys

MAX_CAPTURE = 16384
FRAMES_PER_CAPTURE = 64
# keep in step with the table in tests/fuzz/fuzz_decode.c
DECODE_LINKTYPES = [0, 1, 9, 12, 50, 101, 108, 113, 228, 229, 239, 258, 276]


def pcap_frames(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    if len(data) < 24:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        off += 16
        if incl > len(data) - off:
            return
        yield linktype, data[off:off + incl]
        off += incl


def pcapng_frames(data):
    off, e, linktypes = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            btype = struct.unpack(e + "I", data[off:off + 4])[0]
            linktypes = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12 or blen % 4 or off + blen > len(data):
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 2:
            linktypes.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, cap = struct.unpack(e + "IIII", body[:16])
            if ifid < len(linktypes) and cap <= len(body) - 20:
                yield linktypes[ifid], body[20:20 + cap]
        elif btype == 3 and len(body) >= 4 and linktypes:
            yield linktypes[0], body[4:]
        off += blen


def write(path, blob):
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(blob)
    return 1


def main():
    out = sys.argv[1]
    for sub in ("capture", "decode"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    new_caps = new_frames = 0
    for cap in sys.argv[2:]:
        with open(cap, "rb") as f:
            data = f.read()
        head = data[:MAX_CAPTURE]
        new_caps += write(os.path.join(out, "capture", hashlib.sha1(head).hexdigest() + ".cap"), head)
        frames = pcapng_frames(data) if data[:4] == b"\x0a\x0d\x0d\x0a" else pcap_frames(data)
        seen = 0
        for linktype, frame in frames:
            if linktype not in DECODE_LINKTYPES or seen >= FRAMES_PER_CAPTURE:
                continue
            seed = bytes([DECODE_LINKTYPES.index(linktype)]) + frame
            new_frames += write(os.path.join(out, "decode", hashlib.sha1(seed).hexdigest() + ".bin"), seed)
            seen += 1
    print("capture: %d new seeds in %s" % (new_caps, os.path.join(out, "capture")))
    print("decode: %d new seeds in %s" % (new_frames, os.path.join(out, "decode")))


if __name__ == "__main__":
    main()
