/*
 * bench/fwd-lookup's parts (fwd-lookup.c is main, the FIB it builds and the
 * paths it times; lookup/churn.c the route churn beside forwarding): what
 * they share.
 */
#ifndef FERRY_BENCH_LOOKUP_H
#define FERRY_BENCH_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd/fwd.h"

#define MAX_BATCH 256
#define SLOT 192
#define N_PE 16             /* remote PEs: one labeled next hop (LSP) each */
#define LOCAL_PCT 10        /* routes toward the VRF's own CE */
#define VPN_LABEL(pe, v) (1000u + (pe) * 1100u + (v))
#define OWN_LABEL(v) (500000u + (v))
#define CE_LABEL(v) (700000u + (v))
#define SWAP_BASE 100000u
#define N_SWAP 1024u
#define NH_CE(v) (100000u + (v))
#define NH_P 99999u

struct opts {
	uint32_t routes, vrfs, packets, runs, batch, seed, churn, seconds;
	bool scattered;
	bool mixed; /* -a mixed: every push frame of a batch from another link */
	const char *paths; /* which of lpm,push,pop,popce,swap to run */
};

struct route {
	uint32_t prefix;
	uint8_t plen;
};

/* One pre-drawn packet: ingress VRF (or label) and destination. */
struct draw {
	uint32_t dst;
	uint32_t key;
};

/* The template frames: Ethernet + IPv4 + UDP, 60 bytes; labels in front for core paths. */
struct batch {
	uint8_t buf[MAX_BATCH][SLOT];
	struct fwd_pkt p[MAX_BATCH];
	struct fwd_iface *in[MAX_BATCH];
	uint8_t tmpl[SLOT];
	size_t tmpl_len, ip_off;
	uint32_t csum_base; /* header sum without the destination address */
};

enum path { PATH_PUSH, PATH_POP, PATH_SWAP, PATH_POP_CE };

/* This thread's CPU time, in seconds. */
double now_s(void);
/* The batch's template frame: n_labels label entries in front (0: a CE's frame). */
void batch_template(struct batch *b, int n_labels);
/* What a receive ring would hand fwd: fresh frames with this batch's draws. */
void refill(struct batch *b, struct fwd_iface **acc, struct fwd_iface *core,
	    const struct draw *d, unsigned n, enum path path);

/*
 * -c: the push path as a worker forwards it, o->seconds quiet then as long
 * beside a control thread churning o->churn routes a second; prints both.
 */
void run_churn(struct fwd *f, const struct opts *o, struct batch *b, struct fwd_iface **acc,
	       const struct draw *d, const struct route *routes);

#endif
