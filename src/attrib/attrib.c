/* attrib.c — see attrib.h. The per-flow cache and the order of methods. */
#include "attrib.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ebpf.h"
#include "procinfo.h"
#include "procwatch.h"
#include "sockdiag.h"

enum {
    PID_CACHE_CAP = 1024,
    STUB_QUERIES = 64,         /* recent loopback DNS queries, to name who asked a resolver */
    STUB_WINDOW_NS = 5000000000ull,
    ENDPOINT_WINDOW_NS = 5000000000ull, /* a closed socket's port, still naming its last owner */
    PID_FRESH_NS = 1000000000, /* a pid's /proc answer is reused for a second */
    LOOKUPS_PER_SECOND = 200,  /* sock_diag + /proc scans: bounded, never stall capture */
};

struct attrib_flow {
    struct flow_tuple key;
    struct process_info pi;
    bool counted;             /* seen in the capture (counted by method) */
};

/* An app's query to a local resolver (seen on loopback). */
struct stub_query {
    uint64_t ts_ns;
    int32_t pid;
    char name[PROC_NAME_LEN];
    char qname[256];
};

/* The last process seen on a local UDP endpoint (addr:port): names the next
 * flow from the same unconnected socket after that socket has closed. */
struct endpoint_owner {
    struct flow_tuple local;  /* daddr/dport zero */
    struct process_info pi;
    uint64_t ts_ns;
};

struct pid_entry {
    struct process_info pi;
    uint64_t read_ns;
};

struct attrib {
    struct attrib_options opt;
    bool replay;              /* offline: names come from evidence comments only */
    struct ebpf_attrib *ebpf;
    struct sockdiag *sd;
    struct inode_owner_cache *inodes;
    struct procwatch *watch;  /* exec snapshots, for senders gone before /proc is read */
    uint64_t netns_cookie;
    GHashTable *flows;        /* struct flow_tuple* → struct attrib_flow* (owned) */
    GQueue flow_order;        /* oldest first, for the cap */
    GHashTable *pids;         /* pid → struct pid_entry* */
    uint64_t budget_second;
    uint32_t budget_used;
    struct attrib_stats st;
    struct enricher enricher;
    struct stub_query stubs[STUB_QUERIES];
    unsigned stub_next;
    GHashTable *endpoints;    /* struct flow_tuple* (local side only) → struct endpoint_owner* */
    struct process_info scratch; /* the enricher's per-event answer when it adds asked_by */
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static guint tuple_hash(gconstpointer p)
{
    const struct flow_tuple *t = p;
    guint h = (guint)t->family * 31u + t->proto;
    h = h * 16777619u ^ t->sport;
    h = h * 16777619u ^ t->dport;
    for (int i = 0; i < 16; i++)
        h = (h ^ t->saddr[i]) * 16777619u ^ t->daddr[i];
    return h;
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct flow_tuple)) == 0;
}

static void tuple_set(struct flow_tuple *t, uint8_t proto, const struct ip_addr *src, uint16_t sport,
                      const struct ip_addr *dst, uint16_t dport)
{
    memset(t, 0, sizeof *t);
    t->family = src->family;
    t->proto = proto;
    t->sport = sport;
    t->dport = dport;
    memcpy(t->saddr, src->bytes, src->family == 4 ? 4 : 16);
    memcpy(t->daddr, dst->bytes, dst->family == 4 ? 4 : 16);
}

static void info_clear(struct process_info *pi)
{
    memset(pi, 0, sizeof *pi);
    pi->uid = -1;
}

static void set_unavailable(struct process_info *pi, const char *reason)
{
    info_clear(pi);
    pi->method = "unavailable";
    pi->reason = reason;
}

