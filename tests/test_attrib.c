/* test_attrib.c — process attribution: the /proc parsers on fixed text and on
 * this very process, sock_diag replies built by hand (every truncation),
 * strict matching, the request layout (UDP's swapped ends), and real
 * lookups of this process's own sockets through the kernel. */
#include <arpa/inet.h>
#include <glib.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attrib.h"
#include "procinfo.h"
#include "procwatch.h"
#include "sockdiag.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* ---- /proc parsers ---- */

static void test_status_fixed(void)
{
    static const char text[] = "Name:\tdig\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nPPid:\t17\n"
                               "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n";
    int64_t uid = -1;
    int32_t ppid = 0;
    g_assert_true(procinfo_parse_status(text, sizeof text - 1, &uid, &ppid));
    g_assert_cmpint(uid, ==, 1000);
    g_assert_cmpint(ppid, ==, 17);
    /* no Uid line: no answer, never a guess */
    static const char bad[] = "Name:\tx\nPPid:\t1\nUid:\t\n";
    uid = -1;
    g_assert_false(procinfo_parse_status(bad, sizeof bad - 1, &uid, &ppid));
    g_assert_cmpint(uid, ==, -1);
    /* cut before the Uid line: no answer; cut inside it: what is there */
    size_t at = (size_t)(strstr(text, "Uid:") - text);
    uid = -1;
    g_assert_false(procinfo_parse_status(text, at, &uid, &ppid));
    g_assert_true(procinfo_parse_status(text, at + 8, &uid, &ppid));
    g_assert_cmpint(uid, ==, 100); /* "Uid:\t100" is all the bytes say */
}

static void test_status_self(void)
{
    char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents("/proc/self/status", &text, &len, NULL));
    int64_t uid = -1;
    int32_t ppid = 0;
    g_assert_true(procinfo_parse_status(text, len, &uid, &ppid));
    g_assert_cmpint(uid, ==, (int64_t)getuid());
    g_assert_cmpint(ppid, ==, getppid());
    g_free(text);
}

static void test_stat(void)
{
    char state = 0;
    uint64_t flags = 0;
    static const char kworker[] = "93 (kworker/1:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 12 0 0\n";
    g_assert_true(procinfo_parse_stat(kworker, sizeof kworker - 1, &state, &flags));
    g_assert_cmpint(state, ==, 'I');
    g_assert_true(flags & PROC_PF_KTHREAD);
    /* a command name with spaces and a ')' of its own */
    static const char odd[] = "4242 (a) b (c)) Z 1 4242 4242 0 -1 4194560 0 0\n";
    g_assert_true(procinfo_parse_stat(odd, sizeof odd - 1, &state, &flags));
    g_assert_cmpint(state, ==, 'Z');
    g_assert_false(flags & PROC_PF_KTHREAD);
    g_assert_false(procinfo_parse_stat(odd, 20, &state, &flags)); /* cut before the flags */
    g_assert_false(procinfo_parse_stat("no paren", 8, &state, &flags));
    char *self = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents("/proc/self/stat", &self, &len, NULL));
    g_assert_true(procinfo_parse_stat(self, len, &state, &flags));
    g_assert_cmpint(state, ==, 'R');
    g_assert_false(flags & PROC_PF_KTHREAD);
    g_free(self);
    /* pid 2 is kthreadd on Linux */
    struct process_info pi;
    memset(&pi, 0, sizeof pi);
    if (procinfo_read(2, &pi) && strcmp(pi.name, "kthreadd") == 0)
        g_assert_true(pi.kernel_thread);
}

