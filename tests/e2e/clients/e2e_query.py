#!/usr/bin/python3
"""Reads leakaudit's JSON lines (--events --json FILE) and the WebRTC page's
result for tests/e2e/run.sh; prints one fact per line for the shell to compare.

  e2e_query.py alerts FILE                 "kind iface src -> dst exposed" per alert, sorted
  e2e_query.py dns FILE NAME               "iface verdict proto" of the query for NAME
  e2e_query.py stun FILE TXID              "iface verdict exposed" of the Binding request TXID
  e2e_query.py dtls FILE PORT              "iface verdict" of ClientHellos from local PORT
  e2e_query.py states FILE                 "state vpn reason" per vpn_state line
  e2e_query.py labels FILE                 interface names events carry, sorted, unique
  e2e_query.py processes FILE              the process of each alert ("-" when not attributed)
  e2e_query.py candidates RESULT           "type address port" per ICE candidate the page printed
Addresses print as leakaudit's text output does: 1.2.3.4:5 and [2001:db8::1]:5.
"""
import json
import sys


def hostport(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def events(path):
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def exposed(e):
    x = e.get("exposed")
    return hostport(x["ip"], x["port"]) if x else "-"


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    out = []
    if cmd == "candidates":
        for c in json.load(open(path)).get("candidates", []):
            f = c.split()
            # candidate:F COMPONENT PROTO PRIORITY ADDRESS PORT typ TYPE ...
            if len(f) >= 8 and f[2].lower() == "udp":
                out.append(f"{f[7]} {hostport(f[4], f[5])}")
        emit(out)
        return
    for e in events(path):
        t = e.get("event_type")
        if cmd == "alerts" and e.get("alert"):
            out.append(f"{t} {e['interface']} {hostport(e['src_ip'], e['src_port'])} -> "
                       f"{hostport(e['dest_ip'], e['dest_port'])} {exposed(e)}")
        elif cmd == "dns" and t == "dns" and e["dns"]["type"] == "query" and \
                any(q["rrname"] == arg for q in e["dns"].get("queries", [])):
            out.append(f"{e['interface']} {e['verdict']} {e['proto']}")
        elif cmd == "stun" and t == "stun" and e["stun"].get("transaction_id") == arg and \
                e["stun"]["class"] == "request":
            out.append(f"{e['interface']} {e['verdict']} {exposed(e)}")
        elif cmd == "dtls" and t == "dtls" and e.get("direction") == "out" and str(e["src_port"]) == arg:
            out.append(f"{e['interface']} {e['verdict']}")
        elif cmd == "states" and t == "vpn_state":
            out.append(f"{e['state']} {e.get('vpn') or '-'} {e.get('reason')}")
        elif cmd == "labels" and "interface" in e:
            out.append(e["interface"])
        elif cmd == "processes" and e.get("alert"):
            p = e.get("process")
            out.append(json.dumps(p, sort_keys=True) if p else "-")
    if cmd in ("alerts", "labels"):
        out = sorted(set(out)) if cmd == "labels" else sorted(out)
    if cmd in ("dns", "stun", "dtls"):
        out = sorted(set(out))
    emit(out)


def emit(lines):
    if lines:  # nothing at all for no match, so `| wc -l` counts 0
        print("\n".join(lines))


if __name__ == "__main__":
    main()
