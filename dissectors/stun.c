/* stun.c — STUN (RFC 3489 classic, RFC 5389/8489), TURN (RFC 8656), ICE
 * (RFC 8445) messages, TURN ChannelData, RFC 7983/9443 first-byte demux.
 *
 * Owns: decoding one message at a cursor into struct stun_message, the TCP
 * frame length of a STUN/ChannelData head, the name tables and CRC-32 for
 * FINGERPRINT. Pure: no I/O, no globals (only const tables), no allocation.
 *
 * Every byte is read through cursor.h; the only pointer taken is the
 * cursor_view() of the verified span handed to the CRC.
 *
 * What counts as STUN, and why:
 *  - With the magic cookie (RFC 5389/8489) the cookie is strong evidence, so
 *    any inconsistency after it (length not a multiple of 4, running past the
 *    bytes held, an attribute running past the message, an address attribute
 *    of the wrong size) is MALFORMED, not NOT_MINE.
 *  - Classic RFC 3489 and TURN ChannelData have no cookie: 20 (or 4) random
 *    bytes match their shape far too often (Wireshark's heuristic labels
 *    arbitrary UDP as CLASSIC-STUN). They are accepted only when the caller
 *    says the flow is STUN already (classic_ok: it saw a STUN request or
 *    Allocate on this 5-tuple) or a port is a STUN/TURN port, and for classic
 *    STUN only with a known method/class and an attribute walk that ends
 *    exactly at the end of the message. Anything else is NOT_MINE.
 */
#include "stun.h"

#include <stddef.h>
#include <string.h>

/* ---- constants ---- */

enum {
    STUN_COOKIE_OFFSET = 4,
    STUN_TXID_OFFSET_MODERN = 8,
    STUN_TXID_LEN_MODERN = 12,
    STUN_TXID_LEN_CLASSIC = 16,
    STUN_XOR_KEY_LEN = 16,           /* header bytes 4..19: cookie || txid */
    STUN_ATTR_HEADER_LEN = 4,
    CHANNEL_DATA_HEADER_LEN = 4,
    CHANNEL_NUMBER_MIN = 0x4000,     /* RFC 5766 allowed 0x4000..0x7FFF; */
    CHANNEL_NUMBER_MAX = 0x7fff,     /* RFC 8656 narrowed it to 0x4FFF */
    STUN_TYPE_TOP_BITS = 0xc000,     /* the two leading zero bits of STUN */
    STUN_FIRST_BYTE_MAX = 3,         /* RFC 7983 demux range of STUN */
    STUN_ADDR_FAMILY_IPV4 = 0x01,
    STUN_ADDR_FAMILY_IPV6 = 0x02,
    STUN_ADDR_LEN_IPV4 = 8,
    STUN_ADDR_LEN_IPV6 = 20,
    STUN_FINGERPRINT_LEN = 4,
};

/* Ports on which cookie-less STUN shapes (classic, ChannelData) are believed:
 * STUN/TURN 3478, its RFC 5780 alternate 3479, TURN over TLS/DTLS 5349 and
 * Google's public STUN servers 19302. */
static const uint16_t stun_ports[] = { 3478, 3479, 5349, 19302 };

static size_t pad4(size_t n) { return (n + 3u) & ~(size_t)3u; }

/* ---- name tables ---- */

struct value_name {
    uint16_t value;
    const char *name;
};

static const struct value_name method_names[] = {
    { STUN_METHOD_BINDING, "Binding" },
    { STUN_METHOD_SHARED_SECRET, "SharedSecret" },
    { STUN_METHOD_ALLOCATE, "Allocate" },
    { STUN_METHOD_REFRESH, "Refresh" },
    { STUN_METHOD_SEND, "Send" },
    { STUN_METHOD_DATA, "Data" },
    { STUN_METHOD_CREATE_PERMISSION, "CreatePermission" },
    { STUN_METHOD_CHANNEL_BIND, "ChannelBind" },
    { STUN_METHOD_CONNECT, "Connect" },
    { STUN_METHOD_CONNECTION_BIND, "ConnectionBind" },
    { STUN_METHOD_CONNECTION_ATTEMPT, "ConnectionAttempt" },
    { STUN_METHOD_GOOG_PING, "GOOG-PING" },
};

