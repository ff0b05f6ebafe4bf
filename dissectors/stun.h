/* stun.h — STUN (RFC 3489 classic, RFC 5389/8489), TURN (RFC 8656) and ICE
 * (RFC 8445) messages, TURN ChannelData, and RFC 7983 first-byte demux.
 *
 * Owns: bytes → struct stun_message. Pure: no I/O, no globals, no allocation.
 */
#ifndef LEAKAUDIT_STUN_H
#define LEAKAUDIT_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissect.h"

#define STUN_MAGIC_COOKIE 0x2112A442u
#define STUN_FINGERPRINT_XOR 0x5354554eu
#define STUN_HEADER_LEN 20

/* Classes (the C1 C0 bits). */
enum stun_class {
    STUN_CLASS_REQUEST = 0,
    STUN_CLASS_INDICATION = 1,
    STUN_CLASS_SUCCESS = 2,
    STUN_CLASS_ERROR = 3,
};

/* Methods (IANA STUN registry). */
enum stun_method {
    STUN_METHOD_BINDING = 0x001,
    STUN_METHOD_SHARED_SECRET = 0x002,
    STUN_METHOD_ALLOCATE = 0x003,
    STUN_METHOD_REFRESH = 0x004,
    STUN_METHOD_SEND = 0x006,
    STUN_METHOD_DATA = 0x007,
    STUN_METHOD_CREATE_PERMISSION = 0x008,
    STUN_METHOD_CHANNEL_BIND = 0x009,
    STUN_METHOD_CONNECT = 0x00a,
    STUN_METHOD_CONNECTION_BIND = 0x00b,
    STUN_METHOD_CONNECTION_ATTEMPT = 0x00c,
    STUN_METHOD_GOOG_PING = 0x080,
};

/* Attribute types. */
enum stun_attr_type {
    STUN_ATTR_MAPPED_ADDRESS = 0x0001,
    STUN_ATTR_RESPONSE_ADDRESS = 0x0002,
    STUN_ATTR_CHANGE_REQUEST = 0x0003,
    STUN_ATTR_SOURCE_ADDRESS = 0x0004,
    STUN_ATTR_CHANGED_ADDRESS = 0x0005,
    STUN_ATTR_USERNAME = 0x0006,
    STUN_ATTR_PASSWORD = 0x0007,
    STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
    STUN_ATTR_ERROR_CODE = 0x0009,
    STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000a,
    STUN_ATTR_REFLECTED_FROM = 0x000b,
    STUN_ATTR_CHANNEL_NUMBER = 0x000c,
    STUN_ATTR_LIFETIME = 0x000d,
    STUN_ATTR_XOR_PEER_ADDRESS = 0x0012,
    STUN_ATTR_DATA = 0x0013,
    STUN_ATTR_REALM = 0x0014,
    STUN_ATTR_NONCE = 0x0015,
    STUN_ATTR_XOR_RELAYED_ADDRESS = 0x0016,
    STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017,
    STUN_ATTR_EVEN_PORT = 0x0018,
    STUN_ATTR_REQUESTED_TRANSPORT = 0x0019,
    STUN_ATTR_DONT_FRAGMENT = 0x001a,
    STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001c,
    STUN_ATTR_PASSWORD_ALGORITHM = 0x001d,
    STUN_ATTR_USERHASH = 0x001e,
    STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
    STUN_ATTR_RESERVATION_TOKEN = 0x0022,
    STUN_ATTR_PRIORITY = 0x0024,
    STUN_ATTR_USE_CANDIDATE = 0x0025,
    STUN_ATTR_PADDING = 0x0026,
    STUN_ATTR_RESPONSE_PORT = 0x0027,
    STUN_ATTR_CONNECTION_ID = 0x002a,
    STUN_ATTR_XOR_MAPPED_ADDRESS_OLD = 0x8020, /* pre-RFC servers (Vovida) */
    STUN_ATTR_PASSWORD_ALGORITHMS = 0x8002,
    STUN_ATTR_ALTERNATE_DOMAIN = 0x8003,
    STUN_ATTR_SOFTWARE = 0x8022,
    STUN_ATTR_ALTERNATE_SERVER = 0x8023,
    STUN_ATTR_TRANSACTION_TRANSMIT_COUNTER = 0x8025,
    STUN_ATTR_CACHE_TIMEOUT = 0x8027,
    STUN_ATTR_FINGERPRINT = 0x8028,
    STUN_ATTR_ICE_CONTROLLED = 0x8029,
    STUN_ATTR_ICE_CONTROLLING = 0x802a,
    STUN_ATTR_RESPONSE_ORIGIN = 0x802b,
    STUN_ATTR_OTHER_ADDRESS = 0x802c,
    STUN_ATTR_GOOG_NETWORK_INFO = 0xc057,
};

enum stun_fingerprint {
    STUN_FP_ABSENT = 0,
    STUN_FP_VALID,
    STUN_FP_INVALID,
};

enum { STUN_MAX_ATTRS = 32, STUN_TEXT_MAX = 128 };

