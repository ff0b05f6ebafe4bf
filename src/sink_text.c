/* sink_text.c — one readable line per alert (and per event with --events). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "geo.h"
#include "attrib.h"
#include "iface.h"
#include "sink.h"
#include "sink_out.h"
#include "timefmt.h"

struct text_sink {
    struct sink_out *out;
    struct text_sink_options opt;
    GString *line;
};

#define COLOR_RED "\033[1;31m"
#define COLOR_YELLOW "\033[1;33m"
#define COLOR_DIM "\033[2m"
#define COLOR_RESET "\033[0m"

static const char *verdict_color(enum verdict v)
{
    switch (v) {
    case VERDICT_LEAK: return COLOR_RED;
    case VERDICT_EXPOSURE: return COLOR_YELLOW;
    default: return COLOR_DIM;
    }
}

/* s left-aligned in width columns, like "%-*s" without printf's cost (this
 * is the alert path). */
static void append_padded(GString *l, const char *s, size_t width)
{
    size_t n = strlen(s);
    g_string_append_len(l, s, (gssize)n);
    for (; n < width; n++)
        g_string_append_c(l, ' ');
}

static void text_emit(void *self, const struct event *ev)
{
    struct text_sink *t = self;
    bool alert = event_is_alert(ev);
    if (!alert && !t->opt.events)
        return;
    GString *l = t->line;
    g_string_truncate(l, 0);
    char when[40], src[ADDR_PORT_STRLEN], dst[ADDR_PORT_STRLEN];
    time_format_text(ev->ts_ns, when, sizeof when);
    addr_port_format(&ev->src, ev->sport, src, sizeof src);
    addr_port_format(&ev->dst, ev->dport, dst, sizeof dst);
    g_string_append(l, when);
    g_string_append_c(l, ' ');
    if (t->opt.color)
        g_string_append(l, verdict_color(ev->verdict));
    if (alert) {
        append_padded(l, ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSED", 8);
        g_string_append_c(l, ' ');
        append_padded(l, severity_name(ev->severity), 6);
    } else {
        append_padded(l, verdict_name(ev->verdict), 15);
    }
    if (t->opt.color)
        g_string_append(l, COLOR_RESET);
    g_string_append_c(l, ' ');
    append_padded(l, event_kind_name(ev->kind), 5);
    g_string_append_c(l, ' ');
    append_padded(l, ev->iface->name, 8);
    g_string_append_c(l, ' ');
    append_padded(l, direction_name(ev->dir), 3);
    g_string_append_c(l, ' ');
    g_string_append(l, src);
    g_string_append(l, ev->transport == 6 ? " -tcp-> " : " -> ");
    g_string_append(l, dst);
    g_string_append(l, "  ");
    if (ev->tunnel)
        g_string_append_printf(l, "(in %s) ", ev->tunnel);
    event_describe(ev, l);
    if (ev->has_exposed) {
        char exp[ADDR_PORT_STRLEN];
        g_string_append_printf(l, "  exposed %s", addr_port_format(&ev->exposed, ev->exposed_port, exp, sizeof exp));
        geo_text_annotate(l, " — ", ev->exposed_geo, "");
    }
    if (ev->process) { /* live only: the local sender (src/attrib/) */
        char proc[PROC_NAME_LEN + PROC_USER_LEN + 160];
        g_string_append_printf(l, "  %s", process_info_format(ev->process, proc, sizeof proc));
    }
    if (alert && ev->reason) {
        g_string_append(l, "  [");
        g_string_append(l, ev->reason);
        if (ev->vpn_name) {
            g_string_append(l, "; VPN: ");
            g_string_append(l, ev->vpn_name);
        }
        g_string_append_c(l, ']');
    }
    if (alert)
        geo_text_annotate(l, "  (dest: ", ev->dst_geo, ")");
    if (ev->repeats)
        g_string_append_printf(l, " (+%u repeats)", ev->repeats);
    g_string_append_c(l, '\n');
    /* Buffered: a saved capture's alerts go out in big writes; live, the
     * capture loop's audit_tick() flushes every sink between batches. */
    sink_out_record(t->out, l->str, l->len, alert);
}

static void text_vpn_state(void *self, const struct vpn_state_change *c)
{
    struct text_sink *t = self;
    char when[40];
    time_format_text(c->ts_ns, when, sizeof when);
    GString *l = t->line;
    g_string_printf(l, "%s %-15s %s  [%s]\n", when, c->up ? "VPN-UP" : "VPN-DOWN", c->vpn ? c->vpn : "-",
                    c->why ? c->why : "");
    sink_out_record(t->out, l->str, l->len, false);
    sink_out_flush(t->out, NULL);
}

static bool text_flush(void *self, GError **err)
{
    struct text_sink *t = self;
    return sink_out_flush(t->out, err);
}

static void text_close(void *self)
{
    struct text_sink *t = self;
    sink_out_free(t->out);
    g_string_free(t->line, TRUE);
    g_free(t);
}

static const struct sink_ops text_ops = {
    .name = "text", .emit = text_emit, .finish = NULL, .flush = text_flush, .close = text_close,
    .vpn_state = text_vpn_state,
};

struct sink *sink_text_new(FILE *out, const struct text_sink_options *opt)
{
    struct text_sink *t = g_new0(struct text_sink, 1);
    fflush(out);
    t->out = sink_out_new(fileno(out), false, "text", out == stdout ? "stdout" : "stream");
    t->opt = *opt;
    t->line = g_string_sized_new(256);
    struct sink *s = g_new0(struct sink, 1);
    s->ops = &text_ops;
    s->self = t;
    return s;
}
