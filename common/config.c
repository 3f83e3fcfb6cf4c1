/*
 * The JSON configuration loader (see config.h, docs/config.md): file
 * reading, JSON syntax errors, the top level, the router and bgp sections,
 * and the public lookups. json-c is used only by this loader (config*.c):
 * the daemons only see struct ferry_config.
 *
 * Every value goes through one of a few typed getters (config_get.h) that
 * know the JSON path of what they read and what was expected there, so every
 * message has the same shape:
 *   pe1.json: bgp.hold_time: 2 is out of range (want 0, or 3..65535 seconds)
 * Unknown keys are errors (a misspelt key would otherwise silently become a
 * default). Validation stops at the first error; on error the partially
 * filled config is freed and zeroed, so the caller has nothing to clean up.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/config.h"
#include "common/config_get.h"
#include "common/label.h"

/*
 * A generated multi-tenant file, pretty-printed, passes 1 MiB at a few
 * hundred tenants with a score of static routes each; 16 MiB leaves room
 * for thousands. Read in growing steps: a small file costs a small buffer.
 */
#define CFG_FILE_MAX (16 * 1024 * 1024)
#define CFG_FILE_MAX_TEXT "16 MiB"
#define CFG_READ_STEP (64 * 1024)

static const struct kind K_ASN = { "an AS number", "an integer 1..4294967295" };
static const struct kind K_PORT = { "a TCP port", "an integer 1..65535" };
static const struct kind K_HOLD = { "a hold time", "0, or 3..65535 seconds" };
static const struct kind K_SECONDS = { "a number of seconds", "an integer 1..65535" };
static const struct kind K_LABEL_MIN = { "a label", "an integer 16..1048575" };
static const struct kind K_DESCR = { "a description",
				     "a string of at most 63 characters, no control characters" };
static const struct kind K_PATH = { "a directory", "an absolute path of at most 91 characters" };
static const struct kind K_NEIGHBORS = { "a list of neighbors", "[{ \"address\": ..., ... }]" };

/* ---- router ---- */

static const struct kind K_ROUTER = { "the router section",
				      "{ \"name\": ..., \"router_id\": ..., \"asn\": ... }" };
static const struct kind K_RANGE = { "a label range", "{ \"min\": 16.., \"max\": ..1048575 }" };
static const struct kind K_HOLD_DOWN = { "a number of seconds", "an integer 0..3600" };
static const struct kind K_DATAPLANE = { "a dataplane", "\"fwd\" or \"kernel\"" };

static int parse_label_range(struct cctx *c, struct json_object *router, struct ferry_config *cfg)
{
	static const char *const keys[] = { "min", "max", NULL };
	char p[JPATH_MAX];
	struct json_object *v;
	int r = cj_field(c, router, "router", "label_range", false, &K_RANGE, &v, p);

	if (r <= 0)
		return r;
	if (cj_check_object(c, v, p, keys) < 0 ||
	    cj_u32(c, v, p, "min", true, &K_LABEL_MIN, 16, MPLS_LABEL_MAX, &cfg->label_min) < 0 ||
	    cj_u32(c, v, p, "max", true, &K_LABEL_MIN, 16, MPLS_LABEL_MAX, &cfg->label_max) < 0)
		return -1;
	if (cfg->label_min > cfg->label_max)
		return cj_fail(c, p, "min %u is above max %u (want min <= max)", cfg->label_min,
			       cfg->label_max);
	return 0;
}