/* /proc about pid, from the short-lived cache when it was read just now. */
static bool pid_details(struct attrib *at, int32_t pid, struct process_info *pi)
{
    uint64_t now = monotonic_ns();
    struct pid_entry *pe = g_hash_table_lookup(at->pids, GINT_TO_POINTER(pid));
    if (pe && now - pe->read_ns < PID_FRESH_NS) {
        const char *m = pi->method, *c = pi->confidence, *r = pi->reason;
        *pi = pe->pi;
        pi->method = m, pi->confidence = c, pi->reason = r;
        return true;
    }
    struct process_info fresh, snap;
    info_clear(&fresh);
    bool alive = procinfo_read(pid, &fresh);
    if ((!alive || fresh.exited || !fresh.exe[0]) && procwatch_lookup(at->watch, pid, &snap) &&
        (!alive || !fresh.name[0] || strcmp(fresh.name, snap.name) == 0) &&
        (!pi->name[0] || strcmp(pi->name, snap.name) == 0)) {
        /* Exited (or a zombie) before we could look: what it was at exec. */
        bool kthread = fresh.kernel_thread;
        fresh = snap;
        fresh.exited = true;
        fresh.kernel_thread = kthread;
        alive = true;
    }
    if (!alive)
        return false;
    if (g_hash_table_size(at->pids) >= PID_CACHE_CAP)
        g_hash_table_remove_all(at->pids);
    pe = g_new(struct pid_entry, 1);
    pe->pi = fresh;
    pe->read_ns = now;
    g_hash_table_replace(at->pids, GINT_TO_POINTER(pid), pe);
    const char *m = pi->method, *c = pi->confidence, *r = pi->reason;
    *pi = fresh;
    pi->method = m, pi->confidence = c, pi->reason = r;
    return true;
}


static struct attrib_flow *flow_insert(struct attrib *at, const struct flow_tuple *t)
{
    struct attrib_flow *old = g_hash_table_lookup(at->flows, t);
    if (old)
        return old;
    if (g_hash_table_size(at->flows) >= at->opt.max_flows) {
        struct attrib_flow *victim = g_queue_pop_head(&at->flow_order);
        g_hash_table_remove(at->flows, &victim->key);
        at->st.cache_evictions++;
    }
    struct attrib_flow *fl = g_new0(struct attrib_flow, 1);
    fl->key = *t;
    info_clear(&fl->pi);
    g_hash_table_insert(at->flows, &fl->key, fl);
    g_queue_push_tail(&at->flow_order, fl);
    return fl;
}

/* ---- method 1: send-time records ---- */

