/*
 * Applying what the control plane says to the forwarding tables: vrfmgr's
 * IPC messages (with replay mark-and-sweep), the config's core interfaces
 * and its static LFIB (LSR mode).
 */
#ifndef FERRY_FWD_APPLY_H
#define FERRY_FWD_APPLY_H

#include <stdint.h>

#include "common/config.h"
#include "fwd/fwd.h"

/*
 * One message from vrfmgr whose payload passed ipc_payload_ok. REPLAY_BEGIN
 * starts a new generation; REPLAY_END sweeps every VRF, binding, next hop,
 * route and label entry vrfmgr did not send again since.
 */
void apply_msg(struct fwd *f, uint16_t type, const void *payload, uint32_t len);

/* Creates the config's core interfaces (active, not yet opened). 0 or -errno. */
int apply_core_interfaces(struct fwd *f, const struct ferry_config *cfg);
/* Installs the config's static LFIB entries and their next hops. 0 or -errno. */
int apply_static_lfib(struct fwd *f, const struct ferry_config *cfg);

#endif
