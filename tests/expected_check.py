#!/usr/bin/env python3
"""The bundled samples (real captures made in network namespaces by
scripts/make-samples.sh) against their ground truth samples/expected.tsv,
which the generator wrote from what it sent and confirmed with tshark: for
every request frame, leakaudit's event must have the same kind, interface,
destination, verdict, DNS name, and for leaks the exposed address. TAP.
usage: expected_check.py LEAKAUDIT SAMPLES_DIR"""
import csv
import json
import os
import subprocess
import sys

KIND = {"stun-binding": "stun", "dns-query": "dns", "dtls-client-hello": "dtls"}


def main():
    binary, samples = sys.argv[1], sys.argv[2]
    with open(os.path.join(samples, "expected.tsv")) as f:
        rows = list(csv.DictReader((l for l in f if not l.startswith("#")), delimiter="\t"))
    events = {}
    n = fails = 0
    for name in sorted({r["file"] for r in rows}):
        path = os.path.join(samples, name)
        args = open(path + ".args").read().split() if os.path.exists(path + ".args") else []
        p = subprocess.run([binary, "-r", path, "-q", "--events", "--json", "-"] + args, stdout=subprocess.PIPE,
                           timeout=60)
        for line in p.stdout.decode().splitlines():
            ev = json.loads(line)
            if ev.get("event_type") in KIND.values():
                events.setdefault((name, ev["frame"]), []).append(ev)
    for r in rows:
        n += 1
        cands = [e for e in events.get((r["file"], int(r["frame"])), []) if e["event_type"] == KIND[r["kind"]]
                 and e["direction"] == "out"]
        problems = []
        if not cands:
            problems.append("no %s event at frame %s" % (KIND[r["kind"]], r["frame"]))
        else:
            e = cands[0]
            want = {"interface": r["interface"], "dest_ip": r["dst"], "dest_port": int(r["dst_port"]),
                    "verdict": r["verdict"], "proto": r["transport"].upper()}
            for k, v in want.items():
                if e.get(k) != v:
                    problems.append("%s: got %r, want %r" % (k, e.get(k), v))
            if r["dns_name"] != "-":
                names = [q["rrname"] for q in e.get("dns", {}).get("queries", [])]
                if r["dns_name"] not in names:
                    problems.append("dns name: got %s, want %s" % (names, r["dns_name"]))
            if r["verdict"] == "leak" and r["exposed"] != "-":
                exp = e.get("exposed")
                got = None
                if exp:
                    got = ("[%s]:%d" if ":" in exp["ip"] else "%s:%d") % (exp["ip"], exp["port"])
                if got != r["exposed"]:
                    problems.append("exposed: got %s, want %s" % (got, r["exposed"]))
        label = "%s frame %s %s %s" % (r["file"], r["frame"], r["kind"], r["verdict"])
        if problems:
            fails += 1
            print("not ok %d %s" % (n, label))
            for pr in problems:
                print("#   " + pr)
        else:
            print("ok %d %s" % (n, label))
    print("1..%d" % n)
    return 1 if fails else 0


sys.exit(main())