static void on_ebpf_flow(const struct attrib_flow_event *e, void *user)
{
    struct attrib *at = user;
    at->st.ebpf_records++;
    if (at->netns_cookie && e->netns_cookie != at->netns_cookie) {
        at->st.ebpf_other_netns++; /* another namespace: its tuples are not our capture's */
        return;
    }
    struct flow_tuple t = { .family = e->family, .proto = e->proto, .sport = e->sport, .dport = e->dport };
    memcpy(t.saddr, e->saddr, e->family == 4 ? 4 : 16);
    memcpy(t.daddr, e->daddr, e->family == 4 ? 4 : 16);
    if (g_hash_table_contains(at->flows, &t))
        return; /* first record of a flow wins: it names the first packet */
    int32_t pid = 0;
    uint32_t uid = 0;
    const char *comm = NULL;
    const char *confidence = "high";
    const char *how = NULL;
    bool syn_only = e->proto == 6 && (e->tcp_flags & 0x12) == 0x02;
    if (e->proto == 17 && e->has_sender && e->sender_tgid) {
        pid = (int32_t)e->sender_tgid, uid = e->sender_uid, comm = e->sender_comm;
        how = e->owner.tgid && e->owner.tgid != e->sender_tgid ? "sender at send time (socket created by another process)"
                                                              : "sender at send time";
    } else if (e->owner.tgid) {
        /* TCP: only the socket's owner, never current (SYN-ACKs and ACKs go out from softirq). */
        pid = (int32_t)e->owner.tgid, uid = e->owner.uid, comm = e->owner.comm;
        how = "socket owner at send time";
    } else if (syn_only && e->has_sender && e->sender_tgid) {
        pid = (int32_t)e->sender_tgid, uid = e->sender_uid, comm = e->sender_comm;
        confidence = "medium";
        how = "sender of the SYN (socket older than leakaudit)";
    }
    if (!pid)
        return; /* nothing to say: the first-sight lookup will try sock_diag */
    if (e->proto == 17 && !e->owner.tgid && at->sd) {
        /* No owner: a socket older than leakaudit, or a kernel socket (those
         * skip sock_create) whose packet may go out while any task is current. */
        struct sockdiag_entry de;
        enum sockdiag_match match;
        bool by_dump;
        if (sockdiag_find(at->sd, &t, 0, &de, &match, &by_dump) && de.inode == 0) {
            struct attrib_flow *kf = flow_insert(at, &t);
            set_unavailable(&kf->pi, "kernel-owned socket (no inode), e.g. a kernel VPN's own UDP");
            return;
        }
        confidence = "medium";
    }
    struct attrib_flow *fl = flow_insert(at, &t);
    fl->pi.method = "ebpf";
    fl->pi.confidence = confidence;
    fl->pi.reason = how;
    fl->pi.pid = pid;
    fl->pi.uid = uid;
    g_strlcpy(fl->pi.name, comm, sizeof fl->pi.name);
    if (pid_details(at, pid, &fl->pi)) {
        if (fl->pi.kernel_thread && !e->owner.tgid) {
            set_unavailable(&fl->pi, "kernel-owned socket (sent from a kernel thread)");
            return;
        }
        /* The kernel's comm at send time is the truth; /proc may have moved on
         * (exec, or the pid reused): then its executable is not the sender's. */
        if (strncmp(fl->pi.name, comm, PROC_NAME_LEN - 1) != 0) {
            fl->pi.exe[0] = fl->pi.cmdline[0] = fl->pi.unit[0] = fl->pi.container[0] = '\0';
            fl->pi.uid = uid;
            fl->pi.user[0] = '\0';
        }
        g_strlcpy(fl->pi.name, comm, sizeof fl->pi.name);
        fl->pi.role = procinfo_role(fl->pi.name, fl->pi.cmdline);
    } else {
        fl->pi.pid = pid; /* gone already: the kernel's record still names it */
        fl->pi.uid = uid;
        fl->pi.role = procinfo_role(fl->pi.name, NULL);
    }
}

/* ---- method 2: sock_diag, inode → pid ---- */

static bool within_budget(struct attrib *at)
{
    uint64_t sec = monotonic_ns() / 1000000000ull;
    if (sec != at->budget_second) {
        at->budget_second = sec;
        at->budget_used = 0;
    }
    return at->budget_used++ < LOOKUPS_PER_SECOND;
}

static void by_sock_diag(struct attrib *at, const struct flow_tuple *t, uint32_t ifindex, struct process_info *pi)
{
    if (!at->sd) {
        set_unavailable(pi, at->ebpf ? "no send-time record and no socket lookup" : "no attribution method available");
        return;
    }
    if (!within_budget(at)) {
        set_unavailable(pi, "lookup budget exceeded (too many new flows this second)");
        return;
    }
    struct sockdiag_entry e;
    enum sockdiag_match how;
    bool by_dump;
    if (!sockdiag_find(at->sd, t, ifindex, &e, &how, &by_dump)) {
        set_unavailable(pi, "socket already closed, or in another network namespace");
        return;
    }
    if (!e.inode) {
        set_unavailable(pi, "kernel-owned socket (no inode), e.g. a kernel VPN's own UDP");
        pi->uid = e.uid;
        return;
    }
    int32_t pid = inode_owner_find(at->inodes, e.inode);
    info_clear(pi);
    pi->method = "sock_diag";
    pi->uid = e.uid;
    if (!pid) {
        pi->confidence = "low";
        pi->reason = "socket found, but no process holds it any more";
        return;
    }
    pi->confidence = how == SOCKDIAG_MATCH_EXACT ? "high" : "medium";
    pi->reason = how == SOCKDIAG_MATCH_EXACT ? (by_dump ? "socket matched both ends (dump)" : "socket matched both ends")
                                             : "unconnected socket on the local port (wildcard peer)";
    if (!pid_details(at, pid, pi)) {
        info_clear(pi);
        pi->method = "sock_diag";
        pi->confidence = "low";
        pi->uid = e.uid;
        pi->pid = pid;
        pi->reason = "process exited before it could be read";
    }
}

