/* source_live.h — live capture with libpcap: `-i any` in Linux cooked v2
 * (each packet carries its interface index and direction) or named devices,
 * several handles multiplexed with poll(), a kernel-side BPF prefilter that
 * passes only what the auditor needs, and kernel drop counters.
 *
 * Owns: pcap handles, their file descriptors, the prefilter text.
 * Knows nothing of what packets mean.
 */
#ifndef LEAKAUDIT_SOURCE_LIVE_H
#define LEAKAUDIT_SOURCE_LIVE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

struct live_options {
    char **devices;        /* -i NAME (repeatable); "any" means all interfaces */
    int buffer_mib;        /* -B: kernel ring size per handle (default 32) */
    int snaplen;           /* bytes kept per packet (default 65535) */
    const char *filter;    /* user BPF expression, ANDed with the prefilter */
    bool no_prefilter;     /* pass everything to user space */
    bool immediate;        /* deliver each packet at once (default true) */
};

struct live_stats {
    uint64_t received;     /* packets the kernel handed to the filter */
    uint64_t dropped;      /* dropped for lack of ring space */
    uint64_t if_dropped;   /* dropped by the interface/driver */
};

typedef void (*live_frame_fn)(const struct frame *f, const char *device, void *user);

struct live_capture;

/* Opens every device. Clear errors: unknown interface, no permission (names
 * the capability), SLL2 not offered on "any", bad filter. */
struct live_capture *live_open(const struct live_options *o, GError **err);
/* Waits up to timeout_ms (−1: forever) and delivers whatever arrived. Also
 * watches extra_fd (−1: none; e.g. rtnetlink) and says whether it is readable.
 * Returns the number of frames delivered, 0 on timeout or EINTR, −1 on error. */
int live_poll(struct live_capture *lc, int timeout_ms, int extra_fd, bool *extra_ready, live_frame_fn fn, void *user,
              GError **err);
/* Sum over handles of pcap_stats. */
void live_get_stats(struct live_capture *lc, struct live_stats *out);
/* The BPF text actually installed (for --verbose and tests). */
const char *live_filter_text(const struct live_capture *lc);
void live_close(struct live_capture *lc);

/* The prefilter alone (exposed for tests: it must compile). */
const char *live_prefilter(void);

#endif
