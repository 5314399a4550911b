# aslc - one hand-written Makefile. Objects go to $(BUILD)/.
#
#   make            build aslc and libaslrt (installs missing Debian packages first)
#   make demo       build and run a sample workflow
#   make test       unit, golden, case, conformance and validation tests, the layering check
#   make asan       the same suite under AddressSanitizer + UBSan
#   make bench      benchmarks (../shared/bench)
#   make fuzz       libFuzzer targets (tests/fuzz, clang, ASan + UBSan) in build-fuzz,
#                   each run FUZZ_SECONDS (60) seconds
#   make install PREFIX=/usr/local DESTDIR=

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
INCDIR   ?= $(PREFIX)/include
SHARED   ?= ../shared

WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wwrite-strings -Werror
OPT      ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Iruntime -Icompiler -Icodegen -Icli -Igraph -Iserver -MMD -MP \
            -DASLC_LIBDIR='"$(LIBDIR)"' -DASLC_INCDIR='"$(INCDIR)"'
CFLAGS   += $(WARN) $(OPT) $(SANITIZE)
LDFLAGS  += $(SANITIZE)
# libcurl and Nettle are not linked: runtime/dynlib.c loads them on
# first use, so that a workflow (and `aslc check`) that needs neither starts
# without them; their headers are still needed (tools/deps.sh).
RT_LIBS  = -lcjson -lpcre2-8 -lpthread -ldl -lm
TCC_LIBS = -ltcc -ldl
YAML_LIBS = -lyaml
# Graphviz (graph/graph_render.c) and libmicrohttpd (server/http.c,
# runtime/callback_listen.c) are loaded on first use too: linked, they
# cost every aslc command about 4 ms of start-up (GnuTLS behind
# libmicrohttpd alone 2.5 ms), and `aslc check` draws nothing and serves
# nothing. Their headers are still needed.
GV_LIBS  =

