/* sink_syslog.c — see sink_syslog.h.
 *
 * The capture thread only formats an alert into a preallocated queue slot
 * and signals; a sender thread owns the socket. Nothing on the capture side
 * waits for the network: when the queue is full the alert is dropped and
 * counted, and the next delivered message says how many were lost.
 */
#include "sink_out.h"
#include "sink_syslog.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dedup.h"
#include "iface.h"
#include "process_view.h"
#include "timefmt.h"

enum syslog_transport { SYSLOG_TO_LOCAL, SYSLOG_TO_UDP, SYSLOG_TO_TCP, SYSLOG_TO_UNIX };

enum {
    SEV_WARNING = 4, SEV_NOTICE = 5, SEV_INFO = 6,
    SLOT_SD_MAX = 1024, SLOT_MSG_MAX = 640, DETAIL_MAX = 300,
    FRAME_MAX = 4096,
    UDP_FRAME_MAX = 2048,          /* RFC 5426: receivers must take 480, should take 2048 */
    IO_WAIT_MS = 200,
};

#define SD_ID "leakaudit@32473"
static const uint64_t BACKOFF_FIRST_NS = 250000000ull;
static const uint64_t BACKOFF_MAX_NS = 30000000000ull;
static const uint64_t FLUSH_DEADLINE_NS = 2000000000ull;
static const uint64_t CONNECT_TIMEOUT_MS = 1000;

struct slot {
    int severity;
    char msgid[16];
    char sd[SLOT_SD_MAX];    /* SD-PARAMs, escaped, without the brackets */
    char msg[SLOT_MSG_MAX];  /* the short human message */
};

struct syslog_sink {
    struct sink_account acc; /* main thread: filled at finish, for the JSON summary */
    /* set at open, read-only afterwards */
    enum syslog_transport transport;
    char target[300];
    char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct addrinfo *addrs;
    int facility;
    char hostname[256];
    char procid[16];

    /* capture thread only */
    struct rate_limit rate;
    GString *scratch;

    /* shared, under lock */
    GMutex lock;
    GCond wake;
    struct slot *slots;
    unsigned cap, head, count;
    bool stopping;
    uint64_t stop_deadline_ns;
    uint64_t unreported_dropped, unreported_limited;
    struct syslog_sink_stats stats;

    /* sender thread only */
    GThread *thread;
    int fd;
    int socktype;
    bool ever_connected;
    uint64_t next_attempt_ns, backoff_ns;
    char frame[FRAME_MAX];
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool syslog_facility_parse(const char *name, int *facility)
{
    static const char *const names[] = { "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
                                         "uucp", "cron", "authpriv", "ftp" };
    for (int i = 0; i < (int)G_N_ELEMENTS(names); i++)
        if (g_ascii_strcasecmp(name, names[i]) == 0)
            return *facility = i, true;
    if (g_ascii_strncasecmp(name, "local", 5) == 0 && name[5] >= '0' && name[5] <= '7' && !name[6])
        return *facility = 16 + (name[5] - '0'), true;
    return false;
}

/* ---- formatting (capture thread) ---- */

/* Appends text as an RFC 5424 PARAM-VALUE: '"', '\' and ']' escaped with a
 * backslash; invalid UTF-8 and control characters (which would break a
 * collector's line-based files) become \xNN, readable and unambiguous since
 * a real backslash is escaped. sd_escape false: the same for MSG, no escapes
 * of '"' and ']'. Stops before limit bytes of output. */
static void append_clean(GString *out, const char *text, size_t limit, bool sd_escape)
{
    size_t start = out->len;
    const char *p = text;
    while (*p && out->len - start + 8 < limit) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            g_string_append_printf(out, "\\x%02x", (unsigned)c);
        } else if (c == '\\' || (sd_escape && (c == '"' || c == ']'))) {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)c);
        } else {
            g_string_append_len(out, p, next - p);
        }
        p = next;
    }
}

