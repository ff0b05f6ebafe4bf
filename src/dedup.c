/* dedup.c — see dedup.h. Runs on every alert (and every folded repeat), so
 * the windows and the summary rows are found by fixed-size binary keys in
 * open-addressing indexes (hash_index.h): no string is built, formatted or
 * allocated per alert. Text is made only for a summary row seen the first
 * time (its printed name), and a heap copy only for a window whose names do
 * not fit its inline buffer. */
#include "dedup.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hash_index.h"
#include "iface.h"
#include "json.h"
#include "process_view.h"

enum { TOTALS_TABLE_CAP = 1024, SUMMARY_TEXT_TOP = 8 };

/* The far end, as the key of a window or a summary row. Two remotes are the
 * same exactly when their printed "address:port" is: an IPv4 address is its
 * four bytes, a family other than 4 or 6 prints "-" whatever its bytes. */
struct remote_key {
    uint32_t kind;         /* 0 in keys that do not include it */
    uint8_t family;        /* 4, 6, or 0 for "-" */
    uint8_t zero;
    uint16_t port;
    uint8_t addr[16];
};

/* What makes two alerts "the same leak" (dedup.h), as fixed fields, and the
 * names that are part of it as text: interface, process name and the first
 * DNS question's name, each ended by a NUL (no name holds one), so the text
 * compares as bytes. */
struct window_key {
    uint32_t kind;
    uint32_t verdict;
    uint8_t transport;
    uint8_t has_question;  /* DNS with a question: qtype and its name count */
    uint16_t qtype;
    uint32_t pid;
    struct remote_key remote;
    uint32_t text_len;
};

enum {
    WINDOW_TEXT_MAX = IFACE_NAME_MAX + PROCESS_NAME_MAX + DNS_NAME_MAX + 1,
    WINDOW_TEXT_INLINE = 48, /* "eth0", no process, a typical name: no heap copy */
};

/* One leak's suppression window. */
struct window {
    struct window_key key;
    uint32_t hash;
    uint32_t pending;      /* repeats folded since that alert, told with the next one */
    uint64_t start_ns;     /* capture time of the alert that opened it */
    char *text_heap;       /* the key's text when longer than text_inline, else NULL */
    char text_inline[WINDOW_TEXT_INLINE];
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
    /* The last row found by name: interfaces repeat alert after alert. */
    const char *last_name; /* the row's key in rows */
    struct tally *last_row;
};

/* A summary table by remote (destination, exposed address), kept by binary
 * key: each key stands for exactly one printed name, so the first
 * TOTALS_TABLE_CAP keys are the rows a table by name would have had, and
 * the names are printed only for the summary (remote_rows_table). */
struct remote_rows {
    struct hash_index index;
    struct remote_key *keys; /* entry n ↔ tallies[n] */
    struct tally *tallies;
    uint32_t count, cap;
    struct tally other;
    bool has_other;
    void (*print)(const struct remote_key *, char *, size_t);
};

struct dedup {
    struct dedup_config cfg;
    struct window *windows;    /* dense: [0, window_count) */
    uint32_t window_count, window_cap;
    struct hash_index window_index;
    uint64_t next_end_ns;  /* no window ends before this capture time: a full
                            * table is not swept again until then (a sweep per
                            * alert made a busy capture quadratic) */
    struct dedup_totals totals;
    struct tally by_kind[EVENT_KIND_COUNT];
    struct tally_table by_iface, by_process;
    struct remote_rows by_destination, exposed;
    /* by_process's row for last_pv: offline every alert has no process */
    struct process_view last_pv;
    struct tally *last_pv_row;
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
    t->last_name = NULL;
    t->last_row = NULL;
}

/* The row of name, made when new; "other" once the table is full. */
static struct tally *tally_table_row(struct tally_table *t, const char *name)
{
    if (t->last_row && strcmp(t->last_name, name) == 0)
        return t->last_row;
    gpointer key, value;
    if (g_hash_table_lookup_extended(t->rows, name, &key, &value)) {
        t->last_name = key;
        t->last_row = value;
        return value;
    }
    if (g_hash_table_size(t->rows) >= TOTALS_TABLE_CAP) {
        t->has_other = true;
        return &t->other;
    }
    struct tally *row = g_new0(struct tally, 1);
    char *copy = g_strdup(name);
    g_hash_table_insert(t->rows, copy, row);
    t->last_name = copy;
    t->last_row = row;
    return row;
}

