/* procinfo.h — what /proc says about a process, and which process holds a
 * socket inode.
 *
 * Owns: reading /proc/PID/{comm,exe,cmdline,status,cgroup} into a
 * struct process_info, the pure parsers behind it (tested on fixed text),
 * the roles that make labels honest (a DNS resolver, Chromium's network
 * service), and the inode → pid scan of /proc/PID/fd, newest pid first (a
 * short-lived sender is most likely a recent pid), with a bounded cache.
 * Knows nothing of packets or sockets' addresses.
 */
#ifndef LEAKAUDIT_PROCINFO_H
#define LEAKAUDIT_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attrib.h"

/* Fills pi from /proc/PID (keeps method/confidence/reason). False when the
 * process is gone (pi->pid is still set, the rest left as it was). */
bool procinfo_read(int32_t pid, struct process_info *pi);
/* Root of the proc file system (tests point it at a fixture tree). */
void procinfo_set_root(const char *root);

/* "Uid:\t1000\t1000…" → real uid; "PPid:" → parent. False if Uid is missing. */
bool procinfo_parse_status(const char *text, size_t len, int64_t *uid, int32_t *ppid);
/* "/proc/PID/stat" → state letter and flags (field 9); the command name may
 * hold spaces and parentheses, so fields count from the last ')'. */
bool procinfo_parse_stat(const char *text, size_t len, char *state, uint64_t *flags);
enum { PROC_PF_KTHREAD = 0x00200000 };
/* NUL-separated argv → "a b c", cut at outlen−1 with "…" when longer. */
void procinfo_format_cmdline(const char *raw, size_t len, char *out, size_t outlen);
/* /proc/PID/cgroup text → systemd unit and container id ("" when none). */
void procinfo_parse_cgroup(const char *text, size_t len, char *unit, size_t unit_len, char *container,
                           size_t container_len);
/* The honest label: "DNS resolver" for systemd-resolved/dnsmasq/unbound/named…,
 * "browser network service" for Chromium's utility process, else NULL. */
const char *procinfo_role(const char *name, const char *cmdline);
/* "socket:[12345]" → 12345; 0 when the link is not a socket. */
uint64_t procinfo_socket_inode(const char *link);

struct inode_owner_cache;
struct inode_owner_cache *inode_owner_cache_new(uint32_t cap);
void inode_owner_cache_free(struct inode_owner_cache *c);
/* The pid holding socket inode. Scans /proc on a miss (bounded in time),
 * newest pid first,
 * stopping at the first holder (of an inherited socket, the newest process:
 * the child that most likely sends); 0 when no process holds it. */
int32_t inode_owner_find(struct inode_owner_cache *c, uint64_t inode);
uint64_t inode_owner_scans(const struct inode_owner_cache *c);
/* Scans given up (over 250 ms, or over 500 ms of scanning in one second). */
uint64_t inode_owner_scans_cut(const struct inode_owner_cache *c);

#endif
