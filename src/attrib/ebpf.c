/* ebpf.c — see ebpf.h. */
#include "ebpf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

uint64_t ebpf_netns_cookie(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    uint64_t cookie = 0;
    socklen_t len = sizeof cookie;
    if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
        cookie = 0;
    close(fd);
    return cookie;
}

#ifndef LEAKAUDIT_EBPF

struct ebpf_attrib {
    int unused;
};

struct ebpf_attrib *ebpf_attrib_open(ebpf_flow_fn fn, void *user, char *why, size_t why_len)
{
    (void)fn;
    (void)user;
    snprintf(why, why_len, "leakaudit was built without eBPF (clang, bpftool or libbpf-dev missing)");
    return NULL;
}
void ebpf_attrib_close(struct ebpf_attrib *e) { (void)e; }
int ebpf_attrib_fd(const struct ebpf_attrib *e) { (void)e; return -1; }
int ebpf_attrib_drain(struct ebpf_attrib *e) { (void)e; return 0; }
bool ebpf_attrib_has_sender(const struct ebpf_attrib *e) { (void)e; return false; }
uint64_t ebpf_attrib_lost(const struct ebpf_attrib *e) { (void)e; return 0; }

#else

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <glib.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "attrib.skel.h"

struct ebpf_attrib {
    struct attrib_bpf *skel;
    struct ring_buffer *rb;
    struct bpf_link *links[6];
    int nlinks;
    bool has_sender;
    ebpf_flow_fn fn;
    void *user;
};

static char libbpf_last[200];

/* libbpf talks a lot; keep its last warning for the one-line reason. */
static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    if (level == LIBBPF_DEBUG)
        return 0;
    char line[sizeof libbpf_last];
    vsnprintf(line, sizeof line, fmt, ap);
    g_strchomp(line);
    if (line[0])
        g_strlcpy(libbpf_last, line, sizeof libbpf_last);
    return 0;
}

/* The first cgroup2 mount point, or "" (the caller mounts one). */
static void find_cgroup2(char *out, size_t len)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *sep = strstr(line, " - cgroup2 ");
        if (!sep)
            continue;
        char *fields[6] = { 0 };
        int n = 0;
        for (char *tok = strtok(line, " "); tok && n < 6; tok = strtok(NULL, " "))
            fields[n++] = tok;
        if (n >= 5 && strcmp(fields[3], "/") == 0) { /* the root of the hierarchy */
            g_strlcpy(out, fields[4], len);
            break;
        }
    }
    fclose(f);
}

static int on_record(void *ctx, void *data, size_t size)
{
    struct ebpf_attrib *e = ctx;
    if (size < sizeof(struct attrib_flow_event))
        return 0;
    struct attrib_flow_event ev;
    memcpy(&ev, data, sizeof ev);
    e->fn(&ev, e->user);
    return 0;
}

static struct attrib_bpf *load_variant(bool with_sender, char *why, size_t why_len)
{
    struct attrib_bpf *skel = attrib_bpf__open();
    if (!skel) {
        snprintf(why, why_len, "cannot open the BPF object: %s", g_strerror(errno));
        return NULL;
    }
    bpf_program__set_autoload(with_sender ? skel->progs.egress_owner : skel->progs.egress_sender, false);
    libbpf_last[0] = '\0';
    int rc = attrib_bpf__load(skel);
    if (rc) {
        snprintf(why, why_len, "the kernel refused the BPF programs (%s%s%s)", g_strerror(-rc),
                 libbpf_last[0] ? ": " : "", libbpf_last);
        attrib_bpf__destroy(skel);
        return NULL;
    }
    return skel;
}

struct ebpf_attrib *ebpf_attrib_open(ebpf_flow_fn fn, void *user, char *why, size_t why_len)
{
    libbpf_set_print(on_libbpf_print);
    if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
        snprintf(why, why_len, "no kernel BTF (/sys/kernel/btf/vmlinux)");
        return NULL;
    }
    /* Kernel 6.10+ lets cgroup_skb read current: the sender itself. Else the socket's owner. */
    bool has_sender = true;
    struct attrib_bpf *skel = load_variant(true, why, why_len);
    if (!skel) {
        has_sender = false;
        skel = load_variant(false, why, why_len);
    }
    if (!skel)
        return NULL;
    char root[512];
    find_cgroup2(root, sizeof root);
    char tmpdir[] = "/tmp/leakaudit-cgroup2.XXXXXX";
    bool mounted = false;
    if (!root[0]) {
        if (!mkdtemp(tmpdir) || mount("none", tmpdir, "cgroup2", 0, NULL) != 0) {
            snprintf(why, why_len, "no cgroup2 hierarchy and cannot mount one: %s", g_strerror(errno));
            rmdir(tmpdir);
            attrib_bpf__destroy(skel);
            return NULL;
        }
        mounted = true;
        g_strlcpy(root, tmpdir, sizeof root);
    }
    int cg = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mounted) { /* the links keep the hierarchy; the mount point is not needed */
        umount2(tmpdir, MNT_DETACH);
        rmdir(tmpdir);
    }
    if (cg < 0) {
        snprintf(why, why_len, "cannot open the cgroup2 root %s: %s", root, g_strerror(errno));
        attrib_bpf__destroy(skel);
        return NULL;
    }
    struct ebpf_attrib *e = g_new0(struct ebpf_attrib, 1);
    e->skel = skel;
    e->fn = fn;
    e->user = user;
    e->has_sender = has_sender;
    struct bpf_program *progs[] = { skel->progs.sock_create, skel->progs.connect4, skel->progs.connect6,
                                    skel->progs.sendmsg4,    skel->progs.sendmsg6,
                                    has_sender ? skel->progs.egress_sender : skel->progs.egress_owner };
    for (unsigned i = 0; i < G_N_ELEMENTS(progs); i++) {
        /* Links, not plain attachments: the kernel detaches them when leakaudit exits. */
        struct bpf_link *l = bpf_program__attach_cgroup(progs[i], cg);
        if (!l) {
            snprintf(why, why_len, "cannot attach %s to the cgroup2 root: %s", bpf_program__name(progs[i]),
                     g_strerror(errno));
            close(cg);
            ebpf_attrib_close(e);
            return NULL;
        }
        e->links[e->nlinks++] = l;
    }
    close(cg);
    e->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, e, NULL);
    if (!e->rb) {
        snprintf(why, why_len, "cannot open the BPF ring buffer: %s", g_strerror(errno));
        ebpf_attrib_close(e);
        return NULL;
    }
    return e;
}

void ebpf_attrib_close(struct ebpf_attrib *e)
{
    if (!e)
        return;
    ring_buffer__free(e->rb);
    for (int i = 0; i < e->nlinks; i++)
        bpf_link__destroy(e->links[i]);
    attrib_bpf__destroy(e->skel);
    g_free(e);
}

int ebpf_attrib_fd(const struct ebpf_attrib *e)
{
    return e && e->rb ? ring_buffer__epoll_fd(e->rb) : -1;
}

int ebpf_attrib_drain(struct ebpf_attrib *e)
{
    return e && e->rb ? ring_buffer__consume(e->rb) : 0;
}

bool ebpf_attrib_has_sender(const struct ebpf_attrib *e)
{
    return e && e->has_sender;
}

uint64_t ebpf_attrib_lost(const struct ebpf_attrib *e)
{
    if (!e)
        return 0;
    uint32_t zero = 0;
    uint64_t n = 0;
    bpf_map_lookup_elem(bpf_map__fd(e->skel->maps.lost), &zero, &n);
    return n;
}

#endif
