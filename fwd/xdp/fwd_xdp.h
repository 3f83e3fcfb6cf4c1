/*
 * What fwd's XDP program (fwd_xdp.bpf.c) and its loader (fwd/xdp_prog.c)
 * share: the per-interface settings in the program's config map. One copy
 * of the program is attached to each interface fwd owns, with its own maps.
 */
#ifndef FERRY_FWD_XDP_H
#define FERRY_FWD_XDP_H

#define FWD_XDP_ROLE_CORE 1   /* MPLS to fwd; everything else to the kernel */
#define FWD_XDP_ROLE_ACCESS 2 /* IPv4, and ARP for fwd's address, to fwd */

#define FWD_XDP_QUEUES_MAX 64 /* XSK map size: one socket per receive queue */
#define FWD_XDP_KADDRS_MAX 64 /* addresses the kernel owns on one interface */

struct fwd_xdp_cfg {
	unsigned int role;
	unsigned int addr; /* access: fwd's address on the link, network order; 0 = none yet */
};

#endif