static const char *const class_names[] = {
    [STUN_CLASS_REQUEST] = "request",
    [STUN_CLASS_INDICATION] = "indication",
    [STUN_CLASS_SUCCESS] = "success",
    [STUN_CLASS_ERROR] = "error",
};

static const char *lookup_name(const struct value_name *table, size_t n, uint16_t value)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].value == value)
            return table[i].name;
    return NULL;
}

/* The 14-bit type interleaves class and method: M11..M7 C1 M6..M4 C0 M3..M0. */
static uint16_t type_method(uint16_t type)
{
    return (uint16_t)((type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2));
}

static enum stun_class type_class(uint16_t type)
{
    return (enum stun_class)(((type & 0x0010) >> 4) | ((type & 0x0100) >> 7));
}

/* Classic RFC 3489 message types: Binding and Shared Secret, each as
 * request, success and error response (no indications existed). */
static const uint16_t classic_types[] = {
    0x0001, 0x0101, 0x0111, /* Binding request / response / error */
    0x0002, 0x0102, 0x0112, /* Shared Secret request / response / error */
};

/* ---- CRC-32 (IEEE 802.3, reflected, as zlib) ---- */

/* Byte table of the reflected polynomial 0xEDB88320, computed by the
 * compiler: entry b is b run through the eight shift/xor steps. One lookup a
 * byte (a FINGERPRINT covers the whole message, ~100 bytes in ICE checks;
 * the earlier half-byte table took two). */
#define CRC32_STEP(c) (((c) >> 1) ^ (0xedb88320u & (0u - ((c) & 1u))))
#define CRC32_STEP4(c) CRC32_STEP(CRC32_STEP(CRC32_STEP(CRC32_STEP(c))))
#define CRC32_ENTRY(b) CRC32_STEP4(CRC32_STEP4((uint32_t)(b)))
#define CRC32_ROW(b)                                                                                           \
    CRC32_ENTRY(b), CRC32_ENTRY(b + 1), CRC32_ENTRY(b + 2), CRC32_ENTRY(b + 3), CRC32_ENTRY(b + 4),            \
        CRC32_ENTRY(b + 5), CRC32_ENTRY(b + 6), CRC32_ENTRY(b + 7), CRC32_ENTRY(b + 8), CRC32_ENTRY(b + 9),    \
        CRC32_ENTRY(b + 10), CRC32_ENTRY(b + 11), CRC32_ENTRY(b + 12), CRC32_ENTRY(b + 13), CRC32_ENTRY(b + 14), \
        CRC32_ENTRY(b + 15)

static const uint32_t crc32_byte[256] = {
    CRC32_ROW(0x00), CRC32_ROW(0x10), CRC32_ROW(0x20), CRC32_ROW(0x30), CRC32_ROW(0x40), CRC32_ROW(0x50),
    CRC32_ROW(0x60), CRC32_ROW(0x70), CRC32_ROW(0x80), CRC32_ROW(0x90), CRC32_ROW(0xa0), CRC32_ROW(0xb0),
    CRC32_ROW(0xc0), CRC32_ROW(0xd0), CRC32_ROW(0xe0), CRC32_ROW(0xf0),
};

uint32_t stun_crc32(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xffffffffu;
    if (!data)
        return 0;
    for (size_t i = 0; i < len; i++)
        crc = (crc >> 8) ^ crc32_byte[(crc ^ data[i]) & 0xffu];
    return crc ^ 0xffffffffu;
}

/* ---- attribute decoders ---- */

/* What the attribute walk knows besides the value. */
struct attr_ctx {
    struct cursor message;      /* the whole message, from its first byte */
    size_t attr_offset;         /* offset of this attribute's header in it */
    uint8_t xor_key[STUN_XOR_KEY_LEN];
};

typedef enum dissect_result (*attr_decoder)(const struct attr_ctx *ctx, struct cursor *value,
                                            void *field, struct stun_message *out);

/* MAPPED-ADDRESS family: reserved(1) family(1) port(2) address(4|16); the
 * size must match the family exactly (RFC 8489 §14.1). */