static void sd_param(GString *sd, const char *name, const char *value)
{
    if (!value)
        return;
    if (sd->len)
        g_string_append_c(sd, ' ');
    g_string_append_printf(sd, "%s=\"", name);
    append_clean(sd, value, DETAIL_MAX, true);
    g_string_append_c(sd, '"');
}

/* An optional SD-PARAM (the nDPI labels): only when it fits the slot whole
 * (a cut could end inside an escape), at most limit bytes of value. */
static void sd_param_if_room(GString *sd, const char *name, const char *value, size_t limit)
{
    if (!value)
        return;
    gsize before = sd->len;
    if (sd->len)
        g_string_append_c(sd, ' ');
    g_string_append_printf(sd, "%s=\"", name);
    append_clean(sd, value, limit, true);
    g_string_append_c(sd, '"');
    if (sd->len >= SLOT_SD_MAX)
        g_string_truncate(sd, before);
}

static void sd_param_uint(GString *sd, const char *name, uint64_t value)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, value);
    sd_param(sd, name, buf);
}

/* g_strlcpy that never leaves half a UTF-8 character at a cut (src is valid UTF-8). */
static void copy_utf8(char *dst, const char *src, size_t size)
{
    if (g_strlcpy(dst, src, size) < size)
        return;
    const gchar *end;
    if (!g_utf8_validate(dst, -1, &end))
        dst[end - dst] = '\0';
}

/* Puts a formatted message into the queue, or counts it as dropped. */
static void enqueue(struct syslog_sink *s, int severity, const char *msgid, const char *sd, const char *msg)
{
    g_mutex_lock(&s->lock);
    if (s->stopping || s->count == s->cap) {
        s->stats.dropped++;
        s->unreported_dropped++;
    } else {
        struct slot *sl = &s->slots[(s->head + s->count) % s->cap];
        sl->severity = severity;
        g_strlcpy(sl->msgid, msgid, sizeof sl->msgid);
        g_strlcpy(sl->sd, sd, sizeof sl->sd); /* fits: each value is capped at DETAIL_MAX */
        copy_utf8(sl->msg, msg, sizeof sl->msg);
        s->count++;
        g_cond_signal(&s->wake);
    }
    g_mutex_unlock(&s->lock);
}

static bool admit_rate(struct syslog_sink *s)
{
    if (rate_limit_take(&s->rate, monotonic_ns()))
        return true;
    g_mutex_lock(&s->lock);
    s->stats.rate_limited++;
    s->unreported_limited++;
    g_mutex_unlock(&s->lock);
    return false;
}