static int parse_router(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	static const char *const keys[] = { "name", "router_id", "asn", "run_dir", "label_range",
					    "label_hold_down", "dataplane", NULL };
	static const char *const dataplanes[] = { "fwd", "kernel", NULL };
	char p[JPATH_MAX], ip[IPV4_STRLEN];
	struct json_object *r;
	const char *dir = NULL;
	int dataplane = CFG_DATAPLANE_FWD;

	if (cj_field(c, root, "", "router", true, &K_ROUTER, &r, p) < 0 ||
	    cj_check_object(c, r, "router", keys) < 0 ||
	    cj_name(c, r, "router", "name", cfg->name) < 0 ||
	    cj_ipv4(c, r, "router", "router_id", true, &cfg->router_id) < 0 ||
	    cj_u32(c, r, "router", "asn", true, &K_ASN, 1, UINT32_MAX, &cfg->asn) < 0 ||
	    cj_str(c, r, "router", "run_dir", false, &K_PATH, &dir, p) < 0 ||
	    parse_label_range(c, r, cfg) < 0 ||
	    cj_u32(c, r, "router", "label_hold_down", false, &K_HOLD_DOWN, 0, 3600,
		   &cfg->label_hold_down) < 0 ||
	    cj_enum(c, r, "router", "dataplane", &K_DATAPLANE, dataplanes, &dataplane) < 0)
		return -1;
	cfg->dataplane = dataplane == 1 ? CFG_DATAPLANE_KERNEL : CFG_DATAPLANE_FWD;
	if (!cj_unicast(cfg->router_id))
		return cj_fail(c, "router.router_id", "\"%s\" is not a router ID (want %s)",
			       ipv4_format(cfg->router_id, ip), CJ_UNICAST_FORM);
	if (dir == NULL) {
		snprintf(cfg->run_dir, sizeof(cfg->run_dir), "/run/ferry/%s", cfg->name);
		return 0;
	}
	if (dir[0] != '/' || strlen(dir) >= sizeof(cfg->run_dir))
		return cj_bad(c, p, json_object_object_get(r, "run_dir"), &K_PATH);
	memcpy(cfg->run_dir, dir, strlen(dir) + 1);
	return 0;
}

/* ---- bgp ---- */

/*
 * An address of this router to listen on or dial from: 0.0.0.0 (any, the
 * default) or unicast; a broadcast or multicast one cannot be bound to a
 * TCP socket, which only bgpd would find out, at start or at a reload.
 */
static int local_address_check(struct cctx *c, const char *path, uint32_t a)
{
	char ip[IPV4_STRLEN];

	if (a == 0 || cj_unicast(a))
		return 0;
	return cj_fail(c, path, "\"%s\" is not an address of this router (want 0.0.0.0 for any, "
		       "or a unicast IPv4 address: not 255.255.255.255 or multicast 224.0.0.0/4)",
		       ipv4_format(a, ip));
}

static const struct kind K_BGP = { "the bgp section", "{ \"neighbors\": [...], ... }" };

static int parse_neighbor(struct cctx *c, struct json_object *v, const char *path,
			  struct cfg_neighbor *n)
{
	static const char *const keys[] = { "address", "remote_as", "local_address", "description",
					    "passive", "families", "password", "ttl_security",
					    "route_reflector_client", "max_prefix", "delay_open",
					    "shutdown", NULL };
	char p[JPATH_MAX], la[JPATH_MAX], ip[IPV4_STRLEN];
	const char *d = NULL;

	if (cj_check_object(c, v, path, keys) < 0 ||
	    cj_ipv4(c, v, path, "address", true, &n->address) < 0 ||
	    cj_u32(c, v, path, "remote_as", true, &K_ASN, 1, UINT32_MAX, &n->remote_as) < 0 ||
	    cj_ipv4(c, v, path, "local_address", false, &n->local_address) < 0 ||
	    cj_bool(c, v, path, "passive", &n->passive) < 0 ||
	    cj_str(c, v, path, "description", false, &K_DESCR, &d, p) < 0 ||
	    cfg_parse_neighbor_opts(c, v, path, n) < 0)
		return -1;
	cj_path_key(la, path, "local_address");
	if (local_address_check(c, la, n->local_address) < 0)
		return -1;
	/* shown on one line (logs, ferryctl's tables): no newline, tab, escape */
	if (d != NULL && (strlen(d) >= sizeof(n->description) || cj_has_control(d)))
		return cj_bad(c, p, json_object_object_get(v, "description"), &K_DESCR);
	if (d != NULL)
		memcpy(n->description, d, strlen(d) + 1);
	if (!cj_unicast(n->address)) {
		cj_path_key(p, path, "address");
		return cj_fail(c, p, "\"%s\" is not a neighbor (want a peer's address, %s)",
			       ipv4_format(n->address, ip), CJ_UNICAST_FORM);
	}
	return 0;
}

