/* source_file.c — saved captures: classic pcap through libpcap, pcapng
 * through our own block reader (libpcap reports no per-packet interface and
 * rejects mixed link types). Every file byte is read through struct cursor. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cursor.h"
#include "source.h"

enum {
    PCAPNG_SHB = 0x0A0D0D0A, PCAPNG_IDB = 1, PCAPNG_PB = 2, PCAPNG_SPB = 3, PCAPNG_EPB = 6,
    PCAPNG_BOM = 0x1A2B3C4D, BLOCK_MAX = 16 * 1024 * 1024 + 64,
    OPT_END = 0, OPT_COMMENT = 1, OPT_IF_NAME = 2, OPT_IF_DESCRIPTION = 3, OPT_IF_TSRESOL = 9,
    OPT_IF_TSOFFSET = 14, OPT_EPB_FLAGS = 2,
};

struct ng_iface {
    struct source_iface pub;
    char *name, *description;
    uint64_t ticks_per_sec;
    int64_t ts_offset;
};

struct capture_source {
    bool is_pcapng;
    char *path;
    FILE *fp;
    uint64_t size;
    uint64_t frames;
    uint64_t malformed;
    /* pcap */
    pcap_t *pcap;
    struct source_iface pcap_iface;
    /* pcapng */
    bool big_endian;
    GPtrArray *ifaces;        /* all sections: struct ng_iface* */
    int section_base;         /* global id of this section's interface 0 */
    uint8_t *block;
    size_t block_cap;
    uint64_t offset;
    char comment[256];
    /* replayed magic for non-seekable input */
    uint8_t magic[4];
    size_t magic_left;
    FILE *raw;
};

/* ---- stdin: give libpcap the 4 bytes we already read ---- */
static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    struct capture_source *s = cookie;
    size_t n = 0;
    while (s->magic_left && n < size) {
        buf[n++] = (char)s->magic[4 - s->magic_left];
        s->magic_left--;
    }
    if (n < size)
        n += fread(buf + n, 1, size - n, s->raw);
    return (ssize_t)n;
}

static size_t read_exact(struct capture_source *s, void *buf, size_t n)
{
    size_t got = fread(buf, 1, n, s->fp);
    s->offset += got;
    return got;
}

struct capture_source *source_open_memory(const void *data, size_t len, GError **err);

static struct capture_source *open_stream(FILE *fp, const char *path, GError **err)
{
    struct capture_source *s = g_new0(struct capture_source, 1);
    s->path = g_strdup(path);
    s->fp = fp;
    s->ifaces = g_ptr_array_new();
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
        s->size = (uint64_t)st.st_size;
    if (read_exact(s, s->magic, 4) != 4) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s' is empty or too short to be a capture", path);
        source_close(s);
        return NULL;
    }
    struct cursor c = cursor_make(s->magic, 4);
    uint32_t magic = cursor_u32be(&c);
    if (magic == PCAPNG_SHB) {
        s->is_pcapng = true;
        return s;
    }
    if (magic != 0xa1b2c3d4 && magic != 0xd4c3b2a1 && magic != 0xa1b23c4d && magic != 0x4d3cb2a1) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s' is not a pcap or pcapng capture (magic 0x%08x)", path,
                    magic);
        source_close(s);
        return NULL;
    }
    s->raw = fp;
    s->magic_left = 4;
    cookie_io_functions_t io = { .read = replay_read };
    FILE *replay = fopencookie(s, "r", io);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    s->pcap = replay ? pcap_fopen_offline_with_tstamp_precision(replay, PCAP_TSTAMP_PRECISION_NANO, errbuf) : NULL;
    if (!s->pcap) {
        if (replay)
            fclose(replay);
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s': %s", path, errbuf[0] ? errbuf : "cannot read");
        s->fp = NULL; /* s->raw closes it */
        source_close(s);
        return NULL;
    }
    s->fp = NULL; /* libpcap owns the replay stream; s->raw stays ours */
    s->pcap_iface.id = 0;
    s->pcap_iface.linktype = pcap_datalink(s->pcap);
    s->pcap_iface.snaplen = (uint32_t)pcap_snapshot(s->pcap);
    return s;
}

