/*
 * The per-frame forwarding decision. No I/O: finished frames leave through
 * fwd_tx (hooks.output), so tests drive it with byte buffers.
 */
#ifndef FERRY_FWD_PIPELINE_H
#define FERRY_FWD_PIPELINE_H

#include "fwd/fwd.h"

/*
 * Processes one frame received on in. p must have FWD_HEADROOM bytes of
 * headroom for label pushes; the frame is modified in place. Counts rx on
 * in, tx on the egress interface, drops by reason.
 */
enum fwd_verdict fwd_input(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p);

#endif
