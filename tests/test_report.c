/* test_report.c — the HTML report sink inside the real pipeline, with the
 * enrichment hooks geo/ and src/attrib/ plug in: a test enricher marks the
 * STUN server's address with a geo record and the report's formatters name
 * processes by source port; the page must carry them in the right rows.
 * Expected rows come from a second sink that sees the same events. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "sink_report.h"
#include "source.h"
#include "testutil.h"

static int geo_marker;   /* stands for a struct geo_info the geo stage would own */
static struct ip_addr stun_server;

static void mark_enrich(void *self, struct event *ev)
{
    (void)self;
    if (addr_equal(&ev->dst, &stun_server))
        ev->dst_geo = (const struct geo_info *)(const void *)&geo_marker;
}
static const struct enricher_ops mark_ops = { .name = "test-geo", .enrich = mark_enrich };

static bool describe_geo(const struct geo_info *g, GString *out)
{
    if ((const void *)g != &geo_marker)
        return false;
    g_string_append(out, "Testland, Example <ISP> & Co");
    return true;
}

/* "app-PORT" for outgoing events from ports 40000-40999; others unattributed. */
static bool describe_process(const struct event *ev, GString *out)
{
    if (ev->dir == DIR_IN || ev->sport < 40000 || ev->sport > 40999)
        return false;
    g_string_append_printf(out, "app-%u", ev->sport);
    return true;
}

struct expect {
    GHashTable *processes;   /* label → 1 */
    unsigned alerts, stun_server_events;
};

static void expect_emit(void *self, const struct event *ev)
{
    struct expect *e = self;
    if (ev->verdict == VERDICT_NONE)
        return;
    GString *s = g_string_new(NULL);
    if (!describe_process(ev, s))
        g_string_assign(s, "(not attributed)");
    g_hash_table_add(e->processes, g_string_free(s, FALSE));
    if (event_is_alert(ev))
        e->alerts++;
    if (addr_equal(&ev->dst, &stun_server))
        e->stun_server_events++;
}
static const struct sink_ops expect_ops = { .name = "expect", .emit = expect_emit };

static char *run_report(const char *capture, struct expect *e)
{
    char *path = NULL;
    GError *err = NULL;
    int fd = g_file_open_tmp("leakaudit-report-XXXXXX.html", &path, &err);
    g_assert_no_error(err);
    close(fd);
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    struct audit *a = audit_new(&cfg, &err);
    g_assert_no_error(err);
    struct report_sink_options ro = { .input = capture, .describe_geo = describe_geo,
                                      .describe_process = describe_process };
    struct sink *report = sink_report_open(path, &ro, &err);
    g_assert_no_error(err);
    struct sink expect = { &expect_ops, e };
    struct enricher mark = { &mark_ops, NULL };
    audit_add_enricher(a, &mark);
    audit_add_sink(a, report);
    audit_add_sink(a, &expect);
    struct capture_source *src = source_open_file(capture, &err);
    g_assert_no_error(err);
    struct frame f;
    unsigned declared = 0;
    while (source_next(src, &f, &err) == SOURCE_FRAME) {
        for (; declared < source_iface_count(src); declared++) {
            const struct source_iface *si = source_iface_get(src, (int)declared);
            audit_declare_iface(a, si->id, si->name, si->linktype);
        }
        audit_frame(a, &f, f.iface_name);
    }
    g_assert_no_error(err);
    source_close(src);
    audit_finish(a);
    g_assert_true(report->ops->flush(report->self, &err));
    g_assert_no_error(err);
    sink_free(report);
    audit_free(a);
    char *html = NULL;
    g_assert_true(g_file_get_contents(path, &html, NULL, &err));
    g_unlink(path);
    g_free(path);
    return html;
}

/* The text of the element whose opening tag starts at id="ID", to its end tag. */
static char *section(const char *html, const char *id, const char *end_tag)
{
    char *needle = g_strdup_printf("id=\"%s\"", id);
    const char *start = strstr(html, needle);
    g_free(needle);
    g_assert_nonnull(start);
    const char *end = strstr(start, end_tag);
    g_assert_nonnull(end);
    return g_strndup(start, (gsize)(end - start));
}

static unsigned count_of(const char *s, const char *what)
{
    unsigned n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_report_enrichment_columns(void)
{
    g_assert_true(addr_parse(&stun_server, "203.0.113.10"));
    char *capture = test_repo_path("samples/webrtc-leak.pcapng");
    struct expect e = { .processes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
    char *html = run_report(capture, &e);
    g_assert_cmpuint(e.alerts, ==, 3); /* 2 STUN, 1 DTLS (its retried ClientHello folded) */
    g_assert_cmpuint(e.stun_server_events, >=, 1);

    /* Per process: one row per label the events carry, each one listed. */
    char *procs = section(html, "processes", "</table>");
    char *rows = g_strdup_printf("data-rows=\"%u\"", g_hash_table_size(e.processes));
    g_assert_nonnull(strstr(procs, rows));
    GHashTableIter it;
    gpointer label;
    g_hash_table_iter_init(&it, e.processes);
    while (g_hash_table_iter_next(&it, &label, NULL)) {
        char *cell = g_strdup_printf("<code>%s</code>", (const char *)label);
        if (!strstr(procs, cell))
            g_error("process row %s missing", cell);
        g_free(cell);
    }
    g_assert_nonnull(strstr(procs, "app-40002"));   /* the STUN leak's sender */

    /* Per destination: the STUN server's row carries the geo text, escaped. */
    char *dests = section(html, "destinations", "</table>");
    const char *row = strstr(dests, "<code>203.0.113.10</code>");
    g_assert_nonnull(row);
    const char *row_end = strstr(row, "</tr>");
    char *one = g_strndup(row, (gsize)(row_end - row));
    g_assert_nonnull(strstr(one, "Testland, Example &lt;ISP&gt; &amp; Co"));
    g_assert_null(strstr(dests, "Example <ISP>"));
    g_assert_cmpuint(count_of(dests, "Testland"), ==, 1);   /* only that address has geo */

    /* Alerts: the STUN alert to that server shows geo and process. */
    char *alerts = section(html, "alerts", "</table>");
    g_assert_cmpuint(count_of(alerts, "<tr class=\"leak\">"), ==, 3);
    g_assert_cmpuint(count_of(alerts, "Testland"), ==, 1);
    g_assert_nonnull(strstr(alerts, "app-40002"));

    g_free(alerts);
    g_free(one);
    g_free(dests);
    g_free(rows);
    g_free(procs);
    g_free(html);
    g_hash_table_destroy(e.processes);
    g_free(capture);
}

static void test_report_unwritable(void)
{
    GError *err = NULL;
    struct sink *s = sink_report_open("/nonexistent-dir/r.html", NULL, &err);
    g_assert_null(s);
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_true(strstr(err->message, "/nonexistent-dir/r.html") != NULL);
    g_error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/report/enrichment-columns", test_report_enrichment_columns);
    g_test_add_func("/report/unwritable", test_report_unwritable);
    return g_test_run();
}