static void syslog_emit(void *self, const struct event *ev)
{
    struct syslog_sink *s = self;
    if (!event_is_alert(ev) || !admit_rate(s))
        return;
    char src[ADDR_PORT_STRLEN], dst[ADDR_PORT_STRLEN], exposed[ADDR_PORT_STRLEN], when[40];
    char proc[PROCESS_NAME_MAX + 16];
    struct process_view pv;
    addr_port_format(&ev->src, ev->sport, src, sizeof src);
    addr_port_format(&ev->dst, ev->dport, dst, sizeof dst);
    if (ev->has_exposed)
        addr_port_format(&ev->exposed, ev->exposed_port, exposed, sizeof exposed);
    bool has_proc = process_view_get(ev, &pv);
    if (has_proc)
        process_view_label(&pv, proc, sizeof proc);
    time_format_iso(ev->ts_ns, when, sizeof when);

    /* detail: what the packet was; the flow's nDPI label goes in its own
     * params (app, category, risks, guessed), as in JSON; MSG has both. */
    struct event bare = *ev;
    bare.app = bare.app_category = bare.app_risks = NULL;
    GString *detail = s->scratch;
    g_string_truncate(detail, 0);
    event_describe(&bare, detail);

    GString *sd = g_string_sized_new(512);
    sd_param(sd, "kind", event_kind_name(ev->kind));
    sd_param(sd, "verdict", verdict_name(ev->verdict));
    sd_param(sd, "severity", severity_name(ev->severity));
    sd_param(sd, "iface", ev->iface->name);
    sd_param(sd, "src", src);
    sd_param(sd, "dst", dst);
    sd_param(sd, "transport", ev->transport == 6 ? "tcp" : "udp");
    sd_param(sd, "proc", has_proc ? proc : "unknown");
    if (ev->has_exposed)
        sd_param(sd, "exposed", exposed);
    if (ev->vpn_name)
        sd_param(sd, "vpn", ev->vpn_name);
    if (ev->repeats)
        sd_param_uint(sd, "repeats", ev->repeats);
    sd_param(sd, "time", when);
    sd_param_uint(sd, "frame", ev->frame_number);
    sd_param(sd, "detail", detail->str);
    if (ev->app) {
        sd_param_if_room(sd, "app", ev->app, 64);
        sd_param_if_room(sd, "guessed", ev->app_guessed ? "true" : "false", 16);
        sd_param_if_room(sd, "category", ev->app_category, 48);
        sd_param_if_room(sd, "risks", ev->app_risks, 160); /* comma-separated, as nDPI names them */
    }
    g_string_truncate(detail, 0);
    event_describe(ev, detail);

    GString *msg = g_string_sized_new(256);
    g_string_append_printf(msg, "%s %s %s on %s: %s -> %s ", ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSED",
                           severity_name(ev->severity), event_kind_name(ev->kind), ev->iface->name, src, dst);
    append_clean(msg, detail->str, DETAIL_MAX, false);
    if (ev->has_exposed)
        g_string_append_printf(msg, "; exposed %s", exposed);
    if (ev->reason)
        g_string_append_printf(msg, " (%s)", ev->reason);

    enqueue(s, ev->verdict == VERDICT_LEAK ? SEV_WARNING : SEV_NOTICE, ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSURE",
            sd->str, msg->str);
    g_string_free(sd, TRUE);
    g_string_free(msg, TRUE);
}

void sink_syslog_vpn_state(struct sink *sk, const char *iface, const char *state)
{
    struct syslog_sink *s = sk->self;
    if (!admit_rate(s))
        return;
    GString *sd = g_string_new(NULL), *msg = g_string_new(NULL);
    sd_param(sd, "kind", "vpn-state");
    sd_param(sd, "iface", iface);
    sd_param(sd, "state", state);
    g_string_append(msg, "VPN interface ");
    append_clean(msg, iface, 64, false);
    g_string_append_printf(msg, " %s", state);
    enqueue(s, SEV_INFO, "VPN", sd->str, msg->str);
    g_string_free(sd, TRUE);
    g_string_free(msg, TRUE);
}

/* ---- sending (sender thread) ---- */

