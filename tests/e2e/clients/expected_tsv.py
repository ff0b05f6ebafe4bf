#!/usr/bin/python3
"""Build samples/expected.tsv from what scripts/make-samples.sh did, confirmed by tshark.

make-samples.sh logs one JSON "intent" per action (kind, interface, destination,
verdict, STUN transaction id or DNS name ...). This script decodes every capture
with tshark (PDML), finds the frames each intent produced, checks that they
went where the generator meant them to (interface, addresses, and for STUN the
address the server reflected), and refuses captures that hold STUN requests,
DNS queries or DTLS ClientHellos nobody intended. It writes one TSV row per
request frame; the exposed address is read from the matching success response's
XOR-MAPPED-ADDRESS as tshark decodes it (stun.att.ipv4/ipv6 + stun.att.port).

usage: expected_tsv.py --intents FILE --dir SAMPLES_DIR --out TSV [--ifmap FILE:N=NAME,...]
       expected_tsv.py --counts --dir SAMPLES_DIR FILE...
"""
import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

COLUMNS = ["file", "frame", "kind", "interface", "ifindex", "ip_version", "transport",
           "src", "src_port", "dst", "dst_port", "verdict", "exposed", "dns_name", "dns_qtype"]
STUN_BINDING_REQUEST = "0x0001"
STUN_BINDING_SUCCESS = "0x0101"
STUN_XOR_MAPPED_ADDRESS = "0x0020"
DTLS_CLIENT_HELLO = "1"
DNS_QTYPES = {"1": "A", "28": "AAAA", "65": "HTTPS"}


def fields(elem, name):
    return [f.get("show") for f in elem.iter("field") if f.get("name") == name]


def first(elem, name):
    vals = fields(elem, name)
    return vals[0] if vals else None


def decode(path):
    """One dict per frame with the fields this script needs."""
    xml = subprocess.run(["tshark", "-r", path, "-T", "pdml"], check=True,
                         capture_output=True).stdout
    frames = []
    for pkt in ET.fromstring(xml).iter("packet"):
        protos = {p.get("name"): p for p in pkt.findall("proto")}
        f = {"frame": int(first(protos["frame"], "frame.number")),
             "time": float(first(protos["frame"], "frame.time_epoch")),
             "iface": first(protos["frame"], "frame.interface_name"),
             "ifindex": first(protos["sll"], "sll.ifindex") if "sll" in protos else None}
        if "ip" in protos:
            f.update(ipver="4", src=first(protos["ip"], "ip.src"), dst=first(protos["ip"], "ip.dst"))
        elif "ipv6" in protos:
            f.update(ipver="6", src=first(protos["ipv6"], "ipv6.src"), dst=first(protos["ipv6"], "ipv6.dst"))
        for t in ("udp", "tcp"):
            if t in protos:
                f.update(transport=t, sport=first(protos[t], t + ".srcport"),
                         dport=first(protos[t], t + ".dstport"))
                break
        if "stun" in protos:
            s = protos["stun"]
            f["stun_type"], f["stun_id"] = first(s, "stun.type"), (first(s, "stun.id") or "").replace(":", "")
            for att in s.iter("field"):
                if att.get("name") == "stun.attribute" and att.get("show") == STUN_XOR_MAPPED_ADDRESS:
                    ip = first(att, "stun.att.ipv4") or first(att, "stun.att.ipv6")
                    port = first(att, "stun.att.port")
                    f["xor_mapped"] = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
        if "dns" in protos:
            d = protos["dns"]
            f["dns_response"] = first(d, "dns.flags.response") in ("1", "True")
            f["dns_name"] = first(d, "dns.qry.name")
            f["dns_qtype"] = first(d, "dns.qry.type")
        if "dtls" in protos:
            f["dtls_hs"] = fields(protos["dtls"], "dtls.handshake.type")
        frames.append(f)
    return frames


def is_stun_request(f):
    return f.get("stun_type") == STUN_BINDING_REQUEST


def is_dns_query(f):
    return "dns_response" in f and not f["dns_response"]


def is_client_hello(f):
    return DTLS_CLIENT_HELLO in f.get("dtls_hs", [])


def interface_of(f, ifmap, single_iface):
    if f["iface"]:
        return f["iface"], "-"
    if f["ifindex"] is not None:
        return ifmap.get(f["ifindex"], "if" + f["ifindex"]), f["ifindex"]
    return single_iface, "-"


def fail(msg):
    sys.exit("expected_tsv: " + msg)


