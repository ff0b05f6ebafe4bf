/* gen.c — the benchmark capture generator (deterministic: fixed seed, fixed
 * start time; the same arguments always give the same bytes).
 *
 * Owns: synthesising one packet stream of a busy host with a WireGuard VPN
 * and writing it three ways: Ethernet pcap, Linux cooked v2 (SLL2) pcap, and
 * a multi-interface pcapng (eth0, wg0, lo, with per-packet direction).
 * Knows nothing of leakaudit: it only writes well-formed packets.
 *
 * The mix (shares of packets, printed at the end): bulk TCP (TLS/HTTP/other,
 * with handshake, ACKs and FIN), bulk UDP (QUIC-like, games), WebRTC calls
 * (ICE Binding checks with USERNAME/PRIORITY/ICE-CONTROLLING/
 * MESSAGE-INTEGRITY/FINGERPRINT, XOR-MAPPED-ADDRESS replies, a DTLS 1.2
 * handshake with use_srtp, RTP media, consent checks), DNS queries and
 * answers (UDP, a few over TCP, loopback stub resolver), STUN to public
 * servers, DoT, and the WireGuard transport that carries every wg0 packet
 * on eth0. About a third of the sessions are IPv6. Every checksum is right,
 * so tshark decodes the files as traffic from the wire.
 *
 * usage: gen NPACKETS ETH.pcap SLL2.pcap MULTI.pcapng   (a path "-" skips that variant)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PKT = 1600, POOL = 4096, T0 = 1764000000 };
enum { IF_ETH0 = 0, IF_WG0 = 1, IF_LO = 2, IF_COUNT };
enum { OUT = 0, IN = 1 };

/* ---- deterministic randomness ---- */
static uint64_t rng_state = 0x6c65616b61756469ull; /* "leakaudi" */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }
static uint32_t rnd_range(uint32_t lo, uint32_t hi) { return lo + rnd_below(hi - lo + 1); }
static void rnd_bytes(uint8_t *p, size_t n)
{
    while (n) {
        uint64_t r = rnd();
        size_t k = n < 8 ? n : 8;
        memcpy(p, &r, k);
        p += k;
        n -= k;
    }
}

/* ---- byte helpers ---- */
static uint8_t *put8(uint8_t *p, unsigned v) { *p = (uint8_t)v; return p + 1; }
static uint8_t *put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; return p + 2; }
static uint8_t *put24(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 16); return put16(p + 1, v); }
static uint8_t *put32(uint8_t *p, uint32_t v) { return put16(put16(p, v >> 16), v & 0xffff); }
static uint8_t *putn(uint8_t *p, const void *s, size_t n) { memcpy(p, s, n); return p + n; }
static void le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, v & 0xffff); le16(p + 2, v >> 16); }

static uint32_t crc_table[256];
static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--)
        c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (; n > 1; n -= 2, p += 2)
        s += (uint32_t)(p[0] << 8 | p[1]);
    if (n)
        s += (uint32_t)(p[0] << 8);
    return s;
}
static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* ---- addresses ---- */
struct addr {
    int v6;
    uint8_t b[16];
};
static struct addr a4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    struct addr x = { 0, { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d } };
    return x;
}
static struct addr a6(uint16_t g0, uint16_t g1, uint16_t g2, uint16_t g7)
{
    struct addr x = { 1, { 0 } };
    put16(x.b, g0);
    put16(x.b + 2, g1);
    put16(x.b + 4, g2);
    put16(x.b + 14, g7);
    return x;
}

/* The host: eth0 LAN address, wg0 tunnel address, and its public address as
 * a STUN server reflects it. Remote peers come from documentation ranges and
 * from the MaxMind test databases' ranges (so GeoIP lookups find something). */
static struct addr host_eth4, host_eth6, host_wg4, host_wg6, host_public4, vpn_endpoint, lan_router4, lan_router6;
static const unsigned geo_v4[][4] = {
    { 81, 2, 69, 142 }, { 89, 160, 20, 112 }, { 216, 160, 83, 56 }, { 175, 16, 199, 10 }, { 2, 125, 160, 216 },
    { 67, 43, 156, 1 }, { 202, 196, 224, 5 }, { 111, 235, 160, 7 },
};

static struct addr remote(int v6)
{
    if (v6) {
        static const uint16_t nets[][2] = { { 0x2001, 0x0db8 }, { 0x2001, 0x0218 }, { 0x2001, 0x0480 } };
        int k = (int)rnd_below(3);
        return a6(nets[k][0], nets[k][1], (uint16_t)rnd_range(2, 0x40), (uint16_t)rnd_range(1, 0xfff0));
    }
    uint32_t r = rnd_below(10);
    if (r < 4) {
        const unsigned *g = geo_v4[rnd_below(sizeof geo_v4 / sizeof geo_v4[0])];
        return a4(g[0], g[1], g[2], (g[3] & ~7u) + rnd_below(8));
    }
    if (r < 7)
        return a4(203, 0, 113, rnd_range(16, 250));
    return a4(192, 0, 2, rnd_range(16, 120));
}

/* ---- one packet, as the IP layer sees it ---- */
struct pkt {
    int iface;
    int dir;             /* OUT from the host, IN to it */
    uint16_t len;        /* IP packet bytes */
    uint8_t ip[MAX_PKT];
};

/* Builds IP + UDP/TCP around payload (already in place at the L4 payload offset). */
static size_t l4_offset(int v6, int proto) { return (v6 ? 40u : 20u) + (proto == 6 ? 20u : 8u); }

