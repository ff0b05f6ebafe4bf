/* test_source.c — the saved-capture readers (source_file.c, source_pcap.c,
 * source_pcapng.c): corpus captures against tshark's and capinfos' view of
 * them, synthetic pcapng/pcap files built here with every option and block
 * type we read, and hostile input (truncation at every byte, lying lengths,
 * bad magic, undeclared interfaces) that must end in a clean error after the
 * frames before it. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "source.h"
#include "testutil.h"

/* ---- helpers ---- */

struct read_result {
    unsigned frames;
    enum source_status last;
    char *error;            /* message of the final SOURCE_ERROR, or NULL */
    GPtrArray *data;        /* GBytes of every frame */
    GArray *ends;           /* source_bytes_read() after every frame */
};

static void read_result_clear(struct read_result *r)
{
    g_free(r->error);
    if (r->data)
        g_ptr_array_free(r->data, TRUE);
    if (r->ends)
        g_array_free(r->ends, TRUE);
    memset(r, 0, sizeof *r);
}

static void read_all(struct capture_source *src, struct read_result *r)
{
    memset(r, 0, sizeof *r);
    r->data = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    r->ends = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    struct frame f;
    GError *err = NULL;
    while ((r->last = source_next(src, &f, &err)) == SOURCE_FRAME) {
        r->frames++;
        g_assert_cmpuint(f.number, ==, r->frames);
        g_assert_true(f.caplen == 0 || f.data != NULL);
        g_ptr_array_add(r->data, g_bytes_new(f.data, f.caplen));
        uint64_t end = source_bytes_read(src);
        g_array_append_val(r->ends, end);
    }
    if (r->last == SOURCE_ERROR) {
        g_assert_nonnull(err);
        r->error = g_strdup(err->message);
        g_clear_error(&err);
    }
    g_assert_null(err);
}

static gchar *epoch_text(uint64_t ts_ns)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT, ts_ns / 1000000000u, ts_ns % 1000000000u);
}

/* Names as tshark prints them: "unknown" for none, \r as a space (the
 * expectation files are line based). */
static gchar *name_text(const char *name)
{
    if (!name)
        return g_strdup("unknown");
    gchar *s = g_strdup(name);
    g_strdelimit(s, "\r", ' ');
    return s;
}

static gchar *write_temp(const void *data, size_t len)
{
    GError *err = NULL;
    gchar *path = NULL;
    int fd = g_file_open_tmp("leakaudit-source-XXXXXX", &path, &err);
    g_assert_no_error(err);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, data, len), ==, (ssize_t)len);
    close(fd);
    return path;
}

/* ---- pcapng and pcap builders ---- */

enum { SHB = 0x0A0D0D0A, IDB = 1, PB = 2, SPB = 3, ISB = 5, EPB = 6, CUSTOM = 0x40000BAD };

struct builder {
    GByteArray *b;
    bool be;
};

static void put8(struct builder *w, uint8_t v)
{
    g_byte_array_append(w->b, &v, 1);
}

static void put16(struct builder *w, uint16_t v)
{
    uint8_t x[2] = { w->be ? v >> 8 : v & 0xff, w->be ? v & 0xff : v >> 8 };
    g_byte_array_append(w->b, x, 2);
}

static void put32(struct builder *w, uint32_t v)
{
    if (w->be) {
        put16(w, v >> 16);
        put16(w, v & 0xffff);
    } else {
        put16(w, v & 0xffff);
        put16(w, v >> 16);
    }
}

static void put_bytes(struct builder *w, const void *p, size_t n)
{
    g_byte_array_append(w->b, p, (guint)n);
}

static void pad4(struct builder *w)
{
    while (w->b->len % 4)
        put8(w, 0);
}

static void put_option(struct builder *w, uint16_t code, const void *v, uint16_t len)
{
    put16(w, code);
    put16(w, len);
    put_bytes(w, v, len);
    pad4(w);
}

static void put_option_str(struct builder *w, uint16_t code, const char *s)
{
    put_option(w, code, s, (uint16_t)strlen(s));
}

static void put_option_u32(struct builder *w, uint16_t code, uint32_t v)
{
    put16(w, code);
    put16(w, 4);
    put32(w, v);
}

static void put_end_of_options(struct builder *w)
{
    put16(w, 0);
    put16(w, 0);
}

static guint block_begin(struct builder *w, uint32_t type)
{
    guint start = w->b->len;
    put32(w, type);
    put32(w, 0); /* patched by block_end */
    return start;
}

static void block_end(struct builder *w, guint start)
{
    pad4(w);
    uint32_t total = w->b->len - start + 4;
    put32(w, total);
    struct builder patch = { g_byte_array_new(), w->be };
    put32(&patch, total);
    memcpy(w->b->data + start + 4, patch.b->data, 4);
    g_byte_array_free(patch.b, TRUE);
}

static void put_shb(struct builder *w, uint16_t major)
{
    guint s = block_begin(w, SHB);
    put32(w, 0x1A2B3C4D);
    put16(w, major);
    put16(w, 0);
    put32(w, 0xFFFFFFFF); /* section length unknown */
    put32(w, 0xFFFFFFFF);
    block_end(w, s);
}

static void put_epb(struct builder *w, uint32_t iface, uint64_t ticks, const void *data, uint32_t caplen,
                    uint32_t wirelen, uint32_t flags, const char *comment)
{
    guint s = block_begin(w, EPB);
    put32(w, iface);
    put32(w, (uint32_t)(ticks >> 32));
    put32(w, (uint32_t)ticks);
    put32(w, caplen);
    put32(w, wirelen);
    put_bytes(w, data, caplen);
    pad4(w);
    if (flags || comment) {
        if (comment)
            put_option_str(w, 1, comment);
        if (flags)
            put_option_u32(w, 2, flags);
        if (comment)
            put_option_str(w, 1, "a second comment is ignored");
        put_end_of_options(w);
    }
    block_end(w, s);
}

