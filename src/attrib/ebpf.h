/* ebpf.h — loading the send-time programs (attrib.bpf.c) and reading their
 * ring buffer.
 *
 * Owns: the skeleton's life, finding or mounting the cgroup2 root, choosing
 * the egress variant the kernel accepts (with or without current-task
 * helpers), the ring buffer and its lost-record counter. Optional at build
 * time (no clang/bpftool/libbpf: ebpf_attrib_open says so) and at run time
 * (no BTF, cgroup2, privilege or kernel support: it says why).
 * Knows nothing of flows beyond the records it hands on.
 */
#ifndef LEAKAUDIT_EBPF_H
#define LEAKAUDIT_EBPF_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrib_bpf.h"

typedef void (*ebpf_flow_fn)(const struct attrib_flow_event *e, void *user);

struct ebpf_attrib;

/* NULL with a one-line reason in why when send-time capture cannot run. */
struct ebpf_attrib *ebpf_attrib_open(ebpf_flow_fn fn, void *user, char *why, size_t why_len);
void ebpf_attrib_close(struct ebpf_attrib *e);
int ebpf_attrib_fd(const struct ebpf_attrib *e);      /* readable when records wait */
int ebpf_attrib_drain(struct ebpf_attrib *e);         /* records delivered, non-blocking */
bool ebpf_attrib_has_sender(const struct ebpf_attrib *e); /* the kernel lets egress name current */
uint64_t ebpf_attrib_lost(const struct ebpf_attrib *e);
/* SO_NETNS_COOKIE of this process's network namespace (0 when unknown). */
uint64_t ebpf_netns_cookie(void);

#endif
