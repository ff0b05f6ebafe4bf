/* sink_json.c — JSON lines, one object per line, flushed per alert. Each
 * object carries two vocabularies for the same facts: Elastic Common Schema
 * names (@timestamp, event.*, source.*, destination.*, network.*,
 * observer.*, process.*, related.ip, tls.*, dns.question …) for pipelines,
 * and the original EVE-like top level (timestamp, event_type, src_ip,
 * dest_ip, proto, interface, verdict …) that existing users read. The schema
 * is documented in README.md and checked by tests/json_check.py. Output is
 * buffered; audit_tick() flushes it when live. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attrib.h"
#include "audit.h"
#include "geo.h"
#include "iface.h"
#include "json.h"
#include "process_view.h"
#include "sink.h"
#include "sink_out.h"
#include "timefmt.h"

struct json_sink {
    struct sink_out *out;
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
    /* ECS: the first question, header flags, rcode and resolved addresses */
    if (m->question_count) {
        json_object_begin(w, "question");
        json_str(w, "name", m->questions[0].name);
        write_dns_type(w, "type", m->questions[0].qtype);
        json_object_end(w);
    }
    json_array_begin(w, "header_flags");
    static const char *const flag_names[] = { "AA", "TC", "RD", "RA", "AD", "CD" };
    const bool flag_set[] = { m->aa, m->tc, m->rd, m->ra, m->ad, m->cd };
    for (unsigned i = 0; i < G_N_ELEMENTS(flag_names); i++)
        if (flag_set[i])
            json_str(w, NULL, flag_names[i]);
    json_array_end(w);
    if (m->is_response && dns_rcode_name(m->rcode))
        json_str(w, "response_code", dns_rcode_name(m->rcode));
    if (m->is_response) {
        json_array_begin(w, "resolved_ip");
        for (unsigned i = 0; i < m->answer_count; i++) {
            if (!m->answers[i].addr_family)
                continue;
            char buf[ADDR_STRLEN];
            struct ip_addr a = { m->answers[i].addr_family, { 0 } };
            memcpy(a.bytes, m->answers[i].addr, sizeof a.bytes);
            json_str(w, NULL, addr_format(&a, buf, sizeof buf));
        }
        json_array_end(w);
    }
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

/* "app": {"name": "STUN.Zoom", "protocol": "STUN", "application": "Zoom",
 * "category": "Video", "risks": [...], "guessed": false}: nDPI's classification. */
static void write_app(struct json_writer *w, const struct event *ev)
{
    if (!ev->app)
        return;
    json_object_begin(w, "app");
    json_str(w, "name", ev->app);
    const char *dot = strchr(ev->app, '.');
    if (dot) { /* "Master.App"; a one-part name may be either */
        json_strn(w, "protocol", ev->app, (size_t)(dot - ev->app));
        json_str(w, "application", dot + 1);
    }
    if (ev->app_category)
        json_str(w, "category", ev->app_category);
    if (ev->app_risks) {
        json_array_begin(w, "risks");
        for (const char *r = ev->app_risks; *r; ) {
            const char *comma = strchr(r, ',');
            size_t n = comma ? (size_t)(comma - r) : strlen(r);
            json_strn(w, NULL, r, n);
            r += n + (comma ? 1 : 0);
        }
        json_array_end(w);
    }
    json_bool(w, "guessed", ev->app_guessed);
    json_object_end(w);
}

/* ECS event.severity: Elastic's risk scale (low 21, medium 47, high 73). */
static unsigned ecs_severity(enum severity s)
{
    switch (s) {
    case SEVERITY_LOW: return 21;
    case SEVERITY_MEDIUM: return 47;
    case SEVERITY_HIGH: return 73;
    default: return 0;
    }
}

/* source / destination: ip, port, address; nat for the address a STUN
 * server saw (source.nat: the translated source). */
static void write_ecs_endpoint(struct json_writer *w, const char *key, const struct ip_addr *a, uint16_t port,
                               const struct geo_info *geo, const struct event *nat)
{
    char ip[ADDR_STRLEN];
    json_object_begin(w, key);
    addr_format(a, ip, sizeof ip);
    json_str(w, "ip", ip);
    json_uint(w, "port", port);
    json_str(w, "address", ip);
    if (nat && nat->has_exposed) {
        json_object_begin(w, "nat");
        json_str(w, "ip", addr_format(&nat->exposed, ip, sizeof ip));
        json_uint(w, "port", nat->exposed_port);
        json_object_end(w);
    }
    geo_json_write_fields(w, geo); /* source.geo, source.as … (geo/) */
    json_object_end(w);
}

