#!/usr/bin/env python3
"""Checks live attribution: every launched client's leak alert must name the
process that sent it. Reads the launches (kind, pid, key[, resolver pid]) the
test recorded and leakaudit's JSON alerts; prints the share of launches named
by each method, the unavailable ones with their reasons, and every wrong name.
Exit 0 when nothing was named wrongly (and the options' expectations hold)."""
import argparse, collections, json, sys

NAMES = {  # kind -> the process name the kernel knows (comm: 15 characters)
    "py-dns": "python3", "py-bind": "python3", "dig": "dig", "dig-tcp": "dig",
    "turnutils": "turnutils_stunclient"[:15], "resolver": "dnsmasq",
}

ap = argparse.ArgumentParser()
ap.add_argument("--mode", required=True)
ap.add_argument("--expect-method", help="every launch must be named by this method")
ap.add_argument("--forbid-method", help="no alert may carry this method")
ap.add_argument("--expect-asked-by", action="store_true", help="resolver alerts must name the app that asked")
ap.add_argument("launches")
ap.add_argument("alerts")
a = ap.parse_args()

launches = []
for line in open(a.launches):
    f = line.rstrip("\n").split("\t")
    launches.append({"kind": f[0], "pid": int(f[1]), "key": f[2], "resolver": int(f[3]) if len(f) > 3 else 0})
alerts = [json.loads(l) for l in open(a.alerts) if l.strip()]
alerts = [x for x in alerts if x.get("alert")]

def key_of(x):
    if x["event_type"] == "dns":
        return x["dns"]["queries"][0]["rrname"]
    if x["event_type"] == "stun" and x["dest_port"] == 19302:
        return "sport:%d" % x["src_port"]
    return None

by_key = collections.defaultdict(list)
for x in alerts:
    by_key[key_of(x)].append(x)
turn_alerts = [x for x in alerts if x["event_type"] == "stun" and x["dest_port"] == 3478]
turn_pids = {l["pid"] for l in launches if l["kind"] == "turnutils"}

problems = []
shares = collections.defaultdict(collections.Counter)
reasons = collections.Counter()
wrong = 0
for l in launches:
    kind = l["kind"]
    if kind == "turnutils":
        mine = [x for x in turn_alerts if x.get("process", {}).get("pid") == l["pid"]]
        if not mine:  # not named: count it by what its (unnamed) alert says, if any is left
            unnamed = [x for x in turn_alerts if "process" not in x and not x.get("_used")]
            if unnamed:
                unnamed[0]["_used"] = True
                mine = unnamed[:1]
    else:
        mine = by_key.get(l["key"], [])
    if not mine:
        problems.append("%s pid %d (%s): no leak alert" % (kind, l["pid"], l["key"]))
        shares[kind]["no alert"] += 1
        continue
    x = mine[0]
    method = x.get("attribution", {}).get("method", "none")
    proc = x.get("process")
    want_pid = l["resolver"] if kind == "resolver" else l["pid"]
    if proc:
        ok = proc.get("pid") == want_pid and proc.get("name") == NAMES[kind]
        if not ok:
            wrong += 1
            problems.append("%s: WRONG name %s(%s), expected %s(%d)" % (kind, proc.get("name"), proc.get("pid"),
                                                                        NAMES[kind], want_pid))
        if kind == "resolver":
            if proc.get("role") != "DNS resolver":
                problems.append("resolver alert not labelled as a DNS resolver: %r" % proc.get("role"))
            asked = proc.get("asked_by", {})
            if asked and asked.get("pid") != l["pid"]:
                wrong += 1
                problems.append("resolver: WRONG asker %s, expected pid %d" % (asked, l["pid"]))
            if a.expect_asked_by and not asked:
                problems.append("resolver alert for %s does not name the app that asked" % l["key"])
        shares[kind][method if ok else "wrong"] += 1
    else:
        shares[kind]["unavailable"] += 1
        reasons[x.get("attribution", {}).get("reason", "?")] += 1
        if not x.get("attribution", {}).get("reason"):
            problems.append("%s: unavailable without a reason" % kind)
    if a.expect_method and method != a.expect_method:
        problems.append("%s pid %d: named by %s, expected %s" % (kind, l["pid"], method, a.expect_method))
    if a.forbid_method and method == a.forbid_method:
        problems.append("%s pid %d: named by %s, which this run had turned off" % (kind, l["pid"], method))

total = collections.Counter()
print("%s: launches per client, by attribution method" % a.mode)
for kind in sorted(shares):
    c = shares[kind]
    n = sum(c.values())
    total.update(c)
    print("  %-10s %3d: %s" % (kind, n, ", ".join("%s %d (%.0f%%)" % (m, k, 100.0 * k / n) for m, k in c.most_common())))
n = sum(total.values())
print("  %-10s %3d: %s" % ("all", n, ", ".join("%s %d (%.0f%%)" % (m, k, 100.0 * k / n) for m, k in total.most_common())))
print("  wrong names: %d" % wrong)
for r, k in reasons.most_common():
    print("  unavailable %dx: %s" % (k, r))
for p in problems:
    print("PROBLEM: " + p)
sys.exit(1 if problems or wrong or not launches else 0)
