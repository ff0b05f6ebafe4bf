#!/usr/bin/env python3
"""JSON lines of every bundled sample, every synthetic capture and (when
present) every corpus capture, with --events, checked against the fields the
README documents (section "JSON lines") and against themselves:

  * every line parses (python json, and jq when installed), one object per line;
  * every key path is documented in the README's tables;
  * the ECS fields agree with the EVE-like ones (source.ip = src_ip …),
    types and values are what the README says;
  * the summary comes last and counts the alerts that were written.
TAP output. usage: json_check.py LEAKAUDIT ROOT [CORPUS]"""
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys

n = 0
fails = 0


def report(ok, name, detail=()):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if not ok:
        for d in list(detail)[:8]:
            print("#   " + str(d)[:400])
    sys.stdout.flush()


def documented_tokens(readme):
    text = open(readme, encoding="utf-8").read()
    start = text.index("### JSON lines")
    # up to the next heading: the merges put other sections (nDPI, GeoIP …) between
    # the tables and "### syslog", and their prose documents no JSON field
    end = text.find("\n#", start)
    section = text[start:end] if end >= 0 else text[start:]
    tables = "\n".join(l for l in section.splitlines() if l.startswith("|") or not l.startswith(("{", " ", "}")))
    return set(re.findall(r"`([^`\s]+)`", tables))


