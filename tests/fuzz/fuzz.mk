# Builds ferry's libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang:
# the module sources each needs are compiled once with coverage
# instrumentation (-fsanitize=fuzzer-no-link) plus ASan and UBSan, and each
# harness is linked with libFuzzer's main. Driven by tests/fuzz/run; kept
# apart from the top-level Makefile so gcc builds never need clang.
#
#   make -f tests/fuzz/fuzz.mk [-j2] [FUZZ_BUILD=build/fuzz] [CLANG=clang]

CLANG      ?= clang
FUZZ_BUILD ?= build/fuzz
# No -Werror for the module sources: a clang-only warning in someone's code
# must not stop the fuzzers; the harnesses themselves are held to -Werror.
FFLAGS  := -std=c11 -D_GNU_SOURCE -I. -g -O1 -fno-omit-frame-pointer \
           -fsanitize=address,undefined -fno-sanitize-recover=undefined \
           -Wall -Wextra -Wno-missing-field-initializers -MMD -MP
# The libraries the programs link, as the top-level Makefile says.
LDLIBS  := $(shell sed -n 's/^LDLIBS *:= *//p' Makefile)

src  = $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
objs = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(call src,$(1)))
# Archives, like the Makefile's: a harness pulls in only the objects it needs.
libs = $(foreach m,$(1),$(FUZZ_BUILD)/lib$(m).a)

HARNESSES := bgp_msg ipc config api_query fwd_frame cli_http
BINS      := $(addprefix $(FUZZ_BUILD)/fuzz_,$(HARNESSES))

# What each harness links: only the modules it exercises, and common.
MODS_bgp_msg   := bgpd common
MODS_ipc       := fwd common
MODS_config    := common
MODS_api_query := common
MODS_fwd_frame := fwd common
MODS_cli_http  := cli common

.SECONDARY:
.PHONY: all
all: $(BINS) $(FUZZ_BUILD)/gen_seeds

$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FFLAGS) -Werror -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

define lib_rule
$(FUZZ_BUILD)/lib$(1).a: $(call objs,$(1))
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,bgpd fwd cli common,$(eval $(call lib_rule,$(m))))

.SECONDEXPANSION:
$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $$(call libs,$$(MODS_$$*))
	$(CLANG) $(FFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# The seed writer: plain ASan/UBSan program (its own main) over the same libraries.
$(FUZZ_BUILD)/gen_seeds: $(FUZZ_BUILD)/obj/tests/fuzz/gen_seeds.o $(call libs,bgpd fwd common)
	$(CLANG) $(FFLAGS) -fsanitize=fuzzer-no-link -o $@ $^ $(LDLIBS)

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
