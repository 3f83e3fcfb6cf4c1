/*
 * The VPN table: every VPN-IPv4 route bgpd has given vrfmgr (its best path
 * per RD:prefix), whether any VRF imports it or not. VRFs hold their own
 * copies of what they import; this table is what lets vrfmgr import a route
 * into a VRF created or changed later (reload, a route limit that frees up)
 * without asking bgpd for a replay, and explain why a route is not in a VRF.
 */
#ifndef FERRY_VRFMGR_VPN_H
#define FERRY_VRFMGR_VPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"
#include "common/prefix.h"
#include "common/rd.h"

/*
 * One VPN route, kept compact (a million of them): the RD and prefix are
 * msg's own first fields seen as struct rd and struct prefix4 (normalized),
 * the RTs an interned set (rtset.h), and the VRFs it was placed in (ids,
 * import.c) up to four inline. The placement list may name more VRFs than
 * hold the route (one torn down since), never fewer: a withdraw visits
 * exactly those, not every VRF.
 */
struct vpn_route {
	union {
		struct ipc_vpn_route msg; /* as bgpd sent it: label, next hop, local_pref, peer... */
		struct {
			struct rd rd;
			struct prefix4 prefix; /* msg.prefix, msg.plen (never assigned whole) */
		};
	};
	unsigned n_rts : 8;       /* the IPC message counts them in a byte */
	bool stale : 1;           /* not refreshed by bgpd's current replay */
	unsigned n_placed : 16;
	const struct ext_community *rts; /* interned */
	const char *problem;      /* why no VRF may use it ("no usable label"), or NULL */
	union {
		uint16_t one[4];  /* n_placed <= 4 */
		uint16_t *many;   /* more: a power-of-two array */
	} placed;
};

/*
 * Open addressing, linear probing. A slot holds an entry's address with 16
 * bits of its hash above bit 48 (user addresses fit in 48 bits; if one ever
 * does not, the table stops using tags): a probe compares the tags and
 * reads only the entry that matches, one cache miss for the slot and one
 * for the entry where chains cost a miss per entry walked.
 */
struct vpn_table {
	uintptr_t *slot; /* 0: empty, 1: dead (an entry was removed) */
	size_t cap;      /* a power of two, or 0 */
	size_t count, n_dead;
	bool untagged;
};

void vpn_table_init(struct vpn_table *t);
void vpn_table_free(struct vpn_table *t);
/*
 * When under 1/8 of the slots are live (a table withdrawn), rebuilds it
 * into a smaller array, at most 1/4 full and never under the minimum; the
 * bytes of slots given back (0: nothing to do, or out of memory). For a
 * quiet moment (it touches every entry); holds no position: walks keep keys.
 */
size_t vpn_table_shrink(struct vpn_table *t);
struct vpn_route *vpn_find(const struct vpn_table *t, const struct rd *rd,
			   const struct prefix4 *p);
/*
 * Looking up ahead of time (bgpd_link.c prefetches a few messages ahead: at a
 * million routes every lookup is a cache miss on the slot, then the entry):
 * the hash of rd:p (p normalized), vpn_find given it, and a hint to fetch
 * the home slot (level 0) or, reading only the slots, the entries whose tag
 * matches (level 1). The hints change nothing and read nothing cold.
 */
uint64_t vpn_key_hash(const struct rd *rd, const struct prefix4 *p);
struct vpn_route *vpn_find_hashed(const struct vpn_table *t, const struct rd *rd,
				  const struct prefix4 *p, uint64_t h);
void vpn_prefetch(const struct vpn_table *t, uint64_t h, int level);
/* Adds or replaces rd:prefix (prefix normalized). NULL when out of memory (logged). */
struct vpn_route *vpn_put(struct vpn_table *t, const struct ipc_vpn_route *r,
			  const struct ext_community *rts);
void vpn_remove(struct vpn_table *t, struct vpn_route *vr);
/* The ids of the VRFs vr was placed in (*n of them). */
const uint16_t *vpn_placed(const struct vpn_route *vr, size_t *n);
/* Records that vr is in VRF id (once). 0 or -ENOMEM. */
int vpn_place(struct vpn_route *vr, uint16_t id);
/* Keeps only the ids keep(id, arg) says yes to. */
void vpn_place_filter(struct vpn_route *vr, bool (*keep)(uint16_t id, void *arg), void *arg);
/* Walks the table in no order: *pos starts at 0; NULL at the end. No changes meanwhile. */
struct vpn_route *vpn_next(const struct vpn_table *t, size_t *pos);
/* A malloc'd snapshot sorted by RD then prefix (caller frees); *out NULL when empty. */
size_t vpn_list(const struct vpn_table *t, struct vpn_route ***out);

#endif
