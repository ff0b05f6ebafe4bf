#!/usr/bin/env python3
"""Hostile captures (TAP): every one gives a clear error or a malformed
count, never a crash or a hang, and what came before the fault is audited.

usage: hostile_check.py LEAKAUDIT REPO_ROOT CORPUS_DIR OUT_DIR

Each case is made at test time from a real capture: the bundled samples
(recorded in network namespaces with a real WireGuard tunnel) are cut or
patched at a chosen frame, or a corpus file that is hostile by itself is
used as it is. The alerts of the intact sample are found by running
leakaudit on it first; a case then asserts that exactly those alerts whose
packets lie before the fault (or, where the reader can skip the bad part,
all of them) still come out, identified by timestamp, addresses and ports.
"""
import json
import os
import struct
import subprocess
import sys

TIMEOUT = 60  # seconds; a hang fails the case


class Result:
    def __init__(self, rc, alerts, summary, stderr, timed_out=False):
        self.rc, self.alerts, self.summary, self.stderr, self.timed_out = rc, alerts, summary, stderr, timed_out


def run(la, path, args=(), quiet=True):
    cmd = [la, "-r", path, "--json", "-"] + list(args) + (["-q"] if quiet else [])
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Result(None, [], None, "", timed_out=True)
    alerts, summary = [], None
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        ev = json.loads(line)
        if ev.get("event_type") == "summary":
            summary = ev
        elif ev.get("alert"):
            alerts.append(ev)
    return Result(p.returncode, alerts, summary, p.stderr.decode("utf-8", "replace"))


def alert_key(ev):
    return (ev["event_type"], ev["timestamp"], ev["src_ip"], ev["src_port"], ev["dest_ip"], ev["dest_port"])


# ---- classic pcap ----

