/* test_stun.c — STUN/TURN/ICE dissector: RFC 5769 test vectors, hostile
 * input (every truncation, flipped bytes, oversized attribute lengths), the
 * classic/ChannelData acceptance policy, TCP framing, the demux table, and
 * payloads taken from corpus captures (tests/data/stun/, one .hex file per capture) whose decoded
 * values are compared with what tshark 4.0.17 reported for the same frames. */
#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "stun.h"
#include "testutil.h"

/* ---- helpers ---- */

static GByteArray *hex_bytes(const char *hex)
{
    GByteArray *b = g_byte_array_new();
    for (const char *p = hex; *p;) {
        if (g_ascii_isspace(*p)) {
            p++;
            continue;
        }
        g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
        guint8 v = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
        g_byte_array_append(b, &v, 1);
        p += 2;
    }
    return b;
}

static struct dissect_hint udp_hint(uint16_t sport, uint16_t dport)
{
    struct dissect_hint h = { TRANSPORT_UDP, sport, dport, false };
    return h;
}

static struct dissect_hint tcp_hint(uint16_t sport, uint16_t dport)
{
    struct dissect_hint h = { TRANSPORT_TCP, sport, dport, false };
    return h;
}

/* Dissects a copy of exactly `len` bytes (heap, so ASan sees any over-read). */
static enum dissect_result dissect_bytes(const guint8 *data, size_t len, const struct dissect_hint *h,
                                         bool classic_ok, struct stun_message *m, size_t *consumed)
{
    guint8 *copy = g_memdup2(data, len ? len : 1);
    struct cursor c = cursor_make(copy, len);
    enum dissect_result r = stun_dissect(&c, h, classic_ok, m);
    if (consumed)
        *consumed = cursor_offset(&c);
    g_free(copy);
    return r;
}

static void assert_addr(const struct dissect_addr *a, const char *ip, uint16_t port)
{
    guint8 want[16] = { 0 };
    if (strchr(ip, ':')) {
        g_assert_cmpint(inet_pton(AF_INET6, ip, want), ==, 1);
        g_assert_cmpuint(a->family, ==, 6);
        g_assert_cmpmem(a->bytes, 16, want, 16);
    } else {
        g_assert_cmpint(inet_pton(AF_INET, ip, want), ==, 1);
        g_assert_cmpuint(a->family, ==, 4);
        g_assert_cmpmem(a->bytes, 4, want, 4);
    }
    g_assert_cmpuint(a->port, ==, port);
}

static void assert_txid(const struct stun_message *m, const char *hex)
{
    GByteArray *want = hex_bytes(hex);
    g_assert_cmpuint(m->transaction_id_len, ==, want->len);
    g_assert_cmpmem(m->transaction_id, m->transaction_id_len, want->data, want->len);
    g_byte_array_unref(want);
}

/* ---- RFC 5769 test vectors (bytes as printed in the RFC) ---- */

/* §2.1 Sample Request: SOFTWARE "STUN test client", PRIORITY, ICE-CONTROLLED,
 * USERNAME "evtj:h6vY", MESSAGE-INTEGRITY, FINGERPRINT. */
static const char rfc5769_request[] =
    "000100582112a442b7e7a701bc34d686fa87dfae"
    "802200105354554e207465737420636c69656e74"
    "002400046e0001ff80290008932ff9b151263b36"
    "000600096576746a3a68367659202020"
    "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
    "80280004e57a3bcf";

/* §2.2 Sample IPv4 Response: SOFTWARE "test vector", XOR-MAPPED-ADDRESS
 * 192.0.2.1:32853. */
static const char rfc5769_response_v4[] =
    "0101003c2112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"
    "002000080001a147e112a643"
    "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
    "80280004c07d4c96";

/* §2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS
 * [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const char rfc5769_response_v6[] =
    "010100482112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"
    "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
    "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
    "80280004c8fb0b4c";

/* §2.4 Sample Request with Long-Term Authentication: USERNAME "マトリックス"
 * (UTF-8), NONCE "f//499k954d6OL34oL9FSTvy64sA", REALM "example.org". */
static const char rfc5769_long_term[] =
    "000100602112a44278ad3433c6ad72c029da412e"
    "00060012e3839ee38388e383aae38383e382afe382b90000"
    "0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341"
    "0014000b6578616d706c652e6f726700"
    "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666";

/* RFC 8489 Appendix B.1: USERHASH, NONCE, REALM, MESSAGE-INTEGRITY-SHA256. */
static const char rfc8489_sha256[] =
    "000100882112a44278ad3433c6ad72c029da412e"
    "001e00204a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704"
    "001500296f624d61744a6f73324141414366" "2f2f3439396b39353464364f4c33346f4c39465354767936347341000000"
    "0014000b6578616d706c652e6f726700"
    "001c0020fd8c273860d2e18ebca4c89b6973befa7ee8ecc69e9642db326fab65a0b955ba";

static void test_crc32_check_value(void)
{
    /* The CRC-32/ISO-HDLC check value (zlib.crc32(b"123456789")). */
    g_assert_cmphex(stun_crc32((const uint8_t *)"123456789", 9), ==, 0xcbf43926u);
    g_assert_cmphex(stun_crc32((const uint8_t *)"", 0), ==, 0);
}

/* The CRC bit by bit, straight from the definition: the table must agree. */
static uint32_t crc32_bitwise(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1u) ? 0xedb88320u : 0u);
    }
    return crc ^ 0xffffffffu;
}

static void test_crc32_against_bitwise(void)
{
    uint8_t data[512];
    GRand *rng = g_rand_new_with_seed(3478);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)g_rand_int(rng);
    for (size_t b = 0; b < 256; b++) { /* every table entry on its own */
        uint8_t one = (uint8_t)b;
        g_assert_cmphex(stun_crc32(&one, 1), ==, crc32_bitwise(&one, 1));
    }
    for (size_t len = 0; len <= sizeof data; len++)
        g_assert_cmphex(stun_crc32(data, len), ==, crc32_bitwise(data, len));
    g_rand_free(rng);
}

