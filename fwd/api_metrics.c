/*
 * fwd's GET /metrics (docs/api.md): Prometheus text of the interfaces'
 * packet and byte counters, drops by reason, per-VRF and per-label counters, FIB entries per VRF, LFIB and
 * ARP sizes and the FIB's memory. Everything is read from counters fwd
 * keeps anyway; nothing is counted for the API's sake on the packet path.
 */
#include "fwd/api_extra.h"
#include "fwd/arp.h"
#include "fwd/fib.h"
#include "fwd/fwd.h"
#include "fwd/lfib.h"

typedef uint64_t (*if_value_fn)(const struct fwd_iface *ifp);

static uint64_t rxp(const struct fwd_iface *i)
{
	return i->rx_packets;
}

static uint64_t txp(const struct fwd_iface *i)
{
	return i->tx_packets;
}

static uint64_t rxb(const struct fwd_iface *i)
{
	return i->rx_bytes;
}

static uint64_t txb(const struct fwd_iface *i)
{
	return i->tx_bytes;
}

static void per_if(struct jw *w, const struct fwd *f, const char *name, const char *help,
		   if_value_fn fn)
{
	api_prom_family(w, name, "counter", help);
	for (size_t i = 0; i < f->n_ifaces; i++)
		if (f->ifaces[i]->active)
			api_prom_sample(w, name, "interface", f->ifaces[i]->name, "role",
					fwd_if_role_name(f->ifaces[i]->role), fn(f->ifaces[i]));
}

static void arp_count_cb(const struct arp_entry *e, void *ctx)
{
	(void)e;
	(*(uint64_t *)ctx)++;
}

static void tables(struct jw *w, const struct fwd *f)
{
	uint64_t arp = 0;

	api_prom_family(w, "ferry_fib_entries", "gauge", "forwarding entries per VRF");
	for (uint32_t id = 0; id < f->vrf_cap; id++)
		if (f->vrfs[id] != NULL)
			api_prom_sample(w, "ferry_fib_entries", "vrf", f->vrfs[id]->name, NULL, NULL,
					fib_count(f->vrfs[id]));
	api_prom_metric(w, "ferry_lfib_entries", "gauge", "label forwarding entries",
			lfib_count(f));
	for (size_t i = 0; i < f->n_ifaces; i++)
		arp_foreach(f->ifaces[i], arp_count_cb, &arp);
	api_prom_metric(w, "ferry_arp_entries", "gauge", "ARP entries, all interfaces", arp);
	api_prom_metric(w, "ferry_fib_memory_bytes", "gauge", "memory of the FIBs' lookup tables",
			fib_memory(f));
}

int fwd_api_metrics(struct jw *w, const struct api_request *req, void *ctx)
{
	const struct fwd *f = ctx;

	api_prom_begin(req);
	per_if(w, f, "ferry_interface_rx_packets_total", "frames received", rxp);
	per_if(w, f, "ferry_interface_tx_packets_total", "frames sent", txp);
	per_if(w, f, "ferry_interface_rx_bytes_total", "bytes received", rxb);
	per_if(w, f, "ferry_interface_tx_bytes_total", "bytes sent", txb);
	api_prom_family(w, "ferry_drops_total", "counter", "frames dropped, by reason");
	for (int d = 0; d < FWD_DROP_MAX; d++)
		api_prom_sample(w, "ferry_drops_total", "reason", fwd_drop_name(d), NULL, NULL,
				f->drops[d]);
	api_prom_family(w, "ferry_fwd_icmp_errors_total", "counter",
			"ICMP errors about dropped packets: sent, or held back by the rate limit");
	api_prom_sample(w, "ferry_fwd_icmp_errors_total", "result", "sent", NULL, NULL,
			f->icmp_sent);
	api_prom_sample(w, "ferry_fwd_icmp_errors_total", "result", "rate_limited", NULL, NULL,
			f->icmp_limited);
	api_prom_family(w, "ferry_fwd_fragmented_total", "counter",
			"IPv4 packets without DF too big for their egress link, sent in fragments; "
			"and the fragments made");
	api_prom_sample(w, "ferry_fwd_fragmented_total", "what", "packets", NULL, NULL,
			f->ip_fragmented);
	api_prom_sample(w, "ferry_fwd_fragmented_total", "what", "fragments", NULL, NULL,
			f->ip_fragments);
	fwd_api_counters_prom(w, f);
	tables(w, f);
	api_prom_process(w);
	return 200;
}
