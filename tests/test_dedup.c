/* test_dedup.c — the de-duplication stage on real events from the bundled
 * samples: what the pipeline delivers with and without a window, and the
 * window rules on copies of those events. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "dedup.h"
#include "json.h"
#include "process_view.h"
#include "source.h"
#include "testutil.h"

/* What a recording sink keeps of each event (borrowed parts copied). */
struct recorded {
    struct event ev;
    struct dns_message dns;
    bool alert;
};

struct recorder {
    GArray *events; /* struct recorded */
};

static void rec_emit(void *self, const struct event *ev)
{
    struct recorder *r = self;
    struct recorded rc = { .ev = *ev, .alert = event_is_alert(ev) };
    if (ev->dns)
        rc.dns = *ev->dns;
    rc.ev.stun = NULL; /* borrowed: not valid after emit */
    rc.ev.dtls = NULL;
    rc.ev.dns = NULL;
    g_array_append_val(r->events, rc);
}

static const struct sink_ops rec_ops = { .name = "recorder", .emit = rec_emit };

struct run {
    struct audit *audit;
    struct recorder rec;
    struct sink sink;
};

/* Runs a sample through the whole pipeline with a given window (seconds). */
static void run_sample(struct run *run, const char *sample, char **ifnames, const char *one_name, int window_s)
{
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.ifaces.ifname_map = ifnames;
    cfg.ifaces.single_name = one_name;
    cfg.dedup.window_ns = (uint64_t)window_s * 1000000000ull;
    GError *err = NULL;
    run->audit = audit_new(&cfg, &err);
    g_assert_no_error(err);
    run->rec.events = g_array_new(FALSE, TRUE, sizeof(struct recorded));
    run->sink.ops = &rec_ops;
    run->sink.self = &run->rec;
    audit_add_sink(run->audit, &run->sink);
    char *path = test_repo_path(sample);
    struct capture_source *src = source_open_file(path, &err);
    g_assert_no_error(err);
    unsigned declared = 0;
    struct frame f;
    while (source_next(src, &f, &err) == SOURCE_FRAME) {
        for (; declared < source_iface_count(src); declared++) {
            const struct source_iface *si = source_iface_get(src, (int)declared);
            if (si)
                audit_declare_iface(run->audit, si->id, si->name, si->linktype);
        }
        audit_frame(run->audit, &f, f.iface_name);
    }
    g_assert_no_error(err);
    audit_finish(run->audit);
    source_close(src);
    g_free(path);
}

static void run_free(struct run *run)
{
    g_array_free(run->rec.events, TRUE);
    audit_free(run->audit);
}

static const struct recorded *find_frame(const struct run *run, uint64_t frame, enum event_kind kind)
{
    for (guint i = 0; i < run->rec.events->len; i++) {
        const struct recorded *rc = &g_array_index(run->rec.events, struct recorded, i);
        if (rc->ev.frame_number == frame && rc->ev.kind == kind)
            return rc;
    }
    return NULL;
}

static unsigned count_alerts(const struct run *run)
{
    unsigned n = 0;
    for (guint i = 0; i < run->rec.events->len; i++)
        n += g_array_index(run->rec.events, struct recorded, i).alert;
    return n;
}

/* The two DTLS ClientHellos of one handshake (frames 11 and 13, ground truth
 * in samples/expected.tsv) make one alert; the second is folded into it. */
static void test_webrtc_dtls_folded(void)
{
    struct run run;
    run_sample(&run, "samples/webrtc-leak.pcapng", NULL, NULL, 60);
    const struct recorded *first = find_frame(&run, 11, EVENT_DTLS);
    const struct recorded *second = find_frame(&run, 13, EVENT_DTLS);
    g_assert_nonnull(first);
    g_assert_nonnull(second);
    g_assert_true(first->alert);
    g_assert_false(first->ev.folded);
    g_assert_false(second->alert);
    g_assert_true(second->ev.folded);
    g_assert_cmpint(second->ev.verdict, ==, VERDICT_LEAK); /* still judged a leak, only not re-told */
    g_assert_cmpuint(count_alerts(&run), ==, 3);
    const struct audit_counters *c = audit_counters(run.audit);
    g_assert_cmpuint(c->alerts, ==, 3);
    g_assert_cmpuint(c->alerts_by_kind[EVENT_DTLS], ==, 1);
    const struct dedup_totals *t = dedup_totals(c->dedup);
    g_assert_cmpuint(t->seen, ==, 4);
    g_assert_cmpuint(t->alerts, ==, 3);
    g_assert_cmpuint(t->folded, ==, 1);

    GString *text = g_string_new(NULL);
    dedup_summary_text(c->dedup, "> ", text);
    g_assert_nonnull(strstr(text->str, "> alerts by destination: dtls 203.0.113.20:4433 1 (seen 2)"));
    g_assert_nonnull(strstr(text->str, "> alerts by interface: eth0 3 (seen 4)"));
    g_assert_nonnull(strstr(text->str, "203.0.113.2:40002 1"));
    g_assert_null(strstr(text->str, "by process")); /* offline: no process known */
    g_string_truncate(text, 0);
    audit_verdict_sentence(run.audit, text);
    g_assert_nonnull(strstr(text->str, "3 alerts (2 stun, 1 dtls)"));
    g_assert_nonnull(strstr(text->str, "1 repeat folded"));
    g_string_free(text, TRUE);
    run_free(&run);
}

