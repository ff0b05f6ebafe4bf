/* procwatch.c — see procwatch.h. */
#include "procwatch.h"

#include <errno.h>
#include <glib.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cursor.h"
#include "procinfo.h"

enum {
    SNAPSHOT_CAP = 4096,
    SNAPSHOTS_PER_SECOND = 400, /* /proc reads in the background thread, bounded */
    NLHDR = 16, CNHDR = 20,
};

int procwatch_parse(const void *buf, size_t len, procwatch_fn fn, void *user)
{
    struct cursor all = cursor_make(buf, len);
    int n = 0;
    while (cursor_left(&all) > 0) {
        struct cursor h = all;
        uint32_t mlen = cursor_u32le(&h);
        if (!cursor_ok(&h) || mlen < NLHDR || mlen > cursor_left(&all))
            return -1;
        struct cursor m = cursor_take(&all, mlen);
        size_t pad = NLMSG_ALIGN(mlen) - mlen;
        cursor_skip(&all, pad < cursor_left(&all) ? pad : cursor_left(&all));
        cursor_skip(&m, NLHDR);
        uint32_t idx = cursor_u32le(&m), val = cursor_u32le(&m);
        cursor_skip(&m, 8); /* seq, ack */
        uint16_t dlen = cursor_u16le(&m);
        cursor_skip(&m, 2);
        if (!cursor_ok(&m) || dlen > cursor_left(&m))
            return -1;
        if (idx != CN_IDX_PROC || val != CN_VAL_PROC)
            continue;
        struct cursor ev = cursor_take(&m, dlen);
        uint32_t what = cursor_u32le(&ev);
        cursor_skip(&ev, 12); /* cpu, timestamp */
        uint32_t pid = cursor_u32le(&ev), tgid = cursor_u32le(&ev);
        if (!cursor_ok(&ev))
            return -1;
        enum procwatch_event e = what == PROC_EVENT_EXEC ? PROCWATCH_EXEC
                                 : what == PROC_EVENT_EXIT ? PROCWATCH_EXIT : PROCWATCH_OTHER;
        if (e == PROCWATCH_OTHER || pid != tgid || tgid == 0 || tgid > INT32_MAX)
            continue;
        n++;
        if (fn)
            fn(e, (int32_t)tgid, user);
    }
    return n;
}

struct snapshot {
    struct process_info pi;
    bool exited;
};

struct procwatch {
    int fd;
    GThread *thread;
    gint stop;
    GMutex lock;
    GHashTable *snap;      /* pid → struct snapshot* */
    GQueue order;          /* pids, oldest first (for the cap) */
    uint64_t execs, skipped;
    uint64_t budget_second;
    uint32_t budget_used;
};

static void on_event(enum procwatch_event what, int32_t tgid, void *user)
{
    struct procwatch *w = user;
    if (what == PROCWATCH_EXIT) {
        g_mutex_lock(&w->lock);
        struct snapshot *s = g_hash_table_lookup(w->snap, GINT_TO_POINTER(tgid));
        if (s)
            s->exited = true;
        g_mutex_unlock(&w->lock);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if ((uint64_t)ts.tv_sec != w->budget_second) {
        w->budget_second = (uint64_t)ts.tv_sec;
        w->budget_used = 0;
    }
    if (w->budget_used++ >= SNAPSHOTS_PER_SECOND) {
        w->skipped++;
        return;
    }
    struct snapshot *s = g_new0(struct snapshot, 1);
    s->pi.uid = -1;
    if (!procinfo_read(tgid, &s->pi)) { /* gone already: nothing to keep */
        g_free(s);
        return;
    }
    g_mutex_lock(&w->lock);
    if (g_hash_table_size(w->snap) >= SNAPSHOT_CAP) {
        gpointer old = g_queue_pop_head(&w->order);
        g_hash_table_remove(w->snap, old);
    }
    if (!g_hash_table_contains(w->snap, GINT_TO_POINTER(tgid)))
        g_queue_push_tail(&w->order, GINT_TO_POINTER(tgid));
    g_hash_table_replace(w->snap, GINT_TO_POINTER(tgid), s);
    w->execs++;
    g_mutex_unlock(&w->lock);
}

static gpointer watch_thread(gpointer data)
{
    struct procwatch *w = data;
    uint8_t buf[16384];
    while (!g_atomic_int_get(&w->stop)) {
        ssize_t n = recv(w->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
                continue; /* timeout (checks stop), or events lost to a burst */
            break;
        }
        procwatch_parse(buf, (size_t)n, on_event, w);
    }
    return NULL;
}

struct procwatch *procwatch_open(char *why, size_t why_len)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (fd < 0) {
        snprintf(why, why_len, "proc connector: %s", g_strerror(errno));
        return NULL;
    }
    struct sockaddr_nl me = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
    if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
        snprintf(why, why_len, "proc connector: %s", g_strerror(errno));
        close(fd);
        return NULL;
    }
    struct {
        struct nlmsghdr nh;
        struct cn_msg cn;
        enum proc_cn_mcast_op op;
    } __attribute__((packed)) req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = NLMSG_DONE;
    req.cn.id.idx = CN_IDX_PROC;
    req.cn.id.val = CN_VAL_PROC;
    req.cn.len = sizeof req.op;
    req.op = PROC_CN_MCAST_LISTEN;
    if (send(fd, &req, sizeof req, 0) < 0) {
        /* ECONNREFUSED outside the initial network namespace */
        snprintf(why, why_len, "proc connector: %s%s", g_strerror(errno),
                 errno == ECONNREFUSED ? " (only in the initial network namespace)" : "");
        close(fd);
        return NULL;
    }
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int rcvbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct procwatch *w = g_new0(struct procwatch, 1);
    w->fd = fd;
    g_mutex_init(&w->lock);
    w->snap = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    g_queue_init(&w->order);
    w->thread = g_thread_new("leakaudit-procwatch", watch_thread, w);
    return w;
}

void procwatch_close(struct procwatch *w)
{
    if (!w)
        return;
    g_atomic_int_set(&w->stop, 1);
    g_thread_join(w->thread);
    close(w->fd);
    g_hash_table_destroy(w->snap);
    g_queue_clear(&w->order);
    g_mutex_clear(&w->lock);
    g_free(w);
}

bool procwatch_lookup(struct procwatch *w, int32_t pid, struct process_info *out)
{
    if (!w)
        return false;
    g_mutex_lock(&w->lock);
    struct snapshot *s = g_hash_table_lookup(w->snap, GINT_TO_POINTER(pid));
    if (s)
        *out = s->pi;
    g_mutex_unlock(&w->lock);
    return s != NULL;
}

uint64_t procwatch_execs(const struct procwatch *w)
{
    return w ? w->execs : 0;
}

uint64_t procwatch_skipped(const struct procwatch *w)
{
    return w ? w->skipped : 0;
}
