/* procinfo.c — see procinfo.h. */
#include "procinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char proc_root[256] = "/proc";

void procinfo_set_root(const char *root)
{
    g_strlcpy(proc_root, root ? root : "/proc", sizeof proc_root);
}

/* Reads at most cap−1 bytes of a small /proc file; −1 when unreadable. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got + 1 < cap) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    return (ssize_t)got;
}

bool procinfo_parse_status(const char *text, size_t len, int64_t *uid, int32_t *ppid)
{
    bool have_uid = false;
    const char *end = text + len;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char tmp[64];
        size_t cl = ll < sizeof tmp - 1 ? ll : sizeof tmp - 1;
        memcpy(tmp, line, cl);
        tmp[cl] = '\0';
        char *after;
        if (strncmp(tmp, "Uid:", 4) == 0) {
            long long v = strtoll(tmp + 4, &after, 10);
            if (after != tmp + 4 && v >= 0 && v <= UINT32_MAX) {
                *uid = v;
                have_uid = true;
            }
        } else if (strncmp(tmp, "PPid:", 5) == 0 && ppid) {
            long v = strtol(tmp + 5, &after, 10);
            if (after != tmp + 5 && v >= 0 && v <= INT32_MAX)
                *ppid = (int32_t)v;
        }
        line += ll + 1;
    }
    return have_uid;
}

bool procinfo_parse_stat(const char *text, size_t len, char *state, uint64_t *flags)
{
    const char *close = NULL;
    for (size_t i = len; i > 0; i--)
        if (text[i - 1] == ')') {
            close = text + i - 1;
            break;
        }
    if (!close)
        return false;
    const char *p = close + 1, *end = text + len;
    /* fields 3..9: state ppid pgrp session tty_nr tpgid flags */
    for (int field = 3; field <= 9; field++) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            return false;
        const char *q = p;
        while (q < end && *q != ' ' && *q != '\n')
            q++;
        if (field == 3)
            *state = *p;
        if (field == 9) {
            char num[24];
            size_t n = (size_t)(q - p);
            if (n == 0 || n >= sizeof num)
                return false;
            memcpy(num, p, n);
            num[n] = '\0';
            char *e;
            unsigned long long v = strtoull(num, &e, 10);
            if (*e)
                return false;
            *flags = v;
        }
        p = q;
    }
    return true;
}

