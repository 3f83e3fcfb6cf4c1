/*
 * GET /reload/check (vrfmgr/api_reload.c), the dry run of a reload: the
 * running vrfmgr's config file is rewritten and the handler asked, as
 * scripts/lab reload asks it. A file it accepts gets the exact summary and
 * VRF list the reload then gives; one it refuses gets the reason SIGHUP
 * would log; in both cases the running table, config and dataplane are
 * left as they were.
 */
#include <criterion/criterion.h>
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json-c/json.h>
#include <unistd.h>

#include "test_api_route.h"
#include "test_vrfmgr_fixture.h"
#include "vrfmgr/api.h"
#include "vrfmgr/reload.h"
#include "vrfmgr/vrfmgr.h"

#define ROUTER(id)                                                                               \
	"\"router\": { \"name\": \"pe1\", \"router_id\": \"" id "\", \"asn\": 65000,"            \
	"  \"label_range\": { \"min\": 100, \"max\": 199 } },"
#define VRF(name, rd, rt, ifname, addr, statics)                                                 \
	"{ \"name\": \"" name "\", \"rd\": \"" rd "\", \"import_rts\": [\"" rt "\"],"            \
	"  \"export_rts\": [\"" rt "\"],"                                                        \
	"  \"interfaces\": [ { \"name\": \"" ifname "\", \"address\": \"" addr "\" } ],"         \
	"  \"static_routes\": [" statics "] }"
#define VRF_A(statics) VRF("A", "10.255.0.1:100", "65000:100", "ce-a1", "10.1.1.1/30", statics)
#define VRF_B VRF("B", "10.255.0.1:200", "65000:200", "ce-b1", "10.2.1.1/30", "")
#define VRF_C VRF("C", "10.255.0.1:300", "65000:300", "ce-c1", "10.3.1.1/30", "")
#define STATIC "{ \"prefix\": \"192.168.9.0/24\", \"next_hop\": \"10.1.1.2\" }"
#define LSPS                                                                                     \
	"\"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16,"                           \
	"  \"next_hop\": \"10.0.1.2\", \"interface\": \"core0\" } ],"
#define CORE "\"fwd\": { \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] }"
#define CONFIG(id, vrfs, lsps) "{ " ROUTER(id) " \"vrfs\": [ " vrfs " ], " lsps CORE " }"
#define BASE CONFIG("10.255.0.1", VRF_A("") "," VRF_B, LSPS)

static char path[64];
static struct vrfmgr vm;
static struct fx_rec rec, exps;

static void write_file(const char *json)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(json, f);
	fclose(f);
}

static void setup(void)
{
	struct dataplane dp = { &fx_ops, &rec };
	struct export_sink sink = { &fx_exp_ops, &exps };
	struct fx_vpn a = fx_vpn("10.255.0.2:100", "192.168.101.0/24", 200, "10.255.0.2",
				 "65000:100");
	char err[512];

	log_init("test", LOG_LVL_ERR);
	snprintf(path, sizeof(path), "/tmp/test_vrfmgr_reloadcheck.%d.json", (int)getpid());
	write_file(BASE);
	memset(&vm, 0, sizeof(vm));
	vm.cfg = calloc(1, sizeof(*vm.cfg));
	cr_assert_not_null(vm.cfg);
	cr_assert_eq(config_load(path, vm.cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vrf_table_init(&vm.table, vm.cfg, &dp), 0);
	vrf_table_set_export(&vm.table, &sink);
	cr_assert_eq(fx_import(&vm.table, &a), 1); /* a route through remote PE 10.255.0.2 */
	rec.n = exps.n = 0;
}

static void teardown(void)
{
	vrf_table_free(&vm.table);
	config_free(vm.cfg);
	free(vm.cfg);
	unlink(path);
}

TestSuite(reloadcheck, .init = setup, .fini = teardown);

/* GET /reload/check as served (its route, its parameter check), parsed. */
static json_object *check(void)
{
	const struct api_route *r = vrfmgr_api_route("/reload/check");
	json_object *j;
	int status;

	cr_assert_not_null(r);
	cr_assert(r->local, "/reload/check is served on TCP");
	j = t_api_get(r, &vm, &status);
	cr_assert_eq(status, 200);
	return j;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, k, &v), "no %s", k);
	return json_object_get_string(v);
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(o, k, &v), "no %s", k);
	return v;
}

/* The labeled next hop to remote PE 10.255.0.2 has its LSP. */
static bool pe2_resolved(void)
{
	for (const struct nexthop *nh = vm.table.nhs.head; nh != NULL; nh = nh->next)
		if (nh->ipc.type == IPC_NH_LABELED && nh->remote_pe == 0x0aff0002u)
			return nh->resolved;
	cr_assert_fail("no next hop to 10.255.0.2");
	return false;
}

