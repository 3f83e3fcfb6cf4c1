/*
 * Fuzzing finding (tests/fuzz/findings/bgp_msg-as4path-hides-neighbor-as,
 * docs/testing.md), as a Criterion test for tests/unit/ once bgpd is fixed
 * (it fails until then, so it is kept here, outside the unit-test glob).
 *
 * From a 2-octet eBGP peer (AS 65001), AS_PATH [65001 23456] passes the
 * RFC 4271 §6.3 first-AS check, then AS4_PATH [130537 4200000000] (as many
 * ASes as AS_PATH) replaces the whole path in the RFC 6793 merge
 * (bgpd/update.c update_as4_fixup -> aspath_merge_as4): the stored path no
 * longer starts with the peer's AS, and bgpd's own re-encoding of the route
 * fails that check. Either outcome below is correct: the merged path keeps
 * the neighbor AS first, or the routes are treated as withdrawn.
 *
 *   cc -std=c11 -D_GNU_SOURCE -I. -fsanitize=address,undefined \
 *      tests/fuzz/findings/test_bgpd_as4path_neighbor.c \
 *      build/asan/libbgpd.a build/asan/libcommon.a -lcriterion -levent -ljson-c -lm
 */
#include <criterion/criterion.h>

#include "bgpd/attr.h"

static const uint8_t body[] = {
	0x00, 0x00,                                     /* no withdrawn routes */
	0x00, 0x3d,                                     /* 61 bytes of attributes */
	0x40, 0x01, 0x01, 0x00,                         /* ORIGIN IGP */
	0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0, /* AS_PATH 65001 23456 */
	0xc0, 0x11, 0x0a, 0x02, 0x02, 0x00, 0x01, 0xfd, 0xe9, /* AS4_PATH 130537 */
	0xfa, 0x56, 0xea, 0x00,                         /*          4200000000 */
	0x80, 0x0e, 0x20, 0x00, 0x01, 0x80, 0x0c,       /* MP_REACH VPN-IPv4, nh len 12 */
	0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0x00,      /* RD 0, 10.0.0.1, reserved */
	0x70, 0x00, 0x30, 0x11,                         /* /24, label 769 */
	0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x07, /* RD 65000:7 */
	192, 0, 2,                                      /* 192.0.2.0/24 */
};

Test(as4path, neighbor_as_stays_first_or_routes_withdrawn)
{
	struct attr_ctx ctx = { .as4 = false, .afs = BGP_AF_VPNV4, .ebgp = true, .peer_as = 65001 };
	struct bgp_update *u = bgp_update_new();
	struct bgp_err err;

	cr_assert_not_null(u);
	cr_assert_eq(bgp_update_decode(body, sizeof(body), &ctx, u, &err), 0);
	cr_assert_eq(u->n_reach, 1);
	cr_assert(u->action == ATTR_ACT_WITHDRAW ||
			  aspath_first_as(u->attrs.aspath, u->attrs.aspath_len) == 65001,
		  "path starts with AS %u, not the peer's 65001, and the route is kept",
		  aspath_first_as(u->attrs.aspath, u->attrs.aspath_len));
	bgp_update_free(u);
}
