/* sink_json.c — JSON lines (EVE-like top level: timestamp, event_type,
 * src_ip, src_port, dest_ip, dest_port, proto, interface), one object per
 * line, flushed per alert. The schema is documented in README.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "geo.h"
#include "iface.h"
#include "json.h"
#include "sink.h"
#include "timefmt.h"

struct json_sink {
    FILE *out;
    bool owns_out;
    struct json_sink_options opt;
    GString *line;
    char *path;
};

static void write_addr(struct json_writer *w, const char *key, const struct dissect_addr *a)
{
    char buf[ADDR_STRLEN];
    struct ip_addr ip = { a->family, { 0 } };
    memcpy(ip.bytes, a->bytes, sizeof ip.bytes);
    json_object_begin(w, key);
    json_str(w, "ip", addr_format(&ip, buf, sizeof buf));
    json_uint(w, "port", a->port);
    json_uint(w, "family", a->family);
    json_object_end(w);
}

static void write_stun(struct json_writer *w, const struct stun_message *m)
{
    json_object_begin(w, "stun");
    if (m->channel_data) {
        json_bool(w, "channel_data", true);
        json_uint(w, "channel", m->channel);
        json_uint(w, "length", m->length);
        json_object_end(w);
        return;
    }
    json_str(w, "class", stun_class_name(m->cls));
    const char *method = stun_method_name(m->method);
    if (method)
        json_str(w, "method", method);
    else
        json_uint(w, "method", m->method);
    json_uint(w, "type", m->type);
    json_uint(w, "length", m->length);
    json_bool(w, "classic", m->classic);
    char txid[33];
    for (unsigned i = 0; i < m->transaction_id_len && i < 16; i++)
        snprintf(txid + 2 * i, 3, "%02x", m->transaction_id[i]);
    txid[2 * (m->transaction_id_len < 16 ? m->transaction_id_len : 16)] = '\0';
    json_str(w, "transaction_id", txid);
    json_array_begin(w, "attributes");
    for (unsigned i = 0; i < m->attr_count && i < STUN_MAX_ATTRS; i++) {
        const char *an = stun_attr_name(m->attr_types[i]);
        if (an)
            json_str(w, NULL, an);
        else
            json_uint(w, NULL, m->attr_types[i]);
    }
    json_array_end(w);
    if (m->xor_mapped.family)
        write_addr(w, "xor_mapped_address", &m->xor_mapped);
    if (m->mapped.family)
        write_addr(w, "mapped_address", &m->mapped);
    if (m->xor_peer.family)
        write_addr(w, "xor_peer_address", &m->xor_peer);
    if (m->xor_relayed.family)
        write_addr(w, "xor_relayed_address", &m->xor_relayed);
    if (m->response_origin.family)
        write_addr(w, "response_origin", &m->response_origin);
    if (m->other_address.family)
        write_addr(w, "other_address", &m->other_address);
    if (m->username.len)
        json_strn(w, "username", m->username.value, m->username.len);
    if (m->software.len)
        json_strn(w, "software", m->software.value, m->software.len);
    if (m->realm.len)
        json_strn(w, "realm", m->realm.value, m->realm.len);
    if (m->error_code) {
        json_uint(w, "error_code", m->error_code);
        json_strn(w, "error_reason", m->error_reason.value, m->error_reason.len);
    }
    if (m->has_priority)
        json_uint(w, "priority", m->priority);
    if (m->ice_controlling || m->ice_controlled)
        json_str(w, "ice_role", m->ice_controlling ? "controlling" : "controlled");
    if (m->use_candidate)
        json_bool(w, "use_candidate", true);
    if (m->has_lifetime)
        json_uint(w, "lifetime", m->lifetime);
    static const char *const fp[] = { "absent", "valid", "invalid" };
    json_str(w, "fingerprint", fp[m->fingerprint <= STUN_FP_INVALID ? m->fingerprint : 0]);
    json_bool(w, "message_integrity", m->has_message_integrity || m->has_message_integrity_sha256);
    json_object_end(w);
}

static void write_dns_type(struct json_writer *w, const char *key, uint16_t type)
{
    const char *n = dns_type_name(type);
    if (n) {
        json_str(w, key, n);
    } else {
        char buf[16];
        snprintf(buf, sizeof buf, "TYPE%u", type);
        json_str(w, key, buf);
    }
}

static void write_dns(struct json_writer *w, const struct dns_message *m)
{
    static const char *const flavors[] = { "dns", "mdns", "llmnr" };
    json_object_begin(w, "dns");
    json_str(w, "type", m->is_response ? "answer" : "query");
    json_str(w, "flavor", flavors[m->flavor <= DNS_FLAVOR_LLMNR ? m->flavor : 0]);
    json_uint(w, "id", m->id);
    json_uint(w, "opcode", m->opcode);
    if (m->is_response) {
        const char *rc = dns_rcode_name(m->rcode);
        if (rc)
            json_str(w, "rcode", rc);
        else
            json_uint(w, "rcode", m->rcode);
    }
    json_object_begin(w, "flags");
    json_bool(w, "aa", m->aa);
    json_bool(w, "tc", m->tc);
    json_bool(w, "rd", m->rd);
    json_bool(w, "ra", m->ra);
    json_object_end(w);
    json_array_begin(w, "queries");
    for (unsigned i = 0; i < m->question_count; i++) {
        json_object_begin(w, NULL);
        json_str(w, "rrname", m->questions[i].name);
        write_dns_type(w, "rrtype", m->questions[i].qtype);
        json_object_end(w);
    }
    json_array_end(w);
    if (m->is_response) {
        json_array_begin(w, "answers");
        for (unsigned i = 0; i < m->answer_count; i++) {
            const struct dns_answer *an = &m->answers[i];
            json_object_begin(w, NULL);
            json_str(w, "rrname", an->name);
            write_dns_type(w, "rrtype", an->type);
            json_uint(w, "ttl", an->ttl);
            if (an->addr_family) {
                char buf[ADDR_STRLEN];
                struct ip_addr a = { an->addr_family, { 0 } };
                memcpy(a.bytes, an->addr, sizeof a.bytes);
                json_str(w, "rdata", addr_format(&a, buf, sizeof buf));
            } else if (an->target[0]) {
                json_str(w, "rdata", an->target);
            }
            json_object_end(w);
        }
        json_array_end(w);
    }
    json_object_end(w);
}

static void write_dtls(struct json_writer *w, const struct dtls_message *m)
{
    json_object_begin(w, "dtls");
    json_array_begin(w, "records");
    for (unsigned i = 0; i < m->record_count && i < DTLS_MAX_RECORDS; i++) {
        const struct dtls_record *r = &m->records[i];
        json_object_begin(w, NULL);
        const char *ct = dtls_content_type_name(r->content_type);
        if (ct)
            json_str(w, "content_type", ct);
        else
            json_uint(w, "content_type", r->content_type);
        const char *vn = dtls_version_name(r->version);
        if (vn)
            json_str(w, "version", vn);
        json_uint(w, "epoch", r->epoch);
        json_uint(w, "length", r->length);
        json_object_end(w);
    }
    json_array_end(w);
    const struct dtls_hello *h = &m->hello;
    if (h->present) {
        const char *hn = dtls_handshake_name(h->handshake_type);
        json_str(w, "handshake", hn);
        const char *vn = dtls_version_name(h->version);
        json_str(w, "version", vn);
        if (h->max_supported_version)
            json_str(w, "supported_version", dtls_version_name(h->max_supported_version));
        if (h->handshake_type == DTLS_HS_CLIENT_HELLO)
            json_uint(w, "cipher_count", h->cipher_count);
        else
            json_uint(w, "cipher", h->cipher);
        json_array_begin(w, "extensions");
        for (unsigned i = 0; i < h->extension_count && i < DTLS_MAX_EXTENSIONS; i++)
            json_uint(w, NULL, h->extensions[i]);
        json_array_end(w);
        if (h->use_srtp) {
            json_array_begin(w, "use_srtp");
            for (unsigned i = 0; i < h->srtp_profile_count; i++) {
                const char *pn = dtls_srtp_profile_name(h->srtp_profiles[i]);
                if (pn)
                    json_str(w, NULL, pn);
                else
                    json_uint(w, NULL, h->srtp_profiles[i]);
            }
            json_array_end(w);
        }
        if (h->sni[0])
            json_str(w, "sni", h->sni);
        json_bool(w, "fragmented", h->fragmented);
    }
    json_object_end(w);
}

void json_write_event(struct json_writer *w, const struct event *ev)
{
    char buf[64], ip[ADDR_STRLEN];
    json_object_begin(w, NULL);
    json_str(w, "timestamp", time_format_iso(ev->ts_ns, buf, sizeof buf));
    json_str(w, "event_type", event_kind_name(ev->kind));
    json_uint(w, "frame", ev->frame_number);
    json_str(w, "interface", ev->iface->name);
    json_str(w, "interface_role", iface_role_name(ev->iface->role));
    json_str(w, "direction", direction_name(ev->dir));
    if (ev->dir_inferred)
        json_bool(w, "direction_inferred", true);
    json_str(w, "src_ip", addr_format(&ev->src, ip, sizeof ip));
    json_uint(w, "src_port", ev->sport);
    json_str(w, "dest_ip", addr_format(&ev->dst, ip, sizeof ip));
    json_uint(w, "dest_port", ev->dport);
    json_str(w, "proto", ev->transport == 6 ? "TCP" : "UDP");
    if (ev->tunnel)
        json_str(w, "tunnel", ev->tunnel);
    if (ev->app)
        json_str(w, "app", ev->app);
    json_str(w, "verdict", verdict_name(ev->verdict));
    json_bool(w, "alert", event_is_alert(ev));
    if (ev->severity)
        json_str(w, "severity", severity_name(ev->severity));
    if (ev->reason)
        json_str(w, "reason", ev->reason);
    if (ev->vpn_name)
        json_str(w, "vpn", ev->vpn_name);
    if (ev->has_exposed) {
        json_object_begin(w, "exposed");
        json_str(w, "ip", addr_format(&ev->exposed, ip, sizeof ip));
        json_uint(w, "port", ev->exposed_port);
        geo_json_write_fields(w, ev->exposed_geo);
        json_object_end(w);
    }
    geo_json_write_object(w, "source", ev->src_geo);        /* ECS source.geo / source.as */
    geo_json_write_object(w, "destination", ev->dst_geo);   /* ECS destination.geo / destination.as */
    if (ev->repeats)
        json_uint(w, "repeats", ev->repeats);
    switch (ev->kind) {
    case EVENT_STUN: write_stun(w, ev->stun); break;
    case EVENT_DNS: write_dns(w, ev->dns); break;
    case EVENT_DTLS: write_dtls(w, ev->dtls); break;
    case EVENT_ENCRYPTED_DNS:
        json_object_begin(w, "encrypted_dns");
        json_str(w, "protocol", ev->encrypted_dns_proto);
        json_object_end(w);
        break;
    default: break;
    }
    json_object_end(w);
}