static const uint8_t payload_bytes[96] = {
    0x45, 0x00, 0x00, 0x1c, 0xde, 0xad, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
    0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, 'x', 'y', 'z', '!',
};

static const uint64_t frame1_ticks_ns = 1700000000123456789ull; /* if_tsresol 9: nanoseconds */
static const int64_t wan0_tsoffset_s = 10;
static const uint64_t tun0_ticks_frame2 = (3ull << 20) | (1ull << 19); /* 3.5 s at 2^-20 */

/* Two sections, the second big-endian, with every block type we read and a
 * few we must skip or count as malformed. Returns the file; *first_bad is the
 * offset where section 2 starts (for the damage tests). */
static GByteArray *build_synthetic_pcapng(guint *section2_offset)
{
    struct builder w = { g_byte_array_new(), false };
    put_shb(&w, 1);
    /* IDB 0: Ethernet, ns resolution, +10 s offset */
    guint s = block_begin(&w, IDB);
    put16(&w, 1);
    put16(&w, 0);
    put32(&w, 0);
    put_option_str(&w, 2, "wan0");
    put_option_str(&w, 3, "uplink");
    uint8_t ns = 9;
    put_option(&w, 9, &ns, 1);
    put16(&w, 14);
    put16(&w, 8);
    put32(&w, (uint32_t)wan0_tsoffset_s); /* little-endian 64-bit: low word first */
    put32(&w, 0);
    put_end_of_options(&w);
    block_end(&w, s);
    /* IDB 1: Linux cooked, snaplen 64, 2^-20 s resolution */
    s = block_begin(&w, IDB);
    put16(&w, 113);
    put16(&w, 0);
    put32(&w, 64);
    put_option_str(&w, 2, "tun0");
    uint8_t pow2 = 0x80 | 20;
    put_option(&w, 9, &pow2, 1);
    put_end_of_options(&w);
    block_end(&w, s);
    /* frame 1 */
    put_epb(&w, 0, frame1_ticks_ns, payload_bytes, 32, 32, 1 /* inbound */, "hello");
    /* frame 2 */
    put_epb(&w, 1, tun0_ticks_frame2, payload_bytes, 5, 60, 2 /* outbound */, NULL);
    /* undeclared interface: counted, skipped */
    put_epb(&w, 7, 0, payload_bytes, 8, 8, 0, NULL);
    /* captured length past the block: counted, skipped */
    s = block_begin(&w, EPB);
    put32(&w, 0);
    put32(&w, 0);
    put32(&w, 0);
    put32(&w, 1000);
    put32(&w, 1000);
    put_bytes(&w, payload_bytes, 16);
    block_end(&w, s);
    /* blocks to skip whole */
    s = block_begin(&w, CUSTOM);
    put32(&w, 32473); /* PEN */
    put_bytes(&w, "custom data", 11);
    block_end(&w, s);
    s = block_begin(&w, ISB);
    put32(&w, 0);
    put32(&w, 0);
    put32(&w, 0);
    block_end(&w, s);
    /* frame 3: obsolete Packet Block on interface 1 */
    s = block_begin(&w, PB);
    put16(&w, 1);
    put16(&w, 0); /* drops */
    put32(&w, 0);
    put32(&w, 2u << 20); /* 2 s */
    put32(&w, 4);
    put32(&w, 4);
    put_bytes(&w, payload_bytes, 4);
    put_option_u32(&w, 2, 2);
    put_end_of_options(&w);
    block_end(&w, s);
    /* frame 4: Simple Packet Block, interface 0 (no snaplen) */
    s = block_begin(&w, SPB);
    put32(&w, 70);
    put_bytes(&w, payload_bytes, 70);
    block_end(&w, s);
    /* section 2, big-endian: its interface 0 is source-wide interface 2 */
    *section2_offset = w.b->len;
    w.be = true;
    put_shb(&w, 1);
    s = block_begin(&w, IDB);
    put16(&w, 101);
    put16(&w, 0);
    put32(&w, 6);
    put_option_str(&w, 2, "eth9");
    put_end_of_options(&w);
    block_end(&w, s);
    put_epb(&w, 0, 1000000, payload_bytes, 8, 8, 0, NULL); /* frame 5: 1 s in µs */
    s = block_begin(&w, SPB); /* frame 6: snaplen 6 of the interface cuts it */
    put32(&w, 8);
    put_bytes(&w, payload_bytes, 8);
    block_end(&w, s);
    return w.b;
}