static enum dissect_result decode_address_common(const struct attr_ctx *ctx, struct cursor *value,
                                                 struct dissect_addr *dst, bool xored)
{
    size_t len = cursor_left(value);
    (void)cursor_u8(value); /* reserved */
    uint8_t family = cursor_u8(value);
    uint16_t port = cursor_u16be(value);
    size_t addr_len;
    if (family == STUN_ADDR_FAMILY_IPV4 && len == STUN_ADDR_LEN_IPV4)
        addr_len = 4;
    else if (family == STUN_ADDR_FAMILY_IPV6 && len == STUN_ADDR_LEN_IPV6)
        addr_len = 16;
    else
        return DISSECT_MALFORMED;
    uint8_t bytes[16] = { 0 };
    if (!cursor_copy(value, bytes, addr_len) || !cursor_ok(value))
        return DISSECT_MALFORMED;
    if (dst->family != 0)
        return DISSECT_OK; /* first occurrence wins */
    if (xored) {
        /* Port XOR the cookie's top half; address XOR cookie (IPv4) or
         * cookie || transaction id (IPv6): i.e. header bytes 4.. in order. */
        port ^= (uint16_t)((ctx->xor_key[0] << 8) | ctx->xor_key[1]);
        for (size_t i = 0; i < addr_len; i++)
            bytes[i] ^= ctx->xor_key[i];
    }
    dst->family = addr_len == 4 ? 4 : 6;
    dst->port = port;
    memcpy(dst->bytes, bytes, sizeof dst->bytes);
    return DISSECT_OK;
}

static enum dissect_result decode_address(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                          struct stun_message *out)
{
    (void)out;
    struct dissect_addr scratch = { 0 };
    return decode_address_common(ctx, value, field ? field : &scratch, false);
}

static enum dissect_result decode_xor_address(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                              struct stun_message *out)
{
    (void)out;
    struct dissect_addr scratch = { 0 };
    return decode_address_common(ctx, value, field ? field : &scratch, true);
}

static void copy_text(struct cursor *value, struct stun_text *dst)
{
    size_t len = cursor_left(value);
    size_t keep = len < STUN_TEXT_MAX ? len : STUN_TEXT_MAX;
    cursor_copy(value, dst->value, keep);
    dst->value[keep] = '\0';
    dst->len = (uint16_t)keep;
    dst->truncated = len > keep;
}

static enum dissect_result decode_text(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                       struct stun_message *out)
{
    (void)ctx;
    (void)out;
    struct stun_text *dst = field;
    if (dst->len == 0 && !dst->truncated)
        copy_text(value, dst);
    return DISSECT_OK;
}

/* ERROR-CODE: reserved(21 bits) class(3) number(8) reason phrase. */
static enum dissect_result decode_error_code(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                             struct stun_message *out)
{
    (void)ctx;
    (void)field;
    if (cursor_left(value) < 4)
        return DISSECT_MALFORMED;
    (void)cursor_u16be(value);
    uint8_t cls = cursor_u8(value) & 0x07;
    uint8_t number = cursor_u8(value);
    if (out->error_code == 0) {
        out->error_code = (uint16_t)(cls * 100u + number);
        copy_text(value, &out->error_reason);
    }
    return DISSECT_OK;
}

static enum dissect_result decode_priority(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                           struct stun_message *out)
{
    (void)ctx;
    (void)field;
    out->priority = cursor_u32be(value);
    out->has_priority = true;
    return DISSECT_OK;
}

static enum dissect_result decode_use_candidate(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                                struct stun_message *out)
{
    (void)ctx;
    (void)value;
    (void)field;
    out->use_candidate = true;
    return DISSECT_OK;
}

static enum dissect_result decode_ice_role(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                           struct stun_message *out)
{
    (void)ctx;
    *(bool *)field = true;
    out->ice_tiebreaker = cursor_u64be(value);
    return DISSECT_OK;
}

static enum dissect_result decode_lifetime(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                           struct stun_message *out)
{
    (void)ctx;
    (void)field;
    out->lifetime = cursor_u32be(value);
    out->has_lifetime = true;
    return DISSECT_OK;
}

/* CHANNEL-NUMBER: number(2) RFFU(2). */
static enum dissect_result decode_channel_number(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                                 struct stun_message *out)
{
    (void)ctx;
    (void)field;
    out->channel_number = cursor_u16be(value);
    out->has_channel_number = true;
    return DISSECT_OK;
}

/* REQUESTED-TRANSPORT: protocol(1) RFFU(3). */
static enum dissect_result decode_requested_transport(const struct attr_ctx *ctx, struct cursor *value,
                                                      void *field, struct stun_message *out)
{
    (void)ctx;
    (void)field;
    out->requested_transport = cursor_u8(value);
    return DISSECT_OK;
}

