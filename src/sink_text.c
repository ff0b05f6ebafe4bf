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

/* The longest head of a line (before the description): time, colour,
 * verdict and severity, kind, interface, direction, two addresses. The
 * fixed words (verdict, severity, kind, direction names) are shorter than
 * TEXT_WORD_MAX. */
enum {
    TEXT_WORD_MAX = 16,
    TEXT_HEAD_MAX = 40 + 1 + 8 + (8 + 1 + TEXT_WORD_MAX) + 4 + 1 + TEXT_WORD_MAX + 1 + IFACE_NAME_MAX + 1 +
                    TEXT_WORD_MAX + 1 + ADDR_PORT_STRLEN + 8 + ADDR_PORT_STRLEN + 2,
};

static void text_emit(void *self, const struct event *ev)
{
    struct text_sink *t = self;
    bool alert = event_is_alert(ev);
    if (!alert && !t->opt.events)
        return;
    GString *l = t->line;
    g_string_truncate(l, 0);
    /* The head straight into the line's room (strbuf.h), the rest by
     * str_* appends: no g_string_append/printf on the alert path. */
    char *p = str_reserve(l, TEXT_HEAD_MAX);
    time_format_text(ev->ts_ns, p, 40);
    p += strlen(p);
    *p++ = ' ';
    if (t->opt.color)
        p = str_cpy(p, verdict_color(ev->verdict));
    if (alert) {
        p = str_cpy_padded(p, ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSED", 8, 8);
        *p++ = ' ';
        p = str_cpy_padded(p, severity_name(ev->severity), 6, TEXT_WORD_MAX);
    } else {
        p = str_cpy_padded(p, verdict_name(ev->verdict), 15, TEXT_WORD_MAX);
    }
    if (t->opt.color)
        p = str_cpy(p, COLOR_RESET);
    *p++ = ' ';
    p = str_cpy_padded(p, event_kind_name(ev->kind), 5, TEXT_WORD_MAX);
    *p++ = ' ';
    p = str_cpy_padded(p, ev->iface->name, 8, IFACE_NAME_MAX);
    *p++ = ' ';
    p = str_cpy_padded(p, direction_name(ev->dir), 3, TEXT_WORD_MAX);
    *p++ = ' ';
    p = addr_port_put(&ev->src, ev->sport, p);
    p = str_cpy(p, ev->transport == 6 ? " -tcp-> " : " -> ");
    p = addr_port_put(&ev->dst, ev->dport, p);
    *p++ = ' ';
    *p++ = ' ';
    str_commit(l, p);
    char addr[ADDR_PORT_STRLEN];
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
