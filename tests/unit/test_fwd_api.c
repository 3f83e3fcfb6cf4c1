/*
 * fwd's API handlers on a small table, output parsed back with json-c and
 * checked against the shapes in the brief (docs/api.md).
 */
#include <criterion/criterion.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <event2/http.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/label.h"
#include "common/log.h"
#include "fwd/apply.h"
#include "fwd/arp.h"
#include "fwd/fwd_api.h"
#include "fwd/pipeline.h"
#include "test_fwd_util.h"

static struct fwd *f;

static void setup(void)
{
	struct fwd_hooks h = { .output = t_out_discard };
	struct ipc_vrf a = { .vrf_id = 1, .name = "A" }, b = { .vrf_id = 2, .name = "B" };
	struct ipc_if_bind bind = { .vrf_id = 1, .address = t_ip(10, 1, 1, 1), .plen = 30,
				    .ifname = "ce-a1" };
	struct ipc_nexthop nh1 = { .nh_id = 1, .type = IPC_NH_CONNECTED, .ifname = "ce-a1" };
	struct ipc_nexthop nh2 = { .nh_id = 2, .type = IPC_NH_LABELED, .gateway = t_ip(10, 0, 1, 2),
				   .out_label = 16, .ifname = "core0" };
	struct ipc_fib_entry r1 = { .vrf_id = 1, .prefix = t_ip(10, 1, 1, 0), .plen = 30,
				    .nh_id = 1, .inner_label = MPLS_LABEL_NONE };
	struct ipc_fib_entry r2 = { .vrf_id = 1, .prefix = t_ip(192, 168, 101, 0), .plen = 24,
				    .nh_id = 2, .inner_label = 200 };
	struct ipc_fib_entry r3 = { .vrf_id = 2, .prefix = t_ip(192, 168, 101, 0), .plen = 24,
				    .nh_id = 2, .inner_label = 201 };
	struct ipc_lfib_entry l1 = { .in_label = 100, .action = IPC_LFIB_POP_LOOKUP, .vrf_id = 1 };
	struct ipc_lfib_entry l2 = { .in_label = 17, .action = IPC_LFIB_SWAP, .nh_id = 2,
				     .out_label = MPLS_LABEL_IMPLICIT_NULL };
	struct fwd_iface *core0;

	log_init("test_fwd_api", LOG_LVL_ERR);
	f = fwd_new(&h, 0);
	core0 = fwd_iface_get(f, "core0", FWD_IF_CORE);
	core0->active = true;
	core0->addr = t_ip(10, 0, 1, 1);
	apply_msg(f, IPC_VRF_ADD, &a, sizeof(a));
	apply_msg(f, IPC_VRF_ADD, &b, sizeof(b));
	apply_msg(f, IPC_IF_BIND, &bind, sizeof(bind));
	apply_msg(f, IPC_NH_ADD, &nh1, sizeof(nh1));
	apply_msg(f, IPC_NH_ADD, &nh2, sizeof(nh2));
	apply_msg(f, IPC_FIB_ADD, &r1, sizeof(r1));
	apply_msg(f, IPC_FIB_ADD, &r2, sizeof(r2));
	apply_msg(f, IPC_FIB_ADD, &r3, sizeof(r3));
	apply_msg(f, IPC_LFIB_ADD, &l1, sizeof(l1));
	apply_msg(f, IPC_LFIB_ADD, &l2, sizeof(l2));
}

static void teardown(void)
{
	fwd_free(f);
}

/* Runs the handler for path with an optional query "k=v"; returns the body as text (freed by the caller). */
static char *get_text(const char *path, const char *query, int *status)
{
	struct evkeyvalq q;
	struct evbuffer *out = evbuffer_new();
	struct jw w;
	struct api_request req = { path, &q };
	char *text;
	size_t i;

	TAILQ_INIT(&q);
	if (query != NULL)
		cr_assert_eq(evhttp_parse_query_str(query, &q), 0);
	for (i = 0; i < fwd_api_n_routes && strcmp(fwd_api_routes[i].path, path) != 0; i++)
		;
	cr_assert(i < fwd_api_n_routes, "%s served", path);
	jw_init(&w, out);
	*status = api_route_call(&fwd_api_routes[i], &w, &req, f); /* as served */
	jw_flush(&w);
	cr_assert(!w.failed);
	evbuffer_add(out, "", 1);
	text = strdup((const char *)evbuffer_pullup(out, -1));
	evhttp_clear_headers(&q);
	evbuffer_free(out);
	return text;
}

