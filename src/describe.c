/* describe.c — a short human description of what an event carries, shared by
 * the text sink, syslog and the report (see event_describe in sink.h). */
#include <stdio.h>
#include <string.h>

#include "sink.h"

static void describe_stun(const struct stun_message *m, GString *out)
{
    if (m->channel_data) {
        g_string_append_printf(out, "TURN ChannelData channel=0x%04x", m->channel);
        return;
    }
    const char *method = stun_method_name(m->method);
    if (method)
        g_string_append(out, method);
    else
        g_string_append_printf(out, "method 0x%03x", m->method);
    g_string_append_c(out, ' '); /* appends, not printf: this runs for every alert line */
    g_string_append(out, stun_class_name(m->cls));
    if (m->classic)
        g_string_append(out, " (classic RFC 3489)");
    if (m->username.len) {
        g_string_append(out, " user=");
        g_string_append(out, m->username.value);
    }
    if (m->software.len)
        g_string_append_printf(out, " software=\"%s\"", m->software.value);
    if (m->error_code)
        g_string_append_printf(out, " error=%u", m->error_code);
    if (m->use_candidate)
        g_string_append(out, " use-candidate");
    if (m->xor_relayed.family) {
        char buf[ADDR_PORT_STRLEN];
        struct ip_addr a = { m->xor_relayed.family, { 0 } };
        memcpy(a.bytes, m->xor_relayed.bytes, sizeof a.bytes);
        g_string_append_printf(out, " relayed=%s", addr_port_format(&a, m->xor_relayed.port, buf, sizeof buf));
    }
}

static void describe_dns(const struct dns_message *m, GString *out)
{
    g_string_append(out, m->is_response ? "response" : "query");
    if (m->is_response) {
        const char *rc = dns_rcode_name(m->rcode);
        g_string_append_c(out, ' ');
        g_string_append(out, rc ? rc : "rcode?");
    }
    for (unsigned i = 0; i < m->question_count; i++) {
        const char *t = dns_type_name(m->questions[i].qtype);
        if (t) {
            g_string_append_c(out, ' ');
            g_string_append(out, t);
        } else {
            g_string_append_printf(out, " TYPE%u", m->questions[i].qtype);
        }
        g_string_append_c(out, ' ');
        g_string_append(out, m->questions[i].name[0] ? m->questions[i].name : ".");
    }
    const char *sep = " →";
    for (unsigned i = 0; i < m->answer_count; i++) {
        const struct dns_answer *an = &m->answers[i];
        if (an->addr_family) {
            char buf[ADDR_STRLEN];
            struct ip_addr a = { an->addr_family, { 0 } };
            memcpy(a.bytes, an->addr, sizeof a.bytes);
            g_string_append(out, sep);
            g_string_append_c(out, ' ');
            g_string_append(out, addr_format(&a, buf, sizeof buf));
            sep = ",";
        } else if (an->target[0]) {
            g_string_append(out, sep);
            g_string_append_c(out, ' ');
            g_string_append(out, an->target);
            sep = ",";
        }
    }
    if (m->flavor == DNS_FLAVOR_MDNS)
        g_string_append(out, " (mDNS)");
    else if (m->flavor == DNS_FLAVOR_LLMNR)
        g_string_append(out, " (LLMNR)");
}

static void describe_dtls(const struct dtls_message *m, GString *out)
{
    const struct dtls_hello *h = &m->hello;
    const char *name = dtls_handshake_name(h->handshake_type);
    g_string_append(out, name ? name : "handshake");
    uint16_t v = h->max_supported_version ? h->max_supported_version : h->version;
    const char *vn = dtls_version_name(v);
    if (vn)
        g_string_append_printf(out, " %s", vn);
    if (h->use_srtp) {
        g_string_append(out, " use_srtp=");
        for (unsigned i = 0; i < h->srtp_profile_count; i++) {
            const char *pn = dtls_srtp_profile_name(h->srtp_profiles[i]);
            if (i)
                g_string_append_c(out, ',');
            if (pn)
                g_string_append(out, pn);
            else
                g_string_append_printf(out, "0x%04x", h->srtp_profiles[i]);
        }
        g_string_append(out, " (WebRTC media)");
    }
    if (h->sni[0])
        g_string_append_printf(out, " sni=%s", h->sni);
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
        g_string_append_printf(out, "%s connection (encrypted DNS)", ev->encrypted_dns_proto);
        break;
    default:
        break;
    }
    if (ev->app)
        g_string_append_printf(out, " app=%s%s", ev->app, ev->app_guessed ? "(guessed)" : "");
    if (ev->app_category)
        g_string_append_printf(out, " category=%s", ev->app_category);
    if (ev->app_risks)
        g_string_append_printf(out, " risks=\"%s\"", ev->app_risks);
}

void sink_free(struct sink *s)
{
    if (!s)
        return;
    if (s->ops->close)
        s->ops->close(s->self);
    g_free(s);
}
