/* dedup.c — see dedup.h. Runs on alerts only, so the string keys and table
 * entries below are made per distinct leak, never per packet. */
#include "dedup.h"

#include <stdio.h>
#include <string.h>

#include "iface.h"
#include "json.h"
#include "process_view.h"

enum { TOTALS_TABLE_CAP = 1024, SUMMARY_TEXT_TOP = 8 };

/* One leak's suppression window. */
struct window {
    uint64_t start_ns;     /* capture time of the alert that opened it */
    uint32_t pending;      /* repeats folded since that alert, told with the next one */
};

/* A row of a summary table. */
struct tally {
    uint64_t alerts;       /* delivered */
    uint64_t seen;         /* repeats included */
};

/* A table of tallies by name, bounded: names beyond the cap count as "other". */
struct tally_table {
    GHashTable *rows;      /* char* → struct tally* */
    struct tally other;
    bool has_other;
};

struct dedup {
    struct dedup_config cfg;
    GHashTable *windows;   /* key string → struct window* */
    uint64_t next_end_ns;  /* no window ends before this capture time: a full
                            * table is not swept again until then (a sweep per
                            * alert made a busy capture quadratic) */
    GString *key;          /* scratch */
    struct dedup_totals totals;
    struct tally by_kind[EVENT_KIND_COUNT];
    struct tally_table by_iface, by_process, by_destination, exposed;
    bool any_process;
};

void dedup_config_defaults(struct dedup_config *cfg)
{
    cfg->window_ns = 60ull * 1000000000ull;
    cfg->max_keys = 16384;
}

static void tally_table_init(struct tally_table *t)
{
    t->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    memset(&t->other, 0, sizeof t->other);
    t->has_other = false;
}

static void tally_table_add(struct tally_table *t, const char *name, bool alert, uint64_t seen)
{
    struct tally *row = g_hash_table_lookup(t->rows, name);
    if (!row) {
        if (g_hash_table_size(t->rows) >= TOTALS_TABLE_CAP) {
            row = &t->other;
            t->has_other = true;
        } else {
            row = g_new0(struct tally, 1);
            g_hash_table_insert(t->rows, g_strdup(name), row);
        }
    }
    row->alerts += alert ? 1 : 0;
    row->seen += seen;
}

struct dedup *dedup_new(const struct dedup_config *cfg)
{
    struct dedup *d = g_new0(struct dedup, 1);
    d->cfg = *cfg;
    if (!d->cfg.max_keys)
        d->cfg.max_keys = 16384;
    d->windows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    d->key = g_string_sized_new(256);
    tally_table_init(&d->by_iface);
    tally_table_init(&d->by_process);
    tally_table_init(&d->by_destination);
    tally_table_init(&d->exposed);
    return d;
}

void dedup_free(struct dedup *d)
{
    if (!d)
        return;
    g_hash_table_destroy(d->windows);
    g_string_free(d->key, TRUE);
    g_hash_table_destroy(d->by_iface.rows);
    g_hash_table_destroy(d->by_process.rows);
    g_hash_table_destroy(d->by_destination.rows);
    g_hash_table_destroy(d->exposed.rows);
    g_free(d);
}

/* The far end: where a request went, or who answered an exposure. */
static void remote_end(const struct event *ev, char *buf, size_t len)
{
    if (ev->dir == DIR_IN)
        addr_port_format(&ev->src, ev->sport, buf, len);
    else
        addr_port_format(&ev->dst, ev->dport, buf, len);
}

/* Decimal digits then '|' (the key is built per alert: printf was most of
 * the stage's cost). */