/*
 * Once the fwd section is in: no neighbour is one of this router's own
 * addresses (its router ID, the address bgpd listens on or dials from, a core
 * interface's). VRF interface addresses are not compared: they live in the
 * customers' address spaces, which may overlap the core's.
 */
static const char *own_address(const struct ferry_config *cfg, const struct cfg_neighbor *n,
			       char *where)
{
	if (n->address == cfg->router_id)
		return "router.router_id";
	if (n->address == cfg->bgp.listen_address)
		return "bgp.listen";
	if (n->address == n->local_address)
		return "its local_address";
	for (size_t i = 0; i < cfg->fwd.n_core_interfaces; i++) {
		if (cfg->fwd.core_interfaces[i].address.addr == n->address) {
			snprintf(where, JPATH_MAX, "fwd.core_interfaces[%zu].address", i);
			return where;
		}
	}
	return NULL;
}

static int check_neighbors(struct cctx *c, const struct ferry_config *cfg)
{
	char p[JPATH_MAX], where[JPATH_MAX], ip[IPV4_STRLEN];
	const char *own;

	for (size_t i = 0; i < cfg->bgp.n_neighbors; i++) {
		const struct cfg_neighbor *n = &cfg->bgp.neighbors[i];

		if ((own = own_address(cfg, n, where)) == NULL)
			continue;
		cj_path_idx(p, "bgp.neighbors", i);
		cj_path_key(p, p, "address");
		return cj_fail(c, p,
			       "\"%s\" is this router's own address, %s (want a peer's address)",
			       ipv4_format(n->address, ip), own);
	}
	return 0;
}

