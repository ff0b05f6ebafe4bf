# leakaudit — build, test, fuzz and benchmark.
#   make            ./leakaudit
#   make check      unit + corpus + CLI tests, then the same under ASan+UBSan
#   make asan       sanitizer build of everything (build-asan/)
#   make fuzz       libFuzzer entries (clang), FUZZ_SECONDS per entry
#   make fuzz-afl   the same entries under AFL++
#   make demo       run leakaudit on samples/
# Sources are picked up by wildcard: a new dissectors/*.c, src/*.c, geo/*.c,
# tests/test_*.c or tests/fuzz/fuzz_*.c needs no edit here.

PKGS     := libpcap libndpi glib-2.0 libmaxminddb
CC       ?= cc
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      ?= -O2 -g
CFLAGS_ALL = $(CSTD) $(OPT) $(WARN) -Isrc -Idissectors -Igeo -Isrc/attrib $(ATTRIB_CFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) $(ATTRIB_LIBS) -lm $(EXTRA_LDLIBS)

# Process attribution (src/attrib/): send-time eBPF when clang, bpftool and
# libbpf-dev are installed; otherwise socket lookups only.
BPF_CLANG ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)
HAVE_EBPF := $(shell command -v $(BPF_CLANG) >/dev/null 2>&1 && [ -n "$(BPFTOOL)" ] && pkg-config --exists libbpf 2>/dev/null && echo yes)
ifeq ($(HAVE_EBPF),yes)
ATTRIB_CFLAGS = -DLEAKAUDIT_EBPF -I$(BUILD)/attrib
ATTRIB_LIBS := $(shell pkg-config --libs libbpf)
else
$(info leakaudit: building without send-time eBPF attribution (needs clang, bpftool, libbpf-dev); socket lookups only)
endif
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)