/* The running state is what setup built: same config, same VRFs, nothing sent. */
static void assert_untouched(const struct ferry_config *was)
{
	cr_assert_eq(vm.cfg, was);
	cr_assert_eq(vm.table.cfg, was);
	cr_assert_eq(vm.table.n_vrfs, 2);
	cr_assert_eq(vrf_by_name(&vm.table, "A")->cfg, &was->vrfs[0]);
	cr_assert_eq(vrf_by_name(&vm.table, "B")->cfg, &was->vrfs[1]);
	cr_assert_null(vrf_by_name(&vm.table, "C"));
	cr_assert_eq(rec.n, 0, "the dry run programmed fwd: %s", rec.n ? rec.line[0] : "");
	cr_assert_eq(exps.n, 0, "the dry run exported to bgpd");
	cr_assert(pe2_resolved(), "the dry run took the LSP away");
}

/* The file the real reload would read, applied at the table as SIGHUP does; its summary. */
static void apply(char *summary, size_t len)
{
	struct reload_stats st;
	struct ferry_config *nc;
	char err[512];

	nc = vrfmgr_reload_load(&vm, err, sizeof(err));
	cr_assert_not_null(nc, "%s", err);
	cr_assert_eq(vrf_table_reload(&vm.table, nc, &st), 0);
	config_free(vm.cfg);
	free(vm.cfg);
	vm.cfg = nc;
	reload_stats_format(&st, summary, len);
}

Test(reloadcheck, the_same_file_would_change_nothing)
{
	json_object *j = check();

	cr_assert(json_object_get_boolean(get(j, "accepted")));
	cr_assert_null(str(j, "reason"));
	cr_assert_str_eq(str(j, "daemon"), "vrfmgr");
	cr_assert_str_eq(str(j, "file"), path);
	cr_assert_str_eq(str(j, "dataplane"), "fwd", "ferryctl tells a PE without fwd by it");
	cr_assert_str_eq(str(j, "summary"),
			 "0 VRFs added, 0 removed, 0 changed, 0 remote PEs with a new LSP state");
	cr_assert_eq(json_object_array_length(get(j, "vrfs")), 0);
	json_object_put(j);
	assert_untouched(vm.cfg);
}

Test(reloadcheck, accepted_says_exactly_what_the_reload_then_does)
{
	const struct ferry_config *was = vm.cfg;
	json_object *j, *v, *keys;
	char done[160];

	/* A gets a static route, B goes, C comes, the LSP to 10.255.0.2 goes */
	write_file(CONFIG("10.255.0.1", VRF_A(STATIC) "," VRF_C, ""));
	j = check();
	cr_assert(json_object_get_boolean(get(j, "accepted")));
	cr_assert_str_eq(str(j, "summary"),
			 "1 VRF added, 1 removed, 1 changed, 1 remote PE with a new LSP state");
	cr_assert_eq(json_object_get_int(get(j, "added")), 1);
	cr_assert_eq(json_object_get_int(get(j, "removed")), 1);
	cr_assert_eq(json_object_get_int(get(j, "changed")), 1);
	cr_assert_eq(json_object_get_int(get(j, "remote_pes_new_lsp_state")), 1);
	/* in the order the reload goes (docs/api.md): B removed, A changed, C added */
	v = get(j, "vrfs");
	cr_assert_eq(json_object_array_length(v), 3);
	cr_assert_str_eq(str(json_object_array_get_idx(v, 0), "vrf"), "B");
	cr_assert_str_eq(str(json_object_array_get_idx(v, 0), "action"), "removed");
	cr_assert_null(str(json_object_array_get_idx(v, 0), "keys"));
	cr_assert_str_eq(str(json_object_array_get_idx(v, 1), "vrf"), "A");
	cr_assert_str_eq(str(json_object_array_get_idx(v, 1), "action"), "changed");
	keys = get(json_object_array_get_idx(v, 1), "keys");
	cr_assert_eq(json_object_array_length(keys), 1);
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(keys, 0)),
			 "static_routes");
	cr_assert_str_eq(str(json_object_array_get_idx(v, 2), "vrf"), "C");
	cr_assert_str_eq(str(json_object_array_get_idx(v, 2), "action"), "added");
	cr_assert_null(str(json_object_array_get_idx(v, 2), "keys"));
	/* the summary counts remote PEs gained and lost alike: a loss is said */
	v = get(j, "warnings");
	cr_assert_eq(json_object_array_length(v), 1);
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 0)),
			 "lsps: remote PE 10.255.0.2 would lose its LSP (no FEC of lsps covers it): "
			 "the one route installed through it leaves the FIB");
	json_object_put(j);
	assert_untouched(was);

	/* the real reload of the same file: the same summary, and it happened */
	apply(done, sizeof(done));
	cr_assert_str_eq(done, "1 VRF added, 1 removed, 1 changed, 1 remote PE with a new LSP state");
	cr_assert_null(vrf_by_name(&vm.table, "B"));
	cr_assert_not_null(vrf_by_name(&vm.table, "C"));
	cr_assert_not(pe2_resolved());
	cr_assert_gt(rec.n, 0);
}

