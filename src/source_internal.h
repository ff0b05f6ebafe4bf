/* source_internal.h — what the saved-capture readers share behind source.h.
 *
 * Owns: the capture_source record common to every format (label for messages,
 * progress counters, the interface table) and the two format back ends'
 * entry points. source_file.c opens the input and detects the format;
 * source_pcap.c (libpcap) and source_pcapng.c (own block reader) fill in the
 * rest. Not for use outside the source_*.c files.
 */
#ifndef LEAKAUDIT_SOURCE_INTERNAL_H
#define LEAKAUDIT_SOURCE_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

/* Where the bytes come from. Exactly one of fd >= 0 or mem != NULL. */
struct source_input {
    int fd;                 /* file or pipe (we own it: stdin is dup()ed), else -1 */
    bool seekable;          /* a regular file: can go back to byte 0 */
    const uint8_t *mem;     /* source_open_memory: borrowed, must outlive the source */
    size_t mem_len;
    uint8_t head[4];        /* the magic, already consumed from fd */
};

struct source_format {
    const char *name;       /* "pcap", "pcapng" */
    enum source_status (*next)(struct capture_source *src, struct frame *out, GError **err);
    void (*close)(struct capture_source *src); /* frees impl and the input */
};

struct capture_source {
    const struct source_format *format;
    char *label;            /* the path as the user gave it ("stdin", "memory") */
    uint64_t bytes_total;   /* st_size of a regular file, memory length; 0 unknown */
    uint64_t bytes_read;    /* consumed so far */
    uint64_t frames;        /* frames returned */
    uint64_t malformed;     /* blocks skipped as malformed */
    GPtrArray *ifaces;      /* struct source_iface *, index = id; names owned */
    void *impl;             /* the format's own state */
};

/* Each takes over `in` (closes its fd) whether it succeeds or not. */
bool source_pcap_start(struct capture_source *src, struct source_input *in, GError **err);
bool source_pcapng_start(struct capture_source *src, struct source_input *in, GError **err);

/* Adds an interface; its id is its index. name/description are copied
 * (len bytes, need not be NUL-terminated; NULL for none). */
struct source_iface *source_iface_add(struct capture_source *src, int linktype, uint32_t snaplen,
                                      const char *name, size_t name_len, const char *description,
                                      size_t description_len);

/* read(2) until n bytes, end of input or an error (EINTR retried). Returns
 * the bytes read; *errnum is the errno of a failure, else 0. */
size_t source_read_fd(int fd, void *buf, size_t n, int *errnum);

#endif
