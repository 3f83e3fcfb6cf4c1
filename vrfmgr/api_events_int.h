/*
 * Internal to vrfmgr's /events (api_events.c, api_events_snap.c): the
 * records the ring keeps, one per event type, and what makes them.
 */
#ifndef FERRY_VRFMGR_API_EVENTS_INT_H
#define FERRY_VRFMGR_API_EVENTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/api_events.h"
#include "common/ipc.h"
#include "vrfmgr/vrfmgr.h"

enum { EV_FIB = 0, EV_LABEL, EV_NEXTHOP, EV_VRF, EV_INTERFACE };

struct vrf_table;

/*
 * The name of the VRF a FIB or label event was about, as it was when the
 * event was published (api_events_names.c): counted, the ring's record
 * holding a reference until it is overwritten, as with its RTs.
 */
struct vrfapi_name {
	uint32_t refs;
	char name[];
};

/* Per VRF id, the name of the VRF holding it now (one reference each), looked up once. */
struct vrfapi_names {
	struct vrfapi_name **by_id;
	size_t n;
};

/* The name of the VRF that holds id now, borrowed (NULL: none, or out of memory). */
const struct vrfapi_name *vrfapi_name_of(struct vrfapi_names *ns, struct vrf_table *t,
					 uint32_t id);
const struct vrfapi_name *vrfapi_name_ref(const struct vrfapi_name *n);
void vrfapi_name_put(const struct vrfapi_name *n);
/* A VRF with id is added or removed: the name kept for id is another's, or nobody's, now. */
void vrfapi_names_forget(struct vrfapi_names *ns, uint32_t id);
void vrfapi_names_free(struct vrfapi_names *ns);

struct fib_rec {
	uint32_t vrf_id;
	uint32_t prefix;
	uint8_t plen;
	uint8_t add;
	uint16_t n_rts;
	uint32_t inner_label;
	uint32_t nh_type;
	uint32_t gateway;
	uint32_t out_label;
	char ifname[IPC_IFNAME_MAX];
	/*
	 * An add: the installed route's RTs (rtset.h), as /routes gives them.
	 * In the ring a reference is held until the record is overwritten
	 * (drop); a snapshot item, written at once, only borrows them.
	 */
	const struct ext_community *rts;
	const struct vrfapi_name *vrf; /* vrf_id's VRF then (NULL: none); held as rts is */
};

/* e.vrf_id: the VRF whose label it is, also in a del (vrf_label.c's lfib_drop says). */
struct label_rec {
	struct ipc_lfib_entry e;
	uint8_t add;
	const struct vrfapi_name *vrf; /* as fib_rec's */
};

struct nh_rec {
	struct ipc_nexthop nh;
};

/* A VRF added or removed; its name as it was then (a removed one is gone when read). */
struct vrf_rec {
	struct ipc_vrf v;
	uint8_t add;
};

/* An attachment link bound to a VRF or unbound, with that VRF's name then. */
struct if_rec {
	struct ipc_if_bind b;
	char vrf[IPC_NAME_MAX];
	uint8_t bind;
};

/* A record past API_EVENT_DATA would be cut short in the ring, silently. */
_Static_assert(sizeof(struct fib_rec) <= API_EVENT_DATA, "fib_rec too big for an event");
_Static_assert(sizeof(struct label_rec) <= API_EVENT_DATA, "label_rec too big for an event");
_Static_assert(sizeof(struct nh_rec) <= API_EVENT_DATA, "nh_rec too big for an event");
_Static_assert(sizeof(struct vrf_rec) <= API_EVENT_DATA, "vrf_rec too big for an event");
_Static_assert(sizeof(struct if_rec) <= API_EVENT_DATA, "if_rec too big for an event");

struct vrfapi_events {
	struct vrfmgr *vm;
	struct dataplane inner; /* where every call goes on to (fwd_sync) */
	struct api_events *ring;
	struct api_events_snapshot snap;
	struct api_events_filter filter; /* ?vrf=NAME */
	struct vrfapi_names names;
	/* the last FIB add published (seq 0: none), which a fib_rts may amend (tap_fib_rts) */
	uint64_t fib_added_seq;
	struct ipc_fib_entry fib_added;
};

/*
 * The records, from what fwd is told (for an add, nh: the FIB entry's next
 * hop, vp: the prefix of v whose selected route is installed, whose RTs it
 * names as /routes gives them; borrowed), made now. The
 * VRF's name is borrowed too: a record kept in the ring takes a reference.
 */
void vrfapi_fib_rec_of(struct fib_rec *out, struct vrfapi_events *ev,
		       const struct ipc_fib_entry *e, bool add, const struct nexthop *nh,
		       const struct vrf *v, const struct vrf_prefix *vp);
void vrfapi_label_rec_of(struct label_rec *out, struct vrfapi_events *ev,
			 const struct ipc_lfib_entry *e, bool add);
void vrfapi_vrf_rec_of(struct vrf_rec *r, const struct ipc_vrf *v, bool add);
void vrfapi_if_rec_of(struct if_rec *r, struct vrfmgr *vm, const struct ipc_if_bind *b, bool bind);

/* The snapshot's cursor over the tables (api_events_snap.c); ctx: the struct vrfapi_events. */
extern const struct api_events_snapshot vrfapi_snap_ops;

/* Labels a snapshot fill looks at before it yields (api_events_snap.c; tests lower it). */
extern size_t vrfapi_snap_label_look;

#endif
