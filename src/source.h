/* source.h — capture sources: saved files (pcap via libpcap, pcapng via our own
 * block reader) and, later, live devices. All hand out struct frame.
 *
 * Owns: opening, format detection, frame iteration, per-interface metadata.
 * Knows nothing of what a packet means.
 */
#ifndef LEAKAUDIT_SOURCE_H
#define LEAKAUDIT_SOURCE_H

#include <glib.h>
#include <stdint.h>

#include "frame.h"

struct capture_source;

struct source_iface {
    int id;                 /* the frame.iface value */
    const char *name;       /* if_name or NULL */
    const char *description;/* if_description or NULL */
    int linktype;
    uint32_t snaplen;
    uint64_t tsresol_ns_div;/* internal: ticks per second of this interface */
};

enum source_status {
    SOURCE_FRAME = 0,       /* *out holds the next frame */
    SOURCE_EOF,             /* clean end of input */
    SOURCE_ERROR,           /* unreadable/truncated/corrupt input; *err says why.
                               Frames already returned stay valid results. */
};

/* Opens a saved capture; path "-" is standard input. Detects classic pcap
 * (both byte orders, µs/ns) and pcapng (both byte orders) by magic number.
 * Returns NULL and sets *err with a one-line message on failure. */
struct capture_source *source_open_file(const char *path, GError **err);

/* The same from memory (fuzzing, tests). */
struct capture_source *source_open_memory(const void *data, size_t len, GError **err);

enum source_status source_next(struct capture_source *src, struct frame *out, GError **err);

/* Interfaces known so far (pcapng: IDBs read up to now; pcap: one). */
unsigned source_iface_count(const struct capture_source *src);
const struct source_iface *source_iface_get(const struct capture_source *src, int id);

/* "pcap", "pcapng" */
const char *source_format_name(const struct capture_source *src);
/* Bytes consumed so far and total size (0 when unknown, e.g. a pipe): progress. */
uint64_t source_bytes_read(const struct capture_source *src);
uint64_t source_bytes_total(const struct capture_source *src);
/* Counters of frames the reader itself skipped as malformed (bad block, bad length). */
uint64_t source_malformed_blocks(const struct capture_source *src);

void source_close(struct capture_source *src);

#endif
