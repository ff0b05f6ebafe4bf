/* strbuf.h — appends to a GString for the alert path (the text sink, the
 * shared event description): each line is some twenty short pieces, and
 * GLib 2.74's g_string_append is a call into g_string_insert_len with its
 * strlen and overlap checks for every one of them. These copy in place while
 * the string has room and leave growing to g_string_append_len.
 * The same bytes as g_string_append / _c / _printf("%u") would give.
 */
#ifndef LEAKAUDIT_STRBUF_H
#define LEAKAUDIT_STRBUF_H

#include <glib.h>
#include <string.h>

static inline void str_put(GString *s, const char *p, size_t n)
{
    if (G_UNLIKELY(s->len + n >= s->allocated_len)) {
        g_string_append_len(s, p, (gssize)n);
        return;
    }
    memcpy(s->str + s->len, p, n);
    s->len += n;
    s->str[s->len] = '\0';
}

static inline void str_puts(GString *s, const char *p)
{
    str_put(s, p, strlen(p));
}

static inline void str_putc(GString *s, char c)
{
    str_put(s, &c, 1);
}

/* s, then spaces up to width columns: "%-*s". */
static inline void str_put_padded(GString *s, const char *p, size_t width)
{
    static const char spaces[] = "                ";
    size_t n = strlen(p);
    str_put(s, p, n);
    while (n < width) {
        size_t k = width - n < sizeof spaces - 1 ? width - n : sizeof spaces - 1;
        str_put(s, spaces, k);
        n += k;
    }
}

/* v in decimal: "%u". */
static inline void str_put_uint(GString *s, unsigned v)
{
    char buf[10];
    size_t n = sizeof buf;
    do {
        buf[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    str_put(s, buf + n, sizeof buf - n);
}

/* Room for n more bytes (and the NUL) at the end of s; returns where they
 * go. Write with the str_cpy below, then str_commit the end. For a run of
 * pieces whose total is bounded: no check per piece. */
static inline char *str_reserve(GString *s, size_t n)
{
    if (G_UNLIKELY(s->len + n >= s->allocated_len)) {
        gsize len = s->len;
        g_string_set_size(s, len + n);
        s->len = len;
    }
    return s->str + s->len;
}

static inline void str_commit(GString *s, char *end)
{
    s->len = (gsize)(end - s->str);
    *end = '\0';
}

/* NUL-terminated p at dst (short strings: a byte loop beats strlen + memcpy). */
static inline char *str_cpy(char *dst, const char *p)
{
    while (*p)
        *dst++ = *p++;
    return dst;
}

/* p, then spaces up to width columns: "%-*s"; copies at most max bytes of p. */
static inline char *str_cpy_padded(char *dst, const char *p, size_t width, size_t max)
{
    size_t n = 0;
    for (; n < max && p[n]; n++)
        dst[n] = p[n];
    for (; n < width; n++)
        dst[n] = ' ';
    return dst + n;
}

#endif
