/* process_view.h — the two facts later stages need about ev->process (its
 * pid and short name) without knowing struct process_info.
 *
 * Owns: one reader function, registered once at start-up by the process
 * attribution stage (src/attrib/ owns struct process_info). Until one is
 * registered (offline files, attribution off) every process is unknown.
 * Knows nothing of how processes are found, or of output formats.
 */
#ifndef LEAKAUDIT_PROCESS_VIEW_H
#define LEAKAUDIT_PROCESS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

enum { PROCESS_NAME_MAX = 64 };

struct process_view {
    uint32_t pid;                  /* 0 when unknown */
    char name[PROCESS_NAME_MAX];   /* comm, "" when unknown */
};

/* Fills out from p; false when it says nothing. */
typedef bool (*process_view_fn)(const struct process_info *p, struct process_view *out);

void process_view_register(process_view_fn fn);
/* The event's process, or false (out zeroed) when it has none. */
bool process_view_get(const struct event *ev, struct process_view *out);
/* "name(pid)", "pid 42", or "unknown" into buf. */
const char *process_view_label(const struct process_view *pv, char *buf, size_t len);

#endif
