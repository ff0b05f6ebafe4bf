/* privdrop.h — least privilege once captures, netlink sockets, eBPF links
 * and output files are open.
 *
 * Owns: which user to become (-Z USER; as root by default the first of
 * "leakaudit", "nobody" that exists, like Debian's tcpdump; -Z root keeps
 * root), switching to its uid, primary gid and supplementary groups
 * (initgroups, setgid, setuid, like tcpdump -Z) while keeping only the
 * capabilities asked for (PR_SET_KEEPCAPS + capset; the bounding set is cut
 * to the same), and checking that nothing else can be regained. Open
 * descriptors stay usable. Raw capget/capset: no libcap dependency.
 * Knows nothing of capture or attribution: the caller says what to keep.
 */
#ifndef LEAKAUDIT_PRIVDROP_H
#define LEAKAUDIT_PRIVDROP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/capability.h> /* CAP_* numbers */

/* A capability set: bit N is capability N (linux/capability.h numbering). */
typedef uint64_t privdrop_caps;
#define PRIVDROP_CAP(n) ((privdrop_caps)1 << (n))

/* Looks USER up (name or numeric uid). False and *err when unknown. */
bool privdrop_check_user(const char *user, GError **err);
/* The user a root process becomes when -Z is not given: "leakaudit" if that
 * user exists, else "nobody"; NULL when neither does. */
const char *privdrop_default_user(void);
/* Becomes USER (NULL: stays who it is) keeping at most KEEP of the
 * capabilities it has: effective and permitted are cut to KEEP, inheritable
 * and ambient emptied, and (when allowed to: CAP_SETPCAP) the bounding set
 * cut to KEEP. False and *err when any step fails (the caller must stop). */
bool privdrop_apply(const char *user, privdrop_caps keep, GError **err);
/* This process's effective capabilities now. */
privdrop_caps privdrop_effective(void);
/* "cap_sys_ptrace,cap_dac_read_search" (or "none") into buf. */
const char *privdrop_caps_format(privdrop_caps caps, char *buf, size_t len);

#endif
