#!/usr/bin/env python3
"""flood_gen.py — a deterministic flood capture for the bounded-memory test.

    flood_gen.py OUT.pcap [FLOWS] [STUN_LEAKS]

Linux cooked v2 (SLL2, what `tcpdump -i any` writes), interface index 1 is
eth0 (Ethernet) and 2 is wg0 (no link layer, a tunnel); name them with
--ifname 1=eth0 --ifname 2=wg0. Packets are 1 µs apart, so no flow goes idle:
only the caps can bound memory. FLOWS (default 1,000,000) packets, each of
its own 5-tuple, cycle through the four things that make per-flow state:

  0  TCP SYN to port 53 on eth0      a flow and a reassembly buffer (DNS over TCP)
  1  DNS query over UDP on wg0       a new learned host address (inside the VPN)
  2  UDP to port 853 on wg0          a flow (DNS over QUIC, inside the VPN)
  3  TCP data to port 53 on eth0     a flow joined mid-stream, a buffer, half a message

Then STUN_LEAKS (default 10,000) Binding requests with distinct transaction
ids leave by eth0 with no reply: leaks, each waiting for a reply that never
comes (the wait list's cap). Last, one DNS query for flood-end-leak.example.org
leaves by eth0 while wg0 is up: the real leak that must still be alerted.
"""
import struct
import sys

T0 = 1764547200  # 2025-12-01 00:00:00 UTC
LINKTYPE_LINUX_SLL2 = 276
ARPHRD_ETHER, ARPHRD_NONE = 1, 0xFFFE
ETH0, WG0 = 1, 2


def sll2(ifindex, outgoing=True):
    hatype = ARPHRD_ETHER if ifindex == ETH0 else ARPHRD_NONE
    return struct.pack(">HHIHBB8s", 0x0800, 0, ifindex, hatype, 4 if outgoing else 0, 6, b"\x02\x00\x00\x00\x00\x01")


def ipv4(src, dst, proto, payload_len):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0, 0x4000, 64, proto, 0, src, dst)


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def dns_query(qid, name):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def stun_binding(txid):
    return struct.pack(">HHI", 0x0001, 0, 0x2112A442) + txid


def addr(net, i):
    return bytes([net, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF])


def main():
    out = sys.argv[1]
    flows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    stun_leaks = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    resolver_vpn, resolver_lan = bytes([198, 51, 100, 53]), bytes([198, 51, 100, 1])
    dns_server, doq_server, stun_server = bytes([192, 0, 2, 53]), bytes([203, 0, 113, 53]), bytes([203, 0, 113, 10])
    host_eth0 = bytes([198, 51, 100, 10])
    hdr_eth0, hdr_wg0 = sll2(ETH0), sll2(WG0)
    tcp_data = struct.pack(">H", 256) + b"\x12\x34\x01\x00" + b"\0" * 26  # half of a 256-byte DNS message
    usec = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_LINUX_SLL2))

        def put(link, ip_payload):
            nonlocal usec
            frame = link + ip_payload
            f.write(struct.pack("<IIII", T0 + usec // 1000000, usec % 1000000, len(frame), len(frame)))
            f.write(frame)
            usec += 1

        for i in range(flows):
            kind = i & 3
            n = i >> 2
            sport = 1024 + (n % 60000)
            if kind == 0:
                seg = tcp(sport, 53, (n * 7919) & 0xFFFFFFFF, 0x02)
                put(hdr_eth0, ipv4(addr(10, n), dns_server, 6, len(seg)) + seg)
            elif kind == 1:
                dgram = udp(sport, 53, dns_query(n & 0xFFFF, "f%d.example" % n))
                put(hdr_wg0, ipv4(addr(100, n), resolver_vpn, 17, len(dgram)) + dgram)
            elif kind == 2:
                dgram = udp(sport, 853, b"\xc0\x00\x00\x00\x01" + b"\0" * 20)
                put(hdr_wg0, ipv4(addr(101, n), doq_server, 17, len(dgram)) + dgram)
            else:
                seg = tcp(sport, 53, (n * 104729) & 0xFFFFFFFF, 0x18, tcp_data)
                put(hdr_eth0, ipv4(addr(11, n), dns_server, 6, len(seg)) + seg)
        for n in range(stun_leaks):
            dgram = udp(40000 + (n % 20000), 3478, stun_binding(struct.pack(">III", 0x666C6F6F, n, 0x64656E64)))
            put(hdr_eth0, ipv4(host_eth0, stun_server, 17, len(dgram)) + dgram)
        dgram = udp(53000, 53, dns_query(0xF10D, "flood-end-leak.example.org"))
        put(hdr_eth0, ipv4(host_eth0, resolver_lan, 17, len(dgram)) + dgram)
    print("%s: %d packets" % (out, usec))


if __name__ == "__main__":
    main()
