/* fuzz_pcapng.c — the capture-file readers alone (pcapng block reader, and
 * classic pcap through libpcap): every frame must stay inside its block. */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *err = NULL;
    struct capture_source *src = source_open_memory(data, size, &err);
    if (!src) {
        g_clear_error(&err);
        return 0;
    }
    struct frame f;
    uint64_t sum = 0;
    while (source_next(src, &f, &err) == SOURCE_FRAME)
        for (uint32_t i = 0; i < f.caplen; i++)
            sum += f.data[i]; /* touches every byte: ASan catches a frame past its block */
    (void)sum;
    for (unsigned i = 0; i < source_iface_count(src); i++)
        (void)source_iface_get(src, (int)i);
    g_clear_error(&err);
    source_close(src);
    return 0;
}
