# ferry: build, demo and tests. `make demo` and `make test` install what is
# missing (Debian packages, via scripts/install-deps) before building.
# Each directory's .c files form a library; <dir>/main.c is its program.
# Unit tests (tests/unit/test_*.c) link the libraries built with ASan+UBSan.

CC      ?= cc
BUILD   ?= build
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -I. -I/usr/include/libnl3 -MMD -MP
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS  := -levent -levent_openssl -ljson-c -lssl -lcrypto -lpthread -lm -lxdp -lbpf -lnl-route-3 -lnl-3
# fwd's XDP program (fwd/xdp/*.bpf.c): clang for the BPF target, with the
# multiarch include directory clang does not search for that target.
BPF_CC     ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -I. -I/usr/include/$(shell $(CC) -print-multiarch)

MODULES := common bgpd vrfmgr fwd cli
PROGS   := bgpd vrfmgr fwd ferryctl

lib_src  = $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
obj      = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
asan_obj = $(patsubst %.c,$(BUILD)/asan/%.o,$(1))

# Link order: daemons before common, since they depend on it.
LIBS      := $(foreach m,bgpd vrfmgr fwd cli common,$(BUILD)/lib$(m).a)
ASAN_LIBS := $(foreach m,bgpd vrfmgr fwd cli common,$(BUILD)/asan/lib$(m).a)

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BINS  := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
# bench/bgp-sender.c is main; its parts are bench/sender/*.c (fwd-lookup's: bench/lookup/).
SENDER_SRC := $(wildcard bench/sender/*.c)
LOOKUP_SRC := $(wildcard bench/lookup/*.c)

.SECONDARY:
.PHONY: all programs bench deps demo test unit integration fuzz fuzz-smoke clean lab-down
all: programs $(BENCH_BINS)
# What the lab needs: the daemons, ferryctl and the test tools (not the benchmarks).
programs: $(addprefix $(BUILD)/,$(PROGS)) $(TOOL_BINS)
# The benchmark programs alone (bench/*.c: build/bench/<name>).
bench: $(BENCH_BINS)

deps:
	@scripts/install-deps all

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O1 $(SAN) -c $< -o $@

define module_rules
$(BUILD)/lib$(1).a: $(call obj,$(call lib_src,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/asan/lib$(1).a: $(call asan_obj,$(call lib_src,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))

# Each program links only its own library and common.
$(BUILD)/bgpd: $(BUILD)/obj/bgpd/main.o $(BUILD)/libbgpd.a $(BUILD)/libcommon.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/vrfmgr: $(BUILD)/obj/vrfmgr/main.o $(BUILD)/libvrfmgr.a $(BUILD)/libcommon.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/fwd: $(BUILD)/obj/fwd/main.o $(BUILD)/libfwd.a $(BUILD)/libcommon.a $(BUILD)/obj/fwd-xdp-embed.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The XDP object, and the same bytes embedded in build/fwd (symbols fwd_xdp_obj,
# fwd_xdp_obj_end: fwd/xdp_prog.c), so fwd never depends on finding a file.
$(BUILD)/fwd-xdp.o: fwd/xdp/fwd_xdp.bpf.c fwd/xdp/fwd_xdp.h
	@mkdir -p $(dir $@)
	$(BPF_CC) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/obj/fwd-xdp-embed.o: $(BUILD)/fwd-xdp.o
	@mkdir -p $(dir $@)
	printf '.section .rodata\n.balign 8\n.globl fwd_xdp_obj\nfwd_xdp_obj:\n.incbin "%s"\n.globl fwd_xdp_obj_end\nfwd_xdp_obj_end:\n.section .note.GNU-stack,"",@progbits\n' $< | $(CC) -c -x assembler -o $@ -
$(BUILD)/ferryctl: $(BUILD)/obj/cli/main.o $(BUILD)/libcli.a $(BUILD)/libcommon.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/bgp-sender: $(BUILD)/obj/bench/bgp-sender.o $(call obj,$(SENDER_SRC)) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/bench/fwd-lookup: $(BUILD)/obj/bench/fwd-lookup.o $(call obj,$(LOOKUP_SRC)) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# tests/unit/test_<module>_<thing>.c links only <module> and common, so one
# module's unfinished code never blocks another's tests.
define test_rules
$(BUILD)/tests/test_$(1)_%: $(BUILD)/asan/tests/unit/test_$(1)_%.o $(BUILD)/asan/lib$(1).a $(BUILD)/asan/libcommon.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(SAN) -o $$@ $$^ -lcriterion $$(LDLIBS)
endef
$(foreach m,$(MODULES),$(eval $(call test_rules,$(m))))

unit: $(UNIT_BINS)
	@tests/run-unit $(UNIT_BINS)

integration: all
	@tests/run-integration

# The README's two commands.
demo: deps
	@$(MAKE) --no-print-directory programs
	@scripts/demo

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@tests/run-all $(UNIT_BINS)

# libFuzzer harnesses (tests/fuzz, docs/testing.md): FUZZ_TIME seconds each.
fuzz: deps
	@tests/fuzz/run fuzz -t $(or $(FUZZ_TIME),300)
fuzz-smoke: deps
	@tests/fuzz/run smoke

lab-down:
	@scripts/lab down

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