static void write_ecs(struct json_writer *w, const struct event *ev)
{
    char buf[64], ip[ADDR_STRLEN];
    bool alert = event_is_alert(ev);
    json_str(w, "@timestamp", time_format_iso(ev->ts_ns, buf, sizeof buf));
    json_object_begin(w, "ecs");
    json_str(w, "version", "8.11.0");
    json_object_end(w);

    json_object_begin(w, "event");
    json_str(w, "kind", alert ? "alert" : "event");
    json_array_begin(w, "category");
    json_str(w, NULL, "network");
    json_array_end(w);
    json_array_begin(w, "type");
    json_str(w, NULL, "protocol");
    json_array_end(w);
    snprintf(buf, sizeof buf, "%s-%s", event_kind_name(ev->kind), verdict_name(ev->verdict));
    json_str(w, "action", buf);
    json_str(w, "module", "leakaudit");
    json_str(w, "dataset", alert ? "leakaudit.alert" : "leakaudit.event");
    if (ecs_severity(ev->severity))
        json_uint(w, "severity", ecs_severity(ev->severity));
    if (ev->reason)
        json_str(w, "reason", ev->reason);
    json_object_end(w);

    GString *msg = g_string_sized_new(160);
    char src[ADDR_PORT_STRLEN], dst[ADDR_PORT_STRLEN];
    g_string_append_printf(msg, "%s %s %s %s -> %s: ", alert ? (ev->verdict == VERDICT_LEAK ? "LEAK" : "EXPOSED")
                                                             : verdict_name(ev->verdict),
                           event_kind_name(ev->kind), ev->iface->name,
                           addr_port_format(&ev->src, ev->sport, src, sizeof src),
                           addr_port_format(&ev->dst, ev->dport, dst, sizeof dst));
    event_describe(ev, msg);
    if (ev->has_exposed)
        g_string_append_printf(msg, "; exposed %s", addr_port_format(&ev->exposed, ev->exposed_port, src, sizeof src));
    json_str(w, "message", msg->str);
    g_string_free(msg, TRUE);

    write_ecs_endpoint(w, "source", &ev->src, ev->sport, ev->src_geo, ev->dir == DIR_IN ? NULL : ev);
    write_ecs_endpoint(w, "destination", &ev->dst, ev->dport, ev->dst_geo, NULL);

    json_object_begin(w, "network");
    json_str(w, "transport", ev->transport == 6 ? "tcp" : "udp");
    json_str(w, "type", ev->src.family == 6 ? "ipv6" : "ipv4");
    json_str(w, "direction", ev->dir == DIR_OUT ? "egress" : ev->dir == DIR_IN ? "ingress" : "unknown");
    const char *proto = ev->kind == EVENT_ENCRYPTED_DNS ? ev->encrypted_dns_proto : event_kind_name(ev->kind);
    char *proto_lower = g_ascii_strdown(proto ? proto : "unknown", -1);
    json_str(w, "protocol", proto_lower);
    g_free(proto_lower);
    if (ev->app) {
        char *app = g_ascii_strdown(ev->app, -1);
        json_str(w, "application", app);
        g_free(app);
    }
    json_object_end(w);

    json_object_begin(w, "observer");
    json_str(w, "product", "leakaudit");
    json_str(w, "type", "sensor");
    json_object_begin(w, ev->dir == DIR_IN ? "ingress" : "egress");
    json_object_begin(w, "interface");
    json_str(w, "name", ev->iface->name);
    json_object_end(w);
    json_object_end(w);
    json_object_end(w);

    json_object_begin(w, "related");
    json_array_begin(w, "ip");
    json_str(w, NULL, addr_format(&ev->src, ip, sizeof ip));
    if (!addr_equal(&ev->src, &ev->dst))
        json_str(w, NULL, addr_format(&ev->dst, ip, sizeof ip));
    if (ev->has_exposed && !addr_equal(&ev->exposed, &ev->src) && !addr_equal(&ev->exposed, &ev->dst))
        json_str(w, NULL, addr_format(&ev->exposed, ip, sizeof ip));
    json_array_end(w);
    json_object_end(w);

    /* process.*, user.*, container.*, attribution.*: write_process(). */

    if (ev->kind == EVENT_DTLS && ev->dtls && ev->dtls->hello.present) {
        const struct dtls_hello *h = &ev->dtls->hello;
        const char *vn = dtls_version_name(h->max_supported_version ? h->max_supported_version : h->version);
        json_object_begin(w, "tls");
        json_str(w, "version_protocol", "dtls");
        if (vn && g_str_has_prefix(vn, "DTLS "))
            json_str(w, "version", vn + 5);
        if (h->handshake_type == DTLS_HS_CLIENT_HELLO && h->sni[0]) {
            json_object_begin(w, "client");
            json_str(w, "server_name", h->sni);
            json_object_end(w);
        }
        json_object_end(w);
    }
}