/* The same, parsed as JSON. */
static json_object *get(const char *path, const char *query, int *status)
{
	char *text = get_text(path, query, status);
	json_object *j = json_tokener_parse(text);

	cr_assert_not_null(j, "valid JSON: %s", text);
	free(text);
	return j;
}

static json_object *key(json_object *o, const char *k)
{
	json_object *v = NULL;

	cr_assert(json_object_object_get_ex(o, k, &v), "key %s present", k);
	return v;
}

static const char *str(json_object *o, const char *k)
{
	return json_object_get_string(key(o, k));
}

TestSuite(api, .init = setup, .fini = teardown);

Test(api, fib_all_and_by_vrf)
{
	int status;
	json_object *j = get("/fib", NULL, &status), *fib = key(j, "fib"), *e;

	cr_assert_eq(status, 200);
	cr_assert_eq(json_object_array_length(fib), 3);
	e = json_object_array_get_idx(fib, 0);
	cr_assert_str_eq(str(e, "vrf"), "A");
	cr_assert_eq(json_object_get_int(key(e, "vrf_id")), 1);
	cr_assert_str_eq(str(e, "prefix"), "10.1.1.0/30");
	cr_assert_str_eq(str(e, "type"), "connected");
	cr_assert_str_eq(str(e, "interface"), "ce-a1");
	cr_assert_null(key(e, "gateway"));
	cr_assert_null(key(e, "out_label"));
	cr_assert_null(key(e, "inner_label"));
	e = json_object_array_get_idx(fib, 1);
	cr_assert_str_eq(str(e, "type"), "labeled");
	cr_assert_str_eq(str(e, "gateway"), "10.0.1.2");
	cr_assert_eq(json_object_get_int(key(e, "out_label")), 16);
	cr_assert_eq(json_object_get_int(key(e, "inner_label")), 200);
	json_object_put(j);

	j = get("/fib", "vrf=B", &status);
	fib = key(j, "fib");
	cr_assert_eq(json_object_array_length(fib), 1);
	cr_assert_eq(json_object_get_int(key(json_object_array_get_idx(fib, 0), "inner_label")),
		     201);
	json_object_put(j);

	j = get("/fib", "vrf=nope", &status);
	cr_assert_eq(status, 404);
	cr_assert_eq(json_object_get_int(key(j, "status")), 404);
	cr_assert_not_null(key(j, "error"));
	json_object_put(j);
}

/* The gateway is "next_hop" too, as in /lfib and vrfmgr's /routes. */
Test(api, fib_next_hop_beside_gateway)
{
	int status;
	json_object *j = get("/fib", "vrf=A", &status), *fib = key(j, "fib");

	cr_assert_null(key(json_object_array_get_idx(fib, 0), "next_hop"));
	cr_assert_str_eq(str(json_object_array_get_idx(fib, 1), "next_hop"), "10.0.1.2");
	json_object_put(j);
}

/* The pushed LSP label is "outer_label" too, as vrfmgr's /routes and fib events name it. */
Test(api, fib_outer_label_beside_out_label)
{
	int status;
	json_object *j = get("/fib", "vrf=A", &status), *fib = key(j, "fib");

	cr_assert_null(key(json_object_array_get_idx(fib, 0), "outer_label"));
	cr_assert_eq(json_object_get_int(key(json_object_array_get_idx(fib, 1), "outer_label")), 16);
	cr_assert_eq(json_object_get_int(key(json_object_array_get_idx(fib, 1), "out_label")), 16);
	json_object_put(j);
}