static void test_rfc5769_request(void)
{
    GByteArray *b = hex_bytes(rfc5769_request);
    g_assert_cmpuint(b->len, ==, 108);
    struct dissect_hint h = udp_hint(40000, 40001);
    struct stun_message m;
    size_t consumed;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, &consumed), ==, DISSECT_OK);
    g_assert_false(m.classic);
    g_assert_false(m.channel_data);
    g_assert_cmphex(m.type, ==, 0x0001);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_BINDING);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_REQUEST);
    g_assert_cmpuint(m.length, ==, 0x58);
    g_assert_cmpuint(m.message_len, ==, 108);
    g_assert_cmpuint(consumed, ==, 108);
    assert_txid(&m, "b7e7a701bc34d686fa87dfae");
    g_assert_cmpstr(m.software.value, ==, "STUN test client");
    g_assert_cmpuint(m.software.len, ==, 16);
    g_assert_true(m.has_priority);
    g_assert_cmphex(m.priority, ==, 0x6e0001ff);
    g_assert_true(m.ice_controlled);
    g_assert_false(m.ice_controlling);
    g_assert_cmphex(m.ice_tiebreaker, ==, 0x932ff9b151263b36ull);
    g_assert_cmpstr(m.username.value, ==, "evtj:h6vY");
    g_assert_cmpuint(m.username.len, ==, 9);
    g_assert_true(m.has_message_integrity);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    static const uint16_t types[] = { 0x8022, 0x0024, 0x8029, 0x0006, 0x0008, 0x8028 };
    g_assert_cmpuint(m.attr_count, ==, G_N_ELEMENTS(types));
    g_assert_cmpmem(m.attr_types, sizeof types, types, sizeof types);
    g_assert_cmpuint(m.xor_mapped.family, ==, 0);
    g_byte_array_unref(b);
}

static void test_rfc5769_response_v4(void)
{
    GByteArray *b = hex_bytes(rfc5769_response_v4);
    g_assert_cmpuint(b->len, ==, 80);
    struct dissect_hint h = udp_hint(3478, 40000);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_SUCCESS);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_BINDING);
    /* length 11: the RFC's fourth word ends in a 0x20 that is padding */
    g_assert_cmpstr(m.software.value, ==, "test vector");
    g_assert_cmpuint(m.software.len, ==, 11);
    assert_addr(&m.xor_mapped, "192.0.2.1", 32853);
    g_assert_true(m.has_message_integrity);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(b);
}

static void test_rfc5769_response_v6(void)
{
    GByteArray *b = hex_bytes(rfc5769_response_v6);
    g_assert_cmpuint(b->len, ==, 92);
    struct dissect_hint h = udp_hint(3478, 40000);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_SUCCESS);
    assert_addr(&m.xor_mapped, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(b);
}

static void test_rfc5769_long_term(void)
{
    GByteArray *b = hex_bytes(rfc5769_long_term);
    g_assert_cmpuint(b->len, ==, 116);
    struct dissect_hint h = udp_hint(40000, 3478);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    assert_txid(&m, "78ad3433c6ad72c029da412e");
    g_assert_cmpstr(m.username.value, ==, "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9");
    g_assert_cmpstr(m.username.value, ==, "マトリックス");
    g_assert_cmpuint(m.username.len, ==, 18);
    g_assert_cmpstr(m.nonce.value, ==, "f//499k954d6OL34oL9FSTvy64sA");
    g_assert_cmpstr(m.realm.value, ==, "example.org");
    g_assert_true(m.has_message_integrity);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_ABSENT);
    g_byte_array_unref(b);
}

static void test_rfc8489_sha256(void)
{
    GByteArray *b = hex_bytes(rfc8489_sha256);
    g_assert_cmpuint(b->len, ==, 156);
    struct dissect_hint h = udp_hint(40000, 3478);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpstr(m.nonce.value, ==, "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
    g_assert_cmpstr(m.realm.value, ==, "example.org");
    g_assert_true(m.has_message_integrity_sha256);
    g_assert_false(m.has_message_integrity);
    static const uint16_t types[] = { 0x001e, 0x0015, 0x0014, 0x001c };
    g_assert_cmpmem(m.attr_types, sizeof types, types, sizeof types);
    g_byte_array_unref(b);
}

static const char *const rfc_vectors[] = {
    rfc5769_request, rfc5769_response_v4, rfc5769_response_v6, rfc5769_long_term, rfc8489_sha256,
};

/* A changed byte anywhere before FINGERPRINT must make it INVALID. */
static void test_fingerprint_flipped_byte(void)
{
    GByteArray *b = hex_bytes(rfc5769_request);
    struct dissect_hint h = udp_hint(40000, 40001);
    struct stun_message m;
    /* bytes 24..39 are the SOFTWARE value: still a well-formed message */
    for (size_t i = 24; i < 40; i++) {
        b->data[i] ^= 0x01;
        g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
        g_assert_cmpint(m.fingerprint, ==, STUN_FP_INVALID);
        b->data[i] ^= 0x01;
    }
    /* and in the CRC itself */
    b->data[b->len - 1] ^= 0x80;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_INVALID);
    g_byte_array_unref(b);
}

/* Every strict prefix of a message is refused under every hint, never read
 * past (the copy is exactly the prefix: ASan would see it). */
static void assert_all_truncations_refused(const guint8 *data, size_t len)
{
    struct dissect_hint hints[] = { udp_hint(3478, 40000), tcp_hint(40000, 3478), udp_hint(40000, 40001) };
    for (size_t cut = 0; cut < len; cut++) {
        for (size_t hi = 0; hi < G_N_ELEMENTS(hints); hi++) {
            for (int ok = 0; ok < 2; ok++) {
                struct stun_message m;
                enum dissect_result r = dissect_bytes(data, cut, &hints[hi], ok, &m, NULL);
                if (r == DISSECT_OK)
                    g_error("prefix %zu/%zu accepted (hint %zu classic_ok %d)", cut, len, hi, ok);
            }
        }
    }
}

