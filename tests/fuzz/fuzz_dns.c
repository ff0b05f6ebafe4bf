/* fuzz_dns.c — libFuzzer/AFL++ entry for the dns dissector. */
#include <stddef.h>
#include <stdint.h>

#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct dissect_hint hints[] = {
        { TRANSPORT_UDP, 40000, 3478, false }, { TRANSPORT_UDP, 53, 5353, false }, { TRANSPORT_TCP, 40000, 53, true },
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        struct cursor c = cursor_make(data, size);
        struct dns_message m;
        dns_dissect(&c, &hints[i], &m);
    }
    return 0;
}
