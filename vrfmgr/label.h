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
 * A VRF re-created under its name with another RD is another tenant (a new
 * customer may stand behind the old name): the labels its predecessor held
 * or used must not come back to it, since remote PEs may still send the old
 * tenant's traffic with them. So the allocator remembers the RD of each VRF
 * name that left (label_vrf_left) and, when a VRF of that name comes with
 * another RD (label_vrf_arrived), retires the name's labels: their keys get
 * LABEL_KIND_RETIRED, which no key built by label_key_* has, so nothing
 * claims them again; they stay reserved until their hold-down ends, then
 * are free. Nothing is added per label: the mark lives in the key's kind,
 * the RDs per VRF name.
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
#include "common/rd.h"

struct nexthop;

enum label_kind { LABEL_KIND_VRF = 1, LABEL_KIND_CE, LABEL_KIND_PREFIX };
/*
 * Or'ed into the kind of a retired key: its VRF was re-created with another
 * RD. The rest of the key still says what the label stood for.
 */
#define LABEL_KIND_RETIRED 0x80000000u

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

/* The kind without the retired mark. */
static inline uint32_t label_key_kind(const struct label_key *k)
{
	return k->kind & ~LABEL_KIND_RETIRED;
}

static inline bool label_key_retired(const struct label_key *k)
{
	return (k->kind & LABEL_KIND_RETIRED) != 0;
}

/* A VRF name with labels in the allocator but no VRF now, and the RD it had (label_left.c). */
struct label_vrf_rd {
	struct label_vrf_rd *next; /* hash chain */
	char vrf[CFG_NAME_MAX];
	struct rd rd;
	int64_t since; /* when it left: forgotten a hold-down later, as its labels are */
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
	struct label_vrf_rd **left; /* VRF names that left (label_vrf_left), hashed by name */
	size_t left_nb, n_left;
};

void label_key_vrf(struct label_key *k, const char *vrf);
void label_key_ce(struct label_key *k, const char *vrf, const char *ifname, uint32_t gateway);
void label_key_prefix(struct label_key *k, const char *vrf, const struct prefix4 *p);
/* "per-vrf", "per-ce", "per-prefix" by kind (retired or not). */
const char *label_kind_name(uint32_t kind);

/* Clamps the range to the unreserved labels (16..2^20-1). */
void label_alloc_init(struct label_alloc *la, uint32_t min, uint32_t max, uint32_t hold_down);
void label_alloc_free(struct label_alloc *la);
/*
 * After many labels were freed (per-prefix labels of withdrawn routes, at
 * the end of their hold-down): the key hash and the sorted array, when
 * under 1/8 used, become smaller (twice the labels, never under their
 * minimum). The bytes given back; 0 when there was nothing to do or no memory.
 */
size_t label_alloc_shrink(struct label_alloc *la);

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
 * the label or the key is taken (a retired key may be there twice: a VRF
 * re-created twice), -ERANGE outside the range, -ENOMEM.
 */
int label_restore(struct label_alloc *la, uint32_t label, const struct label_key *key,
		  enum label_state state, int64_t since);
/* After the start-up build: reserved labels nobody claimed are held down from now. */
size_t label_release_reserved(struct label_alloc *la);

/*
 * The VRF named vrf, with RD rd, is gone (removed, or about to be
 * re-created; at start-up: the state file's word for the last run): its
 * labels stay its name's, for a VRF of that name with the same RD. Out of
 * memory (logged) the name's labels are retired at once, which keeps
 * tenants apart at the cost of new labels for the same RD.
 */
void label_vrf_left(struct label_alloc *la, const char *vrf, const struct rd *rd);
/* The RD the VRF named vrf left with, or NULL (still there, never left, forgotten). */
const struct rd *label_vrf_left_rd(const struct label_alloc *la, const char *vrf);
/* Calls fn for each VRF name that left (the state file writes them down). */
void label_vrf_left_each(const struct label_alloc *la,
			 void (*fn)(void *ctx, const struct label_vrf_rd *l), void *ctx);
/*
 * A VRF named vrf is built with RD rd: when the name left with another RD
 * (then *was says which), every label of the name is retired, and their
 * number returned; 0 otherwise (its labels stay claimable: the same VRF).
 * The name is no longer one that left.
 */
size_t label_vrf_arrived(struct label_alloc *la, const char *vrf, const struct rd *rd,
			 struct rd *was);

/* Between label.c and label_left.c. */
/* Retires every label of the VRF named vrf (see above); how many. */
size_t label_retire(struct label_alloc *la, const char *vrf);
/* Seconds left of a hold-down that began at since (0: over). */
uint32_t label_hold_left(const struct label_alloc *la, int64_t since);
/* Forgets the names that left a hold-down ago (their labels are free by then). */
void label_left_expire(struct label_alloc *la);
/* Start-up: the names the state file gave left now, as their reserved labels are held from now. */
void label_left_refresh(struct label_alloc *la);
void label_left_free(struct label_alloc *la);

#endif
