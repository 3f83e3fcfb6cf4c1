/*
 * The daemon's own process in GET /metrics (api.h): the same gauges on
 * bgpd, vrfmgr and fwd, under the names Prometheus client libraries give
 * their process collectors, so the usual dashboards and alerts work
 * unchanged; and ferry_heap_in_use_bytes (proc_stats.h), whose growth from
 * one withdrawn table to the next is what a leak looks like (bench/soak).
 */
#include "common/api.h"
#include "common/proc_stats.h"

void api_prom_process(struct jw *w)
{
	struct proc_stats s;

	proc_stats_read(&s);
	api_prom_metric(w, "process_resident_memory_bytes", "gauge", "resident memory size in bytes",
			s.rss_bytes);
	api_prom_metric(w, "process_virtual_memory_bytes", "gauge", "virtual memory size in bytes",
			s.vm_bytes);
	api_prom_metric(w, "ferry_heap_in_use_bytes", "gauge",
			"bytes malloc has handed out and not had back"
			" (resident memory also holds freed ones it keeps)",
			s.heap_in_use_bytes);
	api_prom_metric_f(w, "process_cpu_seconds_total", "counter",
			  "user and system CPU time in seconds", s.cpu_seconds);
	api_prom_metric(w, "process_open_fds", "gauge", "open file descriptors", s.open_fds);
	if (s.max_fds != 0)
		api_prom_metric(w, "process_max_fds", "gauge", "the limit of open file descriptors",
				s.max_fds);
	api_prom_metric_f(w, "process_start_time_seconds", "gauge",
			  "start time of the process since the epoch in seconds", s.start_time);
}
