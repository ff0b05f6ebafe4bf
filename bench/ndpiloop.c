/* ndpiloop.c — what nDPI alone costs on a capture: the cheapest loop that
 * gives every flow the label leakaudit gives it (issue 10's "GHashTable +
 * nDPI-until-classified loop").
 *
 * libpcap reads each packet; the loop finds the IP header (Ethernet with
 * VLAN tags, Linux cooked v1/v2, raw IP), looks the 5-tuple up in one
 * GHashTable and hands the packet to ndpi_detection_process_packet until the
 * flow is classified, with leakaudit's stop rule (src/dpi.c, ndpiReader's):
 * stop once the app is known and nDPI wants no more
 * (ndpi_extra_dissection_possible), or when the packet count passes the
 * budget (TCP 32, UDP and others 24; src/dpi.h), giving up with a guess.
 * Nothing else: no dissectors, no verdicts, no output, and no flow expiry
 * (every flow stays until the end, which only helps the loop: no eviction
 * work). The gap between this loop and `leakaudit -r` is what leakaudit adds;
 * this loop against the bare loop (bareloop.c) is nDPI's own price.
 *
 * Owns: nothing but the loop. Prints "PACKETS FLOWS NDPI_CALLS".
 * usage: ndpiloop FILE
 */
#include <glib.h>
#include <ndpi_api.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BUDGET_TCP = 32, BUDGET_OTHER = 24 };

struct key {
    uint8_t family, proto;
    uint16_t port_lo, port_hi;
    uint8_t addr_lo[16], addr_hi[16];
    uint8_t pad[2];
};

struct flow {
    struct key key;
    uint32_t packets;
    int done;
    struct ndpi_flow_struct *nf;
};

static guint key_hash(gconstpointer k)
{
    const uint8_t *b = k;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof(struct key); i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return (guint)(h ^ (h >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(struct key)) == 0; }

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The offset of the IP header in a frame of this link type, or -1. */
static long ip_offset(int linktype, const uint8_t *d, uint32_t len)
{
    long off;
    uint16_t type;
    switch (linktype) {
    case DLT_EN10MB:
        if (len < 14)
            return -1;
        off = 14;
        type = be16(d + 12);
        while ((type == 0x8100 || type == 0x88a8) && (uint32_t)off + 4 <= len) {
            type = be16(d + off + 2);
            off += 4;
        }
        break;
    case DLT_LINUX_SLL:
        if (len < 16)
            return -1;
        off = 16;
        type = be16(d + 14);
        break;
    case DLT_LINUX_SLL2:
        if (len < 20)
            return -1;
        off = 20;
        type = be16(d);
        break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return 0;
    default:
        return -1;
    }
    return type == 0x0800 || type == 0x86dd ? off : -1;
}

/* The flow key of an IP packet (ports only when not a later fragment). */
static int key_of(const uint8_t *ip, uint32_t len, struct key *k)
{
    memset(k, 0, sizeof *k);
    uint8_t a[16] = { 0 }, b[16] = { 0 };
    size_t alen, l4;
    uint16_t sp = 0, dp = 0;
    if (len >= 20 && ip[0] >> 4 == 4) {
        k->family = 4;
        k->proto = ip[9];
        alen = 4;
        memcpy(a, ip + 12, 4);
        memcpy(b, ip + 16, 4);
        l4 = (size_t)(ip[0] & 15) * 4;
        if ((be16(ip + 6) & 0x1fff) != 0)
            l4 = len; /* a later fragment: no ports */
    } else if (len >= 40 && ip[0] >> 4 == 6) {
        k->family = 6;
        k->proto = ip[6];
        alen = 16;
        memcpy(a, ip + 8, 16);
        memcpy(b, ip + 24, 16);
        l4 = 40;
    } else {
        return -1;
    }
    if ((k->proto == 6 || k->proto == 17) && l4 + 4 <= len) {
        sp = be16(ip + l4);
        dp = be16(ip + l4 + 2);
    }
    int a_first = memcmp(a, b, alen) < 0 || (memcmp(a, b, alen) == 0 && sp <= dp);
    memcpy(k->addr_lo, a_first ? a : b, alen);
    memcpy(k->addr_hi, a_first ? b : a, alen);
    k->port_lo = a_first ? sp : dp;
    k->port_hi = a_first ? dp : sp;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ndpiloop FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "ndpiloop: %s\n", err);
        return 2;
    }
    int linktype = pcap_datalink(p);
    struct ndpi_detection_module_struct *mod = ndpi_init_detection_module(ndpi_no_prefs);
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(mod, &all);
    ndpi_finalize_initialization(mod);
    size_t nf_size = ndpi_detection_get_sizeof_ndpi_flow_struct();
    GHashTable *flows = g_hash_table_new(key_hash, key_equal);
    uint64_t packets = 0, calls = 0;
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        packets++;
        long off = ip_offset(linktype, d, h->caplen);
        if (off < 0)
            continue;
        const uint8_t *ip = d + off;
        uint32_t len = h->caplen - (uint32_t)off;
        struct key k;
        if (key_of(ip, len, &k) != 0)
            continue;
        struct flow *f = g_hash_table_lookup(flows, &k);
        if (!f) {
            f = g_new0(struct flow, 1);
            f->key = k;
            f->nf = g_malloc0(nf_size);
            g_hash_table_insert(flows, &f->key, f);
        }
        if (f->done)
            continue;
        uint64_t ms = (uint64_t)h->ts.tv_sec * 1000 + (uint64_t)h->ts.tv_usec / 1000;
        ndpi_protocol proto = ndpi_detection_process_packet(mod, f->nf, ip, (unsigned short)(len > 65535 ? 65535 : len), ms);
        calls++;
        f->packets++;
        uint32_t budget = k.proto == 6 ? BUDGET_TCP : BUDGET_OTHER;
        if (f->packets > budget) {
            uint8_t guessed = 0;
            if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN)
                ndpi_detection_giveup(mod, f->nf, 1, &guessed);
            f->done = 1;
        } else if (proto.app_protocol != NDPI_PROTOCOL_UNKNOWN && !ndpi_extra_dissection_possible(mod, f->nf)) {
            f->done = 1;
        }
        if (f->done) {
            ndpi_free_flow_data(f->nf);
            g_free(f->nf);
            f->nf = NULL;
        }
    }
    if (rc == PCAP_ERROR) { /* e.g. a pcapng whose interfaces mix link types, which libpcap 1.10 refuses */
        fprintf(stderr, "ndpiloop: %s: %s\n", argv[1], pcap_geterr(p));
        return 2;
    }
    /* The flows still unfinished get nDPI's last word, as at leakaudit's end. */
    GHashTableIter it;
    gpointer kp, vp;
    g_hash_table_iter_init(&it, flows);
    while (g_hash_table_iter_next(&it, &kp, &vp)) {
        struct flow *f = vp;
        if (f->nf) {
            uint8_t guessed = 0;
            ndpi_detection_giveup(mod, f->nf, 1, &guessed);
            ndpi_free_flow_data(f->nf);
            g_free(f->nf);
        }
        g_free(f);
    }
    printf("%llu %u %llu\n", (unsigned long long)packets, g_hash_table_size(flows), (unsigned long long)calls);
    g_hash_table_destroy(flows);
    ndpi_exit_detection_module(mod);
    pcap_close(p);
    return 0;
}