static uint16_t ip_ident;
static void finish_ip(struct pkt *k, const struct addr *src, const struct addr *dst, int proto, uint16_t sport,
                      uint16_t dport, size_t plen, uint32_t seq, uint32_t ack, unsigned tcp_flags)
{
    int v6 = src->v6;
    size_t iph = v6 ? 40 : 20, l4h = proto == 6 ? 20 : 8;
    size_t l4len = l4h + plen;
    uint8_t *ip = k->ip, *l4 = ip + iph;
    if (v6) {
        put32(ip, 0x60000000u);
        put16(ip + 4, (unsigned)l4len);
        ip[6] = (uint8_t)proto;
        ip[7] = 64;
        memcpy(ip + 8, src->b, 16);
        memcpy(ip + 24, dst->b, 16);
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (unsigned)(iph + l4len));
        put16(ip + 4, ip_ident++);
        put16(ip + 6, 0x4000);
        ip[8] = 64;
        ip[9] = (uint8_t)proto;
        put16(ip + 10, 0);
        memcpy(ip + 12, src->b, 4);
        memcpy(ip + 16, dst->b, 4);
        put16(ip + 10, fold(sum16(0, ip, 20)));
    }
    put16(l4, sport);
    put16(l4 + 2, dport);
    if (proto == 6) {
        put32(l4 + 4, seq);
        put32(l4 + 8, ack);
        l4[12] = 5 << 4;
        l4[13] = (uint8_t)tcp_flags;
        put16(l4 + 14, 64240);
        put16(l4 + 16, 0);
        put16(l4 + 18, 0);
    } else {
        put16(l4 + 4, (unsigned)l4len);
        put16(l4 + 6, 0);
    }
    size_t alen = v6 ? 16 : 4;
    uint32_t s = sum16(0, src->b, alen);
    s = sum16(s, dst->b, alen);
    s += (uint32_t)proto + (uint32_t)l4len;
    s = sum16(s, l4, l4len);
    uint16_t c = fold(s);
    if (proto == 17 && c == 0)
        c = 0xffff;
    put16(l4 + (proto == 6 ? 16 : 6), c);
    k->len = (uint16_t)(iph + l4len);
}

/* ---- sessions ---- */
enum kind {
    K_TCP_BULK, K_UDP_BULK, K_WEBRTC, K_DNS, K_DNS_TCP, K_STUN_SERVER, K_DOT, K_LO_DNS, K_KIND_COUNT,
};
static const char *const kind_names[] = { "tcp-bulk", "udp-bulk", "webrtc", "dns", "dns-tcp", "stun-server", "dot",
                                          "loopback-dns" };
/* How many sessions of each kind start, out of the total weight. */
static const unsigned kind_weight[] = { 490, 230, 39, 3500, 40, 1330, 36, 150 };

struct session {
    enum kind kind;
    int iface;
    int v6;
    struct addr cli, srv;
    uint16_t cport, sport;
    uint32_t step, steps;  /* packets so far, packets in total */
    uint32_t cseq, sseq;
    uint8_t txid[12];
    uint8_t subtype;       /* TCP: 0 TLS, 1 HTTP, 2 other; UDP: 0 QUIC, 1 game; DNS: qtype */
    uint16_t rtp_seq;
    uint32_t rtp_ts, ssrc;
    uint16_t dtls_seq;
    char name[64];
};

static struct session pool[POOL];
static uint64_t packets_by_kind[K_KIND_COUNT + 1]; /* + WireGuard transport */
static uint64_t packets_v6, wg_counter;

static uint16_t ephemeral(void) { return (uint16_t)rnd_range(32768, 60999); }

static const char *const sni_list[] = { "www.example.com", "meet.example.org", "video.example.net", "cdn.example.com",
                                        "api.example.org", "mail.example.net" };

static void random_name(char *out, size_t cap)
{
    static const char *const zones[] = { "example.com", "example.org", "example.net", "test" };
    static const char *const words[] = { "www", "api", "cdn", "img", "static", "login", "mail", "push", "t" };
    if (rnd_below(3) == 0)
        snprintf(out, cap, "%s.%s", words[rnd_below(9)], zones[rnd_below(4)]);
    else
        snprintf(out, cap, "h%06x.%s.%s", rnd_below(0xffffff), words[rnd_below(9)], zones[rnd_below(4)]);
}

