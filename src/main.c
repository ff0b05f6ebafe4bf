/* main.c — options, wiring the stages, signals and exit status.
 *
 * Exit status: 0 no leak, 1 at least one leak alert, 2 error (bad option,
 * unreadable input, failing output). Alerts already decided are flushed
 * before any error exit, and on SIGINT/SIGTERM.
 */
#include <glib.h>
#include <ndpi_api.h>
#include <maxminddb.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "audit.h"
#include "dpi.h"
#include "geo_enrich.h"
#include "config.h"
#include "iface.h"
#include "inventory.h"
#include "memcap.h"
#include "pcapng_writer.h"
#include "privdrop.h"
#include "process_view.h"
#include "progress.h"
#include "sandbox.h"
#include "sink.h"
#include "sink_out.h"
#include "sink_report.h"
#include "sink_syslog.h"
#include "source.h"
#include "source_live.h"
#include <time.h>

#ifndef LEAKAUDIT_VERSION
#define LEAKAUDIT_VERSION "0.1.0"
#endif

enum { EXIT_CLEAN = 0, EXIT_LEAK = 1, EXIT_ERROR = 2 };

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t summary_requested; /* SIGUSR1: print the summary so far */

/* The syslog sinks, for their delivery counts in the summary and VPN state
 * messages from the live inventory (not owned; set once in main). */
static GPtrArray *syslog_sinks;

static void on_summary_signal(int sig)
{
    (void)sig;
    summary_requested = 1;
}

static volatile sig_atomic_t reopen_requested;

