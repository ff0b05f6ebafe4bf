/* source_pcapng.c — our own pcapng reader. libpcap reports no per-packet
 * interface and refuses files whose interfaces have different link types,
 * and both matter here: the interface a packet left by is the verdict.
 *
 * Owns: a read window over the input (one buffer, grown only for a block
 * larger than it, never per packet), block framing and validation, the
 * section/interface bookkeeping (every SHB starts a new set of interfaces;
 * source-wide ids stay unique), per-interface clocks (if_tsresol,
 * if_tsoffset) and the packet blocks: EPB, SPB and the obsolete PB.
 * Every file byte is read through struct cursor. Other blocks (NRB, ISB, DSB,
 * custom, …) are skipped whole.
 *
 * Format: draft-ietf-opsawg-pcapng (blocks are type, total length, body,
 * total length again; fields in the byte order of the section's SHB).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "source_internal.h"

enum {
    BLOCK_SHB = 0x0A0D0D0A,
    BLOCK_IDB = 1,
    BLOCK_PB = 2, /* obsolete Packet Block */
    BLOCK_SPB = 3,
    BLOCK_EPB = 6,
};

enum {
    BYTE_ORDER_MAGIC = 0x1A2B3C4D,
    BYTE_ORDER_MAGIC_SWAPPED = 0x4D3C2B1A,
    PCAPNG_MAJOR = 1,
    BLOCK_HEAD_LEN = 8,             /* type + total length */
    BLOCK_MIN_LEN = 12,             /* head + trailing length */
    SHB_MIN_LEN = 28,               /* + magic, version, section length */
    SHB_PEEK_LEN = 12,              /* enough to see an SHB's byte-order magic */
    BLOCK_MAX_LEN = (16 << 20) + (128 << 10), /* Wireshark's limit: 16 MiB of packet + room */
    WINDOW_INITIAL = 64 << 10,      /* the best read size measured, see source_pcap.c */
    IFACE_MAX = 1 << 16,            /* more IDBs than this is an attack, not a capture (bounds memory) */
};

enum {
    OPT_ENDOFOPT = 0,
    OPT_COMMENT = 1,
    OPT_IF_NAME = 2,
    OPT_IF_DESCRIPTION = 3,
    OPT_IF_TSRESOL = 9,
    OPT_IF_TSOFFSET = 14,
    OPT_EPB_FLAGS = 2,              /* also the PB's pack_flags */
    TSRESOL_POW2 = 0x80,            /* if_tsresol: 2^-n instead of 10^-n */
    TSRESOL_DEFAULT = 6,            /* microseconds */
    EPB_FLAGS_DIR_MASK = 0x3,
};

/* epb_flags bits 0-1. */
static const enum direction epb_direction[4] = { DIR_UNKNOWN, DIR_IN, DIR_OUT, DIR_UNKNOWN };

static const uint64_t pow10_table[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull, 1000000000ull,
    10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull, 100000000000000ull,
    1000000000000000ull, 10000000000000000ull, 100000000000000000ull, 1000000000000000000ull,
    10000000000000000000ull,
};

enum { NS_DIGITS = 9 };

/* How an interface's timestamp ticks become nanoseconds. */
struct iface_clock {
    uint8_t exponent;       /* resolution 10^-exponent or 2^-exponent seconds */
    bool pow2;
    int64_t offset_s;       /* if_tsoffset, seconds added to every timestamp */
};

enum block_result { BLOCK_SKIPPED, BLOCK_FRAME, BLOCK_FAILED };

struct pcapng_reader {
    /* read window: unread bytes are buf[pos, end) */
    int fd;                 /* -1: memory input, buf is the whole capture */
    uint8_t *own;           /* the window's storage for fd input */
    size_t cap;
    const uint8_t *buf;
    size_t pos, end;
    bool eof;
    uint64_t offset;        /* file offset of buf[pos] */
    /* current section */
    bool big_endian;
    unsigned section_base;  /* source-wide id of this section's interface 0 */
    GArray *clocks;         /* struct iface_clock, by source-wide id */
    /* per-frame scratch, reused */
    char *comment;
    size_t comment_cap;
    uint64_t last_ts_ns;    /* SPBs carry no timestamp: they get the previous one */
    /* a failure is final */
    char *failure;
};

/* ---- read window ---- */

/* Makes n bytes readable at pos when the input has them; returns how many are
 * (fewer only at end of input or on a read error, *errnum says which). */