static void session_start(struct session *s)
{
    uint32_t total = 0, r;
    for (int i = 0; i < K_KIND_COUNT; i++)
        total += kind_weight[i];
    r = rnd_below(total);
    int k = 0;
    while (r >= kind_weight[k])
        r -= kind_weight[k++];
    memset(s, 0, sizeof *s);
    s->kind = (enum kind)k;
    s->v6 = rnd_below(3) == 0;
    /* A third of the sessions go through the tunnel (wg0); the rest leave by eth0. */
    s->iface = rnd_below(3) == 0 ? IF_WG0 : IF_ETH0;
    s->cli = s->iface == IF_WG0 ? (s->v6 ? host_wg6 : host_wg4) : (s->v6 ? host_eth6 : host_eth4);
    s->srv = remote(s->v6);
    s->cport = ephemeral();
    s->cseq = (uint32_t)rnd();
    s->sseq = (uint32_t)rnd();
    rnd_bytes(s->txid, sizeof s->txid);
    switch (s->kind) {
    case K_TCP_BULK:
        s->subtype = (uint8_t)rnd_below(3);
        s->sport = s->subtype == 0 ? 443 : s->subtype == 1 ? 80 : (uint16_t)rnd_range(1025, 9999);
        s->steps = 6 + rnd_range(4, 60) + (rnd_below(8) == 0 ? rnd_range(100, 600) : 0);
        break;
    case K_UDP_BULK:
        s->subtype = (uint8_t)rnd_below(3);
        s->sport = s->subtype == 0 ? 443 : s->subtype == 1 ? 27015 : 12000;
        s->steps = rnd_range(6, 40) + (rnd_below(6) == 0 ? rnd_range(50, 300) : 0);
        break;
    case K_WEBRTC:
        /* A peer-to-peer call: ICE, DTLS, then media on the same 5-tuple. */
        s->sport = ephemeral();
        s->steps = 12 + rnd_range(100, 900);
        s->ssrc = (uint32_t)rnd();
        break;
    case K_DNS:
        s->sport = 53;
        s->srv = s->iface == IF_WG0 ? (s->v6 ? a6(0xfd00, 0, 0, 1) : a4(10, 64, 0, 1))
                                    : (s->v6 ? lan_router6 : lan_router4);
        s->subtype = rnd_below(3) == 0 ? 28 : 1;
        s->steps = 2;
        random_name(s->name, sizeof s->name);
        break;
    case K_DNS_TCP:
        s->sport = 53;
        s->srv = s->v6 ? lan_router6 : lan_router4;
        s->subtype = 1;
        s->steps = 8;
        random_name(s->name, sizeof s->name);
        break;
    case K_STUN_SERVER:
        s->sport = rnd_below(2) ? 19302 : 3478;
        s->steps = 2 * rnd_range(1, 2);
        break;
    case K_DOT:
        s->sport = 853;
        s->steps = rnd_range(8, 20);
        break;
    case K_LO_DNS:
        /* An application asks the local stub resolver (127.0.0.53). */
        s->iface = IF_LO;
        s->v6 = 0;
        s->cli = a4(127, 0, 0, 1);
        s->srv = a4(127, 0, 0, 53);
        s->sport = 53;
        s->subtype = 1;
        s->steps = 2;
        random_name(s->name, sizeof s->name);
        break;
    case K_KIND_COUNT:
        break;
    }
}

/* ---- payload builders: each writes at p and returns the end ---- */

static uint8_t *dns_name(uint8_t *p, const char *name)
{
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t n = dot ? (size_t)(dot - name) : strlen(name);
        p = put8(p, (unsigned)n);
        p = putn(p, name, n);
        name += n + (dot ? 1 : 0);
    }
    return put8(p, 0);
}

static uint8_t *dns_message(uint8_t *p, const struct session *s, int answer)
{
    uint16_t id = (uint16_t)(s->txid[0] << 8 | s->txid[1]);
    p = put16(p, id);
    p = put16(p, answer ? 0x8180 : 0x0100);
    p = put16(p, 1);
    unsigned an = answer ? 1 + (s->txid[2] & 1) : 0;
    p = put16(p, an);
    p = put16(p, 0);
    p = put16(p, 0);
    p = dns_name(p, s->name);
    p = put16(p, s->subtype);
    p = put16(p, 1);
    for (unsigned i = 0; i < an; i++) {
        p = put16(p, 0xc00c);
        p = put16(p, s->subtype);
        p = put16(p, 1);
        p = put32(p, 300);
        if (s->subtype == 28) {
            p = put16(p, 16);
            struct addr x = a6(0x2001, 0x0db8, 0x00aa, (uint16_t)(s->txid[3] + i));
            p = putn(p, x.b, 16);
        } else {
            p = put16(p, 4);
            p = putn(p, (uint8_t[]){ 203, 0, 113, (uint8_t)(s->txid[3] | 1) }, 4);
        }
    }
    return p;
}

/* STUN attributes: type, length, value, padding to 4. */
static uint8_t *stun_attr(uint8_t *p, unsigned type, const void *v, size_t n)
{
    p = put16(p, type);
    p = put16(p, (unsigned)n);
    p = putn(p, v, n);
    while (n++ % 4)
        p = put8(p, 0);
    return p;
}

static uint8_t *xor_address(uint8_t *p, unsigned type, const struct addr *a, uint16_t port, const uint8_t *txid)
{
    uint8_t v[20];
    static const uint8_t cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };
    v[0] = 0;
    v[1] = a->v6 ? 2 : 1;
    put16(v + 2, port ^ 0x2112);
    size_t n = a->v6 ? 16 : 4;
    for (size_t i = 0; i < n; i++)
        v[4 + i] = a->b[i] ^ (i < 4 ? cookie[i] : txid[i - 4]);
    return stun_attr(p, type, v, 4 + n);
}

/* Writes the STUN header, lets attrs() fill in, then fixes the length and
 * appends a FINGERPRINT. */
static uint8_t *stun_finish(uint8_t *start, uint8_t *p, int fingerprint)
{
    if (fingerprint) {
        put16(start + 2, (unsigned)(p - start - 20 + 8));
        uint32_t fp = crc32(start, (size_t)(p - start)) ^ 0x5354554eu;
        uint8_t v[4];
        put32(v, fp);
        p = stun_attr(p, 0x8028, v, 4);
    }
    put16(start + 2, (unsigned)(p - start - 20));
    return p;
}

