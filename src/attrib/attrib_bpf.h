/* attrib_bpf.h — the record the send-time eBPF programs (attrib.bpf.c) put
 * in the ring buffer, one per new outgoing flow, and that ebpf.c reads.
 * Shared by the BPF object and user space: fixed-size types only.
 */
#ifndef LEAKAUDIT_ATTRIB_BPF_H
#define LEAKAUDIT_ATTRIB_BPF_H

#define ATTRIB_COMM_LEN 16

/* Who an owner record came from (the hook that saw the socket last). */
enum attrib_bpf_source {
    ATTRIB_SRC_NONE = 0,
    ATTRIB_SRC_SOCK_CREATE = 1,
    ATTRIB_SRC_CONNECT = 2,
    ATTRIB_SRC_SENDMSG = 3,
};

struct attrib_owner {
    __u32 tgid;
    __u32 uid;
    __u32 source;                    /* enum attrib_bpf_source */
    char comm[ATTRIB_COMM_LEN];      /* the process (group leader) name */
};

struct attrib_flow_event {
    __u64 cookie;                    /* socket cookie (SO_COOKIE) */
    __u64 netns_cookie;              /* SO_NETNS_COOKIE of the sender's namespace */
    __u8 family;                     /* 4 or 6 */
    __u8 proto;                      /* 6 TCP, 17 UDP */
    __u8 tcp_flags;                  /* of the first packet seen */
    __u8 has_sender;                 /* sender_* valid (kernel lets cgroup_skb read current) */
    __u16 sport, dport;              /* host byte order */
    __u8 saddr[16], daddr[16];       /* IPv4 in the first 4 bytes */
    struct attrib_owner owner;       /* by cookie; owner.tgid 0 when unknown */
    __u32 sender_tgid;               /* current at egress (UDP: the sender) */
    __u32 sender_uid;
    char sender_comm[ATTRIB_COMM_LEN];   /* group leader's comm */
};

#endif
