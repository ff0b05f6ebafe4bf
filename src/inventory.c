/* inventory.c — see inventory.h. Netlink messages come from the kernel, but
 * are still walked with the documented RTA_* / NLMSG_* bounds macros. */
#include "inventory.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct inventory {
    int fd;
    GHashTable *links;   /* index → struct inventory_link* */
    inventory_fn fn;
    void *user;
};

static void parse_linkinfo(struct rtattr *info, struct inventory_link *l)
{
    int len = RTA_PAYLOAD(info);
    for (struct rtattr *a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFLA_INFO_KIND)
            g_strlcpy(l->kind, RTA_DATA(a), MIN(sizeof l->kind, (size_t)RTA_PAYLOAD(a) + 1));
}

static void handle_link(struct inventory *inv, struct nlmsghdr *h)
{
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
        return;
    struct inventory_link l = { .index = ifi->ifi_index, .type = ifi->ifi_type, .flags = ifi->ifi_flags };
    int len = IFLA_PAYLOAD(h);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_IFNAME)
            g_strlcpy(l.name, RTA_DATA(a), MIN(sizeof l.name, (size_t)RTA_PAYLOAD(a) + 1));
        else if (a->rta_type == IFLA_LINKINFO)
            parse_linkinfo(a, &l);
    }
    struct inventory_link *old = g_hash_table_lookup(inv->links, GINT_TO_POINTER(l.index));
    if (h->nlmsg_type == RTM_DELLINK) {
        if (old) {
            inv->fn(old, INVENTORY_REMOVED, inv->user);
            g_hash_table_remove(inv->links, GINT_TO_POINTER(l.index));
        }
        return;
    }
    if (old && strcmp(old->name, l.name) == 0 && old->flags == l.flags && strcmp(old->kind, l.kind) == 0)
        return;
    if (old && strcmp(old->name, l.name) != 0) {
        /* A rename is a different interface as far as labels go. */
        inv->fn(old, INVENTORY_REMOVED, inv->user);
        old = NULL;
    }
    struct inventory_link *copy = g_new(struct inventory_link, 1);
    *copy = l;
    g_hash_table_replace(inv->links, GINT_TO_POINTER(l.index), copy);
    inv->fn(copy, old ? INVENTORY_CHANGED : INVENTORY_ADDED, inv->user);
}

static int read_messages(struct inventory *inv, bool until_done)
{
    char buf[32768];
    for (;;) {
        ssize_t n = recv(inv->fd, buf, sizeof buf, until_done ? 0 : MSG_DONTWAIT);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        if (n == 0)
            return 0;
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR)
                return until_done ? -1 : 0;
            if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK)
                handle_link(inv, h);
        }
        if (!until_done)
            continue;
    }
}

struct inventory *inventory_open(inventory_fn fn, void *user, GError **err)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "rtnetlink: %s", g_strerror(errno));
        return NULL;
    }
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "rtnetlink bind: %s", g_strerror(errno));
        close(fd);
        return NULL;
    }
    struct inventory *inv = g_new0(struct inventory, 1);
    inv->fd = fd;
    inv->links = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    inv->fn = fn;
    inv->user = user;
    struct {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
    } req = { .h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                     .nlmsg_seq = 1 },
              .ifi = { .ifi_family = AF_UNSPEC } };
    if (send(fd, &req, sizeof req, 0) < 0 || read_messages(inv, true) < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "rtnetlink dump: %s", g_strerror(errno));
        inventory_close(inv);
        return NULL;
    }
    return inv;
}

int inventory_fd(const struct inventory *inv) { return inv->fd; }

void inventory_process(struct inventory *inv)
{
    read_messages(inv, false);
}

const struct inventory_link *inventory_lookup(const struct inventory *inv, int index)
{
    return g_hash_table_lookup(inv->links, GINT_TO_POINTER(index));
}

void inventory_close(struct inventory *inv)
{
    if (!inv)
        return;
    close(inv->fd);
    g_hash_table_destroy(inv->links);
    g_free(inv);
}
