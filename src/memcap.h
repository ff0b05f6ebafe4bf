/* memcap.h — one memory budget (--max-memory) turned into the caps of the
 * auditor's bounded tables.
 *
 * Owns: what one entry of each capped table costs (flow, TCP reassembly
 * buffer, leaked STUN request waiting for its reply), the fixed reserve for
 * code, libraries, I/O buffers and the small fixed-cap tables (interfaces,
 * learned host addresses) plus nDPI's module unless cfg->no_dpi, and how a
 * budget is split among the tables (a flow's cost includes its nDPI state).
 * Every table evicts and counts when full (see audit_counters), so resident
 * memory stays under the budget whatever the input.
 * Knows nothing of packets.
 */
#ifndef LEAKAUDIT_MEMCAP_H
#define LEAKAUDIT_MEMCAP_H

#include <glib.h>
#include <stdint.h>

#include "audit.h"

enum { MEMCAP_MIN_MIB = 16 };

/* Sets cfg's max_flows, max_tcp_streams and max_pending_stun so that their
 * worst case plus the reserve fits in budget_mib MiB; reads cfg->no_dpi, so
 * set that first. False and *err when the budget is below MEMCAP_MIN_MIB
 * (MEMCAP_MIN_MIB + 8 with nDPI on). */
bool memcap_apply(struct audit_config *cfg, uint64_t budget_mib, GError **err);

/* Worst-case bytes of the capped tables under cfg, plus the reserve. */
uint64_t memcap_worst_case_bytes(const struct audit_config *cfg);

/* "flows 112345 x 168 B, tcp streams 3200 x 4128 B, ..." for -v. */
void memcap_describe(const struct audit_config *cfg, GString *out);

#endif