static void tally_add(struct tally *row, bool alert, uint64_t seen)
{
    row->alerts += alert ? 1 : 0;
    row->seen += seen;
}

static void remote_rows_init(struct remote_rows *r, void (*print)(const struct remote_key *, char *, size_t))
{
    memset(r, 0, sizeof *r);
    hash_index_init(&r->index, 64);
    r->print = print;
}

static void remote_rows_free(struct remote_rows *r)
{
    hash_index_free(&r->index);
    g_free(r->keys);
    g_free(r->tallies);
}

static void remote_key_set(struct remote_key *k, uint32_t kind, const struct ip_addr *a, uint16_t port)
{
    memset(k, 0, sizeof *k);
    k->kind = kind;
    k->port = port;
    if (a->family == 4) {
        k->family = 4;
        memcpy(k->addr, a->bytes, 4);
    } else if (a->family == 6) {
        k->family = 6;
        memcpy(k->addr, a->bytes, 16);
    }
}

struct remote_match {
    const struct remote_rows *r;
    const struct remote_key *key;
};

static bool remote_matches(const void *ctx, uint32_t entry)
{
    const struct remote_match *m = ctx;
    return memcmp(&m->r->keys[entry], m->key, sizeof *m->key) == 0;
}

/* The row of the remote (kind, address, port): made when new, "other" once
 * the table is full. */
static struct tally *remote_row(struct remote_rows *r, const struct remote_key *key)
{
    uint32_t hash = (uint32_t)hash_bytes(key, sizeof *key, 0);
    struct remote_match m = { r, key };
    uint32_t n = hash_index_find(&r->index, hash, remote_matches, &m);
    if (n != HASH_INDEX_NONE)
        return &r->tallies[n];
    if (r->count >= TOTALS_TABLE_CAP) {
        r->has_other = true;
        return &r->other;
    }
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->keys = g_renew(struct remote_key, r->keys, r->cap);
        r->tallies = g_renew(struct tally, r->tallies, r->cap);
    }
    n = r->count++;
    r->keys[n] = *key;
    memset(&r->tallies[n], 0, sizeof r->tallies[n]);
    hash_index_add(&r->index, hash, n);
    return &r->tallies[n];
}

/* The rows by printed name, as the summary reads them; the tallies stay
 * r's (free the table's rows with g_hash_table_destroy). */
static void remote_rows_table(const struct remote_rows *r, struct tally_table *t)
{
    t->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    t->other = r->other;
    t->has_other = r->has_other;
    t->last_name = NULL;
    t->last_row = NULL;
    for (uint32_t i = 0; i < r->count; i++) {
        char name[ADDR_PORT_STRLEN + 24];
        r->print(&r->keys[i], name, sizeof name);
        g_hash_table_insert(t->rows, g_strdup(name), &r->tallies[i]);
    }
}

static void remote_key_address(const struct remote_key *k, struct ip_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = k->family;
    memcpy(a->bytes, k->addr, sizeof a->bytes);
}

/* "stun 192.0.2.1:3478": kind and remote. */
static void print_destination(const struct remote_key *k, char *buf, size_t len)
{
    struct ip_addr a;
    remote_key_address(k, &a);
    const char *kind = event_kind_name((enum event_kind)k->kind);
    size_t n = strlen(kind);
    if (n + 1 + ADDR_PORT_STRLEN > len) { /* cannot happen: kind names are short */
        snprintf(buf, len, "%s", kind);
        return;
    }
    memcpy(buf, kind, n);
    buf[n] = ' ';
    addr_port_format(&a, k->port, buf + n + 1, len - n - 1);
}

static void print_exposed(const struct remote_key *k, char *buf, size_t len)
{
    struct ip_addr a;
    remote_key_address(k, &a);
    addr_port_format(&a, k->port, buf, len);
}

struct dedup *dedup_new(const struct dedup_config *cfg)
{
    struct dedup *d = g_new0(struct dedup, 1);
    d->cfg = *cfg;
    if (!d->cfg.max_keys)
        d->cfg.max_keys = 16384;
    hash_index_init(&d->window_index, 256);
    tally_table_init(&d->by_iface);
    tally_table_init(&d->by_process);
    remote_rows_init(&d->by_destination, print_destination);
    remote_rows_init(&d->exposed, print_exposed);
    return d;
}

