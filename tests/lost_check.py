#!/usr/bin/env python3
"""Nothing lost (issue 9): on a full disk, a failing output or a signal,
every alert already decided is written or counted as dropped in the
summary, never silently lost, and the exit status says so (2).

Cases: --json /dev/full and standard output on /dev/full; a tiny tmpfs
(private mount namespace, unshare -m, root only) that fills in the middle of
a run of 400 distinct DNS leaks: the JSON file holds exactly as many whole
alert lines as the summary says were written, and written + dropped is every
alert; a JSON file whose directory is removed while a stream is read, with a
SIGHUP reopen that cannot work; a syslog collector that is not there; and
SIGTERM in the middle of a stream (the alerts so far written, the summary
printed, exit 1). usage: lost_check.py LEAKAUDIT ROOT. TAP output."""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_big_capture import checksum  # noqa: E402  (the IPv4/UDP checksum)

LA, ROOT = sys.argv[1], sys.argv[2]
n = fails = 0


def report(cond, name, detail=()):
    global n, fails
    n += 1
    if cond:
        print("ok %d %s" % (n, name))
    else:
        fails += 1
        print("not ok %d %s" % (n, name))
        for d in detail:
            for line in str(d).splitlines()[:12]:
                print("#   " + line)
    sys.stdout.flush()


def skip(name, why):
    global n
    n += 1
    print("ok %d %s # SKIP %s" % (n, name, why))
    print("# SKIP-NOTE %s" % why)


def dns_frame(i):
    name = b"lost%d.example.com" % i
    q = struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p for p in name.split(b".")) + b"\0" + struct.pack("!HH", 1, 1)
    udp = struct.pack("!HHHH", 30000 + i % 30000, 53, 8 + len(q), 0) + q
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0,
                     bytes((198, 51, 100, 10)), bytes((198, 51, 100, 1)))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + udp


PCAP_HEADER = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def record(i):
    f = dns_frame(i)
    return struct.pack("<IIII", 1764000000 + i, 0, len(f), len(f)) + f


def write_capture(path, count):
    with open(path, "wb") as out:
        out.write(PCAP_HEADER)
        for i in range(count):
            out.write(record(i))


ARGS = ["--require-vpn", "--interface", "eth0", "--no-geoip", "--no-dpi", "-Z", "root"] if os.getuid() == 0 else \
       ["--require-vpn", "--interface", "eth0", "--no-geoip", "--no-dpi"]
ACCOUNT_RE = re.compile(r"^leakaudit: (\w+) '([^']*)': (\d+) alerts? written, (\d+) dropped(?: \((.*)\))?$", re.M)


def accounts(stderr):
    return {(m.group(1), m.group(2)): (int(m.group(3)), int(m.group(4)), m.group(5)) for m in ACCOUNT_RE.finditer(stderr)}


def error_lines(stderr):
    return [l for l in stderr.splitlines() if l.startswith("leakaudit: writing ")]


def whole_alert_lines(path):
    good = 0
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        for line in f:
            try:
                if json.loads(line).get("alert") is True:
                    good += 1
            except ValueError:
                pass
    return good