/* /lookup names the entry that matched; one that finds nothing has the same keys, null. */
Test(api, lookup_found_and_not_found)
{
	static const char *const keys[] = { "prefix",    "type",        "nh_id",
					    "interface", "gateway",     "next_hop",
					    "out_label", "inner_label", "outer_label",
					    "arp" };
	int status;
	json_object *j = get("/lookup", "vrf=A&address=192.168.101.7", &status);

	cr_assert_eq(status, 200);
	cr_assert(json_object_get_boolean(key(j, "found")));
	cr_assert_str_eq(str(j, "prefix"), "192.168.101.0/24");
	cr_assert_str_eq(str(j, "type"), "labeled");
	cr_assert_str_eq(str(j, "gateway"), "10.0.1.2");
	cr_assert_str_eq(str(j, "next_hop"), "10.0.1.2");
	cr_assert_eq(json_object_get_int(key(j, "out_label")), 16);
	cr_assert_eq(json_object_get_int(key(j, "outer_label")), 16);
	cr_assert_eq(json_object_get_int(key(j, "inner_label")), 200);
	json_object_put(j);

	j = get("/lookup", "vrf=A&address=10.1.1.2", &status);
	cr_assert_str_eq(str(j, "prefix"), "10.1.1.0/30");
	cr_assert_null(key(j, "next_hop"));
	cr_assert_null(key(j, "outer_label"));
	json_object_put(j);

	j = get("/lookup", "vrf=B&address=10.1.1.2", &status);
	cr_assert_eq(status, 200);
	cr_assert_str_eq(str(j, "vrf"), "B");
	cr_assert_not(json_object_get_boolean(key(j, "found")));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_null(key(j, keys[i]), "%s is null when nothing matched", keys[i]);
	cr_assert_eq(json_object_object_length(j), 4 + sizeof(keys) / sizeof(keys[0]));
	json_object_put(j);

	j = get("/lookup", "vrf=A", &status);
	cr_assert_eq(status, 400);
	cr_assert_str_eq(str(j, "error"), "missing address (want ?vrf=NAME&address=A)");
	cr_assert_str_eq(str(j, "param"), "address");
	json_object_put(j);
	j = get("/lookup", "vrf=nope&address=10.1.1.2", &status);
	cr_assert_eq(status, 404);
	cr_assert_str_eq(str(j, "param"), "vrf", "a 404 names the parameter whose value is unknown");
	json_object_put(j);
}

/* docs/api.md: an unknown parameter, one given twice, a name in another case are a 400. */
Test(api, every_endpoint_checks_its_parameters)
{
	static const struct {
		const char *path, *query, *error;
	} bad[] = {
		{ "/fib", "vrf=A&vrf=B", "parameter \"vrf\" given twice (want it once)" },
		{ "/fib", "VRF=A", "unknown parameter \"VRF\" (want vrf, prefix, match, limit, after)" },
		{ "/fib", "vrf=A&x=1", "unknown parameter \"x\" (want vrf, prefix, match, limit, after)" },
		{ "/lfib", "vrf=A&x=1", "unknown parameter \"x\" (want vrf)" },
		{ "/arp", "interface=core0", "unknown parameter \"interface\" (want none)" },
		{ "/counters", "vrf=A&x=1", "unknown parameter \"x\" (want vrf)" },
		{ "/lookup", "vrf=A&address=10.1.1.2&x=1", "unknown parameter \"x\" (want vrf, address)" },
		{ "/metrics", "x=1", "unknown parameter \"x\" (want none)" },
	};
	int status;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *j = get(bad[i].path, bad[i].query, &status);

		cr_assert_eq(status, 400, "%s?%s", bad[i].path, bad[i].query);
		cr_assert_str_eq(str(j, "error"), bad[i].error, "%s?%s", bad[i].path, bad[i].query);
		json_object_put(j);
	}
	for (size_t i = 0; i < fwd_api_n_routes; i++) {
		json_object *j = get(fwd_api_routes[i].path, "zz=1", &status);

		cr_assert_eq(status, 400, "%s?zz=1", fwd_api_routes[i].path);
		cr_assert_str_eq(str(j, "param"), "zz", "%s: the error names the parameter",
				 fwd_api_routes[i].path);
		json_object_put(j);
	}
}

