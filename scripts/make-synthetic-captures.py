#!/usr/bin/env python3
"""Writes the synthetic test captures in tests/data/synthetic/ (deterministic).

These captures are synthesised byte by byte here, not recorded: STUN
messages carry valid FINGERPRINTs and correctly XOR-ed addresses, DNS and
DTLS are well-formed, WireGuard messages have their real sizes, and IP/UDP
checksums are valid, so tshark decodes them exactly like traffic from the
wire. All addresses are documentation ranges (RFC 5737, RFC 3849):
  client eth0     198.51.100.10, 2001:db8:1::10   (home LAN / ISP side)
  home router     198.51.100.1, 2001:db8:1::1     (LAN resolver)
  user's public   203.0.113.2                     (what a STUN server sees via eth0)
  STUN server     203.0.113.10, 2001:db8:2::10
  VPN endpoint    192.0.2.1:51820 (WireGuard); tunnel address 192.0.2.130
usage: scripts/make-synthetic-captures.py [OUTDIR]
"""
import os
import struct
import sys
import zlib

COOKIE = 0x2112A442
T0 = 1764000000  # fixed capture start (2025-11-24), so files are reproducible


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp(src, dst, sport, dport, payload):
    v6 = len(src) == 16
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    pseudo = src + dst + (struct.pack("!IxxxB", length, 17) if v6 else struct.pack("!xBH", 17, length))
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload, 17


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    v6 = len(src) == 16
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    length = len(hdr) + len(payload)
    pseudo = src + dst + (struct.pack("!IxxxB", length, 6) if v6 else struct.pack("!xBH", 6, length))
    c = csum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload, 6


def ip(src, dst, l4):
    body, proto = l4
    if len(src) == 4:
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, 0x4000, 64, proto, 0, src, dst)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        return h + body
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), proto, 64, src, dst) + body


def eth(packet, v6=False):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", 0x86DD if v6 else 0x0800) + packet


def sll2(packet, ifindex, hatype, pkttype, v6=False):
    return struct.pack("!HHIHBB8s", 0x86DD if v6 else 0x0800, 0, ifindex, hatype, pkttype, 6,
                       b"\x02\x00\x00\x00\x00\x01\x00\x00") + packet


# ---- STUN ----
def stun_attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)


def xor_addr(txid, addr, port):
    if len(addr) == 4:
        x = bytes(a ^ b for a, b in zip(addr, struct.pack("!I", COOKIE)))
        return struct.pack("!BBH", 0, 1, port ^ 0x2112) + x
    key = struct.pack("!I", COOKIE) + txid
    return struct.pack("!BBH", 0, 2, port ^ 0x2112) + bytes(a ^ b for a, b in zip(addr, key))


def stun(mtype, txid, attrs):
    body = b"".join(stun_attr(t, v) for t, v in attrs)
    head = struct.pack("!HHI", mtype, len(body) + 8, COOKIE) + txid
    crc = zlib.crc32(head + body) ^ 0x5354554E
    return head + body + stun_attr(0x8028, struct.pack("!I", crc))


def binding_request(txid, username=b"ab12:cd34"):
    return stun(0x0001, txid, [(0x0006, username), (0x0024, struct.pack("!I", 0x6E7F1EFF)),
                              (0x802A, struct.pack("!Q", 0x1122334455667788))])


def binding_success(txid, addr, port):
    return stun(0x0101, txid, [(0x0020, xor_addr(txid, addr, port)), (0x8022, b"example-stun")])


# ---- DNS ----
def qname(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def dns_query(qid, name, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)


def dns_answer(qid, name, qtype, rdata):
    return (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)
            + b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rdata)) + rdata)


# ---- DTLS ClientHello with use_srtp (WebRTC) ----
def dtls_client_hello():
    exts = struct.pack("!HH", 14, 7) + struct.pack("!H", 4) + struct.pack("!HH", 0x0007, 0x0001) + b"\0"
    exts += struct.pack("!HH", 23, 0)
    body = struct.pack("!H", 0xFEFD) + bytes(range(32)) + b"\0" + b"\0" + struct.pack("!H", 4) + \
        struct.pack("!HH", 0xC02B, 0xC02F) + b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = struct.pack("!B", 1) + len(body).to_bytes(3, "big") + struct.pack("!H", 0) + (0).to_bytes(3, "big") + \
        len(body).to_bytes(3, "big") + body
    return struct.pack("!BHHHI", 22, 0xFEFF, 0, 0, 0)[:11] + struct.pack("!H", len(hs)) + hs