/* A bounded copy of a text attribute (USERNAME, SOFTWARE, REALM…). */
struct stun_text {
    uint16_t len;              /* bytes stored (≤ STUN_TEXT_MAX) */
    bool truncated;            /* the attribute was longer */
    char value[STUN_TEXT_MAX + 1]; /* NUL-terminated; non-printable bytes kept as-is */
};

struct stun_message {
    bool classic;              /* RFC 3489: no magic cookie, 128-bit transaction id */
    bool channel_data;         /* TURN ChannelData, not a STUN message */
    uint16_t channel;          /* ChannelData channel number */
    uint16_t type;             /* raw 14-bit message type */
    enum stun_class cls;
    uint16_t method;
    uint16_t length;           /* header length field */
    uint8_t transaction_id[16];/* 12 bytes (RFC 5389) or 16 (classic) */
    uint8_t transaction_id_len;
    size_t message_len;        /* total bytes this message occupies (header + attributes) */

    uint16_t attr_count;       /* attributes seen (may exceed STUN_MAX_ATTRS) */
    uint16_t attr_types[STUN_MAX_ATTRS]; /* in wire order */

    struct dissect_addr mapped;       /* MAPPED-ADDRESS */
    struct dissect_addr xor_mapped;   /* XOR-MAPPED-ADDRESS (0x0020 or 0x8020), decoded */
    struct dissect_addr xor_peer;     /* first XOR-PEER-ADDRESS, decoded */
    struct dissect_addr xor_relayed;  /* XOR-RELAYED-ADDRESS, decoded */
    struct dissect_addr response_origin;
    struct dissect_addr other_address;/* OTHER-ADDRESS or CHANGED-ADDRESS */
    struct dissect_addr alternate_server;
    struct stun_text username;
    struct stun_text software;
    struct stun_text realm;
    struct stun_text nonce;
    struct stun_text error_reason;
    uint16_t error_code;       /* class*100 + number; 0 when absent */
    bool has_priority;
    uint32_t priority;
    bool use_candidate;
    bool ice_controlling, ice_controlled;
    uint64_t ice_tiebreaker;
    bool has_lifetime;
    uint32_t lifetime;
    bool has_channel_number;
    uint16_t channel_number;
    uint8_t requested_transport; /* 17 UDP, 6 TCP; 0 when absent */
    bool has_message_integrity;
    bool has_message_integrity_sha256;
    enum stun_fingerprint fingerprint;
    bool has_goog_network_info;
    uint16_t goog_network_id, goog_network_cost;
};

/* RFC 7983/9443 demultiplexing of the first byte of a UDP payload. */
enum demux_class {
    DEMUX_UNKNOWN = 0,
    DEMUX_STUN,        /* 0..3 */
    DEMUX_ZRTP,        /* 16..19 */
    DEMUX_DTLS,        /* 20..63 */
    DEMUX_TURN_CHANNEL,/* 64..79 */
    DEMUX_RTP,         /* 128..191 */
};
static inline enum demux_class stun_demux_first_byte(uint8_t b)
{
    /* RFC 7983 §7 / RFC 9443 §3; 80..127 and 192..255 are QUIC (RFC 9443),
     * 4..15 and 0x80.. gaps are unassigned: all reported as unknown.
     * Inline compares: every UDP payload is asked. */
    if (b <= 3)
        return DEMUX_STUN;
    if (b < 16)
        return DEMUX_UNKNOWN;
    if (b <= 19)
        return DEMUX_ZRTP;
    if (b <= 63)
        return DEMUX_DTLS;
    if (b <= 79)
        return DEMUX_TURN_CHANNEL;
    if (b >= 128 && b <= 191)
        return DEMUX_RTP;
    return DEMUX_UNKNOWN;
}

/* Decodes one STUN message or TURN ChannelData at the cursor's position.
 * Classic RFC 3489 (no cookie) is accepted only when the hint's ports include
 * 3478/3479/19302/5349 or the caller says so through classic_ok — otherwise
 * NOT_MINE, because 20 random bytes look like it too often. The cursor is
 * advanced past the message on success. */
enum dissect_result stun_dissect(struct cursor *c, const struct dissect_hint *h,
                                 bool classic_ok, struct stun_message *out);

/* For TCP framing: given the bytes at the head of a stream, how long is the
 * STUN message or ChannelData there (incl. header and, on TCP, ChannelData
 * padding)? 0 = not STUN-like; the value may exceed what is held (need more). */
size_t stun_frame_length(const struct cursor *c);

/* Names from the tables ("Binding", "Allocate", "GOOG-PING"; "request",
 * "success"; "XOR-MAPPED-ADDRESS"). Unknown values give NULL. */
const char *stun_method_name(uint16_t method);
const char *stun_class_name(enum stun_class cls);
const char *stun_attr_name(uint16_t type);

/* CRC-32 (IEEE, as zlib) — exposed for tests and for the capture generator. */
uint32_t stun_crc32(const uint8_t *data, size_t len);

#endif