def pcap_split(data):
    """(header, [(record header, frame bytes)]) of a little-endian µs pcap."""
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "sample is not a little-endian pcap"
    recs, off = [], 24
    while off < len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        recs.append((data[off:off + 16], data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return data[:24], recs


def pcap_join(header, recs):
    return header + b"".join(h + d for h, d in recs)


def pcap_record(ts_header, frame, incl=None, orig=None):
    sec, usec = struct.unpack("<II", ts_header[:8])
    return struct.pack("<IIII", sec, usec, len(frame) if incl is None else incl,
                       len(frame) if orig is None else orig), frame


def pcap_frame_ts(rec_header):
    sec, usec = struct.unpack("<II", rec_header[:8])
    return sec, usec


# ---- pcapng (little-endian) ----

def pcapng_blocks(data):
    assert data[:4] == b"\x0a\x0d\x0d\x0a" and data[8:12] == b"\x4d\x3c\x2b\x1a"
    blocks, off = [], 0
    while off < len(data):
        btype, blen = struct.unpack("<II", data[off:off + 8])
        blocks.append((btype, data[off:off + blen]))
        off += blen
    return blocks


def pcapng_block(btype, body):
    body += b"\0" * ((4 - len(body) % 4) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def epb_indices(blocks):
    return [i for i, (t, _) in enumerate(blocks) if t == 6]


def write(out_dir, name, blob):
    path = os.path.join(out_dir, name)
    with open(path, "wb") as f:
        f.write(blob)
    return path


# ---- DNS / STUN patches ----

def udp_payload_offset(frame):
    """Ethernet + IPv4 + UDP: where the UDP payload starts."""
    assert frame[12:14] == b"\x08\x00", "expected Ethernet/IPv4"
    ihl = (frame[14] & 0x0F) * 4
    assert frame[14 + 9] == 17, "expected UDP"
    return 14 + ihl + 8


def dns_self_loop(frame):
    """The question name becomes a compression pointer to itself (offset 12):
    the classic compression loop. Lengths stay as they were."""
    off = udp_payload_offset(frame)
    b = bytearray(frame)
    b[off + 12:off + 14] = b"\xc0\x0c"
    return bytes(b)


def stun_first_attr_ffff(frame):
    """The first attribute of a STUN message claims 0xffff bytes."""
    off = udp_payload_offset(frame)
    b = bytearray(frame)
    assert b[off + 4:off + 8] == b"\x21\x12\xa4\x42", "expected a STUN message"
    b[off + 20 + 2:off + 20 + 4] = b"\xff\xff"
    return bytes(b)


class Tap:
    def __init__(self):
        self.n = self.failures = 0

    def case(self, name, problems):
        self.n += 1
        if problems:
            self.failures += 1
            print("not ok %d %s" % (self.n, name))
            for p in problems:
                print("#   " + p)
        else:
            print("ok %d %s" % (self.n, name))


def common_problems(r):
    """Never a crash, a hang or a sanitizer report."""
    if r.timed_out:
        return ["hung: no exit within %d s" % TIMEOUT]
    p = []
    if r.rc is None or r.rc < 0 or r.rc > 2:
        p.append("exit status %s (crash or signal)" % r.rc)
    for marker in ("runtime error", "AddressSanitizer", "LeakSanitizer"):
        if marker in r.stderr:
            p.append("sanitizer: " + r.stderr.strip().splitlines()[-1][:200])
    return p


def expect_error(r, want, before_keys, after_keys):
    """Exit 2 with one clear error line; alerts before the fault kept, none after."""
    p = common_problems(r)
    if p:
        return p
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    if r.rc != 2:
        p.append("exit status %d, want 2" % r.rc)
    if len(lines) != 1 or not lines[0].startswith("leakaudit: ") or want not in lines[0]:
        p.append("want one 'leakaudit: ...%s...' line, got %r" % (want, lines[:3]))
    got = [alert_key(a) for a in r.alerts]
    if got != before_keys:
        p.append("alerts %r, want the ones before the fault %r" % (got, before_keys))
    if any(k in got for k in after_keys):
        p.append("an alert from after the fault appeared")
    return p


def expect_counted(r, want_keys, malformed_field, at_least=1, rc=1):
    """Read to the end: a malformed count, every alert of want_keys."""
    p = common_problems(r)
    if p:
        return p
    if r.rc != rc:
        p.append("exit status %d, want %d (%s)" % (r.rc, rc, r.stderr.strip()[:200]))
    if not r.summary:
        return p + ["no summary object"]
    got_malformed = r.summary["malformed"].get(malformed_field, 0)
    if got_malformed < at_least:
        p.append("malformed %s = %d, want >= %d" % (malformed_field, got_malformed, at_least))
    got = sorted(alert_key(a) for a in r.alerts)  # a STUN alert may wait for its reply
    if got != sorted(want_keys):
        p.append("alerts %r, want %r" % (got, want_keys))
    return p


def main():
    la, root, corpus, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    tap = Tap()

    # ---- pcap cases from samples/vpn-underlay-eth0.pcap (STUN leak frame 7, DNS leak frame 9) ----
    pcap_args = ["--interface", "eth0"]
    pcap_path = os.path.join(root, "samples", "vpn-underlay-eth0.pcap")
    with open(pcap_path, "rb") as f:
        pcap_data = f.read()
    hdr, recs = pcap_split(pcap_data)
    base = run(la, pcap_path, pcap_args)
    base_keys = [alert_key(a) for a in base.alerts]
    base_frames = [a["frame"] for a in base.alerts]
    if base.rc != 1 or len(base_keys) < 2:
        print("Bail out! the intact sample %s does not give its alerts (rc %s, %d alerts)" % (pcap_path, base.rc, len(base_keys)))
        return 1
    last = base_frames[-1]               # the last alert's frame (1-based)

    def before(frame_no):
        return [k for k, fr in zip(base_keys, base_frames) if fr < frame_no]

    def from_(frame_no):
        return [k for k, fr in zip(base_keys, base_frames) if fr >= frame_no]

    # truncated inside the last alert's packet data
    cut = len(pcap_join(hdr, recs[:last - 1])) + 16 + 10
    r = run(la, write(out, "trunc-data.pcap", pcap_data[:cut]), pcap_args)
    tap.case("pcap truncated inside frame %d's data: error, earlier alerts kept" % last,
             expect_error(r, "truncated", before(last), from_(last)))

    # truncated inside a record header
    cut = len(pcap_join(hdr, recs[:last - 1])) + 7
    r = run(la, write(out, "trunc-header.pcap", pcap_data[:cut]), pcap_args)
    tap.case("pcap truncated inside frame %d's record header: error, earlier alerts kept" % last,
             expect_error(r, "truncated", before(last), from_(last)))

    # only the file header, cut
    r = run(la, write(out, "trunc-filehdr.pcap", pcap_data[:20]), pcap_args)
    tap.case("pcap cut inside its file header: error", expect_error(r, "trunc-filehdr.pcap", [], base_keys))

    # bad magic
    bad = bytearray(pcap_data)
    bad[0:4] = b"\xde\xad\xbe\xef"
    r = run(la, write(out, "bad-magic.pcap", bytes(bad)), pcap_args)
    tap.case("bad magic: error naming the format", expect_error(r, "not a pcap or pcapng", [], base_keys))

    # a packet length larger than the file (the last alert's record claims 16 MiB)
    h, d = recs[last - 1]
    big = pcap_record(h, d, incl=16 << 20, orig=16 << 20)
    r = run(la, write(out, "len-past-file.pcap", pcap_join(hdr, recs[:last - 1] + [big] + recs[last:])), pcap_args)
    tap.case("pcap record longer than the file: error, earlier alerts kept",
             expect_error(r, "", before(last), from_(last)))

    # a packet length larger than the snap length (header snaplen 64, packets bigger)
    small_snap = bytearray(hdr)
    small_snap[16:20] = struct.pack("<I", 64)
    r = run(la, write(out, "len-past-snaplen.pcap", pcap_join(bytes(small_snap), recs)), pcap_args)
    # libpcap cuts such records to the snaplen (tshark shows them whole):
    # each cut record must be counted, and the run must still end cleanly.
    longer = sum(1 for h, d in recs if len(d) > 64)
    p = common_problems(r)
    if not p:
        if r.rc not in (0, 1):
            p.append("exit status %d" % r.rc)
        got = r.summary["malformed"]["capture_blocks"] if r.summary else None
        if got != longer:
            p.append("malformed capture_blocks %r, want %d (records longer than snaplen 64)" % (got, longer))
        if not r.summary or r.summary["packets"] != len(recs):
            p.append("packets %r, want %d" % (r.summary and r.summary["packets"], len(recs)))
    tap.case("pcap records longer than the header's snaplen: each counted malformed (%d)" % longer, p)

    # an absurd length in the middle (0x7fffffff, larger than any snaplen)
    huge = pcap_record(recs[last - 1][0], b"", incl=0x7FFFFFFF, orig=0x7FFFFFFF)
    r = run(la, write(out, "len-huge.pcap", pcap_join(hdr, recs[:last - 1] + [huge] + recs[last - 1:])), pcap_args)
    tap.case("pcap record length 0x7fffffff: error, earlier alerts kept",
             expect_error(r, "", before(last), from_(last)))

    # zero-length packets before every alert: counted, nothing lost
    with_zero = []
    for i, rec in enumerate(recs, 1):
        if i in base_frames:
            with_zero.append(pcap_record(rec[0], b""))
        with_zero.append(rec)
    r = run(la, write(out, "zero-length.pcap", pcap_join(hdr, with_zero)), pcap_args)
    tap.case("pcap zero-length packets: counted malformed, every alert kept",
             expect_counted(r, base_keys, "packets", at_least=len(base_frames)))

    # DNS compression loop in the DNS leak's query
    dns_frame = base_frames[[k[0] for k in base_keys].index("dns")]
    looped = list(recs)
    looped[dns_frame - 1] = (recs[dns_frame - 1][0], dns_self_loop(recs[dns_frame - 1][1]))
    r = run(la, write(out, "dns-loop.pcap", pcap_join(hdr, looped)), pcap_args)
    tap.case("DNS compression loop (name points at itself): malformed dns, other alerts kept",
             expect_counted(r, [k for k, fr in zip(base_keys, base_frames) if fr != dns_frame], "dns"))

    # STUN attribute length 0xffff in the Binding success response after the leak
    stun_frame = base_frames[[k[0] for k in base_keys].index("stun")]
    patched = list(recs)
    resp = stun_frame  # the response is the next record (0-based index = frame number)
    patched[resp] = (recs[resp][0], stun_first_attr_ffff(recs[resp][1]))
    r = run(la, write(out, "stun-ffff.pcap", pcap_join(hdr, patched)), pcap_args)
    p = expect_counted(r, base_keys, "stun")
    if not p and any(a.get("exposed") for a in r.alerts if a["event_type"] == "stun"):
        p.append("the malformed response still gave an exposed address")
    tap.case("STUN attribute length 0xffff in the response: malformed stun, the request's alert kept", p)

    # ---- pcapng cases from samples/webrtc-leak.pcapng ----
    ng_path = os.path.join(root, "samples", "webrtc-leak.pcapng")
    with open(ng_path, "rb") as f:
        ng_data = f.read()
    blocks = pcapng_blocks(ng_data)
    epbs = epb_indices(blocks)
    ng_base = run(la, ng_path)
    ng_keys = [alert_key(a) for a in ng_base.alerts]
    ng_frames = [a["frame"] for a in ng_base.alerts]
    if ng_base.rc != 1 or len(ng_keys) < 3:
        print("Bail out! the intact sample %s does not give its alerts" % ng_path)
        return 1
    fault = ng_frames[2]  # the third alert's packet is where the faults go

    def ng_before(frame_no):
        return [k for k, fr in zip(ng_keys, ng_frames) if fr < frame_no]

    def ng_from(frame_no):
        return [k for k, fr in zip(ng_keys, ng_frames) if fr >= frame_no]

    def ng_join(bl):
        return b"".join(b for _, b in bl)

    fault_block = epbs[fault - 1]

    # truncated in the middle of a block
    cut = len(ng_join(blocks[:fault_block])) + 20
    r = run(la, write(out, "trunc.pcapng", ng_data[:cut]))
    tap.case("pcapng truncated inside frame %d's block: error, earlier alerts kept" % fault,
             expect_error(r, "truncated", ng_before(fault), ng_from(fault)))

    # lying lengths: the trailing length disagrees with the leading one
    t, b = blocks[fault_block]
    liar = b[:-4] + struct.pack("<I", len(b) + 8)
    r = run(la, write(out, "lying-trailer.pcapng", ng_join(blocks[:fault_block] + [(t, liar)] + blocks[fault_block + 1:])))
    tap.case("pcapng block whose trailing length lies: error, earlier alerts kept",
             expect_error(r, "corrupt block", ng_before(fault), ng_from(fault)))

    # lying lengths: a block total length smaller than a block header
    liar = struct.pack("<II", 6, 8) + b[8:]
    r = run(la, write(out, "lying-short.pcapng", ng_join(blocks[:fault_block] + [(t, liar)] + blocks[fault_block + 1:])))
    tap.case("pcapng block length 8 (shorter than a block): error, earlier alerts kept",
             expect_error(r, "corrupt block", ng_before(fault), ng_from(fault)))

    # lying lengths: a block claiming to run far past the end of the file
    liar = struct.pack("<II", 6, 0x10000000) + b[8:]
    r = run(la, write(out, "lying-long.pcapng", ng_join(blocks[:fault_block] + [(t, liar)] + blocks[fault_block + 1:])))
    tap.case("pcapng block length past the end of the file: error, earlier alerts kept",
             expect_error(r, "", ng_before(fault), ng_from(fault)))

    # lying lengths: an EPB whose captured length runs past its own block (skipped, counted)
    body = bytearray(b[8:-4])
    body[12:16] = struct.pack("<I", 0xFFFF)
    liar = pcapng_block(6, bytes(body))
    r = run(la, write(out, "lying-caplen.pcapng", ng_join(blocks[:fault_block] + [(6, liar)] + blocks[fault_block:])))
    tap.case("pcapng EPB captured length past its block: counted, every alert kept",
             expect_counted(r, ng_keys, "capture_blocks"))

    # an interface id never declared
    body = bytearray(b[8:-4])
    body[0:4] = struct.pack("<I", 200)
    undeclared = pcapng_block(6, bytes(body))
    r = run(la, write(out, "undeclared-iface.pcapng", ng_join(blocks[:fault_block] + [(6, undeclared)] + blocks[fault_block:])))
    tap.case("pcapng packet on interface 200, never declared: counted, every alert kept",
             expect_counted(r, ng_keys, "capture_blocks"))

    # zero-length packets (EPB with captured length 0) before every alert
    with_zero = []
    for i, blk in enumerate(blocks):
        if i in [epbs[fr - 1] for fr in ng_frames]:
            zb = bytearray(blk[1][8:28])
            zb[12:20] = struct.pack("<II", 0, 0)
            with_zero.append((6, pcapng_block(6, bytes(zb))))
        with_zero.append(blk)
    r = run(la, write(out, "zero-length.pcapng", ng_join(with_zero)))
    tap.case("pcapng zero-length packets: counted malformed, every alert kept",
             expect_counted(r, ng_keys, "packets", at_least=len(ng_frames)))

    # 95 more interfaces declared after the real ones
    idb_last = max(i for i, (bt, _) in enumerate(blocks) if bt == 1)
    extra = []
    for n in range(95):
        name = ("junk%d" % n).encode()
        opt = struct.pack("<HH", 2, len(name)) + name + b"\0" * ((4 - len(name) % 4) % 4) + b"\0\0\0\0"
        extra.append((1, pcapng_block(1, struct.pack("<HHI", 1, 0, 262144) + opt)))
    many = blocks[:idb_last + 1] + extra + blocks[idb_last + 1:]
    r = run(la, write(out, "95-more-interfaces.pcapng", ng_join(many)))
    p = expect_counted(r, ng_keys, "capture_blocks", at_least=0)
    n_if = len(r.summary["interfaces"]) if r.summary else 0
    if r.summary and n_if < 2:
        p.append("only %d interfaces in the summary" % n_if)
    tap.case("pcapng with 95 extra interfaces declared: every alert kept (%d interfaces listed)" % n_if, p)

    # ---- endless interfaces: an SLL2 capture naming 5000 interface indexes ----
    sll2_pkts = []

    def sll2_udp(ifindex, src, dst, sport, dport, payload):
        link = struct.pack(">HHIHBB8s", 0x0800, 0, ifindex, 1, 4, 6, b"\x02\0\0\0\0\x01")
        udp_seg = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp_seg), 0, 0x4000, 64, 17, 0, src, dst)
        return link + ip + udp_seg

    def query(name):
        q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
        return struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)

    host, resolver = bytes([198, 51, 100, 10]), bytes([198, 51, 100, 1])
    sll2_pkts.append(sll2_udp(1, host, resolver, 40000, 53, query("first.example.org")))
    for ifindex in range(2, 5002):
        sll2_pkts.append(sll2_udp(ifindex, host, bytes([203, 0, 113, 9]), 40001, 9999, b"x" * 8))
    sll2_pkts.append(sll2_udp(1, host, resolver, 40002, 53, query("after-5000-interfaces.example.org")))
    blob = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 276)
    for i, frame in enumerate(sll2_pkts):
        blob += struct.pack("<IIII", 1764547200, i, len(frame), len(frame)) + frame
    r = run(la, write(out, "5000-interfaces.pcap", blob), ["--ifname", "1=eth0", "--require-vpn"])
    p = common_problems(r)
    if not p:
        names = [q.get("rrname") for a in r.alerts for q in a.get("dns", {}).get("queries", [])]
        if r.rc != 1 or names != ["first.example.org", "after-5000-interfaces.example.org"]:
            p.append("rc %s, alerted queries %r" % (r.rc, names))
        if any(a["interface"] != "eth0" for a in r.alerts):
            p.append("alerts not on eth0: %r" % [a["interface"] for a in r.alerts])
        n_if = len(r.summary["interfaces"]) if r.summary else 0
        over = r.summary["caps"]["ifaces_over_cap"] if r.summary else 0
        if n_if > 4096 or over != 5001 - n_if:
            p.append("%d interfaces, %d packets counted over the cap (want <= 4096 and %d)" % (n_if, over, 5001 - n_if))
    tap.case("SLL2 capture naming 5000 interfaces: table capped, overflow counted, both leaks alerted on eth0", p)

    # ---- corpus files that are hostile as they are ----
    corpus_cases = [
        ("PcapPlusPlus/Tests/Pcap++Test/PcapExamples/too_many_interfaces.pcapng", "95 IDBs"),
        ("PcapPlusPlus/Tests/Packet++Test/PacketExamples/dns_stack_overflow.pcap", "DNS compression loop PoC"),
        ("zeek-spicy-stun/tests/traces/stun-attribute-length-ffff.pcap", "STUN attribute length 0xffff"),
    ]
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        for rel, what in corpus_cases:
            tap.n += 1
            print("ok %d %s # SKIP corpus not found" % (tap.n, what))
        print("# SKIP-NOTE corpus not found (../shared/corpus): hostile corpus cases skipped")
    else:
        # 95 interfaces: every IDB listed, the one DNS query tshark sees decoded
        r = run(la, os.path.join(corpus, corpus_cases[0][0]), ["--events"])
        p = common_problems(r)
        if not p:
            if r.rc != 0:
                p.append("exit status %d" % r.rc)
            n_if = len(r.summary["interfaces"]) if r.summary else 0
            if n_if != 95:
                p.append("%d interfaces in the summary, want 95" % n_if)
            if not r.summary or r.summary["events"]["dns"] != 1:
                p.append("dns events %r, want 1 (tshark: 1 query)" % (r.summary and r.summary["events"]))
        tap.case("corpus too_many_interfaces.pcapng: 95 interfaces, its DNS query decoded", p)

        # the compression-loop PoC: malformed, not a crash
        r = run(la, os.path.join(corpus, corpus_cases[1][0]))
        tap.case("corpus dns_stack_overflow.pcap (compression loop): malformed dns",
                 expect_counted(r, [], "dns", rc=0))

        # STUN attribute length 0xffff: the request before it still decoded
        r = run(la, os.path.join(corpus, corpus_cases[2][0]), ["--require-vpn"])
        p = common_problems(r)
        if not p:
            if not r.summary or r.summary["malformed"]["stun"] != 1:
                p.append("malformed stun %r, want 1" % (r.summary and r.summary["malformed"]))
            reqs = [a for a in r.alerts if a["event_type"] == "stun" and a["frame"] == 1]
            if len(reqs) != 1 or r.rc != 1:
                p.append("the Binding request in frame 1 is not alerted under --require-vpn (rc %s, %d alerts)" % (r.rc, len(r.alerts)))
        tap.case("corpus stun-attribute-length-ffff.pcap: malformed stun, the request before it alerted", p)

    print("1..%d" % tap.n)
    return 1 if tap.failures else 0


if __name__ == "__main__":
    sys.exit(main())