static void check_synthetic_frames(struct capture_source *src)
{
    struct frame f;
    GError *err = NULL;
    g_assert_cmpstr(source_format_name(src), ==, "pcapng");

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME);
    g_assert_cmpuint(f.number, ==, 1);
    g_assert_cmpint(f.iface, ==, 0);
    g_assert_cmpstr(f.iface_name, ==, "wan0");
    g_assert_cmpint(f.linktype, ==, 1);
    g_assert_cmpuint(f.ts_ns, ==, frame1_ticks_ns + (uint64_t)wan0_tsoffset_s * 1000000000u);
    g_assert_cmpint(f.dir, ==, DIR_IN);
    g_assert_cmpstr(f.comment, ==, "hello");
    g_assert_cmpuint(f.caplen, ==, 32);
    g_assert_cmpmem(f.data, f.caplen, payload_bytes, 32);

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME);
    g_assert_cmpint(f.iface, ==, 1);
    g_assert_cmpstr(f.iface_name, ==, "tun0");
    g_assert_cmpint(f.linktype, ==, 113);
    g_assert_cmpuint(f.ts_ns, ==, 3500000000u);
    g_assert_cmpint(f.dir, ==, DIR_OUT);
    g_assert_null(f.comment);
    g_assert_cmpuint(f.caplen, ==, 5);
    g_assert_cmpuint(f.wirelen, ==, 60);

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME); /* PB */
    g_assert_cmpuint(f.number, ==, 3);
    g_assert_cmpint(f.iface, ==, 1);
    g_assert_cmpuint(f.ts_ns, ==, 2000000000u);
    g_assert_cmpint(f.dir, ==, DIR_OUT);
    g_assert_cmpuint(f.caplen, ==, 4);
    g_assert_cmpuint(source_malformed_blocks(src), ==, 2); /* undeclared interface, caplen past block */

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME); /* SPB */
    g_assert_cmpint(f.iface, ==, 0);
    g_assert_cmpuint(f.caplen, ==, 70);
    g_assert_cmpuint(f.wirelen, ==, 70);
    g_assert_cmpuint(f.ts_ns, ==, 2000000000u); /* no timestamp of its own: the previous one */
    g_assert_cmpint(f.dir, ==, DIR_UNKNOWN);
    g_assert_cmpmem(f.data, f.caplen, payload_bytes, 70);

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME); /* section 2 */
    g_assert_cmpint(f.iface, ==, 2);
    g_assert_cmpstr(f.iface_name, ==, "eth9");
    g_assert_cmpint(f.linktype, ==, 101);
    g_assert_cmpuint(f.ts_ns, ==, 1000000000u);
    g_assert_cmpmem(f.data, f.caplen, payload_bytes, 8);

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME); /* SPB, snaplen 6 */
    g_assert_cmpint(f.iface, ==, 2);
    g_assert_cmpuint(f.caplen, ==, 6);
    g_assert_cmpuint(f.wirelen, ==, 8);

    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_EOF);
    g_assert_no_error(err);
    g_assert_cmpuint(source_bytes_read(src), ==, source_bytes_total(src));

    g_assert_cmpuint(source_iface_count(src), ==, 3);
    const struct source_iface *i0 = source_iface_get(src, 0), *i1 = source_iface_get(src, 1),
                              *i2 = source_iface_get(src, 2);
    g_assert_cmpstr(i0->name, ==, "wan0");
    g_assert_cmpstr(i0->description, ==, "uplink");
    g_assert_cmpuint(i0->tsresol_ns_div, ==, 1000000000u);
    g_assert_cmpuint(i1->snaplen, ==, 64);
    g_assert_null(i1->description);
    g_assert_cmpuint(i1->tsresol_ns_div, ==, 1u << 20);
    g_assert_cmpint(i2->id, ==, 2);
    g_assert_cmpint(i2->linktype, ==, 101);
    g_assert_cmpuint(i2->tsresol_ns_div, ==, 1000000u);
    g_assert_null(source_iface_get(src, 3));
    g_assert_null(source_iface_get(src, -1));
}

static void test_synthetic_pcapng_memory(void)
{
    guint sec2;
    GByteArray *file = build_synthetic_pcapng(&sec2);
    GError *err = NULL;
    struct capture_source *src = source_open_memory(file->data, file->len, &err);
    g_assert_no_error(err);
    check_synthetic_frames(src);
    source_close(src);
    g_byte_array_free(file, TRUE);
}

static void test_synthetic_pcapng_file(void)
{
    guint sec2;
    GByteArray *file = build_synthetic_pcapng(&sec2);
    gchar *path = write_temp(file->data, file->len);
    GError *err = NULL;
    struct capture_source *src = source_open_file(path, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(source_bytes_total(src), ==, file->len);
    check_synthetic_frames(src);
    source_close(src);
    g_unlink(path);
    g_free(path);
    g_byte_array_free(file, TRUE);
}

/* Damage one block of the synthetic file; the frames before it must come out
 * intact, then one clean error. */
static void expect_damage(GByteArray *file, unsigned frames_before, const char *message_part)
{
    GError *err = NULL;
    struct capture_source *src = source_open_memory(file->data, file->len, &err);
    g_assert_no_error(err);
    struct read_result r;
    read_all(src, &r);
    g_assert_cmpuint(r.frames, ==, frames_before);
    g_assert_cmpint(r.last, ==, SOURCE_ERROR);
    if (!strstr(r.error, message_part))
        g_error("error '%s' does not say '%s'", r.error, message_part);
    g_assert_nonnull(strstr(r.error, "'memory'"));
    /* errors are final */
    struct frame f;
    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_ERROR);
    g_clear_error(&err);
    read_result_clear(&r);
    source_close(src);
}

static void patch32le(GByteArray *file, guint offset, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        file->data[offset + i] = (uint8_t)(v >> (8 * i));
}