Test(api, lfib)
{
	int status;
	json_object *j = get("/lfib", NULL, &status), *l = key(j, "lfib"), *e;

	cr_assert_eq(json_object_array_length(l), 2);
	e = json_object_array_get_idx(l, 0);
	cr_assert_eq(json_object_get_int(key(e, "in_label")), 17);
	cr_assert_str_eq(str(e, "action"), "pop");
	cr_assert_null(key(e, "vrf"));
	cr_assert_eq(json_object_get_int(key(e, "out_label")), 3);
	cr_assert_str_eq(str(e, "interface"), "core0");
	cr_assert_str_eq(str(e, "next_hop"), "10.0.1.2");
	e = json_object_array_get_idx(l, 1);
	cr_assert_eq(json_object_get_int(key(e, "in_label")), 100);
	cr_assert_str_eq(str(e, "action"), "pop_lookup");
	cr_assert_str_eq(str(e, "vrf"), "A");
	cr_assert_null(key(e, "out_label"));
	cr_assert_null(key(e, "interface"));
	cr_assert_null(key(e, "next_hop"));
	json_object_put(j);
}

/* A per-CE label names its CE's VRF, as /counters does (it was null). */
Test(api, lfib_pop_forward_names_its_ce_vrf)
{
	struct ipc_lfib_entry l3 = { .in_label = 300, .action = IPC_LFIB_POP_FORWARD, .nh_id = 1,
				     .vrf_id = 1 };
	int status;
	json_object *j, *e;

	apply_msg(f, IPC_LFIB_ADD, &l3, sizeof(l3));
	j = get("/lfib", NULL, &status);
	e = json_object_array_get_idx(key(j, "lfib"), 2);
	cr_assert_eq(json_object_get_int(key(e, "in_label")), 300);
	cr_assert_str_eq(str(e, "action"), "pop_forward");
	cr_assert_str_eq(str(e, "vrf"), "A");
	cr_assert_str_eq(str(e, "interface"), "ce-a1");
	json_object_put(j);
	/* ?vrf=: the labels into it, pop_lookup and pop_forward; no swap */
	j = get("/lfib", "vrf=A", &status);
	cr_assert_eq(status, 200);
	cr_assert_eq(json_object_array_length(key(j, "lfib")), 2);
	cr_assert_eq(json_object_get_int(key(json_object_array_get_idx(key(j, "lfib"), 0),
					     "in_label")), 100);
	json_object_put(j);
	j = get("/lfib", "vrf=B", &status);
	cr_assert_eq(json_object_array_length(key(j, "lfib")), 0);
	json_object_put(j);
	j = get("/lfib", "vrf=Z", &status);
	cr_assert_eq(status, 404);
	cr_assert_str_eq(str(j, "param"), "vrf");
	json_object_put(j);
}

Test(api, arp_and_counters)
{
	int status;
	struct tframe t;
	struct fwd_iface *ce = fwd_iface_find(f, "ce-a1");
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0xaa, 2 };
	json_object *j, *a, *e;

	/* one neighbour resolving (via a packet), one learned from its request */
	t_ip_frame(&t, ce->mac, mac, t_ip(192, 168, 100, 1), t_ip(10, 1, 1, 2), 64);
	cr_assert_eq(fwd_input(f, ce, &t.p), FWD_QUEUED);
	t_ip_frame(&t, ce->mac, mac, 1, 2, 64);
	t.p.len = 5;
	fwd_input(f, ce, &t.p);
	j = get("/arp", NULL, &status);
	a = key(j, "arp");
	cr_assert_eq(json_object_array_length(a), 1);
	e = json_object_array_get_idx(a, 0);
	cr_assert_str_eq(str(e, "interface"), "ce-a1");
	cr_assert_str_eq(str(e, "address"), "10.1.1.2");
	cr_assert_null(key(e, "mac"));
	cr_assert_str_eq(str(e, "state"), "incomplete");
	cr_assert_eq(json_object_get_int(key(e, "age_s")), 0);
	json_object_put(j);

	j = get("/counters", NULL, &status);
	a = key(j, "interfaces");
	cr_assert_eq(json_object_array_length(a), 2);
	e = json_object_array_get_idx(a, 1);
	cr_assert_str_eq(str(e, "name"), "ce-a1");
	cr_assert_str_eq(str(e, "role"), "access");
	cr_assert_eq(json_object_get_int(key(e, "rx_packets")), 2);
	cr_assert_eq(json_object_get_int(key(e, "tx_packets")), 1, "the ARP request");
	cr_assert_eq(json_object_get_int(key(e, "rx_bytes")), 74 + 5);
	cr_assert_eq(json_object_get_int(key(e, "tx_bytes")), 60);
	cr_assert_str_eq(str(json_object_array_get_idx(a, 0), "role"), "core");
	e = key(j, "drops");
	cr_assert_eq(json_object_get_int(key(e, "truncated")), 1);
	cr_assert_eq(json_object_get_int(key(e, "ttl_expired")), 0);
	cr_assert_eq(json_object_object_length(e), FWD_DROP_MAX);
	json_object_put(j);
}