static enum dissect_result decode_presence(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                           struct stun_message *out)
{
    (void)ctx;
    (void)value;
    (void)out;
    *(bool *)field = true;
    return DISSECT_OK;
}

/* GOOG-NETWORK-INFO (WebRTC): network id(2) network cost(2). */
static enum dissect_result decode_goog_network_info(const struct attr_ctx *ctx, struct cursor *value,
                                                    void *field, struct stun_message *out)
{
    (void)ctx;
    (void)field;
    out->goog_network_id = cursor_u16be(value);
    out->goog_network_cost = cursor_u16be(value);
    out->has_goog_network_info = true;
    return DISSECT_OK;
}

/* FINGERPRINT: CRC-32 of the message up to this attribute, XOR 0x5354554e. */
static enum dissect_result decode_fingerprint(const struct attr_ctx *ctx, struct cursor *value, void *field,
                                              struct stun_message *out)
{
    (void)field;
    uint32_t wire = cursor_u32be(value);
    const uint8_t *covered = cursor_view(&ctx->message, ctx->attr_offset);
    if (!covered)
        return DISSECT_MALFORMED;
    uint32_t expected = stun_crc32(covered, ctx->attr_offset) ^ STUN_FINGERPRINT_XOR;
    if (out->fingerprint == STUN_FP_ABSENT)
        out->fingerprint = wire == expected ? STUN_FP_VALID : STUN_FP_INVALID;
    return DISSECT_OK;
}

enum { ANY_LENGTH = -1 };
#define FIELD(member) offsetof(struct stun_message, member)
#define NO_FIELD ((size_t)-1)

/* One row per attribute type: its name, the exact value length when fixed
 * (else ANY_LENGTH; a mismatch is MALFORMED), the decoder (NULL: recorded
 * only) and the struct member it fills. */
struct attr_spec {
    uint16_t type;
    const char *name;
    int length;
    attr_decoder decode;
    size_t field;
};

/* Attribute types are 0x0001..0x003F and 0x8000..0x803F (comprehension-
 * required and -optional ranges as used), plus GOOG-NETWORK-INFO 0xC057: the
 * low six bits and the top bit give each listed type its own slot, so a
 * lookup is one index and one compare instead of a walk down the list. */
#define ATTR_SLOT(type) ((((type) >> 9) & 0x40) | ((type) & 0x3f))
enum { ATTR_SLOTS = 0x80 };

