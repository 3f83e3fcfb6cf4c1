/*
 * fwd's XDP program: sorts the frames of one interface between fwd's AF_XDP
 * socket and the kernel before either sees them. fwd takes only what it
 * forwards or answers:
 *   core link:   MPLS unicast; IP (BGP's TCP, pings to the router, ...)
 *                and ARP stay with the kernel, which owns the link's address
 *                (fwd still reads ARP replies through a packet tap);
 *   access link: IPv4 not addressed to the kernel, and ARP for fwd's own
 *                address on the link; anything else (other ARP, IPv6, ...)
 *                is the kernel's.
 * When no socket is bound for the receive queue (fwd not running, or gone),
 * bpf_redirect_map's default action passes the frame to the kernel.
 * Compiled with `clang -O2 -target bpf`; embedded in build/fwd.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fwd/xdp/fwd_xdp.h"

#define ARP_LEN 28 /* Ethernet/IPv4 ARP */
#define ARP_TPA 24

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, FWD_XDP_QUEUES_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fwd_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fwd_xdp_cfg);
} fwd_cfg SEC(".maps");

/* The kernel's own IPv4 addresses on this interface (network order): left to it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FWD_XDP_KADDRS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} fwd_kaddrs SEC(".maps");

static __always_inline int to_fwd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&fwd_xsks, ctx->rx_queue_index, XDP_PASS);
}

static __always_inline int access_ipv4(struct xdp_md *ctx, void *l3, void *end)
{
	struct iphdr *ip = l3;

	if ((void *)(ip + 1) > end)
		return to_fwd(ctx); /* fwd counts it as truncated */
	if (bpf_map_lookup_elem(&fwd_kaddrs, &ip->daddr) != NULL)
		return XDP_PASS;
	return to_fwd(ctx);
}

static __always_inline int access_arp(struct xdp_md *ctx, const struct fwd_xdp_cfg *cfg,
				      __u8 *arp, void *end)
{
	__u32 tpa;

	if ((void *)(arp + ARP_LEN) > end)
		return XDP_PASS;
	__builtin_memcpy(&tpa, arp + ARP_TPA, sizeof(tpa));
	return cfg->addr != 0 && tpa == cfg->addr ? to_fwd(ctx) : XDP_PASS;
}

SEC("xdp")
int fwd_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	const struct fwd_xdp_cfg *cfg;
	__u32 key = 0;

	if ((void *)(eth + 1) > end || (cfg = bpf_map_lookup_elem(&fwd_cfg, &key)) == NULL)
		return XDP_PASS;
	if (cfg->role == FWD_XDP_ROLE_CORE)
		return eth->h_proto == bpf_htons(ETH_P_MPLS_UC) ? to_fwd(ctx) : XDP_PASS;
	if (cfg->role != FWD_XDP_ROLE_ACCESS)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return access_ipv4(ctx, eth + 1, end);
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return access_arp(ctx, cfg, (__u8 *)(eth + 1), end);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
