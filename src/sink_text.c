/* sink_text.c — one readable line per alert (and per event with --events). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "geo.h"
#include "iface.h"
#include "sink.h"
#include "timefmt.h"

struct text_sink {
    FILE *out;
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
    g_string_append_printf(l, "%s ", when);
    if (t->opt.color)
        g_string_append(l, verdict_color(ev->verdict));
    if (alert)
        g_string_append_printf(l, "%-8s %-6s", ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSED",
                               severity_name(ev->severity));
    else
        g_string_append_printf(l, "%-15s", verdict_name(ev->verdict));
    if (t->opt.color)
        g_string_append(l, COLOR_RESET);
    g_string_append_printf(l, " %-5s %-8s %-3s %s %s %s  ", event_kind_name(ev->kind), ev->iface->name,
                           direction_name(ev->dir), src, ev->transport == 6 ? "-tcp->" : "->", dst);
    if (ev->tunnel)
        g_string_append_printf(l, "(in %s) ", ev->tunnel);
    event_describe(ev, l);
    if (ev->has_exposed) {
        char exp[ADDR_PORT_STRLEN];
        g_string_append_printf(l, "  exposed %s", addr_port_format(&ev->exposed, ev->exposed_port, exp, sizeof exp));
        geo_text_annotate(l, " — ", ev->exposed_geo, "");
    }
    if (alert && ev->reason) {
        g_string_append_printf(l, "  [%s", ev->reason);
        if (ev->vpn_name)
            g_string_append_printf(l, "; VPN: %s", ev->vpn_name);
        g_string_append_c(l, ']');
    }
    if (alert)
        geo_text_annotate(l, "  (dest: ", ev->dst_geo, ")");
    if (ev->repeats)
        g_string_append_printf(l, " (+%u repeats)", ev->repeats);
    g_string_append_c(l, '\n');
    fwrite(l->str, 1, l->len, t->out);
    if (alert)
        fflush(t->out);
}

static bool text_flush(void *self, GError **err)
{
    struct text_sink *t = self;
    if (fflush(t->out) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "writing alerts: %s", g_strerror(errno));
        return false;
    }
    return true;
}

static void text_close(void *self)
{
    struct text_sink *t = self;
    fflush(t->out);
    g_string_free(t->line, TRUE);
    g_free(t);
}

static const struct sink_ops text_ops = {
    .name = "text", .emit = text_emit, .finish = NULL, .flush = text_flush, .close = text_close,
};

struct sink *sink_text_new(FILE *out, const struct text_sink_options *opt)
{
    struct text_sink *t = g_new0(struct text_sink, 1);
    t->out = out;
    t->opt = *opt;
    t->line = g_string_sized_new(256);
    struct sink *s = g_new0(struct sink, 1);
    s->ops = &text_ops;
    s->self = t;
    return s;
}