static void test_cmdline(void)
{
    char out[64];
    static const char argv3[] = "dig\0+short\0example.com\0";
    procinfo_format_cmdline(argv3, sizeof argv3 - 1, out, sizeof out);
    g_assert_cmpstr(out, ==, "dig +short example.com");
    /* bounded: cut with an ellipsis, never past the buffer */
    char small[12];
    procinfo_format_cmdline(argv3, sizeof argv3 - 1, small, sizeof small);
    g_assert_cmpuint(strlen(small), <, sizeof small);
    g_assert_true(g_str_has_suffix(small, "\xe2\x80\xa6"));
    g_assert_true(g_str_has_prefix(small, "dig +sh"));
    /* control characters in arguments are not printed raw */
    static const char ctl[] = "sh\0-c\0a\033[2Jb\0";
    procinfo_format_cmdline(ctl, sizeof ctl - 1, out, sizeof out);
    g_assert_cmpstr(out, ==, "sh -c a?[2Jb");
    procinfo_format_cmdline("", 0, out, sizeof out);
    g_assert_cmpstr(out, ==, "");
}

static void test_cgroup(void)
{
    char unit[96], ctr[72];
    static const char resolved[] = "0::/system.slice/systemd-resolved.service\n";
    procinfo_parse_cgroup(resolved, sizeof resolved - 1, unit, sizeof unit, ctr, sizeof ctr);
    g_assert_cmpstr(unit, ==, "systemd-resolved.service");
    g_assert_cmpstr(ctr, ==, "");
    static const char docker[] =
        "0::/system.slice/docker-4f3a9c1d2b7e8f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718.scope\n";
    procinfo_parse_cgroup(docker, sizeof docker - 1, unit, sizeof unit, ctr, sizeof ctr);
    g_assert_cmpstr(ctr, ==, "4f3a9c1d2b7e");
    g_assert_true(g_str_has_prefix(unit, "docker-4f3a9c1d2b7e"));
    /* hybrid layout: v1 controllers, the name=systemd line, and an empty unified root */
    static const char hybrid[] = "12:cpuset:/\n1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n0::/\n";
    procinfo_parse_cgroup(hybrid, sizeof hybrid - 1, unit, sizeof unit, ctr, sizeof ctr);
    g_assert_cmpstr(unit, ==, "");   /* the unified line wins, and it is the root */
    static const char v1only[] = "12:cpuset:/\n1:name=systemd:/user.slice/user-1000.slice/session-2.scope\n";
    procinfo_parse_cgroup(v1only, sizeof v1only - 1, unit, sizeof unit, ctr, sizeof ctr);
    g_assert_cmpstr(unit, ==, "session-2.scope");
    procinfo_parse_cgroup("garbage", 7, unit, sizeof unit, ctr, sizeof ctr);
    g_assert_cmpstr(unit, ==, "");
}

static void test_roles(void)
{
    g_assert_cmpstr(procinfo_role("dnsmasq", "dnsmasq -k"), ==, "DNS resolver");
    g_assert_cmpstr(procinfo_role("systemd-resolve", ""), ==, "DNS resolver");
    g_assert_cmpstr(procinfo_role("unbound", NULL), ==, "DNS resolver");
    g_assert_cmpstr(procinfo_role("chromium",
                                  "/usr/lib/chromium/chromium --type=utility "
                                  "--utility-sub-type=network.mojom.NetworkService --lang=en-US"),
                    ==, "browser network service");
    g_assert_null(procinfo_role("chromium", "/usr/lib/chromium/chromium --type=renderer"));
    g_assert_null(procinfo_role("dig", "dig example.com"));
}

static void test_socket_inode(void)
{
    g_assert_cmpuint(procinfo_socket_inode("socket:[123456]"), ==, 123456);
    g_assert_cmpuint(procinfo_socket_inode("pipe:[123456]"), ==, 0);
    g_assert_cmpuint(procinfo_socket_inode("socket:[12x]"), ==, 0);
    g_assert_cmpuint(procinfo_socket_inode("socket:[]"), ==, 0);
    g_assert_cmpuint(procinfo_socket_inode("socket:[99999999999999999999999]"), ==, 0);
}