/* The local sender (live only; src/attrib/), in ECS names: process.*, user.*,
 * plus how it was found. Unavailable attribution says why, with no process. */
static void write_process(struct json_writer *w, const struct process_info *pi)
{
    if (pi->pid) {
        json_object_begin(w, "process");
        json_int(w, "pid", pi->pid);
        if (pi->name[0])
            json_str(w, "name", pi->name);
        if (pi->exe[0])
            json_str(w, "executable", pi->exe);
        if (pi->cmdline[0])
            json_str(w, "command_line", pi->cmdline);
        if (pi->role)
            json_str(w, "role", pi->role);
        if (pi->unit[0])
            json_str(w, "systemd_unit", pi->unit);
        if (pi->asked_by_pid) { /* a resolver's query: the app that asked it over loopback */
            json_object_begin(w, "asked_by");
            json_int(w, "pid", pi->asked_by_pid);
            json_str(w, "name", pi->asked_by_name);
            json_object_end(w);
        }
        json_object_end(w);
    }
    if (pi->container[0]) {
        json_object_begin(w, "container");
        json_str(w, "id", pi->container);
        json_object_end(w);
    }
    if (pi->uid >= 0) {
        json_object_begin(w, "user");
        json_int(w, "id", pi->uid);
        if (pi->user[0])
            json_str(w, "name", pi->user);
        json_object_end(w);
    }
    json_object_begin(w, "attribution");
    json_str(w, "method", pi->method);
    if (pi->confidence)
        json_str(w, "confidence", pi->confidence);
    if (pi->reason)
        json_str(w, "reason", pi->reason);
    json_object_end(w);
}

void json_write_event(struct json_writer *w, const struct event *ev)
{
    char buf[64], ip[ADDR_STRLEN];
    json_object_begin(w, NULL);
    write_ecs(w, ev);
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
    write_app(w, ev);
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
    if (ev->repeats)
        json_uint(w, "repeats", ev->repeats);
    if (ev->process)
        write_process(w, ev->process);
    if (ev->folded)
        json_bool(w, "folded", true);
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
    sink_out_record(j->out, j->line->str, j->line->len, alert); /* buffered; live, audit_tick() flushes */
}

static void json_finish(void *self, const struct audit_counters *c, const struct iface_table *ifaces)
{
    struct json_sink *j = self;
    sink_out_flush_all(); /* so that "outputs" counts every alert already decided */
    struct json_writer w;
    g_string_truncate(j->line, 0);
    json_begin(&w, j->line);
    char buf[64];
    json_object_begin(&w, NULL);
    json_str(&w, "@timestamp", time_format_iso(c->last_ns, buf, sizeof buf));
    json_object_begin(&w, "event");
    json_str(&w, "kind", "metric");
    json_str(&w, "module", "leakaudit");
    json_str(&w, "dataset", "leakaudit.summary");
    json_object_end(&w);
    GString *sentence = g_string_new(NULL);
    audit_counters_sentence(c, sentence);
    json_str(&w, "message", sentence->str);
    g_string_free(sentence, TRUE);
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
    json_object_begin(&w, "caps"); /* memory bounds: what each full table evicted or refused */
    json_uint(&w, "flows_created", c->flows_created);
    json_uint(&w, "flows_peak", c->flows_peak);
    json_uint(&w, "flows_evicted", c->flows_evicted_cap);
    json_uint(&w, "tcp_stream_drops", c->tcp_stream_drops);
    json_uint(&w, "tcp_streams_refused", c->tcp_streams_refused);
    json_uint(&w, "stun_released_early", c->pending_released_early);
    json_uint(&w, "hosts_not_learned", c->hosts_not_learned);
    json_uint(&w, "ifaces_over_cap", c->ifaces_over_cap);
    json_object_end(&w);
    if (c->dedup)
        dedup_summary_json(c->dedup, &w);
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
    sink_accounts_json(&w);
    json_object_end(&w);
    g_string_append_c(j->line, '\n');
    sink_out_record(j->out, j->line->str, j->line->len, false);
    sink_out_flush(j->out, NULL);
}

