/*
 * fwd's connection to vrfmgr (PE mode): connect, HELLO, apply what arrives;
 * reconnect every second while vrfmgr is away, forwarding on meanwhile.
 */
#ifndef FERRY_FWD_VRFMGR_LINK_H
#define FERRY_FWD_VRFMGR_LINK_H

#include <stdbool.h>

#include "fwd/fwd.h"

struct event_base;
struct fwd_vrfmgr_link;

/* Starts connecting to path (<run_dir>/vrfmgr.ipc); name goes into our HELLO. */
struct fwd_vrfmgr_link *fwd_vrfmgr_link_start(struct event_base *base, struct fwd *f, const char *path,
				      const char *name);
void fwd_vrfmgr_link_free(struct fwd_vrfmgr_link *l);
bool fwd_vrfmgr_link_up(const struct fwd_vrfmgr_link *l);

#endif
