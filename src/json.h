/* json.h — a tiny streaming JSON writer into a GString (one line per record).
 * Keys are passed as NULL inside arrays. Strings are escaped per RFC 8259;
 * invalid UTF-8 is replaced so every line parses. */
#ifndef LEAKAUDIT_JSON_H
#define LEAKAUDIT_JSON_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum { JSON_MAX_DEPTH = 16 };

struct json_writer {
    GString *out;
    int depth;
    bool need_comma[JSON_MAX_DEPTH];
};

void json_begin(struct json_writer *w, GString *out);
void json_object_begin(struct json_writer *w, const char *key);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w, const char *key);
void json_array_end(struct json_writer *w);
void json_str(struct json_writer *w, const char *key, const char *value); /* NULL → null */
void json_strn(struct json_writer *w, const char *key, const char *value, size_t len);
void json_uint(struct json_writer *w, const char *key, uint64_t value);
void json_int(struct json_writer *w, const char *key, int64_t value);
void json_double(struct json_writer *w, const char *key, double value);
void json_bool(struct json_writer *w, const char *key, bool value);
void json_null(struct json_writer *w, const char *key);
/* Appends a JSON string literal for value (escaped, quoted). */
void json_escape_append(GString *out, const char *value, size_t len);

#endif