def wireguard(kind, n=0):
    if kind == 1:
        return struct.pack("<I", 1) + struct.pack("<I", 0x1000 + n) + bytes(140)
    if kind == 2:
        return struct.pack("<I", 2) + struct.pack("<II", 0x2000 + n, 0x1000 + n) + bytes(80)
    return struct.pack("<I", 4) + struct.pack("<IQ", 0x2000, n) + bytes(16 + 32)


# ---- writers ----
def pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for ts, data in frames:
            sec, usec = int(ts), int(round((ts - int(ts)) * 1e6))
            f.write(struct.pack("<IIII", T0 + sec, usec, len(data), len(data)) + data)


def pcapng(path, ifaces, frames):
    def block(t, body):
        body += b"\0" * ((4 - len(body) % 4) % 4)
        return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)

    def opt(code, v):
        return struct.pack("<HH", code, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)

    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) +
                      opt(4, b"leakaudit make-synthetic-captures.py") + opt(0, b"")))
        for name, lt in ifaces:
            f.write(block(1, struct.pack("<HHI", lt, 0, 0) + opt(2, name.encode()) + opt(9, b"\x06") + opt(0, b"")))
        for ts, iface, data in frames:
            t = (T0 + ts) * 1_000_000
            t = int(round(t))
            f.write(block(6, struct.pack("<IIIII", iface, t >> 32, t & 0xFFFFFFFF, len(data), len(data)) + data +
                          b"\0" * ((4 - len(data) % 4) % 4) + opt(0, b"")))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data", "synthetic")
    os.makedirs(out, exist_ok=True)
    eth0, lan_r, public = ip4("198.51.100.10"), ip4("198.51.100.1"), ip4("203.0.113.2")
    stun4, res4, vpn_ep, tun = ip4("203.0.113.10"), ip4("203.0.113.53"), ip4("192.0.2.1"), ip4("192.0.2.130")
    eth0_6, router6, stun6 = ip6("2001:db8:1::10"), ip6("2001:db8:1::1"), ip6("2001:db8:2::10")
    tx = [bytes([i] * 12) for i in range(1, 10)]

    # 1. webrtc-leak.pcapng: eth0 (Ethernet) + wg0 (raw IP)
    frames = [
        (0.0, 0, eth(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(1))))),
        (0.01, 0, eth(ip(vpn_ep, eth0, udp(vpn_ep, eth0, 51820, 40001, wireguard(2))))),
        (1.0, 1, ip(tun, stun4, udp(tun, stun4, 50000, 3478, binding_request(tx[0])))),
        (1.01, 1, ip(stun4, tun, udp(stun4, tun, 3478, 50000, binding_success(tx[0], vpn_ep, 50000)))),
        (1.02, 0, eth(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(4, 1))))),
        (2.0, 0, eth(ip(eth0, stun4, udp(eth0, stun4, 50001, 3478, binding_request(tx[1]))))),
        (2.01, 0, eth(ip(stun4, eth0, udp(stun4, eth0, 3478, 50001, binding_success(tx[1], public, 50001))))),
        (3.0, 0, eth(ip(eth0_6, stun6, udp(eth0_6, stun6, 50002, 3478, binding_request(tx[2]))), v6=True)),
        (3.01, 0, eth(ip(stun6, eth0_6, udp(stun6, eth0_6, 3478, 50002, binding_success(tx[2], eth0_6, 50002))), v6=True)),
        (4.0, 0, eth(ip(eth0, stun4, udp(eth0, stun4, 50001, 50100, dtls_client_hello())))),
    ]
    pcapng(os.path.join(out, "webrtc-leak.pcapng"), [("eth0", 1), ("wg0", 101)], frames)

    # 2. dns-leak-any.pcap: tcpdump -i any style (SLL2), ifindex 2 = eth0, 3 = wg0
    OUT, IN = 4, 0
    syn, ack = 0x02, 0x10
    q_tcp = dns_query(0x3003, "tcp-leak.example.net")
    frames = [
        (0.0, sll2(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(1))), 2, 1, OUT)),
        (0.5, sll2(ip(tun, res4, udp(tun, res4, 53001, 53, dns_query(0x1001, "inside.example.org"))), 3, 0xFFFE, OUT)),
        (0.51, sll2(ip(res4, tun, udp(res4, tun, 53, 53001, dns_answer(0x1001, "inside.example.org", 1, ip4("203.0.113.80")))), 3, 0xFFFE, IN)),
        (1.0, sll2(ip(eth0, lan_r, udp(eth0, lan_r, 53002, 53, dns_query(0x2002, "leak.example.com"))), 2, 1, OUT)),
        (1.01, sll2(ip(lan_r, eth0, udp(lan_r, eth0, 53, 53002, dns_answer(0x2002, "leak.example.com", 1, ip4("203.0.113.81")))), 2, 1, IN)),
        (2.0, sll2(ip(eth0, lan_r, tcp(eth0, lan_r, 41000, 53, 1000, 0, syn)), 2, 1, OUT)),
        (2.01, sll2(ip(eth0, lan_r, tcp(eth0, lan_r, 41000, 53, 1001, 1, ack | 0x08, struct.pack("!H", len(q_tcp)) + q_tcp)), 2, 1, OUT)),
        (3.0, sll2(ip(eth0_6, router6, udp(eth0_6, router6, 53003, 53, dns_query(0x4004, "v6-leak.example.com", 28))), 2, 1, OUT, v6=True)),
    ]
    pcap(os.path.join(out, "dns-leak-any.pcap"), 276, frames)
    with open(os.path.join(out, "dns-leak-any.pcap.args"), "w") as f:
        f.write("--ifname 2=eth0 --ifname 3=wg0\n")

    # 3. clean.pcapng: everything through wg0; eth0 carries only WireGuard
    frames = [
        (0.0, 0, eth(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(1))))),
        (0.01, 0, eth(ip(vpn_ep, eth0, udp(vpn_ep, eth0, 51820, 40001, wireguard(2))))),
        (1.0, 1, ip(tun, res4, udp(tun, res4, 53001, 53, dns_query(0x1001, "inside.example.org")))),
        (1.01, 1, ip(res4, tun, udp(res4, tun, 53, 53001, dns_answer(0x1001, "inside.example.org", 1, ip4("203.0.113.80"))))),
        (2.0, 1, ip(tun, stun4, udp(tun, stun4, 50000, 3478, binding_request(tx[3])))),
        (2.01, 1, ip(stun4, tun, udp(stun4, tun, 3478, 50000, binding_success(tx[3], vpn_ep, 50000)))),
        (2.02, 0, eth(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(4, 2))))),
    ]
    pcapng(os.path.join(out, "clean.pcapng"), [("eth0", 1), ("wg0", 101)], frames)

    # 4. vpn-underlay-eth0.pcap: one unnamed Ethernet interface; only the
    # WireGuard transport tells there is a VPN.
    frames = [
        (0.0, eth(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(1))))),
        (0.01, eth(ip(vpn_ep, eth0, udp(vpn_ep, eth0, 51820, 40001, wireguard(2))))),
        (0.5, eth(ip(eth0, vpn_ep, udp(eth0, vpn_ep, 40001, 51820, wireguard(4, 3))))),
        (1.0, eth(ip(eth0, stun4, udp(eth0, stun4, 50005, 19302, binding_request(tx[4]))))),
        (1.01, eth(ip(stun4, eth0, udp(stun4, eth0, 19302, 50005, binding_success(tx[4], public, 50005))))),
        (2.0, eth(ip(eth0, lan_r, udp(eth0, lan_r, 53005, 53, dns_query(0x5005, "underlay-leak.example.com"))))),
    ]
    pcap(os.path.join(out, "vpn-underlay-eth0.pcap"), 1, frames)

    # 5. no-vpn.pcap: the same requests with no VPN anywhere.
    frames = [
        (1.0, eth(ip(eth0, stun4, udp(eth0, stun4, 50006, 3478, binding_request(tx[5]))))),
        (1.01, eth(ip(stun4, eth0, udp(stun4, eth0, 3478, 50006, binding_success(tx[5], public, 50006))))),
        (2.0, eth(ip(eth0, lan_r, udp(eth0, lan_r, 53006, 53, dns_query(0x6006, "plain.example.com"))))),
    ]
    pcap(os.path.join(out, "no-vpn.pcap"), 1, frames)


if __name__ == "__main__":
    main()