def build(args):
    intents = [json.loads(line) for line in open(args.intents) if line.strip()]
    ifmaps = {}
    for spec in args.ifmap or []:
        fname, pairs = spec.split(":", 1)
        ifmaps[fname] = dict(p.split("=", 1) for p in pairs.split(","))
    rows, by_file = [], {}
    for it in intents:
        by_file.setdefault(it["file"], []).append(it)
    for fname, its in by_file.items():
        frames = decode(os.path.join(args.dir, fname))
        times = [f["time"] for f in frames]
        if times != sorted(times):
            fail(f"{fname}: frames are not in time order")
        claimed = set()
        for it in its:
            if it["kind"] == "stun-binding":
                match = [f for f in frames if is_stun_request(f) and f["stun_id"] == it["txid"]]
                resp = [f for f in frames if f.get("stun_type") == STUN_BINDING_SUCCESS
                        and f["stun_id"] == it["txid"] and "xor_mapped" in f]
            elif it["kind"] == "dns-query":
                match = [f for f in frames if is_dns_query(f) and f["dns_name"] == it["name"]
                         and f.get("transport") == it["transport"]]
                resp = []
            elif it["kind"] == "dtls-client-hello":
                match = [f for f in frames if is_client_hello(f) and f["dst"] == it["dst"]
                         and f["dport"] == str(it["dst_port"])]
                resp = []
            else:
                fail(f"unknown kind {it['kind']}")
            if not match:
                fail(f"{fname}: no frame for intent {it}")
            if it["kind"] == "stun-binding" and len(match) > 1:
                match = match[:1]        # a retransmission: one row per transaction
            exposed = "-"
            if it["kind"] == "stun-binding":
                if not resp:
                    fail(f"{fname}: no Binding success response for {it['txid']}")
                exposed = resp[0]["xor_mapped"]
                if not exposed.strip("[").startswith(it["expect_exposed_ip"]):
                    fail(f"{fname}: {it['txid']} reflected {exposed}, expected {it['expect_exposed_ip']}")
            for f in match:
                iface, ifindex = interface_of(f, ifmaps.get(fname, {}), it["interface"])
                checks = {"interface": (iface, it["interface"]), "ip_version": (f["ipver"], str(it["ip_version"])),
                          "transport": (f["transport"], it["transport"]), "dst": (f["dst"], it["dst"]),
                          "dst_port": (f["dport"], str(it["dst_port"]))}
                if it.get("src"):
                    checks["src"] = (f["src"], it["src"])
                for what, (got, want) in checks.items():
                    if got != want:
                        fail(f"{fname} frame {f['frame']}: {what} is {got}, intended {want} ({it})")
                claimed.add(f["frame"])
                qtype = DNS_QTYPES.get(f.get("dns_qtype") or "", f.get("dns_qtype") or "-")
                rows.append([fname, str(f["frame"]), it["kind"], iface, ifindex, f["ipver"], f["transport"],
                             f["src"], f["sport"], f["dst"], f["dport"], it["verdict"], exposed,
                             f.get("dns_name") or "-", qtype if it["kind"] == "dns-query" else "-"])
        stray = [f["frame"] for f in frames if (is_stun_request(f) or is_dns_query(f) or is_client_hello(f))
                 and f["frame"] not in claimed]
        if stray:
            fail(f"{fname}: unintended STUN/DNS/DTLS frames {stray}")
    rows.sort(key=lambda r: (r[0], int(r[1])))
    with open(args.out, "w") as out:
        out.write("# leakaudit sample ground truth, written by scripts/make-samples.sh from what it sent,\n")
        out.write("# every value confirmed by tshark. One row per request frame. exposed = the\n")
        out.write("# XOR-MAPPED-ADDRESS of the STUN success response. '-' = not applicable.\n")
        for spec in args.ifmap or []:
            out.write(f"# ifindex {spec}   (pass as --ifname N=NAME)\n")
        out.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            out.write("\t".join(r) + "\n")
    print(f"expected_tsv: {len(rows)} rows -> {args.out}")


def counts(args):
    for fname in args.files:
        frames = decode(os.path.join(args.dir, fname))
        size = os.path.getsize(os.path.join(args.dir, fname))
        n = lambda pred: sum(1 for f in frames if pred(f))  # noqa: E731
        print(f"{fname}\t{len(frames)}\t{size}\t{n(lambda f: 'stun_type' in f)}\t{n(lambda f: 'dns_response' in f)}"
              f"\t{n(lambda f: 'dtls_hs' in f)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--intents")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out")
    ap.add_argument("--ifmap", action="append")
    ap.add_argument("--counts", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    counts(args) if args.counts else build(args)


if __name__ == "__main__":
    main()