struct capture_source *source_open_file(const char *path, GError **err)
{
    if (strcmp(path, "-") == 0)
        return open_stream(stdin, "stdin", err);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "cannot open capture '%s': Is a directory", path);
        return NULL;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot open capture '%s': %s", path,
                    g_strerror(errno));
        return NULL;
    }
    return open_stream(fp, path, err);
}

struct capture_source *source_open_memory(const void *data, size_t len, GError **err)
{
    FILE *fp = fmemopen((void *)data, len, "rb");
    if (!fp) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "empty input");
        return NULL;
    }
    return open_stream(fp, "memory", err);
}

/* ---- pcap ---- */
static enum source_status pcap_next_frame(struct capture_source *s, struct frame *out, GError **err)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(s->pcap, &h, &data);
    if (rc == -2)
        return SOURCE_EOF;
    if (rc != 1) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "'%s': %s after frame %" G_GUINT64_FORMAT, s->path,
                    pcap_geterr(s->pcap), s->frames);
        return SOURCE_ERROR;
    }
    memset(out, 0, sizeof *out);
    out->number = ++s->frames;
    out->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
    out->linktype = s->pcap_iface.linktype;
    out->iface = 0;
    out->caplen = h->caplen;
    out->wirelen = h->len;
    out->data = data;
    return SOURCE_FRAME;
}

/* ---- pcapng ---- */
static void parse_idb_options(struct capture_source *s, struct cursor *opt, struct ng_iface *ifc)
{
    while (cursor_left(opt) >= 4) {
        uint16_t code = cursor_u16(opt, s->big_endian), len = cursor_u16(opt, s->big_endian);
        struct cursor v = cursor_take(opt, len);
        cursor_skip(opt, (4 - len % 4) % 4);
        if (!cursor_ok(&v) || code == OPT_END)
            break;
        if (code == OPT_IF_NAME || code == OPT_IF_DESCRIPTION) {
            char *text = g_strndup((const char *)cursor_view(&v, len), len);
            if (code == OPT_IF_NAME) {
                g_free(ifc->name);
                ifc->name = text;
            } else {
                g_free(ifc->description);
                ifc->description = text;
            }
        } else if (code == OPT_IF_TSRESOL && len >= 1) {
            uint8_t r = cursor_u8(&v);
            unsigned exp = r & 0x7f;
            uint64_t tps = 1;
            bool pow2 = r & 0x80;
            if (exp > (pow2 ? 63u : 19u))
                exp = 6;
            for (unsigned i = 0; i < exp; i++)
                tps *= pow2 ? 2 : 10;
            ifc->ticks_per_sec = tps;
        } else if (code == OPT_IF_TSOFFSET && len >= 8) {
            uint64_t hi = cursor_u32(&v, s->big_endian), lo = cursor_u32(&v, s->big_endian);
            ifc->ts_offset = (int64_t)(s->big_endian ? (hi << 32 | lo) : (lo << 32 | hi));
        }
    }
}

static void parse_packet_options(struct capture_source *s, struct cursor *opt, struct frame *f)
{
    while (cursor_left(opt) >= 4) {
        uint16_t code = cursor_u16(opt, s->big_endian), len = cursor_u16(opt, s->big_endian);
        struct cursor v = cursor_take(opt, len);
        cursor_skip(opt, (4 - len % 4) % 4);
        if (!cursor_ok(&v) || code == OPT_END)
            break;
        if (code == OPT_EPB_FLAGS && len >= 4) {
            uint32_t flags = cursor_u32(&v, s->big_endian);
            f->dir = (flags & 3) == 1 ? DIR_IN : (flags & 3) == 2 ? DIR_OUT : DIR_UNKNOWN;
        } else if (code == OPT_COMMENT && !f->comment) {
            size_t n = len < sizeof s->comment - 1 ? len : sizeof s->comment - 1;
            cursor_copy(&v, s->comment, n);
            s->comment[n] = '\0';
            f->comment = s->comment;
        }
    }
}

