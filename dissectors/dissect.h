/* dissect.h — what every dissector is told about the bytes it is given.
 * Entry shape shared by all dissectors (cf. nDPI's protocols/):
 *   enum dissect_result X_dissect(struct cursor *c, const struct dissect_hint *h, struct X_message *out);
 * Pure functions: no I/O, no globals, no allocation. */
#ifndef LEAKAUDIT_DISSECT_H
#define LEAKAUDIT_DISSECT_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"

enum transport { TRANSPORT_UDP = 17, TRANSPORT_TCP = 6 };

struct dissect_hint {
    enum transport transport;
    uint16_t sport, dport;
    bool framed;        /* TCP: the cursor holds exactly one message, length prefix removed */
};

/* IP address as dissectors report it (no dependency on src/). */
struct dissect_addr {
    uint8_t family;     /* 0 none, 4, 6 */
    uint8_t bytes[16];
    uint16_t port;
};

#endif
