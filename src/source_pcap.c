/* source_pcap.c — classic pcap files (both byte orders, µs and ns), always
 * with nanosecond timestamps.
 *
 * Owns: two readers behind one format entry.
 *
 * The common file — pcap 2.4 in this host's byte order, µs or ns, an ordinary
 * link type — is read here: records are parsed in place in a read window and
 * handed out as pointers into it. libpcap's savefile path costs ~450
 * instructions a packet (two stdio freads and a memcpy into its buffer; the
 * whole bare pcap_next_ex loop is ~480, bench/run.sh), this one ~130. The
 * checks and messages follow libpcap 1.10.3's sf-pcap.c (tests/test_pcap_reader.c compares):
 * a snapshot length of 0 read as 262144, records longer than the snapshot cut to it,
 * a captured length past 262144 refused, the file's LINKTYPE_ turned into
 * the DLT_ libpcap would report.
 *
 * Everything else goes through libpcap: the other byte order (libpcap swaps
 * NFLOG, USB and SLL pseudo-headers in place then), versions before 2.4,
 * the modified-pcap magics, and link types with bigger snapshot limits or
 * header fix-ups (USB mmapped, D-Bus, USBPcap, EBHSCR). For that path this
 * file owns the FILE libpcap reads and its 64 KiB stdio buffer. libpcap's
 * default 4 KiB reads cost ~45% of the bare loop
 * (notes/ndpi-and-performance.md §3.3); on the shared VM (2026-11-24, 264 MB
 * file in the page cache, read + decode) 64 KiB took 0.11 s, 32 KiB 0.13 s,
 * while 128 KiB and 1 MiB took 0.21-0.24 s, nearly all of it system time: big
 * reads copy through a buffer that no longer fits the cache. Measure again
 * before changing it. And the replay of the magic for pipes: format detection
 * already consumed four bytes, a regular file seeks back, a pipe gets a
 * fopencookie() stream that hands those four bytes out again before reading on.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "source_internal.h"

enum {
    PCAP_FILE_HEADER_LEN = 24,
    PCAP_RECORD_HEADER_LEN = 16,
    PCAP_STDIO_BUFFER = 64 << 10,
    NS_PER_SEC = 1000000000,
    PCAP_MAGIC_US = 0xa1b2c3d4,
    PCAP_MAGIC_NS = 0xa1b23c4d,
    PCAP_MAX_SNAPLEN = 262144,      /* libpcap's MAXIMUM_SNAPLEN: every link type read here */
    OWN_WINDOW = 64 << 10,          /* read(2) size: stays in the cache, like the stdio buffer above */
    LT_LINKTYPE_MASK = 0x03ffffff,  /* the rest of the field is FCS information */
};

/* The reader of the common case: unread bytes are buf[pos, end). */
struct own_reader {
    int fd;                 /* -1: memory input, buf is the whole capture */
    uint8_t *own;           /* window storage for fd input */
    size_t cap;
    const uint8_t *buf;
    size_t pos, end;
    bool eof;
    bool nanoseconds;
    uint32_t snaplen;       /* as libpcap adjusts it */
    int linktype;           /* DLT_ value, as pcap_datalink() */
};

struct pcap_reader {
    struct own_reader *own; /* the common case; NULL when libpcap reads */
    pcap_t *pcap;
    FILE *fp;           /* libpcap's stream; pcap_close() closes it */
    char *iobuf;        /* fp's buffer: freed only after fp is closed */
    /* pipe replay: the bytes format detection (and the own reader's look at
     * the header) already took from the pipe */
    int fd;
    uint8_t *replay;
    size_t replay_len, replay_used;
    char *failure;      /* an error is final: libpcap would carry on */
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    struct pcap_reader *r = cookie;
    size_t n = 0;
    while (r->replay_used < r->replay_len && n < size)
        buf[n++] = (char)r->replay[r->replay_used++];
    if (n == size)
        return (ssize_t)n;
    if (n)
        return (ssize_t)n;
    /* One read: what a pipe has now, so `tcpdump -w - | leakaudit -r -`
     * audits packets as they come instead of waiting for a full buffer. */
    ssize_t got;
    do
        got = read(r->fd, buf, size);
    while (got < 0 && errno == EINTR);
    return got;
}

static int replay_close(void *cookie)
{
    struct pcap_reader *r = cookie;
    int rc = r->fd >= 0 ? close(r->fd) : 0;
    r->fd = -1;
    return rc;
}