def paths(obj, prefix=""):
    """Every key path: 'a', 'a.b', arrays of objects flattened ('dns.queries.rrname')."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = prefix + k
            out.append(p)
            out.extend(paths(v, p + "."))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(paths(v, prefix))
    return out


def undocumented(obj, tokens):
    bad = set()
    for p in paths(obj):
        parts = p.split(".")
        if p in tokens:
            continue
        # an object on the way to documented names (`network` for `network.type`)
        if any(t.startswith(p + ".") for t in tokens):
            continue
        # a nested name documented in its parent's row (`dns` … `rrname`, `source.geo` … `city_name`)
        if parts[-1] in tokens and any(".".join(parts[:i]) in tokens for i in range(1, len(parts))):
            continue
        bad.add(p)
    return bad


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
SEVERITY = {"low": 21, "medium": 47, "high": 73}
KINDS = {"stun", "dtls", "dns", "encrypted-dns"}


def get(obj, dotted):
    for k in dotted.split("."):
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj


def vpn_state_problems(ev):
    p = []
    if not ISO.match(str(ev.get("@timestamp"))) or ev.get("@timestamp") != ev.get("timestamp"):
        p.append("@timestamp %r / timestamp %r" % (ev.get("@timestamp"), ev.get("timestamp")))
    if ev.get("state") not in ("up", "down") or get(ev, "event.action") != "vpn-%s" % ev.get("state"):
        p.append("state %r, event.action %r" % (ev.get("state"), get(ev, "event.action")))
    if get(ev, "event.kind") != "event" or (ev.get("vpn") is None) != (ev.get("state") == "down"):
        p.append("event.kind %r, vpn %r" % (get(ev, "event.kind"), ev.get("vpn")))
    return p


def event_problems(ev):
    if ev.get("event_type") == "vpn_state":
        return vpn_state_problems(ev)
    p = []
    if not ISO.match(str(ev.get("@timestamp"))) or ev.get("@timestamp") != ev.get("timestamp"):
        p.append("@timestamp %r / timestamp %r" % (ev.get("@timestamp"), ev.get("timestamp")))
    if ev.get("event_type") not in KINDS:
        p.append("event_type %r" % ev.get("event_type"))
    kind = get(ev, "event.kind")
    if kind != ("alert" if ev.get("alert") else "event"):
        p.append("event.kind %r with alert %r" % (kind, ev.get("alert")))
    if get(ev, "event.category") != ["network"] or get(ev, "event.type") != ["protocol"]:
        p.append("event.category/type")
    if get(ev, "event.action") != "%s-%s" % (ev.get("event_type"), ev.get("verdict")):
        p.append("event.action %r" % get(ev, "event.action"))
    if ev.get("severity") and get(ev, "event.severity") != SEVERITY.get(ev["severity"]):
        p.append("event.severity %r for %r" % (get(ev, "event.severity"), ev.get("severity")))
    for ecs, eve in (("source.ip", "src_ip"), ("source.port", "src_port"), ("destination.ip", "dest_ip"),
                     ("destination.port", "dest_port")):
        if get(ev, ecs) != ev.get(eve):
            p.append("%s %r != %s %r" % (ecs, get(ev, ecs), eve, ev.get(eve)))
    for f in ("source.ip", "destination.ip"):
        try:
            ip = ipaddress.ip_address(get(ev, f))
            if get(ev, "network.type") != "ipv%d" % ip.version:
                p.append("network.type %r for %s" % (get(ev, "network.type"), ip))
        except (ValueError, TypeError):
            p.append("%s not an address: %r" % (f, get(ev, f)))
    for f in ("source.port", "destination.port"):
        v = get(ev, f)
        if not isinstance(v, int) or not 0 <= v <= 65535:
            p.append("%s %r" % (f, v))
    if get(ev, "network.transport") != ev.get("proto", "").lower():
        p.append("network.transport %r / proto %r" % (get(ev, "network.transport"), ev.get("proto")))
    side = "ingress" if ev.get("direction") == "in" else "egress"
    if get(ev, "observer.%s.interface.name" % side) != ev.get("interface"):
        p.append("observer.%s.interface.name %r != %r" % (side, get(ev, "observer.%s.interface.name" % side),
                                                          ev.get("interface")))
    want_dir = {"out": "egress", "in": "ingress"}.get(ev.get("direction"), "unknown")
    if get(ev, "network.direction") != want_dir:
        p.append("network.direction %r for %r" % (get(ev, "network.direction"), ev.get("direction")))
    if ev.get("exposed"):
        if ev.get("direction") != "in" and (get(ev, "source.nat.ip") != ev["exposed"]["ip"]
                                           or get(ev, "source.nat.port") != ev["exposed"]["port"]):
            p.append("source.nat %r != exposed %r" % (get(ev, "source.nat"), ev["exposed"]))
        if ev["exposed"]["ip"] not in (get(ev, "related.ip") or []):
            p.append("exposed address missing from related.ip")
    if ev.get("src_ip") not in (get(ev, "related.ip") or []) or ev.get("dest_ip") not in (get(ev, "related.ip") or []):
        p.append("related.ip %r" % get(ev, "related.ip"))
    if not isinstance(ev.get("message"), str) or not ev["message"]:
        p.append("message")
    if ev.get("event_type") == "dns":
        d = ev.get("dns", {})
        if d.get("queries") and get(d, "question.name") != d["queries"][0]["rrname"]:
            p.append("dns.question.name %r != queries[0] %r" % (get(d, "question.name"), d["queries"][0]))
        if d.get("type") == "answer":
            addrs = [a["rdata"] for a in d.get("answers", []) if a.get("rrtype") in ("A", "AAAA") and "rdata" in a]
            if d.get("resolved_ip") != addrs:
                p.append("dns.resolved_ip %r != answers %r" % (d.get("resolved_ip"), addrs))
    if ev.get("event_type") == "dtls" and ev.get("dtls", {}).get("handshake"):
        if get(ev, "tls.version_protocol") != "dtls":
            p.append("tls.version_protocol %r" % get(ev, "tls.version_protocol"))
        if ev["dtls"].get("sni") and get(ev, "tls.client.server_name") != ev["dtls"]["sni"] \
                and ev["dtls"]["handshake"] == "ClientHello":
            p.append("tls.client.server_name")
    if ev.get("folded") and ev.get("alert"):
        p.append("folded and alert at once")
    return p


def check_capture(binary, path, extra, tokens, have_jq):
    """(problems, lines) for one capture; None when leakaudit cannot read it."""
    proc = subprocess.run([binary, "-r", path, "-q", "--events", "--json", "-"] + extra, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)
    if proc.returncode == 2:
        return None  # unreadable captures are the CLI tests' business
    text = proc.stdout.decode("utf-8")
    lines = text.splitlines()
    problems = []
    objs = []
    for i, l in enumerate(lines):
        dups = []

        def no_dups(pairs):
            keys = [k for k, _ in pairs]
            dups.extend(sorted(k for k in set(keys) if keys.count(k) > 1))
            return dict(pairs)
        try:
            objs.append(json.loads(l, object_pairs_hook=no_dups))
        except ValueError as e:
            problems.append("line %d does not parse: %s" % (i + 1, e))
        if dups:  # python keeps the last one; jq and Elasticsearch disagree
            problems.append("line %d: duplicate keys %s in one object" % (i + 1, dups))
    if have_jq:
        jq = subprocess.run(["jq", "-c", "."], input=proc.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if jq.returncode != 0 or len(jq.stdout.decode().splitlines()) != len(lines):
            problems.append("jq: rc=%d %s" % (jq.returncode, jq.stderr.decode()[:200]))
    if not objs or objs[-1].get("event_type") != "summary":
        problems.append("the last line is not the summary")
    events = [o for o in objs if o.get("event_type") != "summary"]
    for o in objs:
        bad = undocumented(o, tokens)
        if bad:
            problems.append("undocumented fields %s in %s" % (sorted(bad)[:6], o.get("event_type")))
    for ev in events:
        for p in event_problems(ev):
            problems.append("frame %s: %s" % (ev.get("frame"), p))
    if objs:
        s = objs[-1]
        alerts = sum(1 for e in events if e.get("alert"))
        if s.get("alerts") != alerts or get(s, "event.kind") != "metric" or not s.get("message"):
            problems.append("summary alerts %r != %d alert lines, or event.kind/message" % (s.get("alerts"), alerts))
        if (proc.returncode == 1) != (alerts > 0):
            problems.append("exit status %d with %d alerts" % (proc.returncode, alerts))
    return problems, len(lines)


def main():
    binary, root = sys.argv[1], sys.argv[2]
    corpus = sys.argv[3] if len(sys.argv) > 3 else None
    tokens = documented_tokens(os.path.join(root, "README.md"))
    have_jq = shutil.which("jq") is not None
    if not have_jq:
        print("# SKIP-NOTE jq not installed: JSON lines checked with python only")
    caps = []
    for d in ("samples", "tests/data/synthetic"):
        full = os.path.join(root, d)
        for f in sorted(os.listdir(full)):
            if f.endswith((".pcap", ".pcapng")):
                caps.append((os.path.join(d, f), os.path.join(full, f)))
    geo = os.path.join(root, "samples", "geo")
    for name, path in caps:
        extra = open(path + ".args").read().split() if os.path.exists(path + ".args") else []
        r = check_capture(binary, path, extra + ["--no-geoip"], tokens, have_jq)
        report(r is not None and not r[0], "%s: %d lines valid against the documented fields" % (
            name, r[1] if r else 0), r[0] if r else ["unreadable"])
        if name.startswith("samples/") and os.path.isdir(geo):  # the GeoIP members, from the demo databases
            r = check_capture(binary, path, extra + ["--geoip", geo], tokens, have_jq)
            report(r is not None and not r[0], "%s --geoip samples/geo: %d lines valid against the documented "
                   "fields" % (name, r[1] if r else 0), r[0] if r else ["unreadable"])
    if os.environ.get("LEAKAUDIT_BUILD", "build") != "build":
        print("# SKIP-NOTE corpus JSON checked in the plain build only (time)")
    elif corpus and os.path.isdir(corpus):
        total = lines = 0
        problems = []
        for dirpath, _, files in sorted(os.walk(corpus)):
            for f in sorted(files):
                if not f.endswith((".pcap", ".pcapng", ".cap")):
                    continue
                r = check_capture(binary, os.path.join(dirpath, f), [], tokens, False)
                if r is None:
                    continue
                total += 1
                lines += r[1]
                problems += ["%s: %s" % (f, x) for x in r[0][:2]]
        report(total > 0 and not problems,
               "corpus: %d lines of %d captures valid against the documented fields" % (lines, total), problems)
    else:
        print("# SKIP-NOTE corpus not found (../shared/corpus): corpus JSON check skipped")
    print("1..%d" % n)
    return 1 if fails else 0


sys.exit(main())