static void count_method(struct attrib *at, struct attrib_flow *fl)
{
    if (fl->counted)
        return;
    fl->counted = true;
    at->st.flows++;
    if (!fl->pi.pid)
        at->st.unavailable++;
    else if (strcmp(fl->pi.method, "ebpf") == 0)
        at->st.by_ebpf++;
    else if (strcmp(fl->pi.method, "sock_diag") == 0)
        at->st.by_sock_diag++;
    else if (strcmp(fl->pi.method, "same-socket") == 0)
        at->st.by_same_socket++;
    else
        at->st.unavailable++;
}

static const struct process_info *resolve(struct attrib *at, const struct flow_tuple *t, uint32_t ifindex)
{
    struct attrib_flow *fl = g_hash_table_lookup(at->flows, t);
    if (!fl && at->ebpf) { /* its record precedes the packet: the kernel runs egress hooks before the tap */
        ebpf_attrib_drain(at->ebpf);
        fl = g_hash_table_lookup(at->flows, t);
    }
    struct flow_tuple local = *t;
    memset(local.daddr, 0, sizeof local.daddr);
    local.dport = 0;
    if (!fl) {
        struct process_info pi;
        by_sock_diag(at, t, ifindex, &pi);
        struct endpoint_owner *eo = g_hash_table_lookup(at->endpoints, &local);
        if (!pi.pid && t->proto == 17 && eo && monotonic_ns() - eo->ts_ns < ENDPOINT_WINDOW_NS) {
            /* The socket is gone, but its port named a process a moment ago:
             * an unconnected socket that sent twice (DNS, then STUN) and closed. */
            pi = eo->pi;
            pi.method = "same-socket";
            pi.confidence = "medium";
            pi.reason = "socket closed; its local port was attributed moments before";
        }
        fl = flow_insert(at, t);
        fl->pi = pi;
    }
    if (fl->pi.pid && t->proto == 17) {
        if (g_hash_table_size(at->endpoints) >= at->opt.max_flows)
            g_hash_table_remove_all(at->endpoints);
        struct endpoint_owner *eo = g_hash_table_lookup(at->endpoints, &local);
        if (!eo) {
            eo = g_new(struct endpoint_owner, 1);
            eo->local = local;
            g_hash_table_insert(at->endpoints, &eo->local, eo);
        }
        eo->pi = fl->pi;
        eo->ts_ns = monotonic_ns();
    }
    count_method(at, fl);
    return &fl->pi;
}

/* Offline: a packet leakaudit wrote as evidence says who sent it. */
static void replay_observe(struct attrib *at, const struct packet *p)
{
    if (!p->frame || !p->frame->comment)
        return;
    struct flow_tuple t;
    tuple_set(&t, p->l4_proto, &p->src, p->sport, &p->dst, p->dport);
    if (g_hash_table_contains(at->flows, &t))
        return;
    struct process_info pi;
    if (!process_info_parse_note(p->frame->comment, &pi))
        return;
    struct attrib_flow *fl = flow_insert(at, &t);
    fl->pi = pi;
    count_method(at, fl);
}

void attrib_observe(struct attrib *at, const struct packet *p, uint64_t ts_ns)
{
    (void)ts_ns;
    if (!at || (p->l4_proto != 17 && p->l4_proto != 6))
        return;
    if (at->replay) {
        replay_observe(at, p);
        return;
    }
    /* -i any shows loopback traffic once, as received: its sender is local all the same. */
    if (p->dir != DIR_OUT && !(p->dir == DIR_IN && addr_classify(&p->src) == ADDR_LOOPBACK))
        return;
    struct flow_tuple t;
    tuple_set(&t, p->l4_proto, &p->src, p->sport, &p->dst, p->dport);
    resolve(at, &t, p->ifindex > 0 ? (uint32_t)p->ifindex : 0);
}