static size_t window_fill(struct pcapng_reader *r, size_t n, int *errnum)
{
    *errnum = 0;
    size_t have = r->end - r->pos;
    if (have >= n || r->fd < 0 || r->eof)
        return have < n ? have : n;
    if (n > r->cap - r->pos) {
        /* Slide the unread bytes to the front; grow only for an oversized block. */
        memmove(r->own, r->own + r->pos, have);
        r->pos = 0;
        r->end = have;
        if (n > r->cap) {
            size_t want = r->cap * 2 > n ? r->cap * 2 : n;
            r->cap = want < BLOCK_MAX_LEN ? want : BLOCK_MAX_LEN;
            r->own = g_realloc(r->own, r->cap);
            r->buf = r->own;
        }
    }
    /* One read(2) at a time: a pipe delivers what it has, frame by frame. */
    while (r->end - r->pos < n) {
        ssize_t k = read(r->fd, r->own + r->end, r->cap - r->end);
        if (k > 0) {
            r->end += (size_t)k;
        } else if (k == 0) {
            r->eof = true;
            break;
        } else if (errno != EINTR) {
            *errnum = errno;
            break;
        }
    }
    have = r->end - r->pos;
    return have < n ? have : n;
}

/* The next n bytes as a cursor, consumed. Only after window_fill(n) == n. */
static struct cursor window_take(struct pcapng_reader *r, size_t n)
{
    struct cursor w = cursor_make(r->buf, r->end);
    cursor_seek(&w, r->pos);
    struct cursor blk = cursor_take(&w, n);
    r->pos += n;
    r->offset += n;
    return blk;
}

/* ---- failures ---- */

static enum block_result fail(struct capture_source *src, GError **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static enum block_result fail(struct capture_source *src, GError **err, const char *fmt, ...)
{
    struct pcapng_reader *r = src->impl;
    va_list ap;
    va_start(ap, fmt);
    char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_free(r->failure);
    r->failure = g_strdup_printf("'%s': %s", src->label, why);
    g_free(why);
    g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->failure);
    return BLOCK_FAILED;
}

static enum block_result fail_truncated(struct capture_source *src, GError **err, uint64_t block_offset)
{
    if (block_offset == 0)
        return fail(src, err, "truncated pcapng section header");
    return fail(src, err, "truncated at frame %" G_GUINT64_FORMAT " (byte offset %" G_GUINT64_FORMAT ")",
                src->frames + 1, block_offset);
}

/* ---- options ---- */

/* Steps to the next option; false at opt_endofopt or the end of the list. */
static bool option_next(struct cursor *opts, bool big_endian, uint16_t *code, struct cursor *value)
{
    if (cursor_left(opts) < 4)
        return false;
    *code = cursor_u16(opts, big_endian);
    uint16_t len = cursor_u16(opts, big_endian);
    if (*code == OPT_ENDOFOPT)
        return false;
    *value = cursor_take(opts, len);
    cursor_skip(opts, (4u - len % 4u) % 4u); /* a missing pad on the last option is harmless */
    return cursor_ok(value);
}

static uint64_t ticks_to_ns(const struct iface_clock *clk, uint64_t ticks)
{
    unsigned __int128 ns;
    if (clk->pow2)
        ns = ((unsigned __int128)ticks * pow10_table[NS_DIGITS]) >> clk->exponent;
    else if (clk->exponent <= NS_DIGITS)
        ns = (unsigned __int128)ticks * pow10_table[NS_DIGITS - clk->exponent];
    else if (clk->exponent - NS_DIGITS < (int)G_N_ELEMENTS(pow10_table))
        ns = ticks / pow10_table[clk->exponent - NS_DIGITS];
    else
        ns = 0;
    __int128 total = (__int128)ns + (__int128)clk->offset_s * pow10_table[NS_DIGITS];
    if (total < 0)
        return 0;
    if (total > (__int128)UINT64_MAX)
        return UINT64_MAX;
    return (uint64_t)total;
}

/* ---- blocks ---- */

static enum block_result read_shb(struct capture_source *src, struct cursor *body, uint64_t block_offset,
                                  struct frame *out, GError **err)
{
    struct pcapng_reader *r = src->impl;
    cursor_skip(body, 4); /* byte-order magic, already read */
    uint16_t major = cursor_u16(body, r->big_endian);
    uint16_t minor = cursor_u16(body, r->big_endian);
    if (major != PCAPNG_MAJOR)
        return fail(src, err, "unsupported pcapng version %u.%u (byte offset %" G_GUINT64_FORMAT ")", major, minor,
                    block_offset);
    /* A new section: its interfaces are numbered from 0 again. */
    r->section_base = src->ifaces->len;
    return BLOCK_SKIPPED;
}