/* Label 100 (pop + lookup in A) from the core, twice: a VRF lookup each, sent to A's CE. */
Test(api, vrf_and_label_counters)
{
	struct fwd_iface *core0 = fwd_iface_find(f, "core0");
	static const uint8_t mac_p[6] = { 2, 0, 0, 0, 0x99, 1 };
	uint32_t label = 100;
	uint8_t ttl = 64;
	struct tframe t;
	int status;
	json_object *j, *a, *e;
	char *text;

	for (int i = 0; i < 2; i++) {
		t_mpls_frame(&t, core0->mac, mac_p, &label, &ttl, 1, t_ip(192, 168, 101, 10),
			     t_ip(10, 1, 1, 2), 64);
		fwd_input(f, core0, &t.p);
	}
	j = get("/counters", NULL, &status);
	a = key(j, "vrfs");
	cr_assert_eq(json_object_array_length(a), 2);
	e = json_object_array_get_idx(a, 0);
	cr_assert_str_eq(str(e, "vrf"), "A");
	cr_assert_eq(json_object_get_int(key(e, "vrf_id")), 1);
	cr_assert_eq(json_object_get_int(key(e, "lookups_from_core")), 2);
	cr_assert_eq(json_object_get_int(key(e, "lookups_from_ce")), 0);
	cr_assert_eq(json_object_get_int(key(e, "from_ce_packets")), 0);
	cr_assert_eq(json_object_get_int(key(e, "to_ce_packets")), 0, "queued for ARP, not sent");
	cr_assert_eq(json_object_get_int(key(e, "to_ce_bytes")), 0);
	cr_assert_eq(json_object_get_int(key(e, "no_route")), 0);
	cr_assert_str_eq(str(json_object_array_get_idx(a, 1), "vrf"), "B");
	a = key(j, "labels");
	cr_assert_eq(json_object_array_length(a), 2);
	e = json_object_array_get_idx(a, 1);
	cr_assert_eq(json_object_get_int(key(e, "in_label")), 100);
	cr_assert_str_eq(str(e, "action"), "pop_lookup");
	cr_assert_str_eq(str(e, "vrf"), "A");
	cr_assert_eq(json_object_get_int(key(e, "packets")), 2);
	cr_assert_eq(json_object_get_int(key(e, "bytes")), 2 * 78);
	e = json_object_array_get_idx(a, 0);
	cr_assert_eq(json_object_get_int(key(e, "in_label")), 17);
	cr_assert_null(key(e, "vrf"));
	cr_assert_eq(json_object_get_int(key(e, "packets")), 0);
	json_object_put(j);

	j = get("/lfib", NULL, &status);
	e = json_object_array_get_idx(key(j, "lfib"), 1);
	cr_assert_eq(json_object_get_int(key(e, "packets")), 2);
	cr_assert_eq(json_object_get_int(key(e, "bytes")), 2 * 78);
	json_object_put(j);

	text = get_text("/metrics", NULL, &status);
	cr_assert_eq(status, 200);
	cr_assert_not_null(strstr(text, "ferry_fwd_label_packets_total{label=\"100\","
					"action=\"pop_lookup\"} 2\n"), "%s", text);
	cr_assert_not_null(strstr(text, "ferry_fwd_vrf_lookups_total{vrf=\"A\",from=\"core\"} 2\n"));
	cr_assert_not_null(strstr(text, "ferry_fwd_vrf_packets_total{vrf=\"A\",dir=\"to_ce\"} 0\n"));
	cr_assert_not_null(strstr(text, "ferry_fwd_vrf_no_route_total{vrf=\"B\"} 0\n"));
	free(text);
}

