/* dtls.c — see dtls.h. */
#include "dtls.h"

#include <string.h>

struct name16 {
    uint16_t value;
    const char *name;
};

static const struct name16 version_names[] = {
    { DTLS_VERSION_1_0, "DTLS 1.0" }, { DTLS_VERSION_1_2, "DTLS 1.2" }, { DTLS_VERSION_1_3, "DTLS 1.3" },
};
static const struct name16 content_names[] = {
    { DTLS_CT_CHANGE_CIPHER_SPEC, "change_cipher_spec" }, { DTLS_CT_ALERT, "alert" },
    { DTLS_CT_HANDSHAKE, "handshake" }, { DTLS_CT_APPLICATION_DATA, "application_data" },
    { DTLS_CT_HEARTBEAT, "heartbeat" }, { DTLS_CT_ACK, "ack" },
};
static const struct name16 handshake_names[] = {
    { DTLS_HS_HELLO_REQUEST, "HelloRequest" }, { DTLS_HS_CLIENT_HELLO, "ClientHello" },
    { DTLS_HS_SERVER_HELLO, "ServerHello" }, { DTLS_HS_HELLO_VERIFY_REQUEST, "HelloVerifyRequest" },
    { DTLS_HS_NEW_SESSION_TICKET, "NewSessionTicket" }, { DTLS_HS_CERTIFICATE, "Certificate" },
    { DTLS_HS_SERVER_KEY_EXCHANGE, "ServerKeyExchange" }, { DTLS_HS_CERTIFICATE_REQUEST, "CertificateRequest" },
    { DTLS_HS_SERVER_HELLO_DONE, "ServerHelloDone" }, { DTLS_HS_CERTIFICATE_VERIFY, "CertificateVerify" },
    { DTLS_HS_CLIENT_KEY_EXCHANGE, "ClientKeyExchange" }, { DTLS_HS_FINISHED, "Finished" },
};
static const struct name16 srtp_names[] = {
    { 0x0001, "SRTP_AES128_CM_HMAC_SHA1_80" }, { 0x0002, "SRTP_AES128_CM_HMAC_SHA1_32" },
    { 0x0005, "SRTP_NULL_HMAC_SHA1_80" }, { 0x0006, "SRTP_NULL_HMAC_SHA1_32" },
    { 0x0007, "SRTP_AEAD_AES_128_GCM" }, { 0x0008, "SRTP_AEAD_AES_256_GCM" },
};

#define LOOKUP(table, v)                                                   \
    do {                                                                   \
        for (size_t i_ = 0; i_ < sizeof table / sizeof table[0]; i_++)   \
            if (table[i_].value == (v))                                    \
                return table[i_].name;                                     \
        return NULL;                                                       \
    } while (0)

const char *dtls_version_name(uint16_t v) { LOOKUP(version_names, v); }
const char *dtls_content_type_name(uint8_t ct) { LOOKUP(content_names, ct); }
const char *dtls_handshake_name(uint8_t t) { LOOKUP(handshake_names, t); }
const char *dtls_srtp_profile_name(uint16_t p) { LOOKUP(srtp_names, p); }

static bool plausible_header(const struct cursor *c)
{
    int ct = cursor_peek_u8(c, 0), v0 = cursor_peek_u8(c, 1), v1 = cursor_peek_u8(c, 2);
    int32_t len = cursor_peek_u16be(c, 11);
    if (ct < DTLS_CT_CHANGE_CIPHER_SPEC || ct > DTLS_CT_ACK || v0 != 0xfe || len < 0)
        return false;
    if (v1 != 0xff && v1 != 0xfd && v1 != 0xfc)
        return false;
    return (size_t)len + 13 <= cursor_left(c);
}

/* Only the classic 13-byte header counts as a first record: a DTLS 1.3
 * unified header (first bits 001) has no version field and matches too much
 * random data to start a datagram on its own. */
bool dtls_looks_like(const struct cursor *c)
{
    return plausible_header(c);
}

