/* fuzz_pcapng.c — the capture-file readers alone (our pcapng block reader, and
 * classic pcap through libpcap) via source_open_memory: every frame must lie
 * inside the input, errors must be clean and final. Seeds: the bundled samples. */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy: ASan then sees a frame running past the input */
    uint8_t *copy = g_memdup2(data, size);
    GError *err = NULL;
    struct capture_source *src = source_open_memory(copy, size, &err);
    if (!src) {
        if (!err)
            __builtin_trap(); /* a failed open always says why */
        g_clear_error(&err);
        g_free(copy);
        return 0;
    }
    struct frame f;
    uint64_t sum = 0;
    enum source_status st;
    while ((st = source_next(src, &f, &err)) == SOURCE_FRAME) {
        for (uint32_t i = 0; i < f.caplen; i++)
            sum += f.data[i]; /* touches every byte */
        if (f.iface_name)
            sum += strlen(f.iface_name);
        if (f.comment)
            sum += strlen(f.comment);
        if (!source_iface_get(src, f.iface))
            __builtin_trap(); /* a frame names an interface the source knows */
    }
    if ((st == SOURCE_ERROR) != (err != NULL))
        __builtin_trap();
    g_clear_error(&err);
    (void)sum;
    for (unsigned i = 0; i < source_iface_count(src); i++)
        (void)source_iface_get(src, (int)i);
    if (source_bytes_read(src) > source_bytes_total(src))
        __builtin_trap();
    source_close(src);
    g_free(copy);
    return 0;
}
