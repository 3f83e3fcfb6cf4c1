/*
 * libFuzzer harness: the config loader (common/config*.c, json-c under it)
 * on arbitrary bytes, through config_load_string as the daemons' -c path
 * goes through config_load.
 *
 * Properties besides no crash, leak or UB:
 *  - a refusal always comes with a message naming the file; with
 *    FUZZ_CONFIG_ONE_LINE=1 in the environment also a single line (off by
 *    default: a key holding a newline is echoed raw, see docs/testing.md);
 *  - an accepted config honours what docs/config.md promises: router id
 *    and AS set, label range 16 <= min <= max <= 1048575, hold time 0 or
 *    >= 3, unique VRF names that config_vrf_by_name finds, VRF ids = their
 *    1-based positions, unique neighbor addresses, usable socket paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/label.h"
#include "common/log.h"

#define FUZZ_NAME "fuzz_config"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int one_line;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("FUZZ_CONFIG_ONE_LINE");

	(void)argc;
	(void)argv;
	log_init("fuzz_config", LOG_LVL_ERR);
	one_line = e != NULL && strcmp(e, "1") == 0;
	return 0;
}

static void check_accepted(const struct ferry_config *c)
{
	char path[CFG_PATH_MAX];

	CHECK(c->name[0] != '\0' && memchr(c->name, '\0', sizeof(c->name)) != NULL);
	CHECK(c->router_id != 0 && c->asn != 0);
	CHECK(c->label_min >= 16 && c->label_min <= c->label_max && c->label_max <= MPLS_LABEL_MAX);
	CHECK(c->bgp.hold_time == 0 || c->bgp.hold_time >= 3);
	CHECK(c->run_dir[0] == '/');
	CHECK(config_sock_path(c, FERRY_SOCK_VRFMGR_IPC, path) == 0);
	for (size_t i = 0; i < c->n_vrfs; i++) {
		CHECK(c->vrfs[i].id == i + 1);
		CHECK(config_vrf_by_name(c, c->vrfs[i].name) == &c->vrfs[i]);
		for (size_t j = 0; j < c->vrfs[i].n_static_routes; j++)
			CHECK(c->vrfs[i].static_routes[j].distance >= 1 &&
			      c->vrfs[i].static_routes[j].distance <= 255);
	}
	for (size_t i = 0; i < c->bgp.n_neighbors; i++) {
		CHECK(c->bgp.neighbors[i].address != 0);
		for (size_t j = 0; j < i; j++)
			CHECK(c->bgp.neighbors[j].address != c->bgp.neighbors[i].address);
	}
	for (size_t i = 0; i < c->fwd.n_lfib; i++)
		CHECK(c->fwd.lfib[i].in_label >= 16 && c->fwd.lfib[i].in_label <= MPLS_LABEL_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ferry_config cfg;
	char err[512];
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(err, 0x55, sizeof(err));
	if (config_load_string(s, "fuzz.json", &cfg, err, sizeof(err)) == 0) {
		check_accepted(&cfg);
		config_free(&cfg);
	} else {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(strncmp(err, "fuzz.json: ", 11) == 0);
		CHECK(!one_line || strchr(err, '\n') == NULL);
	}
	free(s);
	return 0;
}
