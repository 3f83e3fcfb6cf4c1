/*
 * libFuzzer harness: fwd's frame parser and forwarding pipeline
 * (Ethernet, ARP, IPv4, MPLS label stacks) on a PE programmed as vrfmgr
 * would (fuzz_fwd_util.h), reset to that state before every input so each
 * input replays alone (fz_reset).
 *
 * Input: one byte of options (bit 0: every frame through pipeline.c alone,
 * f->slow_only; else the vector path), then frame records (see
 * fuzz_fwd_util.h), all handed to fwd_input_batch as one batch, then once
 * more one by one (the second pass meets the ARP and LFIB state the first
 * left).
 *
 * Properties on every frame fwd sends, besides no crash, leak or UB:
 *  - it fits the buffer and is at least an Ethernet header;
 *  - VRF isolation: a frame that came in on one VRF's access link never
 *    leaves on the other VRF's access link;
 *  - an IPv4 frame leaving on an access link has a valid header checksum
 *    (fwd rewrites the TTL and must fix the checksum).
 */
#include <stdio.h>

#include "common/log.h"
#include "fuzz_fwd_util.h"

#define MAX_FRAMES 32
#define FRAME_ROOM 2048

#define FUZZ_NAME "fuzz_fwd_frame"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The access link the frame being processed came in on (NULL: core or unknown). */
static struct fwd_iface *cur_in;
static struct fwd_iface *ifs[FZ_N_IFS];

static int out_check(void *ctx, struct fwd_iface *ifp, const uint8_t *frame, size_t len)
{
	(void)ctx;
	CHECK(ifp != NULL);
	CHECK(len >= FWD_ETH_HLEN && len <= FRAME_ROOM + FWD_HEADROOM);
	CHECK(ifp->mtu == 0 || len - FWD_ETH_HLEN <= ifp->mtu); /* fragmented or dropped if not */
	if (cur_in != NULL && ifp->role == FWD_IF_ACCESS)
		CHECK(ifp->vrf_id == cur_in->vrf_id);
	if (ifp->role == FWD_IF_ACCESS && frame[12] == 0x08 && frame[13] == 0x00 &&
	    len >= FWD_ETH_HLEN + 20) {
		const uint8_t *ip = frame + FWD_ETH_HLEN;
		size_t ihl = (size_t)(ip[0] & 0xf) * 4;

		if ((ip[0] >> 4) == 4 && ihl >= 20 && FWD_ETH_HLEN + ihl <= len)
			CHECK(ipv4_checksum(ip, ihl) == 0);
	}
	return 0;
}

static struct fwd *f;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fwd_hooks hooks = { .output = out_check };

	(void)argc;
	(void)argv;
	log_init("fuzz_fwd_frame", LOG_LVL_ERR);
	f = fwd_new(&hooks, 300);
	if (f == NULL || fz_core_ifs(f) < 0)
		abort();
	fz_reset(f);
	for (int i = 0; i < FZ_N_IFS; i++) {
		ifs[i] = fwd_iface_find(f, fz_if_names[i]);
		CHECK(ifs[i] != NULL);
	}
	return 0;
}

struct frames {
	uint8_t buf[MAX_FRAMES][FWD_HEADROOM + FRAME_ROOM];
	struct fwd_pkt p[MAX_FRAMES];
	struct fwd_iface *in[MAX_FRAMES];
	const uint8_t *src[MAX_FRAMES];
	size_t src_len[MAX_FRAMES];
	unsigned n;
};

static struct frames fr;

/* Splits the records; frames are copied again before each pass (fwd edits in place). */
static void parse_records(const uint8_t *d, size_t size)
{
	size_t off = 0;

	fr.n = 0;
	while (off + 3 <= size && fr.n < MAX_FRAMES) {
		size_t len = (size_t)d[off + 1] << 8 | d[off + 2];

		fr.in[fr.n] = ifs[d[off] % FZ_N_IFS];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (len > FRAME_ROOM)
			len = FRAME_ROOM;
		fr.src[fr.n] = d + off;
		fr.src_len[fr.n] = len;
		off += len;
		fr.n++;
	}
}

static void load(unsigned i)
{
	memset(fr.buf[i], 0, FWD_HEADROOM);
	memcpy(fr.buf[i] + FWD_HEADROOM, fr.src[i], fr.src_len[i]);
	fr.p[i].data = fr.buf[i] + FWD_HEADROOM;
	fr.p[i].len = fr.src_len[i];
	fr.p[i].headroom = FWD_HEADROOM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum fwd_verdict v[MAX_FRAMES];

	if (size < 1)
		return 0;
	fz_reset(f);
	f->slow_only = data[0] & 1;
	parse_records(data + 1, size - 1);
	/* The batch mixes interfaces, so isolation is checked in the one-by-one pass. */
	cur_in = NULL;
	for (unsigned i = 0; i < fr.n; i++)
		load(i);
	fwd_input_batch(f, fr.in, fr.p, fr.n, v);
	for (unsigned i = 0; i < fr.n; i++) {
		CHECK(v[i] <= FWD_DROPPED);
		load(i);
		cur_in = fr.in[i]->role == FWD_IF_ACCESS ? fr.in[i] : NULL;
		fwd_input(f, fr.in[i], &fr.p[i]);
	}
	cur_in = NULL;
	f->now_ms += 5000; /* let ARP retries and timeouts run */
	for (int i = 0; i < FZ_N_IFS; i++)
		arp_tick(f, ifs[i]);
	return 0;
}
