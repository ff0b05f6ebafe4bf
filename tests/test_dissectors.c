/* test_dissectors.c — STUN against RFC 5769's test vectors, truncation and
 * hostile lengths for STUN/DNS/DTLS (every prefix must end cleanly), and
 * decoding of the project's sample payloads. */
#include <glib.h>
#include <string.h>

#include "dns.h"
#include "dtls.h"
#include "stun.h"

/* RFC 5769 §2.1: sample request. */
static const uint8_t rfc5769_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87,
    0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f,
    0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
    0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 §2.2: sample IPv4 response. */
static const uint8_t rfc5769_response_v4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87,
    0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43, 0x00, 0x08, 0x00, 0x14, 0x2b, 0x91,
    0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

static const struct dissect_hint udp_any = { TRANSPORT_UDP, 40000, 40001, false };

static void test_stun_rfc5769_request(void)
{
    struct stun_message m;
    struct cursor c = cursor_make(rfc5769_request, sizeof rfc5769_request);
    g_assert_cmpint(stun_dissect(&c, &udp_any, false, &m), ==, DISSECT_OK);
    g_assert_false(m.classic);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_REQUEST);
    g_assert_cmpuint(m.method, ==, STUN_METHOD_BINDING);
    g_assert_cmpstr(m.software.value, ==, "STUN test client");
    g_assert_true(m.has_priority);
    g_assert_cmphex(m.priority, ==, 0x6e0001ff);
    g_assert_true(m.ice_controlled);
    g_assert_cmphex(m.ice_tiebreaker, ==, 0x932ff9b151263b36ull);
    g_assert_cmpstr(m.username.value, ==, "evtj:h6vY");
    g_assert_true(m.has_message_integrity);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
    g_assert_cmpuint(m.attr_count, ==, 6);
    g_assert_cmpuint(m.message_len, ==, sizeof rfc5769_request);
    g_assert_cmpuint(cursor_left(&c), ==, 0);
}

static void test_stun_rfc5769_response(void)
{
    struct stun_message m;
    struct cursor c = cursor_make(rfc5769_response_v4, sizeof rfc5769_response_v4);
    g_assert_cmpint(stun_dissect(&c, &udp_any, false, &m), ==, DISSECT_OK);
    g_assert_cmpint(m.cls, ==, STUN_CLASS_SUCCESS);
    g_assert_cmpuint(m.xor_mapped.family, ==, 4);
    static const uint8_t want[4] = { 192, 0, 2, 1 };
    g_assert_cmpmem(m.xor_mapped.bytes, 4, want, 4);
    g_assert_cmpuint(m.xor_mapped.port, ==, 32853);
    g_assert_cmpstr(m.software.value, ==, "test vector"); /* length 11; the space is padding */
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_VALID);
}

static void test_stun_fingerprint_detects_change(void)
{
    uint8_t copy[sizeof rfc5769_response_v4];
    memcpy(copy, rfc5769_response_v4, sizeof copy);
    copy[30] ^= 0x01; /* inside SOFTWARE */
    struct stun_message m;
    struct cursor c = cursor_make(copy, sizeof copy);
    g_assert_cmpint(stun_dissect(&c, &udp_any, false, &m), ==, DISSECT_OK);
    g_assert_cmpint(m.fingerprint, ==, STUN_FP_INVALID);
}

static void test_stun_truncations(void)
{
    for (size_t n = 0; n < sizeof rfc5769_request; n++) {
        uint8_t *heap = g_memdup2(rfc5769_request, n); /* exact size: ASan sees any over-read */
        struct stun_message m;
        struct cursor c = cursor_make(heap, n);
        enum dissect_result r = stun_dissect(&c, &udp_any, true, &m);
        g_assert_cmpint(r, !=, DISSECT_OK);
        g_free(heap);
    }
}

static void test_stun_attribute_length_ffff(void)
{
    uint8_t msg[28];
    memcpy(msg, rfc5769_request, 20);
    msg[2] = 0x00;
    msg[3] = 0x08;
    const uint8_t attr[8] = { 0x80, 0x22, 0xff, 0xff, 'a', 'b', 'c', 'd' };
    memcpy(msg + 20, attr, 8);
    struct stun_message m;
    struct cursor c = cursor_make(msg, sizeof msg);
    g_assert_cmpint(stun_dissect(&c, &udp_any, false, &m), ==, DISSECT_MALFORMED);
}

