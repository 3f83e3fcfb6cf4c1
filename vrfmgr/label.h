/*
 * The MPLS label allocator. Each label is owned by a key that says what it
 * stands for (a VRF's per-VRF label, a per-CE label: VRF + CE interface and
 * address, a per-prefix label: VRF + prefix), so the same thing asks for and
 * gets the same label again: after a release within the hold-down time, and
 * after a restart (label_store.c persists the table). A new key takes the
 * lowest label of the range that is neither in use nor held down, so a
 * fresh start allocates per-VRF labels in config order (pe1: A=100, B=101).
 *
 * Entries are reference counted: a per-VRF label is held by its VRF and by
 * every prefix exported with it, a per-CE label by the prefixes behind that
 * CE. When the last reference goes the label is held down: not given to any
 * other key for hold_down seconds (remote PEs may still send traffic with
 * it), but given back to its own key if that asks again in time.
 *
 * The allocator does not talk to the dataplane, but it knows whether a
 * label has an LFIB entry (programmed): a held label may keep its entry
 * through the hold-down (vrf_label.c, make-before-break), and the owner's
 * drop hook takes it out before the allocator frees such a label.
 */
#ifndef FERRY_VRFMGR_LABEL_H
#define FERRY_VRFMGR_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/prefix.h"

struct nexthop;

enum label_kind { LABEL_KIND_VRF = 1, LABEL_KIND_CE, LABEL_KIND_PREFIX };

/* Compared with memcmp: always built by the label_key_* functions (zero padded). */
struct label_key {
	uint32_t kind;                /* enum label_kind */
	char vrf[CFG_NAME_MAX];       /* the VRF's name: ids may change, names do not */
	char ifname[CFG_IFNAME_MAX];  /* CE: the interface toward the CE */
	uint32_t gateway;             /* CE: the CE's address (0: hosts of a connected subnet) */
	struct prefix4 prefix;        /* PREFIX */
};

enum label_state {
	LABEL_USED = 0, /* refs > 0 */
	LABEL_HELD,     /* released at `since`; reserved for its key until the hold-down ends */
	LABEL_RESERVED, /* loaded from the state file, not claimed yet since the restart */
};

struct label_entry {
	struct label_entry *hnext; /* key hash chain */
	uint32_t label;
	struct label_key key;
	enum label_state state;
	int64_t since;             /* HELD: wall-clock second of the release */
	uint32_t refs;
	/* USED, or HELD and programmed: the owning VRF's id */
	uint32_t vrf_id;
	/*
	 * Per-CE and per-prefix, USED or HELD and programmed: the next hop the
	 * LFIB entry pops to, held in the dataplane by it (vrf_label.c).
	 */
	struct nexthop *nh;
	/*
	 * fwd's LFIB has an entry for the label: one in use with its meaning, or
	 * one released but kept in fwd through its hold-down (remote PEs may
	 * still send with it); never one reserved from the state file.
	 */
	bool programmed;
};

struct label_alloc {
	uint32_t min, max;
	uint32_t hold_down;        /* seconds; 0 frees a label at once */
	struct label_entry **v;    /* sorted by label */
	size_t n, cap;
	struct label_entry **hash; /* by key */
	size_t nb;
	bool dirty;                /* changed since label_store last saved it */
	uint64_t freed;            /* labels freed so far: a claim that failed may succeed now */
	int64_t (*clock)(void);    /* wall-clock seconds (time(NULL)); tests replace it */
	/* Called before a programmed label is freed (its hold-down ended): out of the LFIB. */
	void (*drop)(void *ctx, struct label_entry *e);
	void *drop_ctx;
};

void label_key_vrf(struct label_key *k, const char *vrf);
void label_key_ce(struct label_key *k, const char *vrf, const char *ifname, uint32_t gateway);
void label_key_prefix(struct label_key *k, const char *vrf, const struct prefix4 *p);
/* "per-vrf", "per-ce", "per-prefix" by kind. */
const char *label_kind_name(uint32_t kind);

/* Clamps the range to the unreserved labels (16..2^20-1). */
void label_alloc_init(struct label_alloc *la, uint32_t min, uint32_t max, uint32_t hold_down);
void label_alloc_free(struct label_alloc *la);

/*
 * Takes a reference on key's label for VRF vrf_id: the one it holds, had
 * (held down or reserved) or else the lowest free one. NULL when the range
 * is used up (not logged: the caller says what goes without) or out of
 * memory (logged).
 */
struct label_entry *label_claim(struct label_alloc *la, const struct label_key *key,
				uint32_t vrf_id);
/*
 * Drops a reference; the last one holds the label down (or frees it:
 * hold_down 0, when the owner must have unprogrammed it). A label still
 * programmed keeps its vrf_id and nh: its LFIB entry says them.
 */
void label_unclaim(struct label_alloc *la, struct label_entry *e);

struct label_entry *label_lookup(const struct label_alloc *la, uint32_t label);
struct label_entry *label_find(const struct label_alloc *la, const struct label_key *key);
/* Seconds until a held label may go to another key (0 when it may already). */
uint32_t label_held_for(const struct label_alloc *la, const struct label_entry *e);
/* Frees held labels whose hold-down has passed. Returns how many. */
size_t label_expire(struct label_alloc *la);
/*
 * When a label becomes free again: seconds until the first held (or
 * reserved: held from the end of the start-up build) label is, and how
 * many there are in *n_held; UINT32_MAX when none is held (all in use).
 */
uint32_t label_next_free(const struct label_alloc *la, size_t *n_held);

/*
 * For the state file: re-creates an entry as it was before a restart
 * (state LABEL_RESERVED or LABEL_HELD with its release time). -EEXIST when
 * the label or the key is taken, -ERANGE outside the range, -ENOMEM.
 */
int label_restore(struct label_alloc *la, uint32_t label, const struct label_key *key,
		  enum label_state state, int64_t since);
/* After the start-up build: reserved labels nobody claimed are held down from now. */
size_t label_release_reserved(struct label_alloc *la);

#endif