static void test_read_self(void)
{
    struct process_info pi;
    memset(&pi, 0, sizeof pi);
    pi.uid = -1;
    g_assert_true(procinfo_read(getpid(), &pi));
    char *comm = NULL;
    g_assert_true(g_file_get_contents("/proc/self/comm", &comm, NULL, NULL));
    g_strchomp(comm);
    g_assert_cmpstr(pi.name, ==, comm);
    g_free(comm);
    g_assert_cmpint(pi.pid, ==, getpid());
    g_assert_cmpint(pi.uid, ==, (int64_t)getuid());
    g_assert_true(g_str_has_suffix(pi.exe, "/test_attrib"));
    g_assert_true(strstr(pi.cmdline, "test_attrib") != NULL);
    if (getuid() == 0)
        g_assert_cmpstr(pi.user, ==, "root");
    /* a pid that does not exist: gone, not invented */
    struct process_info gone;
    memset(&gone, 0, sizeof gone);
    g_assert_false(procinfo_read(0x3ffffff0, &gone));
    g_assert_cmpstr(gone.name, ==, "");
}

static uint64_t inode_of(int fd)
{
    struct stat st;
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    return (uint64_t)st.st_ino;
}

static void test_inode_owner(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(fd, >=, 0);
    struct inode_owner_cache *c = inode_owner_cache_new(64);
    g_assert_cmpint(inode_owner_find(c, inode_of(fd)), ==, getpid());
    uint64_t scans = inode_owner_scans(c);
    /* the second time is a verified cache hit, no scan */
    g_assert_cmpint(inode_owner_find(c, inode_of(fd)), ==, getpid());
    g_assert_cmpuint(inode_owner_scans(c), ==, scans);
    uint64_t ino = inode_of(fd);
    close(fd);
    /* closed: the cached answer is checked and dropped */
    g_assert_cmpint(inode_owner_find(c, ino), ==, 0);
    inode_owner_cache_free(c);
}

/* ---- sock_diag replies by hand ---- */

static size_t put_msg(uint8_t *buf, uint16_t type, const void *body, size_t body_len)
{
    struct nlmsghdr h = { .nlmsg_len = (uint32_t)(NLMSG_HDRLEN + body_len), .nlmsg_type = type };
    memcpy(buf, &h, sizeof h);
    memcpy(buf + NLMSG_HDRLEN, body, body_len);
    return NLMSG_ALIGN(h.nlmsg_len);
}

static struct inet_diag_msg diag_msg(int family, const char *src, uint16_t sport, const char *dst, uint16_t dport,
                                     uint32_t inode)
{
    struct inet_diag_msg m;
    memset(&m, 0, sizeof m);
    m.idiag_family = (uint8_t)family;
    m.idiag_state = 7;
    m.id.idiag_sport = htons(sport);
    m.id.idiag_dport = htons(dport);
    inet_pton(family, src, m.id.idiag_src);
    inet_pton(family, dst, m.id.idiag_dst);
    m.id.idiag_cookie[0] = 0x1234;
    m.id.idiag_cookie[1] = 0x1;
    m.idiag_uid = 1000;
    m.idiag_inode = inode;
    return m;
}

struct collected {
    struct sockdiag_entry e[4];
    int n;
};

static void collect(const struct sockdiag_entry *e, void *user)
{
    struct collected *c = user;
    if (c->n < 4)
        c->e[c->n++] = *e;
}

