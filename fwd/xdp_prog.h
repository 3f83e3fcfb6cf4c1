/*
 * fwd's XDP program on one interface (fwd/xdp/fwd_xdp.bpf.c): loaded from
 * the object embedded in build/fwd (or build/fwd-xdp.o beside the binary),
 * attached through a BPF link, so it goes away with fwd, even when fwd is
 * killed, and frames then reach the kernel as before.
 */
#ifndef FERRY_FWD_XDP_PROG_H
#define FERRY_FWD_XDP_PROG_H

#include <stdbool.h>
#include <stdint.h>

struct ifaddrs;
struct xdp_prog;

/* Whether an XDP object is there to load; logs once why not. */
bool xdp_prog_available(void);

/*
 * Loads a copy of the program, sets its role (FWD_XDP_ROLE_*) and the
 * kernel's addresses on the interface (as xdp_prog_sync_kaddrs, from all),
 * and attaches it to ifindex: native mode, else generic
 * (FERRY_FWD_XDP_MODE=native|skb forces one). 0 or -errno; *why says what failed.
 */
int xdp_prog_attach(struct xdp_prog **out, const char *ifname, int ifindex, unsigned role,
		    const struct ifaddrs *all, const char **why);
void xdp_prog_detach(struct xdp_prog *p);
/* "native" or "generic". */
const char *xdp_prog_mode(const struct xdp_prog *p);

/* Steers frames of receive queue to the AF_XDP socket fd. 0 or -errno. */
int xdp_prog_set_xsk(struct xdp_prog *p, uint32_t queue, int fd);
/* fwd's own address on an access link (host order, 0 = none): its ARP goes to fwd. */
int xdp_prog_set_addr(struct xdp_prog *p, uint32_t addr);
/*
 * The kernel's IPv4 addresses on the interface (frames to them are left to
 * the kernel) as all, getifaddrs' list, says; NULL: read here. getifaddrs
 * dumps every link and address of the namespace: read once for all the
 * interfaces, not once each (with hundreds of links, once each took the
 * control thread over a second a tick).
 */
int xdp_prog_sync_kaddrs(struct xdp_prog *p, const struct ifaddrs *all);

#endif
