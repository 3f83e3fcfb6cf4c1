/*
 * ferryctl reload check: asks the node's daemons whether a reload of the
 * config file they run from would be taken, and what it would change (GET
 * /reload/check: their dry run, which changes nothing). vrfmgr and bgpd
 * answer for SIGHUP; fwd, which does not reload, whether its part of the
 * file is what it runs. fwd is asked first: its mode says what the node
 * is, a PE (vrfmgr, bgpd and fwd; all three must accept) or a P router
 * (fwd in LSR mode, alone: no vrfmgr or bgpd there to ask). A node without
 * a fwd is a PE only when its vrfmgr programs the kernel instead
 * (router.dataplane "kernel": vrfmgr and bgpd are asked). ferryctl sends
 * no signal: it is an API client and may run elsewhere. A node's file is
 * applied whole or not at all only when every daemon accepts it before any
 * is signalled, which is what scripts/lab reload does with this.
 *
 * cli_reload_report is a pure function of the answers (unit-tested).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

/*
 * A PE's daemons in the order their answers are printed; a P has fwd alone,
 * a PE on the kernel dataplane no fwd.
 */
static const char *const pe_daemons[] = { "vrfmgr", "bgpd", "fwd" };
static const char *const p_daemons[] = { "fwd" };
static const char *const kernel_pe_daemons[] = { "vrfmgr", "bgpd" };

/* "  vrf C: added", "  neighbor 10.255.0.9: changed (max_prefix)" */
static void print_items(FILE *out, struct json_object *doc, const char *key, const char *noun,
			const char *name_key, const char *detail_key)
{
	struct json_object *items, *detail;

	if (!json_object_object_get_ex(doc, key, &items) ||
	    !json_object_is_type(items, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		const char *name = cli_json_str(it, name_key), *action = cli_json_str(it, "action");

		fprintf(out, "  %s %s: %s", noun, name ? name : "?", action ? action : "?");
		if (json_object_object_get_ex(it, detail_key, &detail) && detail != NULL) {
			const char *d = json_object_is_type(detail, json_type_array)
						? json_object_to_json_string_ext(detail,
										 JSON_C_TO_STRING_PLAIN)
						: json_object_get_string(detail);

			fprintf(out, " (%s)", d);
		}
		fputc('\n', out);
	}
}

/* The most missing interfaces named on the one line that counts them. */
#define MISSING_NAMED 8

/*
 * fwd's warnings when each is a VRF interface its namespace lacks (its
 * "missing_interfaces" lists as many as "warnings" holds), two or more:
 * one line with their count and the first names, not one line each (a
 * reload adding 43 tenants before their links exist gave 43 lines). true
 * when said so; --json has every warning.
 */
static bool print_missing(FILE *out, struct json_object *doc, const char *daemon, size_t n_warn)
{
	struct json_object *miss = cli_json_get(doc, "missing_interfaces");
	size_t n = json_object_is_type(miss, json_type_array) ? json_object_array_length(miss) : 0;

	if (n < 2 || n != n_warn)
		return false;
	fprintf(out, "%s: warning: %zu VRF interfaces are not here: ", daemon, n);
	for (size_t i = 0; i < n && i < MISSING_NAMED; i++) {
		struct json_object *m = json_object_array_get_idx(miss, i);

		fprintf(out, "%s%s (VRF %s)", i ? ", " : "", cli_json_text(m, "interface"),
			cli_json_text(m, "vrf"));
	}
	if (n > MISSING_NAMED)
		fprintf(out, " and %zu more", n - MISSING_NAMED);
	fprintf(out, ": their VRFs forward nothing through them until they appear (fwd opens "
		     "each then)\n");
	return true;
}

/*
 * "fwd: warning: vrfs[0].interfaces[0].name (VRF A): no interface ...":
 * what an accepted file may still get wrong
 */
static void print_warnings(FILE *out, struct json_object *doc, const char *daemon)
{
	struct json_object *items;

	if (!json_object_object_get_ex(doc, "warnings", &items) ||
	    !json_object_is_type(items, json_type_array) ||
	    print_missing(out, doc, daemon, json_object_array_length(items)))
		return;
	for (size_t i = 0; i < json_object_array_length(items); i++)
		fprintf(out, "%s: warning: %s\n", daemon,
			json_object_get_string(json_object_array_get_idx(items, i)));
}

/* The daemon's answer is a /reload/check answer: its name and "accepted". */
static bool is_answer(struct json_object *doc, const char *daemon)
{
	struct json_object *acc;
	const char *d = cli_json_str(doc, "daemon");

	return d != NULL && strcmp(d, daemon) == 0 &&
	       json_object_object_get_ex(doc, "accepted", &acc) &&
	       json_object_is_type(acc, json_type_boolean);
}

static bool accepted(struct json_object *doc)
{
	struct json_object *acc;

	return json_object_object_get_ex(doc, "accepted", &acc) && json_object_get_boolean(acc);
}

/* docs[i] is an answer refusing the file for reason (NULL: an answer without one). */
static bool refuses_for(const char *const *daemons, struct json_object *const *docs, size_t i,
			const char *reason)
{
	const char *r;

	if (!is_answer(docs[i], daemons[i]) || accepted(docs[i]))
		return false;
	r = cli_json_str(docs[i], "reason");
	return r == NULL || reason == NULL ? r == reason : strcmp(r, reason) == 0;
}

/*
 * docs[i]'s refusal, said once for every daemon that gives its reason: a
 * file none of them can read (an RD typo) is refused by each in the same
 * words, "vrfmgr, bgpd and fwd: refuse the file: ...", not three times.
 * Nothing when an earlier daemon's line said it already.
 */
static void print_refusal(FILE *out, const char *const *daemons, struct json_object *const *docs,
			  size_t n, size_t i)
{
	const char *reason = cli_json_str(docs[i], "reason");
	size_t same = 0, said = 0;

	for (size_t j = 0; j < i; j++)
		if (refuses_for(daemons, docs, j, reason))
			return;
	for (size_t j = i; j < n; j++)
		same += refuses_for(daemons, docs, j, reason);
	for (size_t j = i; j < n; j++) {
		if (!refuses_for(daemons, docs, j, reason))
			continue;
		said++;
		fprintf(out, "%s%s", said == 1 ? "" : said == same ? " and " : ", ", daemons[j]);
	}
	fprintf(out, ": %s the file: %s\n", same == 1 ? "refuses" : "refuse", reason ? reason : "?");
}

int cli_reload_report(FILE *out, const char *const *daemons, struct json_object *const *docs,
		      size_t n)
{
	int refused = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_answer(docs[i], daemons[i])) {
			fprintf(out, "%s: not a /reload/check answer\n", daemons[i]);
			refused = 1;
		} else if (!accepted(docs[i])) {
			print_refusal(out, daemons, docs, n, i);
			refused = 1;
		} else {
			fprintf(out, "%s: would apply %s: %s\n", daemons[i],
				cli_json_str(docs[i], "file"), cli_json_str(docs[i], "summary"));
			print_items(out, docs[i], "vrfs", "vrf", "vrf", "keys");
			print_items(out, docs[i], "neighbors", "neighbor", "address", "setting");
			print_warnings(out, docs[i], daemons[i]);
		}
	}
	return refused;
}

