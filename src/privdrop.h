/* privdrop.h — -Z USER: give up root once the live capture is open.
 *
 * Owns: switching to USER's uid, primary gid and supplementary groups
 * (initgroups, setgid, setuid, like tcpdump -Z) and checking that root
 * cannot be regained. Open descriptors (capture sockets, rtnetlink, output
 * files) stay usable; nothing else is kept.
 * Knows nothing of capture.
 */
#ifndef LEAKAUDIT_PRIVDROP_H
#define LEAKAUDIT_PRIVDROP_H

#include <glib.h>
#include <stdbool.h>

/* Looks USER up (name or numeric uid). False and *err when unknown. */
bool privdrop_check_user(const char *user, GError **err);
/* Switches to USER; false and *err when any step fails (the caller must stop). */
bool privdrop_to_user(const char *user, GError **err);

#endif