static enum block_result read_idb(struct capture_source *src, struct cursor *body, uint64_t block_offset,
                                  struct frame *out, GError **err)
{
    struct pcapng_reader *r = src->impl;
    bool be = r->big_endian;
    uint16_t linktype = cursor_u16(body, be);
    cursor_skip(body, 2); /* reserved */
    uint32_t snaplen = cursor_u32(body, be);
    if (!cursor_ok(body) || src->ifaces->len >= IFACE_MAX) {
        src->malformed++;
        return BLOCK_SKIPPED;
    }
    struct iface_clock clk = { .exponent = TSRESOL_DEFAULT };
    struct cursor name = { 0 }, description = { 0 };
    bool has_name = false, has_description = false;
    uint16_t code;
    struct cursor v;
    while (option_next(body, be, &code, &v)) {
        if (code == OPT_IF_NAME && !has_name) {
            name = v;
            has_name = true;
        } else if (code == OPT_IF_DESCRIPTION && !has_description) {
            description = v;
            has_description = true;
        } else if (code == OPT_IF_TSRESOL && cursor_left(&v) >= 1) {
            uint8_t res = cursor_u8(&v);
            clk.pow2 = (res & TSRESOL_POW2) != 0;
            clk.exponent = res & (uint8_t)~TSRESOL_POW2;
        } else if (code == OPT_IF_TSOFFSET && cursor_left(&v) >= 8) {
            uint64_t first = cursor_u32(&v, be), second = cursor_u32(&v, be);
            clk.offset_s = (int64_t)(be ? (first << 32 | second) : (second << 32 | first));
        }
    }
    size_t name_len = cursor_left(&name), description_len = cursor_left(&description);
    struct source_iface *ifc =
        source_iface_add(src, linktype, snaplen, has_name ? (const char *)cursor_view(&name, name_len) : NULL,
                         name_len, has_description ? (const char *)cursor_view(&description, description_len) : NULL,
                         description_len);
    ifc->tsresol_ns_div = clk.pow2 ? (clk.exponent < 64 ? 1ull << clk.exponent : 0)
                                   : (clk.exponent < G_N_ELEMENTS(pow10_table) ? pow10_table[clk.exponent] : 0);
    g_array_append_val(r->clocks, clk);
    return BLOCK_SKIPPED;
}

/* Resolves a section-local interface id; NULL when the section never declared it. */
static const struct source_iface *section_iface(struct capture_source *src, uint32_t local_id)
{
    struct pcapng_reader *r = src->impl;
    if (local_id >= src->ifaces->len - r->section_base)
        return NULL;
    return g_ptr_array_index(src->ifaces, r->section_base + local_id);
}

/* EPB and PB options: direction from the flags word, the first comment. */
static void read_packet_options(struct pcapng_reader *r, struct cursor *opts, struct frame *out)
{
    uint16_t code;
    struct cursor v;
    while (option_next(opts, r->big_endian, &code, &v)) {
        if (code == OPT_EPB_FLAGS && cursor_left(&v) >= 4) {
            out->dir = epb_direction[cursor_u32(&v, r->big_endian) & EPB_FLAGS_DIR_MASK];
        } else if (code == OPT_COMMENT && !out->comment) {
            size_t len = cursor_left(&v);
            if (len + 1 > r->comment_cap) {
                r->comment_cap = len + 1;
                r->comment = g_realloc(r->comment, r->comment_cap);
            }
            cursor_copy(&v, r->comment, len);
            r->comment[len] = '\0';
            out->comment = r->comment;
        }
    }
}

static void fill_frame(struct capture_source *src, const struct source_iface *ifc, uint64_t ts_ns,
                       struct cursor *data, uint32_t wirelen, struct frame *out)
{
    struct pcapng_reader *r = src->impl;
    size_t caplen = cursor_left(data);
    r->last_ts_ns = ts_ns;
    out->number = ++src->frames;
    out->ts_ns = ts_ns;
    out->linktype = ifc->linktype;
    out->iface = ifc->id;
    out->iface_name = ifc->name;
    out->caplen = (uint32_t)caplen;
    out->wirelen = wirelen;
    out->data = cursor_view(data, caplen);
}