BUILD    ?= build
LIB_SRC  := $(wildcard dissectors/*.c) $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard geo/*.c) $(filter-out %.bpf.c,$(wildcard src/attrib/*.c))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
# Each fuzz entry is also linked with a plain main (tests/fuzz/replay_main.c)
# so make check replays tests/data/regress/<entry>/ without libFuzzer.
REPLAY_BIN := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/tests/replay_fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
HDRS     := $(wildcard src/*.h dissectors/*.h geo/*.h tests/*.h src/attrib/*.h)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all asan check check-fast test-asan demo fuzz fuzz-build fuzz-seeds fuzz-afl fuzz-afl-build bench clean install samples geo-sample e2e
all: leakaudit

leakaudit: $(BUILD)/leakaudit
	@if [ "$(BUILD)" = build ]; then cp $< $@; fi

$(BUILD)/leakaudit: $(BUILD)/src/main.o $(BUILD)/libleakaudit.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libleakaudit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The eBPF object is embedded in a generated skeleton header (nothing else ships).
$(BUILD)/attrib/attrib.bpf.o: src/attrib/attrib.bpf.c src/attrib/attrib_bpf.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -g -O2 -target bpf $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH)) -Isrc/attrib -c $< -o $@

$(BUILD)/attrib/attrib.skel.h: $(BUILD)/attrib/attrib.bpf.o
	$(BPFTOOL) gen skeleton $< name attrib_bpf > $@.tmp && mv $@.tmp $@

ifeq ($(HAVE_EBPF),yes)
$(BUILD)/src/attrib/ebpf.o: $(BUILD)/attrib/attrib.skel.h
endif

$(BUILD)/tests/%: tests/%.c $(BUILD)/libleakaudit.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(BUILD)/libleakaudit.a $(LDLIBS_ALL)

$(BUILD)/tests/replay_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(BUILD)/libleakaudit.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libleakaudit.a $(LDLIBS_ALL)

tests: $(TEST_BIN) $(REPLAY_BIN) $(BUILD)/leakaudit

# test_geo reads MaxMind's source JSON with json-glib (tests only).
$(BUILD)/tests/test_geo: PKG_CFLAGS += $(shell pkg-config --cflags json-glib-1.0)
$(BUILD)/tests/test_geo: PKG_LIBS += $(shell pkg-config --libs json-glib-1.0)

# The sanitizer build lives in its own tree so both can coexist.
asan:
	$(MAKE) BUILD=build-asan EXTRA_CFLAGS="$(SAN_FLAGS)" EXTRA_LDLIBS="$(SAN_FLAGS)" OPT="-O1 -g" build-asan/leakaudit tests

# make check: the whole suite, then again under ASan+UBSan.
check: all tests
	tests/run-tests.sh $(BUILD)
	$(MAKE) asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run-tests.sh build-asan

check-fast: all tests
	tests/run-tests.sh $(BUILD)

demo: leakaudit
	scripts/demo.sh

FUZZ_SECONDS ?= 30
FUZZ_CC ?= clang
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -g -O1
fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" OPT="-O1 -g" build-fuzz/libleakaudit.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "  FUZZ $$n"; $(FUZZ_CC) $(CFLAGS_ALL) $(FUZZ_FLAGS) -Itests -o build-fuzz/$$n $$f build-fuzz/libleakaudit.a $(LDLIBS_ALL) || exit 1; done
# Seeds: per-packet payloads and frames of ../shared/corpus (and samples/),
# extracted once into the git-ignored build-fuzz/seeds/ (rm it to redo).
FUZZ_CORPUS ?= ../shared/corpus
fuzz-seeds: build-fuzz/seeds/.done
build-fuzz/seeds/.done:
	@if [ -d "$(FUZZ_CORPUS)" ]; then scripts/extract-seeds.sh "$(FUZZ_CORPUS)" build-fuzz/seeds; \
	 else echo "make fuzz: no corpus at $(FUZZ_CORPUS); seeds from samples/ only"; \
	   mkdir -p build-fuzz/seeds; python3 scripts/capture-seeds.py build-fuzz/seeds samples/*.pcap samples/*.pcapng; fi
	@touch $@
fuzz: fuzz-build fuzz-seeds
	tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

# The same entries under AFL++ (Debian afl++): a second engine. Builds with
# afl-clang-fast + ASan/UBSan into build-afl/, runs each FUZZ_SECONDS from the
# same seeds; tests/fuzz/run-afl.sh prints executions and crashes per entry.
AFL_CC ?= afl-clang-fast
fuzz-afl-build:
	$(MAKE) BUILD=build-afl CC=$(AFL_CC) EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" OPT="-O1 -g" build-afl/libleakaudit.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "  AFL  $$n"; $(AFL_CC) $(CFLAGS_ALL) -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -g -O1 -Itests -o build-afl/$$n $$f build-afl/libleakaudit.a $(LDLIBS_ALL) || exit 1; done
fuzz-afl: fuzz-afl-build fuzz-seeds
	tests/fuzz/run-afl.sh $(FUZZ_SECONDS)

bench:
	bench/run.sh

e2e: leakaudit
	tests/e2e/run.sh

# The demo GeoIP databases for samples/ (committed; needs libmaxmind-db-writer-perl).
geo-sample:
	scripts/make-geo-sample.pl samples/geo/demo-geoip.json samples/geo

PREFIX ?= /usr/local
DESTDIR ?=
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
install: leakaudit
	install -D -m 0755 leakaudit $(DESTDIR)$(PREFIX)/bin/leakaudit
	@if [ -f leakaudit.8 ]; then install -D -m 0644 leakaudit.8 $(DESTDIR)$(PREFIX)/share/man/man8/leakaudit.8; fi
	install -D -m 0644 completion/leakaudit.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/leakaudit
	install -D -m 0644 leakaudit.conf $(DESTDIR)$(PREFIX)/share/doc/leakaudit/leakaudit.conf
	@mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/local/bin/leakaudit|$(PREFIX)/bin/leakaudit|' leakaudit.service >$(DESTDIR)$(SYSTEMDUNITDIR)/leakaudit.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/leakaudit.service

clean:
	rm -rf build build-asan build-fuzz build-afl leakaudit
