/* pcapng_writer.h — evidence captures: pcapng with one interface block per
 * interface (real names, link types) and each packet's verdict in an EPB
 * comment, so `leakaudit -r` on the file reproduces the alerts and
 * Wireshark/tshark open it.
 *
 * Owns: the file, the interface → IDB numbering, block encoding.
 * Knows nothing of verdicts beyond the comment text it is handed.
 */
#ifndef LEAKAUDIT_PCAPNG_WRITER_H
#define LEAKAUDIT_PCAPNG_WRITER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

struct pcapng_writer;

/* Creates (truncates) path; "-" is standard output. */
struct pcapng_writer *pcapng_writer_open(const char *path, GError **err);
/* Writes one packet on the interface called `ifname` with link type
 * `linktype` (an IDB is added the first time a pair is seen). comment may be NULL.
 * direction: DIR_IN/DIR_OUT go into epb_flags. */
bool pcapng_writer_packet(struct pcapng_writer *w, const char *ifname, int linktype, const struct frame *f,
                          enum direction dir, const char *comment, GError **err);
uint64_t pcapng_writer_packets(const struct pcapng_writer *w);
bool pcapng_writer_flush(struct pcapng_writer *w, GError **err);
/* Closes; false (and *err) when the last writes failed. */
bool pcapng_writer_close(struct pcapng_writer *w, GError **err);

#endif
