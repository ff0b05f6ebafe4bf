#!/bin/sh
# Regenerates tests/data/source/*.tsv: tshark's view of a few corpus captures,
# one line per frame, that test_source compares with our readers.
#   columns: number, interface id, interface name, captured length, wire
#   length, epoch time (ns), first packet comment (\t \r \n as spaces)
# usage (from the repository root): tests/data/source/make-tshark-expect.sh
set -eu
corpus=${LEAKAUDIT_CORPUS:-../shared/corpus}
out=tests/data/source
for rel in \
    zeek/testing/btest/Traces/pcapng-multi-interface.pcapng \
    PcapPlusPlus/Tests/Pcap++Test/PcapExamples/many_interfaces-1.pcapng \
    PcapPlusPlus/Tests/Pcap++Test/PcapExamples/too_many_interfaces.pcapng \
    nDPI/tests/cfgs/default/pcap/stun.pcap \
    pcapng-test-generator/output_le/basic/test008.pcapng \
    pcapng-test-generator/output_be/basic/test008.pcapng \
    pcapng-test-generator/output_le/basic/test009.pcapng \
    pcapng-test-generator/output_be/basic/test009.pcapng \
    pcapng-test-generator/output_le/basic/test012.pcapng \
    tcpdump/tests/tcp-handshake-nano.pcap \
    tcpdump/tests/time_2106_max.pcap \
    PcapPlusPlus/Tests/Pcap++Test/PcapExamples/microsecs_big_endian.pcap \
    suricata-verify/tests/decode-sll2-01/input.pcap; do
    name=$(echo "$rel" | tr '/' '_').tsv
    {
        echo "# $rel"
        tshark -r "$corpus/$rel" -T fields -E separator=/t -E occurrence=f -e frame.number -e frame.interface_id \
            -e frame.interface_name -e frame.cap_len -e frame.len -e frame.time_epoch -e frame.comment 2>/dev/null |
            tr '\r' ' '
    } >"$out/$name"
done