static const struct attr_spec attr_specs[ATTR_SLOTS] = {
    [ATTR_SLOT(STUN_ATTR_MAPPED_ADDRESS)] = { STUN_ATTR_MAPPED_ADDRESS, "MAPPED-ADDRESS", ANY_LENGTH, decode_address, FIELD(mapped) },
    [ATTR_SLOT(STUN_ATTR_RESPONSE_ADDRESS)] = { STUN_ATTR_RESPONSE_ADDRESS, "RESPONSE-ADDRESS", ANY_LENGTH, decode_address, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_CHANGE_REQUEST)] = { STUN_ATTR_CHANGE_REQUEST, "CHANGE-REQUEST", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_SOURCE_ADDRESS)] = { STUN_ATTR_SOURCE_ADDRESS, "SOURCE-ADDRESS", ANY_LENGTH, decode_address, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_CHANGED_ADDRESS)] = { STUN_ATTR_CHANGED_ADDRESS, "CHANGED-ADDRESS", ANY_LENGTH, decode_address, FIELD(other_address) },
    [ATTR_SLOT(STUN_ATTR_USERNAME)] = { STUN_ATTR_USERNAME, "USERNAME", ANY_LENGTH, decode_text, FIELD(username) },
    [ATTR_SLOT(STUN_ATTR_PASSWORD)] = { STUN_ATTR_PASSWORD, "PASSWORD", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_MESSAGE_INTEGRITY)] = { STUN_ATTR_MESSAGE_INTEGRITY, "MESSAGE-INTEGRITY", ANY_LENGTH, decode_presence,
      FIELD(has_message_integrity) },
    [ATTR_SLOT(STUN_ATTR_ERROR_CODE)] = { STUN_ATTR_ERROR_CODE, "ERROR-CODE", ANY_LENGTH, decode_error_code, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_UNKNOWN_ATTRIBUTES)] = { STUN_ATTR_UNKNOWN_ATTRIBUTES, "UNKNOWN-ATTRIBUTES", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_REFLECTED_FROM)] = { STUN_ATTR_REFLECTED_FROM, "REFLECTED-FROM", ANY_LENGTH, decode_address, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_CHANNEL_NUMBER)] = { STUN_ATTR_CHANNEL_NUMBER, "CHANNEL-NUMBER", 4, decode_channel_number, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_LIFETIME)] = { STUN_ATTR_LIFETIME, "LIFETIME", 4, decode_lifetime, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_XOR_PEER_ADDRESS)] = { STUN_ATTR_XOR_PEER_ADDRESS, "XOR-PEER-ADDRESS", ANY_LENGTH, decode_xor_address, FIELD(xor_peer) },
    [ATTR_SLOT(STUN_ATTR_DATA)] = { STUN_ATTR_DATA, "DATA", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_REALM)] = { STUN_ATTR_REALM, "REALM", ANY_LENGTH, decode_text, FIELD(realm) },
    [ATTR_SLOT(STUN_ATTR_NONCE)] = { STUN_ATTR_NONCE, "NONCE", ANY_LENGTH, decode_text, FIELD(nonce) },
    [ATTR_SLOT(STUN_ATTR_XOR_RELAYED_ADDRESS)] = { STUN_ATTR_XOR_RELAYED_ADDRESS, "XOR-RELAYED-ADDRESS", ANY_LENGTH, decode_xor_address,
      FIELD(xor_relayed) },
    [ATTR_SLOT(STUN_ATTR_REQUESTED_ADDRESS_FAMILY)] = { STUN_ATTR_REQUESTED_ADDRESS_FAMILY, "REQUESTED-ADDRESS-FAMILY", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_EVEN_PORT)] = { STUN_ATTR_EVEN_PORT, "EVEN-PORT", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_REQUESTED_TRANSPORT)] = { STUN_ATTR_REQUESTED_TRANSPORT, "REQUESTED-TRANSPORT", 4, decode_requested_transport, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_DONT_FRAGMENT)] = { STUN_ATTR_DONT_FRAGMENT, "DONT-FRAGMENT", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_MESSAGE_INTEGRITY_SHA256)] = { STUN_ATTR_MESSAGE_INTEGRITY_SHA256, "MESSAGE-INTEGRITY-SHA256", ANY_LENGTH, decode_presence,
      FIELD(has_message_integrity_sha256) },
    [ATTR_SLOT(STUN_ATTR_PASSWORD_ALGORITHM)] = { STUN_ATTR_PASSWORD_ALGORITHM, "PASSWORD-ALGORITHM", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_USERHASH)] = { STUN_ATTR_USERHASH, "USERHASH", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_XOR_MAPPED_ADDRESS)] = { STUN_ATTR_XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS", ANY_LENGTH, decode_xor_address, FIELD(xor_mapped) },
    [ATTR_SLOT(STUN_ATTR_RESERVATION_TOKEN)] = { STUN_ATTR_RESERVATION_TOKEN, "RESERVATION-TOKEN", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_PRIORITY)] = { STUN_ATTR_PRIORITY, "PRIORITY", 4, decode_priority, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_USE_CANDIDATE)] = { STUN_ATTR_USE_CANDIDATE, "USE-CANDIDATE", ANY_LENGTH, decode_use_candidate, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_PADDING)] = { STUN_ATTR_PADDING, "PADDING", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_RESPONSE_PORT)] = { STUN_ATTR_RESPONSE_PORT, "RESPONSE-PORT", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_CONNECTION_ID)] = { STUN_ATTR_CONNECTION_ID, "CONNECTION-ID", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_XOR_MAPPED_ADDRESS_OLD)] = { STUN_ATTR_XOR_MAPPED_ADDRESS_OLD, "XOR-MAPPED-ADDRESS", ANY_LENGTH, decode_xor_address,
      FIELD(xor_mapped) },
    [ATTR_SLOT(STUN_ATTR_PASSWORD_ALGORITHMS)] = { STUN_ATTR_PASSWORD_ALGORITHMS, "PASSWORD-ALGORITHMS", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_ALTERNATE_DOMAIN)] = { STUN_ATTR_ALTERNATE_DOMAIN, "ALTERNATE-DOMAIN", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_SOFTWARE)] = { STUN_ATTR_SOFTWARE, "SOFTWARE", ANY_LENGTH, decode_text, FIELD(software) },
    [ATTR_SLOT(STUN_ATTR_ALTERNATE_SERVER)] = { STUN_ATTR_ALTERNATE_SERVER, "ALTERNATE-SERVER", ANY_LENGTH, decode_address, FIELD(alternate_server) },
    [ATTR_SLOT(STUN_ATTR_TRANSACTION_TRANSMIT_COUNTER)] = { STUN_ATTR_TRANSACTION_TRANSMIT_COUNTER, "TRANSACTION_TRANSMIT_COUNTER", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_CACHE_TIMEOUT)] = { STUN_ATTR_CACHE_TIMEOUT, "CACHE-TIMEOUT", ANY_LENGTH, NULL, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_FINGERPRINT)] = { STUN_ATTR_FINGERPRINT, "FINGERPRINT", STUN_FINGERPRINT_LEN, decode_fingerprint, NO_FIELD },
    [ATTR_SLOT(STUN_ATTR_ICE_CONTROLLED)] = { STUN_ATTR_ICE_CONTROLLED, "ICE-CONTROLLED", 8, decode_ice_role, FIELD(ice_controlled) },
    [ATTR_SLOT(STUN_ATTR_ICE_CONTROLLING)] = { STUN_ATTR_ICE_CONTROLLING, "ICE-CONTROLLING", 8, decode_ice_role, FIELD(ice_controlling) },
    [ATTR_SLOT(STUN_ATTR_RESPONSE_ORIGIN)] = { STUN_ATTR_RESPONSE_ORIGIN, "RESPONSE-ORIGIN", ANY_LENGTH, decode_address, FIELD(response_origin) },
    [ATTR_SLOT(STUN_ATTR_OTHER_ADDRESS)] = { STUN_ATTR_OTHER_ADDRESS, "OTHER-ADDRESS", ANY_LENGTH, decode_address, FIELD(other_address) },
    [ATTR_SLOT(STUN_ATTR_GOOG_NETWORK_INFO)] = { STUN_ATTR_GOOG_NETWORK_INFO, "GOOG-NETWORK-INFO", 4, decode_goog_network_info, NO_FIELD },
};

