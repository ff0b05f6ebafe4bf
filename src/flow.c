/* flow.c — see flow.h.
 * Flows live in fixed-size chunks (stable pointers, no realloc moves), the
 * index is a power-of-two array of slot numbers with linear probing and
 * backward-shift deletion, and the LRU list is threaded through the flows. */
#include "flow.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK_BITS = 12, CHUNK_SIZE = 1 << CHUNK_BITS };
#define INDEX_EMPTY 0xffffffffu

struct flow_table {
    uint32_t cap;            /* max flows */
    uint64_t idle_ns;
    struct flow **chunks;    /* cap / CHUNK_SIZE chunk pointers, allocated on demand */
    uint32_t nchunks;
    uint32_t *index;         /* hash slot → flow number, INDEX_EMPTY when free */
    uint32_t index_mask;
    uint32_t *free_list;     /* flow numbers ready for reuse */
    uint32_t free_count;
    uint32_t next_unused;    /* flows never used yet start here */
    uint32_t lru_head, lru_tail; /* head = most recent */
    struct flow_stats stats;
    flow_evict_fn evict_fn;
    void *evict_user;
};

static inline struct flow *flow_at(const struct flow_table *t, uint32_t n)
{
    return &t->chunks[n >> CHUNK_BITS][n & (CHUNK_SIZE - 1)];
}

struct flow_table *flow_table_new(uint32_t max_flows, uint64_t idle_timeout_ns)
{
    if (max_flows < 16)
        max_flows = 16;
    struct flow_table *t = g_new0(struct flow_table, 1);
    t->cap = max_flows;
    t->idle_ns = idle_timeout_ns;
    t->nchunks = (max_flows + CHUNK_SIZE - 1) / CHUNK_SIZE;
    t->chunks = g_new0(struct flow *, t->nchunks);
    uint32_t size = 1;
    while (size < max_flows * 2u)
        size <<= 1;
    t->index = g_new(uint32_t, size);
    memset(t->index, 0xff, sizeof(uint32_t) * size);
    t->index_mask = size - 1;
    t->free_list = g_new(uint32_t, max_flows);
    t->lru_head = t->lru_tail = FLOW_NIL;
    t->stats.cap = max_flows;
    return t;
}

void flow_table_set_evict(struct flow_table *t, flow_evict_fn fn, void *user)
{
    t->evict_fn = fn;
    t->evict_user = user;
}

/* memcmp()'s order of two addresses: bytes compared as big-endian words
 * (addresses are our own copies, not packet bytes). */
static int addr_order(const uint8_t *a, const uint8_t *b, bool v4)
{
    if (v4) {
        uint32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        x = __builtin_bswap32(x), y = __builtin_bswap32(y);
        return (x > y) - (x < y);
    }
    for (int half = 0; half < 2; half++) {
        uint64_t x, y;
        memcpy(&x, a + 8 * half, 8);
        memcpy(&y, b + 8 * half, 8);
        x = __builtin_bswap64(x), y = __builtin_bswap64(y);
        if (x != y)
            return x > y ? 1 : -1;
    }
    return 0;
}

/* Builds the canonical key; returns 0 if the packet goes lo→hi, 1 otherwise. */
static int make_key(const struct packet *p, struct flow_key *k)
{
    bool v4 = p->ip_version == 4;
    int cmp = addr_order(p->src.bytes, p->dst.bytes, v4);
    int reverse = cmp > 0 || (cmp == 0 && p->sport > p->dport);
    const struct ip_addr *lo = reverse ? &p->dst : &p->src, *hi = reverse ? &p->src : &p->dst;
    memset(k, 0, sizeof *k);
    k->family = p->ip_version;
    k->proto = p->l4_proto;
    if (v4) {
        memcpy(k->addr_lo, lo->bytes, 4);
        memcpy(k->addr_hi, hi->bytes, 4);
    } else {
        memcpy(k->addr_lo, lo->bytes, 16);
        memcpy(k->addr_hi, hi->bytes, 16);
    }
    k->port_lo = reverse ? p->dport : p->sport;
    k->port_hi = reverse ? p->sport : p->dport;
    return reverse;
}

