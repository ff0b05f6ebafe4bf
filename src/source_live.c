/* source_live.c — see source_live.h. */
#include "source_live.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <string.h>

enum { DLT_LINUX_SLL2_ = 276 };

struct live_handle {
    pcap_t *pcap;
    char *device;
    int fd;
    int linktype;
    int index;              /* frame.iface */
};

struct live_capture {
    GPtrArray *handles;     /* struct live_handle* */
    char *filter_text;
    uint64_t frame_number;
    live_frame_fn fn;
    void *user;
    struct live_handle *current;
};

/* What the auditor needs and nothing else, so the kernel drops the rest:
 * DNS (53, mDNS, LLMNR; TCP too), DoT/DoQ, STUN/TURN ports, STUN by magic
 * cookie on any UDP port (IPv4 and IPv6 without extension headers), the
 * RFC 7983 DTLS first-byte range, STUN over TCP by cookie, and the VPN
 * transports that give VPN-by-evidence (WireGuard, OpenVPN, IKE, ESP). */
static const char prefilter[] =
    "(udp port 53 or tcp port 53 or udp port 5353 or udp port 5355 or port 853"
    " or port 3478 or port 3479 or port 5349 or udp port 19302"
    " or udp port 51820 or udp port 1194 or tcp port 1194 or udp port 500 or udp port 4500 or esp"
    " or (ip and udp and (udp[12:4] = 0x2112A442 or (udp[8] >= 20 and udp[8] <= 63)"
    "     or (udp[8] >= 1 and udp[8] <= 4 and udp[9:2] = 0 and udp[11] = 0)))"
    " or (ip6 and ip6[6] = 17 and (ip6[52:4] = 0x2112A442 or (ip6[48] >= 20 and ip6[48] <= 63)"
    "     or (ip6[48] >= 1 and ip6[48] <= 4 and ip6[49:2] = 0 and ip6[51] = 0)))"
    " or (ip and tcp and tcp[((tcp[12] & 0xf0) >> 2) + 4:4] = 0x2112A442))";

const char *live_prefilter(void)
{
    return prefilter;
}

static void set_pcap_error(GError **err, const char *device, const char *what, int status, pcap_t *p)
{
    const char *detail = status == PCAP_ERROR || status == PCAP_WARNING ? pcap_geterr(p) : pcap_statustostr(status);
    if (status == PCAP_ERROR_PERM_DENIED || (detail && strstr(detail, "ermission")))
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "cannot capture on '%s': permission denied (needs root or CAP_NET_RAW and CAP_NET_ADMIN)",
                    device);
    else if (status == PCAP_ERROR_NO_SUCH_DEVICE)
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT, "cannot capture on '%s': no such interface", device);
    else
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot capture on '%s': %s: %s", device, what,
                    detail ? detail : "error");
}

static struct live_handle *open_one(const char *device, const struct live_options *o, const char *filter,
                                    GError **err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(device, errbuf);
    if (!p) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot capture on '%s': %s", device, errbuf);
        return NULL;
    }
    pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : 65535);
    pcap_set_promisc(p, 0);
    pcap_set_timeout(p, 100);
    pcap_set_buffer_size(p, (o->buffer_mib > 0 ? o->buffer_mib : 32) * 1024 * 1024);
    pcap_set_immediate_mode(p, o->immediate);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    int status = pcap_activate(p);
    if (status < 0) {
        set_pcap_error(err, device, "activate", status, p);
        pcap_close(p);
        return NULL;
    }
    if (strcmp(device, "any") == 0 && pcap_set_datalink(p, DLT_LINUX_SLL2_) != 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "cannot capture on 'any': Linux cooked v2 (SLL2) is not offered, so interfaces cannot be told "
                    "apart (libpcap 1.10 or later is needed)");
        pcap_close(p);
        return NULL;
    }
    if (filter && *filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad capture filter: %s", pcap_geterr(p));
            pcap_close(p);
            return NULL;
        }
        int rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            set_pcap_error(err, device, "setfilter", PCAP_ERROR, p);
            pcap_close(p);
            return NULL;
        }
    }
    if (pcap_setnonblock(p, 1, errbuf) != 0) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot capture on '%s': %s", device, errbuf);
        pcap_close(p);
        return NULL;
    }
    struct live_handle *h = g_new0(struct live_handle, 1);
    h->pcap = p;
    h->device = g_strdup(device);
    h->fd = pcap_get_selectable_fd(p);
    h->linktype = pcap_datalink(p);
    return h;
}

