/* attrib.bpf.c — send-time process attribution, attached to the cgroup2 root.
 *
 * Owns: remembering which process owns each socket (by socket cookie, from
 * sock_create/connect/sendmsg) and, at egress, one ring-buffer record per new
 * flow with its 4-tuple, the owner, and (where the kernel allows cgroup_skb
 * to read current) the sender. Every program returns 1: it never blocks.
 * Knows nothing of verdicts; user space (ebpf.c) decides what to trust.
 * Only UAPI headers: the verifier rewrites context accesses, so the object
 * does not depend on the running kernel's layout; the one CO-RE read is the
 * group leader's comm ("dig", not its "isc-net-0000" thread).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "attrib_bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
    struct task_struct *group_leader;
    char comm[16];
} __attribute__((preserve_access_index));

struct seen_key {
    __u64 cookie;
    __u8 daddr[16];
    __u16 sport, dport;
    __u8 proto, pad[3];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, struct attrib_owner);
} owners SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, struct seen_key);
    __type(value, __u8);
} seen SEC(".maps");

/* ring records that did not fit (user space reports it) */
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} lost SEC(".maps");

static __always_inline void leader_comm(char *out)
{
    struct task_struct *t = (void *)bpf_get_current_task();
    BPF_CORE_READ_STR_INTO((char(*)[16])out, t, group_leader, comm);
}

static __always_inline void remember_owner(void *ctx, __u32 source)
{
    __u64 cookie = bpf_get_socket_cookie(ctx);
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    struct attrib_owner *old = bpf_map_lookup_elem(&owners, &cookie);
    if (old && old->tgid == tgid)
        return; /* unchanged: skipping the update halves the cost */
    struct attrib_owner o = { .tgid = tgid, .uid = (__u32)bpf_get_current_uid_gid(), .source = source };
    leader_comm(o.comm);
    bpf_map_update_elem(&owners, &cookie, &o, BPF_ANY);
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
    remember_owner(sk, ATTRIB_SRC_SOCK_CREATE);
    return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
    remember_owner(ctx, ATTRIB_SRC_CONNECT);
    return 1;
}

SEC("cgroup/connect6")
int connect6(struct bpf_sock_addr *ctx)
{
    remember_owner(ctx, ATTRIB_SRC_CONNECT);
    return 1;
}

SEC("cgroup/sendmsg4")
int sendmsg4(struct bpf_sock_addr *ctx)
{
    remember_owner(ctx, ATTRIB_SRC_SENDMSG);
    return 1;
}

SEC("cgroup/sendmsg6")
int sendmsg6(struct bpf_sock_addr *ctx)
{
    remember_owner(ctx, ATTRIB_SRC_SENDMSG);
    return 1;
}

/* The packet's 4-tuple; false for anything but UDP/TCP (or unreadable). */
static __always_inline bool read_tuple(struct __sk_buff *skb, struct attrib_flow_event *e)
{
    __u8 first;
    if (bpf_skb_load_bytes(skb, 0, &first, 1) < 0)
        return false;
    __u32 l4;
    if ((first >> 4) == 4) {
        __u8 h[20];
        if (bpf_skb_load_bytes(skb, 0, h, sizeof h) < 0)
            return false;
        if ((h[6] & 0x3f) || h[7]) /* a later fragment carries no ports */
            return false;
        e->family = 4;
        e->proto = h[9];
        __builtin_memcpy(e->saddr, h + 12, 4);
        __builtin_memcpy(e->daddr, h + 16, 4);
        l4 = (h[0] & 0x0f) * 4;
    } else if ((first >> 4) == 6) {
        __u8 h[40];
        if (bpf_skb_load_bytes(skb, 0, h, sizeof h) < 0)
            return false;
        e->family = 6;
        e->proto = h[6]; /* extension headers are not walked */
        __builtin_memcpy(e->saddr, h + 8, 16);
        __builtin_memcpy(e->daddr, h + 24, 16);
        l4 = 40;
    } else {
        return false;
    }
    if (e->proto != 6 && e->proto != 17)
        return false;
    __u8 ports[4];
    if (bpf_skb_load_bytes(skb, l4, ports, sizeof ports) < 0)
        return false;
    e->sport = (__u16)(ports[0] << 8 | ports[1]);
    e->dport = (__u16)(ports[2] << 8 | ports[3]);
    if (e->proto == 6) {
        __u8 flags;
        if (bpf_skb_load_bytes(skb, l4 + 13, &flags, 1) < 0)
            return false;
        e->tcp_flags = flags;
    }
    return true;
}

static __always_inline int on_egress(struct __sk_buff *skb, bool with_sender)
{
    struct attrib_flow_event e = {};
    if (!read_tuple(skb, &e))
        return 1;
    e.cookie = bpf_get_socket_cookie(skb);
    struct seen_key k = { .cookie = e.cookie, .sport = e.sport, .dport = e.dport, .proto = e.proto };
    __builtin_memcpy(k.daddr, e.daddr, 16);
    if (bpf_map_lookup_elem(&seen, &k))
        return 1; /* dedupe before touching the ring */
    __u8 one = 1;
    bpf_map_update_elem(&seen, &k, &one, BPF_ANY);
    e.netns_cookie = bpf_get_netns_cookie(skb);
    struct attrib_owner *o = bpf_map_lookup_elem(&owners, &e.cookie);
    if (o)
        e.owner = *o;
    if (with_sender) {
        e.has_sender = 1;
        e.sender_tgid = bpf_get_current_pid_tgid() >> 32;
        e.sender_uid = (__u32)bpf_get_current_uid_gid();
        leader_comm(e.sender_comm);
    }
    if (bpf_ringbuf_output(&events, &e, sizeof e, 0) < 0) {
        __u32 zero = 0;
        __u64 *n = bpf_map_lookup_elem(&lost, &zero);
        if (n)
            __sync_fetch_and_add(n, 1);
    }
    return 1;
}

/* Kernel 6.10 and later: cgroup_skb may read current (the UDP sender). */
SEC("cgroup_skb/egress")
int egress_sender(struct __sk_buff *skb)
{
    return on_egress(skb, true);
}

/* Older kernels: the owner map alone. User space loads one of the two. */
SEC("cgroup_skb/egress")
int egress_owner(struct __sk_buff *skb)
{
    return on_egress(skb, false);
}
