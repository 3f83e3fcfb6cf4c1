/*
 * common/ipc.c: payload validation per type, framing over a socketpair
 * (frames split across writes, several frames in one write), malformed
 * frames and EOF close the connection, the owner may free the connection
 * from its callbacks, Unix socket listen/connect.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/ipc.h"
#include "common/log.h"

/* ---- ipc_payload_ok ---- */

Test(ipc_payload, fixed_sizes)
{
	static const struct {
		uint16_t type;
		uint32_t size;
	} fixed[] = {
		{ IPC_HELLO, sizeof(struct ipc_hello) },
		{ IPC_REPLAY_BEGIN, 0 },
		{ IPC_REPLAY_END, 0 },
		{ IPC_VRF_ADD, sizeof(struct ipc_vrf) },
		{ IPC_VRF_DEL, sizeof(struct ipc_vrf) },
		{ IPC_IF_BIND, sizeof(struct ipc_if_bind) },
		{ IPC_IF_UNBIND, sizeof(struct ipc_if_bind) },
		{ IPC_NH_ADD, sizeof(struct ipc_nexthop) },
		{ IPC_NH_DEL, sizeof(struct ipc_nexthop) },
		{ IPC_FIB_ADD, sizeof(struct ipc_fib_entry) },
		{ IPC_FIB_DEL, sizeof(struct ipc_fib_entry) },
		{ IPC_LFIB_ADD, sizeof(struct ipc_lfib_entry) },
		{ IPC_LFIB_DEL, sizeof(struct ipc_lfib_entry) },
	};
	uint8_t zero[256] = { 0 };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		uint16_t t = fixed[i].type;
		uint32_t n = fixed[i].size;

		cr_assert(ipc_payload_ok(t, zero, n), "%s %u", ipc_type_name(t), n);
		cr_assert_not(ipc_payload_ok(t, zero, n + 1), "%s long", ipc_type_name(t));
		if (n > 0)
			cr_assert_not(ipc_payload_ok(t, zero, n - 1), "%s short", ipc_type_name(t));
		cr_assert_str_neq(ipc_type_name(t), "UNKNOWN");
	}
}

Test(ipc_payload, vpn_route_tail)
{
	uint8_t b[sizeof(struct ipc_vpn_route) + 3 * 8] = { 0 };
	struct ipc_vpn_route r = { .n_rts = 2 };
	const uint32_t base = sizeof(struct ipc_vpn_route);

	memcpy(b, &r, sizeof(r));
	for (int t = IPC_VPN_ROUTE_ADD; t <= IPC_VPN_ROUTE_DEL; t++) {
		cr_assert(ipc_payload_ok(t, b, base + 16));
		cr_assert_not(ipc_payload_ok(t, b, base + 8));
		cr_assert_not(ipc_payload_ok(t, b, base + 24));
		cr_assert_not(ipc_payload_ok(t, b, base));
		cr_assert_not(ipc_payload_ok(t, b, base - 1));
	}
	r.n_rts = 0;
	memcpy(b, &r, sizeof(r));
	cr_assert(ipc_payload_ok(IPC_VPN_ROUTE_DEL, b, base));
}

Test(ipc_payload, rt_imports_count_matches_tail)
{
	static uint8_t b[IPC_MAX_PAYLOAD + 8];
	struct ipc_rt_imports h = { .n_rts = 3 };
	const uint32_t base = sizeof(h);

	memcpy(b, &h, sizeof(h));
	cr_assert(ipc_payload_ok(IPC_RT_IMPORTS, b, base + 24));
	cr_assert_not(ipc_payload_ok(IPC_RT_IMPORTS, b, base + 16));
	cr_assert_not(ipc_payload_ok(IPC_RT_IMPORTS, b, base + 32));
	cr_assert_not(ipc_payload_ok(IPC_RT_IMPORTS, b, base - 1));
	h.n_rts = 0;
	memcpy(b, &h, sizeof(h));
	cr_assert(ipc_payload_ok(IPC_RT_IMPORTS, b, base), "no VRF imports anything");
	/* a count whose tail would pass the payload limit (and wrap 32 bits when multiplied) */
	h.n_rts = 0x20000001u;
	memcpy(b, &h, sizeof(h));
	cr_assert_not(ipc_payload_ok(IPC_RT_IMPORTS, b, base + 8));
	h.n_rts = (uint32_t)IPC_RT_IMPORTS_MAX;
	memcpy(b, &h, sizeof(h));
	cr_assert(ipc_payload_ok(IPC_RT_IMPORTS, b, base + h.n_rts * 8));
	cr_assert_str_eq(ipc_type_name(IPC_RT_IMPORTS), "RT_IMPORTS");
}