/*
 * One tenant's counters out of hundreds: ?vrf=NAME keeps the VRF's own row,
 * the labels that lead into it and its attachment interfaces (drops and the
 * rest stay fwd's). An unknown VRF is a 404 naming the parameter.
 */
Test(api, counters_of_one_vrf)
{
	int status;
	json_object *j = get("/counters", "vrf=A", &status), *a;

	cr_assert_eq(status, 200);
	a = key(j, "interfaces");
	cr_assert_eq(json_object_array_length(a), 1);
	cr_assert_str_eq(str(json_object_array_get_idx(a, 0), "name"), "ce-a1");
	a = key(j, "vrfs");
	cr_assert_eq(json_object_array_length(a), 1);
	cr_assert_str_eq(str(json_object_array_get_idx(a, 0), "vrf"), "A");
	a = key(j, "labels");
	cr_assert_eq(json_object_array_length(a), 1, "100 into A; 17 (a swap) is no VRF's");
	cr_assert_eq(json_object_get_int(key(json_object_array_get_idx(a, 0), "in_label")), 100);
	key(j, "drops");
	json_object_put(j);
	j = get("/counters", "vrf=B", &status);
	cr_assert_eq(json_object_array_length(key(j, "interfaces")), 0);
	cr_assert_eq(json_object_array_length(key(j, "labels")), 0);
	cr_assert_str_eq(str(json_object_array_get_idx(key(j, "vrfs"), 0), "vrf"), "B");
	json_object_put(j);
	j = get("/counters", "vrf=Z", &status);
	cr_assert_eq(status, 404);
	cr_assert_str_eq(str(j, "error"), "no VRF named \"Z\"");
	cr_assert_str_eq(str(j, "param"), "vrf");
	json_object_put(j);
}

/* /interfaces?vrf=NAME: the VRF's attachment links only; an unknown VRF a 404. */
Test(api, interfaces_of_one_vrf)
{
	int status;
	json_object *j = get("/interfaces", "vrf=A", &status), *a;

	cr_assert_eq(status, 200);
	a = key(j, "interfaces");
	cr_assert_eq(json_object_array_length(a), 1, "ce-a1, not core0");
	cr_assert_str_eq(str(json_object_array_get_idx(a, 0), "name"), "ce-a1");
	json_object_put(j);
	j = get("/interfaces", "vrf=B", &status);
	cr_assert_eq(json_object_array_length(key(j, "interfaces")), 0);
	json_object_put(j);
	j = get("/interfaces", "vrf=Z", &status);
	cr_assert_eq(status, 404);
	cr_assert_str_eq(str(j, "param"), "vrf");
	json_object_put(j);
	j = get("/interfaces", NULL, &status);
	cr_assert_eq(json_object_array_length(key(j, "interfaces")), 2);
	json_object_put(j);
}

