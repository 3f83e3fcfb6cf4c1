/*
 * vrfmgr/vpn.c, the VPN table (open addressing with tags, dead slots,
 * rehashes) against a plain array: random puts, replaces and removes over
 * keys that share RDs and prefixes, every key looked up after each round,
 * walks and sorted listings complete, placement lists kept per route; and
 * a withdraw of everything then a refill (dead slots reused or rehashed).
 * Every lookup is also made the look-ahead's way (hash, hints, find by hash).
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "common/log.h"
#include "vrfmgr/vpn.h"

#define KEYS 6000

static uint64_t rng_state = 7;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

/* Key k: RD 65000:(k % 37), prefix 20.0.0.0 + (k / 37) /24 (or /25 for odd k). */
static struct ipc_vpn_route key(uint32_t k, uint32_t label)
{
	struct ipc_vpn_route r = { .plen = (uint8_t)(24 + (k & 1)), .label = label,
				   .next_hop = 0x0A000001, .n_rts = 1 };
	uint32_t asn_low = k % 37;

	r.rd[2] = 0xfd, r.rd[3] = 0xe8, r.rd[7] = (uint8_t)asn_low;
	r.prefix = 0x14000000u + ((k / 37) << 8);
	return r;
}

static struct vpn_route *find(const struct vpn_table *t, uint32_t k)
{
	struct ipc_vpn_route r = key(k, 0);
	struct prefix4 p = { .addr = r.prefix, .len = r.plen };
	struct rd rd;

	struct vpn_route *vr;
	uint64_t h;

	memcpy(rd.b, r.rd, sizeof(rd.b));
	vr = vpn_find(t, &rd, &p);
	/* The look-ahead's way (bgpd_link.c): hints first (ASan checks what they read), same answer. */
	h = vpn_key_hash(&rd, &p);
	vpn_prefetch(t, h, 0);
	vpn_prefetch(t, h, 1);
	cr_assert_eq(vpn_find_hashed(t, &rd, &p, h), vr);
	return vr;
}

static void check_all(const struct vpn_table *t, const uint32_t *label, size_t present)
{
	struct vpn_route **all, *vr;
	size_t n = 0, pos = 0;

	for (uint32_t k = 0; k < KEYS; k++) {
		vr = find(t, k);
		if (label[k] == 0) {
			cr_assert_null(vr, "key %u should be gone", k);
			continue;
		}
		cr_assert_not_null(vr, "key %u missing", k);
		cr_assert_eq(vr->msg.label, label[k]);
	}
	cr_assert_eq(t->count, present);
	while (vpn_next(t, &pos) != NULL)
		n++;
	cr_assert_eq(n, present);
	n = vpn_list(t, &all);
	cr_assert_eq(n, present);
	for (size_t i = 1; i < n; i++) {
		int c = memcmp(all[i - 1]->rd.b, all[i]->rd.b, 8);

		cr_assert(c < 0 || (c == 0 && (all[i - 1]->prefix.addr < all[i]->prefix.addr ||
					       (all[i - 1]->prefix.addr == all[i]->prefix.addr &&
						all[i - 1]->prefix.len < all[i]->prefix.len))));
	}
	free(all);
}

Test(vpntable, random_puts_replaces_removes_against_an_array, .timeout = 60)
{
	static uint32_t label[KEYS];
	struct ext_community rt = { { 0, 2, 0xfd, 0xe8, 0, 0, 0, 1 } };
	struct vpn_table t;
	size_t present = 0;

	log_init("test", LOG_LVL_ERR);
	vpn_table_init(&t);
	for (int round = 0; round < 12; round++) {
		for (int op = 0; op < 4000; op++) {
			uint32_t k = rng() % KEYS;
			struct vpn_route *vr = find(&t, k);

			if (rng() % 3 == 0 && vr != NULL) {
				vpn_remove(&t, vr);
				label[k] = 0;
				present--;
				continue;
			}
			struct ipc_vpn_route r = key(k, 16 + rng() % 100000);

			present += vr == NULL;
			vr = vpn_put(&t, &r, &rt);
			cr_assert_not_null(vr);
			cr_assert_eq(vpn_place(vr, (uint16_t)(1 + k % 9)), 0);
			label[k] = r.label;
		}
		check_all(&t, label, present);
	}
	/* Withdraw everything, then take it all again. */
	for (uint32_t k = 0; k < KEYS; k++) {
		struct vpn_route *vr = find(&t, k);

		if (vr != NULL)
			vpn_remove(&t, vr);
		label[k] = 0;
	}
	check_all(&t, label, 0);
	for (uint32_t k = 0; k < KEYS; k++) {
		struct ipc_vpn_route r = key(k, 16 + k);

		cr_assert_not_null(vpn_put(&t, &r, &rt));
		label[k] = r.label;
	}
	check_all(&t, label, KEYS);
	cr_assert_leq(t.count + t.n_dead, t.cap * 3 / 4, "at most 3/4 full, dead slots counted");
	vpn_table_free(&t);
}
