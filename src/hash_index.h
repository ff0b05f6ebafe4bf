/* hash_index.h — an open-addressing index from a key's hash to the number
 * of its entry in an array the caller owns, for tables on the alert path
 * (de-duplication windows, summary rows, waiting STUN requests) that look
 * up fixed-size binary keys: no allocation per insert (the slots double
 * when half full), no key formatting, no hash or compare through GLib's
 * function pointers.
 *
 * Owns: the slots only. The caller keeps the keys and says whether entry n
 * is the one sought (hash_index_find's match); entries are renumbered with
 * hash_index_move when the caller compacts its array.
 * Knows nothing of what the keys are. Also here: hash_bytes, the hash the
 * callers use (not keyed: like g_str_hash before it).
 */
#ifndef LEAKAUDIT_HASH_INDEX_H
#define LEAKAUDIT_HASH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_INDEX_NONE UINT32_MAX

struct hash_slot {
    uint32_t hash;
    uint32_t entry; /* HASH_INDEX_NONE: free */
};

struct hash_index {
    struct hash_slot *slots;
    uint32_t mask;  /* slot count − 1 (a power of two) */
    uint32_t count; /* entries indexed */
};

/* Room for `expected` entries before the first growth. */
void hash_index_init(struct hash_index *hi, uint32_t expected);
void hash_index_free(struct hash_index *hi);
void hash_index_clear(struct hash_index *hi);

/* True when entry n holds the key sought. */
typedef bool (*hash_index_match_fn)(const void *ctx, uint32_t entry);

/* The entry with this hash that match accepts, or HASH_INDEX_NONE. */
uint32_t hash_index_find(const struct hash_index *hi, uint32_t hash, hash_index_match_fn match, const void *ctx);
/* Indexes entry under hash (the caller has checked it is not there yet). */
void hash_index_add(struct hash_index *hi, uint32_t hash, uint32_t entry);
/* Drops entry (indexed under hash); false when it was not there. */
bool hash_index_remove(struct hash_index *hi, uint32_t hash, uint32_t entry);
/* Entry `from` (indexed under hash) is now numbered `to`. */
void hash_index_move(struct hash_index *hi, uint32_t hash, uint32_t from, uint32_t to);

/* 64-bit hash of n bytes: word-at-a-time multiply and mix, then a final
 * avalanche (MurmurHash3's fmix64), so every input bit reaches the low bits
 * the slots use. */
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