/* A stream positioned at byte 0 of the capture. Takes over in->fd. */
static FILE *stream_from_start(struct pcap_reader *r, struct source_input *in)
{
    if (in->mem)
        return fmemopen((void *)in->mem, in->mem_len, "rb");
    FILE *fp = NULL;
    if (in->seekable && lseek(in->fd, 0, SEEK_SET) == 0) {
        fp = fdopen(in->fd, "rb");
        if (!fp)
            close(in->fd);
    } else {
        r->fd = in->fd;
        if (!r->replay) {
            r->replay = g_memdup2(in->head, sizeof in->head);
            r->replay_len = sizeof in->head;
        }
        cookie_io_functions_t io = { .read = replay_read, .close = replay_close };
        fp = fopencookie(r, "rb", io);
        if (!fp)
            replay_close(r);
    }
    in->fd = -1;
    if (fp) {
        r->iobuf = g_malloc(PCAP_STDIO_BUFFER);
        setvbuf(fp, r->iobuf, _IOFBF, PCAP_STDIO_BUFFER);
    }
    return fp;
}

/* A record longer than the file header's snaplen: libpcap hands out only
 * snaplen bytes and skips the rest, although they are in the file (tshark
 * shows them). The stream position tells: count the record as malformed, so
 * a capture cannot hide packets from the audit without it showing. Checked
 * only for records cut exactly at snaplen, so ftello() stays off the usual
 * path; a pipe (no position) goes unchecked. */
static void note_cut_to_snaplen(struct capture_source *src, struct pcap_reader *r)
{
    off_t pos = ftello(r->fp);
    if (pos > 0 && (uint64_t)pos > src->bytes_read) {
        src->malformed++;
        src->bytes_read = (uint64_t)pos;
    }
}

/* ---- the common case, read here ---- */

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Makes n bytes readable at pos when the input has them; returns how many are
 * (fewer only at end of input or on a read error, *errnum says which). */
static size_t own_fill(struct own_reader *o, size_t n, int *errnum)
{
    *errnum = 0;
    size_t have = o->end - o->pos;
    if (have >= n || o->fd < 0 || o->eof)
        return have < n ? have : n;
    if (n > o->cap - o->pos) {
        memmove(o->own, o->own + o->pos, have);
        o->pos = 0;
        o->end = have;
        if (n > o->cap) { /* a record bigger than the window: grow to hold it */
            o->cap = n;
            o->own = g_realloc(o->own, o->cap);
            o->buf = o->own;
        }
    }
    while (o->end - o->pos < n) {
        ssize_t k = read(o->fd, o->own + o->end, o->cap - o->end);
        if (k > 0) {
            o->end += (size_t)k;
        } else if (k == 0) {
            o->eof = true;
            break;
        } else if (errno != EINTR) {
            *errnum = errno;
            break;
        }
    }
    have = o->end - o->pos;
    return have < n ? have : n;
}

/* libpcap's linktype_to_dlt() for the LINKTYPE_ values whose DLT_ differs on Linux. */
static int dlt_of_linktype(uint32_t linktype)
{
    switch (linktype) {
    case 100: return 11;  /* ATM_RFC1483 */
    case 101: return 12;  /* RAW */
    case 102: return 15;  /* SLIP_BSDOS */
    case 103: return 16;  /* PPP_BSDOS */
    case 106: return 19;  /* ATM_CLIP */
    default: return (int)linktype;
    }
}

/* The header (already checked to be 2.4, host order) of a file read here;
 * false leaves the file to libpcap. */
static bool own_accepts(const uint8_t h[PCAP_FILE_HEADER_LEN], uint32_t *linktype)
{
    uint32_t magic = le32_at(h);
    if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
        return false;
    if (h[4] != 2 || h[5] != 0 || h[6] != 4 || h[7] != 0)
        return false;
    *linktype = le32_at(h + 20) & LT_LINKTYPE_MASK;
    switch (*linktype) {
    case 220: /* USB_LINUX_MMAPPED: libpcap fixes up its header */
    case 231: /* DBUS, 249 USBPCAP, 279 EBHSCR: larger snapshot limits */
    case 249:
    case 279:
        return false;
    default:
        return true;
    }
}

static void own_fail(struct capture_source *src, struct pcap_reader *r, GError **err, bool truncated,
                     const char *why)
{
    r->failure = g_strdup_printf("'%s': %s at frame %" G_GUINT64_FORMAT " (byte offset %" G_GUINT64_FORMAT "): %s",
                                 src->label, truncated ? "truncated" : "unreadable record", src->frames + 1,
                                 src->bytes_read, why);
    g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->failure);
}

/* own_fill() for the usual case, when the window already holds n bytes:
 * no call. */
