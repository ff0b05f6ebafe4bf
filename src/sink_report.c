/* sink_report.c — the HTML report (see sink_report.h).
 *
 * While the run goes: one 16-byte point per judged event (capped), a copy of
 * each alert's text (capped), and aggregate rows keyed by process, by remote
 * address, by exposed address and by leaked DNS name (capped; the overflow
 * folds into one "other" row). At the end: the page, in one write.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "iface.h"
#include "sink_report.h"
#include "timefmt.h"

enum {
    REPORT_MAX_POINTS = 2000000,  /* timeline points kept (32 MB at most) */
    REPORT_MAX_ALERT_ROWS = 2000, /* alerts listed one by one */
    REPORT_MAX_TABLE_ROWS = 1000, /* distinct keys per table before "other" */
    REPORT_TIMELINE_BINS = 400,
};

enum point_class { POINT_OTHER = 0, POINT_LEAK, POINT_EXPOSURE };

struct point {
    uint64_t ts_ns;
    uint16_t lane;
    uint8_t cls;
    uint8_t kind;
};

struct alert_row {
    uint64_t ts_ns, frame;
    enum event_kind kind;
    enum verdict verdict;
    enum severity severity;
    char *iface, *src, *dst, *what, *exposed, *reason, *vpn, *process, *geo;
};

/* One row of a table: counts for one key. */
struct agg_row {
    char *key;
    char *note;      /* geo/ISP, resolver, interface: the first one seen */
    char *where;     /* interface(s), first seen */
    uint64_t events, alerts;
    uint64_t by_kind[EVENT_KIND_COUNT];
    uint64_t first_ns, last_ns;
};

struct agg_table {
    GHashTable *by_key;  /* key → struct agg_row* (owned) */
    struct agg_row other;
    bool has_other;
};

struct lane {
    const struct iface *iface;
    char name[IFACE_NAME_MAX];
    uint64_t events, alerts;
};

struct report_sink {
    FILE *out;
    char *path;
    struct report_sink_options opt;
    char *input;
    GArray *points;        /* struct point */
    uint64_t points_dropped;
    GPtrArray *alerts;     /* struct alert_row* */
    uint64_t alerts_unlisted;
    GArray *lanes;         /* struct lane */
    struct agg_table processes, remotes, exposed, names;
    uint64_t events_seen, alerts_seen;
    uint64_t first_ns, last_ns;
    bool written, write_failed;
    int write_errno;
    GString *scratch;
};

/* ---- escaping ---------------------------------------------------------- */

void html_escape_append(GString *out, const char *s)
{
    if (!s)
        return;
    gchar *valid = g_utf8_make_valid(s, -1);
    for (const unsigned char *p = (const unsigned char *)valid; *p; p++) {
        switch (*p) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                g_string_append_c(out, '?');
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_free(valid);
}

/* ---- gathering --------------------------------------------------------- */

static void agg_row_free(gpointer p)
{
    struct agg_row *r = p;
    g_free(r->key);
    g_free(r->note);
    g_free(r->where);
    g_free(r);
}

static void agg_init(struct agg_table *t)
{
    t->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, agg_row_free);
    memset(&t->other, 0, sizeof t->other);
    t->has_other = false;
}

static void agg_free(struct agg_table *t)
{
    g_hash_table_destroy(t->by_key);
    g_free(t->other.note);
    g_free(t->other.where);
}

static struct agg_row *agg_row_for(struct agg_table *t, const char *key)
{
    struct agg_row *r = g_hash_table_lookup(t->by_key, key);
    if (r)
        return r;
    if (g_hash_table_size(t->by_key) >= REPORT_MAX_TABLE_ROWS) {
        t->has_other = true;
        return &t->other;
    }
    r = g_new0(struct agg_row, 1);
    r->key = g_strdup(key);
    g_hash_table_insert(t->by_key, r->key, r);
    return r;
}

