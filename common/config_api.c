/*
 * The "api" section (docs/config.md, docs/api.md): where the daemons' JSON
 * API listens on TCP besides its Unix socket, with TLS and a bearer token.
 * The rule that matters is checked here, once for all three daemons: an
 * address other than loopback is only accepted with TLS and a token file, so
 * a typo cannot put the router's tables on the network in clear and open.
 * Files are only named here; the daemons read them when they start.
 */
#include <string.h>

#include <json-c/json.h>

#include "common/config.h"
#include "common/config_get.h"

static const struct kind K_API = { "the api section",
				   "{ \"listen\": ..., \"ports\": {...}, \"tls\": {...}, ... }" };
static const struct kind K_PORTS = { "the API ports",
				     "{ \"bgpd\": 7179, \"vrfmgr\": 7180, \"fwd\": 7181 }" };
static const struct kind K_PORT = { "a TCP port", "an integer 0..65535, 0 = no TCP listener" };
static const struct kind K_TLS = { "a TLS setting",
				   "{ \"cert\": \"/path/cert.pem\", \"key\": \"/path/key.pem\" }" };
static const struct kind K_FILE = { "a file", "an absolute path of at most 255 characters" };

static void api_defaults(struct cfg_api *a)
{
	a->listen = 0x7f000001; /* 127.0.0.1 */
	a->port_bgpd = CFG_API_PORT_BGPD;
	a->port_vrfmgr = CFG_API_PORT_VRFMGR;
	a->port_fwd = CFG_API_PORT_FWD;
	a->read_only = true;
}

/* An absolute path into out (256 bytes); absent leaves out empty. */
static int api_file(struct cctx *c, struct json_object *v, const char *path, const char *key,
		    bool required, char *out)
{
	char p[JPATH_MAX];
	const char *s = NULL;

	if (cj_str(c, v, path, key, required, &K_FILE, &s, p) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (s[0] != '/' || strlen(s) >= 256)
		return cj_bad(c, p, json_object_object_get(v, key), &K_FILE);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int api_port(struct cctx *c, struct json_object *v, const char *path, const char *key,
		    uint16_t *out)
{
	uint32_t port = *out;

	if (cj_u32(c, v, path, key, false, &K_PORT, 0, 65535, &port) < 0)
		return -1;
	*out = (uint16_t)port;
	return 0;
}

static int api_ports(struct cctx *c, struct json_object *api, struct cfg_api *a)
{
	static const char *const keys[] = { "bgpd", "vrfmgr", "fwd", NULL };
	char p[JPATH_MAX];
	struct json_object *v;
	int r = cj_field(c, api, "api", "ports", false, &K_PORTS, &v, p);

	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_object))
		return cj_bad(c, p, v, &K_PORTS);
	if (cj_check_object(c, v, p, keys) < 0 || api_port(c, v, p, "bgpd", &a->port_bgpd) < 0 ||
	    api_port(c, v, p, "vrfmgr", &a->port_vrfmgr) < 0 ||
	    api_port(c, v, p, "fwd", &a->port_fwd) < 0)
		return -1;
	if ((a->port_bgpd && (a->port_bgpd == a->port_vrfmgr || a->port_bgpd == a->port_fwd)) ||
	    (a->port_vrfmgr && a->port_vrfmgr == a->port_fwd))
		return cj_fail(c, p, "two daemons on one port (want a different port each, or 0)");
	return 0;
}

static int api_tls(struct cctx *c, struct json_object *api, struct cfg_api *a)
{
	static const char *const keys[] = { "cert", "key", NULL };
	char p[JPATH_MAX];
	struct json_object *v;
	int r = cj_field(c, api, "api", "tls", false, &K_TLS, &v, p);

	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_object))
		return cj_bad(c, p, v, &K_TLS);
	if (cj_check_object(c, v, p, keys) < 0 || api_file(c, v, p, "cert", true, a->tls_cert) < 0 ||
	    api_file(c, v, p, "key", true, a->tls_key) < 0)
		return -1;
	return 0;
}

static bool is_loopback(uint32_t a)
{
	return (a >> 24) == 127;
}

int cfg_parse_api(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	static const char *const keys[] = { "listen", "ports", "tls", "token_file", "read_only",
					    NULL };
	struct cfg_api *a = &cfg->api;
	char p[JPATH_MAX], ip[IPV4_STRLEN];
	struct json_object *v;
	int r;

	api_defaults(a);
	r = cj_field(c, root, "", "api", false, &K_API, &v, p);
	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_object))
		return cj_bad(c, p, v, &K_API);
	a->configured = true;
	if (cj_check_object(c, v, "api", keys) < 0 || cj_ipv4(c, v, "api", "listen", false,
							       &a->listen) < 0 ||
	    api_ports(c, v, a) < 0 || api_tls(c, v, a) < 0 ||
	    api_file(c, v, "api", "token_file", false, a->token_file) < 0 ||
	    cj_bool(c, v, "api", "read_only", &a->read_only) < 0)
		return -1;
	if (!is_loopback(a->listen) && (a->tls_cert[0] == '\0' || a->token_file[0] == '\0'))
		return cj_fail(c, "api.listen",
			       "\"%s\" is not a loopback address: a listener others can reach needs "
			       "TLS and a token (want api.tls and api.token_file, or 127.0.0.1)",
			       ipv4_format(a->listen, ip));
	return 0;
}
