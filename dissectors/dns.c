/* dns.c — see dns.h. Names are read with compression pointers that must
 * point strictly backwards, a cap on jumps and on length, so loops and
 * forward references end as MALFORMED. */
#include "dns.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

enum { MAX_POINTER_JUMPS = 64, PORT_MDNS = 5353, PORT_LLMNR = 5355 };

struct type_name {
    uint16_t type;
    const char *name;
};

static const struct type_name type_names[] = {
    { DNS_TYPE_A, "A" }, { DNS_TYPE_NS, "NS" }, { DNS_TYPE_CNAME, "CNAME" }, { DNS_TYPE_SOA, "SOA" },
    { DNS_TYPE_PTR, "PTR" }, { DNS_TYPE_MX, "MX" }, { DNS_TYPE_TXT, "TXT" }, { DNS_TYPE_AAAA, "AAAA" },
    { DNS_TYPE_SRV, "SRV" }, { DNS_TYPE_OPT, "OPT" }, { DNS_TYPE_DS, "DS" }, { DNS_TYPE_RRSIG, "RRSIG" },
    { DNS_TYPE_DNSKEY, "DNSKEY" }, { DNS_TYPE_SVCB, "SVCB" }, { DNS_TYPE_HTTPS, "HTTPS" }, { DNS_TYPE_ANY, "ANY" },
};

static const char *const rcode_names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                           "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };

const char *dns_type_name(uint16_t type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return NULL;
}

const char *dns_rcode_name(uint8_t rcode)
{
    return rcode < sizeof rcode_names / sizeof rcode_names[0] ? rcode_names[rcode] : NULL;
}

size_t dns_tcp_frame_length(const struct cursor *c)
{
    int32_t len = cursor_peek_u16be(c, 0);
    return len < 0 ? 0 : 2 + (size_t)len;
}

/* Label bytes written as they are: printable ASCII but space, '.' and '\\';
 * the others are escaped as dig does. A table: this is asked of every byte. */
static const bool name_byte_is_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static bool name_byte_plain(uint8_t ch)
{
    return name_byte_is_plain[ch];
}

/* Appends one label byte at out[*used], escaped when it must be. A piece
 * that does not fit is left out (a shorter one after it may still fit). */
static void append_name_byte(char *out, size_t *used, size_t outlen, uint8_t ch)
{
    char esc[5];
    size_t plen;
    if (name_byte_plain(ch))
        esc[0] = (char)ch, plen = 1;
    else if (ch == '.' || ch == '\\')
        esc[0] = '\\', esc[1] = (char)ch, plen = 2;
    else /* \DDD, as dig prints it; by hand: snprintf per byte was most of a binary name's cost */
        esc[0] = '\\', esc[1] = (char)('0' + ch / 100), esc[2] = (char)('0' + ch / 10 % 10),
        esc[3] = (char)('0' + ch % 10), plen = 4;
    if (*used + plen + 1 < outlen) {
        memcpy(out + *used, esc, plen);
        *used += plen;
    }
}

/* Copies a label of len bytes to out[used..] when it fits whole and needs no
 * escapes, the usual case: one bounds-checked copy instead of a read and an
 * append per byte. False (pos unmoved) sends it the escaping way. */
static bool copy_plain_label(struct cursor *pos, char *out, size_t used, size_t outlen, size_t len)
{
    /* the per-byte rule below keeps a byte while used + 2 < outlen */
    if (used + len + 2 > outlen || !cursor_has(pos, len))
        return false;
    struct cursor label = *pos;
    cursor_copy(&label, out + used, len);
    for (size_t i = 0; i < len; i++)
        if (!name_byte_plain((uint8_t)out[used + i]))
            return false;
    *pos = label;
    return true;
}

/* A name already read whole from one offset, without pointers: what a name
 * that is just a pointer to that offset reads as (answers point at the
 * question's name). */
struct name_seen {
    size_t offset;      /* SIZE_MAX: none */
    const char *text;   /* as read_name() wrote it into DNS_NAME_MAX + 1 bytes */
};

/* Reads a name at the cursor (whole message in `msg` for pointers) into out.
 * The cursor ends after the name's in-place part. *pointed (when not NULL)
 * tells whether a compression pointer was followed. */
