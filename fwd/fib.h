/*
 * VRFs and their FIBs: one LPM table per VRF id (vrfmgr's numbering), whose
 * values are fib_entry objects pointing at shared next hops.
 */
#ifndef FERRY_FWD_FIB_H
#define FERRY_FWD_FIB_H

#include <stddef.h>
#include <stdint.h>

#include "common/ipc.h"
#include "fwd/fwd.h"

/* VRF ids above this are refused: the VRF array is indexed directly. */
#define FIB_VRF_ID_MAX 65535u

struct nexthop;
struct lpm;

struct fwd_vrf {
	uint32_t id;
	char name[IPC_NAME_MAX];
	struct lpm *lpm;
	uint32_t gen;
};

struct fib_entry {
	uint32_t vrf_id;
	uint32_t prefix;
	uint8_t plen;
	uint32_t inner_label; /* MPLS_LABEL_NONE when unlabeled */
	struct nexthop *nh;   /* counted reference */
	uint32_t gen;
};

struct fwd_vrf *fib_vrf_get(const struct fwd *f, uint32_t id);
struct fwd_vrf *fib_vrf_by_name(const struct fwd *f, const char *name);
/* Adds a VRF or renames it (refreshing its generation). 0 or -errno. */
int fib_vrf_add(struct fwd *f, uint32_t id, const char *name);
/* Removes a VRF with all its routes. */
void fib_vrf_del(struct fwd *f, uint32_t id);

/* Adds or replaces a route; the VRF must exist. 0 or -errno (logged). */
int fib_add(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen, uint32_t nh_id,
	    uint32_t inner_label);
/* 0, or -ENOENT when there is no such route. */
int fib_del(struct fwd *f, uint32_t vrf_id, uint32_t prefix, uint8_t plen);
const struct fib_entry *fib_lookup(const struct fwd_vrf *v, uint32_t addr);
size_t fib_count(const struct fwd_vrf *v);

/*
 * The VRF's entries sorted by prefix then length, in a malloc'd array the
 * caller frees (NULL with *n = 0 when empty or on ENOMEM).
 */
const struct fib_entry **fib_entries(const struct fwd_vrf *v, size_t *n);

/* Deletes VRFs and routes not refreshed in generation gen. */
void fib_sweep(struct fwd *f, uint32_t gen);
void fib_free_all(struct fwd *f);

#endif