static void close_fd(struct syslog_sink *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Waits for fd to be ready for events (or an error); false on timeout. */
static bool wait_fd(int fd, short events, int timeout_ms, short *revents)
{
    struct pollfd p = { .fd = fd, .events = events };
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    *revents = r > 0 ? p.revents : 0;
    return r > 0;
}

static int connect_with_timeout(int fd, const struct sockaddr *sa, socklen_t len)
{
    if (connect(fd, sa, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    short rev;
    if (!wait_fd(fd, POLLOUT, (int)CONNECT_TIMEOUT_MS, &rev)) {
        errno = ETIMEDOUT;
        return -1;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

static bool try_connect(struct syslog_sink *s)
{
    if (s->transport == SYSLOG_TO_UNIX || s->transport == SYSLOG_TO_LOCAL) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        g_strlcpy(sun.sun_path, s->unix_path, sizeof sun.sun_path);
        /* Datagram first (what /dev/log and rsyslog's imuxsock are), then stream. */
        const int types[] = { SOCK_DGRAM, SOCK_STREAM };
        for (int i = 0; i < 2; i++) {
            int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (fd < 0)
                return false;
            if (connect_with_timeout(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
                s->fd = fd;
                s->socktype = types[i];
                return true;
            }
            int e = errno;
            close(fd);
            if (e != EPROTOTYPE)
                return false;
        }
        return false;
    }
    for (struct addrinfo *ai = s->addrs; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect_with_timeout(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            s->fd = fd;
            s->socktype = ai->ai_socktype;
            return true;
        }
        close(fd);
    }
    return false;
}

/* The wire form of one queued message. */
static size_t compose(struct syslog_sink *s, const struct slot *sl, uint64_t dropped, uint64_t limited)
{
    int pri = s->facility * 8 + sl->severity;
    GString *extra = g_string_new(NULL);
    if (dropped)
        g_string_append_printf(extra, " dropped=\"%" G_GUINT64_FORMAT "\"", dropped);
    if (limited)
        g_string_append_printf(extra, " ratelimited=\"%" G_GUINT64_FORMAT "\"", limited);
    int n;
    if (s->transport == SYSLOG_TO_LOCAL) {
        /* The traditional local format (what syslog(3) writes to /dev/log). */
        time_t now = time(NULL);
        struct tm tm;
        char stamp[32];
        localtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
        n = snprintf(s->frame, sizeof s->frame, "<%d>%s leakaudit[%s]: %s [" SD_ID " %s%s]", pri, stamp, s->procid,
                     sl->msg, sl->sd, extra->str);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        char stamp[64];
        time_format_iso((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec, stamp, sizeof stamp);
        n = snprintf(s->frame, sizeof s->frame, "<%d>1 %s %s leakaudit %s %s [" SD_ID " %s%s] %s", pri, stamp,
                     s->hostname, s->procid, sl->msgid, sl->sd, extra->str, sl->msg);
    }
    g_string_free(extra, TRUE);
    return n < 0 ? 0 : (size_t)n < sizeof s->frame ? (size_t)n : sizeof s->frame - 1;
}

enum send_result { SEND_OK, SEND_RETRY, SEND_UNSENDABLE };

/* Writes all of buf to a stream socket, waiting at most until deadline. */
static bool write_all(struct syslog_sink *s, const char *buf, size_t len, uint64_t deadline_ns)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(s->fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A slow collector: wait here (the capture thread does not). */
            short rev;
            wait_fd(s->fd, POLLOUT, IO_WAIT_MS, &rev);
            bool stopping;
            g_mutex_lock(&s->lock);
            stopping = s->stopping;
            g_mutex_unlock(&s->lock);
            if (stopping && monotonic_ns() > deadline_ns)
                return false;
            continue;
        }
        return false;
    }
    return true;
}

static enum send_result send_frame(struct syslog_sink *s, size_t len, uint64_t deadline_ns)
{
    if (s->socktype == SOCK_DGRAM) {
        if (s->transport == SYSLOG_TO_UDP && len > UDP_FRAME_MAX)
            len = UDP_FRAME_MAX;
        for (;;) {
            ssize_t w = send(s->fd, s->frame, len, MSG_NOSIGNAL);
            if (w >= 0)
                return SEND_OK;
            if (errno == EINTR)
                continue;
            if (errno == EMSGSIZE)
                return SEND_UNSENDABLE;
            if (errno == ECONNREFUSED && s->transport == SYSLOG_TO_UDP) {
                /* ICMP port unreachable: the previous datagram was refused. */
                g_mutex_lock(&s->lock);
                if (s->stats.delivered)
                    s->stats.delivered--;
                s->stats.dropped++;
                s->unreported_dropped++;
                g_mutex_unlock(&s->lock);
                return SEND_RETRY;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                short rev;
                if (!wait_fd(s->fd, POLLOUT, IO_WAIT_MS, &rev) && monotonic_ns() > deadline_ns)
                    return SEND_RETRY;
                continue;
            }
            return SEND_RETRY;
        }
    }
    /* Stream: a collector that closed (killed, restarted) shows as EOF
     * before we write into a dead connection. */
    char peek;
    ssize_t r = recv(s->fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
        return SEND_RETRY;
    if (r > 0) { /* collectors say nothing; discard whatever it was */
        char sink_buf[512];
        while (recv(s->fd, sink_buf, sizeof sink_buf, MSG_DONTWAIT) > 0) {
        }
    }
    if (s->transport == SYSLOG_TO_LOCAL) { /* syslog(3) framing on a stream /dev/log: NUL */
        s->frame[len] = '\0';
        return write_all(s, s->frame, len + 1, deadline_ns) ? SEND_OK : SEND_RETRY;
    }
    char prefix[16];
    int pl = snprintf(prefix, sizeof prefix, "%zu ", len); /* RFC 6587 octet counting */
    if (!write_all(s, prefix, (size_t)pl, deadline_ns) || !write_all(s, s->frame, len, deadline_ns))
        return SEND_RETRY;
    return SEND_OK;
}

/* At the end, a UDP collector that went away answers the last datagram
 * with ICMP port unreachable: count that one as dropped too. */
static void check_last_datagram(struct syslog_sink *s)
{
    if (s->fd < 0 || s->transport != SYSLOG_TO_UDP)
        return;
    short rev;
    if (!wait_fd(s->fd, POLLIN, IO_WAIT_MS, &rev) || !(rev & POLLERR))
        return;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr == ECONNREFUSED) {
        g_mutex_lock(&s->lock);
        if (s->stats.delivered)
            s->stats.delivered--;
        s->stats.dropped++;
        g_mutex_unlock(&s->lock);
    }
}

static void drop_queue_locked(struct syslog_sink *s)
{
    s->stats.dropped += s->count;
    s->unreported_dropped += s->count;
    s->head = (s->head + s->count) % s->cap;
    s->count = 0;
}

static gpointer sender_main(gpointer data)
{
    struct syslog_sink *s = data;
    struct slot sl;
    bool tried_after_stop = false;
    for (;;) {
        g_mutex_lock(&s->lock);
        while (s->count == 0 && !s->stopping)
            g_cond_wait(&s->wake, &s->lock);
        if (s->count == 0) {
            g_mutex_unlock(&s->lock);
            break;
        }
        sl = s->slots[s->head];
        uint64_t dropped = s->unreported_dropped, limited = s->unreported_limited;
        bool stopping = s->stopping;
        uint64_t deadline = s->stop_deadline_ns;
        uint64_t now = monotonic_ns();
        if (stopping && now > deadline) {
            drop_queue_locked(s);
            g_mutex_unlock(&s->lock);
            break;
        }
        if (s->fd < 0) {
            if (!stopping && now < s->next_attempt_ns) {
                gint64 until = g_get_monotonic_time() + (gint64)((s->next_attempt_ns - now) / 1000);
                g_cond_wait_until(&s->wake, &s->lock, until);
                g_mutex_unlock(&s->lock);
                continue;
            }
            if (stopping && tried_after_stop) { /* the collector is not coming back in time */
                drop_queue_locked(s);
                g_mutex_unlock(&s->lock);
                break;
            }
            g_mutex_unlock(&s->lock);
            tried_after_stop = stopping;
            if (!try_connect(s)) {
                s->backoff_ns = s->backoff_ns ? MIN(s->backoff_ns * 2, BACKOFF_MAX_NS) : BACKOFF_FIRST_NS;
                s->next_attempt_ns = monotonic_ns() + s->backoff_ns;
                continue;
            }
            if (s->ever_connected) {
                g_mutex_lock(&s->lock);
                s->stats.reconnects++;
                g_mutex_unlock(&s->lock);
            }
            s->ever_connected = true;
            continue;
        }
        g_mutex_unlock(&s->lock);
        size_t len = compose(s, &sl, dropped, limited);
        enum send_result r = send_frame(s, len, stopping ? deadline : UINT64_MAX);
        g_mutex_lock(&s->lock);
        if (r == SEND_OK) {
            s->backoff_ns = 0;
            s->stats.delivered++;
            s->unreported_dropped -= MIN(dropped, s->unreported_dropped);
            s->unreported_limited -= MIN(limited, s->unreported_limited);
        } else if (r == SEND_UNSENDABLE) {
            s->stats.dropped++;
            s->unreported_dropped++;
        }
        if (r != SEND_RETRY) {
            s->head = (s->head + 1) % s->cap;
            s->count--;
        }
        g_mutex_unlock(&s->lock);
        if (r == SEND_RETRY) {
            /* Reconnect at once the first time, then back off. */
            close_fd(s);
            uint64_t wait = s->backoff_ns;
            s->backoff_ns = s->backoff_ns ? MIN(s->backoff_ns * 2, BACKOFF_MAX_NS) : BACKOFF_FIRST_NS;
            s->next_attempt_ns = monotonic_ns() + wait;
        }
    }
    check_last_datagram(s);
    close_fd(s);
    return NULL;
}

static void stop_sender(struct syslog_sink *s)
{
    if (!s->thread)
        return;
    g_mutex_lock(&s->lock);
    s->stopping = true;
    s->stop_deadline_ns = monotonic_ns() + FLUSH_DEADLINE_NS;
    g_cond_broadcast(&s->wake);
    g_mutex_unlock(&s->lock);
    g_thread_join(s->thread);
    s->thread = NULL;
}

/* End of run (audit_finish): give the collector a bounded time to take the
 * rest, so the summary's counts are final. */
static void syslog_finish(void *self, const struct audit_counters *c, const struct iface_table *ifaces)
{
    (void)c;
    (void)ifaces;
    struct syslog_sink *s = self;
    stop_sender(s);
    g_mutex_lock(&s->lock);
    s->acc.alerts_written = s->stats.delivered; /* messages: alerts and VPN state */
    s->acc.alerts_dropped = s->stats.dropped + s->stats.rate_limited;
    if (s->stats.dropped || s->stats.rate_limited)
        g_snprintf(s->acc.error, sizeof s->acc.error, "%" G_GUINT64_FORMAT " not delivered, %" G_GUINT64_FORMAT
                   " rate-limited", s->stats.dropped, s->stats.rate_limited);
    g_mutex_unlock(&s->lock);
}

/* Live, audit_tick() flushes every sink between batches: the sender thread
 * already delivers as messages come, so there is nothing to push (stopping
 * it here silenced syslog after the first batch). */
static bool syslog_flush(void *self, GError **err)
{
    (void)self;
    (void)err;
    return true;
}

static void syslog_close(void *self)
{
    struct syslog_sink *s = self;
    stop_sender(s);
    sink_account_unregister(&s->acc);
    if (s->addrs)
        freeaddrinfo(s->addrs);
    g_free(s->slots);
    g_string_free(s->scratch, TRUE);
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->wake);
    g_free(s);
}

static const struct sink_ops syslog_ops = {
    .name = "syslog", .emit = syslog_emit, .finish = syslog_finish, .flush = syslog_flush, .close = syslog_close,
};

static bool parse_remote(struct syslog_sink *s, const char *remote, GError **err)
{
    if (g_str_has_prefix(remote, "unix:")) {
        const char *path = remote + 5;
        if (!*path || strlen(path) >= sizeof s->unix_path) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--syslog-remote: '%s': give unix:/PATH (at most %zu bytes)", remote, sizeof s->unix_path - 1);
            return false;
        }
        s->transport = SYSLOG_TO_UNIX;
        g_strlcpy(s->unix_path, path, sizeof s->unix_path);
        return true;
    }
    bool udp = g_str_has_prefix(remote, "udp://"), tcp = g_str_has_prefix(remote, "tcp://");
    if (!udp && !tcp) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--syslog-remote: '%s': give udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH", remote);
        return false;
    }
    const char *hostport = remote + 6;
    char host[256];
    const char *port;
    if (hostport[0] == '[') { /* [2001:db8::1]:514 */
        const char *close_br = strchr(hostport, ']');
        if (!close_br || close_br[1] != ':' || (size_t)(close_br - hostport - 1) >= sizeof host) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--syslog-remote: '%s': an IPv6 address is written [ADDR]:PORT", remote);
            return false;
        }
        g_strlcpy(host, hostport + 1, (size_t)(close_br - hostport));
        port = close_br + 2;
    } else {
        const char *colon = strrchr(hostport, ':');
        if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--syslog-remote: '%s': give HOST:PORT after %s", remote, udp ? "udp://" : "tcp://");
            return false;
        }
        g_strlcpy(host, hostport, (size_t)(colon - hostport) + 1);
        port = colon + 1;
    }
    char *end;
    unsigned long pn = strtoul(port, &end, 10);
    if (!*port || *end || pn == 0 || pn > 65535) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--syslog-remote: '%s': bad port '%s'", remote,
                    port);
        return false;
    }
    struct addrinfo hints = { .ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    int rc = getaddrinfo(host, port, &hints, &s->addrs);
    if (rc != 0) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--syslog-remote: cannot resolve '%s': %s", host,
                    gai_strerror(rc));
        return false;
    }
    s->transport = udp ? SYSLOG_TO_UDP : SYSLOG_TO_TCP;
    return true;
}

