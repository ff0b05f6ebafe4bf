/* fuzz_decode.c — the link/IP/transport decoder: the first byte picks one of
 * the supported link types, the rest is the frame. The frame is copied to an
 * exact-size buffer so ASan sees any read past it; the decoded cursors must
 * stay inside it, and decode_frame (with its fast path) must decode it
 * exactly as decode_frame_general does (abort otherwise). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "packet_same.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* keep in step with test_decode.c's regression replay */
    static const int linktypes[] = { 0, 1, 9, 12, 50, 101, 108, 113, 228, 229, 239, 258, 276 };
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *frame_bytes = malloc(len ? len : 1);
    if (!frame_bytes)
        return 0;
    memcpy(frame_bytes, data + 1, len);
    struct frame f = { 0 };
    f.linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    f.data = frame_bytes;
    f.caplen = f.wirelen = (uint32_t)len;
    struct packet p;
    enum decode_status st = decode_frame(&f, &p);
    struct packet general;
    if (decode_frame_general(&f, &general) != st || packet_difference(&p, &general))
        abort();
    if (st == DECODE_OK || st == DECODE_FRAGMENT) {
        /* touch every byte the decoder hands on */
        volatile uint8_t sink = 0;
        struct cursor l3 = p.l3, payload = p.payload;
        while (cursor_left(&l3))
            sink ^= cursor_u8(&l3);
        while (cursor_left(&payload))
            sink ^= cursor_u8(&payload);
        (void)sink;
    }
    free(frame_bytes);
    return 0;
}
