/* test_pcap_reader.c — source_pcap.c reads the common classic pcap (2.4,
 * this host's byte order) itself instead of through libpcap; here every
 * frame it hands out is compared with what libpcap's pcap_next_ex gives for
 * the same bytes (timestamps in ns, lengths, link type, data), on the
 * repository's samples and on files built here that exercise the corners
 * (ns and µs, LINKTYPE_RAW → DLT_RAW, records longer than the snapshot,
 * snapshot 0), and truncation at every byte gives "truncated at frame N". */
#include <glib.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "source.h"
#include "testutil.h"

static void put32le(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    g_byte_array_append(b, x, 4);
}

static void put16le(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    g_byte_array_append(b, x, 2);
}

/* A little-endian pcap: magic, snaplen and link type as given; records of
 * the given captured lengths (bytes i*7+k), wire length = captured + 4. */
static GByteArray *build(uint32_t magic, uint32_t snaplen, uint32_t linktype, const uint32_t *caplens, size_t n)
{
    GByteArray *b = g_byte_array_new();
    put32le(b, magic);
    put16le(b, 2);
    put16le(b, 4);
    put32le(b, 0);
    put32le(b, 0);
    put32le(b, snaplen);
    put32le(b, linktype);
    for (size_t i = 0; i < n; i++) {
        put32le(b, 1764000000u + (uint32_t)i);
        put32le(b, (uint32_t)(i * 123457u % 1000000u));
        put32le(b, caplens[i]);
        put32le(b, caplens[i] + 4);
        for (uint32_t k = 0; k < caplens[i]; k++) {
            uint8_t v = (uint8_t)(i * 7 + k);
            g_byte_array_append(b, &v, 1);
        }
    }
    return b;
}

/* Reads `bytes` through leakaudit's source and through libpcap (from the
 * same bytes, nanosecond precision) and requires the same frames. */