static bool read_name(const struct cursor *msg, struct cursor *c, char *out, size_t outlen,
                      const struct name_seen *seen, bool *pointed)
{
    size_t used = 0, wire_len = 0;
    int jumps = 0;
    if (pointed)
        *pointed = false;
    struct cursor r = *c;
    struct cursor *pos = c; /* advances the caller until the first pointer */
    size_t label_start = cursor_offset(c);
    out[0] = '\0';
    for (;;) {
        label_start = cursor_offset(pos);
        uint8_t len = cursor_u8(pos);
        if (!cursor_ok(pos))
            return false;
        if (len == 0)
            break;
        if ((len & 0xc0) == 0xc0) {
            uint16_t target = (uint16_t)(((len & 0x3f) << 8) | cursor_u8(pos));
            if (!cursor_ok(pos) || target >= label_start || ++jumps > MAX_POINTER_JUMPS)
                return false;
            if (pointed)
                *pointed = true;
            if (wire_len == 0 && seen && target == seen->offset && outlen == DNS_NAME_MAX + 1) {
                /* the whole name is that one: read from the same start into
                 * the same size, it can only come out the same */
                memcpy(out, seen->text, strlen(seen->text) + 1);
                return true;
            }
            r = *msg;
            if (!cursor_seek(&r, target))
                return false;
            pos = &r;
            continue;
        }
        if (len & 0xc0)
            return false; /* 0x40/0x80 label types: obsolete or reserved */
        wire_len += len + 1u;
        if (wire_len > 255)
            return false;
        if (copy_plain_label(pos, out, used, outlen, len)) {
            used += len;
        } else {
            for (unsigned i = 0; i < len; i++)
                append_name_byte(out, &used, outlen, cursor_u8(pos));
            if (!cursor_ok(pos))
                return false;
        }
        if (used + 2 < outlen)
            out[used++] = '.';
    }
    if (used && out[used - 1] == '.')
        used--;
    out[used] = '\0';
    return true;
}

/* A record into *an (when store; its name is written there even when the
 * record then proves broken: *an counts only once the caller stores it). */
static bool read_answer(const struct cursor *msg, struct cursor *c, struct dns_answer *an, bool store,
                        const struct name_seen *seen)
{
    char skipped[DNS_NAME_MAX + 1];
    if (!read_name(msg, c, store ? an->name : skipped, sizeof an->name, seen, NULL))
        return false;
    uint16_t type = cursor_u16be(c), rclass = cursor_u16be(c);
    uint32_t ttl = cursor_u32be(c);
    uint16_t rdlen = cursor_u16be(c);
    struct cursor rd = cursor_take(c, rdlen);
    if (!cursor_ok(c))
        return false;
    if (!store)
        return true;
    an->type = type;
    an->rclass = rclass & 0x7fff;
    an->ttl = ttl;
    an->addr_family = 0;
    memset(an->addr, 0, sizeof an->addr);
    an->target[0] = '\0';
    if (type == DNS_TYPE_A && rdlen == 4) {
        an->addr_family = 4;
        cursor_copy(&rd, an->addr, 4);
    } else if (type == DNS_TYPE_AAAA && rdlen == 16) {
        an->addr_family = 6;
        cursor_copy(&rd, an->addr, 16);
    } else if (type == DNS_TYPE_CNAME || type == DNS_TYPE_PTR || type == DNS_TYPE_NS) {
        struct cursor at = *msg;
        cursor_seek(&at, cursor_offset(c) - rdlen);
        if (!read_name(msg, &at, an->target, sizeof an->target, seen, NULL))
            an->target[0] = '\0';
    }
    return true;
}

