/* timefmt.h — capture timestamps as text (UTC). */
#ifndef LEAKAUDIT_TIMEFMT_H
#define LEAKAUDIT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-11-24 03:33:01.123456" */
const char *time_format_text(uint64_t ts_ns, char *buf, size_t len);
/* "2026-11-24T03:33:01.123456Z" */
const char *time_format_iso(uint64_t ts_ns, char *buf, size_t len);

#endif
