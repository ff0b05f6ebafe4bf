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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "iface.h"
#include "inventory.h"
#include "pcapng_writer.h"
#include "privdrop.h"
#include "progress.h"
#include "sink.h"
#include "sink_report.h"
#include "source.h"
#include "source_live.h"
#include <time.h>

#ifndef LEAKAUDIT_VERSION
#define LEAKAUDIT_VERSION "0.1.0"
#endif

enum { EXIT_CLEAN = 0, EXIT_LEAK = 1, EXIT_ERROR = 2 };

static volatile sig_atomic_t stop_requested;

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
    char *config_path;
    char *report_path;
    char *drop_user;
    gboolean numeric;
};

static void options_free(struct options *o)
{
    g_free(o->read_file);
    g_free(o->json_path);
    g_free(o->write_file);
    g_free(o->interface_name);
    g_free(o->color);
    g_free(o->filter);
    g_strfreev(o->vpn_ifs);
    g_strfreev(o->ifnames);
    g_strfreev(o->devices);
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
    audit_verdict_sentence(a, line);
    fprintf(stderr, "leakaudit: %s\n", line->str);
    g_string_free(line, TRUE);
}

static int run_file(struct audit *a, const struct options *o, GError **err)
{
    struct capture_source *src = source_open_file(o->read_file, err);
    if (!src)
        return -1;
    unsigned declared = 0;
    int rc = 0;
    struct frame f;
    if (o->drop_user && !privdrop_to_user(o->drop_user, err)) {
        source_close(src);
        return -1;
    }
    struct progress *prog = o->quiet ? NULL : progress_new(stderr, source_bytes_total(src));
    for (;;) {
        if (stop_requested)
            break;
        if (o->count > 0 && audit_counters(a)->frames >= (uint64_t)o->count)
            break;
        enum source_status st = source_next(src, &f, err);
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
        progress_tick(prog, source_bytes_read(src), audit_counters(a)->frames, audit_counters(a)->alerts);
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
    if (lc->any_handle < 0)
        return;
    if (change == INVENTORY_REMOVED)
        iface_table_link_removed(t, lc->any_handle, l->index);
    else
        iface_table_link_update(t, lc->any_handle, l->index, l->name, l->kind, l->type, (l->flags & 1u) != 0);
    if (lc->verbose)
        fprintf(stderr, "leakaudit: link %s: %s (index %d, kind %s)\n",
                change == INVENTORY_REMOVED ? "removed" : change == INVENTORY_ADDED ? "added" : "changed", l->name,
                l->index, l->kind[0] ? l->kind : "-");
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

static int run_live(struct audit *a, const struct options *o, GError **err)
{
    struct live_options lo = { .devices = o->devices, .buffer_mib = o->buffer_mib, .filter = o->filter,
                               .no_prefilter = o->no_prefilter, .immediate = true };
    struct live_capture *lc = live_open(&lo, err);
    if (!lc)
        return -1;
    struct live_context ctx = { .audit = a, .any_handle = -1, .verbose = o->verbose };
    for (int i = 0; o->devices[i]; i++)
        if (strcmp(o->devices[i], "any") == 0)
            ctx.any_handle = i;
    struct inventory *inv = NULL;
    if (ctx.any_handle >= 0) {
        GError *ierr = NULL;
        inv = inventory_open(on_link_change, &ctx, &ierr);
        if (!inv) {
            fprintf(stderr, "leakaudit: warning: no interface inventory (%s); interfaces show as ifN\n",
                    ierr->message);
            g_error_free(ierr);
        }
    }
    /* Everything that needs privilege is open now: the capture and rtnetlink. */
    if (o->drop_user && !privdrop_to_user(o->drop_user, err)) {
        inventory_close(inv);
        live_close(lc);
        return -1;
    }
    if (o->verbose)
        fprintf(stderr, "leakaudit: capture filter: %s\n", live_filter_text(lc));
    if (!o->quiet)
        fprintf(stderr, "leakaudit: listening on %s (Ctrl-C to stop)\n", o->devices[0]);
    uint64_t next_stats = o->stats_interval > 0 ? wall_clock_ns() + (uint64_t)o->stats_interval * 1000000000ull : 0;
    int rc = 0;
    while (!stop_requested) {
        if (o->count > 0 && audit_counters(a)->frames >= (uint64_t)o->count)
            break;
        bool inv_ready = false;
        int got = live_poll(lc, 250, inv ? inventory_fd(inv) : -1, &inv_ready, on_live_frame, a, err);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (inv_ready)
            inventory_process(inv);
        uint64_t now = wall_clock_ns();
        audit_tick(a, now);
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
    struct options o = { .max_flows = 262144 };
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
        { "max-flows", 0, 0, G_OPTION_ARG_INT, &o.max_flows, "Flow table cap (least recently used flows are evicted; default 262144)", "N" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "No summary on stderr", NULL },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "More detail on stderr", NULL },
        { "color", 0, 0, G_OPTION_ARG_STRING, &o.color, "Colour alerts: auto (default, terminals only; NO_COLOR respected), always, never", "WHEN" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &o.version, "Print versions of leakaudit and its libraries", NULL },
        { "numeric", 'n', 0, G_OPTION_ARG_NONE, &o.numeric, "Accepted for tcpdump habits: leakaudit never resolves names or ports", NULL },
        { "relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &o.drop_user, "After opening the capture, switch to USER (uid, gid and groups), as tcpdump -Z", "USER" },
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
    if (o.max_flows < 16) {
        fprintf(stderr, "leakaudit: --max-flows must be at least 16\n");
        return options_free(&o), EXIT_ERROR;
    }
    if (o.drop_user && !privdrop_check_user(o.drop_user, &err)) {
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

    struct audit *a = audit_new(&cfg, &err);
    if (!a) {
        fprintf(stderr, "leakaudit: %s\n", err->message);
        g_error_free(err);
        return options_free(&o), EXIT_ERROR;
    }
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
            fprintf(stderr, "leakaudit: %s\n", err->message);
            g_error_free(err);
            g_ptr_array_free(sinks, TRUE);
            audit_free(a);
            return options_free(&o), EXIT_ERROR;
        }
        g_ptr_array_add(sinks, js);
    }
    if (o.report_path) {
        struct report_sink_options ropt = { .input = o.devices ? o.devices[0] : o.read_file };
        struct sink *rs = sink_report_open(o.report_path, &ropt, &err);
        if (!rs) {
            fprintf(stderr, "leakaudit: %s\n", err->message);
            g_error_free(err);
            g_ptr_array_free(sinks, TRUE);
            audit_free(a);
            return options_free(&o), EXIT_ERROR;
        }
        g_ptr_array_add(sinks, rs);
    }
    for (guint i = 0; i < sinks->len; i++)
        audit_add_sink(a, g_ptr_array_index(sinks, i));
    struct pcapng_writer *evidence = NULL;
    if (o.write_file) {
        evidence = pcapng_writer_open(o.write_file, &err);
        if (!evidence) {
            fprintf(stderr, "leakaudit: %s\n", err->message);
            g_error_free(err);
            g_ptr_array_free(sinks, TRUE);
            audit_free(a);
            return options_free(&o), EXIT_ERROR;
        }
        audit_set_evidence(a, evidence, o.write_all);
    }

    struct sigaction sa = { 0 };
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = o.devices ? run_live(a, &o, &err) : run_file(a, &o, &err);
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
    if (stop_requested && !o.quiet)
        fprintf(stderr, "leakaudit: interrupted; results so far are above\n");
    if (rc < 0) {
        fprintf(stderr, "leakaudit: %s\n", err ? err->message : "read error");
        g_clear_error(&err);
        status = EXIT_ERROR;
    }
    g_ptr_array_free(sinks, TRUE);
    audit_free(a);
    options_free(&o);
    return status;
}