enum dissect_result dns_dissect(struct cursor *c, const struct dissect_hint *h, struct dns_message *out)
{
    /* Not the 5 KiB of question and answer slots: only those counted are
     * filled, and read (dns.h). */
    memset(out, 0, offsetof(struct dns_message, questions));
    out->answer_count = 0;
    out->answers_truncated = false;
    out->has_edns = false;
    out->edns_udp_size = 0;
    out->trailing = 0;
    struct cursor msg = cursor_rest(c);
    struct cursor r = msg;
    /* Port 53 on either side is unicast DNS, as tshark decides it. */
    if (h->sport == 53 || h->dport == 53)
        out->flavor = DNS_FLAVOR_DNS;
    else if ((h->sport == PORT_MDNS || h->dport == PORT_MDNS) && h->transport == TRANSPORT_UDP)
        out->flavor = DNS_FLAVOR_MDNS; /* multicast is UDP; TCP to 5353 is unicast DNS */
    else if (h->sport == PORT_LLMNR || h->dport == PORT_LLMNR)
        out->flavor = DNS_FLAVOR_LLMNR;
    out->id = cursor_u16be(&r);
    uint16_t flags = cursor_u16be(&r);
    out->qdcount = cursor_u16be(&r);
    out->ancount = cursor_u16be(&r);
    out->nscount = cursor_u16be(&r);
    out->arcount = cursor_u16be(&r);
    if (!cursor_ok(&r))
        return DISSECT_MALFORMED;
    out->is_response = flags >> 15;
    out->opcode = (flags >> 11) & 0xf;
    out->aa = flags & 0x0400;
    out->tc = flags & 0x0200;
    out->rd = flags & 0x0100;
    out->ra = flags & 0x0080;
    out->ad = flags & 0x0020;
    out->cd = flags & 0x0010;
    out->rcode = flags & 0xf;
    /* Each question needs at least 5 bytes: a count that cannot fit is a lie. */
    if ((size_t)out->qdcount * 5 > cursor_left(&r))
        return DISSECT_MALFORMED;
    struct name_seen seen = { SIZE_MAX, NULL };
    for (unsigned i = 0; i < out->qdcount; i++) {
        struct dns_question skipped; /* read, checked, not stored: past DNS_MAX_QUESTIONS */
        struct dns_question *q = out->question_count < DNS_MAX_QUESTIONS ? &out->questions[out->question_count] : &skipped;
        size_t name_offset = cursor_offset(&r);
        bool pointed;
        if (!read_name(&msg, &r, q->name, sizeof q->name, &seen, &pointed))
            return DISSECT_MALFORMED;
        if (i == 0 && !pointed && q != &skipped)
            seen = (struct name_seen){ name_offset, q->name };
        q->qtype = cursor_u16be(&r);
        uint16_t qclass = cursor_u16be(&r);
        if (!cursor_ok(&r))
            return DISSECT_MALFORMED;
        q->unicast_response = out->flavor == DNS_FLAVOR_MDNS && (qclass & 0x8000);
        q->qclass = out->flavor == DNS_FLAVOR_MDNS ? (qclass & 0x7fff) : qclass;
        if (q != &skipped)
            out->question_count++;
    }
    /* Answers after good questions: a bad record ends the walk, not the message. */
    unsigned records = (unsigned)out->ancount + out->nscount + out->arcount;
    for (unsigned i = 0; i < records; i++) {
        bool in_answer = i < out->ancount;
        bool store = in_answer && out->answer_count < DNS_MAX_ANSWERS;
        struct cursor before = r;
        struct dns_answer *an = store ? &out->answers[out->answer_count] : NULL;
        struct dns_answer scratch;
        if (!read_answer(&msg, &r, an ? an : &scratch, store || !in_answer, &seen)) {
            out->answers_truncated = true;
            break;
        }
        if (store)
            out->answer_count++;
        else if (in_answer)
            out->answers_truncated = true;
        if (!in_answer && scratch.type == DNS_TYPE_OPT) {
            out->has_edns = true;
            out->edns_udp_size = scratch.rclass | (uint16_t)(0x8000 & 0); /* class holds the UDP size */
            struct cursor o = before;
            uint8_t root = cursor_u8(&o);
            cursor_skip(&o, 2);
            uint16_t size = cursor_u16be(&o);
            if (root == 0 && cursor_ok(&o))
                out->edns_udp_size = size;
        }
    }
    out->trailing = cursor_left(&r);
    cursor_skip(c, cursor_left(c));
    return DISSECT_OK;
}

enum {
    DNS_HEADER_LEN = 12, DNS_QUERY_MIN_LEN = DNS_HEADER_LEN + 1 + 4, /* root name, type, class */
    DNS_FLAG_QR = 0x8000, DNS_OPCODE_MASK = 0x7800, DNS_FLAG_TC = 0x0200, DNS_FLAG_Z = 0x0040,
    DNS_RCODE_MASK = 0x000F, DNS_CLASS_IN = 1,
};

bool dns_header_may_be_query(const struct cursor *c)
{
    if (cursor_left(c) < DNS_QUERY_MIN_LEN)
        return false;
    uint16_t flags = (uint16_t)cursor_peek_u16be(c, 2);
    return (flags & (DNS_FLAG_QR | DNS_OPCODE_MASK | DNS_FLAG_TC | DNS_FLAG_Z | DNS_RCODE_MASK)) == 0 &&
           cursor_peek_u16be(c, 4) == 1 && cursor_peek_u16be(c, 6) == 0 && cursor_peek_u16be(c, 8) == 0 &&
           cursor_peek_u16be(c, 10) <= 1;
}

bool dns_is_plain_query(const struct dns_message *m, bool cut_short)
{
    if (m->is_response || m->opcode || m->rcode || m->tc || m->qdcount != 1 || m->ancount || m->nscount ||
        m->arcount > 1 || m->question_count != 1)
        return false;
    if (!cut_short && (m->answers_truncated || m->trailing))
        return false;
    const struct dns_question *q = &m->questions[0];
    return q->name[0] && q->qclass == DNS_CLASS_IN && dns_type_name(q->qtype) != NULL;
}