void procinfo_format_cmdline(const char *raw, size_t len, char *out, size_t outlen)
{
    if (!outlen)
        return;
    while (len && raw[len - 1] == '\0') /* the final NUL, and padding */
        len--;
    size_t o = 0;
    bool cut = false;
    for (size_t i = 0; i < len; i++) {
        char ch = raw[i] == '\0' || raw[i] == '\n' || raw[i] == '\t' ? ' ' : raw[i];
        if ((unsigned char)ch < 0x20 || ch == 0x7f)
            ch = '?'; /* arguments are the process's words, not ours to print raw */
        if (o + 1 >= outlen) {
            cut = true;
            break;
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    if (cut) {
        static const char ell[] = "\xe2\x80\xa6"; /* … */
        size_t keep = outlen > sizeof ell ? outlen - sizeof ell : 0;
        while (keep && ((unsigned char)out[keep] & 0xc0) == 0x80) /* never split UTF-8 */
            keep--;
        if (keep + sizeof ell <= outlen)
            memcpy(out + keep, ell, sizeof ell);
    }
}

/* A 64-hex-digit container id inside a cgroup path component
 * ("docker-<id>.scope", "libpod-<id>.scope", "/docker/<id>", "cri-containerd-<id>.scope"). */
static bool container_id_in(const char *comp, size_t len, char *out, size_t outlen)
{
    for (size_t i = 0; i + 64 <= len; i++) {
        size_t n = 0;
        while (n < 64 && g_ascii_isxdigit(comp[i + n]) && !g_ascii_isupper(comp[i + n]))
            n++;
        if (n == 64 && (i + 64 == len || !g_ascii_isxdigit(comp[i + 64])) &&
            (i == 0 || !g_ascii_isxdigit(comp[i - 1]))) {
            size_t k = outlen - 1 < 12 ? outlen - 1 : 12; /* the short id docker prints */
            memcpy(out, comp + i, k);
            out[k] = '\0';
            return true;
        }
    }
    return false;
}

void procinfo_parse_cgroup(const char *text, size_t len, char *unit, size_t unit_len, char *container,
                           size_t container_len)
{
    unit[0] = container[0] = '\0';
    const char *end = text + len;
    /* Prefer the unified line "0::/path"; v1 lines ("N:name=systemd:/path") otherwise. */
    const char *best = NULL, *best_end = NULL;
    for (const char *line = text; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *c1 = memchr(line, ':', (size_t)(le - line));
        const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
        if (c2) {
            bool unified = c1 == line + 1 && line[0] == '0' && c2 == c1 + 1;
            bool systemd = (size_t)(c2 - c1 - 1) == 12 && memcmp(c1 + 1, "name=systemd", 12) == 0;
            if (unified || (systemd && !best)) {
                best = c2 + 1;
                best_end = le;
            }
        }
        line = le + 1;
    }
    if (!best)
        return;
    /* Walk the path's components: the last .service or .scope is the unit;
     * a container id anywhere names the container. */
    for (const char *p = best; p < best_end;) {
        while (p < best_end && *p == '/')
            p++;
        const char *q = p;
        while (q < best_end && *q != '/')
            q++;
        size_t n = (size_t)(q - p);
        if (n && !container[0])
            container_id_in(p, n, container, container_len);
        {
            bool service = n > 8 && memcmp(q - 8, ".service", 8) == 0;
            bool scope = n > 6 && memcmp(q - 6, ".scope", 6) == 0;
            if ((service || scope) && n < unit_len) {
                memcpy(unit, p, n);
                unit[n] = '\0';
            }
        }
        p = q;
    }
}

const char *procinfo_role(const char *name, const char *cmdline)
{
    static const char *const resolvers[] = { "systemd-resolve", "systemd-resolved", "dnsmasq", "unbound",
                                             "named", "pdns_recursor", "knot-resolver", "kresd",
                                             "dnscrypt-proxy", "stubby", "coredns", NULL };
    for (int i = 0; resolvers[i]; i++)
        if (strcmp(name, resolvers[i]) == 0)
            return "DNS resolver";
    /* Chromium's WebRTC sockets are opened by its network service, a utility
     * process: "chromium --type=utility --utility-sub-type=network.mojom.NetworkService". */
    if (cmdline && strstr(cmdline, "--utility-sub-type=network.mojom.NetworkService"))
        return "browser network service";
    return NULL;
}

uint64_t procinfo_socket_inode(const char *link)
{
    if (strncmp(link, "socket:[", 8) != 0)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(link + 8, &end, 10);
    if (errno || end == link + 8 || strcmp(end, "]") != 0)
        return 0;
    return v;
}

/* uid → name, cached: NSS reads /etc/passwd on every call. Shared with the
 * exec-snapshot thread, hence the lock. */
static void user_name(uid_t uid, char *out, size_t len)
{
    static GMutex lock;
    static GHashTable *names;
    g_mutex_lock(&lock);
    if (!names)
        names = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    const char *known = g_hash_table_lookup(names, GUINT_TO_POINTER(uid));
    if (!known && g_hash_table_size(names) < 4096) {
        struct passwd pw, *res = NULL;
        char pwbuf[1024];
        char *name = g_strdup(getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &res) == 0 && res ? res->pw_name : "");
        g_hash_table_insert(names, GUINT_TO_POINTER(uid), name);
        known = name;
    }
    g_strlcpy(out, known ? known : "", len);
    g_mutex_unlock(&lock);
}

bool procinfo_read(int32_t pid, struct process_info *pi)
{
    char path[320], buf[4096];
    pi->pid = pid;
    snprintf(path, sizeof path, "%s/%d/status", proc_root, (int)pid);
    ssize_t n = read_small(path, buf, sizeof buf);
    if (n < 0)
        return false;
    int64_t uid = -1;
    int32_t ppid = 0;
    if (procinfo_parse_status(buf, (size_t)n, &uid, &ppid))
        pi->uid = uid;
    snprintf(path, sizeof path, "%s/%d/stat", proc_root, (int)pid);
    n = read_small(path, buf, sizeof buf);
    char state = '?';
    uint64_t flags = 0;
    if (n > 0 && procinfo_parse_stat(buf, (size_t)n, &state, &flags)) {
        pi->kernel_thread = (flags & PROC_PF_KTHREAD) != 0;
        pi->exited = state == 'Z' || state == 'X';
    }
    snprintf(path, sizeof path, "%s/%d/comm", proc_root, (int)pid);
    n = read_small(path, buf, PROC_NAME_LEN + 1);
    if (n > 0) {
        if (buf[n - 1] == '\n')
            buf[n - 1] = '\0';
        g_strlcpy(pi->name, buf, sizeof pi->name);
    }
    snprintf(path, sizeof path, "%s/%d/exe", proc_root, (int)pid);
    n = readlink(path, buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        g_strlcpy(pi->exe, buf, sizeof pi->exe);
    }
    snprintf(path, sizeof path, "%s/%d/cmdline", proc_root, (int)pid);
    n = read_small(path, buf, sizeof buf);
    if (n > 0)
        procinfo_format_cmdline(buf, (size_t)n, pi->cmdline, sizeof pi->cmdline);
    snprintf(path, sizeof path, "%s/%d/cgroup", proc_root, (int)pid);
    n = read_small(path, buf, sizeof buf);
    if (n > 0)
        procinfo_parse_cgroup(buf, (size_t)n, pi->unit, sizeof pi->unit, pi->container, sizeof pi->container);
    if (pi->uid >= 0 && !pi->user[0])
        user_name((uid_t)pi->uid, pi->user, sizeof pi->user);
    pi->role = procinfo_role(pi->name, pi->cmdline);
    return true;
}

/* ---- inode → pid ---- */

struct inode_owner_cache {
    GHashTable *owner;   /* inode (guint64*) → pid */
    uint32_t cap;
    uint64_t scans, scans_cut;
    uint64_t second;     /* scan time spent in this second, bounded */
    uint64_t spent_us;
};

enum {
    SCAN_MAX_US = 250000,         /* one scan gives up after 250 ms (a full scan: ~60 ms here, loaded) */
    SCAN_BUDGET_US = 500000,      /* at most half a second of scanning per second */
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000u;
}

struct inode_owner_cache *inode_owner_cache_new(uint32_t cap)
{
    struct inode_owner_cache *c = g_new0(struct inode_owner_cache, 1);
    c->owner = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    c->cap = cap ? cap : 16384;
    return c;
}

void inode_owner_cache_free(struct inode_owner_cache *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->owner);
    g_free(c);
}