/* EPB and the obsolete PB differ only in the interface id's width. */
static enum block_result read_packet(struct capture_source *src, struct cursor *body, bool obsolete_pb,
                                     struct frame *out)
{
    struct pcapng_reader *r = src->impl;
    bool be = r->big_endian;
    uint32_t local_id;
    if (obsolete_pb) {
        local_id = cursor_u16(body, be);
        cursor_skip(body, 2); /* drops count */
    } else {
        local_id = cursor_u32(body, be);
    }
    uint64_t ts_high = cursor_u32(body, be), ts_low = cursor_u32(body, be);
    uint32_t caplen = cursor_u32(body, be);
    uint32_t wirelen = cursor_u32(body, be);
    struct cursor data = cursor_take(body, caplen);
    const struct source_iface *ifc = section_iface(src, local_id);
    if (!cursor_ok(body) || !ifc) {
        src->malformed++; /* captured length past the block, or an undeclared interface */
        return BLOCK_SKIPPED;
    }
    memset(out, 0, sizeof *out);
    cursor_skip(body, (4u - caplen % 4u) % 4u);
    read_packet_options(r, body, out);
    uint64_t ticks = ts_high << 32 | ts_low;
    fill_frame(src, ifc, ticks_to_ns(&g_array_index(r->clocks, struct iface_clock, ifc->id), ticks), &data,
               wirelen, out);
    return BLOCK_FRAME;
}

static enum block_result read_epb(struct capture_source *src, struct cursor *body, uint64_t block_offset,
                                  struct frame *out, GError **err)
{
    return read_packet(src, body, false, out);
}

static enum block_result read_pb(struct capture_source *src, struct cursor *body, uint64_t block_offset,
                                 struct frame *out, GError **err)
{
    return read_packet(src, body, true, out);
}

/* Simple Packet Block: interface 0, no timestamp, captured length implied. */
static enum block_result read_spb(struct capture_source *src, struct cursor *body, uint64_t block_offset,
                                  struct frame *out, GError **err)
{
    struct pcapng_reader *r = src->impl;
    uint32_t wirelen = cursor_u32(body, r->big_endian);
    const struct source_iface *ifc = section_iface(src, 0);
    if (!cursor_ok(body) || !ifc) {
        src->malformed++;
        return BLOCK_SKIPPED;
    }
    size_t caplen = cursor_left(body);
    if (wirelen < caplen)
        caplen = wirelen;
    if (ifc->snaplen && ifc->snaplen < caplen)
        caplen = ifc->snaplen;
    struct cursor data = cursor_take(body, caplen);
    memset(out, 0, sizeof *out);
    fill_frame(src, ifc, r->last_ts_ns, &data, wirelen, out);
    return BLOCK_FRAME;
}

typedef enum block_result (*block_reader)(struct capture_source *src, struct cursor *body, uint64_t block_offset,
                                          struct frame *out, GError **err);

static const struct {
    uint32_t type;
    block_reader read;
} block_readers[] = {
    { BLOCK_SHB, read_shb }, { BLOCK_IDB, read_idb }, { BLOCK_EPB, read_epb },
    { BLOCK_SPB, read_spb }, { BLOCK_PB, read_pb },
};