static void test_truncations(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rfc_vectors); i++) {
        GByteArray *b = hex_bytes(rfc_vectors[i]);
        assert_all_truncations_refused(b->data, b->len);
        /* once the cookie is visible (8 bytes) a short message is MALFORMED */
        struct dissect_hint h = udp_hint(40000, 40001);
        struct stun_message m;
        for (size_t cut = 8; cut < b->len; cut++)
            g_assert_cmpint(dissect_bytes(b->data, cut, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
        g_byte_array_unref(b);
    }
}

static void test_malformed_lengths(void)
{
    struct dissect_hint h = udp_hint(40000, 40001);
    struct stun_message m;
    /* attribute length 0xffff runs past the message */
    GByteArray *b = hex_bytes("000100082112a442000102030405060708090a0b" "8022ffff41424344");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* message length not a multiple of 4 */
    b = hex_bytes("000100052112a442000102030405060708090a0b" "0000000000000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* message length beyond the bytes held */
    b = hex_bytes("0001000c2112a442000102030405060708090a0b" "0025000000250000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* XOR-MAPPED-ADDRESS IPv4 of length 12, IPv6 family in 8 bytes */
    b = hex_bytes("010100102112a442000102030405060708090a0b" "0020000c0001a147e112a64300000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    b = hex_bytes("0101000c2112a442000102030405060708090a0b" "002000080002a147e112a643");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* MAPPED-ADDRESS with unknown family */
    b = hex_bytes("0101000c2112a442000102030405060708090a0b" "0001000800030d0c01020304");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* FINGERPRINT of length 8, PRIORITY of length 2 */
    b = hex_bytes("0001000c2112a442000102030405060708090a0b" "802800080000000000000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    b = hex_bytes("000100082112a442000102030405060708090a0b" "0024000201020000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* leading bits not 00 and not ChannelData: not STUN */
    b = hex_bytes("800100002112a442000102030405060708090a0b");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, true, &m, NULL), ==, DISSECT_NOT_MINE);
    g_byte_array_unref(b);
    /* empty input */
    g_assert_cmpint(dissect_bytes((const guint8 *)"", 0, &h, true, &m, NULL), ==, DISSECT_NOT_MINE);
}

/* More than STUN_MAX_ATTRS attributes: all counted, the first ones kept. */
static void test_many_attributes(void)
{
    GString *hex = g_string_new(NULL);
    const unsigned n = STUN_MAX_ATTRS + 8;
    g_string_append_printf(hex, "0001%04x2112a442000102030405060708090a0b", n * 4);
    for (unsigned i = 0; i < n; i++)
        g_string_append_printf(hex, "%04x0000", 0x7000 + i);
    GByteArray *b = hex_bytes(hex->str);
    struct dissect_hint h = udp_hint(40000, 40001);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpuint(m.attr_count, ==, n);
    for (unsigned i = 0; i < STUN_MAX_ATTRS; i++)
        g_assert_cmphex(m.attr_types[i], ==, 0x7000 + i);
    g_byte_array_unref(b);
    g_string_free(hex, TRUE);
}

/* Text longer than STUN_TEXT_MAX is cut and flagged. */
static void test_long_text(void)
{
    GString *hex = g_string_new("0001008c2112a442000102030405060708090a0b" "80220088");
    for (int i = 0; i < 0x88; i++)
        g_string_append(hex, "61");
    GByteArray *b = hex_bytes(hex->str);
    struct dissect_hint h = udp_hint(40000, 40001);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_true(m.software.truncated);
    g_assert_cmpuint(m.software.len, ==, STUN_TEXT_MAX);
    g_assert_cmpuint(strlen(m.software.value), ==, STUN_TEXT_MAX);
    g_byte_array_unref(b);
    g_string_free(hex, TRUE);
}

/* ---- corpus payloads in tests/data/stun ---- */

struct capture_payload {
    bool tcp;
    uint16_t sport, dport;
    GByteArray *bytes;
};

/* Reads frame `frame` from a "frame transport sport dport hex" file. */
static struct capture_payload load_payload(const char *file, unsigned frame)
{
    char *rel = g_build_filename("tests", "data", "stun", file, NULL);
    char *path = test_repo_path(rel);
    char *text = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("%s: %s", path, err->message);
    struct capture_payload p = { false, 0, 0, NULL };
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l && !p.bytes; l++) {
        char transport[8], hex[70000];
        unsigned fr, sp, dp;
        if (**l == '#' || sscanf(*l, "%u %7s %u %u %69999s", &fr, transport, &sp, &dp, hex) != 5)
            continue;
        if (fr != frame)
            continue;
        p.tcp = strcmp(transport, "tcp") == 0;
        p.sport = (uint16_t)sp;
        p.dport = (uint16_t)dp;
        p.bytes = hex_bytes(hex);
    }
    if (!p.bytes)
        g_error("%s: frame %u not found", path, frame);
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    g_free(rel);
    return p;
}

static struct dissect_hint payload_hint(const struct capture_payload *p)
{
    return p->tcp ? tcp_hint(p->sport, p->dport) : udp_hint(p->sport, p->dport);
}

/* Dissects a whole UDP payload (or framed TCP message) and requires it to be
 * consumed exactly. */
static void dissect_payload(const struct capture_payload *p, bool classic_ok, struct stun_message *m)
{
    struct dissect_hint h = payload_hint(p);
    size_t consumed;
    g_assert_cmpint(dissect_bytes(p->bytes->data, p->bytes->len, &h, classic_ok, m, &consumed), ==, DISSECT_OK);
    g_assert_cmpuint(consumed, ==, p->bytes->len);
    g_assert_cmpuint(m->message_len, ==, p->bytes->len);
}

/* zeek-spicy-stun tests/traces/stun-ice-testcall.pcap (tshark values). */
static void test_capture_ice_testcall(void)
{
    struct stun_message m;
    /* frame 1: Binding request to Google 19302, no attributes */
    struct capture_payload p = load_payload("ice-testcall.hex", 1);
    dissect_payload(&p, false, &m);
    g_assert_cmphex(m.type, ==, 0x0001);
    g_assert_cmpuint(m.attr_count, ==, 0);
    assert_txid(&m, "534f70436969354a6663317a");
    g_byte_array_unref(p.bytes);
    /* frame 2: Binding success with plain MAPPED-ADDRESS 70.199.128.46:4604 */
    p = load_payload("ice-testcall.hex", 2);
    dissect_payload(&p, false, &m);
    g_assert_cmphex(m.type, ==, 0x0101);
    assert_addr(&m.mapped, "70.199.128.46", 4604);
    g_assert_cmpuint(m.xor_mapped.family, ==, 0);
    g_byte_array_unref(p.bytes);
    /* frame 7: ICE check, USERNAME pLyZHR:GwL3AHBovubLvCqn, ICE-CONTROLLING,
     * USE-CANDIDATE, PRIORITY 1845501695, tie-breaker 188b104c697bf65b */
    p = load_payload("ice-testcall.hex", 7);
    dissect_payload(&p, false, &m);
    g_assert_cmpstr(m.username.value, ==, "pLyZHR:GwL3AHBovubLvCqn");
    g_assert_true(m.ice_controlling);
    g_assert_true(m.use_candidate);
    g_assert_cmpuint(m.priority, ==, 1845501695u);
    g_assert_cmphex(m.ice_tiebreaker, ==, 0x188b104c697bf65bull);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    static const uint16_t types7[] = { 0x0006, 0x802a, 0x0025, 0x0024, 0x0008, 0x8028 };
    g_assert_cmpuint(m.attr_count, ==, G_N_ELEMENTS(types7));
    g_assert_cmpmem(m.attr_types, sizeof types7, types7, sizeof types7);
    g_byte_array_unref(p.bytes);
    /* frame 13: XOR-MAPPED-ADDRESS 70.199.128.46:4587, SOFTWARE */
    p = load_payload("ice-testcall.hex", 13);
    dissect_payload(&p, false, &m);
    assert_addr(&m.xor_mapped, "70.199.128.46", 4587);
    g_assert_cmpstr(m.software.value, ==, "Net-Net OS-E E3.7.0 ");
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);
    /* frame 17: USERNAME GwL3AHBovubLvCqn:pLyZHR, ICE-CONTROLLED f4c37c44ed95c304 */
    p = load_payload("ice-testcall.hex", 17);
    dissect_payload(&p, false, &m);
    g_assert_cmpstr(m.username.value, ==, "GwL3AHBovubLvCqn:pLyZHR");
    g_assert_true(m.ice_controlled);
    g_assert_cmphex(m.ice_tiebreaker, ==, 0xf4c37c44ed95c304ull);
    g_assert_cmpuint(m.priority, ==, 1862270975u);
    g_byte_array_unref(p.bytes);
    /* frame 18: XOR-MAPPED-ADDRESS 155.212.214.188:23130 */
    p = load_payload("ice-testcall.hex", 18);
    dissect_payload(&p, false, &m);
    assert_addr(&m.xor_mapped, "155.212.214.188", 23130);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);
}

