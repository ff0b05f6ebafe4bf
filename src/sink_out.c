/* sink_out.c — see sink_out.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "sink_out.h"
#include "strbuf.h"

enum { SINK_OUT_BUFFER = 64 * 1024 };

struct record_end {
    size_t end;   /* offset in buf just past the record */
    bool alert;
};

struct sink_out {
    int fd;
    bool owns_fd;
    GString *buf;
    GArray *records;       /* struct record_end, in order */
    bool cut_line;         /* the output ends inside a record a failed write cut */
    int failing_errno;     /* errno of the failure in force, 0 when the last write worked */
    char *path;            /* the file's name, NULL for a descriptor we were given */
    struct sink_account acc;
};

static GPtrArray *accounts;   /* struct sink_account *, not owned */
static GPtrArray *streams;    /* struct sink_out *, not owned */

void sink_account_register(struct sink_account *acc)
{
    if (!accounts)
        accounts = g_ptr_array_new();
    g_ptr_array_add(accounts, acc);
}

void sink_account_unregister(struct sink_account *acc)
{
    if (accounts && g_ptr_array_remove(accounts, acc) && accounts->len == 0) {
        g_ptr_array_free(accounts, TRUE);
        accounts = NULL;
    }
}

GPtrArray *sink_accounts(void)
{
    if (!accounts)
        accounts = g_ptr_array_new();
    return accounts;
}

void sink_accounts_text(GString *out, bool verbose)
{
    for (guint i = 0; accounts && i < accounts->len; i++) {
        const struct sink_account *a = g_ptr_array_index(accounts, i);
        if ((!a->alerts_dropped && !verbose) || strcmp(a->kind, "syslog") == 0)
            continue; /* syslog has its own line, with reconnects and the rate limit */
        g_string_append_printf(out, "leakaudit: %s '%s': %" G_GUINT64_FORMAT " alert%s written, %" G_GUINT64_FORMAT
                               " dropped", a->kind, a->target, a->alerts_written, a->alerts_written == 1 ? "" : "s",
                               a->alerts_dropped);
        if (a->alerts_dropped && a->error[0])
            g_string_append_printf(out, " (%s)", a->error);
        g_string_append_c(out, '\n');
    }
}

void sink_accounts_json(struct json_writer *w)
{
    json_array_begin(w, "outputs");
    for (guint i = 0; accounts && i < accounts->len; i++) {
        const struct sink_account *a = g_ptr_array_index(accounts, i);
        json_object_begin(w, NULL);
        json_str(w, "sink", a->kind);
        json_str(w, "target", a->target);
        json_uint(w, "alerts_written", a->alerts_written);
        json_uint(w, "alerts_dropped", a->alerts_dropped);
        if (a->error[0])
            json_str(w, "error", a->error);
        json_object_end(w);
    }
    json_array_end(w);
}

struct sink_out *sink_out_new(int fd, bool owns_fd, const char *kind, const char *target)
{
    struct sink_out *o = g_new0(struct sink_out, 1);
    o->path = owns_fd ? g_strdup(target) : NULL;
    o->fd = fd;
    o->owns_fd = owns_fd;
    o->buf = g_string_sized_new(SINK_OUT_BUFFER + 4096);
    o->records = g_array_new(FALSE, FALSE, sizeof(struct record_end));
    g_strlcpy(o->acc.kind, kind, sizeof o->acc.kind);
    g_strlcpy(o->acc.target, target, sizeof o->acc.target);
    sink_account_register(&o->acc);
    if (!streams)
        streams = g_ptr_array_new();
    g_ptr_array_add(streams, o);
    return o;
}

/* write(2) of all of [p, p+len); how much got out, *e the errno when not all. */
static size_t write_all(int fd, const char *p, size_t len, int *e)
{
    size_t off = 0;
    *e = 0;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *e = n < 0 ? errno : EIO;
            break;
        }
        off += (size_t)n;
    }
    return off;
}

