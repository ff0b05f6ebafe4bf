#!/usr/bin/env python3
"""leakaudit's syslog sink against a real rsyslogd (Debian package rsyslog),
started as an unprivileged child with its own configuration in a temporary
directory, listening on loopback UDP and TCP ports and on a unix socket.

  1. every alert of every sample arrives once, over UDP, TCP (octet-counted),
     a unix socket (RFC 5424) and the local format (--syslog), with the
     structured data intact (compared with the same run's JSON output);
  2. SD-PARAM escaping survives hostile DNS names (generated capture);
  3. the collector is killed mid-run: nothing blocks, the drop count is
     exact, and after a restart the next delivered message carries it;
  4. the rate limit suppresses and says how much.
TAP output. usage: syslog_check.py LEAKAUDIT SAMPLES_DIR"""
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

n = 0
fails = 0


def report(ok, name, detail=()):
    global n, fails
    n += 1
    if not ok:
        fails += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if not ok:
        for d in detail:
            print("#   " + str(d)[:600])
    sys.stdout.flush()


def skip_all(reason):
    print("1..0 # SKIP %s" % reason)
    print("# SKIP-NOTE %s" % reason)
    sys.exit(0)


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


FIELDS = ("input", "facility", "severity", "hostname", "app", "procid", "msgid", "sd", "msg")