const struct process_info *attrib_lookup(struct attrib *at, uint8_t proto, const struct ip_addr *src,
                                         uint16_t sport, const struct ip_addr *dst, uint16_t dport)
{
    struct flow_tuple t;
    tuple_set(&t, proto, src, sport, dst, dport);
    struct attrib_flow *fl = g_hash_table_lookup(at->flows, &t);
    if (!fl && at->ebpf) {
        ebpf_attrib_drain(at->ebpf);
        fl = g_hash_table_lookup(at->flows, &t);
    }
    return fl ? &fl->pi : NULL;
}

/* Honest DNS labels: a resolver's upstream query says which app asked it,
 * when that app's stub query went over loopback just before. */
static void note_dns_query(struct attrib *at, struct event *ev)
{
    const struct process_info *pi = ev->process;
    const char *qname = ev->dns->questions[0].name;
    if (addr_classify(&ev->dst) == ADDR_LOOPBACK) {
        if (!pi->pid)
            return;
        struct stub_query *q = &at->stubs[at->stub_next++ % STUB_QUERIES];
        q->ts_ns = ev->ts_ns;
        q->pid = pi->pid;
        g_strlcpy(q->name, pi->name, sizeof q->name);
        g_strlcpy(q->qname, qname, sizeof q->qname);
        return;
    }
    if (!pi->role || strcmp(pi->role, "DNS resolver") != 0)
        return;
    for (unsigned i = 0; i < STUB_QUERIES; i++) {
        const struct stub_query *q = &at->stubs[(at->stub_next - 1 - i) % STUB_QUERIES];
        if (!q->pid || q->pid == pi->pid || ev->ts_ns < q->ts_ns || ev->ts_ns - q->ts_ns > STUB_WINDOW_NS)
            continue;
        if (g_ascii_strcasecmp(q->qname, qname) != 0)
            continue;
        at->scratch = *pi; /* the flow's answer stays as it is; this event's copy names the asker */
        at->scratch.asked_by_pid = q->pid;
        g_strlcpy(at->scratch.asked_by_name, q->name, sizeof at->scratch.asked_by_name);
        ev->process = &at->scratch;
        return;
    }
}

static void attrib_enrich(void *self, struct event *ev)
{
    struct attrib *at = self;
    /* Replaying a file whose frames carried no process notes (nearly every
     * file): nothing to find, and nothing is looked up live. ev->process is
     * still NULL here (only this stage sets it). */
    if (at->replay && !at->ebpf && g_hash_table_size(at->flows) == 0)
        return;
    if (ev->src.family == 0 || (ev->dir != DIR_OUT && addr_classify(&ev->src) != ADDR_LOOPBACK))
        return;
    const struct process_info *pi = attrib_lookup(at, ev->transport, &ev->src, ev->sport, &ev->dst, ev->dport);
    if (!pi && ev->dir == DIR_OUT && ev->dir_inferred && !at->replay) { /* no capture direction (named devices): look now */
        struct flow_tuple t;
        tuple_set(&t, ev->transport, &ev->src, ev->sport, &ev->dst, ev->dport);
        pi = resolve(at, &t, 0);
    }
    ev->process = pi;
    if (pi && ev->kind == EVENT_DNS && ev->dns && !ev->dns->is_response && ev->dns->question_count)
        note_dns_query(at, ev);
}

static const struct enricher_ops attrib_enricher_ops = { .name = "process", .enrich = attrib_enrich, .close = NULL };

