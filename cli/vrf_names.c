/*
 * "no VRF named X" with the names that do exist beside it, so a typo is
 * seen at once: ferryctl: no VRF named "a" (VRFs here: A, B). The names
 * come from vrfmgr's GET /vrfs; where it does not answer (a P router has
 * none) the message is said alone, and nothing else is printed.
 */
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

void cli_vrf_unknown_print(const struct cli_ctx *c, const char *message)
{
	char sock[600], err[256], names[640];
	struct cli_endpoint ep;
	struct cli_response resp;
	struct json_object *doc = NULL;

	names[0] = '\0';
	if (cli_endpoint_of(c, "vrfmgr", &ep, sock, sizeof(sock), err, sizeof(err)) == 0 &&
	    cli_http_get_ep(&ep, "/vrfs", c->timeout_ms, &resp, err, sizeof(err)) == 0) {
		if (resp.status == 200 && (doc = json_tokener_parse(resp.body)) != NULL)
			cli_vrf_names_text(doc, names, sizeof(names));
		json_object_put(doc);
		cli_response_free(&resp);
	}
	fprintf(c->err, "ferryctl: %s%s\n", message, names);
}