static inline size_t own_have(struct own_reader *o, size_t n, int *errnum)
{
    if (o->end - o->pos >= n) {
        *errnum = 0;
        return n;
    }
    return own_fill(o, n, errnum);
}

static enum source_status own_next_frame(struct capture_source *src, struct pcap_reader *r, struct frame *out,
                                         GError **err)
{
    struct own_reader *o = r->own;
    int errnum;
    size_t have = own_have(o, PCAP_RECORD_HEADER_LEN, &errnum);
    if (errnum) {
        own_fail(src, r, err, false, g_strerror(errnum));
        return SOURCE_ERROR;
    }
    if (have == 0)
        return SOURCE_EOF;
    if (have < PCAP_RECORD_HEADER_LEN) {
        gchar *why = g_strdup_printf("truncated dump file; tried to read %d header bytes, only got %zu",
                                     PCAP_RECORD_HEADER_LEN, have);
        own_fail(src, r, err, true, why);
        g_free(why);
        return SOURCE_ERROR;
    }
    const uint8_t *h = o->buf + o->pos;
    uint32_t caplen = le32_at(h + 8);
    if (caplen > PCAP_MAX_SNAPLEN) {
        gchar *why = g_strdup_printf("invalid packet capture length %u, bigger than maximum of %u", caplen,
                                     (unsigned)PCAP_MAX_SNAPLEN);
        own_fail(src, r, err, false, why);
        g_free(why);
        return SOURCE_ERROR;
    }
    size_t need = PCAP_RECORD_HEADER_LEN + (size_t)caplen;
    have = own_have(o, need, &errnum);
    if (errnum) {
        own_fail(src, r, err, false, g_strerror(errnum));
        return SOURCE_ERROR;
    }
    if (have < need) {
        gchar *why = g_strdup_printf("truncated dump file; tried to read %u captured bytes, only got %zu", caplen,
                                     have - PCAP_RECORD_HEADER_LEN);
        own_fail(src, r, err, true, why);
        g_free(why);
        return SOURCE_ERROR;
    }
    h = o->buf + o->pos; /* the window may have moved */
    o->pos += need;
    src->bytes_read += need;
    if (caplen > o->snaplen) /* cut to the snapshot below: malformed, as note_cut_to_snaplen() says */
        src->malformed++;
    uint64_t sub = le32_at(h + 4);
    *out = (struct frame){
        .number = ++src->frames,
        .ts_ns = (uint64_t)le32_at(h) * NS_PER_SEC + (o->nanoseconds ? sub : sub * 1000u),
        .linktype = o->linktype,
        .iface = 0,
        .dir = DIR_UNKNOWN,
        .caplen = caplen > o->snaplen ? o->snaplen : caplen, /* libpcap cuts records to the snapshot */
        .wirelen = le32_at(h + 12),
        .data = h + PCAP_RECORD_HEADER_LEN,
    };
    return SOURCE_FRAME;
}

/* Starts the own reader when the header is one it reads; false (and the
 * input untouched) leaves the file to libpcap. *failed and *err when the
 * header itself cannot be read. */
static bool own_start(struct capture_source *src, struct pcap_reader *r, struct source_input *in, bool *failed,
                      GError **err)
{
    *failed = false;
    uint8_t h[PCAP_FILE_HEADER_LEN];
    struct own_reader *o = g_new0(struct own_reader, 1);
    if (in->mem) {
        o->fd = -1;
        o->buf = in->mem;
        o->end = in->mem_len;
        if (in->mem_len < PCAP_FILE_HEADER_LEN) {
            g_free(o);
            return false; /* libpcap says what is wrong */
        }
        memcpy(h, in->mem, sizeof h);
    } else {
        o->fd = in->fd;
        o->cap = OWN_WINDOW;
        o->own = g_malloc(o->cap);
        o->buf = o->own;
        memcpy(o->own, in->head, sizeof in->head);
        o->end = sizeof in->head;
        int errnum;
        size_t have = own_fill(o, PCAP_FILE_HEADER_LEN, &errnum);
        if (have < PCAP_FILE_HEADER_LEN) {
            if (errnum)
                g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errnum), "cannot read capture '%s': %s",
                            src->label, g_strerror(errnum));
            else
                g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "'%s' is not a readable pcap capture: truncated dump file; tried to read %d file "
                            "header bytes, only got %zu",
                            src->label, PCAP_FILE_HEADER_LEN, have);
            close(o->fd);
            in->fd = -1;
            g_free(o->own);
            g_free(o);
            *failed = true;
            return false;
        }
        memcpy(h, o->buf, sizeof h);
    }
    uint32_t linktype;
    if (!own_accepts(h, &linktype)) {
        /* libpcap takes over: a file seeks back to byte 0, a pipe replays what was read */
        if (!in->mem && !in->seekable) {
            r->replay = g_memdup2(o->buf, o->end);
            r->replay_len = o->end;
        }
        g_free(o->own);
        g_free(o);
        return false;
    }
    in->fd = -1; /* ours now */
    o->pos = PCAP_FILE_HEADER_LEN;
    o->nanoseconds = le32_at(h) == PCAP_MAGIC_NS;
    uint32_t snaplen = le32_at(h + 16);
    o->snaplen = snaplen == 0 ? PCAP_MAX_SNAPLEN : snaplen; /* as libpcap 1.10.3: only 0 is replaced */
    o->linktype = dlt_of_linktype(linktype);
    r->own = o;
    source_iface_add(src, o->linktype, o->snaplen, NULL, 0, NULL, 0);
    src->bytes_read = PCAP_FILE_HEADER_LEN;
    return true;
}