static uint8_t *stun_header(uint8_t *p, unsigned type, const uint8_t *txid)
{
    p = put16(p, type);
    p = put16(p, 0);
    p = put32(p, 0x2112a442u);
    return putn(p, txid, 12);
}

static uint8_t *ice_check(uint8_t *p, const struct session *s, int response, int dir)
{
    uint8_t *start = p;
    p = stun_header(p, response ? 0x0101 : 0x0001, s->txid);
    if (!response) {
        char user[32];
        snprintf(user, sizeof user, "%04x:%04x", (unsigned)(s->ssrc & 0xffff), (unsigned)(s->ssrc >> 16));
        p = stun_attr(p, 0x0006, user, strlen(user));
        uint8_t prio[4];
        put32(prio, 0x6e7f1eff);
        p = stun_attr(p, 0x0024, prio, 4);
        uint8_t tie[8];
        memcpy(tie, s->txid, 8);
        p = stun_attr(p, dir == OUT ? 0x802a : 0x8029, tie, 8);
        if (s->step > 8)
            p = stun_attr(p, 0x0025, "", 0); /* USE-CANDIDATE */
    } else {
        const struct addr *who = dir == IN ? &s->cli : &s->srv;
        p = xor_address(p, 0x0020, who, dir == IN ? s->cport : s->sport, s->txid);
    }
    uint8_t mi[20];
    rnd_bytes(mi, sizeof mi);
    put16(start + 2, (unsigned)(p - start - 20 + 24));
    p = stun_attr(p, 0x0008, mi, sizeof mi);
    return stun_finish(start, p, 1);
}

static uint8_t *server_binding(uint8_t *p, const struct session *s, int response)
{
    uint8_t *start = p;
    p = stun_header(p, response ? 0x0101 : 0x0001, s->txid);
    if (response) {
        const struct addr *pub = s->v6 ? &s->cli : &host_public4;
        p = xor_address(p, 0x0020, pub, s->cport, s->txid);
        p = stun_attr(p, 0x8022, "bench-stund 1.0", 15);
        return stun_finish(start, p, 1);
    }
    if (s->sport == 3478)
        p = stun_attr(p, 0x8022, "leakaudit-bench", 15);
    return stun_finish(start, p, s->sport == 3478);
}

static uint8_t *dtls_record(uint8_t *p, unsigned type, unsigned version, unsigned epoch, uint64_t seq,
                            const uint8_t *body, size_t n)
{
    p = put8(p, type);
    p = put16(p, version);
    p = put16(p, epoch);
    p = put16(p, (unsigned)(seq >> 32));
    p = put32(p, (uint32_t)seq);
    p = put16(p, (unsigned)n);
    return putn(p, body, n);
}

