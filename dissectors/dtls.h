/* dtls.h — DTLS 1.0/1.2/1.3 records and the ClientHello/ServerHello that
 * reveal WebRTC media (use_srtp, RFC 5764).
 *
 * Owns: bytes → struct dtls_message. Pure: no I/O, no globals, no allocation.
 */
#ifndef LEAKAUDIT_DTLS_H
#define LEAKAUDIT_DTLS_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "dissect.h"

enum dtls_content_type {
    DTLS_CT_CHANGE_CIPHER_SPEC = 20,
    DTLS_CT_ALERT = 21,
    DTLS_CT_HANDSHAKE = 22,
    DTLS_CT_APPLICATION_DATA = 23,
    DTLS_CT_HEARTBEAT = 24,
    DTLS_CT_ACK = 26,                /* DTLS 1.3 */
};

enum dtls_version_value {
    DTLS_VERSION_1_0 = 0xfeff,
    DTLS_VERSION_1_2 = 0xfefd,
    DTLS_VERSION_1_3 = 0xfefc,
};

enum dtls_handshake_type {
    DTLS_HS_HELLO_REQUEST = 0,
    DTLS_HS_CLIENT_HELLO = 1,
    DTLS_HS_SERVER_HELLO = 2,
    DTLS_HS_HELLO_VERIFY_REQUEST = 3,
    DTLS_HS_NEW_SESSION_TICKET = 4,
    DTLS_HS_CERTIFICATE = 11,
    DTLS_HS_SERVER_KEY_EXCHANGE = 12,
    DTLS_HS_CERTIFICATE_REQUEST = 13,
    DTLS_HS_SERVER_HELLO_DONE = 14,
    DTLS_HS_CERTIFICATE_VERIFY = 15,
    DTLS_HS_CLIENT_KEY_EXCHANGE = 16,
    DTLS_HS_FINISHED = 20,
};

enum dtls_extension_type {
    DTLS_EXT_SERVER_NAME = 0,
    DTLS_EXT_SUPPORTED_GROUPS = 10,
    DTLS_EXT_EC_POINT_FORMATS = 11,
    DTLS_EXT_SIGNATURE_ALGORITHMS = 13,
    DTLS_EXT_USE_SRTP = 14,
    DTLS_EXT_ALPN = 16,
    DTLS_EXT_EXTENDED_MASTER_SECRET = 23,
    DTLS_EXT_SUPPORTED_VERSIONS = 43,
    DTLS_EXT_KEY_SHARE = 51,
    DTLS_EXT_RENEGOTIATION_INFO = 0xff01,
};

enum { DTLS_MAX_RECORDS = 16, DTLS_MAX_EXTENSIONS = 32, DTLS_MAX_SRTP = 8, DTLS_SNI_MAX = 255 };

struct dtls_record {
    uint8_t content_type;    /* 20..26, or the DTLS 1.3 unified header's first byte */
    bool unified_header;     /* DTLS 1.3 ciphertext (first bits 001) */
    uint16_t version;
    uint16_t epoch;
    uint64_t sequence;       /* 48-bit */
    uint16_t length;
};

struct dtls_hello {
    bool present;
    uint8_t handshake_type;  /* DTLS_HS_CLIENT_HELLO or DTLS_HS_SERVER_HELLO */
    bool fragmented;         /* fragment_length < length: fields may be partial */
    uint16_t version;        /* client_version / server_version field */
    uint16_t max_supported_version; /* from supported_versions, 0 when absent */
    uint16_t cipher_count;   /* ClientHello: suites offered */
    uint16_t cipher;         /* ServerHello: suite chosen */
    uint16_t extension_count;
    uint16_t extensions[DTLS_MAX_EXTENSIONS]; /* types in wire order */
    bool use_srtp;
    uint8_t srtp_profile_count;
    uint16_t srtp_profiles[DTLS_MAX_SRTP];
    char sni[DTLS_SNI_MAX + 1];   /* server_name host_name, "" when absent */
};

struct dtls_message {
    uint8_t record_count;    /* records decoded (≤ DTLS_MAX_RECORDS) */
    bool more_records;       /* more records followed than were stored */
    struct dtls_record records[DTLS_MAX_RECORDS];
    uint8_t first_handshake_type; /* first handshake message seen; 0xff none */
    struct dtls_hello hello; /* the first ClientHello or ServerHello in the datagram */
};

/* True when the first bytes look like a DTLS record header (content type
 * 20..26 with version 0xfeXX, or a DTLS 1.3 unified header). Cheap; no decode. */
bool dtls_looks_like(const struct cursor *c);

/* Decodes every record in the datagram and the first Client/ServerHello. */
enum dissect_result dtls_dissect(struct cursor *c, const struct dissect_hint *h,
                                 struct dtls_message *out);

const char *dtls_version_name(uint16_t version);      /* "DTLS 1.2" or NULL */
const char *dtls_content_type_name(uint8_t ct);
const char *dtls_handshake_name(uint8_t type);
const char *dtls_srtp_profile_name(uint16_t profile); /* "SRTP_AES128_CM_HMAC_SHA1_80", … */

#endif