# The pipeline's folders: cli (the aslc command) -> compiler (front end, IR)
# -> codegen (IR -> C) -> runtime (libaslrt). Every cli/*.c is linked into
# aslc; all but cli/main.c into the unit tests too. See ARCHITECTURE.md.
RT_SRC   = $(wildcard runtime/*.c)
CC_SRC   = $(wildcard compiler/*.c) $(wildcard codegen/*.c) $(wildcard graph/*.c) \
           $(filter-out cli/main.c cli/serve_cmd.c cli/test_state.c,$(wildcard cli/*.c))
RT_OBJ   = $(RT_SRC:%.c=$(BUILD)/%.o)
# `aslc serve` (issue 13): linked into aslc only.
SRV_OBJ  = $(patsubst %.c,$(BUILD)/%.o,$(wildcard server/*.c) cli/serve_cmd.c cli/test_state.c)
SRV_LIBS = -lsqlite3
CC_OBJ   = $(CC_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/aslrt_h.o
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOL_BIN = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)

.PHONY: all deps demo test unit golden cases conformance validation asan bench \
        golden-update graph-update check-headers layers install uninstall clean \
        fuzz fuzz-build fuzz-bins
.DEFAULT_GOAL := all

all: $(BUILD)/.deps-ok $(BUILD)/aslc $(BUILD)/libaslrt.a $(BUILD)/aslrt.h

# Missing Debian packages are installed (or the exact apt-get line printed)
# before anything is compiled.
$(BUILD)/.deps-ok: tools/deps.sh
	@mkdir -p $(BUILD)
	@sh tools/deps.sh
	@touch $@
deps:
	@sh tools/deps.sh

$(BUILD)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# aslc embeds aslrt.h so that `aslc run` needs nothing installed beside it.
$(BUILD)/gen/aslrt_h.c: runtime/aslrt.h tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh aslc_embedded_aslrt_h runtime/aslrt.h > $@
$(BUILD)/gen/aslrt_h.o: $(BUILD)/gen/aslrt_h.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libaslrt.a: $(RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/aslrt.h: runtime/aslrt.h
	cp $< $@

# aslc links the whole runtime: `aslc run` hands its symbols to libtcc.
$(BUILD)/aslc: $(BUILD)/cli/main.o $(CC_OBJ) $(SRV_OBJ) $(BUILD)/libaslrt.a
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(BUILD)/cli/main.o $(CC_OBJ) $(SRV_OBJ) \
	    -Wl,--whole-archive $(BUILD)/libaslrt.a -Wl,--no-whole-archive $(TCC_LIBS) $(YAML_LIBS) \
	    $(GV_LIBS) $(SRV_LIBS) $(RT_LIBS)

# ---- fuzzing (issue 15) -------------------------------------------------------
# Every object again, compiled by clang with coverage for libFuzzer and
# ASan + UBSan, in its own folder; one program per tests/fuzz/fuzz_*.c.
# clang is needed only here: fuzz-build installs it (tools/deps.sh clang)
# or says how. tests/fuzz/run.sh builds the seed corpora (seeds.sh) and
# runs each target; `make test` runs it for a few seconds per target.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_SAN      = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC      = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN      = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# libFuzzer brings main(); every runtime object is linked (libtcc's
# programs, TestState's, call into all of it).
FUZZ_OBJ      = $(CC_OBJ) $(filter-out $(BUILD)/cli/serve_cmd.o,$(SRV_OBJ)) $(RT_OBJ) \
                $(BUILD)/tests/fuzz/util.o

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "link $@"; $(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -rdynamic -o $@ $< \
	    $(FUZZ_OBJ) $(TCC_LIBS) $(YAML_LIBS) $(GV_LIBS) $(SRV_LIBS) $(RT_LIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || sh tools/deps.sh clang
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz: $(FUZZ_CC) not found (Debian package clang)" >&2; exit 1; }
	+@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    OPT='-O1 -g -fno-omit-frame-pointer' SANITIZE='$(FUZZ_SAN)' fuzz-bins

fuzz: fuzz-build
	@BUILD=$(FUZZ_BUILD) SHARED=$(SHARED) sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# ---- tests ------------------------------------------------------------------
$(BUILD)/tests/test_%: tests/unit/test_%.c $(CC_OBJ) $(BUILD)/libaslrt.a | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $< $(CC_OBJ) \
	    -Wl,--whole-archive $(BUILD)/libaslrt.a -Wl,--no-whole-archive $(TCC_LIBS) $(YAML_LIBS) $(GV_LIBS) $(RT_LIBS) -lcmocka

$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/libaslrt.a | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libaslrt.a $(RT_LIBS)

# The suite runner needs the parser (compiler/) as well as the runtime.
JN_PARSE_OBJ = $(BUILD)/compiler/jsonata_lex.o $(BUILD)/compiler/jsonata_parse.o \
               $(BUILD)/compiler/jsonata_ast.o $(BUILD)/compiler/arena.o
$(BUILD)/tests/jsonata_suite: tests/tools/jsonata_suite.c $(JN_PARSE_OBJ) $(BUILD)/libaslrt.a | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(JN_PARSE_OBJ) \
	    -Wl,--whole-archive $(BUILD)/libaslrt.a -Wl,--no-whole-archive $(RT_LIBS)

# The fake Lambda Runtime API (tests/lambda/check.sh) is an HTTP server.
$(BUILD)/tests/lambda_stub: RT_LIBS += -lmicrohttpd

unit: $(UNIT_BIN) $(TOOL_BIN)   # some unit tests drive tools (http_echo)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

test: all unit $(TOOL_BIN) layers
	@BUILD=$(BUILD) SHARED=$(SHARED) sh tests/run.sh

# Which folder and which runtime layer may include and call which
# (ARCHITECTURE.md); also run by `make test`.
layers: all
	@sh tools/layers.sh $(BUILD)

asan:
	$(MAKE) BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
	    SANITIZE='-fsanitize=address,undefined -fno-sanitize-recover=undefined' \
	    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp test

golden-update: all
	@BUILD=$(BUILD) sh tests/golden/update.sh

# Rewrites tests/graph/*.expected (review the diff) and the README's picture.
graph-update: all
	@BUILD=$(BUILD) sh tests/graph/update.sh
	$(BUILD)/aslc graph --format svg samples/expense-approval.asl.json -o samples/expense-approval.svg

# `+`: the scripts run $(MAKE) for the test tools they need (jobserver).
bench: all
	+@BUILD=$(BUILD) SHARED=$(SHARED) MAKE="$(MAKE)" sh bench/run.sh

demo: all
	@BUILD=$(BUILD) sh samples/demo.sh

# Each header compiles on its own.
check-headers: | $(BUILD)/.deps-ok
	@set -e; for h in cli/*.h compiler/*.h codegen/*.h graph/*.h runtime/*.h server/*.h; do \
	    echo "#include \"$$h\"" | $(CC) $(CPPFLAGS) $(WARN) -I. -x c -fsyntax-only - ; done
	@echo "headers ok"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)
	install -m 755 $(BUILD)/aslc $(DESTDIR)$(BINDIR)/aslc
	install -m 644 $(BUILD)/libaslrt.a $(DESTDIR)$(LIBDIR)/libaslrt.a
	install -m 644 runtime/aslrt.h $(DESTDIR)$(INCDIR)/aslrt.h
	install -m 644 runtime/aslhandler.h $(DESTDIR)$(INCDIR)/aslhandler.h

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/aslc $(DESTDIR)$(LIBDIR)/libaslrt.a $(DESTDIR)$(INCDIR)/aslrt.h \
	    $(DESTDIR)$(INCDIR)/aslhandler.h

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