Test(api, interfaces)
{
	struct fwd_iface *ce = fwd_iface_find(f, "ce-a1"), *spare;
	json_object *j, *a, *e;
	int status;

	spare = fwd_iface_get(f, "ce-z9", FWD_IF_ACCESS); /* known, bound to no VRF */
	cr_assert_not_null(spare);
	ce->open = true;
	ce->mtu = 1500;
	memcpy(ce->mac, (const uint8_t[6]){ 2, 0, 0, 0, 0xa1, 0 }, 6);
	j = get("/interfaces", NULL, &status);
	cr_assert_eq(status, 200);
	a = key(j, "interfaces");
	cr_assert_eq(json_object_array_length(a), 3);
	e = json_object_array_get_idx(a, 0);
	cr_assert_str_eq(str(e, "name"), "core0");
	cr_assert_str_eq(str(e, "role"), "core");
	cr_assert_str_eq(str(e, "state"), "down", "configured, not open");
	cr_assert_null(key(e, "vrf"));
	cr_assert_null(key(e, "mac"));
	e = json_object_array_get_idx(a, 1);
	cr_assert_str_eq(str(e, "name"), "ce-a1");
	cr_assert_str_eq(str(e, "state"), "up");
	cr_assert_str_eq(str(e, "vrf"), "A");
	cr_assert_str_eq(str(e, "address"), "10.1.1.1/30");
	cr_assert_str_eq(str(e, "mac"), "02:00:00:00:a1:00");
	cr_assert_eq(json_object_get_int(key(e, "mtu")), 1500);
	e = json_object_array_get_idx(a, 2);
	cr_assert_str_eq(str(e, "name"), "ce-z9");
	cr_assert_str_eq(str(e, "state"), "unbound");
	cr_assert_null(key(e, "vrf"));
	cr_assert_null(key(e, "address"));
	cr_assert_null(key(e, "mtu"));
	json_object_put(j);
}

/* The names /interfaces lists, comma-separated, and ce-a1's state ("" when not listed). */
static void if_names(char *out, size_t len, char *state, size_t slen)
{
	int status;
	json_object *j = get("/interfaces", NULL, &status), *a = key(j, "interfaces");

	cr_assert_eq(status, 200);
	out[0] = state[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);

		snprintf(out + strlen(out), len - strlen(out), "%s%s", i > 0 ? "," : "",
			 str(e, "name"));
		if (strcmp(str(e, "name"), "ce-a1") == 0)
			snprintf(state, slen, "%s", str(e, "state"));
	}
	json_object_put(j);
}

/* VRF A removed as vrfmgr does it: routes, then next hops, then its link, then the VRF. */
static void remove_vrf_a(bool unbind_first)
{
	struct ipc_fib_entry r1 = { .vrf_id = 1, .prefix = t_ip(10, 1, 1, 0), .plen = 30 },
			     r2 = { .vrf_id = 1, .prefix = t_ip(192, 168, 101, 0), .plen = 24 };
	struct ipc_lfib_entry l1 = { .in_label = 100 };
	struct ipc_nexthop nh1 = { .nh_id = 1 };
	struct ipc_if_bind b = { .vrf_id = 1, .ifname = "ce-a1" };
	struct ipc_vrf a = { .vrf_id = 1, .name = "A" };

	if (unbind_first)
		t_apply(f, IPC_IF_UNBIND, &b, sizeof(b));
	t_apply(f, IPC_FIB_DEL, &r1, sizeof(r1));
	t_apply(f, IPC_FIB_DEL, &r2, sizeof(r2));
	t_apply(f, IPC_LFIB_DEL, &l1, sizeof(l1));
	t_apply(f, IPC_NH_DEL, &nh1, sizeof(nh1));
	if (!unbind_first)
		t_apply(f, IPC_IF_UNBIND, &b, sizeof(b));
	t_apply(f, IPC_VRF_DEL, &a, sizeof(a));
}

/* A removed tenant's link is gone from /interfaces (it stayed, "unbound", for good). */
Test(api, removed_vrf_takes_its_link_out_of_the_list)
{
	char names[128], state[16];

	remove_vrf_a(false);
	if_names(names, sizeof(names), state, sizeof(state));
	cr_assert_str_eq(names, "core0", "ce-a1 is gone, the core link stays: %s", names);
	cr_assert(fwd_iface_find(f, "ce-a1")->removed);
}

