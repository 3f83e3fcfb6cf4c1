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

#include "cli/verify_int.h"

static const char *const check_names[NCHECKS] = { "bgpd -> vrfmgr", "vrfmgr import",
						   "bgpd exports", "vrfmgr -> fwd FIB",
						   "vrfmgr -> fwd LFIB", "vrfmgr -> fwd links",
						   "vrfmgr -> kernel" };

bool vf_same(struct json_object *a, const char *ka, struct json_object *b, const char *kb)
{
	const char *x = cli_json_str(a, ka), *y = cli_json_str(b, kb);

	return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

size_t vf_len_of(struct json_object *a)
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

void vf_found(struct verify *v, int check, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_problem(v->found, check, key, fmt, ap);
	va_end(ap);
	v->n[check]++;
}

void vf_warned(struct verify *v, int check, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_problem(v->warned, check, key, fmt, ap);
	va_end(ap);
	v->warnings[check]++;
}

/* Rows of arr keyed by "a:b" of two fields, in a JSON object used as a map. */
struct json_object *vf_index_by(struct json_object *arr, const char *k1, const char *k2)
{
	struct json_object *map = json_object_new_object();
	char key[256];

	for (size_t i = 0; i < vf_len_of(arr); i++) {
		struct json_object *r = json_object_array_get_idx(arr, i);

		snprintf(key, sizeof(key), "%s:%s", cli_json_text(r, k1), cli_json_text(r, k2));
		if (!json_object_object_get_ex(map, key, NULL)) /* first wins: selected / best */
			json_object_object_add(map, key, json_object_get(r));
	}
	return map;
}

char *vf_lbl(struct json_object *o, const char *key, char *buf)
{
	return (char *)cli_cell_format(cli_json_get(o, key), CLI_COL_LABEL, buf, 16);
}

bool vf_contains(struct json_object *arr, const char *s)
{
	for (size_t i = 0; i < vf_len_of(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

/* The daemon whose answers check i needs beside vrfmgr's (which every check needs). */
static const char *const check_needs[NCHECKS] = { "bgpd", NULL, "bgpd", "fwd", "fwd", "fwd",
						   NULL };

/* Check i applies to this PE: the fwd checks to one with fwd, the kernel's to one without. */
static bool check_applies(const struct cli_verify_docs *d, int i)
{
	bool kernel = vf_kernel_pe(d->vrfs);

	if (i == VF_KERNEL)
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
	struct json_object *vroutes = vf_index_by(cli_json_get(d->vrf_routes, "routes"), "vrf", "prefix");
	struct json_object *checks = json_object_new_array(), *unchecked = json_object_new_array();
	int total = 0;

	if (check_possible(d, VF_BGP_VPN))
		vf_check_bgp_vpn(&v, d);
	vf_check_import(&v, d);
	if (check_possible(d, VF_EXPORTS))
		vf_check_exports(&v, d, vroutes);
	if (check_applies(d, VF_FIB) && check_possible(d, VF_FIB)) {
		vf_check_fib(&v, d, vroutes);
		vf_check_lfib(&v, d);
		vf_check_links(&v, d);
	}
	if (check_applies(d, VF_KERNEL))
		vf_check_kernel(&v, d);
	json_object_put(vroutes);
	for (int i = 0; i < NCHECKS; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "check", json_object_new_string(check_names[i]));
		json_object_object_add(c, "compared", json_object_new_int(v.compared[i]));
		json_object_object_add(c, "inconsistencies", json_object_new_int(v.n[i]));
		json_object_object_add(c, "warnings", json_object_new_int(v.warnings[i]));
		if (!check_applies(d, i)) {
			json_object_object_add(c, "not_applicable",
					       json_object_new_string(i == VF_KERNEL
									      ? "the PE forwards with fwd"
									      : "the PE forwards with the kernel"));
		} else if (!check_possible(d, i)) {
			json_object_object_add(c, "unchecked", json_object_new_string(check_needs[i]));
			if (!vf_contains(unchecked, check_needs[i]))
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
	for (size_t k = 0; k < vf_len_of(list); k++) {
		struct json_object *f = json_object_array_get_idx(list, k);

		if (strcmp(cli_json_text(f, "check"), name) == 0)
			fprintf(out, "  %s: %s%s\n", cli_json_text(f, "key"), what,
				cli_json_text(f, "problem"));
	}
}

static void print_verdict(FILE *out, struct json_object *report)
{
	struct json_object *unchecked = cli_json_get(report, "unchecked");
	size_t total = vf_len_of(cli_json_get(report, "inconsistencies"));
	size_t warnings = vf_len_of(cli_json_get(report, "warnings"));

	if (total > 0) {
		fprintf(out, "verify: %zu inconsistenc%s", total, total == 1 ? "y" : "ies");
	} else if (vf_len_of(unchecked) > 0) {
		fputs("verify: incomplete: ", out);
		for (size_t i = 0; i < vf_len_of(unchecked); i++)
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

	for (size_t i = 0; i < vf_len_of(checks); i++) {
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
	if (vf_kernel_pe(d->vrfs))
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

	for (size_t i = 0; i < vf_len_of(fa); i++) {
		struct json_object *x = json_object_array_get_idx(fa, i);

		for (size_t k = 0; k < vf_len_of(fb); k++) {
			struct json_object *y = json_object_array_get_idx(fb, k);

			if (vf_same(x, "check", y, "check") && vf_same(x, "key", y, "key") &&
			    vf_same(x, "problem", y, "problem")) {
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

	for (size_t i = 0; i < vf_len_of(checks); i++) {
		struct json_object *c = json_object_array_get_idx(checks, i);
		int n = 0;

		for (size_t k = 0; k < vf_len_of(found); k++)
			n += vf_same(json_object_array_get_idx(found, k), "check", c, "check");
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
		n = (int)vf_len_of(cli_json_get(report, "inconsistencies"));
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
	complete = vf_len_of(cli_json_get(report, "unchecked")) == 0;
	json_object_put(report);
	return n == 0 && complete ? 0 : 1;
}