static void test_pcapng_damage(void)
{
    guint sec2;
    GByteArray *file = build_synthetic_pcapng(&sec2);
    /* Offsets of the first blocks: SHB 28, IDB0, IDB1, then frame 1's EPB. */
    guint shb_len = 28;
    guint idb0 = shb_len, idb0_len = file->data[idb0 + 4] | file->data[idb0 + 5] << 8;
    guint idb1 = idb0 + idb0_len, idb1_len = file->data[idb1 + 4] | file->data[idb1 + 5] << 8;
    guint epb1 = idb1 + idb1_len, epb1_len = file->data[epb1 + 4] | file->data[epb1 + 5] << 8;
    guint epb2 = epb1 + epb1_len;

    /* trailing length disagrees */
    GByteArray *d = g_byte_array_new();
    g_byte_array_append(d, file->data, file->len);
    guint epb2_len = d->data[epb2 + 4] | d->data[epb2 + 5] << 8;
    patch32le(d, epb2 + epb2_len - 4, epb2_len + 4);
    expect_damage(d, 1, "trailing length");
    /* a length beyond any block we accept */
    patch32le(d, epb2 + 4, 0x7FFFFFF0);
    expect_damage(d, 1, "corrupt block at byte offset");
    /* a length that is no multiple of 4 */
    patch32le(d, epb2 + 4, 33);
    expect_damage(d, 1, "corrupt block");
    /* a length running past the end of the input */
    patch32le(d, epb2 + 4, 1u << 20);
    gchar *want = g_strdup_printf("truncated at frame 2 (byte offset %u)", epb2);
    expect_damage(d, 1, want);
    g_free(want);
    g_byte_array_free(d, TRUE);

    /* a second section with a broken byte-order magic */
    d = g_byte_array_new();
    g_byte_array_append(d, file->data, file->len);
    d->data[sec2 + 8] ^= 0xFF;
    expect_damage(d, 4, "byte-order magic");
    g_byte_array_free(d, TRUE);

    /* a second section of an unknown major version */
    d = g_byte_array_new();
    g_byte_array_append(d, file->data, file->len);
    d->data[sec2 + 12] = 0;
    d->data[sec2 + 13] = 2; /* big-endian section: major = 2 */
    expect_damage(d, 4, "unsupported pcapng version 2.0");
    g_byte_array_free(d, TRUE);

    /* the same in the first section fails the open */
    d = g_byte_array_new();
    g_byte_array_append(d, file->data, file->len);
    d->data[12] = 3;
    GError *err = NULL;
    g_assert_null(source_open_memory(d->data, d->len, &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL);
    g_assert_nonnull(strstr(err->message, "unsupported pcapng version 3.0"));
    g_clear_error(&err);
    d->data[12] = 1;
    d->data[8] = 0x00; /* first byte-order magic */
    g_assert_null(source_open_memory(d->data, d->len, &err));
    g_assert_nonnull(strstr(err->message, "byte-order magic"));
    g_clear_error(&err);
    g_byte_array_free(d, TRUE);

    /* packets before any interface: counted and skipped, no crash */
    struct builder w = { g_byte_array_new(), false };
    put_shb(&w, 1);
    put_epb(&w, 0, 0, payload_bytes, 8, 8, 0, NULL);
    guint s = block_begin(&w, SPB);
    put32(&w, 4);
    put_bytes(&w, payload_bytes, 4);
    block_end(&w, s);
    struct capture_source *src = source_open_memory(w.b->data, w.b->len, &err);
    g_assert_no_error(err);
    struct read_result r;
    read_all(src, &r);
    g_assert_cmpuint(r.frames, ==, 0);
    g_assert_cmpint(r.last, ==, SOURCE_EOF);
    g_assert_cmpuint(source_malformed_blocks(src), ==, 2);
    read_result_clear(&r);
    source_close(src);
    g_byte_array_free(w.b, TRUE);
    g_byte_array_free(file, TRUE);
}

/* A block larger than the initial read window, through a file: the window grows. */
static void test_pcapng_large_block(void)
{
    struct builder w = { g_byte_array_new(), false };
    put_shb(&w, 1);
    guint s = block_begin(&w, IDB);
    put16(&w, 1);
    put16(&w, 0);
    put32(&w, 0);
    block_end(&w, s);
    enum { BIG = 3 << 20 };
    uint8_t *big = g_malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (uint8_t)(i * 7);
    put_epb(&w, 0, 1, payload_bytes, 10, 10, 0, NULL);
    put_epb(&w, 0, 2, big, BIG, BIG, 0, NULL);
    put_epb(&w, 0, 3, payload_bytes, 12, 12, 0, NULL);
    gchar *path = write_temp(w.b->data, w.b->len);
    GError *err = NULL;
    struct capture_source *src = source_open_file(path, &err);
    g_assert_no_error(err);
    struct read_result r;
    read_all(src, &r);
    g_assert_cmpint(r.last, ==, SOURCE_EOF);
    g_assert_cmpuint(r.frames, ==, 3);
    gsize n;
    const void *p = g_bytes_get_data(g_ptr_array_index(r.data, 1), &n);
    g_assert_cmpmem(p, n, big, BIG);
    read_result_clear(&r);
    source_close(src);
    g_unlink(path);
    g_free(path);
    g_free(big);
    g_byte_array_free(w.b, TRUE);
}

/* Classic pcap written here: little-endian µs or big-endian ns. */
static GByteArray *build_pcap(bool big_endian_ns, unsigned frames)
{
    struct builder w = { g_byte_array_new(), big_endian_ns };
    put32(&w, big_endian_ns ? 0xa1b23c4d : 0xa1b2c3d4);
    put16(&w, 2);
    put16(&w, 4);
    put32(&w, 0);
    put32(&w, 0);
    put32(&w, 65535);
    put32(&w, 101); /* LINKTYPE_RAW */
    for (unsigned i = 0; i < frames; i++) {
        put32(&w, 1700000000 + i);
        put32(&w, big_endian_ns ? 123456789 : 123456);
        put32(&w, 20 + i);
        put32(&w, 40 + i);
        put_bytes(&w, payload_bytes, 20 + i);
    }
    return w.b;
}

static void test_synthetic_pcap(void)
{
    for (int be = 0; be < 2; be++) {
        GByteArray *file = build_pcap(be, 3);
        GError *err = NULL;
        struct capture_source *src = source_open_memory(file->data, file->len, &err);
        g_assert_no_error(err);
        g_assert_cmpstr(source_format_name(src), ==, "pcap");
        g_assert_cmpuint(source_iface_count(src), ==, 1);
        g_assert_cmpint(source_iface_get(src, 0)->linktype, ==, 12); /* libpcap's DLT_RAW */
        g_assert_cmpuint(source_iface_get(src, 0)->snaplen, ==, 65535);
        struct frame f;
        for (unsigned i = 0; i < 3; i++) {
            g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME);
            g_assert_cmpuint(f.ts_ns, ==, (1700000000ull + i) * 1000000000u + (be ? 123456789u : 123456000u));
            g_assert_cmpuint(f.caplen, ==, 20 + i);
            g_assert_cmpuint(f.wirelen, ==, 40 + i);
            g_assert_cmpint(f.iface, ==, 0);
            g_assert_null(f.iface_name);
            g_assert_cmpint(f.dir, ==, DIR_UNKNOWN);
            g_assert_cmpmem(f.data, f.caplen, payload_bytes, 20 + i);
        }
        g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_EOF);
        g_assert_cmpuint(source_bytes_read(src), ==, file->len);
        source_close(src);

        /* a captured length far beyond the file and the snaplen */
        GByteArray *d = g_byte_array_new();
        g_byte_array_append(d, file->data, file->len);
        guint rec2 = 24 + 16 + 20;
        struct builder pw = { g_byte_array_new(), be };
        put32(&pw, 0x7FFFFFFF);
        memcpy(d->data + rec2 + 8, pw.b->data, 4);
        g_byte_array_free(pw.b, TRUE);
        expect_damage(d, 1, "frame 2 (byte offset 60)");
        /* cut inside the third frame's bytes */
        g_byte_array_set_size(d, 0);
        g_byte_array_append(d, file->data, file->len - 3);
        expect_damage(d, 2, "truncated at frame 3 (byte offset 97)");
        g_byte_array_free(d, TRUE);
        g_byte_array_free(file, TRUE);
    }
}