static void test_parse_reply(void)
{
    uint8_t buf[512];
    struct inet_diag_msg m = diag_msg(AF_INET, "198.51.100.10", 40002, "203.0.113.10", 3478, 777);
    size_t n = put_msg(buf, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    int32_t zero = 0;
    n += put_msg(buf + n, NLMSG_DONE, &zero, sizeof zero);
    struct collected c = { 0 };
    bool done;
    int err;
    g_assert_cmpint(sockdiag_parse(buf, n, collect, &c, &done, &err), ==, 1);
    g_assert_true(done);
    g_assert_cmpint(err, ==, 0);
    g_assert_cmpint(c.e[0].sport, ==, 40002);
    g_assert_cmpint(c.e[0].dport, ==, 3478);
    g_assert_cmpuint(c.e[0].inode, ==, 777);
    g_assert_cmpuint(c.e[0].uid, ==, 1000);
    g_assert_cmpuint(c.e[0].cookie, ==, 0x100001234ull);
    g_assert_cmpint(c.e[0].family, ==, AF_INET);
    /* every truncation is malformed or incomplete, never an over-read */
    for (size_t cut = 1; cut < n; cut++) {
        uint8_t *copy = g_memdup2(buf, cut);
        struct collected cc = { 0 };
        int r = sockdiag_parse(copy, cut, collect, &cc, &done, &err);
        g_assert_true(r == -1 || (r <= 1 && !(r == 1 && cut < NLMSG_ALIGN(NLMSG_HDRLEN + sizeof m))));
        g_free(copy);
    }
    /* a length field pointing past the buffer */
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_len = 4000;
    g_assert_cmpint(sockdiag_parse(buf, n, collect, &c, &done, &err), ==, -1);
    h->nlmsg_len = 8; /* shorter than its own header */
    g_assert_cmpint(sockdiag_parse(buf, n, collect, &c, &done, &err), ==, -1);
    /* an entry of an unknown family */
    m.idiag_family = 99;
    n = put_msg(buf, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
    g_assert_cmpint(sockdiag_parse(buf, n, collect, &c, &done, &err), ==, -1);
}

static void test_parse_errors(void)
{
    uint8_t buf[128];
    /* a missing udp_diag handler reports its errno inside NLMSG_DONE */
    int32_t enoent = -2;
    size_t n = put_msg(buf, NLMSG_DONE, &enoent, sizeof enoent);
    bool done;
    int err;
    g_assert_cmpint(sockdiag_parse(buf, n, NULL, NULL, &done, &err), ==, 0);
    g_assert_true(done);
    g_assert_cmpint(err, ==, -2);
    /* the exact lookup's "not found" is an NLMSG_ERROR */
    struct nlmsgerr e = { .error = -2 };
    n = put_msg(buf, NLMSG_ERROR, &e, sizeof e);
    g_assert_cmpint(sockdiag_parse(buf, n, NULL, NULL, &done, &err), ==, 0);
    g_assert_cmpint(err, ==, -2);
    g_assert_cmpint(sockdiag_parse(buf, NLMSG_HDRLEN + 2, NULL, NULL, &done, &err), ==, -1);
}

static struct flow_tuple tuple(int family, uint8_t proto, const char *src, uint16_t sport, const char *dst,
                               uint16_t dport)
{
    struct flow_tuple t;
    memset(&t, 0, sizeof t);
    t.family = family == AF_INET ? 4 : 6;
    t.proto = proto;
    t.sport = sport;
    t.dport = dport;
    inet_pton(family, src, t.saddr);
    inet_pton(family, dst, t.daddr);
    return t;
}

static struct sockdiag_entry entry_of(const struct inet_diag_msg *m)
{
    uint8_t buf[256];
    size_t n = put_msg(buf, SOCK_DIAG_BY_FAMILY, m, sizeof *m);
    struct collected c = { 0 };
    bool done;
    int err;
    g_assert_cmpint(sockdiag_parse(buf, n, collect, &c, &done, &err), ==, 1);
    return c.e[0];
}

static void test_match(void)
{
    struct flow_tuple t = tuple(AF_INET, IPPROTO_UDP, "198.51.100.10", 40002, "203.0.113.10", 3478);
    struct inet_diag_msg m = diag_msg(AF_INET, "198.51.100.10", 40002, "203.0.113.10", 3478, 1);
    struct sockdiag_entry e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_MATCH_EXACT);
    /* unconnected UDP: wildcard peer (and wildcard local address) */
    m = diag_msg(AF_INET, "0.0.0.0", 40002, "0.0.0.0", 0, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_MATCH_UNCONNECTED);
    /* ...but a TCP socket is never matched by a wildcard peer */
    struct flow_tuple tt = tuple(AF_INET, IPPROTO_TCP, "198.51.100.10", 40002, "203.0.113.10", 3478);
    g_assert_cmpint(sockdiag_match(&e, &tt, 0), ==, SOCKDIAG_NO_MATCH);
    /* connected elsewhere: the dump's neighbour, never taken */
    m = diag_msg(AF_INET, "198.51.100.10", 40002, "203.0.113.99", 3478, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_NO_MATCH);
    m = diag_msg(AF_INET, "198.51.100.10", 40003, "0.0.0.0", 0, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_NO_MATCH);
    m = diag_msg(AF_INET, "198.51.100.11", 40002, "0.0.0.0", 0, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_NO_MATCH);
    /* bound to another device (SO_BINDTODEVICE) */
    m = diag_msg(AF_INET, "0.0.0.0", 40002, "0.0.0.0", 0, 1);
    m.id.idiag_if = 3;
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 2), ==, SOCKDIAG_NO_MATCH);
    g_assert_cmpint(sockdiag_match(&e, &t, 3), ==, SOCKDIAG_MATCH_UNCONNECTED);
    /* a dual-stack socket carries the v4 flow v4-mapped */
    m = diag_msg(AF_INET6, "::ffff:198.51.100.10", 40002, "::ffff:203.0.113.10", 3478, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_MATCH_EXACT);
    m = diag_msg(AF_INET6, "::", 40002, "::", 0, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t, 0), ==, SOCKDIAG_MATCH_UNCONNECTED);
    /* an AF_INET socket never carries a v6 flow */
    struct flow_tuple t6 = tuple(AF_INET6, IPPROTO_UDP, "2001:db8:1::10", 40002, "2001:db8:2::10", 3478);
    m = diag_msg(AF_INET, "0.0.0.0", 40002, "0.0.0.0", 0, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t6, 0), ==, SOCKDIAG_NO_MATCH);
    m = diag_msg(AF_INET6, "2001:db8:1::10", 40002, "2001:db8:2::10", 3478, 1);
    e = entry_of(&m);
    g_assert_cmpint(sockdiag_match(&e, &t6, 0), ==, SOCKDIAG_MATCH_EXACT);
}

