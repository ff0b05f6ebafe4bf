/* source_pcap.c — classic pcap files (both byte orders, µs and ns) through
 * libpcap, always asking for nanosecond timestamps.
 *
 * Owns: the FILE libpcap reads and its 64 KiB stdio buffer. libpcap's default
 * 4 KiB reads cost ~45% of the bare loop (notes/ndpi-and-performance.md §3.3);
 * on the shared VM (2026-11-24, 264 MB file in the page cache, read + decode)
 * 64 KiB took 0.11 s, 32 KiB 0.13 s, while 128 KiB and 1 MiB took 0.21-0.24 s,
 * nearly all of it system time: big reads copy through a buffer that no
 * longer fits the cache. Measure again before changing it.
 * and the replay of the magic for pipes: format detection already consumed
 * four bytes, a regular file seeks back, a pipe gets a fopencookie() stream
 * that hands those four bytes out again before reading on.
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
};

struct pcap_reader {
    pcap_t *pcap;
    FILE *fp;           /* libpcap's stream; pcap_close() closes it */
    char *iobuf;        /* fp's buffer: freed only after fp is closed */
    /* pipe replay */
    int fd;
    uint8_t head[4];
    size_t head_used;
    char *failure;      /* an error is final: libpcap would carry on */
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
    struct pcap_reader *r = cookie;
    size_t n = 0;
    while (r->head_used < sizeof r->head && n < size)
        buf[n++] = (char)r->head[r->head_used++];
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
        memcpy(r->head, in->head, sizeof r->head);
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

static enum source_status pcap_next_frame(struct capture_source *src, struct frame *out, GError **err)
{
    struct pcap_reader *r = src->impl;
    if (r->failure) {
        g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, r->failure);
        return SOURCE_ERROR;
    }
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
    if (r->pcap)
        pcap_close(r->pcap); /* fcloses r->fp */
    else if (r->fp)
        fclose(r->fp);
    g_free(r->iobuf);
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