static enum source_status pcap_next_frame(struct capture_source *src, struct frame *out, GError **err)
{
    struct pcap_reader *r = src->impl;
    if (r->failure) {
        g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->failure);
        return SOURCE_ERROR;
    }
    if (r->own)
        return own_next_frame(src, r, out, err);
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(r->pcap, &h, &data);
    if (rc == PCAP_ERROR_BREAK)
        return SOURCE_EOF;
    if (rc != 1) {
        const char *why = pcap_geterr(r->pcap);
        r->failure = g_strdup_printf("'%s': %s at frame %" G_GUINT64_FORMAT " (byte offset %" G_GUINT64_FORMAT "): %s",
                                     src->label, strstr(why, "truncated") ? "truncated" : "unreadable record",
                                     src->frames + 1, src->bytes_read, why);
        g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->failure);
        return SOURCE_ERROR;
    }
    const struct source_iface *ifc = g_ptr_array_index(src->ifaces, 0);
    src->bytes_read += PCAP_RECORD_HEADER_LEN + (uint64_t)h->caplen;
    if (h->caplen == ifc->snaplen && h->len > h->caplen)
        note_cut_to_snaplen(src, r);
    *out = (struct frame){
        .number = ++src->frames,
        /* With PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds. The
         * file's seconds are unsigned 32-bit; libpcap passes them through a
         * signed int, so after 2038 tv_sec comes out negative. */
        .ts_ns = (uint64_t)(uint32_t)h->ts.tv_sec * NS_PER_SEC + (uint64_t)(uint32_t)h->ts.tv_usec,
        .linktype = ifc->linktype,
        .iface = 0,
        .dir = DIR_UNKNOWN,
        .caplen = h->caplen,
        .wirelen = h->len,
        .data = data,
    };
    return SOURCE_FRAME;
}

static void pcap_reader_close(struct capture_source *src)
{
    struct pcap_reader *r = src->impl;
    if (!r)
        return;
    if (r->own) {
        if (r->own->fd >= 0)
            close(r->own->fd);
        g_free(r->own->own);
        g_free(r->own);
    }
    if (r->pcap)
        pcap_close(r->pcap); /* fcloses r->fp */
    else if (r->fp)
        fclose(r->fp);
    g_free(r->iobuf);
    g_free(r->replay);
    g_free(r->failure);
    g_free(r);
    src->impl = NULL;
}

static const struct source_format pcap_format = {
    .name = "pcap",
    .next = pcap_next_frame,
    .close = pcap_reader_close,
};

bool source_pcap_start(struct capture_source *src, struct source_input *in, GError **err)
{
    struct pcap_reader *r = g_new0(struct pcap_reader, 1);
    r->fd = -1;
    src->impl = r;
    src->format = &pcap_format;
    bool failed;
    if (own_start(src, r, in, &failed, err))
        return true;
    if (failed) {
        pcap_reader_close(src);
        return false;
    }
    r->fp = stream_from_start(r, in);
    if (!r->fp) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot read capture '%s': %s", src->label,
                    g_strerror(e));
        pcap_reader_close(src);
        return false;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    r->pcap = pcap_fopen_offline_with_tstamp_precision(r->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!r->pcap) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s' is not a readable pcap capture: %s", src->label,
                    errbuf[0] ? errbuf : "libpcap refused it");
        pcap_reader_close(src);
        return false;
    }
    source_iface_add(src, pcap_datalink(r->pcap), (uint32_t)pcap_snapshot(r->pcap), NULL, 0, NULL, 0);
    src->bytes_read = PCAP_FILE_HEADER_LEN;
    return true;
}
