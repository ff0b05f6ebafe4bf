/* sink_text.c — one readable line per alert (and per event with --events). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "geo.h"
#include "attrib.h"
#include "iface.h"
#include "sink.h"
#include "sink_out.h"
#include "strbuf.h"
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

static void text_emit(void *self, const struct event *ev)
{
    struct text_sink *t = self;
    bool alert = event_is_alert(ev);
    if (!alert && !t->opt.events)
        return;
    GString *l = t->line;
    g_string_truncate(l, 0);
    char when[40], addr[ADDR_PORT_STRLEN];
    /* str_* appends (strbuf.h), not g_string_append/printf: this is the alert path. */
    str_puts(l, time_format_text(ev->ts_ns, when, sizeof when));
    str_putc(l, ' ');
    if (t->opt.color)
        str_puts(l, verdict_color(ev->verdict));
    if (alert) {
        str_put_padded(l, ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSED", 8);
        str_putc(l, ' ');
        str_put_padded(l, severity_name(ev->severity), 6);
    } else {
        str_put_padded(l, verdict_name(ev->verdict), 15);
    }
    if (t->opt.color)
        str_puts(l, COLOR_RESET);
    str_putc(l, ' ');
    str_put_padded(l, event_kind_name(ev->kind), 5);
    str_putc(l, ' ');
    str_put_padded(l, ev->iface->name, 8);
    str_putc(l, ' ');
    str_put_padded(l, direction_name(ev->dir), 3);
    str_putc(l, ' ');
    str_puts(l, addr_port_format(&ev->src, ev->sport, addr, sizeof addr));
    str_puts(l, ev->transport == 6 ? " -tcp-> " : " -> ");
    str_puts(l, addr_port_format(&ev->dst, ev->dport, addr, sizeof addr));
    str_put(l, "  ", 2);
    if (ev->tunnel) {
        str_puts(l, "(in ");
        str_puts(l, ev->tunnel);
        str_put(l, ") ", 2);
    }
    event_describe(ev, l);
    if (ev->has_exposed) {
        str_puts(l, "  exposed ");
        str_puts(l, addr_port_format(&ev->exposed, ev->exposed_port, addr, sizeof addr));
        geo_text_annotate(l, " — ", ev->exposed_geo, "");
    }
    if (ev->process) { /* live only: the local sender (src/attrib/) */
        char proc[PROC_NAME_LEN + PROC_USER_LEN + 160];
        str_put(l, "  ", 2);
        str_puts(l, process_info_format(ev->process, proc, sizeof proc));
    }
    if (alert && ev->reason) {
        str_puts(l, "  [");
        str_puts(l, ev->reason);
        if (ev->vpn_name) {
            str_puts(l, "; VPN: ");
            str_puts(l, ev->vpn_name);
        }
        str_putc(l, ']');
    }
    if (alert)
        geo_text_annotate(l, "  (dest: ", ev->dst_geo, ")");
    if (ev->repeats) {
        str_puts(l, " (+");
        str_put_uint(l, ev->repeats);
        str_puts(l, " repeats)");
    }
    str_putc(l, '\n');
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
