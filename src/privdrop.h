/* privdrop.h — `-Z USER`: once the capture handles and the rtnetlink socket
 * are open, become USER with no capabilities at all.
 *
 * Owns: user lookup, supplementary groups, gid/uid change, no_new_privs.
 * Nothing later needs a capability: packets and netlink notifications keep
 * arriving on descriptors opened as root; output files opened at start stay
 * writable, and a SIGHUP reopen happens as USER.
 * Knows nothing of packets.
 */
#ifndef LEAKAUDIT_PRIVDROP_H
#define LEAKAUDIT_PRIVDROP_H

#include <glib.h>
#include <stdbool.h>

/* Does USER exist? (checked before capturing, so a typo fails at once) */
bool privdrop_check_user(const char *user, GError **err);
/* setgroups/setgid/setuid to USER; verifies that root cannot be regained. */
bool privdrop_to_user(const char *user, GError **err);

#endif
