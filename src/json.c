/* json.c — see json.h. */
#include "json.h"

#include <math.h>
#include <string.h>

void json_begin(struct json_writer *w, GString *out)
{
    w->out = out;
    w->depth = 0;
    w->need_comma[0] = false;
}

void json_escape_append(GString *out, const char *value, size_t len)
{
    g_string_append_c(out, '"');
    const char *p = value, *end = value + len;
    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80) {
            switch (ch) {
            case '"': g_string_append(out, "\\\""); break;
            case '\\': g_string_append(out, "\\\\"); break;
            case '\n': g_string_append(out, "\\n"); break;
            case '\r': g_string_append(out, "\\r"); break;
            case '\t': g_string_append(out, "\\t"); break;
            default:
                if (ch < 0x20 || ch == 0x7f)
                    g_string_append_printf(out, "\\u%04x", ch);
                else
                    g_string_append_c(out, (char)ch);
            }
            p++;
            continue;
        }
        gunichar u = g_utf8_get_char_validated(p, end - p);
        if (u != (gunichar)-1 && u != (gunichar)-2) { /* one whole valid sequence */
            const char *after = g_utf8_next_char(p);
            g_string_append_len(out, p, after - p);
            p = after;
            continue;
        }
        g_string_append(out, "\\ufffd");
        p++;
    }
    g_string_append_c(out, '"');
}

static void prefix(struct json_writer *w, const char *key)
{
    if (w->need_comma[w->depth])
        g_string_append_c(w->out, ',');
    w->need_comma[w->depth] = true;
    if (key) {
        json_escape_append(w->out, key, strlen(key));
        g_string_append_c(w->out, ':');
    }
}

static void open(struct json_writer *w, const char *key, char brace)
{
    prefix(w, key);
    g_string_append_c(w->out, brace);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->need_comma[w->depth] = false;
}

static void close_(struct json_writer *w, char brace)
{
    g_string_append_c(w->out, brace);
    if (w->depth > 0)
        w->depth--;
}

void json_object_begin(struct json_writer *w, const char *key) { open(w, key, '{'); }
void json_object_end(struct json_writer *w) { close_(w, '}'); }
void json_array_begin(struct json_writer *w, const char *key) { open(w, key, '['); }
void json_array_end(struct json_writer *w) { close_(w, ']'); }

void json_strn(struct json_writer *w, const char *key, const char *value, size_t len)
{
    prefix(w, key);
    json_escape_append(w->out, value, len);
}

void json_str(struct json_writer *w, const char *key, const char *value)
{
    if (!value) {
        json_null(w, key);
        return;
    }
    json_strn(w, key, value, strlen(value));
}

void json_uint(struct json_writer *w, const char *key, uint64_t value)
{
    prefix(w, key);
    g_string_append_printf(w->out, "%" G_GUINT64_FORMAT, value);
}

void json_int(struct json_writer *w, const char *key, int64_t value)
{
    prefix(w, key);
    g_string_append_printf(w->out, "%" G_GINT64_FORMAT, value);
}

void json_double(struct json_writer *w, const char *key, double value)
{
    prefix(w, key);
    if (isfinite(value)) {
        /* The shortest form that reads back as the same double (15 digits
         * usually do; coordinates such as -104.9903 need them). */
        char buf[32];
        g_snprintf(buf, sizeof buf, "%.15g", value);
        if (g_ascii_strtod(buf, NULL) != value)
            g_snprintf(buf, sizeof buf, "%.17g", value);
        g_string_append(w->out, buf);
    } else
        g_string_append(w->out, "null");
}

void json_bool(struct json_writer *w, const char *key, bool value)
{
    prefix(w, key);
    g_string_append(w->out, value ? "true" : "false");
}

void json_null(struct json_writer *w, const char *key)
{
    prefix(w, key);
    g_string_append(w->out, "null");
}