static inline uint64_t hash_word(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

/* Multiply-xorshift over the key's 40 bytes as five 64-bit words (written
 * out: GCC kept the five-step loop a loop). */
static uint32_t key_hash(const struct flow_key *k)
{
    uint64_t w[5];
    memcpy(w, k, sizeof w);
    uint64_t h = 0x9e3779b97f4a7c15ull;
    h = hash_word(hash_word(hash_word(hash_word(hash_word(h, w[0]), w[1]), w[2]), w[3]), w[4]);
    return (uint32_t)(h ^ (h >> 29));
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
    if (f->lru_prev != FLOW_NIL)
        flow_at(t, f->lru_prev)->lru_next = f->lru_next;
    else
        t->lru_head = f->lru_next;
    if (f->lru_next != FLOW_NIL)
        flow_at(t, f->lru_next)->lru_prev = f->lru_prev;
    else
        t->lru_tail = f->lru_prev;
}

static void lru_push_head(struct flow_table *t, struct flow *f, uint32_t n)
{
    f->lru_prev = FLOW_NIL;
    f->lru_next = t->lru_head;
    if (t->lru_head != FLOW_NIL)
        flow_at(t, t->lru_head)->lru_prev = n;
    t->lru_head = n;
    if (t->lru_tail == FLOW_NIL)
        t->lru_tail = n;
}

static void index_remove(struct flow_table *t, uint32_t n, uint32_t hash)
{
    uint32_t i = hash & t->index_mask;
    while (t->index[i] != n)
        i = (i + 1) & t->index_mask;
    /* Backward-shift deletion keeps probe chains intact without tombstones. */
    uint32_t j = i;
    for (;;) {
        t->index[i] = INDEX_EMPTY;
        for (;;) {
            j = (j + 1) & t->index_mask;
            if (t->index[j] == INDEX_EMPTY)
                return;
            uint32_t home = flow_at(t, t->index[j])->hash & t->index_mask;
            /* Move j into the hole at i unless its home lies cyclically in (i, j]. */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        t->index[i] = t->index[j];
        i = j;
    }
}

static void flow_release(struct flow_table *t, uint32_t n)
{
    struct flow *f = flow_at(t, n);
    if (t->evict_fn)
        t->evict_fn(f, t->evict_user);
    for (int d = 0; d < 2; d++)
        g_free(f->stream[d]);
    index_remove(t, n, f->hash);
    lru_unlink(t, f);
    memset(f, 0, sizeof *f);
    t->free_list[t->free_count++] = n;
    t->stats.active--;
}

/* Idle at now_ns? Written without last_ns + idle_ns, which wraps for the
 * timestamps near 2^64 a hostile capture can carry: a wrapped sum once
 * retired the very flow a lookup was about to return. */
static bool flow_idle(const struct flow_table *t, const struct flow *f, uint64_t now_ns)
{
    return now_ns >= f->last_ns && now_ns - f->last_ns >= t->idle_ns;
}

/* Retires idle flows from the LRU tail; everything when all is set (end of
 * capture), never by a timestamp alone. */
static void expire_idle(struct flow_table *t, uint64_t now_ns, bool all)
{
    while (t->lru_tail != FLOW_NIL) {
        struct flow *f = flow_at(t, t->lru_tail);
        if (!all && !flow_idle(t, f, now_ns))
            break;
        flow_release(t, t->lru_tail);
        t->stats.evicted_idle++;
    }
}

void flow_table_expire(struct flow_table *t, uint64_t now_ns)
{
    expire_idle(t, now_ns, now_ns == UINT64_MAX);
}

static uint32_t flow_alloc(struct flow_table *t)
{
    if (t->free_count)
        return t->free_list[--t->free_count];
    if (t->next_unused < t->cap) {
        uint32_t n = t->next_unused++;
        uint32_t c = n >> CHUNK_BITS;
        if (!t->chunks[c]) /* a table smaller than a chunk gets only what it can use */
            t->chunks[c] = g_new0(struct flow, MIN((uint32_t)CHUNK_SIZE, t->cap - c * CHUNK_SIZE));
        return n;
    }
    /* Full: the least recently used flow makes room. */
    uint32_t victim = t->lru_tail;
    flow_release(t, victim);
    t->stats.evicted_cap++;
    return t->free_list[--t->free_count];
}

struct flow *flow_lookup(struct flow_table *t, const struct packet *p, uint64_t now_ns, bool create,
                         int *direction)
{
    if (now_ns == UINT64_MAX) /* a packet's time, not the end-of-input sentinel */
        now_ns--;
    struct flow_key k;
    *direction = make_key(p, &k);
    uint32_t h = key_hash(&k);
    uint32_t i = h & t->index_mask;
    for (;;) {
        uint32_t n = t->index[i];
        if (n == INDEX_EMPTY)
            break;
        struct flow *f = flow_at(t, n);
        if (f->hash == h && memcmp(&f->key, &k, sizeof k) == 0) {
            f->last_ns = now_ns > f->last_ns ? now_ns : f->last_ns;
            f->packets++;
            if (f->dir_packets[*direction] != UINT32_MAX)
                f->dir_packets[*direction]++;
            if (t->lru_head != n) {
                lru_unlink(t, f);
                lru_push_head(t, f, n);
            }
            /* f is at the head with last_ns >= now_ns: not idle, never retired here. */
            if (t->lru_tail != FLOW_NIL && flow_idle(t, flow_at(t, t->lru_tail), now_ns))
                expire_idle(t, now_ns, false);
            return f;
        }
        i = (i + 1) & t->index_mask;
    }
    if (!create)
        return NULL;
    if (t->lru_tail != FLOW_NIL && flow_idle(t, flow_at(t, t->lru_tail), now_ns))
        expire_idle(t, now_ns, false);
    uint32_t n = flow_alloc(t);
    struct flow *f = flow_at(t, n);
    memset(f, 0, sizeof *f);
    f->key = k;
    f->hash = h;
    f->first_ns = f->last_ns = now_ns;
    f->packets = 1;
    f->first_dir = (uint8_t)*direction;
    f->dir_packets[*direction] = 1;
    f->first_tcp_flags = p->tcp_flags;
    /* The slot found above may have been taken by eviction's shifting: probe again. */
    i = h & t->index_mask;
    while (t->index[i] != INDEX_EMPTY)
        i = (i + 1) & t->index_mask;
    t->index[i] = n;
    lru_push_head(t, f, n);
    t->stats.created++;
    t->stats.active++;
    if (t->stats.active > t->stats.peak)
        t->stats.peak = t->stats.active;
    return f;
}

int flow_client_dir(const struct flow *f)
{
    enum { SYN = 0x02, ACK = 0x10, PROTO_TCP = 6, WELL_KNOWN = 1024 };
    if (f->key.proto == PROTO_TCP && (f->first_tcp_flags & SYN))
        return (f->first_tcp_flags & ACK) ? !f->first_dir : f->first_dir;
    bool lo_server = f->key.port_lo < WELL_KNOWN, hi_server = f->key.port_hi < WELL_KNOWN;
    if (lo_server != hi_server)
        return lo_server ? 1 : 0; /* towards the lo side is hi→lo */
    return f->first_dir;
}

struct flow_stats flow_table_stats(const struct flow_table *t)
{
    return t->stats;
}

void flow_table_free(struct flow_table *t)
{
    if (!t)
        return;
    expire_idle(t, UINT64_MAX, true);
    for (uint32_t c = 0; c < t->nchunks; c++)
        g_free(t->chunks[c]);
    g_free(t->chunks);
    g_free(t->index);
    g_free(t->free_list);
    g_free(t);
}