/* The interfaces a row was seen on, "eth0, wg0" (a few; then "…"). */
static void note_interface(struct agg_row *r, const char *name)
{
    if (!r->where) {
        r->where = g_strdup(name);
        return;
    }
    if (strcmp(r->where, name) == 0 || g_str_has_suffix(r->where, "…"))
        return; /* the usual case, without splitting */
    gchar **have = g_strsplit(r->where, ", ", -1);
    bool known = g_strv_contains((const gchar *const *)have, name) || g_strv_contains((const gchar *const *)have, "…");
    guint n = g_strv_length(have);
    g_strfreev(have);
    if (known)
        return;
    char *grown = n >= 4 ? g_strconcat(r->where, ", …", NULL) : g_strconcat(r->where, ", ", name, NULL);
    g_free(r->where);
    r->where = grown;
}

static void agg_count(struct agg_table *t, const char *key, const struct event *ev, const char *note,
                      const char *where)
{
    struct agg_row *r = agg_row_for(t, key);
    r->events++;
    if (event_is_alert(ev))
        r->alerts++;
    if (ev->kind > 0 && ev->kind < EVENT_KIND_COUNT)
        r->by_kind[ev->kind]++;
    if (!r->first_ns || ev->ts_ns < r->first_ns)
        r->first_ns = ev->ts_ns;
    if (ev->ts_ns > r->last_ns)
        r->last_ns = ev->ts_ns;
    if (!r->note && note && *note)
        r->note = g_strdup(note);
    if (where && *where)
        note_interface(r, where);
}

static unsigned lane_for(struct report_sink *r, const struct iface *ifc)
{
    for (guint i = 0; i < r->lanes->len; i++)
        if (g_array_index(r->lanes, struct lane, i).iface == ifc)
            return i;
    struct lane l = { .iface = ifc };
    g_strlcpy(l.name, ifc ? ifc->name : "?", sizeof l.name);
    g_array_append_val(r->lanes, l);
    return r->lanes->len - 1;
}

static char *text_geo(struct report_sink *r, const struct geo_info *g)
{
    if (!g || !r->opt.describe_geo)
        return NULL;
    GString *s = g_string_new(NULL);
    bool said = r->opt.describe_geo(g, s) && s->len;
    return g_string_free(s, !said);
}

static char *text_process(struct report_sink *r, const struct event *ev)
{
    if (!r->opt.describe_process)
        return NULL;
    GString *s = g_string_new(NULL);
    bool said = r->opt.describe_process(ev, s) && s->len;
    return g_string_free(s, !said);
}

static void remember_alert(struct report_sink *r, const struct event *ev, const char *process, const char *geo)
{
    if (r->alerts->len >= REPORT_MAX_ALERT_ROWS) {
        r->alerts_unlisted++;
        return;
    }
    char src[ADDR_PORT_STRLEN], dst[ADDR_PORT_STRLEN];
    struct alert_row *a = g_new0(struct alert_row, 1);
    a->ts_ns = ev->ts_ns;
    a->frame = ev->frame_number;
    a->kind = ev->kind;
    a->verdict = ev->verdict;
    a->severity = ev->severity;
    a->iface = g_strdup(ev->iface ? ev->iface->name : "?");
    a->src = g_strdup(addr_port_format(&ev->src, ev->sport, src, sizeof src));
    a->dst = g_strdup(addr_port_format(&ev->dst, ev->dport, dst, sizeof dst));
    g_string_truncate(r->scratch, 0);
    event_describe(ev, r->scratch);
    a->what = g_strdup(r->scratch->str);
    if (ev->has_exposed)
        a->exposed = g_strdup(addr_port_format(&ev->exposed, ev->exposed_port, src, sizeof src));
    a->reason = g_strdup(ev->reason);
    a->vpn = g_strdup(ev->vpn_name);
    a->process = g_strdup(process);
    a->geo = g_strdup(geo);
    g_ptr_array_add(r->alerts, a);
}

