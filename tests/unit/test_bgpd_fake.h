/*
 * The raw "fake peer" (127.0.0.3) of B in the bgpd FSM fixture
 * (test_bgpd_fsm.h): its OPEN with chosen capabilities, coming up, sending
 * routes and End-of-RIB, and what B holds from it. Used by test_bgpd_caps.c
 * and test_bgpd_grnotif.c.
 */
#ifndef TEST_BGPD_FAKE_H
#define TEST_BGPD_FAKE_H

#include "tests/unit/test_bgpd_fsm.h"

/* An OPEN with router id 127.0.0.<id> (AS 65000): AS4 plus the given capabilities. */
static inline size_t open_caps_hold(uint8_t *b, uint8_t id, uint8_t hold, const uint8_t *caps,
				    uint8_t clen)
{
	uint8_t all[64] = { 65, 4, 0, 0, 0xfd, 0xe8 };

	cr_assert_leq(clen, sizeof(all) - 6);
	memcpy(all + 6, caps, clen);
	return open_with_caps(b, id, hold, all, (uint8_t)(6 + clen));
}

static inline size_t open_caps(uint8_t *b, uint8_t id, const uint8_t *caps, uint8_t clen)
{
	return open_caps_hold(b, id, 9, caps, clen);
}

#define CAP_MP_VPN 1, 4, 0, 1, 0, 128
#define CAP_GR_FWD 64, 6, 0, 5, 0, 1, 128, 0x80 /* restart time 5 s, VPN-IPv4 kept */
#define CAP_GR_NOFWD 64, 6, 0, 5, 0, 1, 128, 0
#define CAP_ERR 70, 0

static __attribute__((unused)) const uint8_t keepalive[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,    19,   4
};

/*
 * Once A and B are up, the fake peer (127.0.0.3) connects as router id
 * 127.0.0.<id>, offering hold time `hold`, and is established.
 */
static inline void fake_up_hold(struct raw *r, uint8_t id, uint8_t hold, const uint8_t *caps,
				uint8_t clen)
{
	uint8_t b[256];
	size_t n = open_caps_hold(b, id, hold, caps, clen);

	cr_assert(run_until(both_established, NULL, 10));
	raw_connect(r, "127.0.0.3", port);
	memcpy(b + n, keepalive, sizeof(keepalive));
	raw_send(r, b, n + sizeof(keepalive));
	cr_assert(run_until(fake_established, r, 5), "fake peer not established");
}

static inline void fake_up_as(struct raw *r, uint8_t id, const uint8_t *caps, uint8_t clen)
{
	fake_up_hold(r, id, 9, caps, clen);
}

static inline void fake_up(struct raw *r, const uint8_t *caps, uint8_t clen)
{
	fake_up_as(r, 3, caps, clen);
}

/* ORIGIN, AS_PATH, LOCAL_PREF, MP_REACH 65000:1 10.<x>.0.0/16 label 100 via 10.0.0.1, extra */
static inline void send_route_with(struct raw *r, uint8_t x, const uint8_t *extra, size_t elen)
{
	const uint8_t attrs[] = { 0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 5, 4, 0, 0, 0, 100, 0x80, 14,
				  31, 0, 1, 128, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 104,
				  0, 6, 0x41, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 10, x };
	uint8_t all[128], msg[160];

	memcpy(all, attrs, sizeof(attrs));
	if (elen)
		memcpy(all + sizeof(attrs), extra, elen);
	raw_send(r, msg, update_msg(msg, all, sizeof(attrs) + elen));
}

static inline void send_route(struct raw *r, uint8_t x)
{
	send_route_with(r, x, NULL, 0);
}

static inline void send_eor(struct raw *r)
{
	const uint8_t attrs[] = { 0x80, 15, 3, 0, 1, 128 };
	uint8_t msg[64];

	raw_send(r, msg, update_msg(msg, attrs, sizeof(attrs)));
}

static inline bool fake_has_prefix(uint8_t x)
{
	for (const struct rib_path *p = B->peers[1].src.paths; p; p = p->src_next)
		if (p->entry->prefix.addr == (0x0a000000u | (uint32_t)x << 16))
			return true;
	return false;
}

static inline bool only_second(void *arg)
{
	(void)arg;
	return fake_has_prefix(2) && !fake_has_prefix(1);
}

static inline bool fake_gone(void *arg)
{
	(void)arg;
	return peer_state(&B->peers[1]) != FSM_ESTABLISHED;
}

#endif