static int parse_neighbors(struct cctx *c, struct json_object *bgp, struct cfg_bgp *b)
{
	char p[JPATH_MAX], ip[IPV4_STRLEN];
	struct json_object *arr;
	size_t n;

	if (cj_array(c, bgp, "bgp", "neighbors", &K_NEIGHBORS, &arr, &n, p) < 0 ||
	    cj_alloc(c, n, sizeof(*b->neighbors), (void **)&b->neighbors) < 0)
		return -1;
	b->n_neighbors = n;
	for (size_t i = 0; i < n; i++) {
		char ip_path[JPATH_MAX];

		cj_path_idx(ip_path, p, i);
		if (parse_neighbor(c, json_object_array_get_idx(arr, i), ip_path,
				   &b->neighbors[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (b->neighbors[j].address != b->neighbors[i].address)
				continue;
			cj_path_key(ip_path, ip_path, "address");
			return cj_fail(
			    c, ip_path,
			    "\"%s\" is already used by bgp.neighbors[%zu] (want one entry per "
			    "neighbor)",
			    ipv4_format(b->neighbors[i].address, ip), j);
		}
	}
	return 0;
}

static int parse_bgp(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	static const char *const keys[] = { "listen", "port", "hold_time", "connect_retry",
					    "neighbors", "cluster_id", "graceful_restart", NULL };
	struct cfg_bgp *b = &cfg->bgp;
	char p[JPATH_MAX];
	struct json_object *v;
	int r = cj_field(c, root, "", "bgp", false, &K_BGP, &v, p);

	if (r <= 0)
		return r;
	b->enabled = true;
	if (cj_check_object(c, v, "bgp", keys) < 0 ||
	    cj_ipv4(c, v, "bgp", "listen", false, &b->listen_address) < 0 ||
	    cj_u16(c, v, "bgp", "port", &K_PORT, 1, &b->port) < 0 ||
	    cj_u16(c, v, "bgp", "hold_time", &K_HOLD, 0, &b->hold_time) < 0 ||
	    cj_u16(c, v, "bgp", "connect_retry", &K_SECONDS, 1, &b->connect_retry) < 0 ||
	    cfg_parse_bgp_opts(c, v, b) < 0)
		return -1;
	if (local_address_check(c, "bgp.listen", b->listen_address) < 0)
		return -1;
	if (b->hold_time == 1 || b->hold_time == 2)
		return cj_fail(c, "bgp.hold_time", "%u is out of range (want %s)", b->hold_time,
			       K_HOLD.form);
	return parse_neighbors(c, v, b);
}

/* ---- loading ---- */

/*
 * router.dataplane "kernel": what the kernel cannot be given. A VRF becomes
 * device "vrf-<name>" (IFNAMSIZ), and vrfmgr programs only its own labels:
 * fwd's static LFIB and an LSR's fwd have no place there.
 */
static int check_kernel_dataplane(struct cctx *c, const struct ferry_config *cfg)
{
	char p[JPATH_MAX];

	if (cfg->dataplane != CFG_DATAPLANE_KERNEL)
		return 0;
	for (size_t i = 0; i < cfg->n_vrfs; i++) {
		size_t n = strlen(cfg->vrfs[i].name);

		if (n <= CFG_KERNEL_VRF_NAME_MAX)
			continue;
		snprintf(p, sizeof(p), "vrfs[%zu].name", i);
		return cj_fail(c, p,
			       "\"%s\" is too long for the kernel dataplane: its VRF device "
			       "\"vrf-%s\" would have %zu characters (want at most %d characters "
			       "with router.dataplane \"kernel\": Linux interface names have at "
			       "most 15)",
			       cfg->vrfs[i].name, cfg->vrfs[i].name, n + 4, CFG_KERNEL_VRF_NAME_MAX);
	}
	if (cfg->fwd.mode == CFG_FWD_LSR)
		return cj_fail(c, "router.dataplane",
			       "\"kernel\" with fwd.mode \"lsr\": the kernel dataplane is "
			       "vrfmgr's, and an LSR runs no vrfmgr (want \"fwd\", or fwd.mode "
			       "\"pe\")");
	if (cfg->fwd.n_lfib > 0)
		return cj_fail(c, "fwd.lfib",
			       "%zu static %s with router.dataplane \"kernel\": nothing would "
			       "program them (want none; vrfmgr programs only its own labels)",
			       cfg->fwd.n_lfib, cfg->fwd.n_lfib == 1 ? "entry" : "entries");
	return 0;
}

static int config_build(struct cctx *c, struct json_object *root, struct ferry_config *cfg)
{
	static const char *const keys[] = { "router", "bgp", "vrfs", "lsps", "fwd", "api", NULL };

	cfg->bgp.port = 179;
	cfg->bgp.hold_time = 90;
	cfg->bgp.connect_retry = 5;
	cfg->label_min = 1000;
	cfg->label_max = 99999;
	cfg->label_hold_down = 60;
	cfg->fwd.mode = CFG_FWD_PE;
	cfg->fwd.arp_timeout = 300;
	if (cj_check_object(c, root, "", keys) < 0 || parse_router(c, root, cfg) < 0 ||
	    parse_bgp(c, root, cfg) < 0 || cfg_parse_vrfs(c, root, cfg) < 0 ||
	    cfg_parse_lsps(c, root, cfg) < 0 || cfg_parse_fwd(c, root, cfg) < 0 ||
	    cfg_check_core_links(c, cfg) < 0 || check_kernel_dataplane(c, cfg) < 0 ||
	    check_neighbors(c, cfg) < 0 ||
	    cfg_parse_api(c, root, cfg) < 0)
		return -1;
	return 0;
}

struct json_hint {
	char text[80];
};

static bool json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/*
 * What a forgotten or extra comma looks like to the reader of a config, who
 * would otherwise be pointed at the line after the mistake: json-c stops at
 * the next value, and a trailing comma is caught at the closing bracket.
 * json[at] (at < len) is where the parse stopped, on line `line`.
 */
static struct json_hint json_hint(enum json_tokener_error e, const char *json, size_t len,
				  size_t at, size_t line)
{
	struct json_hint h = { "" };
	size_t prev = at, prev_line = line;

	if (at >= len)
		return h;
	while (prev > 0 && json_space(json[prev - 1]))
		prev_line -= json[--prev] == '\n';
	if (prev == 0)
		return h;
	if ((e == json_tokener_error_parse_object_value_sep ||
	     e == json_tokener_error_parse_array) && prev_line < line)
		snprintf(h.text, sizeof(h.text), " (a comma missing at the end of line %zu?)",
			 prev_line);
	else if (json[prev - 1] == ',' && (json[at] == '}' || json[at] == ']'))
		snprintf(h.text, sizeof(h.text), " (a comma before '%c': want none after the last item)",
			 json[at]);
	return h;
}

/* JSON text -> tree, or NULL with "file: line L, column C: invalid JSON: reason". */
static struct json_object *json_parse(struct cctx *c, const char *json, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;
	enum json_tokener_error e;
	size_t end, line = 1, col = 1;

	if (tok == NULL) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return NULL;
	}
	/* strings that are not UTF-8 would reach the API's JSON and the logs as they are */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root != NULL && e == json_tokener_success && end == len)
		return root;
	json_object_put(root);
	for (size_t i = 0; i < end && i < len; i++) {
		col = json[i] == '\n' ? 1 : col + 1;
		line += json[i] == '\n';
	}
	if (e == json_tokener_continue || e == json_tokener_success)
		snprintf(c->err, c->errlen, "%s: line %zu: invalid JSON: %s", c->file, line,
			 e == json_tokener_continue ? "unexpected end of file"
						    : "unexpected data after the top-level value");
	else
		snprintf(c->err, c->errlen, "%s: line %zu, column %zu: invalid JSON: %s%s", c->file,
			 line, col, json_tokener_error_desc(e),
			 json_hint(e, json, len, end, line).text);
	return NULL;
}