static void test_request_layout(void)
{
    uint8_t buf[128];
    struct flow_tuple t = tuple(AF_INET, IPPROTO_UDP, "198.51.100.10", 40002, "203.0.113.10", 3478);
    size_t n = sockdiag_build_request(buf, sizeof buf, 4, &t, false, 2, 9);
    g_assert_cmpuint(n, ==, sizeof(struct nlmsghdr) + sizeof(struct inet_diag_req_v2));
    const struct nlmsghdr *h = (const void *)buf;
    const struct inet_diag_req_v2 *r = (const void *)(buf + sizeof *h);
    g_assert_cmpuint(h->nlmsg_type, ==, SOCK_DIAG_BY_FAMILY);
    g_assert_cmpuint(h->nlmsg_flags & NLM_F_DUMP, ==, 0);
    g_assert_cmpuint(h->nlmsg_seq, ==, 9);
    g_assert_cmpuint(r->sdiag_protocol, ==, IPPROTO_UDP);
    /* UDP: the peer goes in idiag_src (udp_dump_one's historical swap) */
    g_assert_cmpuint(ntohs(r->id.idiag_sport), ==, 3478);
    g_assert_cmpuint(ntohs(r->id.idiag_dport), ==, 40002);
    g_assert_cmpint(memcmp(r->id.idiag_src, t.daddr, 4), ==, 0);
    g_assert_cmpuint(r->id.idiag_if, ==, 2);
    t.proto = IPPROTO_TCP;
    sockdiag_build_request(buf, sizeof buf, 4, &t, false, 0, 10);
    g_assert_cmpuint(ntohs(r->id.idiag_sport), ==, 40002);
    g_assert_cmpint(memcmp(r->id.idiag_src, t.saddr, 4), ==, 0);
    g_assert_cmpuint(sockdiag_build_request(buf, 8, 4, &t, false, 0, 1), ==, 0);
}