struct attrib *attrib_open(const struct attrib_options *o)
{
    struct attrib *at = g_new0(struct attrib, 1);
    at->opt = *o;
    if (!at->opt.max_flows)
        at->opt.max_flows = 8192;
    at->flows = g_hash_table_new_full(tuple_hash, tuple_equal, NULL, g_free);
    g_queue_init(&at->flow_order);
    at->pids = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    at->inodes = inode_owner_cache_new(16384);
    at->endpoints = g_hash_table_new_full(tuple_hash, tuple_equal, NULL, g_free);
    at->netns_cookie = ebpf_netns_cookie();
    char why[300];
    if (!o->no_ebpf) {
        at->ebpf = ebpf_attrib_open(on_ebpf_flow, at, why, sizeof why);
        if (!at->ebpf)
            fprintf(stderr, "leakaudit: attribution: no send-time capture (%s); using socket lookups\n", why);
    }
    if (!o->no_sock_diag) {
        at->sd = sockdiag_open(why, sizeof why);
        if (!at->sd)
            fprintf(stderr, "leakaudit: attribution: no socket lookups (%s)\n", why);
    }
    if (!o->no_sock_diag || !o->no_ebpf) {
        at->watch = procwatch_open(why, sizeof why);
        if (!at->watch && !o->quiet)
            fprintf(stderr, "leakaudit: attribution: no exec records (%s)\n", why);
    }
    at->enricher.ops = &attrib_enricher_ops;
    at->enricher.self = at;
    return at;
}

struct attrib *attrib_open_replay(void)
{
    struct attrib_options o = { .no_ebpf = true, .no_sock_diag = true, .quiet = true };
    struct attrib *at = attrib_open(&o);
    at->replay = true;
    return at;
}

/* A name as one token: the note is read back by splitting on spaces and '('. */
static void note_token(GString *out, const char *s)
{
    for (; *s; s++)
        g_string_append_c(out, (*s == ' ' || *s == '(' || *s == ')' || *s == ';' || (unsigned char)*s < 0x20) ? '_' : *s);
}

const char *attrib_evidence_note(struct attrib *at, const struct event *ev, char *buf, size_t len)
{
    if (!at || ev->src.family == 0)
        return NULL;
    const struct process_info *pi = attrib_lookup(at, ev->transport, &ev->src, ev->sport, &ev->dst, ev->dport);
    if (!pi)
        return NULL;
    GString *g = g_string_new(NULL);
    if (pi->pid) {
        g_string_append(g, "proc=");
        note_token(g, pi->name[0] ? pi->name : "?");
        g_string_append_printf(g, "(%d)", (int)pi->pid);
        if (pi->user[0]) {
            g_string_append(g, " user=");
            note_token(g, pi->user);
        } else if (pi->uid >= 0) {
            g_string_append_printf(g, " uid=%" G_GINT64_FORMAT, pi->uid);
        }
        g_string_append_printf(g, " attribution=%s/%s", pi->method, pi->confidence ? pi->confidence : "low");
    } else {
        g_string_append(g, "attribution=unavailable");
    }
    g_strlcpy(buf, g->str, len);
    g_string_free(g, TRUE);
    return buf;
}

bool process_info_parse_note(const char *comment, struct process_info *pi)
{
    info_clear(pi);
    const char *p = strstr(comment, "proc=");
    if (!p || (p != comment && p[-1] != ' '))
        return false;
    p += 5;
    const char *open = strchr(p, '(');
    const char *stop = strpbrk(p, " ;");
    if (!open || (stop && stop < open) || open == p || (size_t)(open - p) >= sizeof pi->name)
        return false;
    char *end;
    long pid = strtol(open + 1, &end, 10);
    if (end == open + 1 || *end != ')' || pid <= 0 || pid > INT32_MAX)
        return false;
    memcpy(pi->name, p, (size_t)(open - p));
    pi->name[open - p] = '\0';
    pi->pid = (int32_t)pid;
    const char *section_end = strchr(end, ';'); /* the next event's verdict, if any */
    size_t rest = section_end ? (size_t)(section_end - end) : strlen(end);
    char tail[256];
    g_strlcpy(tail, end + 1, MIN(sizeof tail, rest));
    char **tok = g_strsplit(tail, " ", -1);
    for (char **t = tok; *t; t++) {
        if (g_str_has_prefix(*t, "user="))
            g_strlcpy(pi->user, *t + 5, sizeof pi->user);
        else if (g_str_has_prefix(*t, "uid="))
            pi->uid = g_ascii_strtoll(*t + 4, NULL, 10);
        else if (g_str_has_prefix(*t, "attribution=")) {
            const char *slash = strchr(*t, '/');
            static const char *const levels[] = { "high", "medium", "low" };
            for (unsigned i = 0; slash && i < G_N_ELEMENTS(levels); i++)
                if (strcmp(slash + 1, levels[i]) == 0)
                    pi->confidence = levels[i];
        }
    }
    g_strfreev(tok);
    pi->method = "recorded";
    pi->reason = "recorded at capture time in leakaudit's evidence";
    pi->role = procinfo_role(pi->name, NULL);
    return true;
}