static const struct attr_spec *find_attr_spec(uint16_t type)
{
    const struct attr_spec *spec = &attr_specs[ATTR_SLOT(type)];
    return spec->name && spec->type == type ? spec : NULL; /* unlisted types share slots: the type decides */
}

/* ---- public name lookups ---- */

const char *stun_method_name(uint16_t method)
{
    return lookup_name(method_names, sizeof method_names / sizeof method_names[0], method);
}

const char *stun_class_name(enum stun_class cls)
{
    if ((unsigned)cls >= sizeof class_names / sizeof class_names[0])
        return NULL;
    return class_names[cls];
}

const char *stun_attr_name(uint16_t type)
{
    const struct attr_spec *spec = find_attr_spec(type);
    return spec ? spec->name : NULL;
}

/* ---- message decoding ---- */

static bool hint_has_stun_port(const struct dissect_hint *h)
{
    if (!h)
        return false;
    for (size_t i = 0; i < sizeof stun_ports / sizeof stun_ports[0]; i++)
        if (h->sport == stun_ports[i] || h->dport == stun_ports[i])
            return true;
    return false;
}

static bool is_tcp(const struct dissect_hint *h) { return h && h->transport == TRANSPORT_TCP; }

static void record_attr_type(struct stun_message *out, uint16_t type)
{
    if (out->attr_count < STUN_MAX_ATTRS)
        out->attr_types[out->attr_count] = type;
    if (out->attr_count < UINT16_MAX)
        out->attr_count++;
}

/* Walks the attributes of a message whose header has been read. `message`
 * spans exactly header + body. */
static enum dissect_result walk_attributes(const struct cursor *message, struct stun_message *out)
{
    struct attr_ctx ctx;
    ctx.message = *message;
    ctx.message.off = 0;
    struct cursor key = ctx.message;
    cursor_skip(&key, STUN_COOKIE_OFFSET);
    cursor_copy(&key, ctx.xor_key, sizeof ctx.xor_key);