static void test_window_zero_disables(void)
{
    struct run run;
    run_sample(&run, "samples/webrtc-leak.pcapng", NULL, NULL, 0);
    g_assert_true(find_frame(&run, 11, EVENT_DTLS)->alert);
    g_assert_true(find_frame(&run, 13, EVENT_DTLS)->alert);
    g_assert_cmpuint(count_alerts(&run), ==, 4);
    g_assert_cmpuint(audit_counters(run.audit)->alerts, ==, 4);
    g_assert_cmpuint(dedup_totals(audit_counters(run.audit)->dedup)->folded, ==, 0);
    /* Nothing folded: the summary does not say "0 repeats folded". */
    GString *text = g_string_new(NULL);
    dedup_summary_text(audit_counters(run.audit)->dedup, "> ", text);
    g_assert_nonnull(strstr(text->str, "> alerts by kind: stun 2, dtls 2\n"));
    g_assert_null(strstr(text->str, "folded"));
    g_string_free(text, TRUE);
    run_free(&run);
}

/* Queries for other names to one resolver are other leaks, also over TCP. */
static void test_dns_names_are_distinct(void)
{
    char *ifnames[] = { "1=lo", "2=eth0", "3=wg0", NULL };
    struct run run;
    run_sample(&run, "samples/dns-leak-any.pcap", ifnames, NULL, 60);
    g_assert_cmpuint(count_alerts(&run), ==, 3);
    const struct recorded *udp = find_frame(&run, 7, EVENT_DNS), *tcp = find_frame(&run, 12, EVENT_DNS);
    g_assert_nonnull(udp);
    g_assert_nonnull(tcp);
    g_assert_true(udp->alert && tcp->alert);
    g_assert_cmpstr(udp->dns.questions[0].name, ==, "router-leak.example.com");

    /* The same query again: inside the window folded, after it a new alert
     * that tells how many were folded. */
    struct dedup_config dc = { .window_ns = 60ull * 1000000000ull, .max_keys = 100 };
    struct dedup *d = dedup_new(&dc);
    struct event ev = udp->ev;
    ev.dns = &udp->dns;
    uint64_t t0 = ev.ts_ns;
    g_assert_true(dedup_admit(d, &ev));
    g_assert_cmpuint(ev.repeats, ==, 0);
    for (int i = 1; i <= 3; i++) {
        ev.folded = false;
        ev.ts_ns = t0 + (uint64_t)i * 10 * 1000000000ull;
        g_assert_false(dedup_admit(d, &ev));
        g_assert_true(ev.folded);
        g_assert_false(event_is_alert(&ev));
    }
    ev.folded = false;
    ev.ts_ns = t0 + 61ull * 1000000000ull;
    g_assert_true(dedup_admit(d, &ev));
    g_assert_cmpuint(ev.repeats, ==, 3);
    /* Another name to the same resolver: its own alert. */
    struct dns_message other = udp->dns;
    g_strlcpy(other.questions[0].name, "another.example.com", sizeof other.questions[0].name);
    struct event ev2 = udp->ev;
    ev2.dns = &other;
    g_assert_true(dedup_admit(d, &ev2));
    /* The TCP query for the same name as frame 7 is not the UDP one. */
    struct event ev3 = tcp->ev;
    struct dns_message same_name = tcp->dns;
    g_strlcpy(same_name.questions[0].name, "router-leak.example.com", sizeof same_name.questions[0].name);
    ev3.dns = &same_name;
    g_assert_true(dedup_admit(d, &ev3));
    const struct dedup_totals *t = dedup_totals(d);
    g_assert_cmpuint(t->alerts, ==, 4);
    g_assert_cmpuint(t->folded, ==, 3);
    g_assert_cmpuint(t->seen, ==, 7);

    GString *js = g_string_new(NULL);
    struct json_writer w;
    json_begin(&w, js);
    json_object_begin(&w, NULL);
    dedup_summary_json(d, &w);
    json_object_end(&w);
    g_assert_nonnull(strstr(js->str, "{\"destination\":\"dns 198.51.100.1:53\",\"alerts\":4,\"seen\":7}"));
    g_assert_nonnull(strstr(js->str, "\"repeats_folded\":3"));
    g_string_free(js, TRUE);
    dedup_free(d);
    run_free(&run);
}

