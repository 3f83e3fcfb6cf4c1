/*
 * Next-hop objects shared by routes (one LSP change = one message to fwd):
 *   LABELED   one per remote PE, resolved through the static LSPs by longest
 *             match of the PE address on the FECs (out label, gateway, ifname);
 *             a PE without an LSP gives an unresolved object that is never
 *             programmed, so its routes stay in the VRF but not in the FIB;
 *   GATEWAY   one per (interface, gateway), for static routes;
 *   CONNECTED one per interface, for connected routes.
 * refs counts every holder (routes and installed FIB entries); fib_refs counts
 * installed FIB entries only: the object is in the dataplane while fib_refs > 0.
 */
#ifndef FERRY_VRFMGR_NEXTHOP_H
#define FERRY_VRFMGR_NEXTHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/ipc.h"
#include "vrfmgr/dataplane.h"

struct nexthop {
	struct nexthop *next, *prev; /* the table's list, in id order */
	struct nexthop *hnext;       /* the table's hash chain by key */
	struct nexthop *inext;       /* and by id */
	struct ipc_nexthop ipc; /* what the dataplane gets */
	uint32_t remote_pe;     /* LABELED: the PE this leads to */
	const struct cfg_lsp *lsp; /* LABELED: the LSP it resolved through, or NULL */
	bool resolved;
	uint32_t refs;
	uint32_t fib_refs;
};

struct nexthop_table {
	struct nexthop *head, *tail;
	size_t count;
	struct nexthop **buckets; /* by key (nexthop.c): a power of two, or NULL */
	struct nexthop **id_buckets; /* by id, as many */
	size_t n_buckets;
	uint32_t next_id;
	const struct cfg_lsp *lsps;
	size_t n_lsps;
};

void nexthop_table_init(struct nexthop_table *t, const struct cfg_lsp *lsps, size_t n_lsps);
/* Frees every object, held or not (shutdown). */
void nexthop_table_free(struct nexthop_table *t);

/* The LSP whose FEC is the longest match for addr, or NULL. */
const struct cfg_lsp *nexthop_lsp_lookup(const struct cfg_lsp *lsps, size_t n, uint32_t addr);

/* Find or create, taking a reference. NULL only when out of memory (logged). */
struct nexthop *nexthop_get_labeled(struct nexthop_table *t, uint32_t remote_pe);
struct nexthop *nexthop_get_gateway(struct nexthop_table *t, const char *ifname, uint32_t gateway);
struct nexthop *nexthop_get_connected(struct nexthop_table *t, const char *ifname);
struct nexthop *nexthop_ref(struct nexthop *nh);
/* The object with that id, or NULL. */
struct nexthop *nexthop_by_id(const struct nexthop_table *t, uint32_t id);
/* Drops a reference; the object goes away with the last one. */
void nexthop_put(struct nexthop_table *t, struct nexthop *nh);

/*
 * The LSPs changed (reload): every labeled next hop resolves again. One
 * still in use that resolves differently gets one NH_ADD (replace): the
 * routes through that PE follow without a message each. Those that gained
 * or lost their LSP are returned in *flipped (malloc'd; the caller frees
 * it) for their routes to be selected again. Returns how many flipped.
 */
size_t nexthop_table_set_lsps(struct nexthop_table *t, const struct cfg_lsp *lsps, size_t n_lsps,
			      const struct dataplane *dp, struct nexthop ***flipped);

/*
 * How many labeled next hops nexthop_table_set_lsps(lsps) would flip (gain
 * or lose their LSP), touching nothing: a reload's dry run.
 */
size_t nexthop_table_lsp_flips(const struct nexthop_table *t, const struct cfg_lsp *lsps,
			       size_t n_lsps);

/* An installed FIB entry starts/stops using nh: NH_ADD on the first, NH_DEL after the last. */
void nexthop_fib_hold(struct nexthop_table *t, struct nexthop *nh, const struct dataplane *dp);
void nexthop_fib_release(struct nexthop_table *t, struct nexthop *nh, const struct dataplane *dp);

const char *nexthop_type_name(uint32_t type);

#endif