static void test_stun_classic_needs_port(void)
{
    /* An RFC 3489 Binding request: no cookie, 16-byte transaction id. */
    uint8_t msg[20] = { 0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    struct stun_message m;
    struct cursor c = cursor_make(msg, sizeof msg);
    g_assert_cmpint(stun_dissect(&c, &udp_any, false, &m), ==, DISSECT_NOT_MINE);
    struct dissect_hint stun_port = { TRANSPORT_UDP, 40000, 3478, false };
    c = cursor_make(msg, sizeof msg);
    g_assert_cmpint(stun_dissect(&c, &stun_port, false, &m), ==, DISSECT_OK);
    g_assert_true(m.classic);
    g_assert_cmpuint(m.transaction_id_len, ==, 16);
    g_assert_cmpuint(m.transaction_id[15], ==, 16);
}

static void test_stun_frame_length(void)
{
    struct cursor c = cursor_make(rfc5769_request, 4);
    g_assert_cmpuint(stun_frame_length(&c), ==, sizeof rfc5769_request);
    uint8_t channel[] = { 0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0 };
    c = cursor_make(channel, sizeof channel);
    g_assert_cmpuint(stun_frame_length(&c), ==, 12);
}

/* A DNS query for example.com A with a compression loop appended as answer. */
static void test_dns_query_and_loops(void)
{
    static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01 };
    struct dissect_hint h = { TRANSPORT_UDP, 40000, 53, false };
    struct dns_message m;
    struct cursor c = cursor_make(q, sizeof q);
    g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_OK);
    g_assert_false(m.is_response);
    g_assert_cmpuint(m.question_count, ==, 1);
    g_assert_cmpstr(m.questions[0].name, ==, "example.com");
    g_assert_cmpuint(m.questions[0].qtype, ==, DNS_TYPE_A);
    /* A question name that points at itself: a loop. */
    static const uint8_t loop[] = { 0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
    c = cursor_make(loop, sizeof loop);
    g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_MALFORMED);
    /* A forward pointer. */
    static const uint8_t fwd[] = { 0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 16, 0, 1, 0, 1, 0 };
    c = cursor_make(fwd, sizeof fwd);
    g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_MALFORMED);
    for (size_t n = 0; n < sizeof q; n++) {
        uint8_t *heap = g_memdup2(q, n);
        c = cursor_make(heap, n);
        g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_MALFORMED);
        g_free(heap);
    }
}

/* Bytes a name cannot show as they are come out as dig writes them:
 * \DDD in decimal, and a backslash before '.' and '\' inside a label. */
static void test_dns_name_escapes(void)
{
    static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 6, 'a', 0x00, '.', 0x7f, '\\', 0xff, 2, ' ', 'z', 0, 0x00, 0x10, 0x00, 0x01 };
    struct dissect_hint h = { TRANSPORT_UDP, 40000, 53, false };
    struct dns_message m;
    struct cursor c = cursor_make(q, sizeof q);
    g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_OK);
    g_assert_cmpuint(m.question_count, ==, 1);
    g_assert_cmpstr(m.questions[0].name, ==, "a\\000\\.\\127\\\\\\255.\\032z");
    g_assert_cmpuint(m.questions[0].qtype, ==, 16);
}

/* The name text as read_name() wrote it before its plain-label fast copy:
 * each byte escaped as dig does, appended while it fits in 256 bytes, a dot
 * after each label while it fits, the last dot dropped. */
static void reference_name(const uint8_t *labels, size_t len, char *out)
{
    enum { OUT = DNS_NAME_MAX + 1 };
    size_t used = 0;
    for (size_t at = 0; at < len && labels[at];) {
        uint8_t n = labels[at++];
        for (uint8_t i = 0; i < n; i++, at++) {
            uint8_t ch = labels[at];
            char piece[5];
            if (ch > 0x20 && ch < 0x7f && ch != '.' && ch != '\\')
                g_snprintf(piece, sizeof piece, "%c", ch);
            else if (ch == '.' || ch == '\\')
                g_snprintf(piece, sizeof piece, "\\%c", ch);
            else
                g_snprintf(piece, sizeof piece, "\\%03u", ch);
            size_t plen = strlen(piece);
            if (used + plen + 1 < OUT) {
                memcpy(out + used, piece, plen);
                used += plen;
            }
        }
        if (used + 2 < OUT)
            out[used++] = '.';
    }
    if (used && out[used - 1] == '.')
        used--;
    out[used] = '\0';
}

