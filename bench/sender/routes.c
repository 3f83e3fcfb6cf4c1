/*
 * bgp-sender's route mix: --rds RDs with the routes split evenly, distinct
 * aligned prefixes of the lengths asked for (or the same ones per RD with
 * --overlap), a label per prefix or per RD, --attr-sets attribute sets per
 * RD. Everything is packed before the session comes up: the announce, the
 * withdraw-all and End-of-RIB.
 */
#include <inttypes.h>

#include "bench/sender/sender.h"
#include "common/log.h"

/* Next free prefix of length len at or after *cursor (distinct, aligned). */
static int prefix_alloc(uint64_t *cursor, uint8_t len, uint32_t *addr)
{
	uint64_t step = 1ull << (32 - len), a = (*cursor + step - 1) & ~(step - 1);

	if (a + step > (1ull << 32))
		return -1;
	*addr = (uint32_t)a;
	*cursor = a + step;
	return 0;
}

void routes_build(const struct opts *o, struct built *bt)
{
	struct upd ua = { .b = &bt->announce, .reach = true };
	struct upd uw = { .b = &bt->withdraw, .reach = false };
	uint64_t g = 0, cursor = o->pfx_base;

	for (uint32_t r = 0; r < o->rds; r++) {
		uint64_t cnt = o->routes / o->rds + (r < o->routes % o->rds);

		if (o->overlap)
			cursor = o->pfx_base;
		for (uint64_t j = 0; j < cnt; j++, g++) {
			uint32_t set = (uint32_t)(j * o->attr_sets / cnt), addr;
			uint8_t len = o->lens[g % o->n_lens];
			uint32_t label = o->per_vrf ? o->label_base + r
						    : o->label_base + (uint32_t)(g % (LABEL_LIMIT - o->label_base));

			if (prefix_alloc(&cursor, len, &addr) < 0)
				fatalx("address space exhausted at route %" PRIu64 ": lower --routes "
				       "or --prefix-base, or use --overlap", g);
			upd_add(&ua, o, (uint64_t)r << 32 | set, r, set, label << 4 | 1, addr, len);
			upd_add(&uw, o, 0, r, 0, WITHDRAW_LABEL, addr, len);
		}
	}
	upd_close(&ua);
	upd_close(&uw);
	bt->n_announce_msgs = ua.n_msgs;
	bt->n_withdraw_msgs = uw.n_msgs;
	msg_eor(&bt->eor);
}