static uint8_t *dtls_hello(uint8_t *p, struct session *s, int server)
{
    uint8_t body[256], *b = body + 12;
    b = put16(b, 0xfefd);
    rnd_bytes(b, 32);
    b += 32;
    b = put8(b, 0);                   /* session id */
    if (!server) {
        b = put8(b, 0);               /* cookie */
        static const uint16_t suites[] = { 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014 };
        b = put16(b, sizeof suites);
        for (size_t i = 0; i < sizeof suites / 2; i++)
            b = put16(b, suites[i]);
        b = put8(b, 1);
        b = put8(b, 0);
    } else {
        b = put16(b, 0xc02b);
        b = put8(b, 0);
    }
    uint8_t *ext_len = b;
    b += 2;
    b = put16(b, 23); b = put16(b, 0);                               /* extended_master_secret */
    b = put16(b, 0xff01); b = put16(b, 1); b = put8(b, 0);           /* renegotiation_info */
    if (!server) {
        b = put16(b, 10); b = put16(b, 8); b = put16(b, 6);          /* supported_groups */
        b = put16(b, 29); b = put16(b, 23); b = put16(b, 24);
        b = put16(b, 11); b = put16(b, 2); b = put8(b, 1); b = put8(b, 0);
        b = put16(b, 13); b = put16(b, 6); b = put16(b, 4); b = put16(b, 0x0403); b = put16(b, 0x0804);
        b = put16(b, 14); b = put16(b, 7); b = put16(b, 4);          /* use_srtp: two profiles */
        b = put16(b, 0x0007); b = put16(b, 0x0001); b = put8(b, 0);
    } else {
        b = put16(b, 14); b = put16(b, 5); b = put16(b, 2); b = put16(b, 0x0001); b = put8(b, 0);
        b = put16(b, 11); b = put16(b, 2); b = put8(b, 1); b = put8(b, 0);
    }
    put16(ext_len, (unsigned)(b - ext_len - 2));
    size_t hs_len = (size_t)(b - body - 12);
    body[0] = server ? 2 : 1;
    put24(body + 1, (unsigned)hs_len);
    put16(body + 4, s->dtls_seq);
    put24(body + 6, 0);
    put24(body + 9, (unsigned)hs_len);
    p = dtls_record(p, 22, server ? 0xfefd : 0xfeff, 0, s->dtls_seq++, body, hs_len + 12);
    if (server) { /* ServerHelloDone in the same datagram */
        uint8_t done[12] = { 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        put16(done + 4, s->dtls_seq);
        p = dtls_record(p, 22, 0xfefd, 0, s->dtls_seq++, done, sizeof done);
    }
    return p;
}

static uint8_t *random_payload(uint8_t *p, size_t n)
{
    rnd_bytes(p, n);
    return p + n;
}

static size_t bulk_size(void)
{
    uint32_t r = rnd_below(100);
    if (r < 65)
        return rnd_range(40, 200);
    if (r < 90)
        return rnd_range(200, 600);
    return rnd_range(1200, 1400);
}

/* One TLS application-data record of n payload bytes (n >= 5) as a TLS 1.3
 * server sends it: encrypted, so random after the header. */
static uint8_t *tls_app_data(uint8_t *p, size_t n)
{
    p = put8(p, 23);
    p = put16(p, 0x0303);
    p = put16(p, (unsigned)(n - 5));
    return random_payload(p, n - 5);
}

/* A TLS 1.3 server's first flight: ServerHello (supported_versions 1.3,
 * X25519 key share), the compatibility ChangeCipherSpec, and the encrypted
 * rest of the handshake (EncryptedExtensions, Certificate, …) as one
 * application-data record, as servers send it. */
static uint8_t *tls_server_flight(uint8_t *p)
{
    uint8_t *rec = p;
    p = put8(p, 22);
    p = put16(p, 0x0303);
    p += 2;
    uint8_t *hs = p;
    p += 4;
    p = put16(p, 0x0303);
    p = random_payload(p, 32);               /* server random */
    p = put8(p, 32);
    p = random_payload(p, 32);               /* echoed session id */
    p = put16(p, 0x1301);                    /* TLS_AES_128_GCM_SHA256 */
    p = put8(p, 0);
    p = put16(p, 46);                        /* extensions */
    p = put16(p, 43);                        /* supported_versions: TLS 1.3 */
    p = put16(p, 2);
    p = put16(p, 0x0304);
    p = put16(p, 51);                        /* key_share: x25519 */
    p = put16(p, 36);
    p = put16(p, 0x001d);
    p = put16(p, 32);
    p = random_payload(p, 32);
    hs[0] = 2;
    put24(hs + 1, (unsigned)(p - hs - 4));
    put16(rec + 3, (unsigned)(p - rec - 5));
    static const uint8_t ccs[] = { 20, 0x03, 0x03, 0x00, 0x01, 0x01 };
    p = putn(p, ccs, sizeof ccs);
    return tls_app_data(p, rnd_range(900, 1100));
}

/* An HTTP/1.1 server's response head, then body bytes. */
static uint8_t *http_response(uint8_t *p, size_t body)
{
    p += sprintf((char *)p, "HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: application/octet-stream\r\n"
                            "Content-Length: %u\r\n\r\n", (unsigned)(body * 8));
    return random_payload(p, body);
}

static uint8_t *tls_client_hello(uint8_t *p, const char *sni)
{
    uint8_t *rec = p;
    p = put8(p, 22);
    p = put16(p, 0x0301);
    p += 2;                                  /* record length, below */
    uint8_t *hs = p;
    p += 4;                                  /* type + 24-bit length, below */
    p = put16(p, 0x0303);
    p = random_payload(p, 32);
    p = put8(p, 32);
    p = random_payload(p, 32);
    p = put16(p, 6);
    p = put16(p, 0x1301);
    p = put16(p, 0x1302);
    p = put16(p, 0xc02b);
    p = put8(p, 1);
    p = put8(p, 0);
    uint8_t *ext_len = p;
    p += 2;
    size_t sn = strlen(sni);
    p = put16(p, 0);                         /* server_name */
    p = put16(p, (unsigned)(5 + sn));
    p = put16(p, (unsigned)(3 + sn));
    p = put8(p, 0);
    p = put16(p, (unsigned)sn);
    p = putn(p, sni, sn);
    p = put16(p, 43);                        /* supported_versions: TLS 1.3 */
    p = put16(p, 3);
    p = put8(p, 2);
    p = put16(p, 0x0304);
    put16(ext_len, (unsigned)(p - ext_len - 2));
    hs[0] = 1;
    put24(hs + 1, (unsigned)(p - hs - 4));
    put16(rec + 3, (unsigned)(p - rec - 5));
    return p;
}

/* Emits the session's next packet into k. */
static void session_packet(struct session *s, struct pkt *k)
{
    int proto = (s->kind == K_TCP_BULK || s->kind == K_DNS_TCP || s->kind == K_DOT) ? 6 : 17;
    uint8_t *pl = k->ip + l4_offset(s->v6, proto), *p = pl;
    uint32_t i = s->step;
    int dir = OUT;
    unsigned flags = 0x10;
    uint32_t seq = 0, ack = 0;

    switch (s->kind) {
    case K_TCP_BULK:
    case K_DNS_TCP:
    case K_DOT:
        if (i == 0) {
            flags = 0x02;
        } else if (i == 1) {
            dir = IN;
            flags = 0x12;
        } else if (i == 2) {
            flags = 0x10;
        } else if (i + 3 >= s->steps) {
            uint32_t left = s->steps - i; /* 3: FIN out, 2: FIN in, 1: last ACK */
            dir = left == 2 ? IN : OUT;
            flags = left == 1 ? 0x10 : 0x11;
        } else if (i == 3) {
            flags = 0x18;
            if (s->kind == K_DNS_TCP) {
                uint8_t *len = p;
                p = dns_message(p + 2, s, 0);
                put16(len, (unsigned)(p - len - 2));
            } else if (s->kind == K_DOT || s->subtype == 0) {
                p = tls_client_hello(p, sni_list[s->txid[4] % 6]);
            } else if (s->subtype == 1) {
                p += sprintf((char *)p, "GET /%08x HTTP/1.1\r\nHost: %s\r\nUser-Agent: bench\r\n\r\n",
                             (unsigned)rnd(), sni_list[s->txid[4] % 6]);
            } else {
                p = random_payload(p, bulk_size());
            }
        } else if (s->kind == K_DNS_TCP && i == 4) {
            dir = IN;
            flags = 0x18;
            uint8_t *len = p;
            p = dns_message(p + 2, s, 1);
            put16(len, (unsigned)(p - len - 2));
        } else {
            /* The server sends; the client ACKs every other segment. A TLS
             * server answers with its first flight, then application-data
             * records; an HTTP server with a response head, then the body. */
            if (i % 3 == 2) {
                flags = 0x10;
            } else {
                dir = IN;
                flags = 0x18;
                bool tls = s->kind == K_DOT || (s->kind == K_TCP_BULK && s->subtype == 0);
                bool http = s->kind == K_TCP_BULK && s->subtype == 1;
                if (s->kind == K_DNS_TCP)
                    ;
                else if (tls && i == 4)
                    p = tls_server_flight(p);
                else if (tls)
                    p = tls_app_data(p, 5 + bulk_size());
                else if (http && i == 4)
                    p = http_response(p, bulk_size());
                else
                    p = random_payload(p, bulk_size());
            }
        }
        seq = dir == OUT ? s->cseq : s->sseq;
        ack = dir == OUT ? s->sseq : s->cseq;
        if (flags == 0x02)
            ack = 0;
        {
            uint32_t adv = (uint32_t)(p - pl) + ((flags & 0x03) ? 1 : 0);
            if (dir == OUT)
                s->cseq += adv;
            else
                s->sseq += adv;
        }
        break;
    case K_UDP_BULK:
        dir = (i % 3 == 0) ? OUT : IN;
        if (s->subtype == 0) { /* QUIC-like: long header first, then short headers */
            p = put8(p, i < 2 ? 0xc3 : 0x40 | (uint8_t)rnd_below(0x40));
            p = random_payload(p, i < 2 ? 1199 : bulk_size());
        } else {
            p = random_payload(p, s->subtype == 1 ? rnd_range(40, 160) : bulk_size());
        }
        break;
    case K_WEBRTC:
        if (i < 8) { /* ICE checks both ways, each answered */
            int pair = (int)(i / 2);
            dir = (pair % 2 == 0) == (i % 2 == 0) ? OUT : IN;
            if (i % 2 == 0)
                rnd_bytes(s->txid, sizeof s->txid);
            p = ice_check(p, s, i % 2 == 1, dir);
        } else if (i == 8) {
            p = dtls_hello(p, s, 0);
        } else if (i == 9) {
            dir = IN;
            p = dtls_hello(p, s, 1);
        } else if (i == 10 || i == 11) { /* key exchange + CCS + Finished, both ways */
            dir = i == 10 ? OUT : IN;
            uint8_t kx[80];
            rnd_bytes(kx, sizeof kx);
            kx[0] = 16;                      /* ClientKeyExchange, one whole fragment */
            put24(kx + 1, sizeof kx - 12);
            put16(kx + 4, s->dtls_seq);
            put24(kx + 6, 0);
            put24(kx + 9, sizeof kx - 12);
            p = dtls_record(p, 22, 0xfefd, 0, s->dtls_seq++, kx, sizeof kx);
            p = dtls_record(p, 20, 0xfefd, 0, s->dtls_seq++, (const uint8_t *)"\1", 1);
            rnd_bytes(kx, 40);
            p = dtls_record(p, 22, 0xfefd, 1, 0, kx, 40);
        } else if (i % 97 == 0) { /* consent freshness check */
            rnd_bytes(s->txid, sizeof s->txid);
            p = ice_check(p, s, 0, OUT);
        } else if (i % 97 == 1) {
            dir = IN;
            p = ice_check(p, s, 1, IN);
        } else if (i % 211 == 5) { /* SCTP data channel over DTLS */
            dir = rnd_below(2) ? OUT : IN;
            uint8_t app[120];
            rnd_bytes(app, sizeof app);
            p = dtls_record(p, 23, 0xfefd, 1, i, app, rnd_range(40, 120));
        } else { /* RTP (Opus or video) */
            dir = rnd_below(2) ? OUT : IN;
            p = put8(p, 0x80);
            p = put8(p, (i % 5) ? 111 : 0x80 | 96);
            p = put16(p, s->rtp_seq++);
            p = put32(p, s->rtp_ts += 960);
            p = put32(p, s->ssrc ^ (uint32_t)dir);
            p = random_payload(p, (i % 5) ? rnd_range(60, 160) : rnd_range(600, 1100));
        }
        break;
    case K_DNS:
    case K_LO_DNS:
        dir = i == 0 ? OUT : IN;
        p = dns_message(p, s, i == 1);
        break;
    case K_STUN_SERVER:
        dir = i % 2 ? IN : OUT;
        p = server_binding(p, s, i % 2);
        break;
    case K_KIND_COUNT:
        break;
    }
    k->iface = s->iface;
    k->dir = dir;
    const struct addr *src = dir == OUT ? &s->cli : &s->srv, *dst = dir == OUT ? &s->srv : &s->cli;
    uint16_t sp = dir == OUT ? s->cport : s->sport, dp = dir == OUT ? s->sport : s->cport;
    finish_ip(k, src, dst, proto, sp, dp, (size_t)(p - pl), seq, ack, flags);
    s->step++;
    packets_by_kind[s->kind]++;
    packets_v6 += s->v6;
}

/* The packet wg0 carried, as WireGuard transport on eth0 (same direction). */
static void wireguard_of(const struct pkt *inner, struct pkt *k)
{
    int v6 = 0;
    uint8_t *pl = k->ip + l4_offset(v6, 17), *p = pl;
    size_t padded = ((size_t)inner->len + 15) & ~(size_t)15;
    if (padded + 32 + 28 > MAX_PKT)
        padded = MAX_PKT - 32 - 28 - 16;
    p = put32(p, 0x04000000u);
    le32(p, 0x1badcafe);
    p += 4;
    le32(p, (uint32_t)wg_counter);
    le32(p + 4, (uint32_t)(wg_counter >> 32));
    wg_counter++;
    p += 8;
    p = random_payload(p, padded + 16);
    k->iface = IF_ETH0;
    k->dir = inner->dir;
    if (inner->dir == OUT)
        finish_ip(k, &host_eth4, &vpn_endpoint, 17, 51820, 51820, (size_t)(p - pl), 0, 0, 0);
    else
        finish_ip(k, &vpn_endpoint, &host_eth4, 17, 51820, 51820, (size_t)(p - pl), 0, 0, 0);
    packets_by_kind[K_KIND_COUNT]++;
}

/* ---- writers ---- */
struct writers {
    FILE *eth, *sll2, *ng;
    uint64_t bytes_eth, bytes_sll2, bytes_ng;
};

static const uint8_t mac_host[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x0a };
static const uint8_t mac_router[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
static const uint32_t sll2_ifindex[IF_COUNT] = { 2, 3, 1 };
static const uint16_t sll2_hatype[IF_COUNT] = { 1 /* ETHER */, 0xfffe /* NONE */, 772 /* LOOPBACK */ };
/* pcapng interface ids: eth0 0 (EN10MB), wg0 1 (RAW), lo 2 (EN10MB, zero MACs). */

static void write_pcap_header(FILE *f, uint32_t linktype)
{
    uint8_t h[24];
    le32(h, 0xa1b2c3d4u);
    le16(h + 4, 2);
    le16(h + 6, 4);
    le32(h + 8, 0);
    le32(h + 12, 0);
    le32(h + 16, 262144);
    le32(h + 20, linktype);
    fwrite(h, 1, sizeof h, f);
}

static void pcapng_option(uint8_t **p, unsigned code, const void *v, size_t n)
{
    le16(*p, code);
    le16(*p + 2, (unsigned)n);
    memcpy(*p + 4, v, n);
    size_t padded = (n + 3) & ~(size_t)3;
    memset(*p + 4 + n, 0, padded - n);
    *p += 4 + padded;
}

static void write_pcapng_header(FILE *f)
{
    uint8_t b[256], *p;
    /* Section header */
    p = b + 8;
    le32(p, 0x1a2b3c4d); le16(p + 4, 1); le16(p + 6, 0);
    le32(p + 8, 0xffffffffu); le32(p + 12, 0xffffffffu);
    p += 16;
    pcapng_option(&p, 4, "leakaudit bench/gen.c", 21); /* shb_userappl */
    le32(p, 0); p += 4;
    le32(b, 0x0a0d0d0a);
    le32(b + 4, (uint32_t)(p - b + 4));
    le32(p, (uint32_t)(p - b + 4));
    p += 4;
    fwrite(b, 1, (size_t)(p - b), f);
    static const char *const names[IF_COUNT] = { "eth0", "wg0", "lo" };
    static const uint16_t links[IF_COUNT] = { 1, 101, 1 };
    for (int i = 0; i < IF_COUNT; i++) {
        p = b + 8;
        le16(p, links[i]); le16(p + 2, 0); le32(p + 4, 262144);
        p += 8;
        pcapng_option(&p, 2, names[i], strlen(names[i]));
        le32(p, 0); p += 4;
        le32(b, 1);
        le32(b + 4, (uint32_t)(p - b + 4));
        le32(p, (uint32_t)(p - b + 4));
        p += 4;
        fwrite(b, 1, (size_t)(p - b), f);
    }
}

static void write_packet(struct writers *w, const struct pkt *k, uint64_t ts_us)
{
    uint8_t frame[MAX_PKT + 64];
    int v6 = (k->ip[0] >> 4) == 6;
    uint16_t ethertype = v6 ? 0x86dd : 0x0800;
    uint32_t sec = (uint32_t)(ts_us / 1000000), usec = (uint32_t)(ts_us % 1000000);
    uint8_t rec[16];
    /* Ethernet: every interface as an Ethernet frame (a mirror port's view). */
    if (w->eth) {
        uint8_t *e = frame;
        if (k->iface == IF_LO) {
            memset(e, 0, 12);
        } else {
            memcpy(e, k->dir == OUT ? mac_router : mac_host, 6);
            memcpy(e + 6, k->dir == OUT ? mac_host : mac_router, 6);
        }
        put16(e + 12, ethertype);
        memcpy(e + 14, k->ip, k->len);
        uint32_t n = 14u + k->len;
        le32(rec, sec); le32(rec + 4, usec); le32(rec + 8, n); le32(rec + 12, n);
        fwrite(rec, 1, 16, w->eth);
        fwrite(frame, 1, n, w->eth);
        w->bytes_eth += 16 + n;
    }
    if (w->sll2) {
        uint8_t *h = frame;
        put16(h, ethertype);
        put16(h + 2, 0);
        put32(h + 4, sll2_ifindex[k->iface]);
        put16(h + 8, sll2_hatype[k->iface]);
        h[10] = k->dir == OUT ? 4 : 0; /* PACKET_OUTGOING / PACKET_HOST */
        h[11] = k->iface == IF_WG0 ? 0 : 6;
        memset(h + 12, 0, 8);
        if (k->iface == IF_ETH0)
            memcpy(h + 12, k->dir == OUT ? mac_host : mac_router, 6);
        memcpy(h + 20, k->ip, k->len);
        uint32_t n = 20u + k->len;
        le32(rec, sec); le32(rec + 4, usec); le32(rec + 8, n); le32(rec + 12, n);
        fwrite(rec, 1, 16, w->sll2);
        fwrite(frame, 1, n, w->sll2);
        w->bytes_sll2 += 16 + n;
    }
    if (w->ng) {
        uint8_t *d = frame + 28;
        uint32_t n;
        if (k->iface == IF_WG0) {
            memcpy(d, k->ip, k->len);
            n = k->len;
        } else {
            if (k->iface == IF_LO) {
                memset(d, 0, 12);
            } else {
                memcpy(d, k->dir == OUT ? mac_router : mac_host, 6);
                memcpy(d + 6, k->dir == OUT ? mac_host : mac_router, 6);
            }
            put16(d + 12, ethertype);
            memcpy(d + 14, k->ip, k->len);
            n = 14u + k->len;
        }
        uint32_t padded = (n + 3) & ~3u;
        memset(d + n, 0, padded - n);
        uint8_t *p = d + padded;
        uint32_t flags = k->dir == OUT ? 2 : 1; /* epb_flags: direction bits */
        pcapng_option(&p, 2, &flags, 4);
        le32(p, 0);
        p += 4;
        uint32_t total = (uint32_t)(p - frame) + 4;
        le32(frame, 6);
        le32(frame + 4, total);
        le32(frame + 8, (uint32_t)k->iface);
        uint64_t ts = ts_us;
        le32(frame + 12, (uint32_t)(ts >> 32));
        le32(frame + 16, (uint32_t)ts);
        le32(frame + 20, n);
        le32(frame + 24, n);
        le32(p, total);
        fwrite(frame, 1, total, w->ng);
        w->bytes_ng += total;
    }
}

static FILE *open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return NULL;
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s NPACKETS ETH.pcap SLL2.pcap MULTI.pcapng  (\"-\" skips one)\n", argv[0]);
        return 2;
    }
    uint64_t want = strtoull(argv[1], NULL, 10);
    crc_init();
    host_eth4 = a4(198, 51, 100, 10);
    host_eth6 = a6(0x2001, 0x0db8, 0x0001, 0x10);
    host_wg4 = a4(10, 64, 0, 2);
    host_wg6 = a6(0xfd00, 0, 0, 2);
    host_public4 = a4(81, 2, 69, 160);
    vpn_endpoint = a4(192, 0, 2, 1);
    lan_router4 = a4(198, 51, 100, 1);
    lan_router6 = a6(0x2001, 0x0db8, 0x0001, 0x1);

    struct writers w = { open_out(argv[2]), open_out(argv[3]), open_out(argv[4]), 0, 0, 0 };
    if (w.eth)
        write_pcap_header(w.eth, 1);
    if (w.sll2)
        write_pcap_header(w.sll2, 276);
    if (w.ng)
        write_pcapng_header(w.ng);

    for (int i = 0; i < POOL; i++)
        session_start(&pool[i]);
    /* Warm up unwritten, so the pool holds its steady mix of long and short
     * sessions from the first packet on: a short file (the 200 k-packet one
     * callgrind reads) then has the same mix as a long one. */
    static struct pkt k, wg;
    for (uint64_t i = 0; i < (uint64_t)POOL * 300; i++) {
        struct session *s = &pool[rnd_below(POOL)];
        session_packet(s, &k);
        if (s->step >= s->steps)
            session_start(s);
    }
    memset(packets_by_kind, 0, sizeof packets_by_kind);
    packets_v6 = 0;
    uint64_t ts_us = (uint64_t)T0 * 1000000u, written = 0;
    while (written < want) {
        struct session *s = &pool[rnd_below(POOL)];
        session_packet(s, &k);
        ts_us += rnd_range(10, 150);
        write_packet(&w, &k, ts_us);
        written++;
        if (k.iface == IF_WG0 && written < want) {
            wireguard_of(&k, &wg);
            write_packet(&w, &wg, ts_us + 3);
            written++;
        }
        if (s->step >= s->steps)
            session_start(s);
    }
    FILE *outs[] = { w.eth, w.sll2, w.ng };
    for (int i = 0; i < 3; i++)
        if (outs[i] && fclose(outs[i]) != 0) {
            perror("write");
            return 2;
        }
    printf("packets %llu, IPv6 %.1f%%, span %.1f s\n", (unsigned long long)written, 100.0 * (double)packets_v6 / (double)written,
           (double)(ts_us - (uint64_t)T0 * 1000000u) / 1e6);
    for (int i = 0; i <= K_KIND_COUNT; i++)
        printf("  %-14s %5.1f%%\n", i < K_KIND_COUNT ? kind_names[i] : "wireguard", 100.0 * (double)packets_by_kind[i] / (double)written);
    return 0;
}