static void on_hup_signal(int sig)
{
    (void)sig;
    reopen_requested = 1;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

struct options {
    char *read_file;
    char **devices;
    gint buffer_mib;
    char *filter;
    gboolean no_prefilter;
    gint stats_interval;
    gboolean events;
    char *json_path;
    char *write_file;
    gboolean write_all;
    char **vpn_ifs;
    char **ifnames;
    char *interface_name;
    gboolean require_vpn;
    gint64 count;
    gboolean quiet;
    gboolean verbose;
    char *color;
    gboolean version;
    gint max_flows;
    gboolean no_dpi;
    char **geoip_paths;
    gboolean no_geoip;
    char *config_path;
    char *report_path;
    char *drop_user;
    const char *become_user; /* decided from -Z and who runs us; NULL: stay */
    gboolean no_sandbox;
    gboolean numeric;
    gint max_memory_mib;
    gint dedup_window;
    gboolean syslog_local;
    char *syslog_remote;
    char *syslog_facility;
    gint syslog_rate;
    gint syslog_queue;
    gboolean no_attrib;
    gboolean no_ebpf;
};

static void options_free(struct options *o)
{
    g_free(o->read_file);
    g_free(o->json_path);
    g_free(o->write_file);
    g_free(o->interface_name);
    g_free(o->color);
    g_free(o->filter);
    g_free(o->syslog_remote);
    g_free(o->syslog_facility);
    g_strfreev(o->vpn_ifs);
    g_strfreev(o->ifnames);
    g_strfreev(o->devices);
    g_strfreev(o->geoip_paths);
    g_free(o->config_path);
    g_free(o->report_path);
    g_free(o->drop_user);
    memset(o, 0, sizeof *o);
}

static void print_version(void)
{
    printf("leakaudit %s\n", LEAKAUDIT_VERSION);
    printf("  %s\n", pcap_lib_version());
    printf("  nDPI %s\n", ndpi_revision());
    printf("  GLib %u.%u.%u\n", glib_major_version, glib_minor_version, glib_micro_version);
    printf("  libmaxminddb %s\n", MMDB_lib_version());
}

static bool want_color(const char *mode, FILE *out)
{
    if (!mode || strcmp(mode, "auto") == 0)
        return isatty(fileno(out)) && !g_getenv("NO_COLOR");
    return strcmp(mode, "always") == 0;
}

static void print_dpi_summary(const struct audit *a)
{
    struct dpi_stats d;
    if (!audit_dpi_stats(a, &d))
        return;
    fprintf(stderr,
            "leakaudit: nDPI: %" G_GUINT64_FORMAT " packets inspected, %" G_GUINT64_FORMAT " flows: %" G_GUINT64_FORMAT
            " detected, %" G_GUINT64_FORMAT " guessed, %" G_GUINT64_FORMAT " unknown (%" G_GUINT64_FORMAT
            " over budget, %" G_GUINT64_FORMAT " of them still unknown at the early limit; %" G_GUINT64_FORMAT
            " TLS 1.3 done at the ServerHello; %" G_GUINT64_FORMAT " given up while quiet, %" G_GUINT64_FORMAT
            " of them resumed); at most %u at once\n",
            d.packets, d.flows_started, d.flows_detected, d.flows_guessed, d.flows_unknown, d.flows_budget,
            d.flows_unknown_early, d.flows_tls13, d.flows_quiet, d.flows_resumed, d.peak_active);
}

static void print_summary(struct audit *a, const char *input)
{
    const struct audit_counters *c = audit_counters(a);
    uint64_t malformed_msgs = 0;
    for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
        malformed_msgs += c->malformed[k];
    fprintf(stderr,
            "leakaudit: %s: %" G_GUINT64_FORMAT " packets; events: %" G_GUINT64_FORMAT " stun, %" G_GUINT64_FORMAT
            " dtls, %" G_GUINT64_FORMAT " dns, %" G_GUINT64_FORMAT " encrypted-dns\n",
            input, c->frames, c->events[EVENT_STUN], c->events[EVENT_DTLS], c->events[EVENT_DNS],
            c->events[EVENT_ENCRYPTED_DNS]);
    fprintf(stderr,
            "leakaudit: malformed: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " stun, %" G_GUINT64_FORMAT
            " dtls, %" G_GUINT64_FORMAT " dns, %" G_GUINT64_FORMAT " capture blocks; %" G_GUINT64_FORMAT
            " non-first fragments, %" G_GUINT64_FORMAT " unsupported link\n",
            c->decode[DECODE_MALFORMED], c->malformed[EVENT_STUN], c->malformed[EVENT_DTLS], c->malformed[EVENT_DNS],
            c->source_malformed, c->decode[DECODE_FRAGMENT], c->decode[DECODE_UNSUPPORTED_LINK]);
    (void)malformed_msgs;
    if (c->flows_evicted_cap || c->tcp_streams_refused || c->pending_released_early || c->hosts_not_learned ||
        c->ifaces_over_cap)
        fprintf(stderr,
                "leakaudit: caps reached: %" G_GUINT64_FORMAT " flows evicted (peak %u), %" G_GUINT64_FORMAT
                " tcp streams without buffer, %" G_GUINT64_FORMAT " stun alerts sent before their reply, %" G_GUINT64_FORMAT
                " hosts not learned, %" G_GUINT64_FORMAT " packets on an overfull interface table\n",
                c->flows_evicted_cap, c->flows_peak, c->tcp_streams_refused, c->pending_released_early,
                c->hosts_not_learned, c->ifaces_over_cap);
    const struct iface_table *t = audit_ifaces(a);
    GString *line = g_string_new("leakaudit: interfaces:");
    for (unsigned i = 0; i < iface_table_count(t); i++) {
        const struct iface *ifc = iface_table_get(t, i);
        g_string_append_printf(line, "%s %s (%s", i ? "," : "", ifc->name, iface_role_name(ifc->role));
        if (ifc->role_source != ROLE_BY_DEFAULT)
            g_string_append_printf(line, " by %s", iface_role_source_name(ifc->role_source));
        if (ifc->vpn_transport_packets)
            g_string_append_printf(line, ", carries %s", ifc->vpn_transport_proto);
        g_string_append_printf(line, ", %" G_GUINT64_FORMAT " pkts)", ifc->packets);
    }
    if (!iface_table_count(t))
        g_string_append(line, " none");
    fprintf(stderr, "%s\n", line->str);
    g_string_truncate(line, 0);
    dedup_summary_text(audit_counters(a)->dedup, "leakaudit: ", line);
    fputs(line->str, stderr);
    g_string_truncate(line, 0);
    for (guint i = 0; syslog_sinks && i < syslog_sinks->len; i++) {
        struct syslog_sink_stats st;
        sink_syslog_stats(g_ptr_array_index(syslog_sinks, i), &st);
        fprintf(stderr,
                "leakaudit: syslog %s: %" G_GUINT64_FORMAT " delivered, %" G_GUINT64_FORMAT " dropped, %" G_GUINT64_FORMAT
                " rate-limited, %" G_GUINT64_FORMAT " reconnects\n",
                sink_syslog_target(g_ptr_array_index(syslog_sinks, i)), st.delivered, st.dropped, st.rate_limited,
                st.reconnects);
    }
    sink_accounts_text(line, false); /* outputs that lost alerts */
    fputs(line->str, stderr);
    g_string_truncate(line, 0);
    audit_verdict_sentence(a, line);
    fprintf(stderr, "leakaudit: %s\n", line->str);
    g_string_free(line, TRUE);
}

/* Once everything that needs privilege is open: become the unprivileged
 * user keeping only KEEP, then the sandbox. The -Z root choice skips the
 * first. */
static bool lock_down(const struct options *o, privdrop_caps keep, GError **err)
{
    const char *narrow = g_getenv("LEAKAUDIT_TEST_KEEP_CAPS"); /* hidden test hook: which capability is needed */
    if (narrow)
        keep &= g_ascii_strtoull(narrow, NULL, 16);
    bool stay_root = o->drop_user && strcmp(o->drop_user, "root") == 0;
    if (!stay_root && !privdrop_apply(o->become_user, keep, err))
        return false;
    const char *no_filter = NULL;
    if (!o->no_sandbox && !sandbox_enter(&no_filter, err))
        return false;
    if (no_filter && !o->quiet)
        fprintf(stderr, "leakaudit: warning: sandbox: %s\n", no_filter);
    if (o->verbose) {
        char caps[256];
        fprintf(stderr, "leakaudit: running as uid %u, capabilities %s; %s\n", (unsigned)geteuid(),
                privdrop_caps_format(privdrop_effective(), caps, sizeof caps),
                o->no_sandbox ? "no sandbox (--no-sandbox)" : sandbox_description());
    }
    if (g_getenv("LEAKAUDIT_SANDBOX_PROBE"))
        sandbox_probe(stderr);
    return true;
}

/* What attribution still does after the drop: read other users'
 * /proc/PID/fd (a directory only its owner may search: CAP_DAC_READ_SEARCH)
 * and readlink its entries, exe and the rest (ptrace access mode:
 * CAP_SYS_PTRACE); the eBPF loss counter is a bpf() map read (CAP_BPF while
 * unprivileged bpf is disabled). Sockets, maps and rings are already open. */
/* A start-up step failed after the auditor's parts began to exist: one error
 * line, then everything made so far is freed (each argument may be NULL), so
 * no exit path forgets a part. */
static int setup_failed(GError *err, GPtrArray *sinks, struct audit *a, struct enricher *geo, struct options *o)
{
    fprintf(stderr, "leakaudit: %s\n", err->message);
    g_error_free(err);
    if (syslog_sinks)
        g_ptr_array_free(syslog_sinks, TRUE);
    syslog_sinks = NULL;
    if (sinks)
        g_ptr_array_free(sinks, TRUE);
    audit_free(a);
    geo_enricher_free(geo);
    options_free(o);
    return EXIT_ERROR;
}

static privdrop_caps attrib_caps_after_drop(struct attrib *attr)
{
    if (!attr)
        return 0;
    struct attrib_stats st;
    attrib_get_stats(attr, &st);
    privdrop_caps keep = 0;
    if (st.sock_diag_active || st.ebpf_active)
        keep |= PRIVDROP_CAP(CAP_SYS_PTRACE) | PRIVDROP_CAP(CAP_DAC_READ_SEARCH);
#ifdef CAP_BPF
    if (st.ebpf_active)
        keep |= PRIVDROP_CAP(CAP_BPF);
#endif
    return keep;
}

/* SIGHUP: reopen the --json file (logrotate moved it); on failure the old stays. */
static void reopen_if_asked(struct audit *a)
{
    if (!reopen_requested)
        return;
    reopen_requested = 0;
    GError *rerr = NULL;
    if (!audit_reopen_sinks(a, &rerr)) {
        fprintf(stderr, "leakaudit: warning: %s\n", rerr->message);
        g_error_free(rerr);
    }
}

static int run_file(struct audit *a, const struct options *o, GError **err)
{
    struct capture_source *src = source_open_file(o->read_file, err);
    if (!src)
        return -1;
    unsigned declared = 0;
    int rc = 0;
    struct frame f;
    if (!lock_down(o, 0, err)) {
        source_close(src);
        return -1;
    }
    struct progress *prog = o->quiet ? NULL : progress_new(stderr, source_bytes_total(src));
    /* A pipe (tcpdump -w - | leakaudit -r -) is watched as it comes: its alerts
     * go out at once, as live; a file's in the sinks' big buffered writes. */
    bool stream = source_bytes_total(src) == 0;
    const struct audit_counters *counters = audit_counters(a); /* lives as long as a */
    for (;;) {
        if (stop_requested)
            break;
        if (o->count > 0 && counters->frames >= (uint64_t)o->count)
            break;
        enum source_status st = source_next(src, &f, err);
        if (summary_requested) { /* SIGUSR1 while reading: the totals before this frame */
            summary_requested = 0;
            print_summary(a, strcmp(o->read_file, "-") == 0 ? "stdin" : o->read_file);
        }
        if (st == SOURCE_EOF)
            break;
        if (st == SOURCE_ERROR) {
            rc = -1;
            break;
        }
        unsigned n = source_iface_count(src);
        for (; declared < n; declared++) {
            const struct source_iface *si = source_iface_get(src, (int)declared);
            if (si)
                audit_declare_iface(a, si->id, si->name, si->linktype);
        }
        audit_frame(a, &f, f.iface_name);
        if (stream) {
            reopen_if_asked(a); /* a pipe can run for days, as live */
            audit_tick(a, 0);   /* flushes; 0: capture time decides what expires, not the clock */
        }
        if (prog)
            progress_tick(prog, source_bytes_read(src), counters->frames, counters->alerts);
    }
    progress_end(prog, source_bytes_read(src), audit_counters(a)->frames, audit_counters(a)->alerts);
    progress_free(prog);
    audit_counters(a)->source_malformed = source_malformed_blocks(src);
    source_close(src);
    return rc;
}

static uint64_t wall_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_live_frame(const struct frame *f, const char *device, void *user)
{
    (void)device;
    audit_frame(user, f, f->iface_name);
}

struct live_context {
    struct audit *audit;
    int any_handle;   /* handle index of the "any" device, or -1 */
    bool verbose;
};

static void on_link_change(const struct inventory_link *l, enum inventory_change change, void *user)
{
    struct live_context *lc = user;
    struct iface_table *t = audit_iface_table(lc->audit);
    if (change == INVENTORY_REMOVED)
        iface_table_route_removed(t, l->index);
    else
        iface_table_route_update(t, l->index, l->name, l->kind, l->type, (l->flags & 1u) != 0, l->default_route,
                                 l->route);
    if (lc->any_handle < 0 || change == INVENTORY_ROUTE)
        return;
    if (change == INVENTORY_REMOVED)
        iface_table_link_removed(t, lc->any_handle, l->index);
    else
        iface_table_link_update(t, lc->any_handle, l->index, l->name, l->kind, l->type, (l->flags & 1u) != 0);
    for (unsigned i = 0; syslog_sinks && i < iface_table_count(t); i++) {
        const struct iface *ifc = iface_table_get(t, i);
        if (ifc->role != IFACE_ROLE_VPN || strcmp(ifc->name, l->name) != 0)
            continue;
        const char *state = change == INVENTORY_REMOVED ? "removed" : (l->flags & 1u) ? "up" : "down";
        for (guint j = 0; j < syslog_sinks->len; j++)
            sink_syslog_vpn_state(g_ptr_array_index(syslog_sinks, j), l->name, state);
        break;
    }
    if (lc->verbose)
        fprintf(stderr, "leakaudit: link %s: %s (index %d, kind %s)\n",
                change == INVENTORY_REMOVED ? "removed" : change == INVENTORY_ADDED ? "added" : "changed", l->name,
                l->index, l->kind[0] ? l->kind : "-");
}

/* The host's own addresses: packets without a direction (named devices) are
 * placed by them, not only by who asks. */
static void on_host_addr(int index, int family, const uint8_t *bytes, bool added, void *user)
{
    (void)index;
    struct live_context *lc = user;
    struct ip_addr ip;
    if (family == AF_INET)
        addr_from_v4(&ip, bytes);
    else
        addr_from_v6(&ip, bytes);
    if (added)
        iface_table_learn_host(audit_iface_table(lc->audit), &ip);
    else
        iface_table_forget_host(audit_iface_table(lc->audit), &ip);
}

/* VPN up/down as the host's routing shows it, told to the sinks as it happens. */
static void report_vpn_state(struct audit *a)
{
    bool up;
    const char *what, *why;
    if (iface_table_vpn_state_changed(audit_iface_table(a), &up, &what, &why))
        audit_vpn_state(a, &(struct vpn_state_change){ .ts_ns = wall_clock_ns(), .up = up, .vpn = what, .why = why });
}

static void print_live_stats(struct live_capture *lc)
{
    struct live_stats st;
    live_get_stats(lc, &st);
    fprintf(stderr,
            "leakaudit: kernel: %" G_GUINT64_FORMAT " packets received by the filter, %" G_GUINT64_FORMAT
            " dropped (buffer full), %" G_GUINT64_FORMAT " dropped by interfaces\n",
            st.received, st.dropped, st.if_dropped);
}

/* What dedup, syslog and the summary read of an attributed process. */
static bool attrib_process_view(const struct process_info *pi, struct process_view *out)
{
    if (!pi || pi->pid <= 0)
        return false;
    out->pid = (uint32_t)pi->pid;
    g_strlcpy(out->name, pi->name, sizeof out->name);
    return true;
}

static void on_attrib_packet(void *user, const struct packet *p, uint64_t ts_ns)
{
    attrib_observe(user, p, ts_ns);
}

/* Reading a file, processes come only from the comments of leakaudit's own
 * evidence packets: a frame without a comment has nothing to tell, and most
 * have none (no call for them). */
static void on_attrib_replay_packet(void *user, const struct packet *p, uint64_t ts_ns)
{
    if (p->frame->comment)
        attrib_observe(user, p, ts_ns);
}

static void on_attrib_note(void *user, const struct event *ev, GString *comment)
{
    char note[256];
    if (attrib_evidence_note(user, ev, note, sizeof note))
        g_string_append_printf(comment, " %s", note);
}

/* Runs an open capture (main opens it, see there) until stopped; closes it. */
static int run_live(struct audit *a, const struct options *o, struct live_capture *lc, struct attrib *attr,
                    GError **err)
{
    struct live_context ctx = { .audit = a, .any_handle = -1, .verbose = o->verbose };
    for (int i = 0; o->devices[i]; i++)
        if (strcmp(o->devices[i], "any") == 0)
            ctx.any_handle = i;
    /* Always: routes say whether the VPN is up, even for named devices. */
    GError *ierr = NULL;
    struct inventory *inv = inventory_open(on_link_change, &ctx, &ierr);
    if (!inv) {
        fprintf(stderr, "leakaudit: warning: no interface inventory (%s)%s\n", ierr->message,
                ctx.any_handle >= 0 ? "; interfaces show as ifN" : "");
        g_error_free(ierr);
    } else {
        inventory_watch_addresses(inv, on_host_addr, &ctx);
    }
    report_vpn_state(a);
    int rc = 0;
    if (!lock_down(o, attrib_caps_after_drop(attr), err))
        rc = -1;
    if (o->verbose)
        fprintf(stderr, "leakaudit: capture filter: %s\n", live_filter_text(lc));
    if (!o->quiet && rc == 0)
        fprintf(stderr, "leakaudit: listening on %s (Ctrl-C to stop)\n", o->devices[0]);
    uint64_t next_stats = o->stats_interval > 0 ? wall_clock_ns() + (uint64_t)o->stats_interval * 1000000000ull : 0;
    while (rc == 0 && !stop_requested) {
        if (o->count > 0 && audit_counters(a)->frames >= (uint64_t)o->count)
            break;
        bool inv_ready = false;
        int got = live_poll(lc, 250, inv ? inventory_fd(inv) : -1, &inv_ready, on_live_frame, a, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (inv_ready) {
            inventory_process(inv);
            report_vpn_state(a);
        }
        reopen_if_asked(a);
        attrib_process(attr); /* send-time records of flows not seen yet (cheap when none) */
        uint64_t now = wall_clock_ns();
        audit_tick(a, now);
        if (summary_requested) {
            summary_requested = 0;
            print_summary(a, o->devices[0]);
        }
        if (next_stats && now >= next_stats) {
            print_live_stats(lc);
            next_stats = now + (uint64_t)o->stats_interval * 1000000000ull;
        }
    }
    if (!o->quiet)
        print_live_stats(lc);
    inventory_close(inv);
    live_close(lc);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = { .max_flows = 262144, .dedup_window = 60, .syslog_rate = 100, .syslog_queue = SYSLOG_QUEUE_DEFAULT };
    GOptionEntry entries[] = {
        { "capture", 'i', 0, G_OPTION_ARG_STRING_ARRAY, &o.devices, "Capture live on NAME (repeatable; 'any' = every interface, with interface index and direction)", "NAME" },
        { "buffer-size", 'B', 0, G_OPTION_ARG_INT, &o.buffer_mib, "Kernel capture buffer per interface, MiB (default 32)", "MIB" },
        { "filter", 'f', 0, G_OPTION_ARG_STRING, &o.filter, "Extra BPF filter expression, ANDed with the built-in prefilter", "EXPR" },
        { "no-prefilter", 0, 0, G_OPTION_ARG_NONE, &o.no_prefilter, "Do not install the built-in kernel prefilter (STUN/DTLS/DNS/VPN transports only)", NULL },
        { "stats", 0, 0, G_OPTION_ARG_INT, &o.stats_interval, "Live: report kernel drop counters every N seconds", "N" },
        { "read", 'r', 0, G_OPTION_ARG_FILENAME, &o.read_file, "Read packets from FILE (pcap or pcapng; - for stdin)", "FILE" },
        { "events", 0, 0, G_OPTION_ARG_NONE, &o.events, "Show every decoded STUN/DTLS/DNS event with its verdict, not only alerts", NULL },
        { "json", 0, 0, G_OPTION_ARG_FILENAME, &o.json_path, "Write JSON lines to FILE (- for stdout)", "FILE" },
        { "write", 'w', 0, G_OPTION_ARG_FILENAME, &o.write_file, "Write the packets behind each alert (with their verdicts as comments) to FILE as pcapng", "FILE" },
        { "write-all", 0, 0, G_OPTION_ARG_NONE, &o.write_all, "With -w, write every audited packet, not only evidence", NULL },
        { "vpn-if", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.vpn_ifs, "The VPN interface (repeatable; globs like 'wg*'); turns auto-detection off", "NAME" },
        { "ifname", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.ifnames, "Name an SLL2 interface index (repeatable), e.g. 3=wg0", "N=NAME" },
        { "interface", 0, 0, G_OPTION_ARG_STRING, &o.interface_name, "Name the interface of a one-interface capture", "NAME" },
        { "require-vpn", 0, 0, G_OPTION_ARG_NONE, &o.require_vpn, "With no VPN up, any STUN/DNS exit is a leak", NULL },
        { "count", 'c', 0, G_OPTION_ARG_INT64, &o.count, "Stop after COUNT packets", "COUNT" },
        { "no-attrib", 0, 0, G_OPTION_ARG_NONE, &o.no_attrib, "Live: do not name the process behind each flow", NULL },
        { "no-ebpf", 0, 0, G_OPTION_ARG_NONE, &o.no_ebpf, "Live: name processes by socket lookups only (no send-time eBPF)", NULL },
        { "max-flows", 0, 0, G_OPTION_ARG_INT, &o.max_flows, "Flow table cap (least recently used flows are evicted; default 262144)", "N" },
        { "no-dpi", 0, 0, G_OPTION_ARG_NONE, &o.no_dpi, "No nDPI flow classification (no app labels; encrypted DNS by port 853 only)", NULL },
        { "geoip", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.geoip_paths, "GeoIP/ASN database (.mmdb) or a directory of them (repeatable; default: search /usr/share/GeoIP, /var/lib/GeoIP, /usr/local/share/GeoIP, ~/.local/share/GeoIP)", "PATH" },
        { "no-geoip", 0, 0, G_OPTION_ARG_NONE, &o.no_geoip, "No GeoIP/ASN annotation (and no warning when no database is found)", NULL },
        { "max-memory", 0, 0, G_OPTION_ARG_INT, &o.max_memory_mib, "Memory budget: sets the flow, TCP reassembly and STUN wait caps so the auditor stays under MIB MiB resident", "MIB" },
        { "dedup-window", 0, 0, G_OPTION_ARG_INT, &o.dedup_window, "Fold repeats of the same leak within SEC seconds into one alert (default 60; 0 = off)", "SEC" },
        { "syslog", 0, 0, G_OPTION_ARG_NONE, &o.syslog_local, "Send alerts to the local syslog (warning: leaks, notice: exposures, info: VPN state)", NULL },
        { "syslog-remote", 0, 0, G_OPTION_ARG_STRING, &o.syslog_remote, "Send alerts as RFC 5424 to a collector: udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH", "URL" },
        { "syslog-facility", 0, 0, G_OPTION_ARG_STRING, &o.syslog_facility, "Syslog facility (default daemon; user, local0 … local7, …)", "NAME" },
        { "syslog-rate", 0, 0, G_OPTION_ARG_INT, &o.syslog_rate, "At most N syslog messages per second, bursts of 5 s worth (default 100; 0 = no limit)", "N" },
        { "syslog-queue", 0, 0, G_OPTION_ARG_INT, &o.syslog_queue, "Syslog messages held while the collector is away (default 1024); beyond it they are dropped and counted", "N" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No summary on stderr", NULL },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "More detail on stderr", NULL },
        { "color", 0, 0, G_OPTION_ARG_STRING, &o.color, "Colour alerts: auto (default, terminals only; NO_COLOR respected), always, never", "WHEN" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &o.version, "Print versions of leakaudit and its libraries", NULL },
        { "numeric", 'n', 0, G_OPTION_ARG_NONE, &o.numeric, "Accepted for tcpdump habits: leakaudit never resolves names or ports", NULL },
        { "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &o.drop_user, "After opening the capture, switch to USER (uid, gid and groups), as tcpdump -Z; as root the default is 'leakaudit', else 'nobody'; 'root' stays root", "USER" },
        { "no-sandbox", 0, 0, G_OPTION_ARG_NONE, &o.no_sandbox, "No no_new_privs and no seccomp filter after start-up", NULL },
        { "report", 0, 0, G_OPTION_ARG_FILENAME, &o.report_path, "Write a self-contained HTML report of the run to FILE", "FILE" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &o.config_path, "Read options from FILE instead of " LEAKAUDIT_CONFIG_DEFAULT " ('none': no file); the command line wins", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- audit captures for WebRTC (STUN) and DNS leaks outside a VPN");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "Examples:\n"
             "  sudo leakaudit -i any                          watch every interface live\n"
             "  sudo leakaudit -i any -w leaks.pcapng          and keep the evidence\n"
             "  leakaudit -r capture.pcapng                    alerts only; exit 0 clean, 1 leak, 2 error\n"
             "  leakaudit -r capture.pcap --vpn-if wg0 --json alerts.jsonl\n"
             "  leakaudit -r any.pcap --ifname 2=eth0 --ifname 3=wg0\n"
             "  leakaudit -r capture.pcapng --events --json -  every decoded event as JSON lines\n"
             "  leakaudit -r capture.pcapng --report run.html  a one-page HTML report\n"
             "  sudo leakaudit -i any -Z nobody                drop root once the capture is open\n"
             "\n"
             "Options can also be set in " LEAKAUDIT_CONFIG_DEFAULT " (or --config FILE), group [leakaudit],\n"
             "one key per long option: capture=any, vpn-if=wg0;tun*, quiet=true. See leakaudit(8).\n");
    GError *err = NULL;
    const char *config_arg = config_path_from_argv(argc, argv);
    struct config_state *conf = config_apply(entries, config_arg ? config_arg : config_default_path(),
                                             config_arg == NULL, &err);
    if (!conf) {
        fprintf(stderr, "leakaudit: %s\n", err->message);
        g_error_free(err);
        g_option_context_free(ctx);
        return options_free(&o), EXIT_ERROR;
    }
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "leakaudit: %s (see --help)\n", err->message);
        g_error_free(err);
        g_option_context_free(ctx);
        config_done(conf);
        return options_free(&o), EXIT_ERROR;
    }
    /* A source from the file yields to the other source on the command line. */
    if (o.read_file && o.devices && !config_unset_if_from_file(conf, &o.devices))
        config_unset_if_from_file(conf, &o.read_file);
    config_done(conf);
    g_option_context_free(ctx);
    if (o.version) {
        print_version();
        return options_free(&o), EXIT_CLEAN;
    }
    if (argc > 1) {
        fprintf(stderr, "leakaudit: unexpected argument '%s' (see --help)\n", argv[1]);
        return options_free(&o), EXIT_ERROR;
    }
    if (!o.read_file && !o.devices) {
        fprintf(stderr, "leakaudit: nothing to read: give -r FILE or -i INTERFACE (see --help)\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.read_file && o.devices) {
        fprintf(stderr, "leakaudit: -r and -i exclude each other\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.color && strcmp(o.color, "auto") && strcmp(o.color, "always") && strcmp(o.color, "never")) {
        fprintf(stderr, "leakaudit: --color must be auto, always or never\n");
        return options_free(&o), EXIT_ERROR;
    }
    int syslog_facility = 3; /* daemon */
    if (o.syslog_facility && !syslog_facility_parse(o.syslog_facility, &syslog_facility)) {
        fprintf(stderr, "leakaudit: --syslog-facility: unknown facility '%s' (daemon, user, local0 … local7, …)\n",
                o.syslog_facility);
        return options_free(&o), EXIT_ERROR;
    }
    if (o.syslog_queue < 1 || o.syslog_queue > 1000000) {
        fprintf(stderr, "leakaudit: --syslog-queue must be 1 to 1000000 messages\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.syslog_rate < 0) {
        fprintf(stderr, "leakaudit: --syslog-rate must be 0 or more messages per second\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.dedup_window < 0) {
        fprintf(stderr, "leakaudit: --dedup-window must be 0 or more seconds\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.max_flows < 16) {
        fprintf(stderr, "leakaudit: --max-flows must be at least 16\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.drop_user && !privdrop_check_user(o.drop_user, &err)) {
        fprintf(stderr, "leakaudit: %s\n", err->message);
        g_error_free(err);
        return options_free(&o), EXIT_ERROR;
    }
    if (o.drop_user)
        o.become_user = strcmp(o.drop_user, "root") == 0 ? NULL : o.drop_user;
    else if (geteuid() == 0 && !(o.become_user = privdrop_default_user()) && !o.quiet)
        fprintf(stderr, "leakaudit: warning: no user 'leakaudit' or 'nobody' to drop root to; staying root\n");

    if (o.no_geoip && o.geoip_paths) {
        fprintf(stderr, "leakaudit: --geoip and --no-geoip exclude each other\n");
        return options_free(&o), EXIT_ERROR;
    }
    struct enricher *geo = NULL;
    if (!o.no_geoip && !(geo = geo_enricher_from_options((const char *const *)o.geoip_paths, o.quiet, o.verbose, &err))) {
        fprintf(stderr, "leakaudit: %s\n", err->message);
        g_error_free(err);
        return options_free(&o), EXIT_ERROR;
    }

    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.verdict.require_vpn = o.require_vpn;
    cfg.ifaces.vpn_globs = o.vpn_ifs;
    cfg.ifaces.ifname_map = o.ifnames;
    cfg.ifaces.single_name = o.interface_name;
    cfg.ifaces.require_vpn = o.require_vpn;
    cfg.max_flows = (uint32_t)o.max_flows;
    cfg.no_dpi = o.no_dpi;
    if (o.max_memory_mib && !memcap_apply(&cfg, (uint64_t)o.max_memory_mib, &err)) {
        return setup_failed(err, NULL, NULL, geo, &o);
    }
    if (o.verbose) {
        GString *caps = g_string_new(NULL);
        memcap_describe(&cfg, caps);
        fprintf(stderr, "leakaudit: memory caps: %s\n", caps->str);
        g_string_free(caps, TRUE);
    }
    cfg.dedup.window_ns = (uint64_t)o.dedup_window * 1000000000ull;

    struct audit *a = audit_new(&cfg, &err);
    if (!a) {
        return setup_failed(err, NULL, NULL, geo, &o);
    }
    if (geo)
        audit_add_enricher(a, geo);
    GPtrArray *sinks = g_ptr_array_new_with_free_func((GDestroyNotify)sink_free);
    bool json_on_stdout = o.json_path && strcmp(o.json_path, "-") == 0;
    if (!json_on_stdout) {
        struct text_sink_options topt = { .events = o.events, .color = want_color(o.color, stdout), .quiet = o.quiet };
        g_ptr_array_add(sinks, sink_text_new(stdout, &topt));
    }
    if (o.json_path) {
        struct json_sink_options jopt = { .events = o.events };
        struct sink *js = sink_json_open(o.json_path, &jopt, &err);
        if (!js) {
            return setup_failed(err, sinks, a, geo, &o);
        }
        g_ptr_array_add(sinks, js);
    }
    if (o.report_path) {
        struct report_sink_options ropt = { .input = o.devices ? o.devices[0] : o.read_file };
        struct sink *rs = sink_report_open(o.report_path, &ropt, &err);
        if (!rs) {
            return setup_failed(err, sinks, a, geo, &o);
        }
        g_ptr_array_add(sinks, rs);
    }
    syslog_sinks = g_ptr_array_new();
    for (int remote = 0; remote < 2; remote++) {
        if (remote ? !o.syslog_remote : !o.syslog_local)
            continue;
        struct syslog_sink_options sopt = { .remote = remote ? o.syslog_remote : NULL, .facility = syslog_facility,
                                            .rate = o.syslog_rate, .queue = (unsigned)o.syslog_queue };
        struct sink *ss = sink_syslog_open(&sopt, &err);
        if (!ss) {
            return setup_failed(err, sinks, a, geo, &o);
        }
        g_ptr_array_add(sinks, ss);
        g_ptr_array_add(syslog_sinks, ss);
    }
    /* syslog first: its finish drains the queue, so the JSON summary after it has its final counts */
    for (guint i = 0; i < syslog_sinks->len; i++)
        audit_add_sink(a, g_ptr_array_index(syslog_sinks, i));
    for (guint i = 0; i < sinks->len; i++)
        if (!g_ptr_array_find(syslog_sinks, g_ptr_array_index(sinks, i), NULL))
            audit_add_sink(a, g_ptr_array_index(sinks, i));
    struct pcapng_writer *evidence = NULL;
    if (o.write_file) {
        evidence = pcapng_writer_open(o.write_file, &err);
        if (!evidence) {
            return setup_failed(err, sinks, a, geo, &o);
        }
        audit_set_evidence(a, evidence, o.write_all);
    }

    struct sigaction sa = { 0 };
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction su = { 0 };
    su.sa_handler = on_summary_signal;
    su.sa_flags = SA_RESTART; /* a summary request must not break a read from stdin */
    sigemptyset(&su.sa_mask);
    sigaction(SIGUSR1, &su, NULL);
    struct sigaction hup = { 0 };
    hup.sa_handler = on_hup_signal;
    sigemptyset(&hup.sa_mask);
    sigaction(SIGHUP, &hup, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Live: the capture is opened first, so that a capture we may not open
     * (no CAP_NET_RAW, no such device) is the one error line, with no
     * attribution fallback note before it; attribution follows at once, so
     * the send-time hooks see sockets created from then on (packets of the
     * few created in between are named by socket lookups). */
    struct live_capture *lc = NULL;
    if (o.devices) {
        struct live_options lo = { .devices = o.devices, .buffer_mib = o.buffer_mib, .filter = o.filter,
                                   .no_prefilter = o.no_prefilter, .immediate = true };
        lc = live_open(&lo, &err);
    }
    /* A file has no processes, except what leakaudit's own evidence pcapng
     * recorded live in its packet comments. */
    struct attrib *attr = NULL;
    if (!o.no_attrib && (!o.devices || lc)) {
        struct attrib_options ao = { .no_ebpf = o.no_ebpf, .quiet = o.quiet };
        attr = o.devices ? attrib_open(&ao) : attrib_open_replay();
        audit_add_enricher(a, attrib_enricher(attr));
        audit_set_packet_observer(a, o.devices ? on_attrib_packet : on_attrib_replay_packet, on_attrib_note, attr);
        process_view_register(attrib_process_view);
    }
    int rc = o.devices ? (lc ? run_live(a, &o, lc, attr, &err) : -1) : run_file(a, &o, &err);
    /* Whatever happened, alerts already decided go out before we say anything else. */
    audit_finish(a);
    int status = audit_counters(a)->alerts ? EXIT_LEAK : EXIT_CLEAN;
    for (guint i = 0; i < sinks->len; i++) {
        struct sink *s = g_ptr_array_index(sinks, i);
        GError *ferr = NULL;
        if (s->ops->flush && !s->ops->flush(s->self, &ferr)) {
            fprintf(stderr, "leakaudit: %s\n", ferr->message);
            g_error_free(ferr);
            status = EXIT_ERROR;
        }
    }
    for (guint i = 0; i < syslog_sinks->len; i++) { /* messages it could not deliver: an error too */
        struct syslog_sink_stats st;
        sink_syslog_stats(g_ptr_array_index(syslog_sinks, i), &st);
        if (st.dropped) {
            fprintf(stderr, "leakaudit: syslog %s: %" G_GUINT64_FORMAT " messages not delivered\n",
                    sink_syslog_target(g_ptr_array_index(syslog_sinks, i)), st.dropped);
            status = EXIT_ERROR;
        }
    }
    if (evidence) {
        GError *werr = NULL;
        if (!audit_evidence_ok(a, &werr) || !pcapng_writer_close(evidence, &werr)) {
            fprintf(stderr, "leakaudit: %s\n", werr->message);
            g_error_free(werr);
            status = EXIT_ERROR;
        }
    }
    if (!o.quiet && !(rc < 0 && audit_counters(a)->frames == 0))
        print_summary(a, o.devices ? o.devices[0] : strcmp(o.read_file, "-") == 0 ? "stdin" : o.read_file);
    if (o.verbose && !o.quiet)
        print_dpi_summary(a);
    if (geo && o.verbose)
        geo_enricher_report(geo, stderr);
    if (attr && o.devices && !o.quiet) {
        char line[512];
        attrib_stats_line(attr, line, sizeof line);
        fprintf(stderr, "leakaudit: %s\n", line);
    }
    if (stop_requested && !o.quiet)
        fprintf(stderr, "leakaudit: interrupted; results so far are above\n");
    if (rc < 0) {
        fprintf(stderr, "leakaudit: %s\n", err ? err->message : "read error");
        g_clear_error(&err);
        status = EXIT_ERROR;
    }
    g_ptr_array_free(syslog_sinks, TRUE);
    syslog_sinks = NULL;
    g_ptr_array_free(sinks, TRUE);
    audit_free(a);
    geo_enricher_free(geo);
    attrib_close(attr);
    options_free(&o);
    return status;
}
