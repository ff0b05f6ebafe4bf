/* frame.h — one captured frame as a capture source hands it on.
 *
 * Owns: the frame record (time, link type, interface, bytes).
 * Knows nothing of what the bytes mean.
 */
#ifndef LEAKAUDIT_FRAME_H
#define LEAKAUDIT_FRAME_H

#include <stdbool.h>
#include <stdint.h>

enum direction {
    DIR_UNKNOWN = 0,
    DIR_IN,  /* received by this host (incl. broadcast/multicast to us) */
    DIR_OUT, /* sent by this host */
    DIR_OTHER_HOST, /* seen in promiscuous mode, neither ours nor to us */
};

struct frame {
    uint64_t number;        /* 1-based frame number in source order */
    uint64_t ts_ns;         /* nanoseconds since the Unix epoch */
    int linktype;           /* LINKTYPE_* (pcap/pcapng link-layer header type) */
    int iface;              /* source-wide interface id (pcapng IDB, unique across
                               sections); 0 for a classic pcap; -1 if unknown */
    const char *iface_name; /* pcapng if_name, or NULL (valid while the source is open) */
    enum direction dir;     /* from pcapng epb_flags when present, else DIR_UNKNOWN */
    const char *comment;    /* first opt_comment of the packet block, or NULL */
    uint32_t caplen;        /* bytes present at data */
    uint32_t wirelen;       /* original length on the wire */
    const uint8_t *data;    /* caplen bytes; valid until the next source_next() */
};

#endif