static uint64_t ng_timestamp(const struct ng_iface *ifc, uint64_t ticks)
{
    uint64_t tps = ifc->ticks_per_sec ? ifc->ticks_per_sec : 1000000;
    uint64_t secs = ticks / tps, rem = ticks % tps;
    uint64_t ns = secs * 1000000000ull + (tps >= 1000000000ull ? rem / (tps / 1000000000ull)
                                                                 : rem * (1000000000ull / tps));
    return ns + (uint64_t)(ifc->ts_offset * 1000000000ll);
}

static enum source_status ng_error(struct capture_source *s, GError **err, const char *what)
{
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s': %s at byte offset %" G_GUINT64_FORMAT
                " (after frame %" G_GUINT64_FORMAT ")", s->path, what, s->offset, s->frames);
    return SOURCE_ERROR;
}

static enum source_status pcapng_next_frame(struct capture_source *s, struct frame *out, GError **err)
{
    for (;;) {
        uint8_t head[8];
        size_t got;
        if (s->magic[0] || s->magic[1]) { /* the SHB type was consumed by format detection */
            memcpy(head, s->magic, 4);
            memset(s->magic, 0, 4);
            got = 4 + read_exact(s, head + 4, 4);
        } else {
            got = read_exact(s, head, 8);
        }
        if (got == 0)
            return SOURCE_EOF;
        if (got < 8)
            return ng_error(s, err, "truncated block header");
        struct cursor h = cursor_make(head, 8);
        uint32_t type_be = cursor_u32be(&h);
        if (type_be == PCAPNG_SHB) {
            /* The byte-order magic decides how the length reads. */
            uint8_t bom[4];
            if (read_exact(s, bom, 4) != 4)
                return ng_error(s, err, "truncated section header");
            struct cursor b = cursor_make(bom, 4);
            uint32_t m = cursor_u32be(&b);
            if (m == PCAPNG_BOM)
                s->big_endian = true;
            else if (m == 0x4D3C2B1A)
                s->big_endian = false;
            else
                return ng_error(s, err, "bad byte-order magic in section header");
            s->section_base = (int)s->ifaces->len;
        }
        struct cursor hl = cursor_make(head + 4, 4);
        uint32_t total = cursor_u32(&hl, s->big_endian);
        struct cursor ht = cursor_make(head, 4);
        uint32_t type = type_be == PCAPNG_SHB ? PCAPNG_SHB : cursor_u32(&ht, s->big_endian);
        size_t already = type == PCAPNG_SHB ? 12 : 8;
        if (total < 12 || total % 4 || total > BLOCK_MAX || total < already + 4)
            return ng_error(s, err, "block with an impossible length");
        size_t body = total - already;
        if (body > s->block_cap) {
            s->block = g_realloc(s->block, body);
            s->block_cap = body;
        }
        if (read_exact(s, s->block, body) != body)
            return ng_error(s, err, "truncated block");
        struct cursor blk = cursor_make(s->block, body - 4);
        struct cursor trail = cursor_make(s->block + body - 4, 4);
        if (cursor_u32(&trail, s->big_endian) != total)
            return ng_error(s, err, "block lengths disagree");
        if (type == PCAPNG_SHB) {
            uint16_t major = cursor_u16(&blk, s->big_endian);
            if (major != 1)
                return ng_error(s, err, "unsupported pcapng version");
            continue;
        }
        if (type == PCAPNG_IDB) {
            struct ng_iface *ifc = g_new0(struct ng_iface, 1);
            ifc->pub.linktype = cursor_u16(&blk, s->big_endian);
            cursor_skip(&blk, 2);
            ifc->pub.snaplen = cursor_u32(&blk, s->big_endian);
            ifc->ticks_per_sec = 1000000;
            parse_idb_options(s, &blk, ifc);
            ifc->pub.id = (int)s->ifaces->len;
            ifc->pub.name = ifc->name;
            ifc->pub.description = ifc->description;
            ifc->pub.tsresol_ns_div = ifc->ticks_per_sec;
            g_ptr_array_add(s->ifaces, ifc);
            continue;
        }
        if (type != PCAPNG_EPB && type != PCAPNG_SPB && type != PCAPNG_PB)
            continue; /* NRB, ISB, DSB, custom…: nothing for us */
        memset(out, 0, sizeof *out);
        uint32_t local_id = 0, caplen, wirelen;
        uint64_t ticks = 0;
        if (type == PCAPNG_SPB) {
            wirelen = cursor_u32(&blk, s->big_endian);
            caplen = (uint32_t)MIN((size_t)wirelen, cursor_left(&blk));
        } else {
            local_id = type == PCAPNG_PB ? cursor_u16(&blk, s->big_endian) : cursor_u32(&blk, s->big_endian);
            if (type == PCAPNG_PB)
                cursor_skip(&blk, 2);
            uint64_t hi = cursor_u32(&blk, s->big_endian), lo = cursor_u32(&blk, s->big_endian);
            ticks = hi << 32 | lo;
            caplen = cursor_u32(&blk, s->big_endian);
            wirelen = cursor_u32(&blk, s->big_endian);
        }
        int gid = s->section_base + (int)local_id;
        if (!cursor_ok(&blk) || local_id >= s->ifaces->len || gid >= (int)s->ifaces->len) {
            s->malformed++; /* undeclared interface or short block: skip it */
            continue;
        }
        struct ng_iface *ifc = g_ptr_array_index(s->ifaces, gid);
        const uint8_t *data = cursor_view(&blk, caplen);
        if (!data) {
            s->malformed++;
            continue;
        }
        cursor_skip(&blk, caplen);
        cursor_skip(&blk, (4 - caplen % 4) % 4);
        if (type != PCAPNG_SPB)
            parse_packet_options(s, &blk, out);
        out->number = ++s->frames;
        out->ts_ns = ng_timestamp(ifc, ticks);
        out->linktype = ifc->pub.linktype;
        out->iface = gid;
        out->iface_name = ifc->name;
        out->caplen = caplen;
        out->wirelen = wirelen;
        out->data = data;
        return SOURCE_FRAME;
    }
}