/* nDPI tests/cfgs/default/pcap/stun.pcap (tshark values). */
static void test_capture_ndpi_turn(void)
{
    struct stun_message m;
    /* frame 19: Allocate error 401, REALM turn.l.google.com, NONCE */
    struct capture_payload p = load_payload("ndpi-stun.hex", 19);
    dissect_payload(&p, false, &m);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_ALLOCATE);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_ERROR);
    g_assert_cmpuint(m.error_code, ==, 401);
    g_assert_cmpstr(m.realm.value, ==, "turn.l.google.com");
    g_assert_cmpstr(m.nonce.value, ==, "mah6oOtl36LF4mwK0awUYA==");
    g_byte_array_unref(p.bytes);
    /* frame 21: Allocate success, XOR-RELAYED 10.2.0.86:44908, LIFETIME 120,
     * XOR-MAPPED 93.47.225.225:23616 */
    p = load_payload("ndpi-stun.hex", 21);
    dissect_payload(&p, false, &m);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_ALLOCATE);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_SUCCESS);
    assert_addr(&m.xor_relayed, "10.2.0.86", 44908);
    assert_addr(&m.xor_mapped, "93.47.225.225", 23616);
    g_assert_true(m.has_lifetime);
    g_assert_cmpuint(m.lifetime, ==, 120);
    g_byte_array_unref(p.bytes);
    /* frame 26: Binding success with an IPv6 MAPPED-ADDRESS */
    p = load_payload("ndpi-stun.hex", 26);
    dissect_payload(&p, false, &m);
    assert_addr(&m.mapped, "2001:1670:c:eb04:70af:f67f:8e49:f603", 56880);
    g_byte_array_unref(p.bytes);
    /* frame 104: ChannelBind, CHANNEL-NUMBER 0x4003, XOR-PEER 185.170.139.1:12176 */
    p = load_payload("ndpi-stun.hex", 104);
    dissect_payload(&p, false, &m);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_CHANNEL_BIND);
    g_assert_true(m.has_channel_number);
    g_assert_cmphex(m.channel_number, ==, 0x4003);
    assert_addr(&m.xor_peer, "185.170.139.1", 12176);
    g_assert_cmpstr(m.username.value, ==, "Mf2h9Hi5aPMRplF1");
    g_assert_cmpstr(m.realm.value, ==, "turner.facebook");
    g_byte_array_unref(p.bytes);
    /* frame 162: GOOG-NETWORK-INFO id 3 cost 10, ICE-CONTROLLING */
    p = load_payload("ndpi-stun.hex", 162);
    dissect_payload(&p, false, &m);
    g_assert_cmpstr(m.username.value, ==, "VUAk6Ay7hvuLnLGO:tyGu");
    g_assert_true(m.has_goog_network_info);
    g_assert_cmpuint(m.goog_network_id, ==, 3);
    g_assert_cmpuint(m.goog_network_cost, ==, 10);
    g_assert_true(m.ice_controlling);
    g_assert_cmphex(m.ice_tiebreaker, ==, 0x9b59111cc59a03acull);
    g_assert_cmpuint(m.priority, ==, 1853824767u);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);
    /* frame 201: IPv6 XOR-MAPPED + MAPPED, RESPONSE-ORIGIN, OTHER-ADDRESS */
    p = load_payload("ndpi-stun.hex", 201);
    dissect_payload(&p, false, &m);
    assert_addr(&m.xor_mapped, "2001:b07:a3d:c112:48a1:1094:1227:281e", 48094);
    assert_addr(&m.mapped, "2001:b07:a3d:c112:48a1:1094:1227:281e", 48094);
    assert_addr(&m.response_origin, "2600:1900:4160:5999:0:19::", 3478);
    assert_addr(&m.other_address, "2600:1900:4160:5999:0:19::", 80);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);
}

/* nDPI stun.pcap frames 3 and 5: STUN over TCP with RFC 4571 framing (a
 * 2-byte length the caller strips; hint.framed). */
static void test_capture_ndpi_tcp_framed(void)
{
    struct stun_message m;
    struct capture_payload p = load_payload("ndpi-stun.hex", 3);
    struct dissect_hint h = payload_hint(&p);
    h.framed = true;
    size_t consumed;
    g_assert_cmpuint(p.bytes->len, ==, 2 + 0x68);
    g_assert_cmpint(dissect_bytes(p.bytes->data + 2, p.bytes->len - 2, &h, false, &m, &consumed), ==, DISSECT_OK);
    g_assert_cmpuint(consumed, ==, 0x68);
    g_assert_cmpstr(m.username.value, ==, "/pI0:ToEd");
    g_assert_cmpuint(m.priority, ==, 1852570879u);
    g_assert_true(m.ice_controlled);
    g_assert_cmphex(m.ice_tiebreaker, ==, 0x4c2d1ull);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);

    p = load_payload("ndpi-stun.hex", 5);
    h = payload_hint(&p);
    h.framed = true;
    g_assert_cmpint(dissect_bytes(p.bytes->data + 2, p.bytes->len - 2, &h, false, &m, &consumed), ==, DISSECT_OK);
    assert_addr(&m.xor_mapped, "10.77.110.51", 41588);
    g_assert_cmpstr(m.username.value, ==, "/pI0:ToEd");
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);
}