static void report_emit(void *self, const struct event *ev)
{
    struct report_sink *r = self;
    if (ev->verdict == VERDICT_NONE)
        return;
    bool alert = event_is_alert(ev);
    r->events_seen++;
    if (alert)
        r->alerts_seen++;
    if (!r->first_ns || ev->ts_ns < r->first_ns)
        r->first_ns = ev->ts_ns;
    if (ev->ts_ns > r->last_ns)
        r->last_ns = ev->ts_ns;

    unsigned lane = lane_for(r, ev->iface);
    struct lane *l = &g_array_index(r->lanes, struct lane, lane);
    l->events++;
    if (alert)
        l->alerts++;
    if (r->points->len < REPORT_MAX_POINTS) {
        struct point p = { ev->ts_ns, (uint16_t)MIN(lane, 0xffffu),
                           (uint8_t)(ev->verdict == VERDICT_LEAK       ? POINT_LEAK
                                     : ev->verdict == VERDICT_EXPOSURE ? POINT_EXPOSURE
                                                                       : POINT_OTHER),
                           (uint8_t)ev->kind };
        g_array_append_val(r->points, p);
    } else {
        r->points_dropped++;
    }

    /* The far end: where a request went, or where a reply came from. */
    bool outgoing = ev->dir != DIR_IN;
    const struct ip_addr *remote = outgoing ? &ev->dst : &ev->src;
    char remote_text[ADDR_STRLEN];
    addr_format(remote, remote_text, sizeof remote_text);
    char *remote_geo = text_geo(r, outgoing ? ev->dst_geo : ev->src_geo);
    char *process = text_process(r, ev);
    agg_count(&r->remotes, remote_text, ev, remote_geo, l->name);
    agg_count(&r->processes, process ? process : "(not attributed)", ev, NULL, l->name);

    if (alert) {
        if (ev->has_exposed) {
            char exp[ADDR_PORT_STRLEN];
            char *exp_geo = text_geo(r, ev->exposed_geo);
            addr_port_format(&ev->exposed, ev->exposed_port, exp, sizeof exp);
            agg_count(&r->exposed, exp, ev, exp_geo, l->name);
            g_free(exp_geo);
        }
        if (ev->kind == EVENT_DNS && ev->dns && !ev->dns->is_response)
            for (unsigned i = 0; i < ev->dns->question_count; i++)
                agg_count(&r->names, ev->dns->questions[i].name[0] ? ev->dns->questions[i].name : ".", ev,
                          remote_text, l->name);
        if (ev->kind == EVENT_DTLS && ev->dtls && ev->dtls->hello.sni[0])
            agg_count(&r->names, ev->dtls->hello.sni, ev, remote_text, l->name);
        remember_alert(r, ev, process, remote_geo);
    }
    g_free(remote_geo);
    g_free(process);
}

/* ---- writing ----------------------------------------------------------- */

static const char page_style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}"
    "main{max-width:1180px;margin:0 auto;padding:24px}"
    "h1{margin:0 0 4px;font-size:26px}h2{margin:28px 0 8px;font-size:18px}"
    ".verdict{padding:18px 22px;border-radius:8px;color:#fff}"
    ".verdict.leak{background:#b3261e}.verdict.clean{background:#1e7d3a}.verdict.no-vpn{background:#8a6d00}"
    ".verdict p{margin:4px 0 0;opacity:.9}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:14px}"
    ".card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 14px;min-width:110px}"
    ".card b{display:block;font-size:22px}"
    "table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}"
    "th,td{border:1px solid #dde1e7;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eceff3}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.leak td:first-child{border-left:4px solid #b3261e}tr.exposure td:first-child{border-left:4px solid #e07b00}"
    "code{font:12px ui-monospace,monospace;word-break:break-all}"
    ".muted{color:#667085}svg{background:#fff;border:1px solid #dde1e7;border-radius:6px}";

static void put(GString *o, const char *s)
{
    g_string_append(o, s);
}

static void put_text(GString *o, const char *s)
{
    html_escape_append(o, s);
}

static void put_time(GString *o, uint64_t ts_ns)
{
    char buf[40];
    put_text(o, ts_ns ? time_format_text(ts_ns, buf, sizeof buf) : "—");
}

