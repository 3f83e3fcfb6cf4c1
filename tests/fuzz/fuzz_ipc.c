/*
 * libFuzzer harness: the IPC decoder (common/ipc.c framing and
 * ipc_payload_ok) and what fwd does with every message that passes it.
 *
 * Input: the byte stream a daemon would read from its vrfmgr socket (struct
 * ipc_hdr + payload, host order, back to back). It is written into one end
 * of a socketpair; the other end is a real struct ipc_conn on a libevent
 * loop, whose on_msg hands each message to fwd's apply_msg on a PE that
 * holds the lab-like state of fuzz_fwd_util.h (so DELs, replays and sweeps
 * meet real entries; fz_reset restores it before each input). The loop
 * runs until the connection reports the end (EOF or a malformed frame).
 * Then a few fixed probe frames go through the pipeline over whatever
 * tables the messages left.
 *
 * Properties besides no crash, leak or UB: on_msg only ever sees payloads
 * that pass ipc_payload_ok; the connection always ends with on_close.
 */
#include <event2/event.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "fuzz_fwd_util.h"

#define FUZZ_NAME "fuzz_ipc"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static struct fwd *fw;
static bool grown; /* an input used a high label or VRF id: fwd's tables grew */

struct run {
	struct fwd *f;
	bool closed;
	unsigned n_msgs;
};

static int out_sink(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	CHECK(ifp != NULL && frame != NULL && len >= FWD_ETH_HLEN);
	return 0;
}

static void on_msg(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len,
		   void *ctx)
{
	struct run *r = ctx;

	(void)c;
	CHECK(ipc_payload_ok(type, payload, len));
	CHECK(ipc_type_name(type) != NULL);
	r->n_msgs++;
	if (type == IPC_LFIB_ADD)
		grown |= ((const struct ipc_lfib_entry *)payload)->in_label > 1024;
	if (type == IPC_VRF_ADD)
		grown |= ((const struct ipc_vrf *)payload)->vrf_id > 64;
	if (type == IPC_FIB_ADD)
		grown |= ((const struct ipc_fib_entry *)payload)->vrf_id > 64;
	if (type == IPC_IF_BIND)
		grown |= ((const struct ipc_if_bind *)payload)->vrf_id > 64;
	if (type != IPC_HELLO && type != IPC_VPN_ROUTE_ADD && type != IPC_VPN_ROUTE_DEL)
		apply_msg(r->f, type, payload, len);
}

static void on_close(struct ipc_conn *c, void *ctx)
{
	struct run *r = ctx;

	(void)c;
	r->closed = true;
}

/*
 * A new fwd when an input may have grown the direct-indexed tables (high
 * VRF ids or labels, seen in the messages): a replay sweeps them whole, so a
 * grown fwd makes every later input slow; the fixture's tables stay small
 * and are reset by replay.
 */
static void fw_renew(void)
{
	struct fwd_hooks hooks = { .output = out_sink };

	if (fw != NULL && !grown)
		return;
	grown = false;
	fwd_free(fw);
	fw = fwd_new(&hooks, 300);
	if (fw == NULL || fz_core_ifs(fw) < 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_ipc", LOG_LVL_ERR);
	base = event_base_new();
	if (base == NULL)
		abort();
	fw_renew();
	return 0;
}

/* An IPv4 frame from neighbour i's side into interface i (MPLS-labelled on the core). */
static void probe(struct fwd *f, int i, uint32_t dst, uint32_t label)
{
	uint8_t buf[FWD_HEADROOM + 128];
	struct fwd_pkt p = { .data = buf + FWD_HEADROOM, .headroom = FWD_HEADROOM };
	struct fwd_iface *ifp = fwd_iface_find(f, fz_if_names[i]);
	uint8_t *ip;

	if (ifp == NULL)
		return;
	memset(buf, 0, sizeof(buf));
	memcpy(p.data, ifp->mac, 6);
	memcpy(p.data + 6, fz_mac_nb[i], 6);
	ip = p.data + 14;
	if (label != MPLS_LABEL_NONE) {
		struct mpls_lse e = { .label = label, .bos = true, .ttl = 64 };

		fz_put16(p.data + 12, ETHERTYPE_MPLS);
		mpls_lse_encode(ip, &e);
		ip += 4;
	} else {
		fz_put16(p.data + 12, FWD_ETHERTYPE_IPV4);
	}
	ip[0] = 0x45;
	fz_put16(ip + 2, 48);
	ip[8] = 64;
	ip[9] = 17;
	fz_put32(ip + 12, FZ_IP(192, 168, 100, 10));
	fz_put32(ip + 16, dst);
	fz_put16(ip + 10, ipv4_checksum(ip, 20));
	p.len = (size_t)(ip - p.data) + 48;
	fwd_input(f, ifp, &p);
}

static void probes(struct fwd *f)
{
	static const uint32_t dsts[] = { FZ_IP(192, 168, 101, 10), FZ_IP(192, 168, 100, 10),
					 FZ_IP(10, 2, 1, 1) };
	static const uint32_t labels[] = { 16, 100, 101 };

	for (size_t d = 0; d < sizeof(dsts) / sizeof(dsts[0]); d++) {
		probe(f, 2, dsts[d], MPLS_LABEL_NONE);
		probe(f, 3, dsts[d], MPLS_LABEL_NONE);
		for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++)
			probe(f, 0, dsts[d], labels[l]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = { .f = fw };
	struct ipc_conn *c;
	int sv[2];
	size_t off = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* whole input first: the receiver then sees the stream exactly as given */
	while (off < size) {
		ssize_t n = write(sv[0], data + off, size - off);

		if (n <= 0)
			abort(); /* inputs are capped well below the socket buffer (-max_len) */
		off += (size_t)n;
	}
	close(sv[0]);
	fz_reset(fw);
	c = ipc_conn_new(base, sv[1], on_msg, on_close, &r);
	CHECK(c != NULL);
	for (int turns = 0; !r.closed && turns < 1000; turns++)
		event_base_loop(base, EVLOOP_ONCE);
	CHECK(r.closed);
	ipc_conn_free(c);
	fz_access_ifs(fw);
	probes(fw);
	fw_renew();
	return 0;
}
