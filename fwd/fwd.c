/*
 * The forwarding context: interfaces, drop counters, the clock and the one
 * door out (fwd_tx). Interfaces are never freed while fwd runs (an unbound
 * access link goes inactive, and once nothing uses it is only marked
 * removed), so next hops, worker sockets and punted frames may point at them.
 * With worker threads, each counts into its own slots (fwd_self) and the
 * control thread adds them up into the shared counters the API shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "fwd/arp.h"
#include "fwd/ctr.h"
#include "fwd/fib.h"
#include "fwd/fwd.h"
#include "fwd/lfib.h"
#include "fwd/nexthop.h"
#include "fwd/rcu.h"

static const char *const drop_names[FWD_DROP_MAX] = {
	[FWD_DROP_TRUNCATED] = "truncated",
	[FWD_DROP_UNSUPPORTED] = "unsupported_protocol",
	[FWD_DROP_BAD_ARP] = "bad_arp",
	[FWD_DROP_BAD_IP_HEADER] = "bad_ip_header",
	[FWD_DROP_BAD_IP_CHECKSUM] = "bad_ip_checksum",
	[FWD_DROP_TTL_EXPIRED] = "ttl_expired",
	[FWD_DROP_TO_SELF] = "to_self",
	[FWD_DROP_NO_ROUTE] = "no_route",
	[FWD_DROP_NO_NEXTHOP] = "no_nexthop",
	[FWD_DROP_BLACKHOLE] = "blackhole",
	[FWD_DROP_UNKNOWN_LABEL] = "unknown_label",
	[FWD_DROP_BAD_LABEL_STACK] = "bad_label_stack",
	[FWD_DROP_MTU_EXCEEDED] = "mtu_exceeded",
	[FWD_DROP_NO_HEADROOM] = "no_headroom",
	[FWD_DROP_ARP_QUEUE_FULL] = "arp_queue_full",
	[FWD_DROP_ARP_FAILED] = "arp_failed",
	[FWD_DROP_ARP_TABLE_FULL] = "arp_table_full",
	[FWD_DROP_TX_ERROR] = "tx_error",
	[FWD_DROP_PUNT_FULL] = "punt_queue_full",
};

_Thread_local struct fwd_thread *fwd_self;

const char *fwd_drop_name(enum fwd_drop d)
{
	return (unsigned)d < FWD_DROP_MAX ? drop_names[d] : "unknown";
}

const char *fwd_if_role_name(enum fwd_if_role r)
{
	return r == FWD_IF_CORE ? "core" : r == FWD_IF_ACCESS ? "access" : "unknown";
}

struct fwd *fwd_new(const struct fwd_hooks *hooks, uint32_t arp_timeout_s)
{
	struct fwd *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->hooks = *hooks;
	f->arp_timeout_s = arp_timeout_s != 0 ? arp_timeout_s : 300;
	f->gen = 1;
	f->nhs = nh_table_new();
	f->lfib = lfib_new();
	if ((f->rcu = malloc(sizeof(*f->rcu))) != NULL)
		rcu_init(f->rcu);
	if (f->nhs == NULL || f->lfib == NULL || f->rcu == NULL || fwd_ctrs_init(f) < 0 ||
	    fib_init(f) < 0) {
		fwd_free(f);
		return NULL;
	}
	fwd_clock_update(f);
	return f;
}

void fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n_ifaces; i++) {
		struct fwd_iface *ifp = f->ifaces[i];

		if (ifp->open && f->hooks.if_close != NULL)
			f->hooks.if_close(f->hooks.ctx, ifp);
		arp_table_free(ifp->arp);
		free(ifp->wctr);
		free(ifp);
	}
	free(f->ifaces);
	free(f->if_index);
	if (f->rcu != NULL)
		fib_free_all(f);
	if (f->lfib != NULL)
		lfib_free(f, f->lfib);
	if (f->rcu != NULL) {
		rcu_fini(f->rcu);
		free(f->rcu);
	}
	nh_table_free(f->nhs);
	fwd_ctrs_free(f);
	free(f);
}

void fwd_clock_update(struct fwd *f)
{
	f->now_ms = clock_mono_ms();
}

/* The slot of name in the name index: where it is, or the empty one where it would go. */
static size_t if_slot(const struct fwd *f, const char *name)
{
	size_t mask = f->if_index_cap - 1;
	size_t i = hash_mix64(hash_fnv1a(HASH_FNV_OFFSET, name, strlen(name))) & mask;

	while (f->if_index[i] != 0 && strcmp(f->ifaces[f->if_index[i] - 1]->name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

struct fwd_iface *fwd_iface_find(const struct fwd *f, const char *name)
{
	uint32_t at;

	if (f->if_index_cap == 0)
		return NULL;
	at = f->if_index[if_slot(f, name)];
	return at != 0 ? f->ifaces[at - 1] : NULL;
}

/*
 * Room for one more interface in the array and the name index (kept at
 * most half full); 0 or -ENOMEM. Linear lookups by name made 20,000
 * tenants' links and next hops take seconds to program.
 */
static int if_room(struct fwd *f)
{
	size_t cap = f->if_index_cap ? f->if_index_cap : 64;
	struct fwd_iface **v = realloc(f->ifaces, (f->n_ifaces + 1) * sizeof(*v));
	uint32_t *index;

	if (v == NULL)
		return -ENOMEM;
	f->ifaces = v;
	if (2 * (f->n_ifaces + 1) <= f->if_index_cap)
		return 0;
	while (2 * (f->n_ifaces + 1) > cap)
		cap *= 2;
	if ((index = calloc(cap, sizeof(*index))) == NULL)
		return -ENOMEM; /* the old index still finds every interface */
	free(f->if_index);
	f->if_index = index;
	f->if_index_cap = cap;
	for (size_t k = 0; k < f->n_ifaces; k++)
		f->if_index[if_slot(f, f->ifaces[k]->name)] = (uint32_t)k + 1;
	return 0;
}

struct fwd_iface *fwd_iface_get(struct fwd *f, const char *name, enum fwd_if_role role)
{
	struct fwd_iface *ifp = fwd_iface_find(f, name);
	size_t n = strnlen(name, IPC_IFNAME_MAX);

	if (ifp != NULL)
		return ifp;
	if (n == 0 || n == IPC_IFNAME_MAX) {
		log_warnx("interface name \"%.*s\" is empty or too long", IPC_IFNAME_MAX, name);
		return NULL;
	}
	if (if_room(f) < 0)
		return NULL;
	if ((ifp = aligned_alloc(64, sizeof(*ifp))) == NULL)
		return NULL;
	memset(ifp, 0, sizeof(*ifp));
	memcpy(ifp->name, name, n);
	ifp->role = role;
	ifp->arp_gen = 1;
	ifp->idx = (uint32_t)f->n_ifaces;
	ifp->wctr = aligned_alloc(64, FWD_WORKERS_MAX * sizeof(*ifp->wctr));
	if (ifp->wctr == NULL || (ifp->arp = arp_table_new()) == NULL) {
		free(ifp->wctr);
		free(ifp);
		return NULL;
	}
	memset(ifp->wctr, 0, FWD_WORKERS_MAX * sizeof(*ifp->wctr));
	f->ifaces[f->n_ifaces] = ifp;
	f->if_index[if_slot(f, ifp->name)] = (uint32_t)++f->n_ifaces;
	return ifp;
}

void fwd_iface_reap(struct fwd *f, struct fwd_iface *ifp)
{
	/* the scan last: it runs only for a link just unbound or just let go by a next hop */
	if (ifp->role != FWD_IF_ACCESS || ifp->active || ifp->removed ||
	    nh_names_iface(f, ifp->name))
		return;
	ifp->removed = true;
	log_info("interface %s removed: no VRF binds it and no next hop uses it", ifp->name);
}

static uint64_t ctr_load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* One interface: the workers' totals now, less what was added before. */
static void fold_if(const struct fwd *f, struct fwd_iface *ifp)
{
	struct fwd_if_ctr sum = { 0 };

	for (unsigned t = 0; t < f->n_threads; t++) {
		const struct fwd_if_ctr *c = &ifp->wctr[f->threads[t]->id].c;

		sum.rx_packets += ctr_load(&c->rx_packets);
		sum.rx_bytes += ctr_load(&c->rx_bytes);
		sum.tx_packets += ctr_load(&c->tx_packets);
		sum.tx_bytes += ctr_load(&c->tx_bytes);
	}
	ifp->rx_packets += sum.rx_packets - ifp->wsum.rx_packets;
	ifp->rx_bytes += sum.rx_bytes - ifp->wsum.rx_bytes;
	ifp->tx_packets += sum.tx_packets - ifp->wsum.tx_packets;
	ifp->tx_bytes += sum.tx_bytes - ifp->wsum.tx_bytes;
	ifp->wsum = sum;
}

void fwd_iface_revive(struct fwd *f, struct fwd_iface *ifp)
{
	/* what the workers counted before it went is the old link's: folded, then cleared */
	fold_if(f, ifp);
	ifp->ctr = (struct fwd_if_ctr){ 0 };
	ifp->tx_arp_packets = 0;
	ifp->tx_arp_bytes = 0;
	ifp->removed = false;
}

void fwd_fold(struct fwd *f)
{
	for (size_t i = 0; i < f->n_ifaces; i++)
		fold_if(f, f->ifaces[i]);
	for (int d = 0; d < FWD_DROP_MAX; d++) {
		uint64_t sum = 0;

		for (unsigned t = 0; t < f->n_threads; t++)
			sum += ctr_load(&f->threads[t]->drops[d]);
		f->drops[d] += sum - f->wdrops[d];
		f->wdrops[d] = sum;
	}
}