/* ---- real lookups of this process's own sockets ---- */

static uint16_t bound_port(int fd, struct sockaddr_in *out)
{
    socklen_t len = sizeof *out;
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)out, &len), ==, 0);
    return ntohs(out->sin_port);
}

static struct flow_tuple tuple_of(int fd, uint8_t proto)
{
    struct sockaddr_in l, p;
    socklen_t len = sizeof p;
    bound_port(fd, &l);
    struct flow_tuple t = { .family = 4, .proto = proto, .sport = ntohs(l.sin_port) };
    memcpy(t.saddr, &l.sin_addr, 4);
    if (getpeername(fd, (struct sockaddr *)&p, &len) == 0) {
        t.dport = ntohs(p.sin_port);
        memcpy(t.daddr, &p.sin_addr, 4);
    }
    return t;
}

static uint64_t cookie_of(int fd)
{
    uint64_t c = 0;
    socklen_t len = sizeof c;
    g_assert_cmpint(getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len), ==, 0);
    return c;
}

static void test_live_lookup(void)
{
    char why[200];
    struct sockdiag *sd = sockdiag_open(why, sizeof why);
    if (!sd) {
        printf("# SKIP-NOTE sock_diag unavailable here: %s\n", why);
        g_test_skip(why);
        return;
    }
    struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(bind(rx, (struct sockaddr *)&lo, sizeof lo), ==, 0);
    struct sockaddr_in rxaddr;
    bound_port(rx, &rxaddr);

    /* connected UDP (dig's way): found by the exact lookup, not the dump */
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(connect(c, (struct sockaddr *)&rxaddr, sizeof rxaddr), ==, 0);
    struct flow_tuple t = tuple_of(c, IPPROTO_UDP);
    struct sockdiag_entry e;
    enum sockdiag_match how;
    bool by_dump;
    g_assert_true(sockdiag_find(sd, &t, 0, &e, &how, &by_dump));
    g_assert_cmpint(how, ==, SOCKDIAG_MATCH_EXACT);
    g_assert_false(by_dump);
    g_assert_cmpuint(e.inode, ==, inode_of(c));
    g_assert_cmpuint(e.cookie, ==, cookie_of(c));
    g_assert_cmpuint(e.uid, ==, getuid());

    /* unconnected UDP (sendto): the wildcard peer on its own port */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    g_assert_cmpint(sendto(u, "x", 1, 0, (struct sockaddr *)&rxaddr, sizeof rxaddr), ==, 1);
    struct flow_tuple tu = tuple_of(u, IPPROTO_UDP);
    memcpy(tu.saddr, &lo.sin_addr, 4); /* the packet's source, the socket is unbound */
    tu.dport = ntohs(rxaddr.sin_port);
    memcpy(tu.daddr, &rxaddr.sin_addr, 4);
    g_assert_true(sockdiag_find(sd, &tu, 0, &e, &how, &by_dump));
    g_assert_cmpint(how, ==, SOCKDIAG_MATCH_UNCONNECTED);
    g_assert_cmpuint(e.inode, ==, inode_of(u));

    /* TCP connect to a listener */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(bind(l, (struct sockaddr *)&lo, sizeof lo), ==, 0);
    g_assert_cmpint(listen(l, 4), ==, 0);
    struct sockaddr_in laddr;
    bound_port(l, &laddr);
    int tc = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(connect(tc, (struct sockaddr *)&laddr, sizeof laddr), ==, 0);
    struct flow_tuple tt = tuple_of(tc, IPPROTO_TCP);
    g_assert_true(sockdiag_find(sd, &tt, 0, &e, &how, &by_dump));
    g_assert_cmpint(how, ==, SOCKDIAG_MATCH_EXACT);
    g_assert_cmpuint(e.inode, ==, inode_of(tc));

    /* closed: nothing, never a neighbour */
    close(c);
    g_assert_false(sockdiag_find(sd, &t, 0, &e, &how, &by_dump));
    g_assert_cmpuint(sockdiag_queries(sd), >=, 5);
    close(u);
    close(tc);
    close(l);
    close(rx);
    sockdiag_close(sd);
}

