/*
 * Applying a new config to a running VRF table (SIGHUP), telling fwd and
 * bgpd only what changed. See reload.c.
 */
#ifndef FERRY_VRFMGR_RELOAD_H
#define FERRY_VRFMGR_RELOAD_H

#include <stddef.h>

#include "common/config.h"
#include "vrfmgr/vrf.h"

/*
 * What a reload does, counted before it starts (the dry run counts the
 * same way): a VRF re-created with a new RD counts as removed and added.
 */
struct reload_stats {
	size_t added, removed, changed; /* VRFs */
	size_t next_hops; /* remote PEs in use whose LSP the new LSPs give or take away */
};

/* "1 VRF added, 0 removed, 2 changed, 0 remote PEs with a new LSP state" */
void reload_stats_format(const struct reload_stats *st, char *out, size_t len);

/* The keys of a VRF that changed, "import_rts, static_routes": room for them all. */
#define RELOAD_KEYS_LEN 128

enum reload_fate {
	RELOAD_VRF_REMOVED,
	RELOAD_VRF_RECREATED, /* the same name with another RD: removed, then added */
	RELOAD_VRF_CHANGED,   /* stays, with other settings (keys) */
	RELOAD_VRF_ADDED,
};

struct reload_plan_vrf {
	enum reload_fate fate;
	const char *name; /* in the running config or the new one: valid while both are */
	char keys[RELOAD_KEYS_LEN]; /* CHANGED: what changed, as the reload's log says it */
};

/*
 * A dry run: what vrf_table_reload(t, nc) would do, one line per VRF it
 * touches (removed and re-created in the table's order, changed, then
 * added in nc's), and the counts its "reload done" line would give.
 */
struct reload_plan {
	struct reload_stats st;
	struct reload_plan_vrf *vrfs;
	size_t n;
};

/*
 * Whether nc may replace t's config without a restart: the router's name,
 * id, run directory and label range must stay. 0, or -EINVAL with the
 * reason in err ("pe1.json: router.router_id changed; ...").
 */
int vrf_table_reload_check(const struct vrf_table *t, const struct ferry_config *nc, char *err,
			   size_t len);
/*
 * Applies nc (checked; it must outlive the table, the old config may be
 * freed once this returns), st counted first as vrf_table_reload_plan
 * counts. 0, or -ENOMEM (the table is consistent but only partly
 * updated; logged).
 */
int vrf_table_reload(struct vrf_table *t, const struct ferry_config *nc, struct reload_stats *st);
/*
 * Fills p with what vrf_table_reload(t, nc) would do (nc checked), by the
 * same decisions, changing nothing in t. 0, or -ENOMEM. reload_plan_free
 * after either.
 */
int vrf_table_reload_plan(const struct vrf_table *t, const struct ferry_config *nc,
			  struct reload_plan *p);
void reload_plan_free(struct reload_plan *p);

/*
 * reload_labels.c: at most how many labels a reload to nc would claim for
 * the VRFs it adds or gives another label mode (an upper bound, for the
 * reload check's warning), and how many of the range are free now (*held:
 * how many are held down or reserved, free again later).
 */
size_t reload_labels_wanted(const struct vrf_table *t, const struct ferry_config *nc);
size_t reload_labels_free(const struct vrf_table *t, size_t *held);

#endif