/* nDPI stun.pcap frame 151: two CreatePermission requests in one TCP
 * segment to 3478 (no RFC 4571 prefix), cut with stun_frame_length(). */
static void test_capture_tcp_two_messages(void)
{
    struct capture_payload p = load_payload("ndpi-stun.hex", 151);
    g_assert_cmpuint(p.bytes->len, ==, 288);
    struct cursor c = cursor_make(p.bytes->data, p.bytes->len);
    struct dissect_hint h = payload_hint(&p);
    static const struct { const char *ip; uint16_t port; } peers[] = { { "127.0.0.1", 38763 },
                                                                        { "5.162.130.14", 16947 } };
    for (size_t i = 0; i < G_N_ELEMENTS(peers); i++) {
        size_t frame = stun_frame_length(&c);
        g_assert_cmpuint(frame, ==, 144);
        struct stun_message m;
        struct cursor one = cursor_take(&c, frame);
        g_assert_true(cursor_ok(&one));
        g_assert_cmpint(stun_dissect(&one, &h, false, &m), ==, DISSECT_OK);
        g_assert_cmpuint(m.method, ==, STUN_METHOD_CREATE_PERMISSION);
        assert_addr(&m.xor_peer, peers[i].ip, peers[i].port);
        g_assert_cmpstr(m.username.value, ==, "1643629527:ROULOM3001+t78yIKiyfdE3AVN7akstXw");
        g_assert_cmpstr(m.realm.value, ==, "apps-host.com");
        g_assert_cmpuint(cursor_left(&one), ==, 0);
    }
    g_assert_cmpuint(cursor_left(&c), ==, 0);
    /* the whole segment dissected at once: first message, cursor after it */
    struct stun_message m;
    size_t consumed;
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &h, false, &m, &consumed), ==, DISSECT_OK);
    g_assert_cmpuint(consumed, ==, 144);
    g_byte_array_unref(p.bytes);
}

/* arkime tests/pcap/turn.pcap: TURN over TCP port 80 to turn.cloudflare.com
 * (tshark -d tcp.port==80,stun). Port 80 is not a STUN port: the cookie alone
 * carries these. */
static void test_capture_arkime_turn_tcp80(void)
{
    struct stun_message m;
    struct capture_payload p = load_payload("arkime-turn-tcp80.hex", 4);
    struct cursor c = cursor_make(p.bytes->data, p.bytes->len);
    g_assert_cmpuint(stun_frame_length(&c), ==, p.bytes->len);
    dissect_payload(&p, false, &m);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_ALLOCATE);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_REQUEST);
    g_assert_cmpuint(m.requested_transport, ==, 17);
    g_byte_array_unref(p.bytes);

    p = load_payload("arkime-turn-tcp80.hex", 6);
    dissect_payload(&p, false, &m);
    g_assert_cmpuint(m.error_code, ==, 401);
    g_assert_cmpuint(m.error_reason.len, ==, 0); /* no reason phrase on the wire */
    g_assert_cmpstr(m.realm.value, ==, "turn.cloudflare.com");
    g_assert_cmpstr(m.nonce.value, ==, "0000019c0f1f5844d1fbe0367d222210993cbd1c3d0eaa7f45fe848398081b3f361d18600ec06fec");
    g_byte_array_unref(p.bytes);

    p = load_payload("arkime-turn-tcp80.hex", 9);
    dissect_payload(&p, false, &m);
    assert_addr(&m.xor_relayed, "104.30.147.243", 51142);
    assert_addr(&m.xor_mapped, "108.56.17.155", 61109);
    g_assert_cmpuint(m.lifetime, ==, 600);
    g_byte_array_unref(p.bytes);

    p = load_payload("arkime-turn-tcp80.hex", 11);
    dissect_payload(&p, false, &m);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_CREATE_PERMISSION);
    assert_addr(&m.xor_peer, "192.168.1.1", 43499);
    g_assert_cmpstr(m.username.value, ==, "g0361fffed09bfc90829143d508bc2ec3435d7ca5f4c2482eea08f89da63d85e");
    g_byte_array_unref(p.bytes);
}

/* zeek-spicy-stun traces: attribute length 0xffff and an ERROR-CODE of
 * length 3 followed by garbage (tshark: Malformed Packet). */
static void test_capture_malformed(void)
{
    struct stun_message m;
    struct capture_payload p = load_payload("zeek-attr-length-ffff.hex", 2);
    struct dissect_hint h = payload_hint(&p);
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &h, true, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(p.bytes);
    p = load_payload("zeek-malformed-error.hex", 2);
    h = payload_hint(&p);
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &h, true, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(p.bytes);
}

/* ---- classic RFC 3489 ---- */