static void put_card(GString *o, const char *id, const char *label, uint64_t n)
{
    g_string_append_printf(o, "<div class=\"card\"><b id=\"%s\" data-count=\"%" G_GUINT64_FORMAT "\">%" G_GUINT64_FORMAT
                              "</b>",
                           id, n, n);
    put_text(o, label);
    put(o, "</div>");
}

static const char *verdict_class(const struct audit_counters *c)
{
    if (c->alerts)
        return "leak";
    if (c->verdicts[VERDICT_NO_VPN] && !c->verdicts[VERDICT_INSIDE_VPN])
        return "no-vpn";
    return "clean";
}

static void put_headline(GString *o, const struct audit_counters *c)
{
    const char *cls = verdict_class(c);
    g_string_append_printf(o, "<section class=\"verdict %s\"><h1 id=\"verdict\" data-verdict=\"%s\">", cls, cls);
    if (c->alerts) {
        g_string_append_printf(o, "LEAK: %" G_GUINT64_FORMAT " alert%s", c->alerts, c->alerts == 1 ? "" : "s");
        const char *sep = " (";
        for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
            if (c->alerts_by_kind[k]) {
                g_string_append_printf(o, "%s%" G_GUINT64_FORMAT " %s", sep, c->alerts_by_kind[k],
                                       event_kind_name((enum event_kind)k));
                sep = ", ";
            }
        if (*sep == ',')
            put(o, ")");
        put(o, "</h1><p>Traffic left outside the VPN");
        if (c->exposures)
            g_string_append_printf(o, "; %" G_GUINT64_FORMAT " alert%s exposed the real address", c->exposures,
                                   c->exposures == 1 ? "" : "s");
        put(o, ".</p>");
    } else if (strcmp(cls, "no-vpn") == 0) {
        g_string_append_printf(o,
                               "NO VPN</h1><p>%" G_GUINT64_FORMAT " STUN/DNS/DTLS request%s left with no VPN in sight: "
                               "nothing to leak from.</p>",
                               c->verdicts[VERDICT_NO_VPN], c->verdicts[VERDICT_NO_VPN] == 1 ? "" : "s");
    } else {
        g_string_append_printf(o,
                               "CLEAN: no leak</h1><p>%" G_GUINT64_FORMAT " request%s went through the VPN, %" G_GUINT64_FORMAT
                               " stayed local.</p>",
                               c->verdicts[VERDICT_INSIDE_VPN], c->verdicts[VERDICT_INSIDE_VPN] == 1 ? "" : "s",
                               c->verdicts[VERDICT_LOCAL] + c->verdicts[VERDICT_ALLOWED]);
    }
    put(o, "</section>\n");
}

static void put_cards(GString *o, const struct audit_counters *c)
{
    put(o, "<div class=\"cards\">");
    put_card(o, "count-packets", "packets", c->frames);
    put_card(o, "count-alerts", "alerts", c->alerts);
    put_card(o, "count-exposures", "exposed the address", c->exposures);
    for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++) {
        char id[48], label[48];
        snprintf(id, sizeof id, "count-%s", event_kind_name((enum event_kind)k));
        snprintf(label, sizeof label, "%s events", event_kind_name((enum event_kind)k));
        put_card(o, id, label, c->events[k]);
    }
    put(o, "</div>\n<p class=\"muted\">Verdicts:");
    for (int v = VERDICT_NONE + 1; v < VERDICT_COUNT; v++)
        if (c->verdicts[v])
            g_string_append_printf(o, " %s <b data-verdict-count=\"%s\">%" G_GUINT64_FORMAT "</b>;",
                                   verdict_name((enum verdict)v), verdict_name((enum verdict)v), c->verdicts[v]);
    put(o, "</p>\n");
}

static const char *lane_role(const struct iface_table *ifaces, const char *name)
{
    for (unsigned i = 0; ifaces && i < iface_table_count(ifaces); i++) {
        const struct iface *ifc = iface_table_get(ifaces, i);
        if (strcmp(ifc->name, name) == 0)
            return iface_role_name(ifc->role);
    }
    return "";
}

/* One lane per interface; per time bin a grey bar for ordinary events (height
 * by log count), a red dot for leaks, an orange one for exposures. */