static void json_emit(void *self, const struct event *ev)
{
    struct json_sink *j = self;
    bool alert = event_is_alert(ev);
    if (!alert && !j->opt.events)
        return;
    struct json_writer w;
    g_string_truncate(j->line, 0);
    json_begin(&w, j->line);
    json_write_event(&w, ev);
    g_string_append_c(j->line, '\n');
    fwrite(j->line->str, 1, j->line->len, j->out);
    if (alert)
        fflush(j->out);
}

static void json_finish(void *self, const struct audit_counters *c, const struct iface_table *ifaces)
{
    struct json_sink *j = self;
    struct json_writer w;
    g_string_truncate(j->line, 0);
    json_begin(&w, j->line);
    char buf[64];
    json_object_begin(&w, NULL);
    json_str(&w, "timestamp", time_format_iso(c->last_ns, buf, sizeof buf));
    json_str(&w, "event_type", "summary");
    json_uint(&w, "packets", c->frames);
    json_uint(&w, "bytes", c->bytes);
    json_object_begin(&w, "events");
    for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
        json_uint(&w, event_kind_name((enum event_kind)k), c->events[k]);
    json_object_end(&w);
    json_object_begin(&w, "malformed");
    for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++)
        json_uint(&w, event_kind_name((enum event_kind)k), c->malformed[k]);
    json_uint(&w, "packets", c->decode[DECODE_MALFORMED]);
    json_uint(&w, "capture_blocks", c->source_malformed);
    json_object_end(&w);
    json_object_begin(&w, "verdicts");
    for (int v = VERDICT_NONE + 1; v < VERDICT_COUNT; v++)
        json_uint(&w, verdict_name((enum verdict)v), c->verdicts[v]);
    json_object_end(&w);
    json_uint(&w, "alerts", c->alerts);
    json_uint(&w, "exposures", c->exposures);
    json_array_begin(&w, "interfaces");
    for (unsigned i = 0; ifaces && i < iface_table_count(ifaces); i++) {
        const struct iface *ifc = iface_table_get(ifaces, i);
        json_object_begin(&w, NULL);
        json_str(&w, "name", ifc->name);
        json_str(&w, "role", iface_role_name(ifc->role));
        json_str(&w, "role_source", iface_role_source_name(ifc->role_source));
        json_uint(&w, "packets", ifc->packets);
        if (ifc->vpn_transport_packets) {
            json_str(&w, "vpn_transport", ifc->vpn_transport_proto);
            json_uint(&w, "vpn_transport_packets", ifc->vpn_transport_packets);
        }
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
    g_string_append_c(j->line, '\n');
    fwrite(j->line->str, 1, j->line->len, j->out);
    fflush(j->out);
}