Test(ipc_payload, names_must_be_terminated)
{
	struct ipc_hello h;
	struct ipc_nexthop nh;

	memset(&h, 'x', sizeof(h));
	cr_assert_not(ipc_payload_ok(IPC_HELLO, &h, sizeof(h)));
	h.name[IPC_NAME_MAX - 1] = '\0';
	cr_assert(ipc_payload_ok(IPC_HELLO, &h, sizeof(h)));
	memset(&nh, 'y', sizeof(nh));
	cr_assert_not(ipc_payload_ok(IPC_NH_ADD, &nh, sizeof(nh)));
}

Test(ipc_payload, unknown_types)
{
	uint8_t zero[64] = { 0 };

	cr_assert_not(ipc_payload_ok(0, zero, 0));
	cr_assert_not(ipc_payload_ok(IPC_TYPE_MAX, zero, 0));
	cr_assert_not(ipc_payload_ok(0xffff, zero, 0));
	cr_assert_str_eq(ipc_type_name(0), "UNKNOWN");
	cr_assert_str_eq(ipc_type_name(IPC_TYPE_MAX), "UNKNOWN");
	cr_assert_str_eq(ipc_type_name(IPC_HELLO), "HELLO");
	cr_assert_str_eq(ipc_type_name(IPC_LFIB_DEL), "LFIB_DEL");
}

/* ---- connections over a socketpair ---- */

#define MAXMSG 16

struct rx {
	int n;
	uint16_t types[MAXMSG];
	uint32_t lens[MAXMSG];
	uint8_t first[MAXMSG][64];
	int closed;
	int free_on_msg; /* free the connection when the n-th message arrives */
	bool free_on_close;
	struct ipc_conn *conn;
};

static void on_msg(struct ipc_conn *c, uint16_t type, const void *p, uint32_t len, void *ctx)
{
	struct rx *rx = ctx;

	cr_assert_lt(rx->n, MAXMSG);
	rx->types[rx->n] = type;
	rx->lens[rx->n] = len;
	memcpy(rx->first[rx->n], p, len < 64 ? len : 64);
	rx->n++;
	if (rx->free_on_msg == rx->n) {
		ipc_conn_free(c);
		rx->conn = NULL;
	}
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	struct rx *rx = ctx;

	rx->closed++;
	if (rx->free_on_close) {
		ipc_conn_free(c);
		rx->conn = NULL;
	}
}

static struct event_base *base;
static int sv[2];

