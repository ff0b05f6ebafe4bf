/* test_hash_index.c — the open-addressing index (src/hash_index.h) against
 * a GHashTable model: random adds, finds, removals and renumberings, with a
 * hash so poor that runs are long and wrap around the end of the slots, so
 * the backward shift on removal is exercised; and hash_bytes' basic promises. */
#include <glib.h>
#include <string.h>

#include "hash_index.h"

static uint64_t rng = 0x853c49e6748fea9bull;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* The caller's side: entries are keys in a dense array. */
struct table {
    struct hash_index index;
    uint32_t keys[4096];
    uint32_t count;
    uint32_t (*hash)(uint32_t key);
};

static uint32_t poor_hash(uint32_t key) { return (key % 7) * 0x10001u + 0xfff0u; } /* clusters, near the top: wraps */
static uint32_t good_hash(uint32_t key) { return (uint32_t)hash_bytes(&key, sizeof key, 1); }

static struct table *current; /* the table key_matches looks in */

static bool key_matches(const void *ctx, uint32_t entry)
{
    const uint32_t *want = ctx;
    return current->keys[entry] == *want;
}

static uint32_t table_find(struct table *t, uint32_t key)
{
    current = t;
    return hash_index_find(&t->index, t->hash(key), key_matches, &key);
}

/* Removes entry n the way callers do: the last entry takes its number. */
static void table_remove(struct table *t, uint32_t n)
{
    g_assert_true(hash_index_remove(&t->index, t->hash(t->keys[n]), n));
    uint32_t last = --t->count;
    if (n != last) {
        t->keys[n] = t->keys[last];
        hash_index_move(&t->index, t->hash(t->keys[n]), last, n);
    }
}

static void run_against_model(uint32_t (*hash)(uint32_t), uint32_t key_range)
{
    struct table *t = g_new0(struct table, 1);
    t->hash = hash;
    hash_index_init(&t->index, 4);
    GHashTable *model = g_hash_table_new(g_direct_hash, g_direct_equal); /* key+1 → present */
    for (int step = 0; step < 200000; step++) {
        uint32_t key = next_random() % key_range;
        uint32_t n = table_find(t, key);
        bool present = g_hash_table_contains(model, GUINT_TO_POINTER(key + 1));
        g_assert_cmpint(n != HASH_INDEX_NONE, ==, present);
        if (present) {
            g_assert_cmpuint(t->keys[n], ==, key);
            if (next_random() % 2) {
                table_remove(t, n);
                g_hash_table_remove(model, GUINT_TO_POINTER(key + 1));
            }
        } else if (t->count < G_N_ELEMENTS(t->keys)) {
            t->keys[t->count] = key;
            hash_index_add(&t->index, hash(key), t->count);
            t->count++;
            g_hash_table_add(model, GUINT_TO_POINTER(key + 1));
        }
        g_assert_cmpuint(t->index.count, ==, t->count);
    }
    /* Every entry is still found under its own number. */
    for (uint32_t i = 0; i < t->count; i++)
        g_assert_cmpuint(table_find(t, t->keys[i]), ==, i);
    hash_index_clear(&t->index);
    g_assert_cmpuint(t->index.count, ==, 0);
    if (t->count)
        g_assert_cmpuint(table_find(t, t->keys[0]), ==, HASH_INDEX_NONE);
    hash_index_free(&t->index);
    g_hash_table_destroy(model);
    g_free(t);
}

static void test_poor_hash(void) { run_against_model(poor_hash, 300); }
static void test_good_hash(void) { run_against_model(good_hash, 5000); }

static void test_hash_bytes(void)
{
    uint8_t a[32], b[32];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)next_random();
    for (size_t n = 0; n <= sizeof a; n++) {
        g_assert_cmpuint(hash_bytes(a, n, 7), ==, hash_bytes(b, n, 7));
        if (n < sizeof a) { /* bytes past n do not count */
            b[n] ^= 0x40;
            g_assert_cmpuint(hash_bytes(a, n, 7), ==, hash_bytes(b, n, 7));
            b[n] ^= 0x40;
        }
        if (n) { /* every byte within n does, in the low bits the slots use */
            for (size_t k = 0; k < n; k++) {
                b[k] ^= 1;
                g_assert_cmpuint(hash_bytes(a, n, 7) & 0xffff, !=, hash_bytes(b, n, 7) & 0xffff);
                b[k] ^= 1;
            }
        }
    }
    /* Zero bytes at the end change the hash: "a" and "a\0" differ. */
    g_assert_cmpuint(hash_bytes("a", 1, 0), !=, hash_bytes("a\0", 2, 0));
    g_assert_cmpuint(hash_bytes("", 0, 0), !=, hash_bytes("", 0, 1));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hash-index/poor-hash", test_poor_hash);
    g_test_add_func("/hash-index/good-hash", test_good_hash);
    g_test_add_func("/hash-index/hash-bytes", test_hash_bytes);
    return g_test_run();
}