static void compare_with_libpcap(const uint8_t *bytes, size_t len, const char *what)
{
    GError *err = NULL;
    struct capture_source *src = source_open_memory(bytes, len, &err);
    g_assert_no_error(err);
    FILE *fp = fmemopen((void *)bytes, len, "rb");
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    g_assert_nonnull(p);
    g_assert_cmpint(source_iface_get(src, 0)->linktype, ==, pcap_datalink(p));
    g_assert_cmpuint(source_iface_get(src, 0)->snaplen, ==, (unsigned)pcap_snapshot(p));
    unsigned frames = 0;
    for (;;) {
        struct frame f;
        enum source_status st = source_next(src, &f, &err);
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(p, &h, &data);
        if (rc != 1) {
            g_assert_cmpint(st, ==, SOURCE_EOF);
            g_assert_cmpint(rc, ==, PCAP_ERROR_BREAK);
            break;
        }
        g_assert_cmpint(st, ==, SOURCE_FRAME);
        frames++;
        g_assert_cmpuint(f.number, ==, frames);
        g_assert_cmpuint(f.ts_ns, ==, (uint64_t)(uint32_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec);
        g_assert_cmpuint(f.caplen, ==, h->caplen);
        g_assert_cmpuint(f.wirelen, ==, h->len);
        g_assert_cmpint(f.linktype, ==, pcap_datalink(p));
        g_assert_true(memcmp(f.data, data, h->caplen) == 0);
    }
    g_test_message("%s: %u frames agree", what, frames);
    g_assert_cmpuint(frames, >, 0);
    pcap_close(p);
    source_close(src);
}

static void test_built_files(void)
{
    const uint32_t lens[] = { 60, 0, 1, 200, 1514, 99, 65535 };
    struct {
        uint32_t magic, snaplen, linktype;
        const char *what;
    } cases[] = {
        { 0xa1b2c3d4, 65535, 1, "us Ethernet" },
        { 0xa1b23c4d, 262144, 276, "ns SLL2" },
        { 0xa1b2c3d4, 100, 101, "LINKTYPE_RAW, records past a 100-byte snapshot" },
        { 0xa1b2c3d4, 0, 1, "snapshot 0" },
        { 0xa1b2c3d4, 1000000, 113, "snapshot past the maximum" },
        { 0xa1b2c3d4, 65535, 1u | 0x14000000u, "FCS bits in the link type" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = build(cases[i].magic, cases[i].snaplen, cases[i].linktype, lens, G_N_ELEMENTS(lens));
        compare_with_libpcap(b->data, b->len, cases[i].what);
        g_byte_array_free(b, TRUE);
    }
}

static void test_samples(void)
{
    const char *names[] = { "samples/dns-leak-any.pcap", "samples/no-vpn.pcap", "samples/vpn-underlay-eth0.pcap" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *path = test_repo_path(names[i]);
        gchar *bytes;
        gsize len;
        g_assert_true(g_file_get_contents(path, &bytes, &len, NULL));
        compare_with_libpcap((const uint8_t *)bytes, len, names[i]);
        g_free(bytes);
        g_free(path);
    }
}

/* Every prefix, from an exact-size allocation (ASan sees any over-read). */
static void test_truncation(void)
{
    const uint32_t lens[] = { 42, 7, 300 };
    GByteArray *b = build(0xa1b2c3d4, 65535, 1, lens, G_N_ELEMENTS(lens));
    const size_t ends[] = { 24 + 16 + 42, 24 + 16 + 42 + 16 + 7, 24 + 16 + 42 + 16 + 7 + 16 + 300 };
    g_assert_cmpuint(b->len, ==, ends[2]);
    for (size_t cut = 24; cut <= b->len; cut++) {
        uint8_t *prefix = g_memdup2(b->data, cut);
        GError *err = NULL;
        struct capture_source *src = source_open_memory(prefix, cut, &err);
        g_assert_no_error(err);
        unsigned fit = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(ends); i++)
            fit += ends[i] <= cut;
        struct frame f;
        enum source_status st;
        unsigned got = 0;
        while ((st = source_next(src, &f, &err)) == SOURCE_FRAME) {
            g_assert_cmpuint(f.caplen, ==, lens[got]);
            got++;
        }
        g_assert_cmpuint(got, ==, fit);
        bool at_boundary = cut == 24 || cut == ends[0] || cut == ends[1] || cut == ends[2];
        if (at_boundary) {
            g_assert_cmpint(st, ==, SOURCE_EOF);
        } else {
            g_assert_cmpint(st, ==, SOURCE_ERROR);
            gchar *want = g_strdup_printf("truncated at frame %u (byte offset ", fit + 1);
            g_assert_nonnull(strstr(err->message, want));
            g_free(want);
            g_clear_error(&err);
        }
        source_close(src);
        g_free(prefix);
    }
    g_byte_array_free(b, TRUE);
}

static void test_oversized_record(void)
{
    const uint32_t lens[] = { 10 };
    GByteArray *b = build(0xa1b2c3d4, 65535, 1, lens, 1);
    b->data[24 + 8] = 0x01; /* captured length 0x00040001 + ... : past 262144 */
    b->data[24 + 10] = 0x05;
    GError *err = NULL;
    struct capture_source *src = source_open_memory(b->data, b->len, &err);
    g_assert_no_error(err);
    struct frame f;
    g_assert_cmpint(source_next(src, &f, &err), ==, SOURCE_ERROR);
    g_assert_nonnull(strstr(err->message, "unreadable record at frame 1"));
    g_assert_nonnull(strstr(err->message, "bigger than maximum of 262144"));
    g_clear_error(&err);
    source_close(src);
    g_byte_array_free(b, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pcap-reader/built-files-like-libpcap", test_built_files);
    g_test_add_func("/pcap-reader/samples-like-libpcap", test_samples);
    g_test_add_func("/pcap-reader/truncation", test_truncation);
    g_test_add_func("/pcap-reader/oversized-record", test_oversized_record);
    return g_test_run();
}