enum source_status source_next(struct capture_source *s, struct frame *out, GError **err)
{
    return s->is_pcapng ? pcapng_next_frame(s, out, err) : pcap_next_frame(s, out, err);
}

unsigned source_iface_count(const struct capture_source *s)
{
    return s->is_pcapng ? s->ifaces->len : 1;
}

const struct source_iface *source_iface_get(const struct capture_source *s, int id)
{
    if (!s->is_pcapng)
        return id == 0 ? &s->pcap_iface : NULL;
    if (id < 0 || (guint)id >= s->ifaces->len)
        return NULL;
    return &((struct ng_iface *)g_ptr_array_index(s->ifaces, id))->pub;
}

const char *source_format_name(const struct capture_source *s) { return s->is_pcapng ? "pcapng" : "pcap"; }
uint64_t source_bytes_read(const struct capture_source *s) { return s->pcap ? 0 : s->offset; }
uint64_t source_bytes_total(const struct capture_source *s) { return s->size; }
uint64_t source_malformed_blocks(const struct capture_source *s) { return s->malformed; }

void source_close(struct capture_source *s)
{
    if (!s)
        return;
    if (s->pcap)
        pcap_close(s->pcap); /* closes the replay stream */
    if (s->raw && s->raw != stdin)
        fclose(s->raw);
    if (s->fp && s->fp != stdin)
        fclose(s->fp);
    for (guint i = 0; s->ifaces && i < s->ifaces->len; i++) {
        struct ng_iface *ifc = g_ptr_array_index(s->ifaces, i);
        g_free(ifc->name);
        g_free(ifc->description);
        g_free(ifc);
    }
    if (s->ifaces)
        g_ptr_array_free(s->ifaces, TRUE);
    g_free(s->block);
    g_free(s->path);
    g_free(s);
}