/* --json: {"accepted": every daemon did, "daemons": [their answers, as printed]}. */
static int print_json(FILE *out, const char *const *daemons, struct json_object *const *docs,
		      size_t n)
{
	struct json_object *all = json_object_new_object(), *list = json_object_new_array();
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		ok = ok && is_answer(docs[i], daemons[i]) && accepted(docs[i]);
		json_object_array_add(list, json_object_get(docs[i]));
	}
	json_object_object_add(all, "accepted", json_object_new_boolean(ok));
	json_object_object_add(all, "daemons", list);
	fprintf(out, "%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
	return ok ? 0 : 1;
}

/* fwd's answer says it runs as an LSR: the node is a P router, fwd its only daemon. */
static bool is_p_router(struct json_object *fwd)
{
	const char *mode = cli_json_str(fwd, "mode");

	return is_answer(fwd, "fwd") && mode != NULL && strcmp(mode, "lsr") == 0;
}

/*
 * No fwd runs: a PE whose vrfmgr programs the kernel (its answer, in
 * docs[0], says so), or a node missing its fwd (said on c->err: -1).
 */
static int without_fwd(const struct cli_ctx *c, struct json_object **docs)
{
	const char *dp;
	struct json_object *fwd = NULL;
	int rc = cli_fetch_if_running(c, "vrfmgr", "/reload/check", &docs[0]);

	if (rc == -1)
		return -1; /* vrfmgr runs but did not answer: said on c->err */
	dp = rc == 0 ? cli_json_str(docs[0], "dataplane") : NULL;
	if (is_answer(docs[0], "vrfmgr") && dp != NULL && strcmp(dp, "kernel") == 0)
		return 0;
	json_object_put(docs[0]);
	docs[0] = NULL;
	cli_fetch(c, "fwd", "/reload/check", &fwd); /* says why fwd did not answer */
	json_object_put(fwd);
	return -1;
}

int cli_reload_check(const struct cli_ctx *c)
{
	struct json_object *docs[3] = { NULL, NULL, NULL }, *fwd = NULL;
	const char *const *daemons = pe_daemons;
	size_t n = 3;
	int rc = cli_fetch_if_running(c, "fwd", "/reload/check", &fwd);

	if (rc == -3) {
		if (without_fwd(c, docs) < 0)
			return 1; /* without fwd's mode the node's daemons are not known */
		daemons = kernel_pe_daemons;
		n = 2;
	} else if (rc < 0) {
		return 1; /* said on c->err */
	} else if (is_p_router(fwd)) {
		daemons = p_daemons;
		n = 1;
	}
	rc = 0;
	for (size_t i = 0; i < n; i++)
		if (docs[i] != NULL)
			continue; /* vrfmgr's, asked already */
		else if (strcmp(daemons[i], "fwd") == 0)
			docs[i] = fwd;
		else if (cli_fetch(c, daemons[i], "/reload/check", &docs[i]) < 0)
			rc = 1; /* said on c->err */
	if (rc == 0)
		rc = c->json ? print_json(c->out, daemons, docs, n)
			     : cli_reload_report(c->out, daemons, docs, n);
	for (size_t i = 0; i < n; i++)
		json_object_put(docs[i]);
	return rc;
}