const char *config_file_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static void config_index(struct ferry_config *cfg);

static int config_load_buf(const char *json, size_t len, const char *name, struct ferry_config *cfg,
			   char *err, size_t errlen)
{
	struct cctx c = { config_file_name(name), err, errlen };
	struct json_object *root;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen > 0)
		err[0] = '\0';
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	root = json_parse(&c, json, len);
	if (root == NULL)
		return -1;
	c.root = root;
	r = cfg_check_dup_keys(&c, json, len);
	if (r == 0)
		r = config_build(&c, root, cfg);
	json_object_put(root);
	cfg_uniq_free(&c.vrf_names);
	cfg_uniq_free(&c.vrf_rds);
	cfg_uniq_free(&c.ifnames);
	if (r < 0) {
		config_free(cfg);
		return -1;
	}
	config_index(cfg);
	return 0;
}

int config_load_string(const char *json, const char *name, struct ferry_config *cfg, char *err,
		       size_t errlen)
{
	return config_load_buf(json, strlen(json), name ? name : "(string)", cfg, err, errlen);
}

/*
 * f's content, at most CFG_FILE_MAX bytes, in *out (malloc'd) and *n. 0, or
 * -1 with errno set (EFBIG: larger than that).
 */
static int file_read(FILE *f, char **out, size_t *n)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;

	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : CFG_READ_STEP;
			char *nb;

			if (ncap > CFG_FILE_MAX + 1)
				ncap = CFG_FILE_MAX + 1;
			if (ncap == cap || (nb = realloc(buf, ncap)) == NULL) {
				free(buf);
				errno = ncap == cap ? EFBIG : ENOMEM;
				return -1;
			}
			buf = nb;
			cap = ncap;
		}
		len += fread(buf + len, 1, cap - len, f);
		if (ferror(f)) {
			free(buf);
			return -1;
		}
		if (len < cap)
			break; /* EOF */
	}
	*out = buf;
	*n = len;
	return 0;
}