static void put_timeline(GString *o, struct report_sink *r, const struct iface_table *ifaces)
{
    unsigned lanes = r->lanes->len;
    put(o, "<h2>Timeline per interface</h2>\n");
    if (!lanes || !r->points->len) {
        put(o, "<p class=\"muted\">No STUN, DTLS or DNS events.</p>\n");
        return;
    }
    const int label_w = 170, plot_w = 960, lane_h = 34, top = 10, axis_h = 34;
    int width = label_w + plot_w + 20, height = top + (int)lanes * lane_h + axis_h;
    uint64_t t0 = r->first_ns, t1 = r->last_ns > r->first_ns ? r->last_ns : r->first_ns + 1;
    double span = (double)(t1 - t0);
    uint32_t(*bins)[3] = g_malloc0(sizeof(*bins) * (size_t)lanes * REPORT_TIMELINE_BINS);
    for (guint i = 0; i < r->points->len; i++) {
        const struct point *p = &g_array_index(r->points, struct point, i);
        unsigned b = (unsigned)((double)(p->ts_ns - t0) / span * (REPORT_TIMELINE_BINS - 1) + 0.5);
        if (b >= REPORT_TIMELINE_BINS)
            b = REPORT_TIMELINE_BINS - 1;
        uint32_t *cell = bins[(size_t)p->lane * REPORT_TIMELINE_BINS + b];
        if (cell[p->cls] < UINT32_MAX)
            cell[p->cls]++;
    }
    g_string_append_printf(o,
                           "<svg id=\"timeline\" width=\"%d\" height=\"%d\" "
                           "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"events per interface over time\">\n",
                           width, height, width, height);
    for (unsigned li = 0; li < lanes; li++) {
        const struct lane *l = &g_array_index(r->lanes, struct lane, li);
        int y = top + (int)li * lane_h;
        g_string_append_printf(o, "<g class=\"lane\" data-iface=\"");
        put_text(o, l->name);
        g_string_append_printf(o, "\" data-events=\"%" G_GUINT64_FORMAT "\" data-alerts=\"%" G_GUINT64_FORMAT "\">",
                               l->events, l->alerts);
        g_string_append_printf(o, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dde1e7\"/>", label_w,
                               y + lane_h / 2, label_w + plot_w, y + lane_h / 2);
        g_string_append_printf(o, "<text x=\"8\" y=\"%d\" font-size=\"13\" fill=\"#1d2330\">", y + lane_h / 2 + 4);
        put_text(o, l->name);
        const char *role = lane_role(ifaces, l->name);
        if (*role)
            g_string_append_printf(o, " <tspan fill=\"#667085\">(%s)</tspan>", role);
        put(o, "</text>");
        for (unsigned b = 0; b < REPORT_TIMELINE_BINS; b++) {
            const uint32_t *cell = bins[(size_t)li * REPORT_TIMELINE_BINS + b];
            double x = label_w + (double)b * plot_w / (REPORT_TIMELINE_BINS - 1);
            if (cell[POINT_OTHER]) {
                double h = 4 + 5 * log10((double)cell[POINT_OTHER] + 1);
                if (h > lane_h - 6)
                    h = lane_h - 6;
                g_string_append_printf(o,
                                       "<rect class=\"ev\" x=\"%.1f\" y=\"%.1f\" width=\"2.4\" height=\"%.1f\" "
                                       "fill=\"#8a94a6\"><title>%u event%s</title></rect>",
                                       x - 1.2, y + lane_h / 2.0 - h / 2, h, cell[POINT_OTHER],
                                       cell[POINT_OTHER] == 1 ? "" : "s");
            }
            if (cell[POINT_EXPOSURE])
                g_string_append_printf(o,
                                       "<circle class=\"exposure\" cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"#e07b00\">"
                                       "<title>%u exposure%s</title></circle>",
                                       x, y + lane_h / 2, cell[POINT_EXPOSURE], cell[POINT_EXPOSURE] == 1 ? "" : "s");
            if (cell[POINT_LEAK])
                g_string_append_printf(o,
                                       "<circle class=\"leak\" data-count=\"%u\" cx=\"%.1f\" cy=\"%d\" r=\"6\" "
                                       "fill=\"#b3261e\" stroke=\"#fff\"><title>%u leak%s</title></circle>",
                                       cell[POINT_LEAK], x, y + lane_h / 2, cell[POINT_LEAK],
                                       cell[POINT_LEAK] == 1 ? "" : "s");
        }
        put(o, "</g>\n");
    }
    int ay = top + (int)lanes * lane_h + 16;
    char a[40], b[40];
    g_string_append_printf(o, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#667085\">%s UTC</text>", label_w, ay,
                           time_format_text(t0, a, sizeof a));
    g_string_append_printf(o,
                           "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#667085\" text-anchor=\"end\">%s UTC "
                           "(%.3f s)</text>\n",
                           label_w + plot_w, ay, time_format_text(t1, b, sizeof b), span / 1e9);
    put(o, "</svg>\n<p class=\"muted\">Grey: events inside the VPN, local or otherwise harmless; "
           "<span style=\"color:#b3261e\">red</span>: leaks; <span style=\"color:#e07b00\">orange</span>: "
           "responses that exposed the real address.");
    if (r->points_dropped)
        g_string_append_printf(o, " The timeline shows the first %u events; %" G_GUINT64_FORMAT " later ones are "
                                  "counted in the tables only.",
                               (unsigned)REPORT_MAX_POINTS, r->points_dropped);
    put(o, "</p>\n");
    g_free(bins);
}