struct sink *sink_syslog_open(const struct syslog_sink_options *opt, GError **err)
{
    struct syslog_sink *s = g_new0(struct syslog_sink, 1);
    s->fd = -1;
    if (opt->remote) {
        if (!parse_remote(s, opt->remote, err)) {
            g_free(s);
            return NULL;
        }
        g_strlcpy(s->target, opt->remote, sizeof s->target);
    } else {
        /* The local socket; LEAKAUDIT_SYSLOG_SOCKET points tests (or a chroot) elsewhere. */
        const char *path = g_getenv("LEAKAUDIT_SYSLOG_SOCKET");
        s->transport = SYSLOG_TO_LOCAL;
        g_strlcpy(s->unix_path, path && *path ? path : "/dev/log", sizeof s->unix_path);
        snprintf(s->target, sizeof s->target, "local %s", s->unix_path);
    }
    s->facility = opt->facility;
    /* HOSTNAME: printable US-ASCII without spaces (RFC 5424 6.2.4). */
    const char *hn = g_get_host_name();
    size_t j = 0;
    for (size_t i = 0; hn[i] && j + 1 < sizeof s->hostname; i++)
        if (hn[i] > 32 && hn[i] < 127)
            s->hostname[j++] = hn[i];
    if (!j)
        s->hostname[j++] = '-';
    s->hostname[j] = '\0';
    snprintf(s->procid, sizeof s->procid, "%ld", (long)getpid());
    rate_limit_init(&s->rate, opt->rate, opt->rate * 5);
    s->scratch = g_string_sized_new(256);
    s->cap = opt->queue ? opt->queue : SYSLOG_QUEUE_DEFAULT;
    s->slots = g_new(struct slot, s->cap);
    g_mutex_init(&s->lock);
    g_cond_init(&s->wake);
    g_strlcpy(s->acc.kind, "syslog", sizeof s->acc.kind);
    g_strlcpy(s->acc.target, s->target, sizeof s->acc.target);
    sink_account_register(&s->acc);
    s->thread = g_thread_new("leakaudit-syslog", sender_main, s);
    struct sink *sk = g_new0(struct sink, 1);
    sk->ops = &syslog_ops;
    sk->self = s;
    return sk;
}

void sink_syslog_stats(const struct sink *sk, struct syslog_sink_stats *out)
{
    struct syslog_sink *s = sk->self;
    g_mutex_lock(&s->lock);
    *out = s->stats;
    g_mutex_unlock(&s->lock);
}

const char *sink_syslog_target(const struct sink *sk)
{
    const struct syslog_sink *s = sk->self;
    return s->target;
}
