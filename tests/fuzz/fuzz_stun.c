/* fuzz_stun.c — libFuzzer entry for the STUN/TURN dissector.
 *
 * Every input is dissected under UDP and TCP hints, on a STUN port and off
 * it, with classic_ok on and off; the TCP stream is also cut with
 * stun_frame_length() the way a reassembler would. Invariants checked (a
 * violation traps): a success consumed exactly message_len bytes, never more
 * than the input, and the bounded text fields stay NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const struct stun_text *t)
{
    if (t->len > STUN_TEXT_MAX || t->value[t->len] != '\0')
        __builtin_trap();
}

static void dissect_one(const uint8_t *data, size_t size, const struct dissect_hint *h, bool classic_ok)
{
    struct cursor c = cursor_make(data, size);
    struct stun_message m;
    enum dissect_result r = stun_dissect(&c, h, classic_ok, &m);
    if (r == DISSECT_OK) {
        if (m.message_len == 0 || m.message_len > size || cursor_offset(&c) != m.message_len)
            __builtin_trap();
        if (!m.channel_data && m.message_len < STUN_HEADER_LEN)
            __builtin_trap();
        check_text(&m.username);
        check_text(&m.software);
        check_text(&m.realm);
        check_text(&m.nonce);
        check_text(&m.error_reason);
        (void)stun_method_name(m.method);
        (void)stun_class_name(m.cls);
        for (size_t i = 0; i < m.attr_count && i < STUN_MAX_ATTRS; i++)
            (void)stun_attr_name(m.attr_types[i]);
    } else if (r != DISSECT_NOT_MINE && r != DISSECT_MALFORMED) {
        __builtin_trap();
    }
}

/* Cuts a TCP byte stream into messages as a reassembler would. */
static void walk_stream(const uint8_t *data, size_t size, const struct dissect_hint *h)
{
    struct cursor stream = cursor_make(data, size);
    while (cursor_left(&stream) > 0) {
        size_t len = stun_frame_length(&stream);
        if (len == 0 || len > cursor_left(&stream))
            break;
        struct cursor one = cursor_take(&stream, len);
        struct stun_message m;
        (void)stun_dissect(&one, h, false, &m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct dissect_hint hints[] = {
        { TRANSPORT_UDP, 40000, 3478, false },  { TRANSPORT_UDP, 40000, 40001, false },
        { TRANSPORT_TCP, 40000, 3478, false },  { TRANSPORT_TCP, 40000, 443, true },
        { TRANSPORT_UDP, 19302, 50000, false },
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        dissect_one(data, size, &hints[i], false);
        dissect_one(data, size, &hints[i], true);
    }
    dissect_one(data, size, NULL, true);
    walk_stream(data, size, &hints[2]);
    for (size_t b = 0; b < size && b < 4; b++)
        (void)stun_demux_first_byte(data[b]);
    if (size > 0) {
        /* the CRC over a short prefix (the only pointer API) */
        (void)stun_crc32(data, size < 64 ? size : 64);
    }
    return 0;
}