/* Reads one block: SOURCE_FRAME with *out, SOURCE_EOF, or SOURCE_ERROR. */
static enum source_status next_block(struct capture_source *src, struct frame *out, GError **err,
                                     enum block_result *result)
{
    struct pcapng_reader *r = src->impl;
    uint64_t block_offset = r->offset;
    int errnum;
    size_t have = window_fill(r, SHB_PEEK_LEN, &errnum);
    if (errnum) {
        fail(src, err, "read error at byte offset %" G_GUINT64_FORMAT ": %s", block_offset, g_strerror(errnum));
        return SOURCE_ERROR;
    }
    if (have == 0)
        return SOURCE_EOF;
    if (have < BLOCK_MIN_LEN) {
        fail_truncated(src, err, block_offset);
        return SOURCE_ERROR;
    }
    struct cursor peek = cursor_make(r->buf, r->end);
    cursor_seek(&peek, r->pos);
    uint32_t type_be = cursor_u32be(&peek);
    if (type_be == BLOCK_SHB) {
        /* The byte-order magic decides how this section, length included, reads. */
        struct cursor bom = peek;
        cursor_skip(&bom, 4);
        uint32_t magic = cursor_u32be(&bom);
        if (magic == BYTE_ORDER_MAGIC) {
            r->big_endian = true;
        } else if (magic == BYTE_ORDER_MAGIC_SWAPPED) {
            r->big_endian = false;
        } else {
            fail(src, err, "corrupt section header at byte offset %" G_GUINT64_FORMAT " (byte-order magic 0x%08x)",
                 block_offset, magic);
            return SOURCE_ERROR;
        }
    }
    struct cursor fields = cursor_make(r->buf, r->end);
    cursor_seek(&fields, r->pos);
    uint32_t type = cursor_u32(&fields, r->big_endian);
    uint32_t total = cursor_u32(&fields, r->big_endian);
    uint32_t min_len = type == BLOCK_SHB ? SHB_MIN_LEN : BLOCK_MIN_LEN;
    if (total < min_len || total % 4 || total > BLOCK_MAX_LEN) {
        fail(src, err, "corrupt block at byte offset %" G_GUINT64_FORMAT " (type 0x%08x, length %u)", block_offset,
             type, total);
        return SOURCE_ERROR;
    }
    /* A length past the end of a file of known size is truncation: say so
     * without first growing the window to hold it. */
    if ((src->bytes_total && block_offset + total > src->bytes_total) || window_fill(r, total, &errnum) < total) {
        if (errnum)
            fail(src, err, "read error at byte offset %" G_GUINT64_FORMAT ": %s", block_offset, g_strerror(errnum));
        else
            fail_truncated(src, err, block_offset);
        return SOURCE_ERROR;
    }
    struct cursor block = window_take(r, total);
    src->bytes_read = r->offset;
    cursor_skip(&block, BLOCK_HEAD_LEN);
    struct cursor body = cursor_take(&block, total - BLOCK_MIN_LEN);
    uint32_t trailing = cursor_u32(&block, r->big_endian);
    if (trailing != total) {
        fail(src, err, "corrupt block at byte offset %" G_GUINT64_FORMAT " (length %u, trailing length %u)",
             block_offset, total, trailing);
        return SOURCE_ERROR;
    }
    *result = BLOCK_SKIPPED;
    for (size_t i = 0; i < G_N_ELEMENTS(block_readers); i++)
        if (block_readers[i].type == type)
            *result = block_readers[i].read(src, &body, block_offset, out, err);
    if (*result == BLOCK_FAILED)
        return SOURCE_ERROR;
    return SOURCE_FRAME;
}

static enum source_status pcapng_next_frame(struct capture_source *src, struct frame *out, GError **err)
{
    struct pcapng_reader *r = src->impl;
    if (r->failure) {
        g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->failure);
        return SOURCE_ERROR;
    }
    for (;;) {
        enum block_result result;
        enum source_status st = next_block(src, out, err, &result);
        if (st != SOURCE_FRAME || result == BLOCK_FRAME)
            return st;
    }
}

static void pcapng_reader_close(struct capture_source *src)
{
    struct pcapng_reader *r = src->impl;
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    g_array_free(r->clocks, TRUE);
    g_free(r->own);
    g_free(r->comment);
    g_free(r->failure);
    g_free(r);
    src->impl = NULL;
}

static const struct source_format pcapng_format = {
    .name = "pcapng",
    .next = pcapng_next_frame,
    .close = pcapng_reader_close,
};

bool source_pcapng_start(struct capture_source *src, struct source_input *in, GError **err)
{
    struct pcapng_reader *r = g_new0(struct pcapng_reader, 1);
    src->impl = r;
    src->format = &pcapng_format;
    r->clocks = g_array_new(FALSE, FALSE, sizeof(struct iface_clock));
    r->fd = in->fd;
    in->fd = -1;
    if (in->mem) {
        r->buf = in->mem;
        r->end = in->mem_len;
    } else {
        /* Detection consumed the magic: it starts the window. */
        r->cap = WINDOW_INITIAL;
        r->own = g_malloc(r->cap);
        memcpy(r->own, in->head, sizeof in->head);
        r->end = sizeof in->head;
        r->buf = r->own;
    }
    /* Read the first section header now, so that a broken one fails the open. */
    enum block_result result;
    struct frame unused;
    if (next_block(src, &unused, err, &result) != SOURCE_FRAME) {
        if (err && !*err)
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s': truncated pcapng section header", src->label);
        pcapng_reader_close(src);
        return false;
    }
    return true;
}
