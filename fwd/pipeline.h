/*
 * The packet path. No I/O: finished frames leave through fwd_tx
 * (hooks.output), so tests drive it with byte buffers.
 */
#ifndef FERRY_FWD_PIPELINE_H
#define FERRY_FWD_PIPELINE_H

#include "fwd/fwd.h"

/*
 * Processes n frames, p[i] received on in[i] (vector.c). Every p[i] must
 * have FWD_HEADROOM bytes of headroom for label pushes; frames are modified
 * in place (but for an ICMP error with a label stack extension, built in a
 * buffer of the thread's: p[i] may point there afterwards, icmp.h) and
 * handed to the output hook in arrival order. Counts rx on
 * in[i], tx on the egress interface, drops by reason. verdicts (may be
 * NULL) receives what became of each frame.
 */
void fwd_input_batch(struct fwd *f, struct fwd_iface *const *in, struct fwd_pkt *p, unsigned n,
		     enum fwd_verdict *verdicts);
/* One frame: a batch of one. */
enum fwd_verdict fwd_input(struct fwd *f, struct fwd_iface *in, struct fwd_pkt *p);

#endif