/* A file deleted under us (its directory removed, or rotated away without a
 * SIGHUP) swallows every write: make it again, or fail with why not. */
static int check_still_there(struct sink_out *o, bool *gone)
{
    *gone = false;
    struct stat st;
    if (!o->path || fstat(o->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 0)
        return 0;
    int fd = open(o->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        *gone = true;
        return errno;
    }
    fprintf(stderr, "leakaudit: warning: %s '%s' was deleted; writing to a new file of that name\n", o->acc.kind,
            o->path);
    close(o->fd);
    o->fd = fd;
    o->cut_line = false;
    return 0;
}

static void write_buffer(struct sink_out *o)
{
    if (!o->buf->len)
        return;
    bool gone;
    int e = check_still_there(o, &gone);
    if (!e && o->cut_line && write_all(o->fd, "\n", 1, &e) == 1)
        o->cut_line = false;
    size_t done = e ? 0 : write_all(o->fd, o->buf->str, o->buf->len, &e);
    size_t start = 0;
    for (guint i = 0; i < o->records->len; i++) {
        const struct record_end *r = &g_array_index(o->records, struct record_end, i);
        if (r->end <= done) {
            o->acc.alerts_written += r->alert;
        } else {
            o->acc.alerts_dropped += r->alert;
            if (start < done) /* this record was cut: its head is in the file */
                o->cut_line = true;
        }
        start = r->end;
    }
    g_string_truncate(o->buf, 0);
    g_array_set_size(o->records, 0);
    if (e && e != o->failing_errno) {
        g_snprintf(o->acc.error, sizeof o->acc.error, "%s%s", gone ? "file deleted, cannot create it again: " : "",
                   g_strerror(e));
        fprintf(stderr, "leakaudit: warning: %s '%s': %s; alerts not written are counted as dropped\n", o->acc.kind,
                o->acc.target, o->acc.error);
    }
    o->failing_errno = e;
}

void sink_out_record(struct sink_out *o, const char *bytes, size_t len, bool alert)
{
    str_put(o->buf, bytes, len); /* strbuf.h: a line an alert */
    struct record_end r = { .end = o->buf->len, .alert = alert };
    g_array_append_val(o->records, r);
    if (o->buf->len >= SINK_OUT_BUFFER)
        write_buffer(o);
}

bool sink_out_flush(struct sink_out *o, GError **err)
{
    write_buffer(o);
    if (!o->acc.alerts_dropped)
        return true;
    uint64_t all = o->acc.alerts_written + o->acc.alerts_dropped;
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO,
                "writing %s '%s': %s (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " alerts not written)", o->acc.kind,
                o->acc.target, o->acc.error, o->acc.alerts_dropped, all);
    return false;
}

void sink_out_flush_all(void)
{
    for (guint i = 0; streams && i < streams->len; i++)
        write_buffer(g_ptr_array_index(streams, i));
}

bool sink_out_reopen(struct sink_out *o, const char *path, GError **err)
{
    write_buffer(o);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot reopen '%s': %s", path, g_strerror(e));
        return false; /* keep writing to the old file: nothing is lost */
    }
    if (o->owns_fd)
        close(o->fd);
    o->fd = fd;
    o->owns_fd = true;
    if (o->path != path) {
        g_free(o->path);
        o->path = g_strdup(path);
    }
    o->cut_line = false;
    o->failing_errno = 0;
    return true;
}

void sink_out_free(struct sink_out *o)
{
    if (!o)
        return;
    write_buffer(o);
    if (o->owns_fd)
        close(o->fd);
    sink_account_unregister(&o->acc);
    if (streams && g_ptr_array_remove(streams, o) && streams->len == 0) {
        g_ptr_array_free(streams, TRUE);
        streams = NULL;
    }
    g_string_free(o->buf, TRUE);
    g_array_free(o->records, TRUE);
    g_free(o->path);
    g_free(o);
}