/* Keys are binary (src/dedup.c): names longer than a window's inline text,
 * names that differ only in their last byte, sweeps that compact the table,
 * and a remote that prints the same (an IPv4 address with stray bytes past
 * its four) being the same leak and the same summary row. */
static void test_binary_keys(void)
{
    char *ifnames[] = { "1=lo", "2=eth0", "3=wg0", NULL };
    struct run run;
    run_sample(&run, "samples/dns-leak-any.pcap", ifnames, NULL, 60);
    const struct recorded *udp = find_frame(&run, 7, EVENT_DNS);
    g_assert_nonnull(udp);
    g_assert_true(udp->alert);
    enum { NAMES = 12 };
    struct dedup_config dc = { .window_ns = 60ull * 1000000000ull, .max_keys = NAMES };
    struct dedup *d = dedup_new(&dc);
    struct dns_message msgs[NAMES];
    uint64_t t0 = udp->ev.ts_ns;
    for (int round = 0; round < 3; round++) {
        /* New names each round, in a full table: the windows of the last
         * round have ended, so a sweep makes room (and compacts). */
        uint64_t base = t0 + (uint64_t)round * 100 * 1000000000ull;
        for (int i = 0; i < NAMES; i++) {
            msgs[i] = udp->dns;
            /* even: short; odd: past any inline buffer, differing only at the end */
            if (i % 2)
                snprintf(msgs[i].questions[0].name, sizeof msgs[i].questions[0].name,
                         "a-rather-long-label-for-a-leak-test.another-long-label.r%d.example.com.%c", round, 'a' + i);
            else
                snprintf(msgs[i].questions[0].name, sizeof msgs[i].questions[0].name, "n%d.r%d.example", i, round);
        }
        for (int i = 0; i < NAMES; i++) {
            struct event ev = udp->ev;
            ev.dns = &msgs[i];
            ev.ts_ns = base + (uint64_t)i;
            g_assert_true(dedup_admit(d, &ev));
        }
        for (int i = NAMES - 1; i >= 0; i--) {
            struct event ev = udp->ev;
            ev.dns = &msgs[i];
            ev.ts_ns = base + 1000000000ull;
            g_assert_false(dedup_admit(d, &ev));
        }
        g_assert_cmpuint(dedup_totals(d)->untracked, ==, 0);
    }
    /* Stray bytes past an IPv4 address's four: it prints the same, so it is
     * the same leak. */
    struct event ev = udp->ev;
    ev.dns = &msgs[0];
    ev.ts_ns = t0 + 200ull * 1000000000ull + 5;
    g_assert_cmpuint(ev.dst.family, ==, 4);
    ev.dst.bytes[9] = 0x5a;
    g_assert_false(dedup_admit(d, &ev));
    const struct dedup_totals *t = dedup_totals(d);
    g_assert_cmpuint(t->alerts, ==, 3 * NAMES);
    g_assert_cmpuint(t->folded, ==, 3 * NAMES + 1);
    GString *text = g_string_new(NULL);
    dedup_summary_text(d, "", text);
    g_assert_nonnull(strstr(text->str, "alerts by destination: dns 198.51.100.1:53 36 (seen 73)\n"));
    g_string_free(text, TRUE);
    dedup_free(d);
    run_free(&run);
}