    struct cursor body = ctx.message;
    cursor_skip(&body, STUN_HEADER_LEN);
    while (cursor_left(&body) > 0) {
        ctx.attr_offset = cursor_offset(&body);
        uint16_t type = cursor_u16be(&body);
        uint16_t len = cursor_u16be(&body);
        if (!cursor_ok(&body) || len > cursor_left(&body))
            return DISSECT_MALFORMED;
        struct cursor value = cursor_take(&body, len);
        /* Padding to 4: the body length is a multiple of 4 and every
         * attribute starts aligned, so if the value fits its padding does
         * too; cursor_skip would flag it otherwise. */
        if (!cursor_skip(&body, pad4(len) - len))
            return DISSECT_MALFORMED;
        record_attr_type(out, type);

        const struct attr_spec *spec = find_attr_spec(type);
        if (!spec || !spec->decode)
            continue;
        if (spec->length != ANY_LENGTH && len != (size_t)spec->length)
            return DISSECT_MALFORMED;
        void *field = spec->field == NO_FIELD ? NULL : (uint8_t *)out + spec->field;
        enum dissect_result r = spec->decode(&ctx, &value, field, out);
        if (r != DISSECT_OK)
            return r;
        if (!cursor_ok(&value))
            return DISSECT_MALFORMED;
    }
    return cursor_ok(&body) ? DISSECT_OK : DISSECT_MALFORMED;
}

static bool is_classic_type(uint16_t type)
{
    for (size_t i = 0; i < sizeof classic_types / sizeof classic_types[0]; i++)
        if (classic_types[i] == type)
            return true;
    return false;
}

static void fill_header(const struct cursor *message, uint16_t type, uint16_t length, bool classic,
                        struct stun_message *out)
{
    struct cursor hdr = *message;
    out->classic = classic;
    out->type = type;
    out->cls = type_class(type);
    out->method = type_method(type);
    out->length = length;
    out->transaction_id_len = classic ? STUN_TXID_LEN_CLASSIC : STUN_TXID_LEN_MODERN;
    cursor_skip(&hdr, classic ? STUN_COOKIE_OFFSET : STUN_TXID_OFFSET_MODERN);
    cursor_copy(&hdr, out->transaction_id, out->transaction_id_len);
    out->message_len = STUN_HEADER_LEN + (size_t)length;
}

/* RFC 5389/8489 message: the cookie has matched. */
static enum dissect_result dissect_modern(struct cursor *c, struct stun_message *out)
{
    uint16_t type = (uint16_t)cursor_peek_u16be(c, 0);
    uint16_t length = (uint16_t)cursor_peek_u16be(c, 2);
    if (length % 4 != 0 || cursor_left(c) - STUN_HEADER_LEN < length)
        return DISSECT_MALFORMED;
    struct cursor message = cursor_rest(c);
    message.len = STUN_HEADER_LEN + (size_t)length;
    fill_header(&message, type, length, false, out);
    enum dissect_result r = walk_attributes(&message, out);
    if (r != DISSECT_OK)
        return r;
    cursor_skip(c, out->message_len);
    return DISSECT_OK;
}

/* RFC 3489 message (no cookie): every doubt is NOT_MINE (see the header). */
static enum dissect_result dissect_classic(struct cursor *c, const struct dissect_hint *h, bool classic_ok,
                                           struct stun_message *out)
{
    if (!classic_ok && !hint_has_stun_port(h))
        return DISSECT_NOT_MINE;
    if (!cursor_has(c, STUN_HEADER_LEN))
        return DISSECT_NOT_MINE;
    uint16_t type = (uint16_t)cursor_peek_u16be(c, 0);
    uint16_t length = (uint16_t)cursor_peek_u16be(c, 2);
    if (!is_classic_type(type) || length % 4 != 0)
        return DISSECT_NOT_MINE;
    size_t body_left = cursor_left(c) - STUN_HEADER_LEN;
    /* A datagram carries exactly one message; a stream may hold more. */
    if (is_tcp(h) ? length > body_left : length != body_left)
        return DISSECT_NOT_MINE;
    struct cursor message = cursor_rest(c);
    message.len = STUN_HEADER_LEN + (size_t)length;
    fill_header(&message, type, length, true, out);
    if (walk_attributes(&message, out) != DISSECT_OK) {
        memset(out, 0, sizeof *out);
        return DISSECT_NOT_MINE;
    }
    cursor_skip(c, out->message_len);
    return DISSECT_OK;
}

