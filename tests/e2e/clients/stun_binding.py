#!/usr/bin/python3
"""One RFC 5389 STUN Binding transaction, the way a WebRTC ICE agent gathers a
server-reflexive candidate: a Binding request with FINGERPRINT (optionally the
ICE attributes USERNAME / PRIORITY / ICE-CONTROLLING that Chromium puts in its
checks), retransmitted on an RFC 5389 schedule until a success response
arrives, whose XOR-MAPPED-ADDRESS is printed.

--device binds the socket to an interface (SO_BINDTODEVICE), which is what
makes a packet leave by eth0 while the default route points into the tunnel.

Output: one JSON object (or one field of it with --field). Exit 1 on timeout.
Standard library only; used by tests/e2e/testbed.sh and scripts/make-samples.sh.
"""
import argparse
import binascii
import ipaddress
import json
import os
import socket
import struct
import sys
import time

MAGIC_COOKIE = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
BINDING_ERROR = 0x0111
ATTR_MAPPED_ADDRESS = 0x0001
ATTR_USERNAME = 0x0006
ATTR_XOR_MAPPED_ADDRESS = 0x0020
ATTR_PRIORITY = 0x0024
ATTR_SOFTWARE = 0x8022
ATTR_FINGERPRINT = 0x8028
ATTR_ICE_CONTROLLING = 0x802A
FINGERPRINT_XOR = 0x5354554E
FAMILY_IPV4, FAMILY_IPV6 = 0x01, 0x02


def attribute(attr_type, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", attr_type, len(value)) + value + b"\0" * pad


def binding_request(txid, ice=None, software=None):
    attrs = b""
    if ice:
        attrs += attribute(ATTR_USERNAME, ice["username"].encode())
        attrs += attribute(ATTR_PRIORITY, struct.pack("!I", ice["priority"]))
        attrs += attribute(ATTR_ICE_CONTROLLING, ice["tiebreaker"])
    if software:
        attrs += attribute(ATTR_SOFTWARE, software.encode())
    # FINGERPRINT covers the header whose length already counts the fingerprint itself.
    length = len(attrs) + 8
    head = struct.pack("!HHI", BINDING_REQUEST, length, MAGIC_COOKIE) + txid
    crc = (binascii.crc32(head + attrs) & 0xFFFFFFFF) ^ FINGERPRINT_XOR
    return head + attrs + attribute(ATTR_FINGERPRINT, struct.pack("!I", crc))


def parse_address(value, txid, xored):
    family, port = value[1], struct.unpack("!H", value[2:4])[0]
    raw = value[4:]
    if xored:
        port ^= MAGIC_COOKIE >> 16
        key = struct.pack("!I", MAGIC_COOKIE) + txid
        raw = bytes(b ^ key[i] for i, b in enumerate(raw))
    if family == FAMILY_IPV4 and len(raw) == 4:
        return str(ipaddress.IPv4Address(raw)), port
    if family == FAMILY_IPV6 and len(raw) == 16:
        return str(ipaddress.IPv6Address(raw)), port
    return None, None


def parse_response(data, txid):
    """(message type, mapped ip, mapped port) or None if not our transaction."""
    if len(data) < 20:
        return None
    msg_type, length, cookie = struct.unpack("!HHI", data[:8])
    if cookie != MAGIC_COOKIE or data[8:20] != txid or len(data) < 20 + length:
        return None
    mapped = xor_mapped = (None, None)
    pos = 20
    while pos + 4 <= 20 + length:
        attr_type, attr_len = struct.unpack("!HH", data[pos:pos + 4])
        value = data[pos + 4:pos + 4 + attr_len]
        if attr_type == ATTR_XOR_MAPPED_ADDRESS:
            xor_mapped = parse_address(value, txid, True)
        elif attr_type == ATTR_MAPPED_ADDRESS:
            mapped = parse_address(value, txid, False)
        pos += 4 + attr_len + (4 - attr_len % 4) % 4
    ip, port = xor_mapped if xor_mapped[0] else mapped
    return msg_type, ip, port


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, default=3478)
    ap.add_argument("--device", help="SO_BINDTODEVICE to this interface")
    ap.add_argument("--sport", type=int, default=0, help="local UDP port (0: ephemeral)")
    ap.add_argument("--txid", help="transaction id, 24 hex digits (default random)")
    ap.add_argument("--ice", metavar="UFRAG", help="add ICE USERNAME (UFRAG:peer), PRIORITY, ICE-CONTROLLING")
    ap.add_argument("--software", help="SOFTWARE attribute")
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--field", choices=["json", "mapped-ip", "mapped"], default="json")
    args = ap.parse_args()

    family = socket.AF_INET6 if ":" in args.server else socket.AF_INET
    txid = bytes.fromhex(args.txid) if args.txid else os.urandom(12)
    if len(txid) != 12:
        sys.exit("--txid must be 12 bytes")
    ice = None
    if args.ice:
        # Chromium: USERNAME "remote:local", host-candidate priority, 8-byte tie-breaker.
        ice = {"username": args.ice, "priority": 0x6E7F1EFF, "tiebreaker": txid[:8]}
    request = binding_request(txid, ice, args.software)

    sock = socket.socket(family, socket.SOCK_DGRAM)
    if args.device:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.device.encode())
    sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", args.sport))
    server = (args.server, args.port)

    deadline = time.monotonic() + args.timeout
    rto, next_send, result = 0.5, 0.0, None
    while result is None:
        now = time.monotonic()
        if now >= deadline:
            break
        if now >= next_send:
            sock.sendto(request, server)
            next_send, rto = now + rto, rto * 2
        sock.settimeout(max(0.01, min(next_send, deadline) - now))
        try:
            data, _ = sock.recvfrom(2048)
        except socket.timeout:
            continue
        result = parse_response(data, txid)

    local = sock.getsockname()
    out = {"server": f"{args.server}:{args.port}", "device": args.device or "",
           "local_port": local[1], "txid": txid.hex()}
    if result is None or result[0] != BINDING_SUCCESS:
        out["error"] = "timeout" if result is None else f"response type 0x{result[0]:04x}"
        print(json.dumps(out) if args.field == "json" else "", flush=True)
        return 1
    _, ip, port = result
    out.update(mapped_ip=ip, mapped_port=port)
    if args.field == "mapped-ip":
        print(ip)
    elif args.field == "mapped":
        print(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}")
    else:
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