void attrib_close(struct attrib *at)
{
    if (!at)
        return;
    ebpf_attrib_close(at->ebpf);
    sockdiag_close(at->sd);
    procwatch_close(at->watch);
    inode_owner_cache_free(at->inodes);
    g_queue_clear(&at->flow_order);
    g_hash_table_destroy(at->flows);
    g_hash_table_destroy(at->pids);
    g_hash_table_destroy(at->endpoints);
    g_free(at);
}

int attrib_fd(const struct attrib *at)
{
    return at ? ebpf_attrib_fd(at->ebpf) : -1;
}

void attrib_process(struct attrib *at)
{
    if (at && at->ebpf)
        ebpf_attrib_drain(at->ebpf);
}

const struct enricher *attrib_enricher(struct attrib *at)
{
    return &at->enricher;
}

void attrib_get_stats(const struct attrib *at, struct attrib_stats *out)
{
    *out = at->st;
    out->ebpf_lost = ebpf_attrib_lost(at->ebpf);
    out->sock_diag_queries = sockdiag_queries(at->sd);
    out->proc_scans = inode_owner_scans(at->inodes);
    out->proc_scans_cut = inode_owner_scans_cut(at->inodes);
    out->exec_snapshots = procwatch_execs(at->watch);
    out->ebpf_active = at->ebpf != NULL;
    out->sock_diag_active = at->sd != NULL;
}

void attrib_stats_line(const struct attrib *at, char *buf, size_t len)
{
    struct attrib_stats s;
    attrib_get_stats(at, &s);
    snprintf(buf, len,
             "attribution: %" G_GUINT64_FORMAT " new flows named by send-time eBPF, %" G_GUINT64_FORMAT
             " by sock_diag, %" G_GUINT64_FORMAT " by a just-closed socket's port, %" G_GUINT64_FORMAT " unavailable; %" G_GUINT64_FORMAT " eBPF records (%" G_GUINT64_FORMAT
             " other namespaces, %" G_GUINT64_FORMAT " lost), %" G_GUINT64_FORMAT " sock_diag queries, %" G_GUINT64_FORMAT
             " /proc scans (%" G_GUINT64_FORMAT " cut short), %" G_GUINT64_FORMAT " exec snapshots, %" G_GUINT64_FORMAT " evicted",
             s.by_ebpf, s.by_sock_diag, s.by_same_socket, s.unavailable, s.ebpf_records, s.ebpf_other_netns, s.ebpf_lost,
             s.sock_diag_queries, s.proc_scans, s.proc_scans_cut, s.exec_snapshots, s.cache_evictions);
}

const char *process_info_format(const struct process_info *pi, char *buf, size_t len)
{
    if (!pi->pid) {
        snprintf(buf, len, "proc=? (%s)", pi->reason ? pi->reason : "unavailable");
        return buf;
    }
    int n = snprintf(buf, len, "proc=%s(%d)", pi->name[0] ? pi->name : "?", (int)pi->pid);
    if (n > 0 && (size_t)n < len && pi->user[0])
        n += snprintf(buf + n, len - (size_t)n, " user=%s", pi->user);
    else if (n > 0 && (size_t)n < len && pi->uid >= 0)
        n += snprintf(buf + n, len - (size_t)n, " uid=%" G_GINT64_FORMAT, pi->uid);
    if (n > 0 && (size_t)n < len && pi->role)
        n += snprintf(buf + n, len - (size_t)n, " (%s)", pi->role);
    if (n > 0 && (size_t)n < len && pi->asked_by_pid)
        snprintf(buf + n, len - (size_t)n, " asked-by=%s(%d)", pi->asked_by_name, (int)pi->asked_by_pid);
    return buf;
}
