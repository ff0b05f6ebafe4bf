/* timefmt.c — see timefmt.h.
 * Every alert line starts with a timestamp, so this is on the alert path:
 * gmtime_r + snprintf cost ~4,000 instructions a call (bench/run.sh,
 * callgrind). The date and time of day are therefore kept per second (alerts
 * come in time order, so the last second nearly always matches) and the
 * digits are written by hand. */
#include "timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { DATE_TIME_LEN = 19 }; /* "2026-11-24 03:33:01" */

static char *digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

/* "YYYY-MM-DD HH:MM:SS" of secs into out (DATE_TIME_LEN bytes, no NUL), the
 * last second's answer reused. Not shared between threads. */
static _Thread_local struct {
    time_t secs;
    bool valid;
    char text[DATE_TIME_LEN];
} last;

static bool date_time(time_t secs, char *out)
{
    if (!last.valid || last.secs != secs) {
        struct tm tm;
        if (!gmtime_r(&secs, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
            return false;
        char *p = last.text;
        p = digits(p, (unsigned)(tm.tm_year + 1900), 4);
        *p++ = '-';
        p = digits(p, (unsigned)tm.tm_mon + 1, 2);
        *p++ = '-';
        p = digits(p, (unsigned)tm.tm_mday, 2);
        *p++ = ' ';
        p = digits(p, (unsigned)tm.tm_hour, 2);
        *p++ = ':';
        p = digits(p, (unsigned)tm.tm_min, 2);
        *p++ = ':';
        digits(p, (unsigned)tm.tm_sec, 2);
        last.secs = secs;
        last.valid = true;
    }
    memcpy(out, last.text, DATE_TIME_LEN);
    return true;
}

static const char *format(uint64_t ts_ns, char *buf, size_t len, char sep, const char *suffix)
{
    time_t secs = (time_t)(ts_ns / 1000000000ull);
    unsigned usec = (unsigned)((ts_ns % 1000000000ull) / 1000u);
    char text[DATE_TIME_LEN + 1 + 6 + 2];
    if (!date_time(secs, text)) {
        snprintf(buf, len, "?");
        return buf;
    }
    text[10] = sep;
    text[DATE_TIME_LEN] = '.';
    char *p = digits(text + DATE_TIME_LEN + 1, usec, 6);
    size_t n = (size_t)(p - text), sn = strlen(suffix);
    if (n + sn + 1 > len) { /* too small a buffer: what fits, as snprintf would */
        snprintf(buf, len, "%.*s%s", (int)n, text, suffix);
        return buf;
    }
    memcpy(buf, text, n);
    memcpy(buf + n, suffix, sn + 1);
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