/* ---- opening errors ---- */

static void expect_open_error(const char *path, const char *message)
{
    GError *err = NULL;
    g_assert_null(source_open_file(path, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, message);
    g_assert_null(strchr(err->message, '\n'));
    g_clear_error(&err);
}

static void test_open_errors(void)
{
    gchar *dir = g_dir_make_tmp("leakaudit-source-XXXXXX", NULL);
    g_assert_nonnull(dir);
    gchar *missing = g_build_filename(dir, "x.pcap", NULL);
    gchar *msg = g_strdup_printf("cannot open capture '%s': No such file or directory", missing);
    expect_open_error(missing, msg);
    g_free(msg);

    msg = g_strdup_printf("cannot open capture '%s': Is a directory", dir);
    expect_open_error(dir, msg);
    g_free(msg);

    gchar *empty = write_temp("", 0);
    msg = g_strdup_printf("'%s' is empty: not a pcap or pcapng capture", empty);
    expect_open_error(empty, msg);
    g_free(msg);

    gchar *tiny = write_temp("\xd4\xc3\xb2", 3);
    msg = g_strdup_printf("'%s' is too short to be a pcap or pcapng capture (3 bytes)", tiny);
    expect_open_error(tiny, msg);
    g_free(msg);

    gchar *text = write_temp("hello world\n", 12);
    msg = g_strdup_printf("'%s' is not a pcap or pcapng capture (magic 0x68656c6c)", text);
    expect_open_error(text, msg);
    g_free(msg);

    /* a pcap header cut short: libpcap says so, we name the file */
    GByteArray *pcap = build_pcap(false, 1);
    gchar *cut = write_temp(pcap->data, 10);
    GError *err = NULL;
    g_assert_null(source_open_file(cut, &err));
    g_assert_nonnull(strstr(err->message, cut));
    g_assert_nonnull(strstr(err->message, "truncated"));
    g_clear_error(&err);
    /* a pcapng section header cut short */
    guint sec2;
    GByteArray *ng = build_synthetic_pcapng(&sec2);
    gchar *ngcut = write_temp(ng->data, 20);
    msg = g_strdup_printf("'%s': truncated pcapng section header", ngcut);
    expect_open_error(ngcut, msg);
    g_free(msg);

    if (geteuid() != 0) { /* root reads anything */
        gchar *locked = write_temp(pcap->data, pcap->len);
        g_chmod(locked, 0);
        msg = g_strdup_printf("cannot open capture '%s': Permission denied", locked);
        expect_open_error(locked, msg);
        g_free(msg);
        g_unlink(locked);
        g_free(locked);
    }

    g_assert_null(source_open_memory("ab", 2, &err));
    g_clear_error(&err);
    g_assert_null(source_open_memory(NULL, 0, &err));
    g_clear_error(&err);

    for (gchar **p = (gchar *[]){ empty, tiny, text, cut, ngcut, NULL }; *p; p++) {
        g_unlink(*p);
        g_free(*p);
    }
    g_byte_array_free(pcap, TRUE);
    g_byte_array_free(ng, TRUE);
    g_rmdir(dir);
    g_free(missing);
    g_free(dir);
}

/* ---- truncation at every byte ---- */

/* Reads every prefix of `whole` from its own exact-size allocation (so ASan
 * sees any over-read) and checks: the frames that fit come out byte-identical,
 * then EOF at a block boundary or one "truncated at frame N" error. */
static void check_every_prefix(const uint8_t *whole, size_t len)
{
    GError *err = NULL;
    struct capture_source *src = source_open_memory(whole, len, &err);
    g_assert_no_error(err);
    struct read_result full;
    read_all(src, &full);
    g_assert_cmpint(full.last, ==, SOURCE_EOF);
    source_close(src);
    g_assert_cmpuint(full.frames, >, 0);

    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *prefix = g_memdup2(whole, cut);
        src = source_open_memory(prefix, cut, &err);
        if (!src) {
            /* only a cut inside the file header may fail the open */
            g_assert_nonnull(err);
            g_assert_cmpuint(cut, <, g_array_index(full.ends, uint64_t, 0));
            g_clear_error(&err);
            g_free(prefix);
            continue;
        }
        struct read_result r;
        read_all(src, &r);
        unsigned fit = 0;
        bool at_end_of_frame = false;
        for (unsigned i = 0; i < full.frames; i++) {
            uint64_t end = g_array_index(full.ends, uint64_t, i);
            if (end <= cut)
                fit++;
            if (end == cut)
                at_end_of_frame = true;
        }
        g_assert_cmpuint(r.frames, ==, fit);
        for (unsigned i = 0; i < r.frames; i++)
            g_assert_true(g_bytes_equal(g_ptr_array_index(r.data, i), g_ptr_array_index(full.data, i)));
        if (at_end_of_frame)
            g_assert_cmpint(r.last, ==, SOURCE_EOF);
        if (r.last == SOURCE_ERROR) {
            gchar *want = g_strdup_printf("truncated at frame %u (byte offset ", fit + 1);
            if (!strstr(r.error, want))
                g_error("cut at %zu: '%s' does not say '%s'", cut, r.error, want);
            g_free(want);
        }
        read_result_clear(&r);
        source_close(src);
        g_free(prefix);
    }
    read_result_clear(&full);
}