void dedup_free(struct dedup *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->window_count; i++)
        g_free(d->windows[i].text_heap);
    g_free(d->windows);
    hash_index_free(&d->window_index);
    g_hash_table_destroy(d->by_iface.rows);
    g_hash_table_destroy(d->by_process.rows);
    remote_rows_free(&d->by_destination);
    remote_rows_free(&d->exposed);
    g_free(d);
}

/* The far end: where a request went, or who answered an exposure. */
static void remote_end(const struct event *ev, uint32_t kind, struct remote_key *k)
{
    if (ev->dir == DIR_IN)
        remote_key_set(k, kind, &ev->src, ev->sport);
    else
        remote_key_set(k, kind, &ev->dst, ev->dport);
}

static size_t put_name(char *text, size_t at, const char *name, size_t max)
{
    size_t n = strnlen(name, max - 1);
    memcpy(text + at, name, n);
    text[at + n] = '\0';
    return at + n + 1;
}

/* A window key with its text right behind it: hashed in one pass. */
struct window_key_text {
    struct window_key key;
    char text[WINDOW_TEXT_MAX];
};

/* The window key of ev and its text. */
static void build_key(const struct event *ev, const struct process_view *pv, struct window_key_text *kt)
{
    struct window_key *k = &kt->key;
    char *text = kt->text;
    memset(k, 0, sizeof *k);
    k->kind = (uint32_t)ev->kind;
    k->verdict = (uint32_t)ev->verdict;
    k->transport = ev->transport;
    k->pid = pv->pid;
    remote_end(ev, 0, &k->remote);
    size_t n = put_name(text, 0, ev->iface->name, IFACE_NAME_MAX);
    n = put_name(text, n, pv->name, PROCESS_NAME_MAX);
    if (ev->kind == EVENT_DNS && ev->dns && ev->dns->question_count) {
        k->has_question = 1;
        k->qtype = ev->dns->questions[0].qtype;
        n = put_name(text, n, ev->dns->questions[0].name, DNS_NAME_MAX + 1);
    }
    k->text_len = (uint32_t)n;
}

static const char *window_text(const struct window *w)
{
    return w->text_heap ? w->text_heap : w->text_inline;
}

struct window_match {
    const struct dedup *d;
    const struct window_key *key;
    const char *text;
};

static bool window_matches(const void *ctx, uint32_t entry)
{
    const struct window_match *m = ctx;
    const struct window *w = &m->d->windows[entry];
    return memcmp(&w->key, m->key, sizeof *m->key) == 0 && memcmp(window_text(w), m->text, m->key->text_len) == 0;
}

static uint64_t window_end(const struct dedup *d, const struct window *w)
{
    return w->start_ns > UINT64_MAX - d->cfg.window_ns ? UINT64_MAX : w->start_ns + d->cfg.window_ns;
}

/* Drops window n: the last one takes its place. */
static void window_remove(struct dedup *d, uint32_t n)
{
    struct window *w = &d->windows[n];
    hash_index_remove(&d->window_index, w->hash, n);
    g_free(w->text_heap);
    uint32_t last = --d->window_count;
    if (n != last) {
        *w = d->windows[last];
        hash_index_move(&d->window_index, w->hash, last, n);
    }
}

/* Makes room by dropping windows that have ended; false when none had. */
static bool sweep_ended(struct dedup *d, uint64_t now_ns)
{
    if (now_ns < d->next_end_ns)
        return false;
    uint32_t before = d->window_count;
    uint64_t next_end = UINT64_MAX;
    for (uint32_t i = 0; i < d->window_count;) {
        uint64_t end = window_end(d, &d->windows[i]);
        if (now_ns >= end) {
            window_remove(d, i); /* the last window moved to i: look at i again */
            continue;
        }
        if (end < next_end)
            next_end = end;
        i++;
    }
    d->next_end_ns = next_end;
    return d->window_count < before;
}

static struct window *window_add(struct dedup *d, const struct window_key *key, const char *text, uint32_t hash,
                                 uint64_t start_ns)
{
    if (d->window_count == d->window_cap) {
        uint32_t cap = d->window_cap ? d->window_cap * 2 : 256;
        if (cap > d->cfg.max_keys)
            cap = d->cfg.max_keys;
        d->windows = g_renew(struct window, d->windows, cap);
        d->window_cap = cap;
    }
    uint32_t n = d->window_count++;
    struct window *w = &d->windows[n];
    w->key = *key;
    w->hash = hash;
    w->pending = 0;
    w->start_ns = start_ns;
    w->text_heap = NULL;
    if (key->text_len <= sizeof w->text_inline)
        memcpy(w->text_inline, text, key->text_len);
    else
        w->text_heap = g_memdup2(text, key->text_len);
    hash_index_add(&d->window_index, hash, n);
    return w;
}

