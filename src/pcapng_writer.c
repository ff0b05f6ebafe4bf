/* pcapng_writer.c — see pcapng_writer.h. Little-endian blocks, nanosecond
 * timestamps (if_tsresol = 9). */
#include "pcapng_writer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
    BT_SHB = 0x0A0D0D0A, BT_IDB = 0x00000001, BT_EPB = 0x00000006,
    OPT_END = 0, OPT_COMMENT = 1, OPT_IF_NAME = 2, OPT_IF_TSRESOL = 9, OPT_EPB_FLAGS = 2,
    EPB_FLAG_INBOUND = 1, EPB_FLAG_OUTBOUND = 2,
};

struct pcapng_writer {
    FILE *out;
    bool owns;
    char *path;
    GHashTable *idb;      /* "linktype/name" → IDB number + 1 */
    uint32_t next_idb;
    uint64_t packets;
    GByteArray *block;    /* scratch: one block being built */
};

static void put_u16(GByteArray *b, uint16_t v) { g_byte_array_append(b, (const guint8 *)&v, 2); }
static void put_u32(GByteArray *b, uint32_t v) { g_byte_array_append(b, (const guint8 *)&v, 4); }

static void put_pad(GByteArray *b)
{
    static const guint8 zeros[4] = { 0 };
    if (b->len % 4)
        g_byte_array_append(b, zeros, 4 - b->len % 4);
}

static void put_option(GByteArray *b, uint16_t code, const void *data, uint16_t len)
{
    put_u16(b, code);
    put_u16(b, len);
    g_byte_array_append(b, data, len);
    put_pad(b);
}

/* Starts a block (type + placeholder length); finish_block fills lengths. */
static void start_block(GByteArray *b, uint32_t type)
{
    g_byte_array_set_size(b, 0);
    put_u32(b, type);
    put_u32(b, 0);
}

static bool finish_block(struct pcapng_writer *w, GError **err)
{
    GByteArray *b = w->block;
    put_pad(b);
    uint32_t total = b->len + 4;
    memcpy(b->data + 4, &total, 4);
    put_u32(b, total);
    if (fwrite(b->data, 1, b->len, w->out) != b->len) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "writing evidence '%s': %s", w->path,
                    g_strerror(errno));
        return false;
    }
    return true;
}

struct pcapng_writer *pcapng_writer_open(const char *path, GError **err)
{
    FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (!out) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot write evidence to '%s': %s", path,
                    g_strerror(errno));
        return NULL;
    }
    struct pcapng_writer *w = g_new0(struct pcapng_writer, 1);
    w->out = out;
    w->owns = out != stdout;
    w->path = g_strdup(path);
    w->idb = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    w->block = g_byte_array_new();
    /* Section header: byte-order magic, version 1.0, unknown section length. */
    start_block(w->block, BT_SHB);
    put_u32(w->block, 0x1A2B3C4D);
    put_u16(w->block, 1);
    put_u16(w->block, 0);
    put_u32(w->block, 0xffffffffu);
    put_u32(w->block, 0xffffffffu);
    const char *app = "leakaudit evidence";
    put_option(w->block, 4 /* shb_userappl */, app, (uint16_t)strlen(app));
    put_option(w->block, OPT_END, NULL, 0);
    if (!finish_block(w, err)) {
        pcapng_writer_close(w, NULL);
        return NULL;
    }
    return w;
}

static int idb_for(struct pcapng_writer *w, const char *ifname, int linktype, GError **err)
{
    char *key = g_strdup_printf("%d/%s", linktype, ifname);
    gpointer v = g_hash_table_lookup(w->idb, key);
    if (v) {
        g_free(key);
        return GPOINTER_TO_INT(v) - 1;
    }
    start_block(w->block, BT_IDB);
    put_u16(w->block, (uint16_t)linktype);
    put_u16(w->block, 0);
    put_u32(w->block, 0); /* snaplen: no limit */
    size_t nlen = strlen(ifname);
    put_option(w->block, OPT_IF_NAME, ifname, (uint16_t)(nlen > 255 ? 255 : nlen));
    uint8_t tsresol = 9;
    put_option(w->block, OPT_IF_TSRESOL, &tsresol, 1);
    put_option(w->block, OPT_END, NULL, 0);
    if (!finish_block(w, err)) {
        g_free(key);
        return -1;
    }
    int id = (int)w->next_idb++;
    g_hash_table_insert(w->idb, key, GINT_TO_POINTER(id + 1));
    return id;
}

bool pcapng_writer_packet(struct pcapng_writer *w, const char *ifname, int linktype, const struct frame *f,
                          enum direction dir, const char *comment, GError **err)
{
    int id = idb_for(w, ifname, linktype, err);
    if (id < 0)
        return false;
    start_block(w->block, BT_EPB);
    put_u32(w->block, (uint32_t)id);
    put_u32(w->block, (uint32_t)(f->ts_ns >> 32));
    put_u32(w->block, (uint32_t)f->ts_ns);
    put_u32(w->block, f->caplen);
    put_u32(w->block, f->wirelen);
    g_byte_array_append(w->block, f->data, f->caplen);
    put_pad(w->block);
    if (comment) {
        size_t clen = strlen(comment);
        put_option(w->block, OPT_COMMENT, comment, (uint16_t)(clen > 60000 ? 60000 : clen));
    }
    if (dir == DIR_IN || dir == DIR_OUT) {
        uint32_t flags = dir == DIR_IN ? EPB_FLAG_INBOUND : EPB_FLAG_OUTBOUND;
        put_option(w->block, OPT_EPB_FLAGS, &flags, 4);
    }
    put_option(w->block, OPT_END, NULL, 0);
    if (!finish_block(w, err))
        return false;
    w->packets++;
    return true;
}

uint64_t pcapng_writer_packets(const struct pcapng_writer *w) { return w->packets; }

bool pcapng_writer_flush(struct pcapng_writer *w, GError **err)
{
    if (fflush(w->out) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "writing evidence '%s': %s", w->path,
                    g_strerror(errno));
        return false;
    }
    return true;
}

bool pcapng_writer_close(struct pcapng_writer *w, GError **err)
{
    bool ok = pcapng_writer_flush(w, err);
    if (w->owns && fclose(w->out) != 0 && ok) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "closing evidence '%s': %s", w->path,
                    g_strerror(errno));
        ok = false;
    }
    g_hash_table_destroy(w->idb);
    g_byte_array_free(w->block, TRUE);
    g_free(w->path);
    g_free(w);
    return ok;
}
