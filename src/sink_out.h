/* sink_out.h — "nothing lost": the byte stream of a line-per-record sink
 * (text on standard output, JSON lines), and every sink's count of alerts
 * written and dropped.
 *
 * Owns: a bounded buffer of whole records written with write(2), so that
 * after a failed write (full disk, vanished device, closed pipe) it is known
 * exactly which alerts reached the file and which did not: those are counted
 * as dropped, never retried into a half-written line (a cut line is ended
 * with a newline once writing works again). The first failure of each kind
 * is told at once on stderr, one line. The accounts (struct sink_account) of
 * all outputs, read by the text and JSON summaries and by main for the exit
 * status. Main thread only.
 */
#ifndef LEAKAUDIT_SINK_OUT_H
#define LEAKAUDIT_SINK_OUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct json_writer;

/* One output's delivery of alerts. */
struct sink_account {
    char kind[16];         /* "text", "json", "syslog" */
    char target[200];      /* "stdout", the path, "udp://…" */
    uint64_t alerts_written;
    uint64_t alerts_dropped;
    char error[160];       /* the last failure ("No space left on device"), "" when none */
};

/* Accounts are registered by their sink at open and removed at close. */
void sink_account_register(struct sink_account *acc);
void sink_account_unregister(struct sink_account *acc);
/* Every registered account, in order of registration (do not free). */
GPtrArray *sink_accounts(void);
/* "leakaudit: json 'a.jsonl': 3 alerts written, 2 dropped (No space left on device)"
 * lines, only for outputs that dropped some (or all of them when verbose). */
void sink_accounts_text(GString *out, bool verbose);
/* "outputs":[{"sink":…,"target":…,"alerts_written":…,"alerts_dropped":…,"error":…}] */
void sink_accounts_json(struct json_writer *w);

struct sink_out;

/* fd is written as it is (owned: closed at the end). */
struct sink_out *sink_out_new(int fd, bool owns_fd, const char *kind, const char *target);
/* Appends one whole record (a line, with its newline); writes when the buffer is full. */
void sink_out_record(struct sink_out *o, const char *bytes, size_t len, bool alert);
/* Writes what is buffered. False and *err (may be NULL) when this or an
 * earlier write lost alerts: "writing 'X': ENOSPC text (N of M alerts not written)". */
bool sink_out_flush(struct sink_out *o, GError **err);
/* Writes every registered stream's buffer (before a summary counts them). */
void sink_out_flush_all(void);
/* SIGHUP: a new file at PATH (append); the old stays on failure. */
bool sink_out_reopen(struct sink_out *o, const char *path, GError **err);
/* Flushes (errors counted) and frees. */
void sink_out_free(struct sink_out *o);

#endif