static void append_field_uint(GString *k, uint64_t v)
{
    char buf[24];
    size_t n = sizeof buf;
    buf[--n] = '|';
    do {
        buf[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    g_string_append_len(k, buf + n, (gssize)(sizeof buf - n));
}

static void append_field_str(GString *k, const char *v)
{
    g_string_append(k, v);
    g_string_append_c(k, '|');
}

static void build_key(struct dedup *d, const struct event *ev, const char *remote, const struct process_view *pv)
{
    GString *k = d->key;
    g_string_truncate(k, 0);
    append_field_uint(k, (unsigned)ev->kind);
    append_field_uint(k, (unsigned)ev->verdict);
    append_field_uint(k, ev->transport);
    append_field_str(k, ev->iface->name);
    append_field_str(k, remote);
    append_field_uint(k, pv->pid);
    append_field_str(k, pv->name);
    if (ev->kind == EVENT_DNS && ev->dns && ev->dns->question_count) {
        append_field_str(k, ev->dns->questions[0].name);
        append_field_uint(k, ev->dns->questions[0].qtype);
    }
}

static uint64_t window_end(const struct dedup *d, const struct window *w)
{
    return w->start_ns > UINT64_MAX - d->cfg.window_ns ? UINT64_MAX : w->start_ns + d->cfg.window_ns;
}

/* Makes room by dropping windows that have ended; false when none had. */
static bool sweep_ended(struct dedup *d, uint64_t now_ns)
{
    if (now_ns < d->next_end_ns)
        return false;
    GHashTableIter it;
    gpointer key, value;
    guint before = g_hash_table_size(d->windows);
    uint64_t next_end = UINT64_MAX;
    g_hash_table_iter_init(&it, d->windows);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        uint64_t end = window_end(d, value);
        if (now_ns >= end)
            g_hash_table_iter_remove(&it);
        else if (end < next_end)
            next_end = end;
    }
    d->next_end_ns = next_end;
    return g_hash_table_size(d->windows) < before;
}

static void record(struct dedup *d, const struct event *ev, const char *remote, const struct process_view *pv,
                   bool alert, uint64_t seen)
{
    d->totals.seen += seen;
    if ((unsigned)ev->kind < EVENT_KIND_COUNT) {
        d->by_kind[ev->kind].alerts += alert ? 1 : 0;
        d->by_kind[ev->kind].seen += seen;
    }
    tally_table_add(&d->by_iface, ev->iface->name, alert, seen);
    char label[PROCESS_NAME_MAX + 16];
    if (pv->pid || pv->name[0])
        d->any_process = true;
    tally_table_add(&d->by_process, process_view_label(pv, label, sizeof label), alert, seen);
    char dest[ADDR_PORT_STRLEN + 24];
    size_t kind_len = strlen(event_kind_name(ev->kind)), remote_len = strlen(remote);
    if (kind_len + 1 + remote_len >= sizeof dest)
        remote_len = sizeof dest - kind_len - 2; /* cannot happen: kind names are short */
    memcpy(dest, event_kind_name(ev->kind), kind_len);
    dest[kind_len] = ' ';
    memcpy(dest + kind_len + 1, remote, remote_len);
    dest[kind_len + 1 + remote_len] = 0;
    tally_table_add(&d->by_destination, dest, alert, seen);
    if (ev->has_exposed) {
        char exposed[ADDR_PORT_STRLEN];
        addr_port_format(&ev->exposed, ev->exposed_port, exposed, sizeof exposed);
        tally_table_add(&d->exposed, exposed, alert, seen);
    }
}

bool dedup_admit(struct dedup *d, struct event *ev)
{
    char remote[ADDR_PORT_STRLEN];
    struct process_view pv;
    remote_end(ev, remote, sizeof remote);
    process_view_get(ev, &pv);
    uint64_t seen = 1 + (uint64_t)ev->repeats; /* STUN retransmissions already folded upstream */
    d->totals.folded += ev->repeats;
    if (d->cfg.window_ns == 0) {
        d->totals.alerts++;
        record(d, ev, remote, &pv, true, seen);
        return true;
    }
    build_key(d, ev, remote, &pv);
    struct window *w = g_hash_table_lookup(d->windows, d->key->str);
    if (w) {
        /* Out-of-order timestamps count as inside the window. */
        bool inside = ev->ts_ns < w->start_ns || ev->ts_ns - w->start_ns < d->cfg.window_ns;
        if (inside) {
            w->pending += 1 + ev->repeats;
            d->totals.folded++;
            ev->folded = true;
            record(d, ev, remote, &pv, false, seen);
            return false;
        }
        ev->repeats += w->pending;
        w->pending = 0;
        w->start_ns = ev->ts_ns;
    } else if (g_hash_table_size(d->windows) >= d->cfg.max_keys && !sweep_ended(d, ev->ts_ns)) {
        d->totals.untracked++;
    } else {
        w = g_new0(struct window, 1);
        w->start_ns = ev->ts_ns;
        g_hash_table_insert(d->windows, g_strdup(d->key->str), w);
        if (window_end(d, w) < d->next_end_ns)
            d->next_end_ns = window_end(d, w);
    }
    d->totals.alerts++;
    record(d, ev, remote, &pv, true, seen);
    return true;
}

const struct dedup_totals *dedup_totals(const struct dedup *d)
{
    return &d->totals;
}

/* ---- summary ---- */

struct named_tally {
    const char *name;
    const struct tally *t;
};

static gint by_seen_then_name(gconstpointer pa, gconstpointer pb)
{
    const struct named_tally *a = pa, *b = pb;
    if (a->t->seen != b->t->seen)
        return a->t->seen > b->t->seen ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The rows of a table, most seen first (then by name, so output is stable). */
static GArray *sorted_rows(const struct tally_table *t)
{
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(struct named_tally));
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, t->rows);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct named_tally nt = { key, value };
        g_array_append_val(rows, nt);
    }
    g_array_sort(rows, by_seen_then_name);
    if (t->has_other) {
        struct named_tally nt = { "other", &t->other };
        g_array_append_val(rows, nt);
    }
    return rows;
}