static void json_vpn_state(void *self, const struct vpn_state_change *c)
{
    struct json_sink *j = self;
    struct json_writer w;
    char buf[64];
    g_string_truncate(j->line, 0);
    json_begin(&w, j->line);
    json_object_begin(&w, NULL);
    /* ECS first, as on every other line (pipelines index by @timestamp, event.*) */
    json_str(&w, "@timestamp", time_format_iso(c->ts_ns, buf, sizeof buf));
    json_object_begin(&w, "event");
    json_str(&w, "kind", "event");
    json_array_begin(&w, "category");
    json_str(&w, NULL, "network");
    json_array_end(&w);
    json_array_begin(&w, "type");
    json_str(&w, NULL, "change");
    json_array_end(&w);
    json_str(&w, "action", c->up ? "vpn-up" : "vpn-down");
    json_str(&w, "module", "leakaudit");
    json_str(&w, "dataset", "leakaudit.event");
    if (c->why)
        json_str(&w, "reason", c->why);
    json_object_end(&w);
    GString *msg = g_string_new(c->up ? "VPN-UP" : "VPN-DOWN");
    if (c->vpn)
        g_string_append_printf(msg, " %s", c->vpn);
    if (c->why)
        g_string_append_printf(msg, ": %s", c->why);
    json_str(&w, "message", msg->str);
    g_string_free(msg, TRUE);
    json_str(&w, "timestamp", time_format_iso(c->ts_ns, buf, sizeof buf));
    json_str(&w, "event_type", "vpn_state");
    json_str(&w, "state", c->up ? "up" : "down");
    json_str(&w, "vpn", c->vpn);
    json_str(&w, "reason", c->why);
    json_object_end(&w);
    g_string_append_c(j->line, '\n');
    sink_out_record(j->out, j->line->str, j->line->len, false);
    sink_out_flush(j->out, NULL);
}

static bool json_reopen(void *self, GError **err)
{
    struct json_sink *j = self;
    if (!j->owns_out)
        return true;
    return sink_out_reopen(j->out, j->path, err); /* on failure the old file stays */
}

static bool json_flush(void *self, GError **err)
{
    struct json_sink *j = self;
    return sink_out_flush(j->out, err);
}

static void json_close(void *self)
{
    struct json_sink *j = self;
    sink_out_free(j->out);
    g_string_free(j->line, TRUE);
    g_free(j->path);
    g_free(j);
}

static const struct sink_ops json_ops = {
    .name = "json", .emit = json_emit, .finish = json_finish, .flush = json_flush, .close = json_close,
    .vpn_state = json_vpn_state, .reopen = json_reopen,
};

struct sink *sink_json_open(const char *path, const struct json_sink_options *opt, GError **err)
{
    int fd;
    bool owns = false;
    if (strcmp(path, "-") == 0) {
        fflush(stdout);
        fd = STDOUT_FILENO;
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write JSON to '%s': %s", path,
                        g_strerror(errno));
            return NULL;
        }
        owns = true;
    }
    struct json_sink *j = g_new0(struct json_sink, 1);
    j->out = sink_out_new(fd, owns, "json", owns ? path : "stdout");
    j->owns_out = owns;
    j->opt = *opt;
    j->line = g_string_sized_new(1024);
    j->path = g_strdup(path);
    struct sink *s = g_new0(struct sink, 1);
    s->ops = &json_ops;
    s->self = j;
    return s;
}