/* The key table is bounded: beyond it alerts go out unfolded, counted. */
static void test_key_cap(void)
{
    struct run run;
    run_sample(&run, "samples/webrtc-leak.pcapng", NULL, NULL, 0);
    const struct recorded *v4 = find_frame(&run, 7, EVENT_STUN), *v6 = find_frame(&run, 9, EVENT_STUN);
    g_assert_nonnull(v4);
    g_assert_nonnull(v6);
    struct dedup_config dc = { .window_ns = 60ull * 1000000000ull, .max_keys = 1 };
    struct dedup *d = dedup_new(&dc);
    struct event a = v4->ev, b = v6->ev;
    g_assert_true(dedup_admit(d, &a));
    g_assert_true(dedup_admit(d, &b)); /* no room, the first window still open */
    g_assert_cmpuint(dedup_totals(d)->untracked, ==, 1);
    /* Still open a second before its end (no sweep can help), gone at it. */
    b.ts_ns = a.ts_ns + 59ull * 1000000000ull;
    g_assert_true(dedup_admit(d, &b));
    g_assert_cmpuint(dedup_totals(d)->untracked, ==, 2);
    b.ts_ns = a.ts_ns + 60ull * 1000000000ull;
    g_assert_true(dedup_admit(d, &b));
    g_assert_cmpuint(dedup_totals(d)->untracked, ==, 2);
    b.ts_ns += 1000000000ull;
    g_assert_false(dedup_admit(d, &b)); /* b's window now: folded */
    /* Once that window has ended too, it is reopened, not untracked. */
    b.ts_ns = a.ts_ns + 120ull * 1000000000ull;
    g_assert_true(dedup_admit(d, &b));
    b.ts_ns += 1000000000ull;
    g_assert_false(dedup_admit(d, &b));
    g_assert_cmpuint(dedup_totals(d)->untracked, ==, 2);
    dedup_free(d);
    run_free(&run);
}

/* struct process_info belongs to src/attrib/; dedup sees it only through
 * process_view. This test's own stand-in: */
struct process_info {
    uint32_t pid;
    char comm[16];
};

static bool test_process_reader(const struct process_info *p, struct process_view *out)
{
    out->pid = p->pid;
    g_strlcpy(out->name, p->comm, sizeof out->name);
    return true;
}

/* The same leak from two processes is two leaks; the summary names them. */
static void test_process_in_key(void)
{
    struct run run;
    run_sample(&run, "samples/webrtc-leak.pcapng", NULL, NULL, 0);
    const struct recorded *dtls = find_frame(&run, 11, EVENT_DTLS);
    g_assert_nonnull(dtls);
    process_view_register(test_process_reader);
    struct process_info chromium = { 2127, "chromium" }, firefox = { 3301, "firefox" };
    struct dedup_config dc = { .window_ns = 60ull * 1000000000ull, .max_keys = 100 };
    struct dedup *d = dedup_new(&dc);
    struct event a = dtls->ev, b = dtls->ev;
    a.process = &chromium;
    b.process = &firefox;
    g_assert_true(dedup_admit(d, &a));
    g_assert_true(dedup_admit(d, &b));
    a.folded = false;
    g_assert_false(dedup_admit(d, &a));
    GString *text = g_string_new(NULL);
    dedup_summary_text(d, "", text);
    g_assert_nonnull(strstr(text->str, "alerts by process: chromium(2127) 1 (seen 2), firefox(3301) 1\n"));
    g_string_free(text, TRUE);
    process_view_register(NULL);
    dedup_free(d);
    run_free(&run);
}

static void test_rate_limit(void)
{
    struct rate_limit r;
    rate_limit_init(&r, 2, 3);
    uint64_t t = 1000000000ull;
    for (int i = 0; i < 3; i++)
        g_assert_true(rate_limit_take(&r, t));
    g_assert_false(rate_limit_take(&r, t));
    g_assert_false(rate_limit_take(&r, t + 400000000ull)); /* 0.8 token by now */
    g_assert_true(rate_limit_take(&r, t + 500000000ull));  /* 1 token after 0.5 s at 2/s */
    g_assert_false(rate_limit_take(&r, t + 500000000ull));
    g_assert_cmpuint(r.suppressed, ==, 3);
    /* A long pause refills only up to the burst. */
    t += 100ull * 1000000000ull;
    for (int i = 0; i < 3; i++)
        g_assert_true(rate_limit_take(&r, t));
    g_assert_false(rate_limit_take(&r, t));
    struct rate_limit unlimited;
    rate_limit_init(&unlimited, 0, 0);
    for (int i = 0; i < 1000; i++)
        g_assert_true(rate_limit_take(&unlimited, t));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dedup/webrtc-dtls-folded", test_webrtc_dtls_folded);
    g_test_add_func("/dedup/window-zero", test_window_zero_disables);
    g_test_add_func("/dedup/dns-names", test_dns_names_are_distinct);
    g_test_add_func("/dedup/key-cap", test_key_cap);
    g_test_add_func("/dedup/binary-keys", test_binary_keys);
    g_test_add_func("/dedup/rate-limit", test_rate_limit);
    g_test_add_func("/dedup/process-in-key", test_process_in_key);
    return g_test_run();
}