tmp = tempfile.mkdtemp()
try:
    cap = os.path.join(tmp, "leaks.pcap")
    write_capture(cap, 400)

    # 1. --json /dev/full: every JSON alert dropped and counted, the text ones still out, exit 2.
    p = subprocess.run([LA, "-r", cap, "--json", "/dev/full"] + ARGS, capture_output=True, text=True)
    acc = accounts(p.stderr)
    text_alerts = p.stdout.count(" LEAK ")
    report(p.returncode == 2 and text_alerts == 400 and acc.get(("json", "/dev/full"), (None,))[:2] == (0, 400)
           and len(error_lines(p.stderr)) == 1 and "No space left on device (400 of 400 alerts not written)" in p.stderr,
           "--json /dev/full: 400 alerts on stdout, the summary says json 0 written 400 dropped, one error line, exit 2",
           [p.returncode, text_alerts, acc, p.stderr[-600:]])

    # 2. Standard output on /dev/full: the JSON file gets all, the text loss is counted.
    js = os.path.join(tmp, "all.jsonl")
    with open("/dev/full", "w") as full:
        p = subprocess.run([LA, "-r", cap, "--json", js] + ARGS, stdout=full, stderr=subprocess.PIPE, text=True)
    acc = accounts(p.stderr)
    report(p.returncode == 2 and acc.get(("text", "stdout"), (None,))[:2] == (0, 400) and whole_alert_lines(js) == 400
           and len(error_lines(p.stderr)) == 1,
           "stdout on /dev/full: text 0 written 400 dropped in the summary, the JSON file has all 400, exit 2",
           [p.returncode, acc, p.stderr[-400:]])
    summary = [json.loads(l) for l in open(js) if '"event_type":"summary"' in l]
    outs = {o["sink"]: o for o in summary[0].get("outputs", [])} if summary else {}
    report(outs.get("json", {}).get("alerts_written") == 400 and outs.get("json", {}).get("alerts_dropped") == 0
           and outs.get("text", {}).get("alerts_dropped") == 400 and "No space" in outs.get("text", {}).get("error", ""),
           "the JSON summary's outputs: json 400 written, text 400 dropped (No space left on device)", [outs])

    # 3. A tmpfs that fills mid-run (private mount namespace: nothing outside sees it).
    if os.getuid() != 0 or not shutil.which("unshare"):
        skip("tiny tmpfs fills mid-run", "needs root and unshare for a private tmpfs")
    else:
        mnt = os.path.join(tmp, "mnt")
        os.mkdir(mnt)
        script = ('m=$1; out=$2; shift 2; mount -t tmpfs -o size=128k leakaudit-lost "$m" || exit 99; '
                  '"$@" --json "$m/a.jsonl"; rc=$?; cp "$m/a.jsonl" "$out"; exit $rc')
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", mnt,
                            os.path.join(tmp, "a.jsonl"), LA, "-r", cap] + ARGS, capture_output=True, text=True)
        acc = accounts(p.stderr).get(("json", os.path.join(mnt, "a.jsonl")))
        kept = whole_alert_lines(os.path.join(tmp, "a.jsonl")) if os.path.exists(os.path.join(tmp, "a.jsonl")) else -1
        report(p.returncode == 2 and acc is not None and 0 < acc[0] < 400 and acc[0] + acc[1] == 400
               and kept == acc[0] and "No space left on device" in (acc[2] or ""),
               "tmpfs of 128 KiB full mid-run: %s written (= %d whole alert lines in the file) + %s dropped = 400, exit 2"
               % (acc[0] if acc else "?", kept, acc[1] if acc else "?"), [p.returncode, acc, kept, p.stderr[-500:]])
        report(subprocess.run(["findmnt", mnt], capture_output=True).returncode != 0,
               "the tmpfs was only in the private mount namespace (gone with it)")

    # 4. The directory of the JSON file vanishes mid-stream; SIGHUP cannot reopen it.
    d = os.path.join(tmp, "vanish")
    os.mkdir(d)
    path = os.path.join(d, "a.jsonl")
    la = subprocess.Popen([LA, "-r", "-", "--json", path] + ARGS, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    la.stdin.write(PCAP_HEADER + record(0) + record(1))
    la.stdin.flush()
    deadline = time.time() + 5  # the JSON file itself, not stdout: outputs are flushed one after the other
    while whole_alert_lines(path) < 2 and time.time() < deadline:
        time.sleep(0.02)
    first = whole_alert_lines(path)
    shutil.rmtree(d)
    la.send_signal(signal.SIGHUP)
    time.sleep(0.2)
    la.stdin.write(record(2) + record(3) + record(4))
    la.stdin.close()
    out, err = la.stdout.read(), la.stderr.read().decode()
    la.wait(10)
    acc = accounts(err).get(("json", path))
    report(la.returncode == 2 and first == 2 and acc is not None and acc[:2] == (2, 3)
           and "file deleted, cannot create it again" in (acc[2] or "") and "cannot reopen" in err,
           "JSON directory removed mid-stream, SIGHUP reopen fails: 2 written before, 3 dropped after, said so, exit 2",
           [la.returncode, first, acc, err[-600:]])

    # 5. A syslog collector that is not there: counted, and an error.
    sock = os.path.join(tmp, "no-collector.sock")
    js = os.path.join(tmp, "sys.jsonl")
    p = subprocess.run([LA, "-r", cap, "-c", "5", "--syslog-remote", "unix:" + sock, "--json", js] + ARGS,
                       capture_output=True, text=True)
    summary = [json.loads(l) for l in open(js) if '"event_type":"summary"' in l]
    outs = {o["sink"]: o for o in summary[0].get("outputs", [])} if summary else {}
    report(p.returncode == 2 and re.search(r"syslog unix:%s: 0 delivered, 5 dropped" % re.escape(sock), p.stderr)
           and "5 messages not delivered" in p.stderr and outs.get("syslog", {}).get("alerts_dropped") == 5,
           "syslog collector absent: 5 dropped in the text and JSON summaries, exit 2", [p.returncode, outs, p.stderr[-400:]])

    # 6. SIGTERM mid-stream: what was decided is written, the summary printed, exit 1 (leaks).
    path = os.path.join(tmp, "term.jsonl")
    la = subprocess.Popen([LA, "-r", "-", "--json", path] + ARGS, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    la.stdin.write(PCAP_HEADER + b"".join(record(i) for i in range(7)))
    la.stdin.flush()
    seen = b""
    deadline = time.time() + 5
    while seen.count(b" LEAK ") < 7 and time.time() < deadline:
        seen += os.read(la.stdout.fileno(), 4096)
    la.send_signal(signal.SIGTERM)
    la.stdin.write(record(7))  # the loop wakes, sees the signal and stops
    la.stdin.flush()
    out, err = la.communicate(timeout=10)
    err = err.decode()
    lines = [json.loads(l) for l in open(path)]
    report(la.returncode == 1 and sum(1 for o in lines if o.get("alert")) >= 7 and lines[-1].get("event_type") == "summary"
           and "interrupted" in err and "LEAK:" in err,
           "SIGTERM mid-stream: the 7 alerts so far in the JSON file, the summary last, exit 1",
           [la.returncode, len(lines), err[-400:]])
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print("1..%d" % n)
sys.exit(1 if fails else 0)