static void test_truncation_synthetic(void)
{
    guint sec2;
    GByteArray *ng = build_synthetic_pcapng(&sec2);
    check_every_prefix(ng->data, ng->len);
    g_byte_array_free(ng, TRUE);
    GByteArray *pcap = build_pcap(true, 4);
    check_every_prefix(pcap->data, pcap->len);
    g_byte_array_free(pcap, TRUE);
}

static void test_truncation_corpus(void)
{
    TEST_NEED_CORPUS(ng, "zeek/testing/btest/Traces/pcapng-multi-interface.pcapng");
    TEST_NEED_CORPUS(pcap, "suricata-verify/tests/decode-sll2-01/input.pcap");
    const char *paths[] = { ng, pcap };
    for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
        gchar *data;
        gsize len;
        g_assert_true(g_file_get_contents(paths[i], &data, &len, NULL));
        check_every_prefix((const uint8_t *)data, len);

        /* the same through a real file (the read(2) path) at a few cuts */
        for (gsize cut = len / 3; cut < len; cut += len / 3) {
            gchar *tmp = write_temp(data, cut);
            GError *err = NULL;
            struct capture_source *src = source_open_file(tmp, &err);
            g_assert_no_error(err);
            struct read_result r;
            read_all(src, &r);
            g_assert_cmpint(r.last, ==, SOURCE_ERROR);
            g_assert_nonnull(strstr(r.error, tmp));
            g_assert_nonnull(strstr(r.error, "truncated at frame"));
            read_result_clear(&r);
            source_close(src);
            g_unlink(tmp);
            g_free(tmp);
        }
        g_free(data);
    }
    g_free(ng);
    g_free(pcap);
}

/* ---- standard input (a pipe: no seeking back over the magic) ---- */

