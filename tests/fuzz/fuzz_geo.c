/* fuzz_geo.c — libFuzzer entry for geo/: file bytes → geo_open_file (the
 * structural check, as for a named --geoip path), then lookups and output of whatever opened. The bytes
 * go to a memfd because libmaxminddb opens files by name. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "geo.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.mmdb", 0);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    GError *err = NULL;
    /* A small cache: zeroing the default 4096 slots per input was 3/4 of the run. */
    const char *const paths[] = { path, NULL };
    const struct geo_config cfg = { .paths = paths, .cache_cap = 8 };
    struct geo *g = geo_open(&cfg, &err);
    if (g) {
        static const char *const probes[] = { "1.2.3.4", "203.0.113.2", "2001:db8:1::10", "81.2.69.160",
                                              "2001:218::1", "::ffff:8.8.8.8" };
        GString *out = g_string_new(NULL);
        for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
            struct ip_addr a;
            if (!addr_parse(&a, probes[i]))
                continue;
            const struct geo_info *gi = geo_lookup(g, &a);
            geo_describe(gi, out);
            struct json_writer w;
            json_begin(&w, out);
            json_object_begin(&w, NULL);
            geo_json_write_object(&w, "destination", gi);
            json_object_end(&w);
        }
        g_string_free(out, TRUE);
        geo_free(g);
    }
    g_clear_error(&err);
    close(fd);
    return 0;
}
