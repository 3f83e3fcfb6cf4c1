/*
 * What vrfmgr keeps across its own restarts, in <run_dir>/vrfmgr.state: the
 * labels (in use, or held down with their release time, or retired) with
 * what each stands for, each VRF's id and RD (also a VRF gone whose labels
 * are held down: one back under its name with another RD is re-created and
 * gets none of them), and what each label's LFIB entry in fwd says
 * (its VRF by RD, and the CE next hop it pops to). After a restart (kill -9
 * included) every unchanged route gets the label it had, so remote PEs see
 * no label churn, and every VRF the id fwd already knows, so the replay
 * matches what fwd holds. A label nothing claims again (held down, or in
 * use before and gone from the config since) is held down for the rest of
 * its time and, make-before-break as without the restart, programmed
 * again with its last meaning when that still holds (vrf_label_restore):
 * its VRF is there with the same RD, and a CE it popped to is still on a
 * link of that VRF. Otherwise it stays reserved but out of fwd (fwd's
 * replay sweeps its entry): never a stale label delivering to the wrong
 * place.
 *
 * A small text file, one entry a line, rewritten whole: written to a
 * temporary file, synced, then renamed over the old one, so a crash leaves
 * either the old or the new state, never half of one.
 */
#ifndef FERRY_VRFMGR_STATE_H
#define FERRY_VRFMGR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/rd.h"
#include "vrfmgr/label.h"

#define VRFMGR_STATE_FILE "vrfmgr.state"

struct state_vrf_id {
	char name[CFG_NAME_MAX];
	uint32_t id;
};

/* A loaded label's LFIB entry before the restart (an "lfib" line). */
struct state_lfib {
	uint32_t label;
	struct rd rd;                /* of the VRF it popped into or for */
	char ifname[CFG_IFNAME_MAX]; /* per-CE, per-prefix: the CE's link ("": per-vrf) */
	uint32_t gateway;            /* and the CE (0: a connected next hop) */
};

struct state_loaded {
	struct state_vrf_id *ids;
	size_t n_ids;
	struct state_lfib *lfib;
	size_t n_lfib, lfib_cap;
};

struct vrf_table;

/*
 * Reads path into la (labels as LABEL_RESERVED or LABEL_HELD, retired ones
 * with their mark, the VRF names' RDs as names that left) and *out
 * (malloc'd arrays: state_loaded_free). A missing file is a first start: 0
 * and nothing loaded. Bad lines are skipped and logged; an unknown version
 * is ignored whole; a file without lfib lines (an older vrfmgr's) loads
 * with no LFIB meanings. 0, or -errno when the file cannot be read.
 */
int state_load(const char *path, struct label_alloc *la, struct state_loaded *out);
void state_loaded_free(struct state_loaded *s);
/* Writes t's labels and VRF ids to path atomically. 0 or -errno (logged). */
int state_save(const char *path, const struct vrf_table *t);

#endif
