/* config.h — the configuration file (/etc/leakaudit.conf, or --config FILE).
 *
 * Owns: reading a GLib key file whose [leakaudit] group holds one key per
 * long option of the GOptionEntry table (capture = any, quiet = true,
 * vpn-if = wg0;tun*), and applying it before the command line so the command
 * line wins. Keys are derived from the table, so every long option is
 * covered and a new option needs no edit here.
 * Knows nothing of what any option means.
 */
#ifndef LEAKAUDIT_CONFIG_H
#define LEAKAUDIT_CONFIG_H

#include <glib.h>
#include <stdbool.h>

#ifndef LEAKAUDIT_CONFIG_DEFAULT
#define LEAKAUDIT_CONFIG_DEFAULT "/etc/leakaudit.conf"
#endif
#define LEAKAUDIT_CONFIG_GROUP "leakaudit"

/* The file read when no --config is given: $LEAKAUDIT_CONFIG when set (the
 * test suite sets "none" so a host's own file cannot change its results),
 * else LEAKAUDIT_CONFIG_DEFAULT. */
const char *config_default_path(void);

/* The config file named on the command line (--config FILE, --config=FILE),
 * found before GOption parses it; NULL when not given. "none" reads no file. */
const char *config_path_from_argv(int argc, char **argv);

struct config_state;

/* Applies the file's keys to the variables behind entries, as if given
 * before the command line. A missing file is no error when missing_ok.
 * Returns NULL and *err (message starts with the path) on an unreadable
 * file, an unknown group or key, or a value the option rejects. */
struct config_state *config_apply(const GOptionEntry *entries, const char *path, bool missing_ok, GError **err);

/* After the command line was parsed: frees the file's values that the
 * command line replaced (GOption does not free what it overwrites), then
 * the state. NULL is fine. */
void config_done(struct config_state *st);

/* When *arg_data still holds what the file put there: frees it, sets it to
 * NULL and returns true (a file's -r yields to a command line's -i). */
bool config_unset_if_from_file(struct config_state *st, void *arg_data);

/* Whether a key file key may name this option (not --config, --version). */
bool config_key_allowed(const GOptionEntry *e);

#endif