/*
 * A remote PE whose routes are all outranked (a static for the same prefix
 * wins) has none installed through it: losing its LSP changes no FIB
 * entry, and the warning says so rather than "the 0 routes installed
 * through it leave the FIB".
 */
#define STATIC_101 "{ \"prefix\": \"192.168.101.0/24\", \"next_hop\": \"10.1.1.2\" }"

Test(reloadcheck, a_remote_pe_with_no_route_installed_losing_its_lsp_changes_no_fib_entry)
{
	json_object *j, *v;
	char done[160];

	write_file(CONFIG("10.255.0.1", VRF_A(STATIC_101) "," VRF_B, LSPS));
	apply(done, sizeof(done));
	cr_assert(pe2_resolved());
	write_file(CONFIG("10.255.0.1", VRF_A(STATIC_101) "," VRF_B, ""));
	j = check();
	v = get(j, "warnings");
	cr_assert_eq(json_object_array_length(v), 1);
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(v, 0)),
			 "lsps: remote PE 10.255.0.2 would lose its LSP (no FEC of lsps covers it): "
			 "no route is installed through it, the FIB does not change");
	json_object_put(j);
}

/*
 * A static route without an interface whose next hop is no neighbour on its
 * VRF's links loads (the loader cannot tell a typo from a CE not yet
 * connected) and the reload keeps it unused: the check says so before the
 * signal, naming where it is in the file, as fwd names an interface it lacks.
 */
#define OFF_LINK "{ \"prefix\": \"192.168.9.0/24\", \"next_hop\": \"10.1.10.6\" }"
#define BROADCAST "{ \"prefix\": \"192.168.8.0/24\", \"next_hop\": \"10.1.1.3\" }"

Test(reloadcheck, a_static_route_it_would_keep_unused_is_a_warning)
{
	json_object *j, *warns;

	j = check();
	cr_assert_eq(json_object_array_length(get(j, "warnings")), 0, "the lab's file is fine");
	json_object_put(j);

	write_file(CONFIG("10.255.0.1", VRF_A(STATIC "," OFF_LINK "," BROADCAST) "," VRF_B, LSPS));
	j = check();
	cr_assert(json_object_get_boolean(get(j, "accepted")), "a warning is no refusal");
	warns = get(j, "warnings");
	cr_assert_eq(json_object_array_length(warns), 2);
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(warns, 0)),
			 "vrfs[0].static_routes[1].next_hop (VRF A, route 192.168.9.0/24): next hop "
			 "10.1.10.6 is not on a connected subnet of the VRF; kept, but neither "
			 "installed nor exported");
	cr_assert_str_eq(json_object_get_string(json_object_array_get_idx(warns, 1)),
			 "vrfs[0].static_routes[2].next_hop (VRF A, route 192.168.8.0/24): next hop "
			 "10.1.1.3 is the broadcast address of interface ce-a1's subnet; kept, but "
			 "neither installed nor exported");
	json_object_put(j);
	assert_untouched(vm.cfg);

	write_file("{ \"router\": ");
	j = check();
	cr_assert_eq(json_object_array_length(get(j, "warnings")), 0, "refused: none, as fwd's");
	json_object_put(j);
}

/*
 * GET /labels?vrf=B after a reload removed B: the label B held is held down
 * under its name, and that is what an operator asks about a tenant just
 * taken out (ferryctl show labels B); before, B being gone made it a 404.
 * A name with neither a VRF nor a label is still one.
 */
Test(reloadcheck, the_labels_of_a_vrf_removed_are_still_listed_by_its_name)
{
	const struct api_route *r = vrfmgr_api_route("/labels");
	json_object *j, *labels;
	char done[160];
	int status;

	write_file(CONFIG("10.255.0.1", VRF_A(""), LSPS));
	apply(done, sizeof(done));
	cr_assert_null(vrf_by_name(&vm.table, "B"));
	j = t_api_get_q(r, &vm, "vrf", "B", &status);
	cr_assert_eq(status, 200, "%s", json_object_to_json_string(j));
	labels = get(j, "labels");
	cr_assert_eq(json_object_array_length(labels), 1);
	cr_assert_str_eq(str(json_object_array_get_idx(labels, 0), "vrf"), "B");
	cr_assert_str_eq(str(json_object_array_get_idx(labels, 0), "action"), "held");
	json_object_put(j);
	j = t_api_get_q(r, &vm, "vrf", "Z", &status);
	cr_assert_eq(status, 404);
	json_object_put(j);
}

