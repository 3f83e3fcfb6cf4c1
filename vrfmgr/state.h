/*
 * What vrfmgr keeps across its own restarts, in <run_dir>/vrfmgr.state: the
 * labels (in use, or held down with their release time) with what each
 * stands for, and each VRF's id. After a restart (kill -9 included) every
 * unchanged route gets the label it had, so remote PEs see no label churn,
 * and every VRF the id fwd already knows, so the replay matches what fwd
 * holds. Labels still held down stay held for the rest of their time, but
 * out of fwd's LFIB: the file does not say what a per-prefix label popped
 * to, and a CE's link may have changed hands while vrfmgr was down, so they
 * come back unprogrammed and fwd's replay sweeps their entries (the simple,
 * safe choice: never a stale label delivering to the wrong place).
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
#include "vrfmgr/label.h"

#define VRFMGR_STATE_FILE "vrfmgr.state"

struct state_vrf_id {
	char name[CFG_NAME_MAX];
	uint32_t id;
};

struct vrf_table;

/*
 * Reads path into la (labels as LABEL_RESERVED or LABEL_HELD) and *ids (a
 * malloc'd array the caller frees). A missing file is a first start: 0 and
 * nothing loaded. Bad lines are skipped and logged; an unknown version is
 * ignored whole. 0, or -errno when the file cannot be read.
 */
int state_load(const char *path, struct label_alloc *la, struct state_vrf_id **ids,
	       size_t *n_ids);
/* Writes t's labels and VRF ids to path atomically. 0 or -errno (logged). */
int state_save(const char *path, const struct vrf_table *t);

#endif
