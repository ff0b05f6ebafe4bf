/* procwatch.h — exec/exit events from the kernel's proc connector, so a
 * process that sent one packet and exited at once still has its executable
 * and command line on record.
 *
 * Owns: a background thread reading NETLINK_CONNECTOR (CN_IDX_PROC), a
 * bounded snapshot of /proc/PID taken at each exec (rate-limited: a busy
 * build machine execs thousands of times a second), exits marked, and the
 * pure parser of connector messages. Works only in the initial network
 * namespace (the kernel refuses the connector elsewhere): then it says so.
 * Knows nothing of sockets or packets.
 */
#ifndef LEAKAUDIT_PROCWATCH_H
#define LEAKAUDIT_PROCWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrib.h"

enum procwatch_event { PROCWATCH_OTHER = 0, PROCWATCH_EXEC, PROCWATCH_EXIT };

/* One recv() of connector messages: calls fn for each exec/exit of a
 * process (thread events are left out). −1 for a malformed buffer. */
typedef void (*procwatch_fn)(enum procwatch_event what, int32_t tgid, void *user);
int procwatch_parse(const void *buf, size_t len, procwatch_fn fn, void *user);

struct procwatch;
struct procwatch *procwatch_open(char *why, size_t why_len);
void procwatch_close(struct procwatch *w);
/* The snapshot taken when pid exec'd (false when none). */
bool procwatch_lookup(struct procwatch *w, int32_t pid, struct process_info *out);
uint64_t procwatch_execs(const struct procwatch *w);   /* snapshots taken */
uint64_t procwatch_skipped(const struct procwatch *w); /* execs over the rate limit */

#endif