uint64_t inode_owner_scans(const struct inode_owner_cache *c)
{
    return c ? c->scans : 0;
}

uint64_t inode_owner_scans_cut(const struct inode_owner_cache *c)
{
    return c ? c->scans_cut : 0;
}

static int pid_desc(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x < y) - (x > y);
}

static void remember(struct inode_owner_cache *c, uint64_t inode, int32_t pid)
{
    if (g_hash_table_size(c->owner) >= c->cap)
        g_hash_table_remove_all(c->owner); /* crude but bounded: the next scan refills it */
    guint64 key = inode;
    if (g_hash_table_contains(c->owner, &key))
        return; /* scanned newest first: the newer holder stays */
    guint64 *k = g_new(guint64, 1);
    *k = inode;
    g_hash_table_insert(c->owner, k, GINT_TO_POINTER(pid));
}

int32_t inode_owner_find(struct inode_owner_cache *c, uint64_t inode)
{
    guint64 key = inode;
    gpointer v = g_hash_table_lookup(c->owner, &key);
    if (v) {
        int32_t pid = GPOINTER_TO_INT(v);
        char path[320], link[64];
        /* still true? pids and fds are reused */
        snprintf(path, sizeof path, "%s/%d", proc_root, (int)pid);
        DIR *fds = NULL;
        char fdpath[340];
        snprintf(fdpath, sizeof fdpath, "%s/fd", path);
        if ((fds = opendir(fdpath))) {
            struct dirent *de;
            while ((de = readdir(fds))) {
                char lp[600];
                snprintf(lp, sizeof lp, "%s/%s", fdpath, de->d_name);
                ssize_t n = readlink(lp, link, sizeof link - 1);
                if (n <= 0)
                    continue;
                link[n] = '\0';
                if (procinfo_socket_inode(link) == inode) {
                    closedir(fds);
                    return pid;
                }
            }
            closedir(fds);
        }
        g_hash_table_remove(c->owner, &key);
    }
    uint64_t start = now_us();
    if (start / 1000000u != c->second) {
        c->second = start / 1000000u;
        c->spent_us = 0;
    }
    if (c->spent_us >= SCAN_BUDGET_US) {
        c->scans_cut++;
        return 0;
    }
    c->scans++;
    DIR *proc = opendir(proc_root);
    if (!proc)
        return 0;
    GArray *pids = g_array_sized_new(FALSE, FALSE, sizeof(int32_t), 512);
    struct dirent *de;
    while ((de = readdir(proc))) {
        char *end;
        long p = strtol(de->d_name, &end, 10);
        if (*end == '\0' && p > 0 && p <= INT32_MAX) {
            int32_t pid = (int32_t)p;
            g_array_append_val(pids, pid);
        }
    }
    closedir(proc);
    qsort(pids->data, pids->len, sizeof(int32_t), pid_desc);
    int32_t found = 0;
    for (guint i = 0; i < pids->len && !found; i++) {
        if ((i & 15) == 15 && now_us() - start > SCAN_MAX_US) {
            c->scans_cut++; /* bounded: capture never waits long for a name */
            break;
        }
        int32_t pid = g_array_index(pids, int32_t, i);
        char fdpath[320];
        snprintf(fdpath, sizeof fdpath, "%s/%d/fd", proc_root, (int)pid);
        DIR *fds = opendir(fdpath);
        if (!fds)
            continue;
        while ((de = readdir(fds))) {
            if (de->d_name[0] == '.')
                continue;
            char lp[600], link[64];
            snprintf(lp, sizeof lp, "%s/%s", fdpath, de->d_name);
            ssize_t n = readlink(lp, link, sizeof link - 1);
            if (n <= 0)
                continue;
            link[n] = '\0';
            uint64_t ino = procinfo_socket_inode(link);
            if (!ino)
                continue;
            remember(c, ino, pid);
            if (ino == inode)
                found = pid;
        }
        closedir(fds);
    }
    g_array_free(pids, TRUE);
    c->spent_us += now_us() - start;
    return found;
}
