/*
 * ferryctl verify: holds the three daemons' tables against each other and
 * lists every inconsistency (missing, extra, different label or next hop).
 * Each check is one contract of the system (docs/ipc.md):
 *
 *   bgpd -> vrfmgr   bgpd's best remote path of every RD:prefix is in
 *                    vrfmgr's VPN table with the same label and next hop,
 *                    and vrfmgr holds nothing bgpd does not have;
 *   import           every usable VPN route sits in exactly the VRFs whose
 *                    import RTs meet its RTs (a full VRF excepted);
 *   exports          every route bgpd holds from vrfmgr ("local") is a
 *                    connected or static route of the VRF with that RD, with
 *                    the VRF's label (per-VRF mode);
 *   vrfmgr -> fwd    each VRF's selected, installed routes are fwd's FIB,
 *                    entry for entry, with the same labels, interface and
 *                    next hop; the labels vrfmgr uses are fwd's LFIB;
 *                    the links a VRF binds are fwd's, open, in that VRF;
 *   vrfmgr -> kernel with the kernel dataplane (no fwd), each VRF's device
 *                    is there and up and each link it binds is in it, as
 *                    vrfmgr's kernel dataplane has them from the kernel's
 *                    link events (/vrfs "kernel_device").
 *
 * A PE forwards with fwd or with the kernel: the checks of the other one do
 * not apply (reported so in the JSON, not printed), and are not "unchecked".
 * cli_verify_report is a pure function of the fetched documents (unit-
 * tested on recorded answers). The daemons are asked one after another, so
 * a route that changes meanwhile can look inconsistent: unless --once, an
 * inconsistent answer is fetched again a second later and only what is
 * found both times is reported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define NCHECKS 7
static const char *const check_names[NCHECKS] = { "bgpd -> vrfmgr", "vrfmgr import",
						   "bgpd exports", "vrfmgr -> fwd FIB",
						   "vrfmgr -> fwd LFIB", "vrfmgr -> fwd links",
						   "vrfmgr -> kernel" };
#define CHECK_KERNEL 6

struct verify {
	struct json_object *found; /* array of {check, key, problem} */
	int n[NCHECKS];
	int compared[NCHECKS];
	/* what agrees but does not forward (a VRF's link fwd cannot open): not an inconsistency */
	struct json_object *warned; /* array of {check, key, problem} */
	int warnings[NCHECKS];
};

