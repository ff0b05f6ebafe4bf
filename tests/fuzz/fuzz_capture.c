/* fuzz_capture.c — the whole pipeline from capture-file bytes (pcap or pcapng)
 * to alerts: source → decode → flow → dissect → dpi → verdict. One nDPI module
 * serves every input (made on the first, never freed): building it costs
 * ~0.1 s, which would otherwise be the whole run. Each input still gets its own
 * audit, flow table and nDPI flow state, all freed at its end. */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "dpi.h"
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
    static struct dpi *dpi;
    if (!dpi && !(dpi = dpi_new(&err))) {
        g_clear_error(&err);
        return 0;
    }
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.max_flows = 64;
    cfg.shared_dpi = dpi;
    struct audit *a = audit_new(&cfg, NULL);
    struct frame f;
    for (int n = 0; n < 10000 && source_next(src, &f, &err) == SOURCE_FRAME; n++)
        audit_frame(a, &f, f.iface_name);
    g_clear_error(&err);
    audit_finish(a);
    audit_free(a);
    source_close(src);
    return 0;
}
