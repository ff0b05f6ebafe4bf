/* cursor.h — the only way leakaudit reads bytes that came from the wire or a file.
 *
 * Owns: bounds-checked, fail-soft reads over a borrowed byte span.
 * Knows nothing of protocols, flows, interfaces or output.
 *
 * Every getter checks the remaining length first. A read past the end does not
 * touch memory: it returns 0, sets the sticky `overrun` flag and leaves the
 * cursor exhausted, so a parser can read a whole header and test
 * cursor_ok() once at the end (tcpdump's GET_* idea, without longjmp).
 */
#ifndef LEAKAUDIT_CURSOR_H
#define LEAKAUDIT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
    const uint8_t *base; /* start of the span (never read past base+len) */
    size_t len;          /* length of the span */
    size_t off;          /* next byte to read */
    bool overrun;        /* sticky: some read wanted more than was left */
};

/* Result every dissector returns. */
enum dissect_result {
    DISSECT_OK = 0,        /* decoded; the output struct is filled */
    DISSECT_NOT_MINE = 1,  /* does not look like this protocol at all */
    DISSECT_MALFORMED = 2, /* looked like it, but is truncated or inconsistent */
};

static inline struct cursor cursor_make(const void *data, size_t len)
{
    struct cursor c = { (const uint8_t *)data, data ? len : 0, 0, false };
    return c;
}

static inline size_t cursor_left(const struct cursor *c) { return c->len - c->off; }
static inline size_t cursor_offset(const struct cursor *c) { return c->off; }
static inline size_t cursor_length(const struct cursor *c) { return c->len; }
static inline bool cursor_ok(const struct cursor *c) { return !c->overrun; }
static inline bool cursor_has(const struct cursor *c, size_t n) { return cursor_left(c) >= n; }

/* Marks the cursor failed and exhausted; every later read returns 0. */
static inline void cursor_fail(struct cursor *c)
{
    c->overrun = true;
    c->off = c->len;
}

static inline bool cursor_need(struct cursor *c, size_t n)
{
    if (cursor_left(c) < n) {
        cursor_fail(c);
        return false;
    }
    return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
    if (!cursor_need(c, 1))
        return 0;
    return c->base[c->off++];
}

static inline uint16_t cursor_u16be(struct cursor *c)
{
    if (!cursor_need(c, 2))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 2;
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t cursor_u24be(struct cursor *c)
{
    if (!cursor_need(c, 3))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t cursor_u32be(struct cursor *c)
{
    if (!cursor_need(c, 4))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 4;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t cursor_u48be(struct cursor *c)
{
    uint64_t hi = cursor_u16be(c);
    return (hi << 32) | cursor_u32be(c);
}

static inline uint64_t cursor_u64be(struct cursor *c)
{
    uint64_t hi = cursor_u32be(c);
    return (hi << 32) | cursor_u32be(c);
}

static inline uint16_t cursor_u16le(struct cursor *c)
{
    if (!cursor_need(c, 2))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 2;
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t cursor_u32le(struct cursor *c)
{
    if (!cursor_need(c, 4))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 4;
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Reads a 16/32-bit value in the byte order given (pcap/pcapng files). */
static inline uint16_t cursor_u16(struct cursor *c, bool big_endian)
{
    return big_endian ? cursor_u16be(c) : cursor_u16le(c);
}

static inline uint32_t cursor_u32(struct cursor *c, bool big_endian)
{
    return big_endian ? cursor_u32be(c) : cursor_u32le(c);
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
    if (!cursor_need(c, n))
        return false;
    c->off += n;
    return true;
}

/* Copies n bytes out; on overrun the destination is zero-filled. */
static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
    if (!cursor_need(c, n)) {
        memset(dst, 0, n);
        return false;
    }
    memcpy(dst, c->base + c->off, n);
    c->off += n;
    return true;
}

/* Splits off the next n bytes as their own cursor and advances past them.
 * On overrun the returned cursor is empty and already failed. */
static inline struct cursor cursor_take(struct cursor *c, size_t n)
{
    struct cursor sub = { c->base, 0, 0, true };
    if (!cursor_need(c, n))
        return sub;
    sub.base = c->base + c->off;
    sub.len = n;
    sub.overrun = false;
    c->off += n;
    return sub;
}

/* The unread rest as its own cursor (does not advance). */
static inline struct cursor cursor_rest(const struct cursor *c)
{
    struct cursor sub = { c->base + c->off, cursor_left(c), 0, false };
    return sub;
}

/* Looks at byte `ahead` positions past the current offset without moving.
 * Returns -1 when it is not there (and does not mark an overrun). */
static inline int cursor_peek_u8(const struct cursor *c, size_t ahead)
{
    if (cursor_left(c) <= ahead)
        return -1;
    return c->base[c->off + ahead];
}

static inline int32_t cursor_peek_u16be(const struct cursor *c, size_t ahead)
{
    if (cursor_left(c) < 2 || cursor_left(c) - 2 < ahead)
        return -1;
    const uint8_t *p = c->base + c->off + ahead;
    return (p[0] << 8) | p[1];
}

static inline int64_t cursor_peek_u32be(const struct cursor *c, size_t ahead)
{
    if (cursor_left(c) < 4 || cursor_left(c) - 4 < ahead)
        return -1;
    const uint8_t *p = c->base + c->off + ahead;
    return ((int64_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* Moves to an absolute offset inside the span (DNS compression pointers). */
static inline bool cursor_seek(struct cursor *c, size_t off)
{
    if (off > c->len) {
        cursor_fail(c);
        return false;
    }
    c->off = off;
    return true;
}

/* A read-only view of the next n bytes, or NULL when fewer are left. The only
 * sanctioned way to hand bytes to a library that wants a pointer (nDPI, CRC,
 * memcmp); it does not advance and does not mark an overrun. */
static inline const uint8_t *cursor_view(const struct cursor *c, size_t n)
{
    if (cursor_left(c) < n)
        return NULL;
    return c->base + c->off;
}

#endif
