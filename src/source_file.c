/* source_file.c — opening a saved capture: path, standard input or memory;
 * format detection by the first four bytes; the accessors of source.h that
 * every format shares. The formats themselves are source_pcap.c (classic pcap
 * through libpcap) and source_pcapng.c (our own block reader).
 *
 * Inputs are plain file descriptors rather than stdio streams: the pcapng
 * reader fills its own large buffer with read(2), and only the libpcap path
 * wraps the descriptor in a FILE (with a 1 MiB buffer, see source_pcap.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"
#include "source_internal.h"

/* The first four bytes of a file, read big-endian, and who reads it. */
enum { MAGIC_LEN = 4 };
static const struct {
    uint32_t magic;
    bool pcapng;
} capture_magics[] = {
    { 0xa1b2c3d4, false }, /* pcap, microseconds, big-endian writer */
    { 0xd4c3b2a1, false }, /* pcap, microseconds, little-endian writer */
    { 0xa1b23c4d, false }, /* pcap, nanoseconds, big-endian writer */
    { 0x4d3cb2a1, false }, /* pcap, nanoseconds, little-endian writer */
    { 0x0a0d0d0a, true },  /* pcapng Section Header Block (a palindrome) */
};

size_t source_read_fd(int fd, void *buf, size_t n, int *errnum)
{
    size_t got = 0;
    *errnum = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k > 0) {
            got += (size_t)k;
        } else if (k == 0) {
            break;
        } else if (errno != EINTR) {
            *errnum = errno;
            break;
        }
    }
    return got;
}

static void iface_free(gpointer p)
{
    struct source_iface *ifc = p;
    g_free((char *)ifc->name);
    g_free((char *)ifc->description);
    g_free(ifc);
}

struct source_iface *source_iface_add(struct capture_source *src, int linktype, uint32_t snaplen,
                                      const char *name, size_t name_len, const char *description,
                                      size_t description_len)
{
    struct source_iface *ifc = g_new0(struct source_iface, 1);
    ifc->id = (int)src->ifaces->len;
    ifc->linktype = linktype;
    ifc->snaplen = snaplen;
    ifc->name = name ? g_strndup(name, name_len) : NULL;
    ifc->description = description ? g_strndup(description, description_len) : NULL;
    ifc->tsresol_ns_div = 1000000; /* pcapng's default resolution: microseconds */
    g_ptr_array_add(src->ifaces, ifc);
    return ifc;
}

static struct capture_source *source_new(const char *label)
{
    struct capture_source *src = g_new0(struct capture_source, 1);
    src->label = g_strdup(label);
    src->ifaces = g_ptr_array_new_with_free_func(iface_free);
    return src;
}

static void source_free(struct capture_source *src)
{
    g_ptr_array_free(src->ifaces, TRUE);
    g_free(src->label);
    g_free(src);
}

/* Picks the format from the magic and hands the input over. */
static struct capture_source *start_format(const char *label, struct source_input *in, uint64_t total,
                                           GError **err)
{
    struct cursor c = cursor_make(in->head, MAGIC_LEN);
    uint32_t magic = cursor_u32be(&c);
    for (size_t i = 0; i < G_N_ELEMENTS(capture_magics); i++) {
        if (capture_magics[i].magic != magic)
            continue;
        struct capture_source *src = source_new(label);
        src->bytes_total = total;
        bool ok = capture_magics[i].pcapng ? source_pcapng_start(src, in, err) : source_pcap_start(src, in, err);
        if (!ok) {
            source_free(src);
            return NULL;
        }
        return src;
    }
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s' is not a pcap or pcapng capture (magic 0x%08x)",
                label, magic);
    if (in->fd >= 0)
        close(in->fd);
    return NULL;
}

/* Opens a descriptor we own: refuses directories, reads the magic. */
static struct capture_source *open_fd(int fd, const char *label, GError **err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open capture '%s': %s", label,
                    g_strerror(e));
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "cannot open capture '%s': %s", label,
                    g_strerror(EISDIR));
        close(fd);
        return NULL;
    }
    struct source_input in = { .fd = fd, .seekable = S_ISREG(st.st_mode) };
    int e;
    size_t got = source_read_fd(fd, in.head, MAGIC_LEN, &e);
    if (got < MAGIC_LEN) {
        if (e)
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot read capture '%s': %s", label,
                        g_strerror(e));
        else if (got == 0)
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s' is empty: not a pcap or pcapng capture", label);
        else
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "'%s' is too short to be a pcap or pcapng capture (%zu bytes)", label, got);
        close(fd);
        return NULL;
    }
    return start_format(label, &in, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, err);
}

struct capture_source *source_open_file(const char *path, GError **err)
{
    if (strcmp(path, "-") == 0) {
        /* Our own descriptor, so closing the source leaves stdin alone. */
        int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
            int e = errno;
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open capture 'stdin': %s",
                        g_strerror(e));
            return NULL;
        }
        return open_fd(fd, "stdin", err);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open capture '%s': %s", path,
                    g_strerror(e));
        return NULL;
    }
    return open_fd(fd, path, err);
}

struct capture_source *source_open_memory(const void *data, size_t len, GError **err)
{
    const char *label = "memory";
    if (len < MAGIC_LEN || !data) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "'%s' is too short to be a pcap or pcapng capture (%zu bytes)",
                    label, data ? len : 0);
        return NULL;
    }
    struct source_input in = { .fd = -1, .seekable = true, .mem = data, .mem_len = len };
    struct cursor c = cursor_make(data, len);
    cursor_copy(&c, in.head, MAGIC_LEN);
    return start_format(label, &in, len, err);
}

enum source_status source_next(struct capture_source *src, struct frame *out, GError **err)
{
    return src->format->next(src, out, err);
}

unsigned source_iface_count(const struct capture_source *src)
{
    return src->ifaces->len;
}

const struct source_iface *source_iface_get(const struct capture_source *src, int id)
{
    if (id < 0 || (guint)id >= src->ifaces->len)
        return NULL;
    return g_ptr_array_index(src->ifaces, id);
}

const char *source_format_name(const struct capture_source *src)
{
    return src->format->name;
}

uint64_t source_bytes_read(const struct capture_source *src)
{
    return src->bytes_read;
}

uint64_t source_bytes_total(const struct capture_source *src)
{
    return src->bytes_total;
}

uint64_t source_malformed_blocks(const struct capture_source *src)
{
    return src->malformed;
}

void source_close(struct capture_source *src)
{
    if (!src)
        return;
    src->format->close(src);
    source_free(src);
}