/*
 * BASE (A and B, per-VRF: labels 100 and 101 of 100-199) with n more
 * tenants, per-CE, each exporting its link's subnet: a label each.
 */
static void write_tenants(int n)
{
	static char json[65536];
	size_t len = (size_t)snprintf(json, sizeof(json), "{ " ROUTER("10.255.0.1")
				      " \"vrfs\": [ " VRF_A("") "," VRF_B);

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(json + len, sizeof(json) - len,
					", { \"name\": \"x%d\", \"rd\": \"10.255.0.1:%d\", "
					"\"export_rts\": [\"65000:%d\"], \"label_mode\": \"per-ce\", "
					"\"interfaces\": [ { \"name\": \"x%d\", "
					"\"address\": \"10.200.%d.1/30\" } ] }",
					i, 5000 + i, 5000 + i, i, i);
	snprintf(json + len, sizeof(json) - len, " ], " LSPS CORE " }");
	write_file(json);
}

/* The check's warnings, joined by newlines (freed by the caller's json_object_put). */
static const char *warnings_of(json_object *j, char *buf, size_t len)
{
	json_object *w = get(j, "warnings");

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(w); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s\n",
			 json_object_get_string(json_object_array_get_idx(w, i)));
	return buf;
}

/*
 * More tenants than free labels: a VRF that finds none waits, exporting
 * nothing, which the log alone said once the reload was done. The check
 * says so first (98 labels are free: 98 more tenants fit, 99 do not).
 */
Test(reloadcheck, more_tenants_than_free_labels_is_a_warning)
{
	char buf[1024];
	json_object *j;

	write_tenants(98);
	j = check();
	cr_assert(json_object_get_boolean(get(j, "accepted")));
	cr_assert_str_eq(warnings_of(j, buf, sizeof(buf)), "", "98 fit");
	json_object_put(j);

	write_tenants(99);
	j = check();
	cr_assert(json_object_get_boolean(get(j, "accepted")), "a warning is no refusal");
	cr_assert_str_eq(warnings_of(j, buf, sizeof(buf)),
			 "router.label_range: the VRFs this adds or relabels may take up to 99 "
			 "labels, 98 of 100-199 are free (0 held down): those that find none wait "
			 "for one, an added VRF's routes not exported meanwhile, a relabelled "
			 "one's still with their old labels (a wider range needs a restart of "
			 "vrfmgr)\n");
	json_object_put(j);
	assert_untouched(vm.cfg);
}

Test(reloadcheck, a_new_rd_is_a_vrf_recreated)
{
	json_object *j, *v;

	write_file(CONFIG("10.255.0.1",
			  VRF_A("") "," VRF("B", "10.255.0.1:201", "65000:200", "ce-b1",
					    "10.2.1.1/30", ""),
			  LSPS));
	j = check();
	cr_assert_str_eq(str(j, "summary"),
			 "1 VRF added, 1 removed, 0 changed, 0 remote PEs with a new LSP state");
	v = get(j, "vrfs");
	cr_assert_eq(json_object_array_length(v), 1);
	cr_assert_str_eq(str(json_object_array_get_idx(v, 0), "vrf"), "B");
	cr_assert_str_eq(str(json_object_array_get_idx(v, 0), "action"), "recreated");
	json_object_put(j);
	assert_untouched(vm.cfg);
}

Test(reloadcheck, refused_gives_the_reason_sighup_would_log)
{
	const struct ferry_config *was = vm.cfg;
	char want[256];
	json_object *j;

	/* a change it takes only at a restart, with a VRF added: nothing of it */
	write_file(CONFIG("10.255.0.9", VRF_A("") "," VRF_B "," VRF_C, LSPS));
	j = check();
	cr_assert_not(json_object_get_boolean(get(j, "accepted")));
	/* the file named as a load error names it, its base name (it was the path) */
	snprintf(want, sizeof(want),
		 "%s: router.router_id changed; that needs a restart of vrfmgr", strrchr(path, '/') + 1);
	cr_assert_str_eq(str(j, "reason"), want);
	cr_assert_null(str(j, "summary"));
	cr_assert_null(str(j, "vrfs"));
	json_object_put(j);
	assert_untouched(was);

	/* a file that does not load */
	write_file("{ \"router\": ");
	j = check();
	cr_assert_not(json_object_get_boolean(get(j, "accepted")));
	snprintf(want, sizeof(want), "%s: line 1: invalid JSON", strrchr(path, '/') + 1);
	cr_assert(strstr(str(j, "reason"), want) == str(j, "reason"), "%s", str(j, "reason"));
	json_object_put(j);
	assert_untouched(was);
}
