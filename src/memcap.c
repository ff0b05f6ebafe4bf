/* memcap.c — see memcap.h.
 * Costs are sizeof() of the stored records plus their index and allocator
 * overhead, rounded up; the reserve was measured: leakaudit reading a small
 * capture peaks at 5.4 MiB resident (code, libpcap, nDPI, GLib, stdio), the
 * full interface table (4096 x 272 B + keys) adds 1.5 MiB, the learned-host
 * set 0.1 MiB; 12 MiB leaves room for the source's own buffers. */
#include "memcap.h"

#include "flow.h"
#include "reasm.h"
#include "stun.h"

enum { MIB = 1 << 20, RESERVE_BYTES = 12 * MIB, MIN_ENTRIES = 16 };

/* A flow: the record, up to 4 index slots (the index is the next power of
 * two above twice the cap) and its free-list slot. */
#define FLOW_COST (sizeof(struct flow) + 4 * sizeof(uint32_t) + sizeof(uint32_t))
/* A reassembly buffer: the record and malloc's header. */
#define TCP_STREAM_COST (sizeof(struct tcp_stream) + 16)
/* A waiting STUN request: its event and message copy (audit.c's pending_stun),
 * a hash slot pair and a queue link. */
#define PENDING_COST (16 + sizeof(struct event) + sizeof(struct stun_message) + 16 + 48 + 24)

/* Shares of what is left after the reserve, in percent. */
enum { SHARE_FLOWS = 50, SHARE_TCP = 35, SHARE_PENDING = 15 };

static uint32_t entries_for(uint64_t bytes, uint64_t cost)
{
    uint64_t n = bytes / cost;
    if (n < MIN_ENTRIES)
        n = MIN_ENTRIES;
    return n > UINT32_MAX / 4 ? UINT32_MAX / 4 : (uint32_t)n;
}

bool memcap_apply(struct audit_config *cfg, uint64_t budget_mib, GError **err)
{
    if (budget_mib < MEMCAP_MIN_MIB || budget_mib > (1u << 20)) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--max-memory must be between %d and %u MiB", MEMCAP_MIN_MIB, 1u << 20);
        return false;
    }
    uint64_t left = budget_mib * MIB - RESERVE_BYTES;
    cfg->max_flows = entries_for(left / 100 * SHARE_FLOWS, FLOW_COST);
    cfg->max_tcp_streams = entries_for(left / 100 * SHARE_TCP, TCP_STREAM_COST);
    cfg->max_pending_stun = entries_for(left / 100 * SHARE_PENDING, PENDING_COST);
    return true;
}

uint64_t memcap_worst_case_bytes(const struct audit_config *cfg)
{
    return RESERVE_BYTES + (uint64_t)cfg->max_flows * FLOW_COST + (uint64_t)cfg->max_tcp_streams * TCP_STREAM_COST +
           (uint64_t)cfg->max_pending_stun * PENDING_COST;
}

void memcap_describe(const struct audit_config *cfg, GString *out)
{
    g_string_append_printf(out,
                           "flows %u x %zu B, tcp streams %u x %zu B, waiting stun %u x %zu B, reserve %d MiB: "
                           "worst case %.1f MiB",
                           cfg->max_flows, (size_t)FLOW_COST, cfg->max_tcp_streams, (size_t)TCP_STREAM_COST,
                           cfg->max_pending_stun, (size_t)PENDING_COST, RESERVE_BYTES / MIB,
                           (double)memcap_worst_case_bytes(cfg) / MIB);
}