int config_load(const char *path, struct ferry_config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (f == NULL || file_read(f, &buf, &n) < 0) {
		const char *why = errno == EFBIG ? "file too large" : strerror(errno);

		/* the path as given: a base name alone does not say where it was looked for */
		snprintf(err, errlen,
			 "%s: cannot read: %s (want a readable JSON file of at most "
			 CFG_FILE_MAX_TEXT ")", path, why);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	r = config_load_buf(buf, n, path, cfg, err, errlen);
	free(buf);
	return r;
}

void config_free(struct ferry_config *cfg)
{
	for (size_t i = 0; i < cfg->n_vrfs; i++) {
		free(cfg->vrfs[i].import_rts);
		free(cfg->vrfs[i].export_rts);
		free(cfg->vrfs[i].interfaces);
		free(cfg->vrfs[i].static_routes);
	}
	free(cfg->vrfs);
	free(cfg->bgp.neighbors);
	free(cfg->lsps);
	free(cfg->fwd.core_interfaces);
	free(cfg->fwd.lfib);
	cfg_uniq_free(&cfg->vrf_names);
	cfg_uniq_free(&cfg->vrf_ifnames);
	memset(cfg, 0, sizeof(*cfg));
}

int config_run_dir_check(const char *dir, char *err, size_t errlen)
{
	size_t n = strlen(dir);

	if (dir[0] != '/' || n >= sizeof(((struct ferry_config *)NULL)->run_dir)) {
		snprintf(err, errlen, "-r: \"%.120s%s\" is not a run directory (want %s)", dir,
			 n > 120 ? "..." : "", K_PATH.form);
		return -1;
	}
	return 0;
}

int config_run_dir_set(struct ferry_config *cfg, const char *dir, char *err, size_t errlen)
{
	if (config_run_dir_check(dir, err, errlen) < 0)
		return -1;
	memcpy(cfg->run_dir, dir, strlen(dir) + 1);
	return 0;
}

int config_api_files_check(const struct ferry_config *cfg, uint16_t port, char *err,
			   size_t errlen)
{
	static const char *const keys[] = { "api.tls.cert", "api.tls.key", "api.token_file" };
	const char *files[] = { cfg->api.tls_cert, cfg->api.tls_key, cfg->api.token_file };

	for (size_t i = 0; port != 0 && i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		if (files[i][0] == '\0')
			continue;
		if ((f = fopen(files[i], "r")) != NULL) {
			fclose(f);
			continue;
		}
		snprintf(err, errlen, "%s: %s: \"%s\" cannot be read: %s (want a readable file)",
			 config_file_name(cfg->path), keys[i], files[i], strerror(errno));
		return -1;
	}
	return 0;
}

/* The lookups by name; out of memory they stay empty and the lookups scan. */
static void config_index(struct ferry_config *cfg)
{
	const struct cfg_uniq_slot *seen;

	for (size_t i = 0; i < cfg->n_vrfs; i++) {
		const struct cfg_vrf *v = &cfg->vrfs[i];

		if (cfg_uniq_put(&cfg->vrf_names, v->name, strlen(v->name), i, 0, &seen) < 0)
			goto nomem;
		for (size_t j = 0; j < v->n_interfaces; j++)
			if (cfg_uniq_put(&cfg->vrf_ifnames, v->interfaces[j].name,
					 strlen(v->interfaces[j].name), i, j, &seen) < 0)
				goto nomem;
	}
	return;
nomem:
	cfg_uniq_free(&cfg->vrf_names);
	cfg_uniq_free(&cfg->vrf_ifnames);
}

const struct cfg_vrf *config_vrf_by_ifname(const struct ferry_config *cfg, const char *name)
{
	const struct cfg_uniq_slot *s;

	if (cfg->vrf_ifnames.cap > 0)
		return (s = cfg_uniq_get(&cfg->vrf_ifnames, name, strlen(name))) != NULL
			       ? &cfg->vrfs[s->a]
			       : NULL;
	for (size_t i = 0; i < cfg->n_vrfs; i++)
		for (size_t j = 0; j < cfg->vrfs[i].n_interfaces; j++)
			if (strcmp(cfg->vrfs[i].interfaces[j].name, name) == 0)
				return &cfg->vrfs[i];
	return NULL;
}

const struct cfg_vrf_if *config_vrf_interface(const struct cfg_vrf *c, const char *name)
{
	for (size_t i = 0; i < c->n_interfaces; i++)
		if (strcmp(c->interfaces[i].name, name) == 0)
			return &c->interfaces[i];
	return NULL;
}

const struct cfg_vrf *config_vrf_by_name(const struct ferry_config *cfg, const char *name)
{
	const struct cfg_uniq_slot *s;

	if (cfg->vrf_names.cap > 0)
		return (s = cfg_uniq_get(&cfg->vrf_names, name, strlen(name))) != NULL
			       ? &cfg->vrfs[s->a]
			       : NULL;
	for (size_t i = 0; i < cfg->n_vrfs; i++)
		if (strcmp(cfg->vrfs[i].name, name) == 0)
			return &cfg->vrfs[i];
	return NULL;
}

int config_sock_path(const struct ferry_config *cfg, const char *sock, char *buf)
{
	int n = snprintf(buf, CFG_PATH_MAX, "%s/%s", cfg->run_dir, sock);

	if (n < 0 || n >= CFG_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}