/* Unbound first (a reload): listed as unbound while its next hop lives, gone with it. */
Test(api, unbound_link_stays_listed_while_a_next_hop_uses_it)
{
	struct ipc_if_bind b = { .vrf_id = 1, .ifname = "ce-a1" };
	char names[128], state[16];

	t_apply(f, IPC_IF_UNBIND, &b, sizeof(b));
	if_names(names, sizeof(names), state, sizeof(state));
	cr_assert_str_eq(names, "core0,ce-a1");
	cr_assert_str_eq(state, "unbound", "next hop 1 still goes out of it");
	remove_vrf_a(false);
	if_names(names, sizeof(names), state, sizeof(state));
	cr_assert_str_eq(names, "core0", "its last next hop went: %s", names);
}

/* Bound again, the same name is one link (not two), listed, its counters from 0. */
Test(api, removed_link_bound_again_starts_afresh)
{
	struct fwd_iface *ce = fwd_iface_find(f, "ce-a1");
	struct ipc_if_bind b = { .vrf_id = 2, .address = t_ip(10, 2, 1, 1), .plen = 30,
				 .ifname = "ce-a1" };
	struct ipc_nexthop nh = { .nh_id = 7, .type = IPC_NH_CONNECTED, .ifname = "ce-a1" };
	char names[128], state[16];
	json_object *j, *row;
	int status;

	ce->tx_packets = 5; /* what it sent to A's CE */
	ce->tx_bytes = 500;
	remove_vrf_a(true);
	t_apply(f, IPC_NH_ADD, &nh, sizeof(nh));
	t_apply(f, IPC_NH_DEL, &nh, sizeof(nh)); /* a next hop that comes and goes leaves it removed */
	cr_assert(ce->removed);
	t_apply(f, IPC_IF_BIND, &b, sizeof(b));
	cr_assert_eq(fwd_iface_find(f, "ce-a1"), ce);
	cr_assert_eq(f->n_ifaces, 2);
	if_names(names, sizeof(names), state, sizeof(state));
	cr_assert_str_eq(names, "core0,ce-a1");
	cr_assert_str_eq(state, "down", "bound, not open");
	j = get("/counters", "vrf=B", &status);
	row = json_object_array_get_idx(key(j, "interfaces"), 0);
	cr_assert_str_eq(str(row, "name"), "ce-a1");
	cr_assert_eq(json_object_get_uint64(key(row, "tx_packets")), 0, "A's traffic is not B's link's");
	cr_assert_eq(json_object_get_uint64(key(row, "tx_bytes")), 0);
	row = json_object_array_get_idx(key(j, "vrfs"), 0);
	cr_assert_eq(json_object_get_uint64(key(row, "to_ce_packets")), 0);
	json_object_put(j);
}

/*
 * A removed link that a new next hop names (vrfmgr names a link in a next
 * hop before it binds it) is listed again, as unbound, while that next hop
 * lives: hidden, the link the next hop sends by was nowhere in /interfaces.
 */
Test(api, removed_link_named_by_a_next_hop_is_listed_as_unbound)
{
	struct ipc_nexthop nh = { .nh_id = 7, .type = IPC_NH_CONNECTED, .ifname = "ce-a1" };
	char names[128], state[16];

	remove_vrf_a(false);
	t_apply(f, IPC_NH_ADD, &nh, sizeof(nh));
	if_names(names, sizeof(names), state, sizeof(state));
	cr_assert_str_eq(names, "core0,ce-a1", "next hop 7 goes out of ce-a1: %s", names);
	cr_assert_str_eq(state, "unbound");
	t_apply(f, IPC_NH_DEL, &nh, sizeof(nh));
	if_names(names, sizeof(names), state, sizeof(state));
	cr_assert_str_eq(names, "core0", "its next hop went: %s", names);
}

/* An ?address= that is not one says the form wanted. */
Test(api, lookup_bad_address_says_the_form_wanted)
{
	int status;
	json_object *j = get("/lookup", "vrf=A&address=192.168.101.0/24", &status);

	cr_assert_eq(status, 400);
	cr_assert_str_eq(str(j, "error"), "address: \"192.168.101.0/24\" is not an IPv4 address "
					  "(want a.b.c.d, a packet's destination)");
	cr_assert_str_eq(str(j, "param"), "address");
	json_object_put(j);
}
