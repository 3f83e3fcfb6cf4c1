/*
 * The bgp options beyond address/AS/timers: per neighbor the address
 * families, TCP-MD5 password, GTSM, route-reflector client, max-prefix and
 * DelayOpen;
 * for the speaker the cluster id and graceful restart (long-lived too). Kept apart from
 * config.c (which lists the keys and calls in here) so bgp options grow
 * without touching the rest of the loader. Defaults are set here too.
 */
#include <string.h>

#include <json-c/json.h>

#include "common/config.h"
#include "common/config_get.h"

static const struct kind K_FAMILIES = {
	"a list of address families",
	"a non-empty list of \"vpnv4\", \"ipv4\", \"rtc\", e.g. [\"vpnv4\", \"rtc\"]"
};
static const struct kind K_FAMILY = { "an address family",
				      "\"vpnv4\", \"ipv4\" or \"rtc\"" };
static const struct kind K_PASSWORD = { "a TCP-MD5 password",
					"a string of 1 to 80 characters (RFC 2385)" };
static const struct kind K_MAXPFX = { "a max-prefix setting",
				      "{ \"limit\": N, \"rtc_limit\": 10000, \"warn_only\": false, "
				      "\"restart\": 30 }" };
static const struct kind K_LIMIT = { "a route count", "an integer 1..4294967295" };
static const struct kind K_RESTART = { "a number of seconds", "an integer 0..65535" };
static const struct kind K_STALE = { "a stale time", "an integer 1..65535 seconds" };
static const struct kind K_GR = { "a graceful restart setting",
				  "{ \"enabled\": true, \"restart_time\": 120, \"stale_time\": 360, "
				  "\"deferral_time\": 60, \"notification\": true, "
				  "\"long_lived_stale_time\": 0 }" };
static const struct kind K_DEFERRAL = { "a deferral time", "an integer 1..3600 seconds" };
/* RFC 9494: the capability's 24-bit field */
static const struct kind K_LLST = { "a long-lived stale time",
				    "an integer 0..16777215 seconds (0: off)" };
static const struct kind K_GR_TIME = { "a restart time", "an integer 1..4095 seconds" };
static const struct kind K_DELAY = { "a DelayOpen time", "an integer 0..240 seconds (0: off)" };
static const struct kind K_SHUTDOWN = {
	"a shutdown setting",
	"true, false, or the reason sent to the peer: a string of at most 255 bytes, no control "
	"characters (RFC 9003)"
};

static int parse_families(struct cctx *c, struct json_object *v, const char *path, uint8_t *out)
{
	static const char *const names[] = { "vpnv4", "ipv4", "rtc", NULL };
	static const uint8_t bits[] = { CFG_AF_VPNV4, CFG_AF_IPV4, CFG_AF_RTC };
	char p[JPATH_MAX], ip[JPATH_MAX];
	struct json_object *arr;
	size_t n, at[3] = { 0, 0, 0 };
	int r;

	*out = CFG_AF_VPNV4;
	if ((r = cj_field(c, v, path, "families", false, &K_FAMILIES, &arr, p)) <= 0)
		return r;
	if (!json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0)
		return cj_bad(c, p, arr, &K_FAMILIES);
	n = json_object_array_length(arr);
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *s = cj_text_of(e);
		int k;

		cj_path_idx(ip, p, i);
		for (k = 0; s != NULL && names[k] && strcmp(s, names[k]) != 0; k++)
			;
		if (s == NULL || !names[k])
			return cj_bad(c, ip, e, &K_FAMILY);
		/* harmless, but a slip where the other family was meant (as an RT twice) */
		if (*out & bits[k])
			return cj_fail(c, ip, "\"%s\" is already %s[%zu] (want each address family "
				       "once)", names[k], p, at[k]);
		*out |= bits[k];
		at[k] = i;
	}
	/* RFC 4684 membership only constrains VPN routes: alone it would mean nothing */
	if ((*out & CFG_AF_RTC) && !(*out & CFG_AF_VPNV4))
		return cj_fail(c, p, "\"rtc\" (route target constraint) needs \"vpnv4\" in the "
			       "same list");
	return 0;
}

static int parse_max_prefix(struct cctx *c, struct json_object *v, const char *path,
			    struct cfg_neighbor *n)
{
	static const char *const keys[] = { "limit", "rtc_limit", "warn_only", "restart", NULL };
	char p[JPATH_MAX];
	struct json_object *m;
	int r;

	n->max_prefix_restart = 30;
	n->rtc_limit = CFG_RTC_LIMIT; /* membership is bounded even without max_prefix */
	if ((r = cj_field(c, v, path, "max_prefix", false, &K_MAXPFX, &m, p)) <= 0)
		return r;
	if (!json_object_is_type(m, json_type_object))
		return cj_bad(c, p, m, &K_MAXPFX);
	if (cj_check_object(c, m, p, keys) < 0 ||
	    cj_u32(c, m, p, "limit", true, &K_LIMIT, 1, UINT32_MAX, &n->max_prefix) < 0 ||
	    cj_u32(c, m, p, "rtc_limit", false, &K_LIMIT, 1, UINT32_MAX, &n->rtc_limit) < 0 ||
	    cj_bool(c, m, p, "warn_only", &n->max_prefix_warn_only) < 0 ||
	    cj_u16(c, m, p, "restart", &K_RESTART, 0, &n->max_prefix_restart) < 0)
		return -1;
	return 0;
}