/* TURN ChannelData: channel(2) length(2) data, padded to 4 on streams. */
static enum dissect_result dissect_channel_data(struct cursor *c, const struct dissect_hint *h, bool classic_ok,
                                                struct stun_message *out)
{
    /* No cookie, no checksum: 0x40..0x7F followed by a plausible length is
     * a common shape for arbitrary UDP, so only on a known STUN flow or a
     * STUN/TURN port (see the header comment). */
    if (!classic_ok && !hint_has_stun_port(h))
        return DISSECT_NOT_MINE;
    if (!cursor_has(c, CHANNEL_DATA_HEADER_LEN))
        return DISSECT_MALFORMED;
    uint16_t channel = (uint16_t)cursor_peek_u16be(c, 0);
    uint16_t length = (uint16_t)cursor_peek_u16be(c, 2);
    if (channel < CHANNEL_NUMBER_MIN || channel > CHANNEL_NUMBER_MAX)
        return DISSECT_NOT_MINE;
    size_t data_left = cursor_left(c) - CHANNEL_DATA_HEADER_LEN;
    if (length > data_left)
        return DISSECT_MALFORMED;
    size_t consumed = CHANNEL_DATA_HEADER_LEN + (size_t)length;
    if (is_tcp(h)) {
        /* RFC 8656 §12.5: over TCP/TLS the data is padded to 4 so the next
         * message starts aligned; take the padding when it is there. */
        if (pad4(length) <= data_left)
            consumed = CHANNEL_DATA_HEADER_LEN + pad4(length);
    } else if (data_left > pad4(length)) {
        /* Over UDP the datagram is the message (+ optional padding). */
        return DISSECT_MALFORMED;
    }
    out->channel_data = true;
    out->channel = channel;
    out->length = length;
    out->message_len = consumed;
    cursor_skip(c, consumed);
    return DISSECT_OK;
}

enum dissect_result stun_dissect(struct cursor *c, const struct dissect_hint *h, bool classic_ok,
                                 struct stun_message *out)
{
    memset(out, 0, sizeof *out);
    int first = cursor_peek_u8(c, 0);
    if (first < 0)
        return DISSECT_NOT_MINE;
    if ((first << 8) & STUN_TYPE_TOP_BITS) {
        if (first >= (CHANNEL_NUMBER_MIN >> 8) && first <= (CHANNEL_NUMBER_MAX >> 8))
            return dissect_channel_data(c, h, classic_ok, out);
        return DISSECT_NOT_MINE;
    }
    int64_t cookie = cursor_peek_u32be(c, STUN_COOKIE_OFFSET);
    if (cookie == STUN_MAGIC_COOKIE) {
        if (!cursor_has(c, STUN_HEADER_LEN))
            return DISSECT_MALFORMED;
        return dissect_modern(c, out);
    }
    return dissect_classic(c, h, classic_ok, out);
}

/* TCP framing. Needs 4 bytes to answer (0 before that: the caller should
 * wait for 4). Classic RFC 3489 over TCP is not framed here: it ran only
 * inside TLS for Shared Secret, which leakaudit never sees in clear. */
size_t stun_frame_length(const struct cursor *c)
{
    int32_t first_word = cursor_peek_u16be(c, 0);
    int32_t length = cursor_peek_u16be(c, 2);
    if (first_word < 0 || length < 0)
        return 0;
    if ((first_word & STUN_TYPE_TOP_BITS) == 0) {
        /* With 4 bytes only, also require RFC 7983's STUN first byte
         * (0..3: methods 0x100..0xFFF are reserved for demultiplexing), so
         * a DTLS record head (20..63) is not taken for STUN. */
        if ((first_word >> 8) > STUN_FIRST_BYTE_MAX || length % 4 != 0)
            return 0;
        int64_t cookie = cursor_peek_u32be(c, STUN_COOKIE_OFFSET);
        if (cookie >= 0 && cookie != STUN_MAGIC_COOKIE)
            return 0;
        return STUN_HEADER_LEN + (size_t)length;
    }
    if (first_word >= CHANNEL_NUMBER_MIN && first_word <= CHANNEL_NUMBER_MAX)
        return CHANNEL_DATA_HEADER_LEN + pad4((size_t)length);
    return 0;
}