static void read_through_stdin(const void *data, size_t len, struct read_result *r, const char **format)
{
    int fds[2];
    g_assert_cmpint(pipe(fds), ==, 0);
    pid_t child = fork();
    g_assert_cmpint(child, >=, 0);
    if (child == 0) {
        close(fds[0]);
        const char *p = data;
        size_t left = len;
        while (left) {
            ssize_t k = write(fds[1], p, left);
            if (k <= 0)
                _exit(1);
            p += k;
            left -= (size_t)k;
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    GError *err = NULL;
    struct capture_source *src = source_open_file("-", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(source_bytes_total(src), ==, 0); /* a pipe has no size */
    *format = source_format_name(src);
    read_all(src, r);
    source_close(src);
    dup2(saved, STDIN_FILENO);
    close(saved);
    int status;
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
}

static void test_stdin_pipe(void)
{
    guint sec2;
    GByteArray *ng = build_synthetic_pcapng(&sec2);
    GByteArray *pcap = build_pcap(false, 5);
    struct read_result r;
    const char *format;
    read_through_stdin(ng->data, ng->len, &r, &format);
    g_assert_cmpstr(format, ==, "pcapng");
    g_assert_cmpint(r.last, ==, SOURCE_EOF);
    g_assert_cmpuint(r.frames, ==, 6);
    read_result_clear(&r);
    read_through_stdin(pcap->data, pcap->len, &r, &format);
    g_assert_cmpstr(format, ==, "pcap");
    g_assert_cmpint(r.last, ==, SOURCE_EOF);
    g_assert_cmpuint(r.frames, ==, 5);
    gsize n;
    const void *p = g_bytes_get_data(g_ptr_array_index(r.data, 4), &n);
    g_assert_cmpmem(p, n, payload_bytes, 24);
    read_result_clear(&r);
    /* larger than a pipe buffer, with a block larger than the read window */
    struct builder w = { g_byte_array_new(), false };
    put_shb(&w, 1);
    guint s = block_begin(&w, IDB);
    put16(&w, 1);
    put16(&w, 0);
    put32(&w, 0);
    block_end(&w, s);
    uint8_t *big = g_malloc0(1536 * 1024);
    for (int i = 0; i < 3; i++)
        put_epb(&w, 0, (uint64_t)i, big, 1536 * 1024, 1536 * 1024, 0, NULL);
    read_through_stdin(w.b->data, w.b->len, &r, &format);
    g_assert_cmpint(r.last, ==, SOURCE_EOF);
    g_assert_cmpuint(r.frames, ==, 3);
    read_result_clear(&r);
    g_free(big);
    g_byte_array_free(w.b, TRUE);
    g_byte_array_free(ng, TRUE);
    g_byte_array_free(pcap, TRUE);
}

/* ---- corpus ---- */

/* tests/data/source/NAME.tsv: tshark's per-frame view (see make-tshark-expect.sh). */
static void test_corpus_against_tshark(void)
{
    TEST_NEED_CORPUS(probe, "MANIFEST.tsv");
    g_free(probe);
    gchar *dirpath = test_repo_path("tests/data/source");
    GDir *dir = g_dir_open(dirpath, 0, NULL);
    g_assert_nonnull(dir);
    unsigned files = 0;
    for (const char *name; (name = g_dir_read_name(dir));) {
        if (!g_str_has_suffix(name, ".tsv"))
            continue;
        gchar *tsv = g_build_filename(dirpath, name, NULL), *text;
        g_assert_true(g_file_get_contents(tsv, &text, NULL, NULL));
        gchar **lines = g_strsplit(text, "\n", -1);
        g_assert_true(g_str_has_prefix(lines[0], "# "));
        gchar *capture = test_corpus_path(lines[0] + 2);
        g_assert_nonnull(capture);
        GError *err = NULL;
        struct capture_source *src = source_open_file(capture, &err);
        g_assert_no_error(err);
        unsigned n = 0;
        for (gchar **line = lines + 1; *line && **line; line++, n++) {
            gchar **col = g_strsplit(*line, "\t", -1);
            g_assert_cmpuint(g_strv_length(col), ==, 7);
            struct frame f;
            g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME);
            g_assert_cmpuint(f.number, ==, g_ascii_strtoull(col[0], NULL, 10));
            if (*col[1])
                g_assert_cmpint(f.iface, ==, atoi(col[1]));
            if (*col[2]) {
                gchar *ours = name_text(f.iface_name);
                g_assert_cmpstr(ours, ==, col[2]);
                g_free(ours);
            }
            g_assert_cmpuint(f.caplen, ==, g_ascii_strtoull(col[3], NULL, 10));
            g_assert_cmpuint(f.wirelen, ==, g_ascii_strtoull(col[4], NULL, 10));
            if (*col[5]) { /* tshark shows no time for an SPB */
                gchar *ts = epoch_text(f.ts_ns);
                g_assert_cmpstr(ts, ==, col[5]);
                g_free(ts);
            }
            if (*col[6])
                g_assert_cmpstr(f.comment, ==, col[6]);
            g_strfreev(col);
        }
        struct frame f;
        g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_EOF);
        g_assert_cmpuint(source_bytes_read(src), ==, source_bytes_total(src));
        g_assert_cmpuint(n, >, 0);
        source_close(src);
        g_free(capture);
        g_strfreev(lines);
        g_free(text);
        g_free(tsv);
        files++;
    }
    g_assert_cmpuint(files, >=, 10);
    g_dir_close(dir);
    g_free(dirpath);
}

/* The interface count the MANIFEST's linktype column states, or -1:
 * "pcapng/… [IDBs: a=…; b=…]" or "pcapng/… [95 IDBs; …]". */
static int manifest_idb_count(const char *linktype)
{
    const char *p = strstr(linktype, "[IDBs: ");
    if (p) {
        int n = 1;
        for (const char *q = p; *q && *q != ']'; q++)
            n += *q == ';';
        return n;
    }
    p = strchr(linktype, '[');
    if (p && strstr(p, " IDBs"))
        return atoi(p + 1);
    return -1;
}

/* Every capture of the corpus: frame count = capinfos' (MANIFEST packets),
 * clean EOF, format and interface count as the MANIFEST says. */
static void test_corpus_manifest(void)
{
    TEST_NEED_CORPUS(manifest, "MANIFEST.tsv");
    gchar *text;
    g_assert_true(g_file_get_contents(manifest, &text, NULL, NULL));
    gchar **lines = g_strsplit(text, "\n", -1);
    unsigned checked = 0, idb_checked = 0;
    for (gchar **line = lines + 1; *line && **line; line++) {
        gchar **col = g_strsplit(*line, "\t", -1);
        gchar *path = test_corpus_path(col[0]);
        g_assert_nonnull(path);
        GError *err = NULL;
        struct capture_source *src = source_open_file(path, &err);
        if (!src)
            g_error("%s: %s", col[0], err->message);
        struct read_result r;
        read_all(src, &r);
        if (r.last != SOURCE_EOF || r.frames != g_ascii_strtoull(col[6], NULL, 10))
            g_error("%s: %u frames (%s), capinfos %s", col[0], r.frames, r.error ? r.error : "eof", col[6]);
        bool ng = g_str_has_prefix(col[5], "pcapng/");
        g_assert_cmpstr(source_format_name(src), ==, ng ? "pcapng" : "pcap");
        /* capinfos 4.0 miscounts the interfaces of multi-section files (9 for
         * test200's three sections of one IDB each); the generator test below
         * checks those against their .txt instead. */
        int idbs = strstr(col[0], "pcapng-test-generator/") && strstr(col[0], "/difficult/")
                       ? -1
                       : manifest_idb_count(col[5]);
        if (idbs >= 0) {
            g_assert_cmpuint(source_iface_count(src), ==, (unsigned)idbs);
            idb_checked++;
        }
        g_assert_cmpuint(source_malformed_blocks(src), ==, 0);
        read_result_clear(&r);
        source_close(src);
        g_free(path);
        g_strfreev(col);
        checked++;
    }
    g_assert_cmpuint(checked, >, 300);
    g_assert_cmpuint(idb_checked, >, 50);
    g_strfreev(lines);
    g_free(text);
    g_free(manifest);
}

/* pcapng-test-generator: each testNNN.pcapng has a .txt with its block counts. */
static void test_corpus_pcapng_generator(void)
{
    TEST_NEED_CORPUS(root, "pcapng-test-generator");
    unsigned files = 0;
    for (const char *const *order = (const char *const[]){ "output_le", "output_be", NULL }; *order; order++) {
        for (const char *const *cat = (const char *const[]){ "basic", "advanced", "difficult", NULL }; *cat; cat++) {
            gchar *dirpath = g_build_filename(root, *order, *cat, NULL);
            GDir *dir = g_dir_open(dirpath, 0, NULL);
            g_assert_nonnull(dir);
            for (const char *name; (name = g_dir_read_name(dir));) {
                if (!g_str_has_suffix(name, ".txt"))
                    continue;
                gchar *txt = g_build_filename(dirpath, name, NULL), *text;
                g_assert_true(g_file_get_contents(txt, &text, NULL, NULL));
                unsigned packets = 0, idbs = 0;
                for (const char *const *kind = (const char *const[]){ "EPB", "SPB", "PB", "IDB", NULL }; *kind;
                     kind++) {
                    gchar *key = g_strdup_printf("\t%s: ", *kind);
                    const char *at = strstr(text, key);
                    unsigned n = at ? (unsigned)atoi(at + strlen(key)) : 0;
                    if (strcmp(*kind, "IDB") == 0)
                        idbs = n;
                    else
                        packets += n;
                    g_free(key);
                }
                gchar *capture = g_strndup(txt, strlen(txt) - 4);
                gchar *ngpath = g_strconcat(capture, ".pcapng", NULL);
                GError *err = NULL;
                struct capture_source *src = source_open_file(ngpath, &err);
                g_assert_no_error(err);
                struct read_result r;
                read_all(src, &r);
                if (r.last != SOURCE_EOF || r.frames != packets || source_iface_count(src) != idbs)
                    g_error("%s: %u frames, %u interfaces (%s); the .txt says %u and %u", ngpath, r.frames,
                            source_iface_count(src), r.error ? r.error : "eof", packets, idbs);
                g_assert_cmpuint(source_malformed_blocks(src), ==, 0);
                read_result_clear(&r);
                source_close(src);
                g_free(ngpath);
                g_free(capture);
                g_free(text);
                g_free(txt);
                files++;
            }
            g_dir_close(dir);
            g_free(dirpath);
        }
    }
    g_assert_cmpuint(files, ==, 48);
    g_free(root);
}

/* Several sections: each starts its interfaces at 0 again, ids stay unique. */
static void test_corpus_sections(void)
{
    /* test201: SHB IDB(eth0) IDB(null1) EPB(0) | SHB IDB(silly ethernet
     * interface 2) EPB(0) SPB | SHB IDB(eth0) IDB(null1) EPB(1). tshark 4.0
     * resolves every section's ids against the first section; the format
     * (and the .txt) say otherwise. */
    for (const char *const *order = (const char *const[]){ "output_le", "output_be", NULL }; *order; order++) {
        gchar *rel = g_strdup_printf("pcapng-test-generator/%s/difficult/test201.pcapng", *order);
        gchar *path = test_corpus_path(rel);
        g_free(rel);
        if (!path) {
            g_test_skip("corpus not found");
            return;
        }
        GError *err = NULL;
        struct capture_source *src = source_open_file(path, &err);
        g_assert_no_error(err);
        static const struct { int iface; const char *name; int linktype; } want[] = {
            { 0, "eth0", 1 }, { 2, "silly ethernet interface 2", 1 }, { 2, "silly ethernet interface 2", 1 },
            { 4, "null1", 0 },
        };
        struct frame f;
        for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
            g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_FRAME);
            g_assert_cmpint(f.iface, ==, want[i].iface);
            g_assert_cmpstr(f.iface_name, ==, want[i].name);
            g_assert_cmpint(f.linktype, ==, want[i].linktype);
        }
        g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_EOF);
        g_assert_cmpuint(source_iface_count(src), ==, 5);
        source_close(src);
        g_free(path);
    }
}

