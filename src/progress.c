/* progress.c — see progress.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define PROGRESS_REDRAW_NS 200000000ull
#define PROGRESS_CHECK_EVERY 1024u

struct progress {
    FILE *out;
    uint64_t total;
    uint64_t start_ns, last_draw_ns;
    unsigned calls;
    bool drawn;
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct progress *progress_new(FILE *out, uint64_t total_bytes)
{
    if (!out || total_bytes < PROGRESS_MIN_BYTES || !isatty(fileno(out)))
        return NULL;
    struct progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->out = out;
    p->total = total_bytes;
    p->start_ns = monotonic_ns();
    return p;
}

void progress_format(char *buf, size_t len, uint64_t bytes_read, uint64_t total, uint64_t packets,
                     double seconds, uint64_t alerts)
{
    double pct = total ? 100.0 * (double)(bytes_read > total ? total : bytes_read) / (double)total : 0.0;
    double rate = seconds > 0.001 ? (double)packets / seconds : 0.0;
    snprintf(buf, len, "leakaudit: %5.1f%% %" PRIu64 " packets %.0f pkt/s %" PRIu64 " alert%s", pct, packets,
             rate, alerts, alerts == 1 ? "" : "s");
}

static void draw(struct progress *p, uint64_t now, uint64_t bytes_read, uint64_t packets, uint64_t alerts)
{
    char line[160];
    progress_format(line, sizeof line, bytes_read, p->total, packets, (double)(now - p->start_ns) / 1e9, alerts);
    /* Erase to the end, then park the cursor at column 0: an alert printed to
     * the same terminal overwrites the line instead of trailing after it. */
    fprintf(p->out, "\r%s\033[K\r", line);
    fflush(p->out);
    p->last_draw_ns = now;
    p->drawn = true;
}

void progress_tick(struct progress *p, uint64_t bytes_read, uint64_t packets, uint64_t alerts)
{
    if (!p || ++p->calls % PROGRESS_CHECK_EVERY != 1)
        return;
    uint64_t now = monotonic_ns();
    if (!p->drawn || now - p->last_draw_ns >= PROGRESS_REDRAW_NS)
        draw(p, now, bytes_read, packets, alerts);
}

void progress_end(struct progress *p, uint64_t bytes_read, uint64_t packets, uint64_t alerts)
{
    if (!p)
        return;
    draw(p, monotonic_ns(), bytes_read, packets, alerts);
    fputs("\r\033[K", p->out);
    fflush(p->out);
}

void progress_free(struct progress *p)
{
    free(p);
}