/* Appends random labels (1..63 bytes, lower-case letters; with one_in > 0,
 * about one byte in one_in any value at all, to be escaped) at labels[len]
 * while the name stays under wire_budget bytes with its root label.
 * Returns the new length (the root label not yet written). */
static size_t random_labels(GRand *rng, uint8_t *labels, size_t len, size_t wire_budget, int one_in)
{
    while (len + 2 < wire_budget) {
        size_t n = (size_t)g_rand_int_range(rng, 1, 64);
        if (len + 1 + n + 1 > wire_budget)
            n = wire_budget - len - 2;
        labels[len++] = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
            labels[len++] = one_in && g_rand_int_range(rng, 0, one_in) == 0 ? (uint8_t)g_rand_int_range(rng, 0, 256)
                                                                            : (uint8_t)('a' + g_rand_int_range(rng, 0, 26));
    }
    return len;
}

/* Question names of every byte value, of random labels (mostly plain, some
 * to escape) up to the 255-byte limit where pieces stop fitting: the same
 * text as the reference. */
static void test_dns_names_against_reference(void)
{
    struct dissect_hint h = { TRANSPORT_UDP, 40000, 53, false };
    GRand *rng = g_rand_new_with_seed(5353);
    for (unsigned round = 0; round < 20000; round++) {
        uint8_t labels[256];
        size_t len = 0, wire_budget = round < 256 ? 3 : (size_t)g_rand_int_range(rng, 2, 256);
        if (round < 256) { /* one label "a<byte>" per byte value */
            labels[len++] = 2, labels[len++] = 'a', labels[len++] = (uint8_t)round;
        } else if (round < 256 + 2 * 63 * 63) { /* escapes first, then plain labels up to the limit */
            unsigned sweep = round - 256, first = sweep % 63 + 1, plain = sweep / 63 % 63 + 1;
            uint8_t escaped = sweep / (63 * 63) ? '.' : 0x00;
            labels[len++] = (uint8_t)first;
            for (unsigned i = 0; i < first; i++)
                labels[len++] = escaped;
            while (len + 1 + plain + 1 <= 255) {
                labels[len++] = (uint8_t)plain;
                for (unsigned i = 0; i < plain; i++)
                    labels[len++] = (uint8_t)('a' + i % 26);
            }
        } else {
            bool escapes = g_rand_int_range(rng, 0, 4) == 0;
            len = random_labels(rng, labels, len, wire_budget, escapes ? 8 : 0);
        }
        labels[len++] = 0;
        GByteArray *q = g_byte_array_new();
        static const uint8_t header[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
        g_byte_array_append(q, header, sizeof header);
        g_byte_array_append(q, labels, (guint)len);
        g_byte_array_append(q, (const uint8_t[]){ 0x00, 0x01, 0x00, 0x01 }, 4);
        struct dns_message m;
        struct cursor c = cursor_make(q->data, q->len);
        g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_OK);
        char want[DNS_NAME_MAX + 1];
        reference_name(labels, len, want);
        g_assert_cmpstr(m.questions[0].name, ==, want);
        g_byte_array_free(q, TRUE);
    }
    g_rand_free(rng);
}

/* Answer names that are pointers to the question's name come out as that
 * name (read_name takes it from the question); pointers into its middle,
 * labels before a pointer and CNAME targets are read as ever. Question names
 * of all kinds from the reference sweep, up to the 255-byte limit. */