/* Every file of tests/data/regress/fuzz_pcapng must read without crashing. */
static void test_fuzz_regressions(void)
{
    gchar *dirpath = test_repo_path("tests/data/regress/fuzz_pcapng");
    GDir *dir = g_dir_open(dirpath, 0, NULL);
    if (!dir) {
        g_free(dirpath);
        return;
    }
    for (const char *name; (name = g_dir_read_name(dir));) {
        gchar *path = g_build_filename(dirpath, name, NULL), *data;
        gsize len;
        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        GError *err = NULL;
        struct capture_source *src = source_open_memory(data, len, &err);
        if (src) {
            struct read_result r;
            read_all(src, &r);
            read_result_clear(&r);
            source_close(src);
        }
        g_clear_error(&err);
        g_free(data);
        g_free(path);
    }
    g_dir_close(dir);
    g_free(dirpath);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/source/pcapng/synthetic-memory", test_synthetic_pcapng_memory);
    g_test_add_func("/source/pcapng/synthetic-file", test_synthetic_pcapng_file);
    g_test_add_func("/source/pcapng/damage", test_pcapng_damage);
    g_test_add_func("/source/pcapng/large-block", test_pcapng_large_block);
    g_test_add_func("/source/pcap/synthetic", test_synthetic_pcap);
    g_test_add_func("/source/open-errors", test_open_errors);
    g_test_add_func("/source/truncation/synthetic", test_truncation_synthetic);
    g_test_add_func("/source/truncation/corpus", test_truncation_corpus);
    g_test_add_func("/source/stdin-pipe", test_stdin_pipe);
    g_test_add_func("/source/corpus/tshark", test_corpus_against_tshark);
    g_test_add_func("/source/corpus/manifest", test_corpus_manifest);
    g_test_add_func("/source/corpus/pcapng-test-generator", test_corpus_pcapng_generator);
    g_test_add_func("/source/corpus/sections", test_corpus_sections);
    g_test_add_func("/source/fuzz-regressions", test_fuzz_regressions);
    return g_test_run();
}