static void test_classic_policy(void)
{
    struct stun_message m;
    /* mercury stun_classic.pcap frame 1: Binding request to 3478 with
     * CHANGE-REQUEST; tshark: txid badc00ceb7463d6b0b198fe200000000 */
    struct capture_payload p = load_payload("mercury-stun-classic.hex", 1);
    dissect_payload(&p, false, &m);
    g_assert_true(m.classic);
    g_assert_cmphex(m.type, ==, 0x0001);
    assert_txid(&m, "badc00ceb7463d6b0b198fe200000000");
    g_assert_cmpuint(m.attr_count, ==, 1);
    g_assert_cmphex(m.attr_types[0], ==, STUN_ATTR_CHANGE_REQUEST);
    /* the same bytes between two ordinary ports: only with classic_ok */
    struct dissect_hint other = udp_hint(58253, 40000);
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &other, false, &m, NULL), ==, DISSECT_NOT_MINE);
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &other, true, &m, NULL), ==, DISSECT_OK);
    g_assert_true(m.classic);
    /* trailing bytes in the datagram: not a classic message */
    GByteArray *longer = g_byte_array_new();
    g_byte_array_append(longer, p.bytes->data, p.bytes->len);
    g_byte_array_append(longer, (const guint8 *)"\0\0\0\0", 4);
    struct dissect_hint h = payload_hint(&p);
    g_assert_cmpint(dissect_bytes(longer->data, longer->len, &h, true, &m, NULL), ==, DISSECT_NOT_MINE);
    g_byte_array_unref(longer);
    g_byte_array_unref(p.bytes);

    /* nDPI stun_classic.pcap frame 2: response 13958 -> 55050 (no STUN
     * port), MAPPED-ADDRESS 172.16.63.224:55050 (tshark classicstun) */
    p = load_payload("ndpi-stun-classic.hex", 2);
    h = payload_hint(&p);
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &h, false, &m, NULL), ==, DISSECT_NOT_MINE);
    dissect_payload(&p, true, &m);
    g_assert_true(m.classic);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_SUCCESS);
    assert_txid(&m, "9429ef88294dd52632c72931cb8dbb4c");
    assert_addr(&m.mapped, "172.16.63.224", 55050);
    g_byte_array_unref(p.bytes);

    /* a cookie-less type that RFC 3489 never had (Allocate) on 3478 */
    h = udp_hint(40000, 3478);
    GByteArray *b = hex_bytes("0003000800112233445566778899aabbccddeeff" "0019000411000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, true, &m, NULL), ==, DISSECT_NOT_MINE);
    g_byte_array_unref(b);
    /* attribute walk that does not end at the message end */
    b = hex_bytes("0001000800112233445566778899aabbccddeeff" "0003000c00000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, true, &m, NULL), ==, DISSECT_NOT_MINE);
    g_byte_array_unref(b);
    /* classic address attribute of the wrong size */
    b = hex_bytes("0101000c00112233445566778899aabbccddeeff" "0001000800030d0c01020304");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, true, &m, NULL), ==, DISSECT_NOT_MINE);
    g_byte_array_unref(b);
    /* pre-RFC XOR-MAPPED-ADDRESS 0x8020 in a classic response: XOR with the
     * first four transaction id bytes (where the cookie later went) */
    b = hex_bytes("0101000c2112a443445566778899aabbccddeeff" "802000080001a147e112a643");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_true(m.classic);
    assert_addr(&m.xor_mapped, "192.0.2.0", 32853);
    g_byte_array_unref(b);
}

/* ---- TURN ChannelData ---- */

static void test_channel_data(void)
{
    struct stun_message m;
    size_t consumed;
    /* nDPI stun.pcap frame 200: ChannelData 0x4001, 48 bytes, from 3478 */
    struct capture_payload p = load_payload("ndpi-stun.hex", 200);
    dissect_payload(&p, false, &m);
    g_assert_true(m.channel_data);
    g_assert_cmphex(m.channel, ==, 0x4001);
    g_assert_cmpuint(m.length, ==, 48);
    g_byte_array_unref(p.bytes);

    /* frame 110: ChannelData 0x4003 between 40003 and 38123 (no TURN port):
     * accepted only when the flow is known to be TURN (classic_ok) */
    p = load_payload("ndpi-stun.hex", 110);
    struct dissect_hint h = payload_hint(&p);
    g_assert_cmpint(dissect_bytes(p.bytes->data, p.bytes->len, &h, false, &m, NULL), ==, DISSECT_NOT_MINE);
    dissect_payload(&p, true, &m);
    g_assert_cmphex(m.channel, ==, 0x4003);
    g_assert_cmpuint(m.length, ==, 96);
    /* it relays a STUN Binding request whose FINGERPRINT checks out */
    struct stun_message inner;
    g_assert_cmpint(dissect_bytes(p.bytes->data + 4, m.length, &h, false, &inner, NULL), ==, DISSECT_OK);
    g_assert_cmphex(inner.type, ==, 0x0001);
    g_assert_cmpint(inner.fingerprint, ==, STUN_FP_VALID);
    g_byte_array_unref(p.bytes);

    /* UDP: 5 data bytes + 3 padding accepted, message_len without padding */
    h = udp_hint(3478, 40000);
    GByteArray *b = hex_bytes("40000005" "6162636465000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, &consumed), ==, DISSECT_OK);
    g_assert_cmpuint(m.message_len, ==, 9);
    g_assert_cmpuint(consumed, ==, 9);
    /* TCP: padding consumed so the next message starts aligned */
    h = tcp_hint(3478, 40000);
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, &consumed), ==, DISSECT_OK);
    g_assert_cmpuint(m.message_len, ==, 12);
    g_assert_cmpuint(consumed, ==, 12);
    struct cursor c = cursor_make(b->data, b->len);
    g_assert_cmpuint(stun_frame_length(&c), ==, 12);
    g_byte_array_unref(b);
    /* UDP with more than padding after the data */
    h = udp_hint(3478, 40000);
    b = hex_bytes("40000004" "6162636400000000");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* length beyond the data */
    b = hex_bytes("7fff0010" "61626364");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_MALFORMED);
    g_byte_array_unref(b);
    /* no STUN port, no classic_ok: not mine */
    h = udp_hint(40000, 40001);
    b = hex_bytes("40000004" "61626364");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_NOT_MINE);
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, true, &m, NULL), ==, DISSECT_OK);
    g_byte_array_unref(b);
}

/* ---- TCP framing heads ---- */

static void test_frame_length(void)
{
    static const struct {
        const char *hex;
        size_t want;
    } cases[] = {
        { "", 0 },
        { "000100", 0 },                         /* < 4 bytes: cannot tell yet */
        { "00010058", 108 },                     /* header start, need more */
        { "000100582112", 108 },                 /* cookie not complete yet */
        { "000100582112a442", 108 },
        { "00010058deadbeef", 0 },               /* 8 bytes, no cookie */
        { "00010057", 0 },                       /* length % 4 */
        { "40000005", 12 },                      /* ChannelData, padded */
        { "4fff0000", 4 },
        { "80000004", 0 },                       /* RTP-ish */
        { "16fefd00", 0 },                       /* DTLS */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = hex_bytes(cases[i].hex);
        guint8 *copy = g_memdup2(b->data, b->len ? b->len : 1);
        struct cursor c = cursor_make(copy, b->len);
        g_assert_cmpuint(stun_frame_length(&c), ==, cases[i].want);
        g_free(copy);
        g_byte_array_unref(b);
    }
    GByteArray *b = hex_bytes(rfc5769_request);
    struct cursor c = cursor_make(b->data, b->len);
    g_assert_cmpuint(stun_frame_length(&c), ==, 108);
    g_byte_array_unref(b);
}

/* ---- tables ---- */