static gint agg_compare(gconstpointer pa, gconstpointer pb)
{
    const struct agg_row *a = *(const struct agg_row *const *)pa, *b = *(const struct agg_row *const *)pb;
    if (a->alerts != b->alerts)
        return a->alerts > b->alerts ? -1 : 1;
    if (a->events != b->events)
        return a->events > b->events ? -1 : 1;
    return strcmp(a->key, b->key);
}

static void put_agg_row(GString *o, const struct agg_row *row, const char *key, bool note, bool kinds)
{
    g_string_append_printf(o, "<tr class=\"%s\"><td><code>", row->alerts ? "leak" : "");
    put_text(o, key);
    put(o, "</code></td><td>");
    if (note) {
        put_text(o, row->note);
        put(o, "</td><td>");
    }
    put_text(o, row->where);
    g_string_append_printf(o, "</td><td class=\"n\">%" G_GUINT64_FORMAT "</td><td class=\"n\">%" G_GUINT64_FORMAT
                              "</td>",
                           row->events, row->alerts);
    if (kinds)
        for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
            g_string_append_printf(o, "<td class=\"n\">%" G_GUINT64_FORMAT "</td>", row->by_kind[k]);
    put(o, "<td>");
    put_time(o, row->first_ns);
    put(o, "</td></tr>\n");
}

static void put_table(GString *o, const char *id, const char *title, const char *key_head, const char *note_head,
                      const struct agg_table *t, bool kinds, const char *empty)
{
    g_string_append_printf(o, "<h2>%s</h2>\n", title);
    guint n = g_hash_table_size(t->by_key);
    if (!n) {
        g_string_append_printf(o, "<p class=\"muted\" id=\"%s\" data-rows=\"0\">%s</p>\n", id, empty);
        return;
    }
    g_string_append_printf(o, "<table id=\"%s\" data-rows=\"%u\"><thead><tr><th>%s</th>", id, n, key_head);
    if (note_head)
        g_string_append_printf(o, "<th>%s</th>", note_head);
    put(o, "<th>interface</th><th>events</th><th>alerts</th>");
    if (kinds)
        for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
            g_string_append_printf(o, "<th>%s</th>", event_kind_name((enum event_kind)k));
    put(o, "<th>first seen (UTC)</th></tr></thead><tbody>\n");
    GPtrArray *rows = g_ptr_array_sized_new(n);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, t->by_key);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(rows, value);
    g_ptr_array_sort(rows, agg_compare);
    for (guint i = 0; i < rows->len; i++) {
        const struct agg_row *row = g_ptr_array_index(rows, i);
        put_agg_row(o, row, row->key, note_head != NULL, kinds);
    }
    g_ptr_array_free(rows, TRUE);
    if (t->has_other)
        put_agg_row(o, &t->other, "(all others)", note_head != NULL, kinds);
    put(o, "</tbody></table>\n");
}