static void test_format(void)
{
    struct process_info pi;
    memset(&pi, 0, sizeof pi);
    pi.pid = 2127;
    g_strlcpy(pi.name, "chromium", sizeof pi.name);
    g_strlcpy(pi.user, "alice", sizeof pi.user);
    pi.uid = 1000;
    pi.role = "browser network service";
    char buf[160];
    g_assert_cmpstr(process_info_format(&pi, buf, sizeof buf), ==,
                    "proc=chromium(2127) user=alice (browser network service)");
    pi.user[0] = '\0';
    pi.role = NULL;
    g_assert_cmpstr(process_info_format(&pi, buf, sizeof buf), ==, "proc=chromium(2127) uid=1000");
    memset(&pi, 0, sizeof pi);
    pi.reason = "socket already closed";
    g_assert_cmpstr(process_info_format(&pi, buf, sizeof buf), ==, "proc=? (socket already closed)");
}

static void test_note_parse(void)
{
    struct process_info pi;
    g_assert_true(process_info_parse_note("leakaudit: dns leak (DNS query outside the VPN; VPN: wg0) proc=dig(4242) "
                                          "user=alice attribution=ebpf/high; leakaudit: stun leak (x) proc=other(1)",
                                          &pi));
    g_assert_cmpint(pi.pid, ==, 4242);
    g_assert_cmpstr(pi.name, ==, "dig");
    g_assert_cmpstr(pi.user, ==, "alice");
    g_assert_cmpstr(pi.confidence, ==, "high");
    g_assert_cmpstr(pi.method, ==, "recorded");
    g_assert_true(process_info_parse_note("leakaudit: dns leak proc=dnsmasq(77) uid=0 attribution=sock_diag/medium", &pi));
    g_assert_cmpint(pi.uid, ==, 0);
    g_assert_cmpstr(pi.confidence, ==, "medium");
    g_assert_cmpstr(pi.role, ==, "DNS resolver");
    /* not a note, or a broken one: nothing, never a guess */
    g_assert_false(process_info_parse_note("leakaudit: dns leak (reason)", &pi));
    g_assert_false(process_info_parse_note("leakaudit: dns leak attribution=unavailable", &pi));
    g_assert_false(process_info_parse_note("xproc=dig(1)", &pi));
    g_assert_false(process_info_parse_note("proc=dig(12", &pi));
    g_assert_false(process_info_parse_note("proc=dig(-3)", &pi));
    g_assert_false(process_info_parse_note("proc=(3)", &pi));
    g_assert_false(process_info_parse_note("proc=a b(3)", &pi));
    g_assert_false(process_info_parse_note("proc=averyveryverylongname(3)", &pi));
    g_assert_cmpint(pi.pid, ==, 0);
}

struct seen_events {
    int exec, exit;
    int32_t last;
};

static void count_event(enum procwatch_event what, int32_t tgid, void *user)
{
    struct seen_events *s = user;
    if (what == PROCWATCH_EXEC)
        s->exec++;
    else
        s->exit++;
    s->last = tgid;
}

static size_t put_cn_event(uint8_t *buf, uint32_t what, uint32_t pid, uint32_t tgid)
{
    uint8_t body[20 + 40];
    memset(body, 0, sizeof body);
    uint32_t idx = 1, val = 1;
    uint16_t len = 40;
    memcpy(body, &idx, 4);
    memcpy(body + 4, &val, 4);
    memcpy(body + 16, &len, 2);
    memcpy(body + 20, &what, 4);
    memcpy(body + 36, &pid, 4);
    memcpy(body + 40, &tgid, 4);
    return put_msg(buf, NLMSG_DONE, body, sizeof body);
}

