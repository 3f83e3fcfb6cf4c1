/*
 * A bounded wait on a libevent loop for the in-process daemon tests: the
 * loop runs a tick at a time until a condition holds or the time is up.
 */
#ifndef TEST_EVENT_UTIL_H
#define TEST_EVENT_UTIL_H

#include <event2/event.h>
#include <stdbool.h>
#include <sys/time.h>

/* Runs base in ticks of tick_us until cond(arg) holds or ms have passed; cond(arg) then. */
static inline bool t_loop_until(struct event_base *base, bool (*cond)(void *), void *arg, int ms,
				int tick_us)
{
	struct timeval tick = { 0, tick_us };

	for (long i = 0; i < (long)ms * 1000 / tick_us; i++) {
		if (cond(arg))
			return true;
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	return cond(arg);
}

#endif
