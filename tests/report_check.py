#!/usr/bin/env python3
"""Checks an HTML report (as written, or as Chromium's DOM after rendering)
against the JSON lines of the same run. Prints one "ok ..." / "not ok ..."
line per check (the caller numbers them).
usage: report_check.py REPORT.html RUN.jsonl [hostile-text ...]"""
import collections
import html.parser
import json
import sys


class Dom(html.parser.HTMLParser):
    """Elements by id (attributes + text), every tag name, data-* of lanes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id = {}
        self.tags = collections.Counter()
        self.attrs_seen = []
        self.lanes = []
        self.stack = []   # ids open, to gather their text
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.attrs_seen.extend(k for k, _ in attrs)
        if tag == "g" and a.get("class") == "lane":
            self.lanes.append(a)
        if "id" in a:
            self.by_id[a["id"]] = {"attrs": a, "text": ""}
        self.stack.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        self.text.append(data)
        for _, i in self.stack:
            if i:
                self.by_id[i]["text"] += data


def main():
    page, run = sys.argv[1], sys.argv[2]
    hostile = sys.argv[3:]
    dom = Dom()
    dom.feed(open(page, encoding="utf-8").read())
    lines = [json.loads(l) for l in open(run)]
    summary = [l for l in lines if l["event_type"] == "summary"][-1]
    alerts = [l for l in lines if l.get("alert")]
    results = []

    def check(name, cond, detail=""):
        results.append(("ok " if cond else "not ok ") + name + ("" if cond or not detail else "  # " + detail))

    def count(i):
        e = dom.by_id.get(i)
        return int(e["attrs"]["data-count"]) if e else None

    verdict = dom.by_id.get("verdict", {"attrs": {}, "text": ""})
    want = "leak" if summary["alerts"] else ("no-vpn" if summary["verdicts"].get("no-vpn") and not summary["verdicts"].get("inside-vpn") else "clean")
    check("headline verdict is %s: %s" % (want, verdict["text"]), verdict["attrs"].get("data-verdict") == want)
    if summary["alerts"]:
        check("headline counts %d alerts" % summary["alerts"],
              verdict["text"].startswith("LEAK: %d alert" % summary["alerts"]), verdict["text"])
    check("packets card = summary packets (%d)" % summary["packets"], count("count-packets") == summary["packets"])
    check("alerts card = summary alerts (%d)" % summary["alerts"], count("count-alerts") == summary["alerts"])
    check("exposures card = summary exposures (%d)" % summary["exposures"], count("count-exposures") == summary["exposures"])
    kinds_ok = all(count("count-" + k) == v for k, v in summary["events"].items())
    check("event cards = summary events %s" % summary["events"], kinds_ok)
    rows = dom.by_id.get("alerts")
    check("alerts table has one row per JSON alert (%d)" % len(alerts),
          rows is not None and int(rows["attrs"]["data-rows"]) == len(alerts))
    exposed = {"%s:%d" % (a["exposed"]["ip"], a["exposed"]["port"]) if ":" not in a["exposed"]["ip"]
               else "[%s]:%d" % (a["exposed"]["ip"], a["exposed"]["port"]) for a in alerts if "exposed" in a}
    ex = dom.by_id.get("exposed")
    check("exposed table lists the %d exposed addresses %s" % (len(exposed), sorted(exposed)),
          ex is not None and int(ex["attrs"]["data-rows"]) == len(exposed) and all(e in ex["text"] for e in exposed))
    names = {q["rrname"] for a in alerts if a["event_type"] == "dns" for q in a["dns"].get("queries", [])}
    ln = dom.by_id.get("leaked-names")
    check("leaked-names table lists the %d leaked DNS names" % len(names),
          ln is not None and int(ln["attrs"]["data-rows"]) >= len(names) and all(n in ln["text"] for n in names))
    lane_alerts = sum(int(l["data-alerts"]) for l in dom.lanes)
    lane_ifaces = {l["data-iface"] for l in dom.lanes}
    alert_ifaces = {a["interface"] for a in alerts}
    check("timeline: %d lanes, alerts per lane sum to %d" % (len(dom.lanes), len(alerts)),
          lane_alerts == len(alerts) and alert_ifaces <= lane_ifaces)
    check("timeline marks %d leak(s)" % sum(1 for a in alerts if a["verdict"] == "leak"),
          dom.tags["circle"] >= (1 if alerts else 0) and dom.tags["svg"] == 1)
    external = [t for t in ("script", "link", "img", "iframe", "object", "embed") if dom.tags[t]]
    refs = [a for a in dom.attrs_seen if a in ("src", "href", "srcset", "action") or a.startswith("on")]
    check("self-contained: no script/link/img/iframe elements, no src/href/on* attributes",
          not external and not refs, "elements %s attributes %s" % (external, refs))
    body = "".join(dom.text)
    for h in hostile:
        check("hostile text shown as text, not markup: %s" % h, h in body)
    print("\n".join(results))


main()
