/*
 * bgpd's events without an API server (bgpd/events.c): the server's free
 * callback is not there to end them, so bgpd_free must. What is left
 * otherwise shows in the event base: the 250 ms session poll stays added,
 * and would fire on the freed speaker; ASan's leak check sees the ring.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgpd/api.h"
#include "bgpd/bgpd.h"
#include "common/log.h"

Test(bgpd_events_noapi, bgpd_free_ends_events_started_without_a_server)
{
	struct event_base *base = event_base_new();
	struct ferry_config cfg;
	struct bgpd *d;
	char json[512], err[256];
	int before;

	snprintf(json, sizeof(json),
		 "{\"router\": {\"name\": \"t\", \"router_id\": \"127.0.0.2\", \"asn\": 65000,"
		 " \"run_dir\": \"/tmp/bgpd-events-noapi-test\"},"
		 " \"bgp\": {\"listen\": \"127.0.0.2\", \"port\": %u, \"neighbors\": []}}",
		 20000u + (unsigned)getpid() % 20000u);

	log_init("test_bgpd_events_noapi", LOG_LVL_WARN);
	cr_assert_not_null(base);
	cr_assert_eq(config_load_string(json, "test.json", &cfg, err, sizeof(err)), 0, "%s", err);
	before = event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED);
	d = bgpd_new(base, &cfg);
	cr_assert_not_null(d);
	cr_assert_null(d->api);
	cr_assert_eq(bgpd_events_start(d), 0);
	cr_assert_not_null(d->events);
	bgpd_free(d);
	cr_assert_eq(event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED), before,
		     "bgpd_free left events in the base (the session poll)");
	config_free(&cfg);
	event_base_free(base);
}
