#!/usr/bin/env python3
"""Exact alerts of every synthetic capture (tests/data/synthetic/, made by
scripts/make-synthetic-captures.py),
their exit status, the JSON fields of each event, and the evidence round trip
(-w, then -r on the evidence gives the same alerts). TAP output.
usage: samples_check.py LEAKAUDIT SAMPLES_DIR"""
import json
import os
import subprocess
import sys
import tempfile

# file → (exit status, [(event_type, interface, dest_ip, dest_port, exposed "ip:port" or None, detail)])
EXPECTED = {
    "webrtc-leak.pcapng": (1, [
        ("stun", "eth0", "203.0.113.10", 3478, "203.0.113.2:50001", "Binding"),
        ("stun", "eth0", "2001:db8:2::10", 3478, "2001:db8:1::10:50002", "Binding"),
        ("dtls", "eth0", "203.0.113.10", 50100, None, "SRTP_AEAD_AES_128_GCM"),
    ]),
    "dns-leak-any.pcap": (1, [
        ("dns", "eth0", "198.51.100.1", 53, None, "leak.example.com"),
        ("dns", "eth0", "198.51.100.1", 53, None, "tcp-leak.example.net"),
        ("dns", "eth0", "2001:db8:1::1", 53, None, "v6-leak.example.com"),
    ]),
    "clean.pcapng": (0, []),
    "vpn-underlay-eth0.pcap": (1, [
        ("stun", "if0", "203.0.113.10", 19302, "203.0.113.2:50005", "Binding"),
        ("dns", "if0", "198.51.100.1", 53, None, "underlay-leak.example.com"),
    ]),
    "no-vpn.pcap": (0, []),
}
# Verdicts of all events (--events), to show non-alerts are judged too.
EXPECTED_VERDICTS = {
    "clean.pcapng": {"inside-vpn": 2, "response": 2},
    "no-vpn.pcap": {"no-vpn": 2, "response": 1},
}
REQUIRED_FIELDS = ("timestamp", "event_type", "frame", "interface", "interface_role", "direction", "src_ip",
                   "src_port", "dest_ip", "dest_port", "proto", "verdict", "alert")

n = 0
fails = 0


def report(ok, name, detail=()):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print("%s %d %s" % ("ok" if ok else "not ok", n, name))
    for d in (detail if not ok else ()):
        print("#   " + d)


def run(binary, path, extra):
    p = subprocess.run([binary, "-r", path, "-q", "--json", "-"] + extra, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    lines = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    return p.returncode, lines, p.stderr.decode()


def alert_tuples(lines):
    out = []
    for ev in lines:
        if not ev.get("alert"):
            continue
        exp = ev.get("exposed")
        detail = json.dumps(ev.get(ev["event_type"], {}))
        out.append((ev["event_type"], ev["interface"], ev["dest_ip"], ev["dest_port"],
                    "%s:%d" % (exp["ip"], exp["port"]) if exp else None, detail))
    return out


def matches(got, want):
    return len(got) == len(want) and all(g[:5] == w[:5] and w[5] in g[5] for g, w in zip(got, want))


def main():
    binary, samples = sys.argv[1], sys.argv[2]
    for name, (status, want) in EXPECTED.items():
        path = os.path.join(samples, name)
        args_file = path + ".args"
        extra = open(args_file).read().split() if os.path.exists(args_file) else []
        rc, lines, err = run(binary, path, extra)
        got = alert_tuples(lines)
        report(rc == status, "%s exits %d" % (name, status), ["rc=%d %s" % (rc, err.strip()[-200:])])
        report(matches(got, want), "%s alerts" % name, ["got %s" % [g[:5] for g in got], "want %s" % [w[:5] for w in want]])
        missing = [f for ev in lines if ev.get("event_type") != "summary" for f in REQUIRED_FIELDS if f not in ev]
        report(not missing and lines and lines[-1].get("event_type") == "summary",
               "%s JSON has the documented fields and a summary" % name, ["missing %s" % missing[:5]])
        rc2, all_lines, _ = run(binary, path, extra + ["--events"])
        if name in EXPECTED_VERDICTS:
            counts = {}
            for ev in all_lines:
                if ev.get("event_type") != "summary":
                    counts[ev["verdict"]] = counts.get(ev["verdict"], 0) + 1
            report(counts == EXPECTED_VERDICTS[name], "%s event verdicts" % name, ["got %s" % counts])
        if want:
            with tempfile.TemporaryDirectory() as tmp:
                ev_path = os.path.join(tmp, "evidence.pcapng")
                subprocess.run([binary, "-r", path, "-q", "-w", ev_path] + extra, stdout=subprocess.DEVNULL)
                rc3, lines3, err3 = run(binary, ev_path, extra)
                got3 = alert_tuples(lines3)
                report(rc3 == status and [g[:5] for g in got3] == [g[:5] for g in got],
                       "%s evidence pcapng reproduces the alerts" % name, ["got %s" % [g[:5] for g in got3], err3[-200:]])
    print("1..%d" % n)
    return 1 if fails else 0


sys.exit(main())
