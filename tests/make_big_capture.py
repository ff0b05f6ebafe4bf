#!/usr/bin/env python3
"""Writes a large classic pcap (Ethernet) for the progress tests: filler UDP
datagrams of 1400 bytes to the discard port, and every 500th packet a DNS
query from 198.51.100.10 to 198.51.100.1:53, so a run has alerts to count.
usage: make_big_capture.py OUT MIB  (prints the number of DNS queries)"""
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp


def main():
    out, mib = sys.argv[1], int(sys.argv[2])
    host, router = (198, 51, 100, 10), (198, 51, 100, 1)
    filler = frame(host, router, 40000, 9, b"\0" * 1400)
    queries = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        ts, i, size = 1764547200, 0, 24
        while size < mib << 20:
            if i % 500 == 0:
                name = b"".join(bytes([len(l)]) + l for l in (b"q%d" % queries, b"example", b"org")) + b"\0"
                dns = struct.pack("!HHHHHH", queries & 0xFFFF, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1)
                pkt = frame(host, router, 20000 + queries % 20000, 53, dns)
                queries += 1
            else:
                pkt = filler
            f.write(struct.pack("<IIII", ts + i // 1000, (i % 1000) * 1000, len(pkt), len(pkt)) + pkt)
            size += 16 + len(pkt)
            i += 1
    print(queries)


if __name__ == "__main__":
    main()