static void append_tally_text(GString *out, const char *name, const struct tally *t)
{
    g_string_append_printf(out, "%s %" G_GUINT64_FORMAT, name, t->alerts);
    if (t->seen > t->alerts)
        g_string_append_printf(out, " (seen %" G_GUINT64_FORMAT ")", t->seen);
}

static void table_line(GString *out, const char *prefix, const char *title, const struct tally_table *t)
{
    GArray *rows = sorted_rows(t);
    g_string_append_printf(out, "%s%s:", prefix, title);
    for (guint i = 0; i < rows->len && i < SUMMARY_TEXT_TOP; i++) {
        const struct named_tally *nt = &g_array_index(rows, struct named_tally, i);
        g_string_append(out, i ? ", " : " ");
        append_tally_text(out, nt->name, nt->t);
    }
    if (rows->len > SUMMARY_TEXT_TOP)
        g_string_append_printf(out, " and %u more", rows->len - SUMMARY_TEXT_TOP);
    g_string_append_c(out, '\n');
    g_array_free(rows, TRUE);
}

void dedup_summary_text(const struct dedup *d, const char *prefix, GString *out)
{
    if (!d->totals.seen)
        return;
    g_string_append_printf(out, "%salerts by kind:", prefix);
    const char *sep = " ";
    for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++) {
        if (!d->by_kind[k].seen)
            continue;
        g_string_append(out, sep);
        append_tally_text(out, event_kind_name((enum event_kind)k), &d->by_kind[k]);
        sep = ", ";
    }
    if (d->totals.folded)
        g_string_append_printf(out, "; %" G_GUINT64_FORMAT " repeat%s folded", d->totals.folded,
                               d->totals.folded == 1 ? "" : "s");
    g_string_append_c(out, '\n');
    table_line(out, prefix, "alerts by interface", &d->by_iface);
    if (d->any_process)
        table_line(out, prefix, "alerts by process", &d->by_process);
    table_line(out, prefix, "alerts by destination", &d->by_destination);
    if (g_hash_table_size(d->exposed.rows))
        table_line(out, prefix, "exposed", &d->exposed);
}

static void tally_json(struct json_writer *w, const char *key_name, const char *name, const struct tally *t)
{
    json_object_begin(w, NULL);
    json_str(w, key_name, name);
    json_uint(w, "alerts", t->alerts);
    json_uint(w, "seen", t->seen);
    json_object_end(w);
}

static void table_json(struct json_writer *w, const char *member, const char *key_name, const struct tally_table *t)
{
    GArray *rows = sorted_rows(t);
    json_array_begin(w, member);
    for (guint i = 0; i < rows->len; i++) {
        const struct named_tally *nt = &g_array_index(rows, struct named_tally, i);
        tally_json(w, key_name, nt->name, nt->t);
    }
    json_array_end(w);
    g_array_free(rows, TRUE);
}

void dedup_summary_json(const struct dedup *d, struct json_writer *w)
{
    json_uint(w, "repeats_folded", d->totals.folded);
    json_array_begin(w, "by_kind");
    for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
        if (d->by_kind[k].seen)
            tally_json(w, "kind", event_kind_name((enum event_kind)k), &d->by_kind[k]);
    json_array_end(w);
    table_json(w, "by_interface", "interface", &d->by_iface);
    table_json(w, "by_process", "process", &d->by_process);
    table_json(w, "by_destination", "destination", &d->by_destination);
    table_json(w, "exposed_addresses", "address", &d->exposed);
}

/* ---- rate limit ---- */

void rate_limit_init(struct rate_limit *r, double per_second, double burst)
{
    memset(r, 0, sizeof *r);
    r->per_second = per_second;
    r->burst = burst < 1 ? 1 : burst;
    r->tokens = r->burst;
}

bool rate_limit_take(struct rate_limit *r, uint64_t now_ns)
{
    if (r->per_second <= 0)
        return true;
    if (r->last_ns && now_ns > r->last_ns) {
        r->tokens += (double)(now_ns - r->last_ns) * r->per_second / 1e9;
        if (r->tokens > r->burst)
            r->tokens = r->burst;
    }
    r->last_ns = now_ns;
    if (r->tokens >= 1) {
        r->tokens -= 1;
        return true;
    }
    r->suppressed++;
    return false;
}