static void put_alerts(GString *o, const struct report_sink *r)
{
    put(o, "<h2>Alerts</h2>\n");
    if (!r->alerts->len) {
        put(o, "<p class=\"muted\" id=\"alerts\" data-rows=\"0\">No alerts.</p>\n");
        return;
    }
    g_string_append_printf(o, "<table id=\"alerts\" data-rows=\"%u\"><thead><tr><th>time (UTC)</th><th>frame</th>"
                              "<th>verdict</th><th>kind</th><th>interface</th><th>from → to</th><th>what</th>"
                              "<th>exposed</th><th>process</th><th>GeoIP / ISP</th><th>why</th></tr></thead><tbody>\n",
                           r->alerts->len);
    for (guint i = 0; i < r->alerts->len; i++) {
        const struct alert_row *a = g_ptr_array_index(r->alerts, i);
        g_string_append_printf(o, "<tr class=\"%s\"><td>", a->verdict == VERDICT_EXPOSURE ? "exposure" : "leak");
        put_time(o, a->ts_ns);
        g_string_append_printf(o, "</td><td class=\"n\">%" G_GUINT64_FORMAT "</td><td>%s %s</td><td>%s</td><td>",
                               a->frame, verdict_name(a->verdict), severity_name(a->severity), event_kind_name(a->kind));
        put_text(o, a->iface);
        put(o, "</td><td><code>");
        put_text(o, a->src);
        put(o, " → ");
        put_text(o, a->dst);
        put(o, "</code></td><td class=\"what\"><code>");
        put_text(o, a->what);
        put(o, "</code></td><td><code>");
        put_text(o, a->exposed);
        put(o, "</code></td><td>");
        put_text(o, a->process);
        put(o, "</td><td>");
        put_text(o, a->geo);
        put(o, "</td><td>");
        put_text(o, a->reason);
        if (a->vpn) {
            put(o, "; VPN: ");
            put_text(o, a->vpn);
        }
        put(o, "</td></tr>\n");
    }
    put(o, "</tbody></table>\n");
    if (r->alerts_unlisted)
        g_string_append_printf(o, "<p class=\"muted\">%" G_GUINT64_FORMAT " more alerts are counted above but not "
                                  "listed.</p>\n",
                               r->alerts_unlisted);
}

static void put_interfaces(GString *o, const struct iface_table *ifaces)
{
    put(o, "<h2>Interfaces</h2>\n<table id=\"interfaces\"><thead><tr><th>name</th><th>role</th><th>why</th>"
           "<th>packets</th><th>VPN transport seen</th></tr></thead><tbody>\n");
    for (unsigned i = 0; ifaces && i < iface_table_count(ifaces); i++) {
        const struct iface *ifc = iface_table_get(ifaces, i);
        put(o, "<tr><td>");
        put_text(o, ifc->name);
        g_string_append_printf(o, "</td><td>%s</td><td>%s</td><td class=\"n\">%" G_GUINT64_FORMAT "</td><td>",
                               iface_role_name(ifc->role), iface_role_source_name(ifc->role_source), ifc->packets);
        if (ifc->vpn_transport_packets)
            g_string_append_printf(o, "%s, %" G_GUINT64_FORMAT " packets", ifc->vpn_transport_proto,
                                   ifc->vpn_transport_packets);
        put(o, "</td></tr>\n");
    }
    put(o, "</tbody></table>\n");
}