static void setup(void)
{
	log_init("test", LOG_LVL_ERR);
	base = event_base_new();
	cr_assert_not_null(base);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void teardown(void)
{
	if (sv[1] >= 0)
		close(sv[1]);
	event_base_free(base);
}

static void spin(void)
{
	for (int i = 0; i < 8; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

static void raw_write(const void *p, size_t n)
{
	cr_assert_eq(write(sv[1], p, n), (ssize_t)n);
}

static size_t frame(uint8_t *out, uint16_t type, uint16_t flags, const void *p, uint32_t len)
{
	struct ipc_hdr h = { type, flags, len };

	memcpy(out, &h, sizeof(h));
	if (len)
		memcpy(out + sizeof(h), p, len);
	return sizeof(h) + len;
}

TestSuite(ipc_conn, .init = setup, .fini = teardown);

Test(ipc_conn, send_and_receive_both_ways)
{
	struct rx a = { 0 }, b = { 0 };
	struct ipc_vpn_route r = { .rd = { 0, 1, 10, 255, 0, 1, 0, 100 }, .prefix = 0xc0a86400,
				   .plen = 24, .n_rts = 2, .label = 100 };
	uint8_t rts[16] = { 0, 2, 0xfd, 0xe8, 0, 0, 0, 100, 0, 2, 0xfd, 0xe8, 0, 0, 0, 200 };

	a.conn = ipc_conn_new(base, sv[0], on_msg, on_close, &a);
	b.conn = ipc_conn_new(base, sv[1], on_msg, on_close, &b);
	sv[1] = -1; /* owned by b now */
	cr_assert(a.conn && b.conn);
	cr_assert_eq(ipc_send_hello(a.conn, IPC_ROLE_BGPD, "pe1"), 0);
	cr_assert_eq(ipc_send(a.conn, IPC_REPLAY_BEGIN, NULL, 0), 0);
	cr_assert_eq(ipc_send2(a.conn, IPC_VPN_ROUTE_ADD, &r, sizeof(r), rts, sizeof(rts)), 0);
	cr_assert_eq(ipc_send(a.conn, IPC_REPLAY_END, NULL, 0), 0);
	cr_assert_gt(ipc_pending(a.conn), 0);
	cr_assert_eq(ipc_send_hello(b.conn, IPC_ROLE_VRFMGR, "pe1"), 0);
	spin();
	cr_assert_eq(ipc_pending(a.conn), 0);
	cr_assert_eq(b.n, 4);
	cr_assert_eq(b.types[0], IPC_HELLO);
	const struct ipc_hello *h = (const void *)b.first[0];
	cr_assert_eq(h->version, IPC_VERSION);
	cr_assert_eq(h->role, IPC_ROLE_BGPD);
	cr_assert_str_eq(h->name, "pe1");
	cr_assert_eq(b.types[1], IPC_REPLAY_BEGIN);
	cr_assert_eq(b.lens[1], 0);
	cr_assert_eq(b.types[2], IPC_VPN_ROUTE_ADD);
	cr_assert_eq(b.lens[2], sizeof(r) + 16);
	cr_assert_arr_eq(b.first[2], &r, sizeof(r));
	cr_assert_arr_eq(b.first[2] + sizeof(r), rts, 16);
	cr_assert_eq(b.types[3], IPC_REPLAY_END);
	cr_assert_eq(a.n, 1);
	cr_assert_eq(a.types[0], IPC_HELLO);
	cr_assert_eq(a.closed + b.closed, 0);
	ipc_conn_free(a.conn);
	spin();
	cr_assert_eq(b.closed, 1, "EOF closes");
	ipc_conn_free(b.conn);
}

Test(ipc_conn, send_rejects_malformed)
{
	struct rx a = { 0 };
	struct ipc_vpn_route r = { .n_rts = 3 };
	uint8_t big[16];

	a.conn = ipc_conn_new(base, sv[0], on_msg, on_close, &a);
	cr_assert_eq(ipc_send(a.conn, IPC_VPN_ROUTE_ADD, &r, sizeof(r)), -EINVAL);
	cr_assert_eq(ipc_send2(a.conn, IPC_VPN_ROUTE_ADD, &r, sizeof(r), big, 16), -EINVAL);
	cr_assert_eq(ipc_send(a.conn, IPC_HELLO, big, sizeof(big)), -EINVAL);
	cr_assert_eq(ipc_send(a.conn, 0, NULL, 0), -EINVAL);
	cr_assert_eq(ipc_send(a.conn, IPC_REPLAY_END, NULL, IPC_MAX_PAYLOAD + 1), -EMSGSIZE);
	cr_assert_eq(ipc_pending(a.conn), 0);
	ipc_conn_free(a.conn);
}

Test(ipc_conn, frames_split_across_writes)
{
	struct rx a = { 0 };
	struct ipc_fib_entry fe = { .vrf_id = 1, .prefix = 0xc0a86500, .plen = 24, .nh_id = 7,
				    .inner_label = 200 };
	uint8_t buf[512];
	size_t n = 0;

	a.conn = ipc_conn_new(base, sv[0], on_msg, on_close, &a);
	n += frame(buf + n, IPC_REPLAY_BEGIN, 0, NULL, 0);
	n += frame(buf + n, IPC_FIB_ADD, 0, &fe, sizeof(fe));
	n += frame(buf + n, IPC_FIB_ADD, 0, &fe, sizeof(fe));
	n += frame(buf + n, IPC_REPLAY_END, 0, NULL, 0);
	/* one byte at a time through the first frames, then the rest in one go */
	for (size_t i = 0; i < 30; i++) {
		raw_write(buf + i, 1);
		spin();
	}
	cr_assert_eq(a.n, 1, "only the complete first frame so far");
	raw_write(buf + 30, n - 30);
	spin();
	cr_assert_eq(a.n, 4);
	cr_assert_eq(a.types[1], IPC_FIB_ADD);
	cr_assert_arr_eq(a.first[1], &fe, sizeof(fe));
	cr_assert_arr_eq(a.first[2], &fe, sizeof(fe));
	cr_assert_eq(a.types[3], IPC_REPLAY_END);
	cr_assert_eq(a.closed, 0);
	ipc_conn_free(a.conn);
}

static void expect_close_on(const void *bytes, size_t n)
{
	struct rx a = { .free_on_close = true };

	a.conn = ipc_conn_new(base, sv[0], on_msg, on_close, &a);
	raw_write(bytes, n);
	spin();
	cr_assert_eq(a.closed, 1);
	cr_assert_null(a.conn, "freed from on_close");
	cr_assert_eq(a.n, 0);
}

Test(ipc_conn, oversized_length_closes)
{
	struct ipc_hdr h = { IPC_FIB_ADD, 0, IPC_MAX_PAYLOAD + 1 };

	expect_close_on(&h, sizeof(h));
}

Test(ipc_conn, nonzero_flags_close)
{
	uint8_t buf[64];

	expect_close_on(buf, frame(buf, IPC_REPLAY_BEGIN, 1, NULL, 0));
}

Test(ipc_conn, unknown_type_closes)
{
	uint8_t buf[64];

	expect_close_on(buf, frame(buf, IPC_TYPE_MAX, 0, NULL, 0));
}

Test(ipc_conn, wrong_payload_size_closes)
{
	uint8_t buf[64], junk[12] = { 0 };

	expect_close_on(buf, frame(buf, IPC_LFIB_ADD, 0, junk, sizeof(junk)));
}

Test(ipc_conn, free_inside_on_msg_stops_delivery)
{
	struct rx a = { .free_on_msg = 1 };
	uint8_t buf[64];
	size_t n = 0;

	a.conn = ipc_conn_new(base, sv[0], on_msg, on_close, &a);
	n += frame(buf + n, IPC_REPLAY_BEGIN, 0, NULL, 0);
	n += frame(buf + n, IPC_REPLAY_END, 0, NULL, 0);
	raw_write(buf, n);
	spin();
	cr_assert_eq(a.n, 1);
	cr_assert_eq(a.closed, 0);
	cr_assert_null(a.conn);
}

Test(ipc_conn, eof_with_partial_frame_closes)
{
	struct rx a = { .free_on_close = true };
	uint8_t buf[64];
	size_t n = frame(buf, IPC_REPLAY_BEGIN, 0, NULL, 0);

	n += frame(buf + n, IPC_VRF_ADD, 0, (uint8_t[sizeof(struct ipc_vrf)]){ 0 },
		   sizeof(struct ipc_vrf));
	a.conn = ipc_conn_new(base, sv[0], on_msg, on_close, &a);
	raw_write(buf, n - 3);
	close(sv[1]);
	sv[1] = -1;
	spin();
	cr_assert_eq(a.n, 1);
	cr_assert_eq(a.closed, 1);
}

static void count_msg(struct ipc_conn *c, uint16_t type, const void *p, uint32_t len, void *ctx)
{
	(void)c;
	(void)type;
	(void)p;
	(void)len;
	(*(int *)ctx)++;
}

static void count_close(struct ipc_conn *c, void *ctx)
{
	(void)c;
	(void)ctx;
	cr_assert_fail("unexpected close");
}

Test(ipc_conn, many_frames_are_batched_but_all_arrive)
{
	static uint8_t buf[3000 * sizeof(struct ipc_hdr)];
	struct ipc_conn *c;
	size_t n = 0;
	int count = 0;

	c = ipc_conn_new(base, sv[0], count_msg, count_close, &count);
	for (int i = 0; i < 3000; i++)
		n += frame(buf + n, IPC_REPLAY_BEGIN, 0, NULL, 0);
	raw_write(buf, n);
	event_base_loop(base, EVLOOP_ONCE);
	cr_assert_lt(count, 3000, "a backlog is handed over in batches, not all at once");
	for (int i = 0; i < 50 && count < 3000; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	cr_assert_eq(count, 3000);
	ipc_conn_free(c);
}

/* ---- Unix sockets ---- */

Test(ipc_unix, listen_connect_stale)
{
	char dir[] = "/tmp/ferry-ipc-XXXXXX", path[128];
	struct stat st;
	int lfd, cfd, afd;

	log_init("test", LOG_LVL_ERR);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vrfmgr.ipc", dir);
	cr_assert_eq(ipc_connect_unix(path), -ENOENT);
	lfd = ipc_listen_unix(path);
	cr_assert_geq(lfd, 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0660);
	cr_assert_eq(ipc_listen_unix(path), -EADDRINUSE, "a live listener is not replaced");
	cr_assert_geq(cfd = ipc_connect_unix(path), 0);
	afd = accept(lfd, NULL, NULL);
	cr_assert_geq(afd, 0);
	close(afd);
	close(cfd);
	close(lfd); /* the file stays behind: stale */
	cr_assert_eq(ipc_connect_unix(path), -ECONNREFUSED);
	lfd = ipc_listen_unix(path);
	cr_assert_geq(lfd, 0, "stale socket replaced");
	close(lfd);
	unlink(path);
	cr_assert_eq(rmdir(dir), 0);
}

Test(ipc_unix, refuses_non_socket_and_long_path)
{
	char dir[] = "/tmp/ferry-ipc-XXXXXX", path[128], longp[200];
	FILE *f;

	log_init("test", LOG_LVL_ERR);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	fclose(f);
	cr_assert_eq(ipc_listen_unix(path), -EEXIST);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	cr_assert_eq(ipc_listen_unix(longp), -ENAMETOOLONG);
	cr_assert_eq(ipc_connect_unix(longp), -ENAMETOOLONG);
	unlink(path);
	rmdir(dir);
}