class Collector:
    """An rsyslogd of our own: imudp, imtcp, imuxsock → one TSV file."""

    def __init__(self, tmp):
        self.dir = tmp
        self.udp = free_port(socket.SOCK_DGRAM)
        self.tcp = free_port(socket.SOCK_STREAM)
        self.sock = os.path.join(tmp, "log.sock")
        self.out = os.path.join(tmp, "out.tsv")
        self.conf = os.path.join(tmp, "rsyslog.conf")
        props = "".join('  property(name="%s") constant(value="\\t")\n' % p for p in (
            "inputname", "syslogfacility-text", "syslogseverity-text", "hostname", "app-name", "procid", "msgid",
            "structured-data"))
        with open(self.conf, "w") as f:
            f.write("""global(workDirectory="%(dir)s" maxMessageSize="8k")
module(load="imudp")
module(load="imtcp")
module(load="imuxsock" SysSock.Use="off")
input(type="imudp" address="127.0.0.1" port="%(udp)d")
input(type="imtcp" address="127.0.0.1" port="%(tcp)d")
input(type="imuxsock" Socket="%(sock)s" UseSpecialParser="off" RateLimit.Interval="0")
template(name="fields" type="list") {
%(props)s  property(name="msg" droplastlf="on" controlcharacters="escape") constant(value="\\n")
}
action(type="omfile" file="%(out)s" template="fields")
""" % dict(dir=tmp, udp=self.udp, tcp=self.tcp, sock=self.sock, out=self.out, props=props))
        self.proc = None

    def start(self):
        cmd = ["rsyslogd", "-n", "-f", self.conf, "-i", os.path.join(self.dir, "rsyslogd.pid")]
        if os.geteuid() == 0:  # never run the collector as root
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.path.exists(self.sock) and self._tcp_up():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def _tcp_up(self):
        try:
            socket.create_connection(("127.0.0.1", self.tcp), timeout=0.2).close()
            return True
        except OSError:
            return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def records(self, procid=None):
        try:
            with open(self.out, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for l in lines:
            parts = l.split("\t", len(FIELDS) - 1)
            if len(parts) != len(FIELDS):
                continue
            r = dict(zip(FIELDS, parts))
            if procid is None or r["procid"] == str(procid):
                out.append(r)
        return out

    def wait_for(self, procid, count, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            recs = self.records(procid)
            if len(recs) >= count:
                time.sleep(0.2)  # anything more (duplicates) would show now
                return self.records(procid)
            time.sleep(0.05)
        return self.records(procid)


SD_RE = re.compile(r'\[leakaudit@32473((?: [A-Za-z0-9_.-]+="(?:[^"\\]|\\.)*")*)\]')
PARAM_RE = re.compile(r' ([A-Za-z0-9_.-]+)="((?:[^"\\]|\\.)*)"')


def parse_sd(text):
    """The leakaudit SD-ELEMENT's params, unescaped per RFC 5424 6.3.3."""
    m = SD_RE.search(text)
    if not m:
        return None
    params = {}
    for name, value in PARAM_RE.findall(m.group(1)):
        params[name] = re.sub(r'\\(["\\\]])', r"\1", value)
    return params


def addr_port(ip, port):
    return "[%s]:%d" % (ip, port) if ":" in ip else "%s:%d" % (ip, port)


def json_alert_key(ev):
    exp = ev.get("exposed")
    return (ev["event_type"], ev["interface"], addr_port(ev["src_ip"], ev["src_port"]),
            addr_port(ev["dest_ip"], ev["dest_port"]), str(ev["frame"]),
            addr_port(exp["ip"], exp["port"]) if exp else None, ev["verdict"])


def sd_alert_key(p):
    return (p.get("kind"), p.get("iface"), p.get("src"), p.get("dst"), p.get("frame"), p.get("exposed"),
            p.get("verdict"))


def run_leakaudit(binary, args, env=None):
    """Runs to the end; returns (rc, pid, json alerts, stderr)."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as jf:
        p = subprocess.Popen([binary] + args + ["--json", jf.name], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env=env)
        _, err = p.communicate(timeout=60)
        alerts = [json.loads(l) for l in open(jf.name) if l.strip()]
        alerts = [a for a in alerts if a.get("alert")]
        return p.returncode, p.pid, alerts, err.decode()


STATS_RE = re.compile(r"syslog (\S+(?: \S+)?): (\d+) delivered, (\d+) dropped, (\d+) rate-limited, (\d+) reconnects")


def syslog_stats(stderr):
    m = STATS_RE.search(stderr)
    return tuple(int(x) for x in m.groups()[1:]) if m else None


# ---- generated captures: DNS queries leaving eth0 (leaks with --require-vpn) ----

def ip_checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff


def dns_query_frame(name_labels, qid, sport):
    qname = b"".join(bytes([len(l)]) + l for l in name_labels) + b"\0"
    dns = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack("!HH", 1, 1)
    udp = struct.pack("!HHHH", sport, 53, 8 + len(dns), 0) + dns
    src, dst = bytes([198, 51, 100, 10]), bytes([198, 51, 100, 1])
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), qid, 0, 64, 17, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + b"\x08\x00"
    return eth + hdr + udp


PCAP_HEADER = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def pcap_record(frame, t):
    return struct.pack("<IIII", int(t), int((t % 1) * 1e6), len(frame), len(frame)) + frame


def query_records(first, count, t0=1764600000.0):
    return b"".join(pcap_record(dns_query_frame([b"q%d" % i, b"leak", b"example"], i & 0xffff, 20000 + i),
                                t0 + i * 0.01) for i in range(first, first + count))


GEN_ARGS = ["-r", "-", "--require-vpn", "--interface", "eth0"]


class LiveRun:
    """leakaudit reading a capture from a pipe we feed in phases."""

    def __init__(self, binary, extra):
        self.p = subprocess.Popen([binary] + GEN_ARGS + extra, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.alert_times = []
        self.err = b""
        self.t_out = threading.Thread(target=self._read_out, daemon=True)
        self.t_out.start()
        self.t_err = threading.Thread(target=self._read_err, daemon=True)
        self.t_err.start()
        self.p.stdin.write(PCAP_HEADER)
        self.p.stdin.flush()

    def _read_out(self):
        for line in self.p.stdout:
            if b" LEAK " in line:
                self.alert_times.append(time.time())

    def _read_err(self):
        self.err = self.p.stderr.read()

    def feed(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def wait_alerts(self, count, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.alert_times) < count:
            time.sleep(0.01)
        return len(self.alert_times) >= count

    def finish(self, timeout=20):
        t = time.time()
        self.p.stdin.close()
        self.p.wait(timeout=timeout)
        self.t_out.join(5)
        self.t_err.join(5)
        return time.time() - t


def main():
    binary, samples = sys.argv[1], sys.argv[2]
    if not shutil.which("rsyslogd"):
        skip_all("rsyslogd not installed (Debian package rsyslog; scripts/install-deps.sh installs it)")
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        skip_all("running as root and setpriv (util-linux) is missing: will not run rsyslogd as root")
    tmp = tempfile.mkdtemp(prefix="leakaudit-syslog-")
    os.chmod(tmp, 0o777)
    col = Collector(tmp)
    try:
        if not col.start():
            report(False, "rsyslogd starts with its own configuration",
                   [open(os.path.join(tmp, "rsyslogd.log"), errors="replace").read()[-500:]])
            return finish_tap()
        report(True, "rsyslogd starts unprivileged with its own configuration")
        check_bad_options(binary, samples)
        check_every_alert_once(binary, samples, col)
        check_escaping(binary, col)
        check_rate_limit(binary, col)
        check_summary_signal(binary, col)
        check_vpn_state(binary, col)
        check_collector_killed(binary, col, "tcp://127.0.0.1:%d" % col.tcp, "imtcp")
        check_collector_killed(binary, col, "unix:" + col.sock, "imuxsock")
    finally:
        col.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return finish_tap()


def finish_tap():
    print("1..%d" % n)
    return 1 if fails else 0


def check_bad_options(binary, samples):
    """Bad user input: exit 2 and one clear line, before any capture."""
    sample = os.path.join(samples, "webrtc-leak.pcapng")
    cases = [(["--syslog-remote", "foo://x"], "give udp://HOST:PORT"),
             (["--syslog-remote", "udp://127.0.0.1:0"], "bad port"),
             (["--syslog-remote", "tcp://127.0.0.1"], "HOST:PORT"),
             (["--syslog-remote", "udp://[2001:db8::1:514"], "[ADDR]:PORT"),
             (["--syslog-remote", "udp://no-such-host.invalid:514"], "cannot resolve"),
             (["--syslog", "--syslog-facility", "bogus"], "unknown facility"),
             (["--syslog-rate", "-1"], "--syslog-rate"),
             (["--syslog-queue", "0"], "--syslog-queue"),
             (["--dedup-window", "-5"], "--dedup-window")]
    for args, want in cases:
        p = subprocess.run([binary, "-r", sample] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        lines = p.stderr.decode().splitlines()
        report(p.returncode == 2 and len(lines) == 1 and lines[0].startswith("leakaudit: ") and want in lines[0]
               and not p.stdout, "%s: exit 2 and one line saying %r" % (" ".join(args), want),
               [p.returncode, lines, p.stdout[:100]])


def check_every_alert_once(binary, samples, col):
    targets = [("udp", ["--syslog-remote", "udp://127.0.0.1:%d" % col.udp], "imudp", None),
               ("tcp", ["--syslog-remote", "tcp://127.0.0.1:%d" % col.tcp], "imtcp", None),
               ("unix", ["--syslog-remote", "unix:" + col.sock], "imuxsock", None),
               ("local", ["--syslog", "--syslog-facility", "local3"], "imuxsock", col.sock)]
    for sample in ("webrtc-leak.pcapng", "dns-leak-any.pcap", "vpn-underlay-eth0.pcap"):
        path = os.path.join(samples, sample)
        extra = open(path + ".args").read().split() if os.path.exists(path + ".args") else []
        for label, opts, inputname, local_sock in targets:
            env = dict(os.environ)
            if local_sock:
                env["LEAKAUDIT_SYSLOG_SOCKET"] = local_sock
            rc, pid, alerts, err = run_leakaudit(binary, ["-r", path] + extra + opts, env)
            recs = col.wait_for(pid, len(alerts))
            got = sorted((sd_alert_key(parse_sd(r["sd"] if label != "local" else r["msg"]) or {}) for r in recs),
                         key=repr)
            want = sorted((json_alert_key(a) for a in alerts), key=repr)
            report(rc == 1 and alerts and got == want,
                   "%s over %s: each of the %d alerts arrives once with its structured data" % (sample, label,
                                                                                              len(alerts)),
                   ["rc=%d" % rc, "got %s" % got, "want %s" % want, err[-300:]])
            facility = "local3" if label == "local" else "daemon"
            meta_ok = all(r["input"] == inputname and r["facility"] == facility and r["severity"] == "warning"
                          and r["app"] == "leakaudit" for r in recs)
            if label != "local":
                meta_ok = meta_ok and all(r["msgid"] == "LEAK" and r["hostname"] == socket.gethostname()
                                          for r in recs)
            report(bool(recs) and meta_ok, "%s over %s: input, facility %s, severity, app-name%s" % (
                sample, label, facility, "" if label == "local" else ", MSGID, HOSTNAME"), [recs[:2]])
            stats = syslog_stats(err)
            report(stats is not None and stats[0] == len(alerts) and stats[1] == 0 and stats[2] == 0,
                   "%s over %s: summary says %d delivered, 0 dropped" % (sample, label, len(alerts)), [stats, err[-300:]])
            if sample == "webrtc-leak.pcapng" and label == "udp":
                details = [parse_sd(r["sd"]) for r in recs]
                stun = [d for d in details if d.get("kind") == "stun" and d.get("src", "").startswith("198.")]
                # the nDPI label in its own params, as in the JSON of the same run (not inside detail)
                japp = [a.get("app") for a in alerts if a["event_type"] == "stun" and a["src_ip"].startswith("198.")]
                want_app = japp[0] if japp and japp[0] else {}
                report(stun and stun[0].get("detail") == "Binding request user=Rj4c:8hXq"
                       and stun[0].get("exposed") == "203.0.113.2:40002" and stun[0].get("vpn") == "wg0"
                       and stun[0].get("proc") == "unknown"  # offline: no process (attribution is live)
                       and want_app and stun[0].get("app") == want_app.get("name")
                       and stun[0].get("category") == want_app.get("category")
                       and stun[0].get("guessed") == str(want_app.get("guessed")).lower(),
                       "webrtc-leak.pcapng: the STUN leak's detail, exposed address, VPN, proc and app params",
                       [stun, want_app])


def check_escaping(binary, col):
    """DNS names with '"', '\\', ']' and a space (legal in DNS labels) through
    SD-PARAM escaping and back, compared with the JSON of the same run."""
    labels = [b'a"b', b'c]d', b'e\\f g', b'example']
    data = PCAP_HEADER + pcap_record(dns_query_frame(labels, 7, 33333), 1764600000.0)
    with tempfile.NamedTemporaryFile(suffix=".pcap") as cap:
        cap.write(data)
        cap.flush()
        for label, url in (("udp", "udp://127.0.0.1:%d" % col.udp), ("tcp", "tcp://127.0.0.1:%d" % col.tcp)):
            rc, pid, alerts, err = run_leakaudit(binary, ["-r", cap.name, "--require-vpn", "--interface", "eth0",
                                                          "--syslog-remote", url])
            recs = col.wait_for(pid, 1)
            sd = parse_sd(recs[0]["sd"]) if len(recs) == 1 else None
            name = alerts[0]["dns"]["queries"][0]["rrname"] if alerts else None
            report(rc == 1 and sd is not None and name and sd.get("detail") == "query A " + name
                   and sd.get("kind") == "dns",
                   "hostile DNS name %r survives SD-PARAM escaping over %s" % (name, label),
                   [recs, name, err[-200:]])


def check_rate_limit(binary, col):
    run = LiveRun(binary, ["--syslog-remote", "tcp://127.0.0.1:%d" % col.tcp, "--syslog-rate", "1"])
    run.feed(query_records(0, 20))
    ok_alerts = run.wait_alerts(20, 10)
    time.sleep(1.2)  # one token back
    run.feed(query_records(20, 1))
    run.wait_alerts(21, 10)
    run.finish()
    recs = col.wait_for(run.p.pid, 6)
    stats = syslog_stats(run.err.decode())
    report(ok_alerts and stats is not None and stats[0] == 6 and stats[2] == 15 and len(recs) == 6,
           "--syslog-rate 1 (burst 5): 21 alerts, 6 delivered, 15 rate-limited and the summary says so",
           [stats, len(recs), run.err.decode()[-300:]])
    # The count rides on the next message the sender delivers after the suppression.
    # (possibly split: a message sent while the suppression is still going on says "so far")
    told = [int(parse_sd(r["sd"]).get("ratelimited", 0)) for r in recs]
    report(sum(told) == 15, "the delivered messages say ratelimited=15 in all",
           [told])


def check_vpn_state(binary, col):
    """Live -i any in a namespace this test makes: a VPN interface (wg0)
    appearing, going up, down and away gives info messages."""
    if os.geteuid() != 0 or not shutil.which("ip") or subprocess.run(["ip", "netns", "list"],
                                                                       capture_output=True).returncode != 0:
        print("ok %d - VPN state messages # SKIP needs root and ip netns" % (n + 1))
        print("# SKIP-NOTE VPN state syslog test needs root and ip netns")
        globals()["n"] += 1
        return
    ns = "la-syslog-%d" % os.getpid()
    if subprocess.run(["ip", "netns", "add", ns]).returncode != 0:
        report(False, "VPN state messages: cannot create a namespace")
        return
    p = None
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        p = subprocess.Popen(["ip", "netns", "exec", ns, binary, "-i", "any", "-q", "--syslog-remote",
                              "unix:" + col.sock], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.5)
        for step in (["add", "wg0", "type", "veth", "peer", "name", "wgpeer0"], ["set", "wg0", "up"],
                     ["set", "wg0", "down"], ["del", "wg0"]):
            r = subprocess.run(["ip", "-n", ns, "link"] + step, capture_output=True)
            if r.returncode != 0:
                report(False, "VPN state messages: ip link %s" % " ".join(step), [r.stderr.decode()])
                return
            time.sleep(0.4)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
        recs = [r for r in col.records() if r["msgid"] == "VPN"]
        states = [parse_sd(r["sd"]).get("state") for r in recs if parse_sd(r["sd"]).get("iface") == "wg0"]
        it = iter(states)
        in_order = all(any(s == want for s in it) for want in ("up", "down", "removed"))
        report(in_order and all(r["severity"] == "info" and parse_sd(r["sd"]).get("kind") == "vpn-state"
                                for r in recs),
               "live: VPN interface wg0 up, down, removed arrive as info messages (%s)" % ", ".join(map(str, states)),
               [recs, err.decode()[-300:]])
    finally:
        if p and p.poll() is None:  # only the leakaudit this test started
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "del", ns])


def check_summary_signal(binary, col):
    """SIGUSR1 prints the summary so far (with the syslog counts) and the run goes on."""
    run = LiveRun(binary, ["--syslog-remote", "udp://127.0.0.1:%d" % col.udp])
    run.feed(query_records(0, 3))
    run.wait_alerts(3, 5)
    col.wait_for(run.p.pid, 3)
    os.kill(run.p.pid, signal.SIGUSR1)
    time.sleep(0.2)
    run.feed(query_records(3, 1))  # the summary is printed before the next frame
    run.wait_alerts(4, 5)
    run.finish()
    err = run.err.decode()
    first, last = err.find("alerts by kind: dns 3\n"), err.find("alerts by kind: dns 4\n")
    report(run.p.returncode == 1 and 0 <= first < last and "syslog udp://127.0.0.1:%d: 3 delivered" % col.udp in err
           and "LEAK: 3 alerts (3 dns)" in err[first:last],
           "SIGUSR1: the summary so far (3 alerts, 3 delivered to syslog), then the run goes on to 4",
           [err[-600:]])


def feed_slowly(run, col, first, count, already=0, chunk=5):
    """Feeds alerts a few at a time, each chunk delivered before the next,
    so a small queue never overflows while the collector is up."""
    got = []
    for start in range(first, first + count, chunk):
        k = min(chunk, first + count - start)
        run.feed(query_records(start, k))
        got = col.wait_for(run.p.pid, already + start - first + k, timeout=10)
    return got


def check_collector_killed(binary, col, url, inputname):
    n1, n2, n3, queue = 30, 40, 10, 10
    run = LiveRun(binary, ["--syslog-remote", url, "--syslog-queue", str(queue)])
    got1 = feed_slowly(run, col, 0, n1)
    col.kill()
    t_kill = time.time()
    run.feed(query_records(n1, n2))
    prompt = run.wait_alerts(n1 + n2, 3)
    lag = (run.alert_times[-1] - t_kill) if run.alert_times else None
    report(len(got1) == n1 and prompt,
           "%s: collector killed after %d alerts; the next %d alerts still print at once (last %.3f s after the kill)"
           % (inputname, n1, n2, lag or -1), [len(got1), len(run.alert_times)])
    # The collector comes back: the sender reconnects (back-off) and tells what it dropped.
    col.start()
    time.sleep(0.3)
    col.wait_for(run.p.pid, n1 + queue, timeout=45)  # the queue drains after the reconnect
    feed_slowly(run, col, n1 + n2, n3, already=n1 + queue)
    took = run.finish()
    stats = syslog_stats(run.err.decode())
    report(took < 5, "%s: exits %.2f s after its input ends" % (inputname, took))
    # While it was away the queue held `queue` alerts; the rest were dropped.
    want_delivered, want_dropped = n1 + queue + n3, n2 - queue
    got3 = col.wait_for(run.p.pid, want_delivered, timeout=5)
    report(stats is not None and stats[0] == want_delivered and stats[1] == want_dropped
           and len(got3) == want_delivered,
           "%s: %d delivered (the queue of %d kept through the outage) and exactly %d dropped, as the summary says"
           % (inputname, want_delivered, queue, want_dropped), [stats, len(got3), run.err.decode()[-300:]])
    first_after = parse_sd(got3[n1]["sd"]) if len(got3) > n1 else {}
    keys = [parse_sd(r["sd"]).get("detail") for r in got3]
    report(len(set(keys)) == len(keys), "%s: no alert arrives twice" % inputname)
    report(first_after.get("dropped") == str(want_dropped) and stats is not None and stats[3] >= 1,
           "%s: after reconnecting, the first delivered message says dropped=%d" % (inputname, want_dropped),
           [first_after, stats])
    # A collector that stays away at exit: what is queued is dropped and counted, quickly.
    col.kill()
    run = LiveRun(binary, ["--syslog-remote", url])
    run.feed(query_records(0, 5))
    run.wait_alerts(5, 5)
    took = run.finish()
    stats = syslog_stats(run.err.decode())
    report(stats == (0, 5, 0, 0) and took < 5,
           "%s: collector down from the start: 5 dropped, exits in %.2f s" % (inputname, took), [stats])
    if inputname == "imuxsock":  # and UDP: the ICMP port unreachable replies are counted as drops
        run = LiveRun(binary, ["--syslog-remote", "udp://127.0.0.1:%d" % col.udp])
        run.feed(query_records(0, 5))
        run.wait_alerts(5, 5)
        took = run.finish()
        stats = syslog_stats(run.err.decode())
        report(stats is not None and stats[:3] == (0, 5, 0) and took < 5,
               "udp: collector down from the start: ICMP refusals make 5 dropped, exits in %.2f s" % took, [stats])
    col.start()


sys.exit(main())