static void write_page(struct report_sink *r, const struct audit_counters *c, const struct iface_table *ifaces)
{
    GString *o = g_string_sized_new(64 * 1024);
    put(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
           "<title>leakaudit report: ");
    put_text(o, r->input);
    g_string_append_printf(o, "</title><style>%s</style></head>\n<body><main>\n", page_style);
    put_headline(o, c);
    put(o, "<p>Input: <code id=\"input\">");
    put_text(o, r->input);
    put(o, "</code> · capture from ");
    put_time(o, c->first_ns);
    put(o, " to ");
    put_time(o, c->last_ns);
    put(o, " UTC</p>\n");
    put_cards(o, c);
    put_timeline(o, r, ifaces);
    put(o, "<h2>What was exposed</h2>\n");
    put_table(o, "exposed", "Real addresses revealed to STUN servers", "exposed address", "GeoIP / ISP", &r->exposed,
              false, "No STUN response revealed an address outside the VPN.");
    put_table(o, "leaked-names", "Names that left outside the VPN (DNS queries, DTLS SNI)", "name", "sent to",
              &r->names, false, "No name left outside the VPN.");
    put_alerts(o, r);
    put_table(o, "processes", "Per process", "process", NULL, &r->processes, true, "No events.");
    put_table(o, "destinations", "Per destination", "remote address", "GeoIP / ISP", &r->remotes, true, "No events.");
    put_interfaces(o, ifaces);
    put(o, "<p class=\"muted\">Written by leakaudit. Process and GeoIP columns stay empty when attribution or "
           "GeoIP databases were not available.</p>\n</main></body></html>\n");
    if (fwrite(o->str, 1, o->len, r->out) != o->len || fflush(r->out) != 0) {
        r->write_failed = true;
        r->write_errno = errno;
    }
    g_string_free(o, TRUE);
    r->written = true;
}

static void report_finish(void *self, const struct audit_counters *c, const struct iface_table *ifaces)
{
    struct report_sink *r = self;
    if (!r->written && c)
        write_page(r, c, ifaces);
}

static bool report_flush(void *self, GError **err)
{
    struct report_sink *r = self;
    if (r->write_failed || ferror(r->out)) {
        int e = r->write_errno ? r->write_errno : EIO;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "writing report '%s': %s", r->path, g_strerror(e));
        return false;
    }
    return true;
}

static void alert_row_free(gpointer p)
{
    struct alert_row *a = p;
    g_free(a->iface);
    g_free(a->src);
    g_free(a->dst);
    g_free(a->what);
    g_free(a->exposed);
    g_free(a->reason);
    g_free(a->vpn);
    g_free(a->process);
    g_free(a->geo);
    g_free(a);
}

static void report_close(void *self)
{
    struct report_sink *r = self;
    fclose(r->out);
    g_array_free(r->points, TRUE);
    g_ptr_array_free(r->alerts, TRUE);
    g_array_free(r->lanes, TRUE);
    agg_free(&r->processes);
    agg_free(&r->remotes);
    agg_free(&r->exposed);
    agg_free(&r->names);
    g_string_free(r->scratch, TRUE);
    g_free(r->input);
    g_free(r->path);
    g_free(r);
}

static const struct sink_ops report_ops = {
    .name = "report", .emit = report_emit, .finish = report_finish, .flush = report_flush, .close = report_close,
};

struct sink *sink_report_open(const char *path, const struct report_sink_options *opt, GError **err)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write report '%s': %s", path,
                    g_strerror(e));
        return NULL;
    }
    struct report_sink *r = g_new0(struct report_sink, 1);
    r->out = f;
    r->path = g_strdup(path);
    if (opt)
        r->opt = *opt;
    r->input = g_strdup(opt && opt->input ? opt->input : "");
    r->opt.input = r->input;
    r->points = g_array_sized_new(FALSE, FALSE, sizeof(struct point), 1024);
    r->alerts = g_ptr_array_new_with_free_func(alert_row_free);
    r->lanes = g_array_new(FALSE, TRUE, sizeof(struct lane));
    agg_init(&r->processes);
    agg_init(&r->remotes);
    agg_init(&r->exposed);
    agg_init(&r->names);
    r->scratch = g_string_new(NULL);
    struct sink *s = g_new0(struct sink, 1);
    s->ops = &report_ops;
    s->self = r;
    return s;
}