static void free_handle(gpointer data)
{
    struct live_handle *h = data;
    pcap_close(h->pcap);
    g_free(h->device);
    g_free(h);
}

struct live_capture *live_open(const struct live_options *o, GError **err)
{
    struct live_capture *lc = g_new0(struct live_capture, 1);
    lc->handles = g_ptr_array_new_with_free_func(free_handle);
    if (o->no_prefilter)
        lc->filter_text = g_strdup(o->filter ? o->filter : "");
    else if (o->filter && *o->filter)
        lc->filter_text = g_strdup_printf("(%s) and (%s)", prefilter, o->filter);
    else
        lc->filter_text = g_strdup(prefilter);
    for (char **d = o->devices; d && *d; d++) {
        struct live_handle *h = open_one(*d, o, lc->filter_text, err);
        if (!h) {
            live_close(lc);
            return NULL;
        }
        h->index = (int)lc->handles->len;
        g_ptr_array_add(lc->handles, h);
    }
    if (!lc->handles->len) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no interface to capture on");
        live_close(lc);
        return NULL;
    }
    return lc;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct live_capture *lc = (struct live_capture *)user;
    struct live_handle *lh = lc->current;
    struct frame f = { 0 };
    f.number = ++lc->frame_number;
    f.ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec; /* nano precision */
    f.linktype = lh->linktype;
    f.iface = lh->index;
    f.iface_name = strcmp(lh->device, "any") == 0 ? NULL : lh->device;
    f.caplen = h->caplen;
    f.wirelen = h->len;
    f.data = bytes;
    lc->fn(&f, lh->device, lc->user);
}

int live_poll(struct live_capture *lc, int timeout_ms, int extra_fd, bool *extra_ready, live_frame_fn fn, void *user,
              GError **err)
{
    guint n = lc->handles->len;
    struct pollfd pfd[n + 1];
    for (guint i = 0; i < n; i++) {
        struct live_handle *h = g_ptr_array_index(lc->handles, i);
        pfd[i].fd = h->fd;
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
    }
    pfd[n].fd = extra_fd;
    pfd[n].events = POLLIN;
    pfd[n].revents = 0;
    if (extra_ready)
        *extra_ready = false;
    int rc = poll(pfd, extra_fd >= 0 ? n + 1 : n, timeout_ms);
    if (rc < 0) {
        if (errno == EINTR)
            return 0;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "poll: %s", g_strerror(errno));
        return -1;
    }
    if (extra_fd >= 0 && extra_ready && (pfd[n].revents & POLLIN))
        *extra_ready = true;
    lc->fn = fn;
    lc->user = user;
    int delivered = 0;
    for (guint i = 0; i < n; i++) {
        if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
            continue;
        lc->current = g_ptr_array_index(lc->handles, i);
        int got = pcap_dispatch(lc->current->pcap, -1, on_packet, (u_char *)lc);
        if (got == PCAP_ERROR) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "capture on '%s' failed: %s", lc->current->device,
                        pcap_geterr(lc->current->pcap));
            return -1;
        }
        if (got > 0)
            delivered += got;
    }
    return delivered;
}

void live_get_stats(struct live_capture *lc, struct live_stats *out)
{
    memset(out, 0, sizeof *out);
    for (guint i = 0; i < lc->handles->len; i++) {
        struct live_handle *h = g_ptr_array_index(lc->handles, i);
        struct pcap_stat st;
        if (pcap_stats(h->pcap, &st) == 0) {
            out->received += st.ps_recv;
            out->dropped += st.ps_drop;
            out->if_dropped += st.ps_ifdrop;
        }
    }
}

const char *live_filter_text(const struct live_capture *lc)
{
    return lc->filter_text;
}

void live_close(struct live_capture *lc)
{
    if (!lc)
        return;
    g_ptr_array_free(lc->handles, TRUE);
    g_free(lc->filter_text);
    g_free(lc);
}
