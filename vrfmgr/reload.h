/*
 * Applying a new config to a running VRF table (SIGHUP), telling fwd and
 * bgpd only what changed. See reload.c.
 */
#ifndef FERRY_VRFMGR_RELOAD_H
#define FERRY_VRFMGR_RELOAD_H

#include <stddef.h>

#include "common/config.h"
#include "vrfmgr/vrf.h"

struct reload_stats {
	size_t added, removed, changed; /* VRFs */
	size_t next_hops;               /* remote PEs that gained or lost their LSP */
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
 * freed once this returns). 0, or -ENOMEM (the table is consistent but
 * only partly updated; logged).
 */
int vrf_table_reload(struct vrf_table *t, const struct ferry_config *nc, struct reload_stats *st);

#endif