static void parse_extensions(struct cursor *ext, struct dtls_hello *h)
{
    while (cursor_left(ext) >= 4) {
        uint16_t type = cursor_u16be(ext), len = cursor_u16be(ext);
        struct cursor v = cursor_take(ext, len);
        if (!cursor_ok(&v))
            return;
        if (h->extension_count < DTLS_MAX_EXTENSIONS)
            h->extensions[h->extension_count] = type;
        h->extension_count++;
        if (type == DTLS_EXT_USE_SRTP) {
            h->use_srtp = true;
            uint16_t plen = cursor_u16be(&v);
            struct cursor profiles = cursor_take(&v, plen);
            while (cursor_left(&profiles) >= 2) {
                uint16_t p = cursor_u16be(&profiles);
                if (h->srtp_profile_count < DTLS_MAX_SRTP)
                    h->srtp_profiles[h->srtp_profile_count++] = p;
            }
        } else if (type == DTLS_EXT_SERVER_NAME) {
            cursor_skip(&v, 2);
            uint8_t name_type = cursor_u8(&v);
            uint16_t nlen = cursor_u16be(&v);
            if (cursor_ok(&v) && name_type == 0 && nlen <= cursor_left(&v)) {
                size_t n = nlen < DTLS_SNI_MAX ? nlen : DTLS_SNI_MAX;
                cursor_copy(&v, h->sni, n);
                h->sni[n] = '\0';
            }
        } else if (type == DTLS_EXT_SUPPORTED_VERSIONS) {
            if (h->handshake_type == DTLS_HS_SERVER_HELLO) {
                h->max_supported_version = cursor_u16be(&v);
            } else {
                uint8_t vlen = cursor_u8(&v);
                struct cursor vs = cursor_take(&v, vlen);
                while (cursor_left(&vs) >= 2) {
                    uint16_t ver = cursor_u16be(&vs);
                    /* DTLS versions count down: 0xfefc (1.3) is newer than 0xfefd. */
                    if ((ver >> 8) == 0xfe && (!h->max_supported_version || ver < h->max_supported_version))
                        h->max_supported_version = ver;
                }
            }
        }
    }
}

static void parse_hello(struct cursor body, uint8_t type, bool fragmented, struct dtls_hello *h)
{
    memset(h, 0, sizeof *h);
    h->present = true;
    h->handshake_type = type;
    h->fragmented = fragmented;
    h->version = cursor_u16be(&body);
    cursor_skip(&body, 32);
    uint8_t sid = cursor_u8(&body);
    cursor_skip(&body, sid);
    if (type == DTLS_HS_CLIENT_HELLO) {
        uint8_t cookie = cursor_u8(&body);
        cursor_skip(&body, cookie);
        uint16_t clen = cursor_u16be(&body);
        if (!cursor_ok(&body))
            return;
        h->cipher_count = clen / 2;
        cursor_skip(&body, clen);
        uint8_t comp = cursor_u8(&body);
        cursor_skip(&body, comp);
    } else {
        h->cipher = cursor_u16be(&body);
        cursor_skip(&body, 1);
    }
    uint16_t elen = cursor_u16be(&body);
    if (!cursor_ok(&body))
        return;
    struct cursor ext = cursor_take(&body, elen < cursor_left(&body) ? elen : cursor_left(&body));
    parse_extensions(&ext, h);
}

enum dissect_result dtls_dissect(struct cursor *c, const struct dissect_hint *hint, struct dtls_message *out)
{
    (void)hint;
    memset(out, 0, sizeof *out);
    out->first_handshake_type = 0xff;
    if (!plausible_header(c))
        return DISSECT_NOT_MINE;
    while (cursor_left(c) > 0) {
        int b0 = cursor_peek_u8(c, 0);
        if ((b0 & 0xe0) == 0x20) { /* DTLS 1.3 unified header: encrypted, length optional */
            uint8_t flags = cursor_u8(c);
            cursor_skip(c, (flags & 0x08) ? 2 : 1);
            size_t len = cursor_left(c);
            if (flags & 0x04) {
                len = cursor_u16be(c);
            }
            if (!cursor_ok(c) || !cursor_skip(c, len))
                return out->record_count ? DISSECT_OK : DISSECT_MALFORMED;
            if (out->record_count < DTLS_MAX_RECORDS) {
                struct dtls_record *r = &out->records[out->record_count++];
                r->content_type = flags;
                r->unified_header = true;
                r->length = (uint16_t)len;
            } else {
                out->more_records = true;
            }
            continue;
        }
        if (!plausible_header(c))
            return DISSECT_MALFORMED;
        struct dtls_record rec = { 0 };
        rec.content_type = cursor_u8(c);
        rec.version = cursor_u16be(c);
        rec.epoch = cursor_u16be(c);
        rec.sequence = cursor_u48be(c);
        rec.length = cursor_u16be(c);
        struct cursor frag = cursor_take(c, rec.length);
        if (!cursor_ok(c))
            return DISSECT_MALFORMED;
        if (out->record_count < DTLS_MAX_RECORDS)
            out->records[out->record_count++] = rec;
        else
            out->more_records = true;
        if (rec.content_type != DTLS_CT_HANDSHAKE || rec.epoch != 0)
            continue;
        while (cursor_left(&frag) >= 12) {
            uint8_t type = cursor_u8(&frag);
            uint32_t length = cursor_u24be(&frag);
            cursor_skip(&frag, 2);
            uint32_t offset = cursor_u24be(&frag), flen = cursor_u24be(&frag);
            struct cursor body = cursor_take(&frag, flen);
            if (!cursor_ok(&frag))
                return DISSECT_MALFORMED;
            if (out->first_handshake_type == 0xff)
                out->first_handshake_type = type;
            if (!out->hello.present && offset == 0 &&
                (type == DTLS_HS_CLIENT_HELLO || type == DTLS_HS_SERVER_HELLO))
                parse_hello(body, type, flen < length, &out->hello);
        }
    }
    return DISSECT_OK;
}
