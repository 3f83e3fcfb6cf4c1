/*
 * "no VRF named X" with the names that do exist beside it, so a typo is
 * seen at once: ferryctl: no VRF named "a" (VRFs here: A, B). The names
 * come from vrfmgr's GET /vrfs; where it does not answer (a P router has
 * none) the message is said alone, and nothing else is printed. A VRF
 * just removed is said to be so while vrfmgr holds its labels down
 * (GET /labels?vrf=NAME answers for such a name) and /vrfs does not list
 * it: "no VRF named "t3": removed; its label 103 is held down for 42 s
 * more".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli/cli.h"

#define NAMES_SHOWN 8

void cli_vrf_names_text(struct json_object *vrfs_doc, char *buf, size_t len)
{
	struct json_object *vrfs = cli_json_get(vrfs_doc, "vrfs");
	size_t n, used = 0;

	buf[0] = '\0';
	if (vrfs == NULL || !json_object_is_type(vrfs, json_type_array))
		return;
	n = json_object_array_length(vrfs);
	if (n == 0) {
		snprintf(buf, len, " (no VRF is configured)");
		return;
	}
	used = (size_t)snprintf(buf, len, " (VRFs here: ");
	for (size_t i = 0; i < n && i < NAMES_SHOWN && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 cli_json_text(json_object_array_get_idx(vrfs, i), "name"));
	if (n > NAMES_SHOWN && used < len)
		used += (size_t)snprintf(buf + used, len - used, " and %zu more", n - NAMES_SHOWN);
	if (used < len)
		snprintf(buf + used, len - used, ")");
	if (used >= len - 1) /* cut short: no half list */
		buf[0] = '\0';
}

void cli_vrf_removed_text(struct json_object *labels_doc, char *buf, size_t len)
{
	struct json_object *labels = cli_json_get(labels_doc, "labels");
	size_t n = json_object_is_type(labels, json_type_array) ? json_object_array_length(labels)
								 : 0;
	int64_t most = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct json_object *l = json_object_array_get_idx(labels, i);
		const char *action = cli_json_str(l, "action");
		struct json_object *s = cli_json_get(l, "held_for_s");

		if (action == NULL || strcmp(action, "held") != 0 || s == NULL)
			return; /* in use: the VRF is there for vrfmgr (not yet for fwd, say) */
		if (json_object_get_int64(s) > most)
			most = json_object_get_int64(s);
	}
	if (n == 1)
		snprintf(buf, len, ": removed; its label %s is held down for %lld s more",
			 cli_json_text(json_object_array_get_idx(labels, 0), "label"), (long long)most);
	else if (n > 1)
		snprintf(buf, len, ": removed; its %zu labels are held down for %lld s more at most", n,
			 (long long)most);
}

bool cli_vrf_listed(struct json_object *vrfs_doc, const char *name)
{
	struct json_object *vrfs = cli_json_get(vrfs_doc, "vrfs");
	size_t n = json_object_is_type(vrfs, json_type_array) ? json_object_array_length(vrfs) : 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = cli_json_str(json_object_array_get_idx(vrfs, i), "name");

		if (s != NULL && strcmp(s, name) == 0)
			return true;
	}
	return false;
}

/* vrfmgr's answer to path, or NULL. */
static struct json_object *vrfmgr_get(const struct cli_ctx *c, const char *path)
{
	char sock[600], err[256];
	struct cli_endpoint ep;
	struct cli_response resp;
	struct json_object *doc = NULL;

	if (cli_endpoint_of(c, "vrfmgr", &ep, sock, sizeof(sock), err, sizeof(err)) == 0 &&
	    cli_http_get_ep(&ep, path, c->timeout_ms, &resp, err, sizeof(err)) == 0) {
		if (resp.status == 200)
			doc = json_tokener_parse(resp.body);
		cli_response_free(&resp);
	}
	return doc;
}

void cli_vrf_unknown_print(const struct cli_ctx *c, const char *name)
{
	char names[640], removed[128] = "", path[200] = "/labels";
	struct json_object *doc = vrfmgr_get(c, "/vrfs");
	/* not one vrfmgr has (the 404 may be fwd's, behind it): asked whether it was removed */
	bool ask = doc != NULL && !cli_vrf_listed(doc, name);

	names[0] = '\0';
	if (doc != NULL)
		cli_vrf_names_text(doc, names, sizeof(names));
	json_object_put(doc);
	/* a name vrfmgr still holds labels under: a VRF removed, its labels held down */
	if (ask && cli_path_add(path, sizeof(path), "vrf", name) == 0 &&
	    (doc = vrfmgr_get(c, path)) != NULL) {
		cli_vrf_removed_text(doc, removed, sizeof(removed));
		json_object_put(doc);
	}
	fprintf(c->err, "ferryctl: no VRF named \"%.64s\"%s%s\n", name, removed, names);
}