static void record(struct dedup *d, const struct event *ev, const struct process_view *pv, bool alert,
                   uint64_t seen)
{
    d->totals.seen += seen;
    if ((unsigned)ev->kind < EVENT_KIND_COUNT) {
        d->by_kind[ev->kind].alerts += alert ? 1 : 0;
        d->by_kind[ev->kind].seen += seen;
    }
    tally_add(tally_table_row(&d->by_iface, ev->iface->name), alert, seen);
    if (pv->pid || pv->name[0])
        d->any_process = true;
    if (!d->last_pv_row || d->last_pv.pid != pv->pid || strcmp(d->last_pv.name, pv->name) != 0) {
        char label[PROCESS_NAME_MAX + 16];
        d->last_pv = *pv;
        d->last_pv_row = tally_table_row(&d->by_process, process_view_label(pv, label, sizeof label));
    }
    tally_add(d->last_pv_row, alert, seen);
    struct remote_key dest;
    remote_end(ev, (uint32_t)ev->kind, &dest);
    tally_add(remote_row(&d->by_destination, &dest), alert, seen);
    if (ev->has_exposed) {
        struct remote_key exposed;
        remote_key_set(&exposed, 0, &ev->exposed, ev->exposed_port);
        tally_add(remote_row(&d->exposed, &exposed), alert, seen);
    }
}

bool dedup_admit(struct dedup *d, struct event *ev)
{
    struct process_view pv;
    process_view_get(ev, &pv);
    uint64_t seen = 1 + (uint64_t)ev->repeats; /* STUN retransmissions already folded upstream */
    d->totals.folded += ev->repeats;
    if (d->cfg.window_ns == 0) {
        d->totals.alerts++;
        record(d, ev, &pv, true, seen);
        return true;
    }
    struct window_key_text kt;
    build_key(ev, &pv, &kt);
    _Static_assert(offsetof(struct window_key_text, text) == sizeof(struct window_key), "text follows the key");
    uint32_t hash = (uint32_t)hash_bytes(&kt, sizeof kt.key + kt.key.text_len, 0);
    struct window_match m = { d, &kt.key, kt.text };
    uint32_t n = hash_index_find(&d->window_index, hash, window_matches, &m);
    struct window *w = n == HASH_INDEX_NONE ? NULL : &d->windows[n];
    if (w) {
        /* Out-of-order timestamps count as inside the window. */
        bool inside = ev->ts_ns < w->start_ns || ev->ts_ns - w->start_ns < d->cfg.window_ns;
        if (inside) {
            w->pending += 1 + ev->repeats;
            d->totals.folded++;
            ev->folded = true;
            record(d, ev, &pv, false, seen);
            return false;
        }
        ev->repeats += w->pending;
        w->pending = 0;
        w->start_ns = ev->ts_ns;
    } else if (d->window_count >= d->cfg.max_keys && !sweep_ended(d, ev->ts_ns)) {
        d->totals.untracked++;
    } else {
        w = window_add(d, &kt.key, kt.text, hash, ev->ts_ns);
        if (window_end(d, w) < d->next_end_ns)
            d->next_end_ns = window_end(d, w);
    }
    d->totals.alerts++;
    record(d, ev, &pv, true, seen);
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
    struct tally_table by_destination;
    remote_rows_table(&d->by_destination, &by_destination);
    table_line(out, prefix, "alerts by destination", &by_destination);
    g_hash_table_destroy(by_destination.rows);
    if (d->exposed.count) {
        struct tally_table exposed;
        remote_rows_table(&d->exposed, &exposed);
        table_line(out, prefix, "exposed", &exposed);
        g_hash_table_destroy(exposed.rows);
    }
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
    struct tally_table by_destination, exposed;
    remote_rows_table(&d->by_destination, &by_destination);
    remote_rows_table(&d->exposed, &exposed);
    table_json(w, "by_destination", "destination", &by_destination);
    table_json(w, "exposed_addresses", "address", &exposed);
    g_hash_table_destroy(by_destination.rows);
    g_hash_table_destroy(exposed.rows);
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
