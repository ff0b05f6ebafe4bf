/* bareloop.c — the practical limit: libpcap reads every packet of a saved
 * capture and touches nothing but its length (pcap_next_ex, as in issue 10).
 *
 * libpcap 1.10 reads pcapng too, but only while every interface has the
 * first one's link type: it refuses the multi-interface benchmark file
 * (Ethernet eth0/lo beside raw-IP wg0). For such a file the limit is a bare
 * block loop doing what libpcap's pcapng reader does per packet (stdio
 * fread of the block header, then of the block body, through the same 4 KiB
 * default buffer) and nothing more; stderr says which loop ran.
 *
 * Owns: nothing but the loop. Prints "PACKETS BYTES" (block or record bytes).
 * usage: bareloop FILE
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept out of line so callgrind's --toggle-collect can count just the loop. */
__attribute__((noinline)) static uint64_t read_all(pcap_t *p, uint64_t *bytes)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t n = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        n++;
        *bytes += h->caplen;
    }
    return n;
}

/* pcapng blocks: 32-bit type, 32-bit total length, body, length again. */
__attribute__((noinline)) static uint64_t read_blocks(FILE *f, uint64_t *bytes)
{
    static uint8_t body[1 << 18];
    uint32_t head[2];
    uint64_t n = 0;
    while (fread(head, sizeof head, 1, f) == 1) {
        uint32_t type = head[0], len = head[1];
        if (type == 0x0a0d0d0a && len == 0x0a0d0d0a) /* SHB: its length follows the byte-order magic */
            break;
        if (len < 12 || len - 8 > sizeof body || fread(body, len - 8, 1, f) != 1)
            break;
        if (type == 6 || type == 3 || type == 2) { /* EPB, SPB, PB */
            n++;
            *bytes += len;
        }
    }
    return n;
}

static int bare_pcapng(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 2;
    }
    uint32_t head[2];
    if (fread(head, sizeof head, 1, f) != 1 || head[0] != 0x0a0d0d0a || fseek(f, head[1] - 8, SEEK_CUR) != 0) {
        fprintf(stderr, "bareloop: %s: not a little-endian pcapng file\n", path);
        fclose(f);
        return 2;
    }
    uint64_t bytes = 0;
    uint64_t n = read_blocks(f, &bytes);
    fclose(f);
    fprintf(stderr, "bareloop: libpcap refuses this file's mixed link types; ran the bare pcapng block loop\n");
    printf("%llu %llu\n", (unsigned long long)n, (unsigned long long)bytes);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "bareloop: %s\n", errbuf);
        return 2;
    }
    uint64_t bytes = 0;
    uint64_t n = read_all(p, &bytes);
    if (n == 0 && strstr(pcap_geterr(p), "different from the type of the first interface")) {
        pcap_close(p);
        return bare_pcapng(argv[1]);
    }
    pcap_close(p);
    printf("%llu %llu\n", (unsigned long long)n, (unsigned long long)bytes);
    return 0;
}
