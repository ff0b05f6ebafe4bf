/* progress.h — a one-line progress display for long offline runs.
 *
 * Owns: deciding whether to show it (stderr is a terminal and the input is a
 * file of at least PROGRESS_MIN_BYTES), redrawing it at most five times a
 * second (percent, packets/s, alerts so far) and erasing it before anything
 * else is printed at the end. Never writes anywhere but stderr.
 * Knows nothing of captures or verdicts: the caller hands it numbers.
 */
#ifndef LEAKAUDIT_PROGRESS_H
#define LEAKAUDIT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_MIN_BYTES (32u << 20)

struct progress;

/* NULL (and nothing shown, ever) unless out is a terminal and total_bytes is
 * large; total_bytes 0 means unknown (a pipe). */
struct progress *progress_new(FILE *out, uint64_t total_bytes);
/* Cheap enough to call per packet: looks at the clock every 1024 calls. */
void progress_tick(struct progress *p, uint64_t bytes_read, uint64_t packets, uint64_t alerts);
/* Draws the final state (100 % at end of input), then erases the line. */
void progress_end(struct progress *p, uint64_t bytes_read, uint64_t packets, uint64_t alerts);
void progress_free(struct progress *p);

/* The line itself, for tests: "leakaudit: 42.0% 1234567 packets 850123 pkt/s 3 alerts". */
void progress_format(char *buf, size_t len, uint64_t bytes_read, uint64_t total, uint64_t packets,
                     double seconds, uint64_t alerts);

#endif
