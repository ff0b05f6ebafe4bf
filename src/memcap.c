/* memcap.c — see memcap.h.
 * Costs are sizeof() of the stored records plus their index and allocator
 * overhead, rounded up; the reserve was measured: leakaudit reading a small
 * capture peaks at 5.4 MiB resident (code, libpcap, nDPI, GLib, stdio), the
 * full interface table (4096 x 272 B + keys) adds 1.5 MiB, the learned-host
 * set 0.1 MiB; 12 MiB leaves room for the source's own buffers.
 * With nDPI on (the default) the detection module adds 7.0 MiB resident
 * (the same small capture: 14.5 MiB, 7.5 MiB with --no-dpi), reserved as
 * 8 MiB, and every flow may hold nDPI state while it is being classified: a
 * flood of one-packet flows keeps all of them under classification, so the
 * worst case counts that state in each flow's cost. */
#include "memcap.h"

#include "dpi.h"

#include "flow.h"
#include "reasm.h"
#include "stun.h"

enum { MIB = 1 << 20, RESERVE_BYTES = 12 * MIB, DPI_RESERVE_BYTES = 8 * MIB, MIN_ENTRIES = 16 };

/* A flow: the record, up to 4 index slots (the index is the next power of
 * two above twice the cap) and its free-list slot. */
#define FLOW_COST (sizeof(struct flow) + 4 * sizeof(uint32_t) + sizeof(uint32_t))
/* A flow's nDPI state while classifying: dpi.c's block, malloc's header and
 * room for what nDPI allocates itself (names, certificate fields). */
#define DPI_FLOW_EXTRA 64

static uint64_t flow_cost(const struct audit_config *cfg)
{
    return FLOW_COST + (cfg->no_dpi ? 0 : dpi_flow_state_bytes() + 16 + DPI_FLOW_EXTRA);
}

static uint64_t reserve_bytes(const struct audit_config *cfg)
{
    return RESERVE_BYTES + (cfg->no_dpi ? 0 : DPI_RESERVE_BYTES);
}

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
    uint64_t min_mib = MEMCAP_MIN_MIB + (cfg->no_dpi ? 0 : DPI_RESERVE_BYTES / MIB);
    if (budget_mib < min_mib || budget_mib > (1u << 20)) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--max-memory must be between %u and %u MiB%s", (unsigned)min_mib, 1u << 20,
                    cfg->no_dpi ? "" : " (nDPI's share included; the minimum is 16 with --no-dpi)");
        return false;
    }
    uint64_t left = budget_mib * MIB - reserve_bytes(cfg);
    cfg->max_flows = entries_for(left / 100 * SHARE_FLOWS, flow_cost(cfg));
    cfg->max_tcp_streams = entries_for(left / 100 * SHARE_TCP, TCP_STREAM_COST);
    cfg->max_pending_stun = entries_for(left / 100 * SHARE_PENDING, PENDING_COST);
    return true;
}

uint64_t memcap_worst_case_bytes(const struct audit_config *cfg)
{
    return reserve_bytes(cfg) + (uint64_t)cfg->max_flows * flow_cost(cfg) +
           (uint64_t)cfg->max_tcp_streams * TCP_STREAM_COST + (uint64_t)cfg->max_pending_stun * PENDING_COST;
}

void memcap_describe(const struct audit_config *cfg, GString *out)
{
    g_string_append_printf(out,
                           "flows %u x %zu B%s, tcp streams %u x %zu B, waiting stun %u x %zu B, reserve %d MiB%s: "
                           "worst case %.1f MiB",
                           cfg->max_flows, (size_t)flow_cost(cfg), cfg->no_dpi ? "" : " (nDPI state included)",
                           cfg->max_tcp_streams, (size_t)TCP_STREAM_COST, cfg->max_pending_stun, (size_t)PENDING_COST,
                           (int)(reserve_bytes(cfg) / MIB), cfg->no_dpi ? "" : " (nDPI 8)",
                           (double)memcap_worst_case_bytes(cfg) / MIB);
}
