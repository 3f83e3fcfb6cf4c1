/*
 * GET /process on every daemon (docs/api.md): its own process, as ferryctl
 * show daemons lists it. The same figures as the process families of
 * /metrics (proc_stats.h), in the API's units: bytes, milliseconds since
 * the epoch, whole seconds of uptime.
 */
#include <sys/time.h>
#include <unistd.h>

#include "common/api.h"
#include "common/proc_stats.h"

void api_process_json(struct jw *w, const char *daemon)
{
	struct proc_stats s;
	struct timeval now;
	double now_s;

	proc_stats_read(&s);
	gettimeofday(&now, NULL);
	now_s = (double)now.tv_sec + (double)now.tv_usec / 1e6;
	jw_object_begin(w);
	jw_kv_string(w, "daemon", daemon);
	jw_kv_int(w, "pid", (int64_t)getpid());
	jw_key(w, "started_ms");
	if (s.start_time > 0)
		jw_uint(w, (uint64_t)(s.start_time * 1000));
	else
		jw_null(w);
	jw_key(w, "uptime_s");
	if (s.start_time > 0 && now_s >= s.start_time)
		jw_uint(w, (uint64_t)(now_s - s.start_time));
	else
		jw_null(w);
	jw_kv_uint(w, "rss_bytes", s.rss_bytes);
	jw_kv_uint(w, "vm_bytes", s.vm_bytes);
	jw_kv_uint(w, "heap_in_use_bytes", s.heap_in_use_bytes);
	jw_kv_uint(w, "open_fds", s.open_fds);
	jw_key(w, "max_fds");
	if (s.max_fds != 0)
		jw_uint(w, s.max_fds);
	else
		jw_null(w);
	jw_kv_uint(w, "cpu_ms", (uint64_t)(s.cpu_seconds * 1000));
	jw_object_end(w);
}
