/* timefmt.c — see timefmt.h. */
#include "timefmt.h"

#include <stdio.h>
#include <time.h>

static const char *format(uint64_t ts_ns, char *buf, size_t len, char sep, const char *suffix)
{
    time_t secs = (time_t)(ts_ns / 1000000000ull);
    unsigned usec = (unsigned)((ts_ns % 1000000000ull) / 1000u);
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(buf, len, "?");
        return buf;
    }
    snprintf(buf, len, "%04d-%02d-%02d%c%02d:%02d:%02d.%06u%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, sep,
             tm.tm_hour, tm.tm_min, tm.tm_sec, usec, suffix);
    return buf;
}

const char *time_format_text(uint64_t ts_ns, char *buf, size_t len)
{
    return format(ts_ns, buf, len, ' ', "");
}

const char *time_format_iso(uint64_t ts_ns, char *buf, size_t len)
{
    return format(ts_ns, buf, len, 'T', "Z");
}
