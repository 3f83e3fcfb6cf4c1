/*
 * The fixture both bgpd FSM test files use (test_bgpd_fsm.c,
 * test_bgpd_caps.c): two speakers A (127.0.0.1) and B (127.0.0.2) on one
 * event_base, B also configured for a third neighbor 127.0.0.3 that the raw
 * "fake peer" plays; load/setup/teardown, run_until, and the raw-peer helpers
 * (send, read until closed, the NOTIFICATION received, UPDATE framing).
 * Everything here is static (inline): each file gets its own.
 */
#ifndef TEST_BGPD_FSM_H
#define TEST_BGPD_FSM_H

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/bgpd.h"
#include "common/log.h"
#include "tests/unit/test_bgpd_open.h"
#include "tests/unit/test_bgpd_raw.h"
#include "test_event_util.h"

static __attribute__((unused)) struct event_base *base;
static __attribute__((unused)) struct ferry_config cfg_a, cfg_b;
static __attribute__((unused)) struct bgpd *A, *B;
static __attribute__((unused)) uint16_t port;
static __attribute__((unused)) int listen_fd = -1;

static inline void load(struct ferry_config *cfg, int me, const char *extra_neighbor)
{
	char json[1024], err[256];
	int other = 3 - me;

	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t%d\", \"router_id\": \"127.0.0.%d\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-fsm-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.%d\", \"port\": %u, \"hold_time\": 9,"
		 " \"connect_retry\": 1, \"neighbors\": ["
		 " {\"address\": \"127.0.0.%d\", \"remote_as\": 65000, \"local_address\": \"127.0.0.%d\"}"
		 " %s]}}",
		 me, me, me, port, other, me, extra_neighbor);
	cr_assert_eq(config_load_string(json, "test.json", cfg, err, sizeof(err)), 0, "%s", err);
}

static inline void setup_with(const char *third)
{
	char extra[256];

	log_init("test_bgpd_fsm", LOG_LVL_INFO);
	port = (uint16_t)(20000 + getpid() % 20000);
	base = event_base_new();
	load(&cfg_a, 1, "");
	snprintf(extra, sizeof(extra), ", {\"address\": \"127.0.0.3\", \"remote_as\": 65000%s}",
		 third);
	load(&cfg_b, 2, extra);
	A = bgpd_new(base, &cfg_a);
	B = bgpd_new(base, &cfg_b);
	cr_assert_not_null(A);
	cr_assert_not_null(B);
}

static inline void setup(void)
{
	setup_with(", \"passive\": true");
}

static inline void teardown(void)
{
	if (listen_fd >= 0)
		close(listen_fd);
	bgpd_free(A);
	bgpd_free(B);
	config_free(&cfg_a);
	config_free(&cfg_b);
	event_base_free(base);
	cr_assert_eq(attr_intern_count(), 0, "interned sets leaked");
}

/* Runs the loop until cond(arg) holds or `seconds` pass. */
static inline bool run_until(bool (*cond)(void *), void *arg, int seconds)
{
	return t_loop_until(base, cond, arg, seconds * 1000, 20000);
}

static inline bool both_established(void *arg)
{
	(void)arg;
	return peer_state(&A->peers[0]) == FSM_ESTABLISHED &&
	       peer_state(&B->peers[0]) == FSM_ESTABLISHED;
}

/* ---- a raw socket standing in for a peer ---- */

static inline bool raw_writable(void *arg)
{
	struct raw *r = arg;
	int err = 0;
	socklen_t sl = sizeof(err);
	struct sockaddr_in sin;
	socklen_t al = sizeof(sin);

	getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	return err == 0 && getpeername(r->fd, (struct sockaddr *)&sin, &al) == 0;
}

static inline void raw_send(struct raw *r, const void *p, size_t n)
{
	cr_assert(run_until(raw_writable, r, 5), "raw socket never connected");
	cr_assert_eq(send(r->fd, p, n, 0), (ssize_t)n);
}

/* The NOTIFICATION in what arrived (after any OPEN/KEEPALIVE). */
static inline void expect_notification(struct raw *r, uint8_t code, uint8_t sub)
{
	size_t off = 0;

	cr_assert(run_until(raw_read, r, 5), "connection not closed");
	while (off + 19 <= r->len && r->rx[off + 18] != BGP_MSG_NOTIFICATION)
		off += (size_t)r->rx[off + 16] << 8 | r->rx[off + 17];
	cr_assert_leq(off + 21, r->len, "no NOTIFICATION received");
	cr_assert_eq(r->rx[off + 19], code, "code %u", r->rx[off + 19]);
	cr_assert_eq(r->rx[off + 20], sub, "subcode %u", r->rx[off + 20]);
	close(r->fd);
}

static inline bool fake_established(void *arg)
{
	struct raw *r = arg;

	raw_read(r);
	return peer_state(&B->peers[1]) == FSM_ESTABLISHED;
}

/* An UPDATE message around attrs (no withdrawn routes, no plain NLRI). */
static inline size_t update_msg(uint8_t *b, const uint8_t *attrs, size_t alen)
{
	size_t len = 19 + 4 + alen;

	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = BGP_MSG_UPDATE;
	b[19] = b[20] = 0;
	b[21] = (uint8_t)(alen >> 8);
	b[22] = (uint8_t)alen;
	memcpy(b + 23, attrs, alen);
	return len;
}

static inline bool b_fake_routes(void *arg)
{
	return B->peers[1].src.n_paths == *(size_t *)arg;
}

#endif