static bool json_flush(void *self, GError **err)
{
    struct json_sink *j = self;
    if (fflush(j->out) != 0 || ferror(j->out)) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "writing '%s': %s", j->path,
                    g_strerror(errno));
        return false;
    }
    return true;
}

static void json_close(void *self)
{
    struct json_sink *j = self;
    if (j->owns_out)
        fclose(j->out);
    else
        fflush(j->out);
    g_string_free(j->line, TRUE);
    g_free(j->path);
    g_free(j);
}

static const struct sink_ops json_ops = {
    .name = "json", .emit = json_emit, .finish = json_finish, .flush = json_flush, .close = json_close,
};

struct sink *sink_json_open(const char *path, const struct json_sink_options *opt, GError **err)
{
    FILE *out;
    bool owns = false;
    if (strcmp(path, "-") == 0) {
        out = stdout;
    } else {
        out = fopen(path, "w");
        if (!out) {
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write JSON to '%s': %s", path,
                        g_strerror(errno));
            return NULL;
        }
        owns = true;
    }
    struct json_sink *j = g_new0(struct json_sink, 1);
    j->out = out;
    j->owns_out = owns;
    j->opt = *opt;
    j->line = g_string_sized_new(1024);
    j->path = g_strdup(path);
    struct sink *s = g_new0(struct sink, 1);
    s->ops = &json_ops;
    s->self = j;
    return s;
}
