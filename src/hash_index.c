/* hash_index.c — see hash_index.h. Linear probing; removal shifts the
 * following run back instead of leaving tombstones, so lookups never slow
 * down as entries come and go. */
#include "hash_index.h"

#include <glib.h>
#include <string.h>

enum { HASH_INDEX_MIN_SLOTS = 16 };

static struct hash_slot *slots_new(uint32_t n)
{
    struct hash_slot *s = g_new(struct hash_slot, n);
    for (uint32_t i = 0; i < n; i++)
        s[i].entry = HASH_INDEX_NONE;
    return s;
}

void hash_index_init(struct hash_index *hi, uint32_t expected)
{
    uint32_t n = HASH_INDEX_MIN_SLOTS;
    while (n / 2 < expected && n < (1u << 31))
        n *= 2;
    hi->slots = slots_new(n);
    hi->mask = n - 1;
    hi->count = 0;
}

void hash_index_free(struct hash_index *hi)
{
    g_free(hi->slots);
    hi->slots = NULL;
    hi->mask = 0;
    hi->count = 0;
}

void hash_index_clear(struct hash_index *hi)
{
    for (uint32_t i = 0; i <= hi->mask; i++)
        hi->slots[i].entry = HASH_INDEX_NONE;
    hi->count = 0;
}

uint32_t hash_index_find(const struct hash_index *hi, uint32_t hash, hash_index_match_fn match, const void *ctx)
{
    for (uint32_t i = hash & hi->mask;; i = (i + 1) & hi->mask) {
        const struct hash_slot *s = &hi->slots[i];
        if (s->entry == HASH_INDEX_NONE)
            return HASH_INDEX_NONE;
        if (s->hash == hash && match(ctx, s->entry))
            return s->entry;
    }
}

static void place(struct hash_slot *slots, uint32_t mask, uint32_t hash, uint32_t entry)
{
    uint32_t i = hash & mask;
    while (slots[i].entry != HASH_INDEX_NONE)
        i = (i + 1) & mask;
    slots[i].hash = hash;
    slots[i].entry = entry;
}

void hash_index_add(struct hash_index *hi, uint32_t hash, uint32_t entry)
{
    if ((hi->count + 1) * 2 > hi->mask + 1) { /* keep at most half full: short probe runs */
        uint32_t n = (hi->mask + 1) * 2;
        struct hash_slot *grown = slots_new(n);
        for (uint32_t i = 0; i <= hi->mask; i++)
            if (hi->slots[i].entry != HASH_INDEX_NONE)
                place(grown, n - 1, hi->slots[i].hash, hi->slots[i].entry);
        g_free(hi->slots);
        hi->slots = grown;
        hi->mask = n - 1;
    }
    place(hi->slots, hi->mask, hash, entry);
    hi->count++;
}

static struct hash_slot *slot_of(const struct hash_index *hi, uint32_t hash, uint32_t entry)
{
    for (uint32_t i = hash & hi->mask;; i = (i + 1) & hi->mask) {
        struct hash_slot *s = &hi->slots[i];
        if (s->entry == HASH_INDEX_NONE)
            return NULL;
        if (s->entry == entry)
            return s;
    }
}

bool hash_index_remove(struct hash_index *hi, uint32_t hash, uint32_t entry)
{
    struct hash_slot *s = slot_of(hi, hash, entry);
    if (!s)
        return false;
    uint32_t hole = (uint32_t)(s - hi->slots);
    /* Move back every later member of the run that may sit in the hole:
     * one whose home slot is not cyclically in (hole, j]. */
    for (uint32_t j = (hole + 1) & hi->mask; hi->slots[j].entry != HASH_INDEX_NONE; j = (j + 1) & hi->mask) {
        uint32_t home = hi->slots[j].hash & hi->mask;
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            hi->slots[hole] = hi->slots[j];
            hole = j;
        }
    }
    hi->slots[hole].entry = HASH_INDEX_NONE;
    hi->count--;
    return true;
}

void hash_index_move(struct hash_index *hi, uint32_t hash, uint32_t from, uint32_t to)
{
    struct hash_slot *s = slot_of(hi, hash, from);
    if (s)
        s->entry = to;
}

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w * 0x9e3779b97f4a7c15ull;
    h = (h << 27 | h >> 37) * 0xff51afd7ed558ccdull;
    return h;
}

uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *b = p;
    uint64_t h = seed ^ (n * 0xc4ceb9fe1a85ec53ull);
    for (; n >= 8; n -= 8, b += 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = mix(h, w);
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, b, n);
        h = mix(h, w);
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}
