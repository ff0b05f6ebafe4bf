/* dns.h — DNS messages (RFC 1035) over UDP and TCP, mDNS (RFC 6762) and LLMNR
 * (RFC 4795): header, questions and the answers a leak report needs.
 *
 * Owns: bytes → struct dns_message; compression-, loop- and length-safe names.
 * Pure: no I/O, no globals, no allocation.
 */
#ifndef LEAKAUDIT_DNS_H
#define LEAKAUDIT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "dissect.h"

enum dns_type {
    DNS_TYPE_A = 1, DNS_TYPE_NS = 2, DNS_TYPE_CNAME = 5, DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12, DNS_TYPE_MX = 15, DNS_TYPE_TXT = 16, DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33, DNS_TYPE_OPT = 41, DNS_TYPE_DS = 43, DNS_TYPE_RRSIG = 46,
    DNS_TYPE_DNSKEY = 48, DNS_TYPE_SVCB = 64, DNS_TYPE_HTTPS = 65, DNS_TYPE_ANY = 255,
};

enum dns_rcode {
    DNS_RCODE_NOERROR = 0, DNS_RCODE_FORMERR = 1, DNS_RCODE_SERVFAIL = 2,
    DNS_RCODE_NXDOMAIN = 3, DNS_RCODE_NOTIMP = 4, DNS_RCODE_REFUSED = 5,
};

enum dns_flavor {
    DNS_FLAVOR_DNS = 0,   /* unicast DNS (port 53 or recognised by shape) */
    DNS_FLAVOR_MDNS,      /* port 5353 */
    DNS_FLAVOR_LLMNR,     /* port 5355 */
};

enum { DNS_NAME_MAX = 255, DNS_MAX_QUESTIONS = 4, DNS_MAX_ANSWERS = 8 };

struct dns_question {
    char name[DNS_NAME_MAX + 1]; /* dotted, no trailing dot ("" = root); escaped as \DDD for odd bytes */
    uint16_t qtype;
    uint16_t qclass;            /* mDNS unicast-response bit stripped */
    bool unicast_response;      /* mDNS QU bit */
};

struct dns_answer {
    char name[DNS_NAME_MAX + 1];
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    uint8_t addr_family;        /* 4 or 6 for A/AAAA; 0 otherwise */
    uint8_t addr[16];
    char target[DNS_NAME_MAX + 1]; /* CNAME/PTR/NS target; "" otherwise */
};

struct dns_message {
    enum dns_flavor flavor;
    uint16_t id;
    bool is_response;           /* QR */
    uint8_t opcode;
    bool aa, tc, rd, ra, ad, cd;
    uint8_t rcode;
    uint16_t qdcount, ancount, nscount, arcount; /* header counts as sent */
    /* Only the first question_count questions and answer_count answers are
     * filled in: the slots after them keep whatever they held before. */
    uint8_t question_count;     /* questions stored (≤ DNS_MAX_QUESTIONS) */
    struct dns_question questions[DNS_MAX_QUESTIONS];
    uint8_t answer_count;       /* answers stored (≤ DNS_MAX_ANSWERS) */
    struct dns_answer answers[DNS_MAX_ANSWERS];
    bool answers_truncated;     /* answer records beyond what was stored or decodable */
    bool has_edns;
    uint16_t edns_udp_size;
    size_t trailing;            /* bytes left after the last record decoded */
};

/* Decodes one DNS message. For TCP the hint must say framed=true and the
 * cursor hold exactly the message (the 2-byte length prefix removed).
 * The flavor comes from the ports (5353 mDNS, 5355 LLMNR). A header that
 * claims more questions than fit, a name loop or an out-of-range pointer →
 * MALFORMED. Answers that fail to decode after good questions are kept as
 * answers_truncated, not a failure. */
enum dissect_result dns_dissect(struct cursor *c, const struct dissect_hint *h,
                                struct dns_message *out);

/* A query shaped exactly as resolvers send them: one question of a known
 * type, class IN, no answers, at most one additional record (EDNS OPT, or
 * DNSCrypt's padding record), nothing after it.
 * First a look at the 12 header bytes (cheap, for every UDP packet on a port
 * that is not DNS's), then the decoded message. This is how a DNS query to a
 * resolver on port 443, 5333 or 8053 is still recognised as DNS without
 * taking random UDP for it. */
bool dns_header_may_be_query(const struct cursor *c);
/* cut_short: the message is the start of a first IP fragment, so the
 * additional record may run past what is here. */
bool dns_is_plain_query(const struct dns_message *m, bool cut_short);

/* TCP: 2 + the length prefix at the head of a stream; 0 when < 2 bytes. */
size_t dns_tcp_frame_length(const struct cursor *c);

const char *dns_type_name(uint16_t type);   /* "A", "AAAA" … or NULL */
const char *dns_rcode_name(uint8_t rcode);  /* "NOERROR", "NXDOMAIN" … */

#endif