/* "shutdown": true or false, or the reason itself (which means true). */
static int parse_shutdown(struct cctx *c, struct json_object *v, const char *path,
			  struct cfg_neighbor *n)
{
	char p[JPATH_MAX];
	struct json_object *s;
	const char *text;
	size_t len;
	int r;

	if ((r = cj_field(c, v, path, "shutdown", false, &K_SHUTDOWN, &s, p)) <= 0)
		return r;
	if (json_object_is_type(s, json_type_boolean)) {
		n->shutdown = json_object_get_boolean(s);
		return 0;
	}
	if (!json_object_is_type(s, json_type_string) ||
	    (len = (size_t)json_object_get_string_len(s)) >= sizeof(n->shutdown_msg))
		return cj_bad(c, p, s, &K_SHUTDOWN);
	text = json_object_get_string(s);
	/* logged and sent as one line of text; an escaped NUL would cut it short */
	if (strlen(text) != len || cj_has_control(text))
		return cj_bad(c, p, s, &K_SHUTDOWN);
	n->shutdown = true;
	memcpy(n->shutdown_msg, text, len + 1);
	return 0;
}

int cfg_parse_neighbor_opts(struct cctx *c, struct json_object *v, const char *path,
			    struct cfg_neighbor *n)
{
	char p[JPATH_MAX];
	const char *pw = NULL;
	uint32_t delay = 0;

	if (parse_families(c, v, path, &n->families) < 0 ||
	    cj_str(c, v, path, "password", false, &K_PASSWORD, &pw, p) < 0 ||
	    cj_bool(c, v, path, "ttl_security", &n->ttl_security) < 0 ||
	    cj_bool(c, v, path, "route_reflector_client", &n->rr_client) < 0 ||
	    parse_max_prefix(c, v, path, n) < 0 || parse_shutdown(c, v, path, n) < 0 ||
	    cj_u32(c, v, path, "delay_open", false, &K_DELAY, 0, 240, &delay) < 0)
		return -1;
	n->delay_open = (uint16_t)delay;
	if (pw && (pw[0] == '\0' || strlen(pw) >= sizeof(n->password)))
		return cj_bad(c, p, json_object_object_get(v, "password"), &K_PASSWORD);
	if (pw)
		memcpy(n->password, pw, strlen(pw) + 1);
	return 0;
}

static int parse_gr(struct cctx *c, struct json_object *v, struct cfg_bgp *b)
{
	static const char *const keys[] = { "enabled",	     "restart_time", "stale_time",
					    "deferral_time", "notification", "long_lived_stale_time",
					    NULL };
	char p[JPATH_MAX];
	struct json_object *g;
	uint32_t rt = b->gr_restart_time, dt = b->gr_deferral_time;
	int r;

	if ((r = cj_field(c, v, "bgp", "graceful_restart", false, &K_GR, &g, p)) <= 0)
		return r;
	if (!json_object_is_type(g, json_type_object))
		return cj_bad(c, p, g, &K_GR);
	if (cj_check_object(c, g, p, keys) < 0 || cj_bool(c, g, p, "enabled", &b->graceful_restart) < 0 ||
	    cj_u32(c, g, p, "restart_time", false, &K_GR_TIME, 1, 4095, &rt) < 0 ||
	    cj_u16(c, g, p, "stale_time", &K_STALE, 1, &b->gr_stale_time) < 0 ||
	    cj_u32(c, g, p, "deferral_time", false, &K_DEFERRAL, 1, 3600, &dt) < 0 ||
	    cj_bool(c, g, p, "notification", &b->gr_notification) < 0 ||
	    cj_u32(c, g, p, "long_lived_stale_time", false, &K_LLST, 0, 0xffffff,
		   &b->llgr_stale_time) < 0)
		return -1;
	b->gr_restart_time = (uint16_t)rt;
	b->gr_deferral_time = (uint16_t)dt;
	return 0;
}

int cfg_parse_bgp_opts(struct cctx *c, struct json_object *v, struct cfg_bgp *b)
{
	b->graceful_restart = true;
	b->gr_restart_time = 120;
	b->gr_stale_time = 360;
	b->gr_deferral_time = 60;
	b->gr_notification = true;
	b->llgr_stale_time = 0; /* LLGR is opt-in: it keeps a dead peer's routes for hours */
	if (cj_ipv4(c, v, "bgp", "cluster_id", false, &b->cluster_id) < 0 || parse_gr(c, v, b) < 0)
		return -1;
	return 0;
}
