/* describe.c — a short human description of what an event carries, shared by
 * the text sink, syslog and the report (see event_describe in sink.h). */
#include <stdio.h>
#include <string.h>

#include "sink.h"
#include "strbuf.h"

static void describe_stun(const struct stun_message *m, GString *out)
{
    if (m->channel_data) {
        g_string_append_printf(out, "TURN ChannelData channel=0x%04x", m->channel);
        return;
    }
    const char *method = stun_method_name(m->method);
    if (method)
        str_puts(out, method);
    else
        g_string_append_printf(out, "method 0x%03x", m->method);
    str_putc(out, ' '); /* appends, not printf: this runs for every alert line */
    str_puts(out, stun_class_name(m->cls));
    if (m->classic)
        str_puts(out, " (classic RFC 3489)");
    if (m->username.len) {
        str_puts(out, " user=");
        str_puts(out, m->username.value);
    }
    if (m->software.len) {
        str_puts(out, " software=\"");
        str_puts(out, m->software.value);
        str_putc(out, '"');
    }
    if (m->error_code) {
        str_puts(out, " error=");
        str_put_uint(out, m->error_code);
    }
    if (m->use_candidate)
        str_puts(out, " use-candidate");
    if (m->xor_relayed.family) {
        char buf[ADDR_PORT_STRLEN];
        struct ip_addr a = { m->xor_relayed.family, { 0 } };
        memcpy(a.bytes, m->xor_relayed.bytes, sizeof a.bytes);
        str_puts(out, " relayed=");
        str_puts(out, addr_port_format(&a, m->xor_relayed.port, buf, sizeof buf));
    }
}

static void describe_dns(const struct dns_message *m, GString *out)
{
    str_puts(out, m->is_response ? "response" : "query");
    if (m->is_response) {
        const char *rc = dns_rcode_name(m->rcode);
        str_putc(out, ' ');
        str_puts(out, rc ? rc : "rcode?");
    }
    for (unsigned i = 0; i < m->question_count; i++) {
        const char *t = dns_type_name(m->questions[i].qtype);
        if (t) {
            str_putc(out, ' ');
            str_puts(out, t);
        } else {
            str_puts(out, " TYPE");
            str_put_uint(out, m->questions[i].qtype);
        }
        str_putc(out, ' ');
        str_puts(out, m->questions[i].name[0] ? m->questions[i].name : ".");
    }
    const char *sep = " →";
    for (unsigned i = 0; i < m->answer_count; i++) {
        const struct dns_answer *an = &m->answers[i];
        if (an->addr_family) {
            char buf[ADDR_STRLEN];
            struct ip_addr a = { an->addr_family, { 0 } };
            memcpy(a.bytes, an->addr, sizeof a.bytes);
            str_puts(out, sep);
            str_putc(out, ' ');
            str_puts(out, addr_format(&a, buf, sizeof buf));
            sep = ",";
        } else if (an->target[0]) {
            str_puts(out, sep);
            str_putc(out, ' ');
            str_puts(out, an->target);
            sep = ",";
        }
    }
    if (m->flavor == DNS_FLAVOR_MDNS)
        str_puts(out, " (mDNS)");
    else if (m->flavor == DNS_FLAVOR_LLMNR)
        str_puts(out, " (LLMNR)");
}

static void describe_dtls(const struct dtls_message *m, GString *out)
{
    const struct dtls_hello *h = &m->hello;
    const char *name = dtls_handshake_name(h->handshake_type);
    str_puts(out, name ? name : "handshake");
    uint16_t v = h->max_supported_version ? h->max_supported_version : h->version;
    const char *vn = dtls_version_name(v);
    if (vn) {
        str_putc(out, ' ');
        str_puts(out, vn);
    }
    if (h->use_srtp) {
        str_puts(out, " use_srtp=");
        for (unsigned i = 0; i < h->srtp_profile_count; i++) {
            const char *pn = dtls_srtp_profile_name(h->srtp_profiles[i]);
            if (i)
                str_putc(out, ',');
            if (pn)
                str_puts(out, pn);
            else
                g_string_append_printf(out, "0x%04x", h->srtp_profiles[i]);
        }
        str_puts(out, " (WebRTC media)");
    }
    if (h->sni[0]) {
        str_puts(out, " sni=");
        str_puts(out, h->sni);
    }
}

void event_describe(const struct event *ev, GString *out)
{
    switch (ev->kind) {
    case EVENT_STUN:
        describe_stun(ev->stun, out);
        break;
    case EVENT_DNS:
        describe_dns(ev->dns, out);
        break;
    case EVENT_DTLS:
        describe_dtls(ev->dtls, out);
        break;
    case EVENT_ENCRYPTED_DNS:
        str_puts(out, ev->encrypted_dns_proto);
        str_puts(out, " connection (encrypted DNS)");
        break;
    default:
        break;
    }
    if (ev->app) {
        str_puts(out, " app=");
        str_puts(out, ev->app);
        if (ev->app_guessed)
            str_puts(out, "(guessed)");
    }
    if (ev->app_category) {
        str_puts(out, " category=");
        str_puts(out, ev->app_category);
    }
    if (ev->app_risks) {
        str_puts(out, " risks=\"");
        str_puts(out, ev->app_risks);
        str_putc(out, '"');
    }
}

void sink_free(struct sink *s)
{
    if (!s)
        return;
    if (s->ops->close)
        s->ops->close(s->self);
    g_free(s);
}
