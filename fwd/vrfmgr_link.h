/*
 * fwd's connection to vrfmgr (PE mode): connect, HELLO, apply what arrives;
 * reconnect every second while vrfmgr is away, forwarding on meanwhile.
 */
#ifndef FERRY_FWD_VRFMGR_LINK_H
#define FERRY_FWD_VRFMGR_LINK_H

#include <stdbool.h>

#include "fwd/fwd.h"

struct event_base;
struct vrfmgr_link;

/* Starts connecting to path (<run_dir>/vrfmgr.ipc); name goes into our HELLO. */
struct vrfmgr_link *vrfmgr_link_start(struct event_base *base, struct fwd *f, const char *path,
				      const char *name);
void vrfmgr_link_free(struct vrfmgr_link *l);
bool vrfmgr_link_up(const struct vrfmgr_link *l);

#endif
