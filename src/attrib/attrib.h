/* attrib.h — process attribution for live capture: which program sent a flow.
 *
 * Owns: struct process_info; the per-flow attribution cache (bounded, one
 * lookup per new outgoing flow); the methods, tried in order:
 *   1. "ebpf"      send-time cgroup-bpf hooks (ebpf.c): the kernel names the
 *                  sender of each new flow's first packet, before it is seen;
 *   2. "sock_diag" NETLINK_SOCK_DIAG exact lookup, then a strict dump match
 *                  (sockdiag.c), inode → pid through /proc/PID/fd (procinfo.c);
 *   3. "same-socket": a UDP socket that closed right after sending, named
 *                  by the process its local port had moments before;
 *   4. "unavailable" with the reason (socket already closed, kernel-owned,
 *                  other namespace).
 * and the enricher that points ev->process at the cached answer.
 * Knows nothing of verdicts or output formats; live only (offline captures
 * carry no process).
 */
#ifndef LEAKAUDIT_ATTRIB_H
#define LEAKAUDIT_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "decode.h"
#include "enrich.h"

enum {
    PROC_NAME_LEN = 16,       /* the kernel's comm: 15 characters */
    PROC_EXE_LEN = 160,
    PROC_CMDLINE_LEN = 200,   /* bounded: arguments past this are cut ("…") */
    PROC_USER_LEN = 33,
    PROC_UNIT_LEN = 96,
    PROC_CONTAINER_LEN = 72,
};

struct process_info {
    int32_t pid;                    /* tgid; 0 when attribution is unavailable */
    char name[PROC_NAME_LEN];       /* comm of the process (group leader) */
    char exe[PROC_EXE_LEN];         /* /proc/PID/exe, "" when unreadable or gone */
    char cmdline[PROC_CMDLINE_LEN]; /* arguments joined by spaces, bounded */
    int64_t uid;                    /* −1 when unknown */
    char user[PROC_USER_LEN];       /* user name of uid, "" when unknown */
    char unit[PROC_UNIT_LEN];       /* systemd unit (foo.service, session-2.scope) or "" */
    char container[PROC_CONTAINER_LEN]; /* container id from the cgroup path or "" */
    const char *role;               /* "DNS resolver", "browser network service", or NULL */
    bool kernel_thread;             /* a kworker or similar sent it (PF_KTHREAD) */
    bool exited;                    /* gone or a zombie when read: exe/cmdline may be empty */
    int32_t asked_by_pid;           /* a resolver's query: the app whose loopback stub query it forwards */
    char asked_by_name[PROC_NAME_LEN];
    const char *method;             /* "ebpf", "sock_diag", "same-socket", "unavailable" */
    const char *confidence;         /* "high", "medium", "low"; NULL when unavailable */
    const char *reason;             /* unavailable: why; else how it was found (static text) */
};

struct attrib_options {
    bool no_ebpf;        /* skip method 1 (tests, old kernels) */
    bool no_sock_diag;   /* skip method 2 */
    bool quiet;          /* no line about minor losses (exec records outside the initial netns) */
    uint32_t max_flows;  /* per-flow cache cap (default 8192) */
};

struct attrib_stats {
    uint64_t flows;            /* new outgoing flows looked up */
    uint64_t by_ebpf, by_sock_diag, by_same_socket, unavailable;
    uint64_t ebpf_records, ebpf_other_netns, ebpf_lost;
    uint64_t sock_diag_queries, proc_scans, proc_scans_cut, exec_snapshots;
    uint64_t cache_evictions;
    bool ebpf_active, sock_diag_active;
};

struct attrib;

/* Never fails: a method that cannot start is left out with one line on
 * stderr ("leakaudit: attribution: ..."), unless quiet. */
struct attrib *attrib_open(const struct attrib_options *o);
void attrib_close(struct attrib *at);
/* A descriptor that becomes readable when send-time records wait (−1: none);
 * the live loop polls it and then calls attrib_process(). */
int attrib_fd(const struct attrib *at);
/* Drains pending send-time records (non-blocking). */
void attrib_process(struct attrib *at);
/* First sight: called for every decoded live packet; attributes each new
 * outgoing flow once (later packets of the flow are a cache hit). */
void attrib_observe(struct attrib *at, const struct packet *p, uint64_t ts_ns);
/* The process behind the flow whose packet went src:sport → dst:dport (the
 * local side first), or NULL when the flow was never observed. */
const struct process_info *attrib_lookup(struct attrib *at, uint8_t proto, const struct ip_addr *src,
                                         uint16_t sport, const struct ip_addr *dst, uint16_t dport);
/* The enricher that fills ev->process for outgoing live events. */
const struct enricher *attrib_enricher(struct attrib *at);
void attrib_get_stats(const struct attrib *at, struct attrib_stats *out);
/* One line: per-method counts ("attribution: 5 flows: 5 ebpf, 0 sock_diag, 0 unavailable"). */
void attrib_stats_line(const struct attrib *at, char *buf, size_t len);

/* Offline: names processes from what leakaudit's own evidence pcapng recorded
 * live (the packet comments), method "recorded"; no lookups at all. */
struct attrib *attrib_open_replay(void);
/* The process note for an alert's evidence frame ("proc=dig(123) user=root
 * attribution=ebpf/high"), or NULL when the flow has none. */
const char *attrib_evidence_note(struct attrib *at, const struct event *ev, char *buf, size_t len);
/* Reads a note back from a packet comment; false when the comment has none. */
bool process_info_parse_note(const char *comment, struct process_info *pi);

/* "chromium(2127) user=alice" into buf, for the text alert. */
const char *process_info_format(const struct process_info *pi, char *buf, size_t len);

#endif