static void test_dns_answer_pointers(void)
{
    struct dissect_hint h = { TRANSPORT_UDP, 53, 40000, false };
    GRand *rng = g_rand_new_with_seed(853);
    for (unsigned round = 0; round < 3000; round++) {
        uint8_t labels[256];
        /* ≤ 253 bytes: "x" or "w" before it must still fit in 255 */
        size_t len = 0, wire_budget = (size_t)g_rand_int_range(rng, 2, 254);
        bool escapes = round % 2;
        len = random_labels(rng, labels, len, wire_budget, escapes ? 3 : 0);
        labels[len++] = 0;
        size_t second = labels[0] ? 1u + labels[0] : 0; /* offset of the second label in the name */
        GByteArray *q = g_byte_array_new();
        static const uint8_t header[] = { 0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00 };
        g_byte_array_append(q, header, sizeof header);
        g_byte_array_append(q, labels, (guint)len);
        g_byte_array_append(q, (const uint8_t[]){ 0x00, 0x05, 0x00, 0x01 }, 4); /* CNAME, IN */
        /* 1: the question's name, CNAME → "x" + that name */
        g_byte_array_append(q, (const uint8_t[]){ 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4, 1, 'x', 0xc0, 12 }, 16);
        /* 2: the name from its second label */
        g_byte_array_append(q, (const uint8_t[]){ 0xc0, (uint8_t)(12 + second), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 }, 12);
        g_byte_array_append(q, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
        /* 3: "w" before a pointer to the question's name */
        g_byte_array_append(q, (const uint8_t[]){ 1, 'w', 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 2 }, 18);
        /* 4: the question's name again, CNAME → pointer to answer 1's target */
        size_t target1 = 12 + len + 4 + 12; /* answer 1's rdata */
        g_byte_array_append(q, (const uint8_t[]){ 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2,
                                                  (uint8_t)(0xc0 | target1 >> 8), (uint8_t)target1 },
                            14);
        if (q->len > 0x3fff) /* pointers reach 14 bits */
            g_error("message too long");
        struct dns_message m;
        struct cursor c = cursor_make(q->data, q->len);
        g_assert_cmpint(dns_dissect(&c, &h, &m), ==, DISSECT_OK);
        char name[DNS_NAME_MAX + 1], want[DNS_NAME_MAX + 1];
        reference_name(labels, len, name);
        g_assert_cmpstr(m.questions[0].name, ==, name);
        g_assert_cmpuint(m.answer_count, ==, 4);
        g_assert_false(m.answers_truncated);
        g_assert_cmpstr(m.answers[0].name, ==, name);
        uint8_t prefixed[258] = { 1, 'x' };
        memcpy(prefixed + 2, labels, len);
        reference_name(prefixed, len + 2, want);
        g_assert_cmpstr(m.answers[0].target, ==, want);
        reference_name(labels + second, len - second, want);
        g_assert_cmpstr(m.answers[1].name, ==, want);
        prefixed[1] = 'w';
        reference_name(prefixed, len + 2, want);
        g_assert_cmpstr(m.answers[2].name, ==, want);
        g_assert_cmpstr(m.answers[3].name, ==, name);
        prefixed[1] = 'x'; /* answer 1's target: "x", then the question's name */
        reference_name(prefixed, len + 2, want);
        g_assert_cmpstr(m.answers[3].target, ==, want);
        g_byte_array_free(q, TRUE);
    }
    g_rand_free(rng);
}

/* DNS on a port that is not 53: only the exact shape of a resolver query. */
static bool shaped_query(const uint8_t *bytes, size_t len, bool cut_short)
{
    struct dissect_hint h = { TRANSPORT_UDP, 40000, 443, false };
    struct dns_message m;
    struct cursor c = cursor_make(bytes, len);
    return dns_header_may_be_query(&c) && dns_dissect(&c, &h, &m) == DISSECT_OK && dns_is_plain_query(&m, cut_short);
}

static void test_dns_query_by_shape(void)
{
    /* A TXT query with an EDNS OPT record, as DNSCrypt clients send for certificates */
    uint8_t q[] = { 0x7f, 0x47, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                    4, 'c', 'e', 'r', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0x00, 0x10, 0x00, 0x01,
                    0, 0x00, 0x29, 0x10, 0x00, 0, 0, 0, 0, 0x00, 0x00 };
    g_assert_true(shaped_query(q, sizeof q, false));
    uint8_t v[sizeof q + 1];
    memcpy(v, q, sizeof q);
    v[sizeof q] = 0; /* one byte after the last record */
    g_assert_false(shaped_query(v, sizeof v, false));
    /* the OPT record cut off: only acceptable at the end of a first fragment */
    g_assert_false(shaped_query(q, sizeof q - 4, false));
    g_assert_true(shaped_query(q, sizeof q - 4, true));
    static const struct { size_t at; uint8_t value; const char *why; } spoil[] = {
        { 2, 0x81, "response bit" }, { 2, 0x29, "opcode UPDATE" }, { 3, 0x03, "rcode" },
        { 5, 0x02, "two questions" }, { 7, 0x01, "an answer" }, { 9, 0x01, "an authority record" },
        { 11, 0x02, "two additional records" }, { 27, 0xfe, "unknown type" }, { 29, 0x03, "class CH" },
        { 3, 0x40, "Z bit" }, { 2, 0x03, "truncated" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(spoil); i++) {
        memcpy(v, q, sizeof q);
        v[spoil[i].at] = spoil[i].value;
        if (shaped_query(v, sizeof q, false))
            g_error("accepted a query with %s", spoil[i].why);
    }
    /* QUIC Initial packets on 443 do not pass the header look */
    static const uint8_t quic[] = { 0xc3, 0x00, 0x00, 0x00, 0x01, 0x08, 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51,
                                    0x57, 0x08, 0x00, 0x00, 0x44, 0x9e, 0x7b, 0x9a, 0xec, 0x34 };
    struct cursor c = cursor_make(quic, sizeof quic);
    g_assert_false(dns_header_may_be_query(&c));
    /* too short to hold a question */
    c = cursor_make(q, 16);
    g_assert_false(dns_header_may_be_query(&c));
}

/* A DTLS 1.2 ClientHello offering use_srtp (as scripts/make-samples.py builds it). */
static void test_dtls_client_hello(void)
{
    GByteArray *b = g_byte_array_new();
    static const uint8_t ext[] = { 0x00, 0x0e, 0x00, 0x07, 0x00, 0x04, 0x00, 0x07, 0x00, 0x01, 0x00,
                                   0x00, 0x17, 0x00, 0x00 };
    GByteArray *body = g_byte_array_new();
    static const uint8_t ver[] = { 0xfe, 0xfd };
    g_byte_array_append(body, ver, 2);
    uint8_t random[32] = { 0 };
    g_byte_array_append(body, random, 32);
    static const uint8_t rest[] = { 0x00, 0x00, 0x00, 0x04, 0xc0, 0x2b, 0xc0, 0x2f, 0x01, 0x00, 0x00, sizeof ext };
    g_byte_array_append(body, rest, sizeof rest);
    g_byte_array_append(body, ext, sizeof ext);
    uint8_t hs[12] = { 1, 0, 0, (uint8_t)body->len, 0, 0, 0, 0, 0, 0, 0, (uint8_t)body->len };
    uint8_t rec[13] = { 22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(12 + body->len) };
    g_byte_array_append(b, rec, 13);
    g_byte_array_append(b, hs, 12);
    g_byte_array_append(b, body->data, body->len);
    struct dtls_message m;
    struct cursor c = cursor_make(b->data, b->len);
    g_assert_true(dtls_looks_like(&c));
    g_assert_cmpint(dtls_dissect(&c, &udp_any, &m), ==, DISSECT_OK);
    g_assert_cmpuint(m.record_count, ==, 1);
    g_assert_true(m.hello.present);
    g_assert_cmpuint(m.hello.handshake_type, ==, DTLS_HS_CLIENT_HELLO);
    g_assert_cmphex(m.hello.version, ==, DTLS_VERSION_1_2);
    g_assert_cmpuint(m.hello.cipher_count, ==, 2);
    g_assert_true(m.hello.use_srtp);
    g_assert_cmpuint(m.hello.srtp_profile_count, ==, 2);
    g_assert_cmphex(m.hello.srtp_profiles[0], ==, 0x0007);
    g_assert_cmpstr(dtls_srtp_profile_name(m.hello.srtp_profiles[1]), ==, "SRTP_AES128_CM_HMAC_SHA1_80");
    for (size_t n = 0; n < b->len; n++) {
        uint8_t *heap = g_memdup2(b->data, n);
        c = cursor_make(heap, n);
        g_assert_cmpint(dtls_dissect(&c, &udp_any, &m), !=, DISSECT_OK);
        g_free(heap);
    }
    g_byte_array_free(body, TRUE);
    g_byte_array_free(b, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun/rfc5769-request", test_stun_rfc5769_request);
    g_test_add_func("/stun/rfc5769-response-ipv4", test_stun_rfc5769_response);
    g_test_add_func("/stun/fingerprint-detects-change", test_stun_fingerprint_detects_change);
    g_test_add_func("/stun/truncations", test_stun_truncations);
    g_test_add_func("/stun/attribute-length-ffff", test_stun_attribute_length_ffff);
    g_test_add_func("/stun/classic-needs-port", test_stun_classic_needs_port);
    g_test_add_func("/stun/frame-length", test_stun_frame_length);
    g_test_add_func("/dns/query-and-loops", test_dns_query_and_loops);
    g_test_add_func("/dns/query-by-shape", test_dns_query_by_shape);
    g_test_add_func("/dns/name-escapes", test_dns_name_escapes);
    g_test_add_func("/dns/names-against-reference", test_dns_names_against_reference);
    g_test_add_func("/dns/answer-pointers", test_dns_answer_pointers);
    g_test_add_func("/dtls/client-hello-use-srtp", test_dtls_client_hello);
    return g_test_run();
}
