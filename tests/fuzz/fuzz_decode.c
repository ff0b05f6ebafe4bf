/* fuzz_decode.c — the link/IP/transport decoder: the first byte picks a link type. */
#include <stddef.h>
#include <stdint.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int linktypes[] = { 0, 1, 9, 12, 50, 101, 108, 113, 228, 229, 239, 276 };
    if (size < 1)
        return 0;
    struct frame f = { 0 };
    f.linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    f.data = data + 1;
    f.caplen = f.wirelen = (uint32_t)(size - 1);
    struct packet p;
    decode_frame(&f, &p);
    return 0;
}