static bool same(struct json_object *a, const char *ka, struct json_object *b, const char *kb)
{
	const char *x = cli_json_str(a, ka), *y = cli_json_str(b, kb);

	return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static size_t len_of(struct json_object *a)
{
	return a != NULL && json_object_is_type(a, json_type_array) ? json_object_array_length(a)
								     : 0;
}

static void add_problem(struct json_object *to, int check, const char *key, const char *fmt,
			va_list ap)
{
	struct json_object *o = json_object_new_object();
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	json_object_object_add(o, "check", json_object_new_string(check_names[check]));
	json_object_object_add(o, "key", json_object_new_string(key));
	json_object_object_add(o, "problem", json_object_new_string(buf));
	json_object_array_add(to, o);
}

static void found(struct verify *v, int check, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void found(struct verify *v, int check, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_problem(v->found, check, key, fmt, ap);
	va_end(ap);
	v->n[check]++;
}

static void warned(struct verify *v, int check, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warned(struct verify *v, int check, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_problem(v->warned, check, key, fmt, ap);
	va_end(ap);
	v->warnings[check]++;
}

/* Rows of arr keyed by "a:b" of two fields, in a JSON object used as a map. */
static struct json_object *index_by(struct json_object *arr, const char *k1, const char *k2)
{
	struct json_object *map = json_object_new_object();
	char key[256];

	for (size_t i = 0; i < len_of(arr); i++) {
		struct json_object *r = json_object_array_get_idx(arr, i);

		snprintf(key, sizeof(key), "%s:%s", cli_json_text(r, k1), cli_json_text(r, k2));
		if (!json_object_object_get_ex(map, key, NULL)) /* first wins: selected / best */
			json_object_object_add(map, key, json_object_get(r));
	}
	return map;
}

static char *lbl(struct json_object *o, const char *key, char *buf)
{
	return (char *)cli_cell_format(cli_json_get(o, key), CLI_COL_LABEL, buf, 16);
}

/* ---- bgpd -> vrfmgr ---------------------------------------------------------------- */

/* The path vrfmgr should have for each RD:prefix: the best one, if it is remote. */
static struct json_object *bgp_remote_best(struct json_object *routes, struct json_object **any)
{
	struct json_object *best = json_object_new_object();

	*any = json_object_new_object();
	for (size_t i = 0; i < len_of(routes); i++) {
		struct json_object *p = json_object_array_get_idx(routes, i);
		char key[256];

		if (cli_json_str(p, "peer") != NULL && strcmp(cli_json_str(p, "peer"), "local") == 0)
			continue;
		snprintf(key, sizeof(key), "%s:%s", cli_json_text(p, "rd"), cli_json_text(p, "prefix"));
		if (json_object_get_boolean(cli_json_get(p, "best")))
			json_object_object_add(best, key, json_object_get(p));
		if (!json_object_object_get_ex(*any, key, NULL))
			json_object_object_add(*any, key, json_object_get(p));
	}
	return best;
}

static void check_bgp_vpn(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *any, *best = bgp_remote_best(cli_json_get(d->bgp_routes, "routes"), &any);
	struct json_object *vpn = index_by(cli_json_get(d->vpn, "routes"), "rd", "prefix");
	char a[16], b[16];

	json_object_object_foreach(any, key, p)
	{
		struct json_object *want, *have;

		if (!json_object_object_get_ex(best, key, &want))
			want = p; /* a local path won: vrfmgr gets a remote one, any */
		v->compared[0]++;
		if (!json_object_object_get_ex(vpn, key, &have))
			found(v, 0, key, "missing in vrfmgr: bgpd's best path from %s, label %s",
			      cli_json_text(want, "peer"), lbl(want, "label", a));
		else if (!same(want, "label", have, "label") ||
			 !same(want, "next_hop", have, "next_hop"))
			found(v, 0, key, "different: bgpd label %s next hop %s, vrfmgr label %s "
					 "next hop %s", lbl(want, "label", a), cli_json_text(want, "next_hop"),
			      lbl(have, "label", b), cli_json_text(have, "next_hop"));
	}
	json_object_object_foreach(vpn, vkey, vr)
	{
		if (!json_object_object_get_ex(any, vkey, NULL))
			found(v, 0, vkey, "extra in vrfmgr: label %s from %s, bgpd has no such route",
			      lbl(vr, "label", a), cli_json_text(vr, "peer"));
	}
	json_object_put(best);
	json_object_put(any);
	json_object_put(vpn);
}

/* ---- import: RTs decide which VRFs hold a VPN route ------------------------------------------ */

static bool contains(struct json_object *arr, const char *s)
{
	for (size_t i = 0; i < len_of(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static bool rts_meet(struct json_object *a, struct json_object *b)
{
	for (size_t i = 0; i < len_of(a); i++)
		if (contains(b, json_object_get_string(json_object_array_get_idx(a, i))))
			return true;
	return false;
}

static void check_import(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *vpn = cli_json_get(d->vpn, "routes");
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");
	char key[256];

	for (size_t i = 0; i < len_of(vpn); i++) {
		struct json_object *r = json_object_array_get_idx(vpn, i), *in = cli_json_get(r, "vrfs");

		if (cli_json_get(r, "problem") != NULL)
			continue; /* unusable: no VRF may hold it */
		snprintf(key, sizeof(key), "%s:%s", cli_json_text(r, "rd"), cli_json_text(r, "prefix"));
		v->compared[1]++;
		for (size_t k = 0; k < len_of(vrfs); k++) {
			struct json_object *vrf = json_object_array_get_idx(vrfs, k);
			const char *name = cli_json_text(vrf, "name"), *lim = cli_json_str(vrf, "limit_state");
			bool should = rts_meet(cli_json_get(r, "route_targets"), cli_json_get(vrf, "import_rts"));
			bool has = contains(in, name);

			if (should && !has && !(lim != NULL && strcmp(lim, "full") == 0))
				found(v, 1, key, "VRF %s imports one of its RTs but does not hold it",
				      name);
			if (!should && has)
				found(v, 1, key, "VRF %s holds it without a route target in common",
				      name);
		}
	}
}

/* ---- exports: bgpd's local paths are VRF routes ---------------------------------------------- */

static struct json_object *vrf_by_rd(struct json_object *vrfs, const char *rd)
{
	for (size_t k = 0; rd && k < len_of(vrfs); k++)
		if (strcmp(cli_json_text(json_object_array_get_idx(vrfs, k), "rd"), rd) == 0)
			return json_object_array_get_idx(vrfs, k);
	return NULL;
}

static void check_exports(struct verify *v, const struct cli_verify_docs *d,
			  struct json_object *vroutes)
{
	struct json_object *routes = cli_json_get(d->bgp_routes, "routes");
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");
	char key[256], a[16], b[16];

	for (size_t i = 0; i < len_of(routes); i++) {
		struct json_object *p = json_object_array_get_idx(routes, i), *vrf, *vr;
		char vkey[256];
		const char *src;

		if (cli_json_str(p, "peer") == NULL || strcmp(cli_json_str(p, "peer"), "local") != 0)
			continue;
		snprintf(key, sizeof(key), "%s:%s", cli_json_text(p, "rd"), cli_json_text(p, "prefix"));
		v->compared[2]++;
		if ((vrf = vrf_by_rd(vrfs, cli_json_str(p, "rd"))) == NULL) {
			found(v, 2, key, "bgpd exports it but no VRF has RD %s", cli_json_text(p, "rd"));
			continue;
		}
		snprintf(vkey, sizeof(vkey), "%s:%s", cli_json_text(vrf, "name"),
			 cli_json_text(p, "prefix"));
		src = json_object_object_get_ex(vroutes, vkey, &vr) ? cli_json_str(vr, "source") : NULL;
		if (src == NULL || strcmp(src, "bgp") == 0)
			found(v, 2, key, "bgpd exports it but VRF %s has no local route %s",
			      cli_json_text(vrf, "name"), cli_json_text(p, "prefix"));
		else if (cli_json_get(vrf, "label") != NULL &&
			 strcmp(cli_json_text(vrf, "label_mode"), "per-vrf") == 0 &&
			 !same(p, "label", vrf, "label"))
			found(v, 2, key, "exported with label %s, VRF %s's label is %s",
			      lbl(p, "label", a), cli_json_text(vrf, "name"), lbl(vrf, "label", b));
	}
}

/* ---- vrfmgr -> fwd ------------------------------------------------------------------------------ */

static void fwd_text(struct json_object *e, const char *gw, const char *out, const char *in,
		     char *buf, size_t len)
{
	char a[16], b[16];

	snprintf(buf, len, "via %s on %s [%s | %s]", cli_json_text(e, gw),
		 cli_json_text(e, "interface"), lbl(e, out, a), lbl(e, in, b));
}

static void check_fib(struct verify *v, const struct cli_verify_docs *d, struct json_object *vroutes)
{
	struct json_object *fib = index_by(cli_json_get(d->fib, "fib"), "vrf", "prefix");
	char want[160], have[160];

	json_object_object_foreach(vroutes, key, r)
	{
		struct json_object *e;

		if (!json_object_get_boolean(cli_json_get(r, "installed")))
			continue;
		v->compared[3]++;
		fwd_text(r, "next_hop", "outer_label", "inner_label", want, sizeof(want));
		if (!json_object_object_get_ex(fib, key, &e)) {
			found(v, 3, key, "missing in fwd: vrfmgr installed it %s", want);
			continue;
		}
		fwd_text(e, "gateway", "out_label", "inner_label", have, sizeof(have));
		if (!same(r, "inner_label", e, "inner_label") || !same(r, "outer_label", e, "out_label") ||
		    !same(r, "interface", e, "interface") || !same(r, "next_hop", e, "gateway"))
			found(v, 3, key, "different: vrfmgr %s, fwd %s", want, have);
	}
	json_object_object_foreach(fib, fkey, fe)
	{
		struct json_object *vr;

		if (!json_object_object_get_ex(vroutes, fkey, &vr) ||
		    !json_object_get_boolean(cli_json_get(vr, "installed"))) {
			fwd_text(fe, "gateway", "out_label", "inner_label", have, sizeof(have));
			found(v, 3, fkey, "extra in fwd: %s, vrfmgr has no installed route", have);
		}
	}
	json_object_put(fib);
}

/* Whether fwd's action a is vrfmgr's b, each as ferryctl says it (pop_lookup for pop-lookup). */
static bool same_action(const char *a, const char *b)
{
	return a != NULL && b != NULL &&
	       strcmp(cli_lfib_action_text(a), cli_lfib_action_text(b)) == 0;
}

/*
 * The LFIB action vrfmgr expects for label l, or NULL for none: one in use
 * says it; one held down and kept in fwd (programmed) has its mode's. In
 * the operator's spelling, fwd's (pop_lookup), as the messages show it.
 */
static const char *lfib_expected(struct json_object *l, bool *held)
{
	const char *act = cli_lfib_action_text(cli_json_text(l, "action"));
	struct json_object *p = cli_json_get(l, "programmed");

	*held = strcmp(act, "held") == 0;
	if (strcmp(act, "pop_lookup") == 0 || strcmp(act, "pop_forward") == 0)
		return act;
	if (!*held || p == NULL || !json_object_get_boolean(p))
		return NULL; /* reserved, or held without an entry */
	return strcmp(cli_json_text(l, "mode"), "per-vrf") == 0 ? "pop_lookup" : "pop_forward";
}

static struct json_object *lfib_entry(struct json_object *lfib, struct json_object *l)
{
	struct json_object *e = NULL;

	for (size_t k = 0; k < len_of(lfib); k++)
		if (same(json_object_array_get_idx(lfib, k), "in_label", l, "label"))
			e = json_object_array_get_idx(lfib, k);
	return e;
}

/* Each label vrfmgr has in fwd's LFIB is there, as it says. */
static void check_lfib_wanted(struct verify *v, struct json_object *labels,
			      struct json_object *lfib)
{
	char key[32];

	for (size_t i = 0; i < len_of(labels); i++) {
		struct json_object *l = json_object_array_get_idx(labels, i), *e;
		bool held;
		const char *act = lfib_expected(l, &held);

		if (act == NULL)
			continue;
		v->compared[4]++;
		snprintf(key, sizeof(key), "label %s", cli_json_text(l, "label"));
		e = lfib_entry(lfib, l);
		if (e == NULL)
			found(v, 4, key, "missing in fwd: vrfmgr %s (%s, VRF %s)",
			      held ? "keeps it through its hold-down" : "uses it", act,
			      cli_json_text(l, "vrf"));
		else if (!same_action(cli_json_str(e, "action"), act) ||
			 (strcmp(act, "pop_lookup") == 0 && !same(e, "vrf", l, "vrf")))
			found(v, 4, key, "different: vrfmgr %s VRF %s, fwd %s VRF %s", act,
			      cli_json_text(l, "vrf"), cli_lfib_action_text(cli_json_text(e, "action")),
			      cli_json_text(e, "vrf"));
	}
}

static void check_lfib(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *labels = cli_json_get(d->labels, "labels");
	struct json_object *lfib = cli_json_get(d->lfib, "lfib");
	char key[32];

	check_lfib_wanted(v, labels, lfib);
	for (size_t k = 0; k < len_of(lfib); k++) {
		struct json_object *e = json_object_array_get_idx(lfib, k), *l = NULL;
		struct json_object *p;
		bool held;

		for (size_t i = 0; i < len_of(labels) && l == NULL; i++)
			if (same(json_object_array_get_idx(labels, i), "label", e, "in_label"))
				l = json_object_array_get_idx(labels, i);
		snprintf(key, sizeof(key), "label %s", cli_json_text(e, "in_label"));
		if (l == NULL)
			found(v, 4, key, "extra in fwd: %s, vrfmgr has no such label",
			      cli_lfib_action_text(cli_json_text(e, "action")));
		/* a vrfmgr older than "programmed" says nothing either way */
		else if (lfib_expected(l, &held) == NULL && held &&
			 (p = cli_json_get(l, "programmed")) != NULL && !json_object_get_boolean(p))
			found(v, 4, key, "extra in fwd: %s, vrfmgr holds it down without an LFIB "
			      "entry", cli_lfib_action_text(cli_json_text(e, "action")));
	}
}

/*
 * Each link a VRF binds in vrfmgr is one fwd holds in that VRF. One fwd
 * holds but cannot open (a name mistyped in the config, a link not made
 * yet) agrees with vrfmgr, yet cuts the VRF's CEs off: a warning.
 */
static void check_links(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");
	struct json_object *ifaces = cli_json_get(d->ifaces, "interfaces");

	for (size_t i = 0; i < len_of(vrfs); i++) {
		struct json_object *vrf = json_object_array_get_idx(vrfs, i);
		struct json_object *links = cli_json_get(vrf, "interfaces");

		for (size_t k = 0; k < len_of(links); k++) {
			struct json_object *l = json_object_array_get_idx(links, k), *f = NULL;
			const char *name = cli_json_text(l, "name"), *vname = cli_json_text(vrf, "name");

			v->compared[5]++;
			for (size_t j = 0; j < len_of(ifaces) && f == NULL; j++)
				if (same(json_object_array_get_idx(ifaces, j), "name", l, "name"))
					f = json_object_array_get_idx(ifaces, j);
			if (f == NULL)
				found(v, 5, name, "VRF %s binds it, fwd does not know it", vname);
			else if (strcmp(cli_json_text(f, "state"), "up") != 0)
				warned(v, 5, name, "VRF %s binds it, fwd has it %s (the link is missing "
				       "or fwd could not open it: see fwd's log)", vname,
				       cli_json_text(f, "state"));
			else if (!same(f, "vrf", vrf, "name"))
				found(v, 5, name, "VRF %s binds it, fwd has it in VRF %s", vname,
				      cli_json_text(f, "vrf"));
		}
	}
}

/* ---- vrfmgr -> kernel --------------------------------------------------------------- */

/* vrfmgr runs the kernel dataplane: its VRFs carry their devices. */
static bool kernel_pe(struct json_object *vrfs_doc)
{
	struct json_object *vrfs = cli_json_get(vrfs_doc, "vrfs");

	for (size_t i = 0; i < len_of(vrfs); i++)
		if (cli_json_get(json_object_array_get_idx(vrfs, i), "kernel_device") != NULL)
			return true;
	return false;
}

/* What a device's state other than "present" means, for the report. */
static const char *device_state_why(const char *state)
{
	static const char *const why[][2] = {
		{ "down", "set down behind vrfmgr's back, not up again yet" },
		{ "waiting", "deleted behind vrfmgr's back, not made again yet" },
		{ "given_up", "vrfmgr gave up putting it right: see its log" },
		{ "missing", "the kernel refused it: see vrfmgr's log" },
	};

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(state, why[i][0]) == 0)
			return why[i][1];
	return "not a state verify knows";
}

static const char *link_state_why(const char *state)
{
	return strcmp(state, "waiting") == 0
		       ? "taken out of it, or its device deleted: down until vrfmgr puts the VRF right"
		       : strcmp(state, "unbound") == 0
				 ? "no such link, or the kernel refused the bind: see vrfmgr's log"
				 : "not a state verify knows";
}

static struct json_object *named(struct json_object *arr, struct json_object *like)
{
	for (size_t i = 0; i < len_of(arr); i++)
		if (same(json_object_array_get_idx(arr, i), "name", like, "name"))
			return json_object_array_get_idx(arr, i);
	return NULL;
}

/* The interfaces vrf binds, each bound in its device; a link the device has that vrf does not bind. */
static void check_kernel_links(struct verify *v, struct json_object *vrf, struct json_object *dev)
{
	struct json_object *want = cli_json_get(vrf, "interfaces"), *have = cli_json_get(dev, "links");
	const char *vname = cli_json_text(vrf, "name");

	for (size_t k = 0; k < len_of(want); k++) {
		struct json_object *w = json_object_array_get_idx(want, k), *l = named(have, w);
		const char *name = cli_json_text(w, "name");

		v->compared[CHECK_KERNEL]++;
		if (l == NULL)
			found(v, CHECK_KERNEL, name, "VRF %s binds it, the kernel dataplane does not",
			      vname);
		else if (strcmp(cli_json_text(l, "state"), "bound") != 0)
			found(v, CHECK_KERNEL, name, "VRF %s binds it, the kernel dataplane has it %s "
			      "(%s)", vname, cli_json_text(l, "state"),
			      link_state_why(cli_json_text(l, "state")));
	}
	for (size_t k = 0; k < len_of(have); k++) {
		struct json_object *l = json_object_array_get_idx(have, k);

		if (named(want, l) == NULL)
			found(v, CHECK_KERNEL, cli_json_text(l, "name"), "the kernel dataplane binds it "
			      "to VRF %s, which does not", vname);
	}
}

/*
 * Each VRF's device there and up, and its links in it. What the kernel
 * dataplane knows from the kernel's link events (a device deleted, set down,
 * a link taken out: vrfmgr puts them right, at once or after a backoff), not
 * the kernel's route tables.
 */
static void check_kernel(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");

	for (size_t i = 0; i < len_of(vrfs); i++) {
		struct json_object *vrf = json_object_array_get_idx(vrfs, i);
		struct json_object *dev = cli_json_get(vrf, "kernel_device");
		const char *vname = cli_json_text(vrf, "name"), *state;

		v->compared[CHECK_KERNEL]++;
		if (dev == NULL) {
			found(v, CHECK_KERNEL, vname, "VRF %s has no kernel device in vrfmgr's answer",
			      vname);
			continue;
		}
		state = cli_json_text(dev, "state");
		if (strcmp(state, "present") != 0)
			found(v, CHECK_KERNEL, cli_json_text(dev, "name"), "VRF %s's device is %s (%s)",
			      vname, state, device_state_why(state));
		check_kernel_links(v, vrf, dev);
	}
}

/* The daemon whose answers check i needs beside vrfmgr's (which every check needs). */
static const char *const check_needs[NCHECKS] = { "bgpd", NULL, "bgpd", "fwd", "fwd", "fwd",
						   NULL };

/* Check i applies to this PE: the fwd checks to one with fwd, the kernel's to one without. */
static bool check_applies(const struct cli_verify_docs *d, int i)
{
	bool kernel = kernel_pe(d->vrfs);

	if (i == CHECK_KERNEL)
		return kernel;
	return check_needs[i] == NULL || strcmp(check_needs[i], "fwd") != 0 || !kernel;
}

/* Check i can run: the daemon it needs besides vrfmgr answered. */
static bool check_possible(const struct cli_verify_docs *d, int i)
{
	if (check_needs[i] == NULL)
		return true;
	return strcmp(check_needs[i], "bgpd") == 0
		       ? d->bgp_routes != NULL
		       : d->fib != NULL && d->lfib != NULL && d->ifaces != NULL;
}

int cli_verify_report(const struct cli_verify_docs *d, struct json_object **report)
{
	struct verify v = { .found = json_object_new_array(), .warned = json_object_new_array() };
	struct json_object *vroutes = index_by(cli_json_get(d->vrf_routes, "routes"), "vrf", "prefix");
	struct json_object *checks = json_object_new_array(), *unchecked = json_object_new_array();
	int total = 0;

	if (check_possible(d, 0))
		check_bgp_vpn(&v, d);
	check_import(&v, d);
	if (check_possible(d, 2))
		check_exports(&v, d, vroutes);
	if (check_applies(d, 3) && check_possible(d, 3)) {
		check_fib(&v, d, vroutes);
		check_lfib(&v, d);
		check_links(&v, d);
	}
	if (check_applies(d, CHECK_KERNEL))
		check_kernel(&v, d);
	json_object_put(vroutes);
	for (int i = 0; i < NCHECKS; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "check", json_object_new_string(check_names[i]));
		json_object_object_add(c, "compared", json_object_new_int(v.compared[i]));
		json_object_object_add(c, "inconsistencies", json_object_new_int(v.n[i]));
		json_object_object_add(c, "warnings", json_object_new_int(v.warnings[i]));
		if (!check_applies(d, i)) {
			json_object_object_add(c, "not_applicable",
					       json_object_new_string(i == CHECK_KERNEL
									      ? "the PE forwards with fwd"
									      : "the PE forwards with the kernel"));
		} else if (!check_possible(d, i)) {
			json_object_object_add(c, "unchecked", json_object_new_string(check_needs[i]));
			if (!contains(unchecked, check_needs[i]))
				json_object_array_add(unchecked, json_object_new_string(check_needs[i]));
		}
		json_object_array_add(checks, c);
		total += v.n[i];
	}
	*report = json_object_new_object();
	json_object_object_add(*report, "checks", checks);
	json_object_object_add(*report, "inconsistencies", v.found);
	json_object_object_add(*report, "warnings", v.warned);
	/* as trace says it: the daemons not asked, and whether what was compared agrees */
	json_object_object_add(*report, "unchecked", unchecked);
	json_object_object_add(*report, "consistent", json_object_new_boolean(total == 0));
	return total;
}

/* The problems of list that belong to check `name`, one line each. */
static void print_problems(FILE *out, struct json_object *list, const char *name,
			   const char *what)
{
	for (size_t k = 0; k < len_of(list); k++) {
		struct json_object *f = json_object_array_get_idx(list, k);

		if (strcmp(cli_json_text(f, "check"), name) == 0)
			fprintf(out, "  %s: %s%s\n", cli_json_text(f, "key"), what,
				cli_json_text(f, "problem"));
	}
}

static void print_verdict(FILE *out, struct json_object *report)
{
	struct json_object *unchecked = cli_json_get(report, "unchecked");
	size_t total = len_of(cli_json_get(report, "inconsistencies"));
	size_t warnings = len_of(cli_json_get(report, "warnings"));

	if (total > 0) {
		fprintf(out, "verify: %zu inconsistenc%s", total, total == 1 ? "y" : "ies");
	} else if (len_of(unchecked) > 0) {
		fputs("verify: incomplete: ", out);
		for (size_t i = 0; i < len_of(unchecked); i++)
			fprintf(out, "%s%s", i > 0 ? ", " : "",
				json_object_get_string(json_object_array_get_idx(unchecked, i)));
		fputs(" not asked; what was compared agrees", out);
	} else {
		fputs("verify: consistent", out);
	}
	if (warnings > 0)
		fprintf(out, " (%zu warning%s)", warnings, warnings == 1 ? "" : "s");
	fputc('\n', out);
}

void cli_verify_print(FILE *out, struct json_object *report)
{
	struct json_object *checks = cli_json_get(report, "checks");

	for (size_t i = 0; i < len_of(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);
		const char *name = cli_json_str(c, "check");
		int n = json_object_get_int(cli_json_get(c, "inconsistencies"));
		int w = json_object_get_int(cli_json_get(c, "warnings"));

		if (cli_json_get(c, "not_applicable") != NULL)
			continue;
		if (cli_json_get(c, "unchecked") != NULL) {
			fprintf(out, "%-20s not checked: %s could not be asked (see above)\n", name,
				cli_json_text(c, "unchecked"));
			continue;
		}
		fprintf(out, "%-20s %s compared, %s", name, cli_json_text(c, "compared"),
			n == 0 ? "ok" : "INCONSISTENT");
		if (w > 0)
			fprintf(out, ", %d warning%s", w, w == 1 ? "" : "s");
		fputc('\n', out);
		print_problems(out, cli_json_get(report, "inconsistencies"), name, "");
		print_problems(out, cli_json_get(report, "warnings"), name, "warning: ");
	}
	print_verdict(out, report);
}

void cli_verify_docs_free(struct cli_verify_docs *d)
{
	json_object_put(d->bgp_routes);
	json_object_put(d->vpn);
	json_object_put(d->vrfs);
	json_object_put(d->vrf_routes);
	json_object_put(d->labels);
	json_object_put(d->fib);
	json_object_put(d->lfib);
	json_object_put(d->ifaces);
	memset(d, 0, sizeof(*d));
}

/*
 * Every check needs vrfmgr: without it, -1. bgpd or fwd that does not
 * answer (said on stderr by cli_fetch) leaves its documents NULL, and the
 * checks that need them are reported as not done, the others still run.
 */
static int docs_fetch(const struct cli_ctx *c, struct cli_verify_docs *d)
{
	memset(d, 0, sizeof(*d));
	if (cli_fetch(c, "vrfmgr", "/vpn", &d->vpn) < 0 ||
	    cli_fetch(c, "vrfmgr", "/vrfs", &d->vrfs) < 0 ||
	    cli_fetch(c, "vrfmgr", "/routes", &d->vrf_routes) < 0 ||
	    cli_fetch(c, "vrfmgr", "/labels", &d->labels) < 0) {
		cli_verify_docs_free(d);
		return -1;
	}
	if (cli_fetch(c, "bgpd", "/routes", &d->bgp_routes) < 0)
		d->bgp_routes = NULL;
	if (kernel_pe(d->vrfs))
		return 0; /* no fwd to ask: the kernel forwards */
	if (cli_fetch(c, "fwd", "/fib", &d->fib) < 0 || cli_fetch(c, "fwd", "/lfib", &d->lfib) < 0 ||
	    cli_fetch(c, "fwd", "/interfaces", &d->ifaces) < 0) {
		json_object_put(d->fib);
		json_object_put(d->lfib);
		d->fib = d->lfib = d->ifaces = NULL;
	}
	return 0;
}

/* Keeps in a only the inconsistencies also in b (same check, key and problem). */
static struct json_object *confirmed(struct json_object *a, struct json_object *b)
{
	struct json_object *fa = cli_json_get(a, "inconsistencies");
	struct json_object *fb = cli_json_get(b, "inconsistencies");
	struct json_object *keep = json_object_new_array();

	for (size_t i = 0; i < len_of(fa); i++) {
		struct json_object *x = json_object_array_get_idx(fa, i);

		for (size_t k = 0; k < len_of(fb); k++) {
			struct json_object *y = json_object_array_get_idx(fb, k);

			if (same(x, "check", y, "check") && same(x, "key", y, "key") &&
			    same(x, "problem", y, "problem")) {
				json_object_array_add(keep, json_object_get(x));
				break;
			}
		}
	}
	return keep;
}

/* The per-check counts again, after confirmation dropped some. */
static void recount(struct json_object *report)
{
	struct json_object *checks = cli_json_get(report, "checks");
	struct json_object *found = cli_json_get(report, "inconsistencies");

	for (size_t i = 0; i < len_of(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);
		int n = 0;

		for (size_t k = 0; k < len_of(found); k++)
			n += same(json_object_array_get_idx(found, k), "check", c, "check");
		json_object_object_add(c, "inconsistencies", json_object_new_int(n));
	}
}

int cli_verify(const struct cli_ctx *c, bool once)
{
	struct cli_verify_docs d;
	struct json_object *report = NULL, *again = NULL;
	bool complete;
	int n;

	if (docs_fetch(c, &d) < 0)
		return 1;
	n = cli_verify_report(&d, &report);
	cli_verify_docs_free(&d);
	if (n > 0 && !once) {
		sleep(1);
		if (docs_fetch(c, &d) < 0) {
			json_object_put(report);
			return 1;
		}
		cli_verify_report(&d, &again);
		cli_verify_docs_free(&d);
		/* the first answer's checks, only the problems seen twice */
		json_object_object_add(report, "inconsistencies", confirmed(report, again));
		n = (int)len_of(cli_json_get(report, "inconsistencies"));
		json_object_object_add(report, "consistent", json_object_new_boolean(n == 0));
		recount(report);
		json_object_put(again);
	}
	if (c->json)
		fprintf(c->out, "%s\n", json_object_to_json_string_ext(
						report, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		cli_verify_print(c->out, report);
	complete = len_of(cli_json_get(report, "unchecked")) == 0;
	json_object_put(report);
	return n == 0 && complete ? 0 : 1;
}