static void test_names(void)
{
    g_assert_cmpstr(stun_method_name(STUN_METHOD_BINDING), ==, "Binding");
    g_assert_cmpstr(stun_method_name(STUN_METHOD_ALLOCATE), ==, "Allocate");
    g_assert_cmpstr(stun_method_name(STUN_METHOD_GOOG_PING), ==, "GOOG-PING");
    g_assert_null(stun_method_name(0x005));
    g_assert_cmpstr(stun_class_name(STUN_CLASS_REQUEST), ==, "request");
    g_assert_cmpstr(stun_class_name(STUN_CLASS_SUCCESS), ==, "success");
    g_assert_cmpstr(stun_class_name(STUN_CLASS_ERROR), ==, "error");
    g_assert_cmpstr(stun_class_name(STUN_CLASS_INDICATION), ==, "indication");
    g_assert_null(stun_class_name((enum stun_class)7));
    g_assert_cmpstr(stun_attr_name(STUN_ATTR_XOR_MAPPED_ADDRESS), ==, "XOR-MAPPED-ADDRESS");
    g_assert_cmpstr(stun_attr_name(STUN_ATTR_FINGERPRINT), ==, "FINGERPRINT");
    g_assert_cmpstr(stun_attr_name(STUN_ATTR_GOOG_NETWORK_INFO), ==, "GOOG-NETWORK-INFO");
    g_assert_null(stun_attr_name(0x7777));

    /* GOOG-PING (method 0x080) request is type 0x0200: class/method split */
    GByteArray *b = hex_bytes("020000002112a442000102030405060708090a0b");
    struct dissect_hint h = udp_hint(40000, 40001);
    struct stun_message m;
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmphex(m.method, ==, STUN_METHOD_GOOG_PING);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_REQUEST);
    g_byte_array_unref(b);
    /* 0x0111: both class bits -> error response, method Binding */
    b = hex_bytes("011100002112a442000102030405060708090a0b");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_ERROR);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_BINDING);
    g_byte_array_unref(b);
    b = hex_bytes("001600002112a442000102030405060708090a0b");
    g_assert_cmpint(dissect_bytes(b->data, b->len, &h, false, &m, NULL), ==, DISSECT_OK);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_INDICATION);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_SEND);
    g_byte_array_unref(b);
}

static void test_demux(void)
{
    static const struct {
        uint8_t b;
        enum demux_class want;
    } cases[] = {
        { 0, DEMUX_STUN },        { 3, DEMUX_STUN },        { 4, DEMUX_UNKNOWN },     { 15, DEMUX_UNKNOWN },
        { 16, DEMUX_ZRTP },       { 19, DEMUX_ZRTP },       { 20, DEMUX_DTLS },       { 22, DEMUX_DTLS },
        { 63, DEMUX_DTLS },       { 64, DEMUX_TURN_CHANNEL }, { 79, DEMUX_TURN_CHANNEL }, { 80, DEMUX_UNKNOWN },
        { 127, DEMUX_UNKNOWN },   { 128, DEMUX_RTP },       { 191, DEMUX_RTP },       { 192, DEMUX_UNKNOWN },
        { 255, DEMUX_UNKNOWN },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(stun_demux_first_byte(cases[i].b), ==, cases[i].want);
}

/* Every attribute type, named as the list the dissector had before its
 * slot lookup: the 45 listed types and nothing else. */
static void test_attr_names_every_type(void)
{
    static const struct {
        uint16_t type;
        const char *name;
    } listed[] = {
        { STUN_ATTR_MAPPED_ADDRESS, "MAPPED-ADDRESS" },
        { STUN_ATTR_RESPONSE_ADDRESS, "RESPONSE-ADDRESS" },
        { STUN_ATTR_CHANGE_REQUEST, "CHANGE-REQUEST" },
        { STUN_ATTR_SOURCE_ADDRESS, "SOURCE-ADDRESS" },
        { STUN_ATTR_CHANGED_ADDRESS, "CHANGED-ADDRESS" },
        { STUN_ATTR_USERNAME, "USERNAME" },
        { STUN_ATTR_PASSWORD, "PASSWORD" },
        { STUN_ATTR_MESSAGE_INTEGRITY, "MESSAGE-INTEGRITY" },
        { STUN_ATTR_ERROR_CODE, "ERROR-CODE" },
        { STUN_ATTR_UNKNOWN_ATTRIBUTES, "UNKNOWN-ATTRIBUTES" },
        { STUN_ATTR_REFLECTED_FROM, "REFLECTED-FROM" },
        { STUN_ATTR_CHANNEL_NUMBER, "CHANNEL-NUMBER" },
        { STUN_ATTR_LIFETIME, "LIFETIME" },
        { STUN_ATTR_XOR_PEER_ADDRESS, "XOR-PEER-ADDRESS" },
        { STUN_ATTR_DATA, "DATA" },
        { STUN_ATTR_REALM, "REALM" },
        { STUN_ATTR_NONCE, "NONCE" },
        { STUN_ATTR_XOR_RELAYED_ADDRESS, "XOR-RELAYED-ADDRESS" },
        { STUN_ATTR_REQUESTED_ADDRESS_FAMILY, "REQUESTED-ADDRESS-FAMILY" },
        { STUN_ATTR_EVEN_PORT, "EVEN-PORT" },
        { STUN_ATTR_REQUESTED_TRANSPORT, "REQUESTED-TRANSPORT" },
        { STUN_ATTR_DONT_FRAGMENT, "DONT-FRAGMENT" },
        { STUN_ATTR_MESSAGE_INTEGRITY_SHA256, "MESSAGE-INTEGRITY-SHA256" },
        { STUN_ATTR_PASSWORD_ALGORITHM, "PASSWORD-ALGORITHM" },
        { STUN_ATTR_USERHASH, "USERHASH" },
        { STUN_ATTR_XOR_MAPPED_ADDRESS, "XOR-MAPPED-ADDRESS" },
        { STUN_ATTR_RESERVATION_TOKEN, "RESERVATION-TOKEN" },
        { STUN_ATTR_PRIORITY, "PRIORITY" },
        { STUN_ATTR_USE_CANDIDATE, "USE-CANDIDATE" },
        { STUN_ATTR_PADDING, "PADDING" },
        { STUN_ATTR_RESPONSE_PORT, "RESPONSE-PORT" },
        { STUN_ATTR_CONNECTION_ID, "CONNECTION-ID" },
        { STUN_ATTR_XOR_MAPPED_ADDRESS_OLD, "XOR-MAPPED-ADDRESS" },
        { STUN_ATTR_PASSWORD_ALGORITHMS, "PASSWORD-ALGORITHMS" },
        { STUN_ATTR_ALTERNATE_DOMAIN, "ALTERNATE-DOMAIN" },
        { STUN_ATTR_SOFTWARE, "SOFTWARE" },
        { STUN_ATTR_ALTERNATE_SERVER, "ALTERNATE-SERVER" },
        { STUN_ATTR_TRANSACTION_TRANSMIT_COUNTER, "TRANSACTION_TRANSMIT_COUNTER" },
        { STUN_ATTR_CACHE_TIMEOUT, "CACHE-TIMEOUT" },
        { STUN_ATTR_FINGERPRINT, "FINGERPRINT" },
        { STUN_ATTR_ICE_CONTROLLED, "ICE-CONTROLLED" },
        { STUN_ATTR_ICE_CONTROLLING, "ICE-CONTROLLING" },
        { STUN_ATTR_RESPONSE_ORIGIN, "RESPONSE-ORIGIN" },
        { STUN_ATTR_OTHER_ADDRESS, "OTHER-ADDRESS" },
        { STUN_ATTR_GOOG_NETWORK_INFO, "GOOG-NETWORK-INFO" }
    };
    unsigned named = 0;
    for (uint32_t type = 0; type <= 0xffff; type++) {
        const char *want = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(listed); i++)
            if (listed[i].type == type)
                want = listed[i].name;
        g_assert_cmpstr(stun_attr_name((uint16_t)type), ==, want);
        named += want != NULL;
    }
    g_assert_cmpuint(named, ==, G_N_ELEMENTS(listed));
}