static void test_procwatch_parse(void)
{
    uint8_t buf[512];
    size_t n = put_cn_event(buf, 0x2, 100, 100);          /* exec of a process */
    n += put_cn_event(buf + n, 0x2, 101, 100);            /* exec by a thread: left out */
    n += put_cn_event(buf + n, 0x1, 102, 102);            /* fork: not ours */
    n += put_cn_event(buf + n, 0x80000000u, 100, 100);    /* exit */
    struct seen_events s = { 0 };
    g_assert_cmpint(procwatch_parse(buf, n, count_event, &s), ==, 2);
    g_assert_cmpint(s.exec, ==, 1);
    g_assert_cmpint(s.exit, ==, 1);
    g_assert_cmpint(s.last, ==, 100);
    for (size_t cut = 1; cut < n; cut++) {
        struct seen_events t = { 0 };
        int r = procwatch_parse(buf, cut, count_event, &t);
        g_assert_true(r == -1 || r <= 2);
    }
    /* a cn_msg whose length runs past the message */
    uint16_t big = 4000;
    memcpy(buf + NLMSG_HDRLEN + 16, &big, 2);
    g_assert_cmpint(procwatch_parse(buf, n, count_event, &s), ==, -1);
}

/* A process that exec'd and exited is still known by its exec snapshot. */
static void test_procwatch_live(void)
{
    char why[200];
    struct procwatch *w = procwatch_open(why, sizeof why);
    if (!w) {
        printf("# SKIP-NOTE exec records unavailable here: %s\n", why);
        g_test_skip(why);
        return;
    }
    g_usleep(100000);
    GPid pid;
    char *argv[] = { "/bin/sleep", "0.3", NULL };
    g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL));
    int status;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS)); /* gone: only the snapshot knows */
    struct process_info pi;
    bool found = false;
    for (int i = 0; i < 20 && !(found = procwatch_lookup(w, pid, &pi)); i++)
        g_usleep(50000);
    if (!found && procwatch_skipped(w)) { /* the machine exec'd faster than the snapshot budget */
        g_test_skip("exec snapshot budget exhausted by other processes");
        procwatch_close(w);
        return;
    }
    g_assert_true(found);
    g_assert_cmpstr(pi.name, ==, "sleep");
    g_assert_cmpstr(pi.cmdline, ==, "/bin/sleep 0.3");
    g_assert_true(g_str_has_suffix(pi.exe, "/sleep"));
    g_assert_cmpint(pi.uid, ==, (int64_t)getuid());
    g_assert_cmpuint(procwatch_execs(w), >=, 1);
    procwatch_close(w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/procinfo/status-fixed", test_status_fixed);
    g_test_add_func("/procinfo/status-self", test_status_self);
    g_test_add_func("/procinfo/stat", test_stat);
    g_test_add_func("/procinfo/cmdline", test_cmdline);
    g_test_add_func("/procinfo/cgroup", test_cgroup);
    g_test_add_func("/procinfo/roles", test_roles);
    g_test_add_func("/procinfo/socket-inode", test_socket_inode);
    g_test_add_func("/procinfo/read-self", test_read_self);
    g_test_add_func("/procinfo/inode-owner", test_inode_owner);
    g_test_add_func("/sockdiag/parse-reply", test_parse_reply);
    g_test_add_func("/sockdiag/parse-errors", test_parse_errors);
    g_test_add_func("/sockdiag/match", test_match);
    g_test_add_func("/sockdiag/request-layout", test_request_layout);
    g_test_add_func("/sockdiag/live-lookup", test_live_lookup);
    g_test_add_func("/attrib/format", test_format);
    g_test_add_func("/attrib/note-parse", test_note_parse);
    g_test_add_func("/procwatch/parse", test_procwatch_parse);
    g_test_add_func("/procwatch/live", test_procwatch_live);
    return g_test_run();
}