/* ---- fuzz regressions ---- */

/* Replays every file in one regression directory under every hint. */
static unsigned replay_dir(const char *rel)
{
    char *dir_path = test_repo_path(rel);
    GDir *dir = g_dir_open(dir_path, 0, NULL);
    unsigned replayed = 0;
    if (dir) {
        const char *name;
        while ((name = g_dir_read_name(dir))) {
            char *path = g_build_filename(dir_path, name, NULL);
            gchar *data = NULL;
            gsize len = 0;
            if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && g_file_get_contents(path, &data, &len, NULL)) {
                struct dissect_hint hints[] = { udp_hint(3478, 40000), tcp_hint(40000, 3478),
                                                udp_hint(40000, 40001) };
                for (size_t hi = 0; hi < G_N_ELEMENTS(hints); hi++)
                    for (int ok = 0; ok < 2; ok++) {
                        struct stun_message m;
                        size_t consumed;
                        enum dissect_result r =
                            dissect_bytes((const guint8 *)data, len, &hints[hi], ok, &m, &consumed);
                        g_assert_true(r == DISSECT_OK || r == DISSECT_NOT_MINE || r == DISSECT_MALFORMED);
                        if (r == DISSECT_OK)
                            g_assert_cmpuint(consumed, ==, m.message_len);
                    }
                struct cursor c = cursor_make(data, len);
                (void)stun_frame_length(&c);
                replayed++;
            }
            g_free(data);
            g_free(path);
        }
        g_dir_close(dir);
    }
    g_free(dir_path);
    return replayed;
}

/* Crash inputs the fuzzer found and that were fixed: tests/data/regress/stun
 * (hand-kept) and tests/data/regress/fuzz_stun (run-fuzz.sh artifacts). */
static void test_regressions(void)
{
    unsigned replayed = replay_dir("tests/data/regress/stun") + replay_dir("tests/data/regress/fuzz_stun");
    printf("# replayed %u regression inputs\n", replayed);
}

/* Every prefix of every stored capture payload is refused too. */
static void test_capture_truncations(void)
{
    static const struct {
        const char *file;
        unsigned frame;
    } items[] = {
        { "ice-testcall.hex", 7 },    { "ice-testcall.hex", 13 },  { "ndpi-stun.hex", 21 },
        { "ndpi-stun.hex", 104 },     { "ndpi-stun.hex", 201 },    { "ndpi-stun.hex", 162 },
        { "ndpi-stun-classic.hex", 2 }, { "mercury-stun-classic.hex", 1 }, { "arkime-turn-tcp80.hex", 11 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(items); i++) {
        struct capture_payload p = load_payload(items[i].file, items[i].frame);
        assert_all_truncations_refused(p.bytes->data, p.bytes->len);
        g_byte_array_unref(p.bytes);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun/crc32", test_crc32_check_value);
    g_test_add_func("/stun/crc32-against-bitwise", test_crc32_against_bitwise);
    g_test_add_func("/stun/rfc5769/request", test_rfc5769_request);
    g_test_add_func("/stun/rfc5769/response-ipv4", test_rfc5769_response_v4);
    g_test_add_func("/stun/rfc5769/response-ipv6", test_rfc5769_response_v6);
    g_test_add_func("/stun/rfc5769/long-term-auth", test_rfc5769_long_term);
    g_test_add_func("/stun/rfc8489/sha256", test_rfc8489_sha256);
    g_test_add_func("/stun/fingerprint-flipped", test_fingerprint_flipped_byte);
    g_test_add_func("/stun/truncations", test_truncations);
    g_test_add_func("/stun/malformed-lengths", test_malformed_lengths);
    g_test_add_func("/stun/many-attributes", test_many_attributes);
    g_test_add_func("/stun/long-text", test_long_text);
    g_test_add_func("/stun/capture/ice-testcall", test_capture_ice_testcall);
    g_test_add_func("/stun/capture/ndpi-turn", test_capture_ndpi_turn);
    g_test_add_func("/stun/capture/ndpi-tcp-framed", test_capture_ndpi_tcp_framed);
    g_test_add_func("/stun/capture/tcp-two-messages", test_capture_tcp_two_messages);
    g_test_add_func("/stun/capture/arkime-turn-tcp80", test_capture_arkime_turn_tcp80);
    g_test_add_func("/stun/capture/malformed", test_capture_malformed);
    g_test_add_func("/stun/capture/truncations", test_capture_truncations);
    g_test_add_func("/stun/classic", test_classic_policy);
    g_test_add_func("/stun/channel-data", test_channel_data);
    g_test_add_func("/stun/frame-length", test_frame_length);
    g_test_add_func("/stun/names", test_names);
    g_test_add_func("/stun/demux", test_demux);
    g_test_add_func("/stun/attr-names-every-type", test_attr_names_every_type);
    g_test_add_func("/stun/regressions", test_regressions);
    return g_test_run();
}
