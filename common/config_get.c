/*
 * The config loader's typed getters (see config_get.h). Each reads one key,
 * checks the JSON type and the value's form, and on failure writes the
 * message naming file, JSON path, the offending value and the expected form.
 * Keeping this in one place is what makes every config error look alike.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/config_get.h"
#include "common/label.h"

static const struct kind K_OBJECT = { "an object", "{ ... }" };
static const struct kind K_IPV4 = { "an IPv4 address", "a.b.c.d" };
static const struct kind K_PREFIX = { "an IPv4 prefix", "a.b.c.d/len with no host bits set" };
static const struct kind K_IFADDR = { "an interface address", "a.b.c.d/len, len 1..32" };
static const struct kind K_NAME = { "a name",
				    "1..31 characters of A-Z a-z 0-9 . _ -, not . or .." };
static const struct kind K_IFNAME = { "an interface name",
				      "1..15 characters, no '/', ':' or spaces" };
static const struct kind K_OUT_LABEL = { "an outgoing label",
					 "an integer 16..1048575, \"implicit-null\" (or 3) or "
					 "\"explicit-null\" (or 0)" };
static const struct kind K_BOOL = { "a boolean", "true or false" };

/* ---- messages and paths ---- */

int cj_fail(struct cctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	char where[JPATH_NAMED_MAX];

	n = snprintf(c->err, c->errlen, "%s: %s: ", c->file,
		     *path ? cj_path_named(c, path, where, sizeof(where)) : "top level");
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The value as compact JSON text, shortened when long. */
const char *cj_text(struct json_object *v, char *buf, size_t len)
{
	const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);

	if (strlen(s) < len)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%.*s...", (int)len - 4, s);
	return buf;
}

int cj_bad(struct cctx *c, const char *path, struct json_object *v, const struct kind *k)
{
	char t[64];

	return cj_fail(c, path, "%s is not %s (want %s)", cj_text(v, t, sizeof(t)), k->noun,
		       k->form);
}

/* Paths are short in practice; an overlong one is cut, which only shortens a message. */
void cj_path_key(char *out, const char *parent, const char *key)
{
	char tmp[JPATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s%s%s", parent, *parent ? "." : "", key) >= JPATH_MAX)
		tmp[JPATH_MAX - 1] = '\0';
	memcpy(out, tmp, strlen(tmp) + 1);
}

void cj_path_idx(char *out, const char *parent, size_t i)
{
	char tmp[JPATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s[%zu]", parent, i) >= JPATH_MAX)
		tmp[JPATH_MAX - 1] = '\0';
	memcpy(out, tmp, strlen(tmp) + 1);
}

/*
 * An unknown key as it may be shown in a one-line message: as is when plain,
 * else quoted with control characters, quotes and backslashes escaped. Not
 * plain either: an empty key (the path would name its object, or the top
 * level) and one with the path's own '.', '[' or ']' (it would read as
 * another path: "a.b" as b inside a).
 */
void cj_key_printable(char *out, size_t n, const char *key)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t o = 0;
	bool plain = *k != '\0';

	for (const unsigned char *q = k; *q; q++)
		plain = plain && *q >= 0x20 && *q != 0x7f && strchr("\"\\.[]", *q) == NULL;
	if (plain) {
		snprintf(out, n, "%s", key);
		return;
	}
	o += (size_t)snprintf(out, n, "\"");
	for (; *k && o + 8 < n; k++) {
		if (*k < 0x20 || *k == 0x7f)
			o += (size_t)snprintf(out + o, n - o, "\\u%04x", *k);
		else if (*k == '"' || *k == '\\')
			o += (size_t)snprintf(out + o, n - o, "\\%c", *k);
		else
			out[o++] = (char)*k;
	}
	snprintf(out + o, n - o, "\"");
}

bool cj_has_control(const char *s)
{
	for (const unsigned char *q = (const unsigned char *)s; *q; q++)
		if (*q < 0x20 || *q == 0x7f)
			return true;
	return false;
}

/* ---- typed getters: 0 ok (absent optional leaves *out alone), -1 error ---- */

/*
 * v must be an object holding only the allowed keys (NULL-terminated list).
 * Either error names the keys it may hold: a static route written as a bare
 * prefix string learns what its object looks like.
 */
int cj_check_object(struct cctx *c, struct json_object *v, const char *path,
		    const char *const *allowed)
{
	char p[JPATH_MAX], want[256] = "", key[JPATH_MAX], form[300];
	struct json_object_iter it;
	size_t i;

	for (i = 0; allowed[i]; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? ", " : "",
			 allowed[i]);
	if (!json_object_is_type(v, json_type_object)) {
		snprintf(form, sizeof(form), "%s with the keys %s", K_OBJECT.form, want);
		return cj_bad(c, path, v, &(struct kind){ K_OBJECT.noun, form });
	}
	json_object_object_foreachC (v, it) {
		for (i = 0; allowed[i] && strcmp(allowed[i], it.key) != 0; i++)
			;
		if (allowed[i] != NULL)
			continue;
		cj_key_printable(key, sizeof(key), it.key);
		cj_path_key(p, path, key);
		return cj_fail(c, p, "unknown key (want one of %s)", want);
	}
	return 0;
}

/* Looks key up: 1 found (*v, vpath set), 0 absent and optional, -1 absent and required. */
int cj_field(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	     bool required, const struct kind *k, struct json_object **v, char *vpath)
{
	cj_path_key(vpath, path, key);
	if (json_object_object_get_ex(obj, key, v)) {
		if (*v != NULL)
			return 1;
		/* null is no value of any form: not a silent default (types are strict) */
		return cj_fail(c, vpath, "null is not %s (want %s%s)", k->noun, k->form,
			       required ? "" : ", or leave the key out for its default");
	}
	if (!required)
		return 0;
	return cj_fail(c, vpath, "missing (want %s)", k->noun);
}

/*
 * v's text when v is a JSON string, else NULL. An escaped NUL ("65000:1\u0000x")
 * is refused too: read as a C string the text would end there, and the junk
 * after it would pass unseen.
 */
const char *cj_text_of(struct json_object *v)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

int cj_str(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	   bool required, const struct kind *k, const char **out, char *vpath)
{
	struct json_object *v;
	const char *s;
	int r = cj_field(c, obj, path, key, required, k, &v, vpath);

	if (r <= 0)
		return r;
	if ((s = cj_text_of(v)) == NULL)
		return cj_bad(c, vpath, v, k);
	*out = s;
	return 1;
}

int cj_u32(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	   bool required, const struct kind *k, uint32_t min, uint32_t max, uint32_t *out)
{
	char vpath[JPATH_MAX], t[64];
	struct json_object *v;
	int64_t n;
	int r = cj_field(c, obj, path, key, required, k, &v, vpath);

	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_int))
		return cj_bad(c, vpath, v, k);
	n = json_object_get_int64(v);
	if (n < (int64_t)min || n > (int64_t)max)
		return cj_fail(c, vpath, "%s is out of range (want %s)", cj_text(v, t, sizeof(t)),
			       k->form);
	*out = (uint32_t)n;
	return 0;
}

int cj_u16(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	   const struct kind *k, uint32_t min, uint16_t *out)
{
	uint32_t v = *out;

	if (cj_u32(c, obj, path, key, false, k, min, 65535, &v) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int cj_bool(struct cctx *c, struct json_object *obj, const char *path, const char *key, bool *out)
{
	char vpath[JPATH_MAX];
	struct json_object *v;
	int r = cj_field(c, obj, path, key, false, &K_BOOL, &v, vpath);

	if (r <= 0)
		return r;
	if (!json_object_is_type(v, json_type_boolean))
		return cj_bad(c, vpath, v, &K_BOOL);
	*out = json_object_get_boolean(v);
	return 0;
}

/* A string that parse() must accept. */
int cj_parsed(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      bool required, const struct kind *k, str_parse_fn parse, void *out)
{
	char vpath[JPATH_MAX];
	const char *s = NULL;
	int r = cj_str(c, obj, path, key, required, k, &s, vpath);

	if (r <= 0)
		return r;
	if (parse(s, out) < 0)
		return cj_bad(c, vpath, json_object_object_get(obj, key), k);
	return 0;
}

static int p_ipv4(const char *s, void *out)
{
	return ipv4_parse(s, out);
}

static int p_prefix(const char *s, void *out)
{
	return prefix4_parse(s, out);
}

static int p_ifaddr(const char *s, void *out)
{
	struct prefix4 *p = out;

	return ifaddr4_parse(s, p) < 0 || p->len == 0 ? -EINVAL : 0;
}

int cj_ipv4(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	    bool required, uint32_t *out)
{
	return cj_parsed(c, obj, path, key, required, &K_IPV4, p_ipv4, out);
}

int cj_prefix(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      struct prefix4 *out)
{
	return cj_parsed(c, obj, path, key, true, &K_PREFIX, p_prefix, out);
}

/* Not "this host" 0.0.0.0, not the limited broadcast, not multicast (224.0.0.0/4). */
bool cj_unicast(uint32_t addr)
{
	return addr != 0 && addr != 0xffffffffu && (addr >> 28) != 0xe;
}

/*
 * On a link shorter than /31, its first address names the subnet and its last
 * is the broadcast: neither is a host on it. A /31 (RFC 3021) and a /32 have
 * neither.
 */
const char *cj_link_reserved(const struct prefix4 *link, uint32_t addr)
{
	uint32_t host = ~prefix4_netmask(link->len);

	if (link->len >= 31 || (addr & ~host) != (link->addr & ~host))
		return NULL;
	if ((addr & host) == 0)
		return "network";
	return (addr & host) == host ? "broadcast" : NULL;
}

int cj_ifaddr(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      struct prefix4 *out)
{
	char vpath[JPATH_MAX], t[64], net[PREFIX4_STRLEN], lo[IPV4_STRLEN], hi[IPV4_STRLEN];
	struct prefix4 subnet;
	const char *what;

	if (cj_parsed(c, obj, path, key, true, &K_IFADDR, p_ifaddr, out) < 0)
		return -1;
	/* this host (0/8), loopback, multicast and class E: no address a link's hosts answer */
	if ((out->addr >> 24) == 0 || (out->addr >> 24) == 127 || (out->addr >> 28) >= 0xe) {
		cj_path_key(vpath, path, key);
		return cj_fail(c, vpath, "%s is not an interface address (want a unicast a.b.c.d/len: "
			       "not in 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 or 240.0.0.0/4)",
			       cj_text(json_object_object_get(obj, key), t, sizeof(t)));
	}
	what = cj_link_reserved(out, out->addr);
	if (what == NULL)
		return 0;
	subnet = *out;
	prefix4_normalize(&subnet);
	cj_path_key(vpath, path, key);
	return cj_fail(c, vpath, "%s is the %s address of %s (want a host address in it, %s..%s)",
		       cj_text(json_object_object_get(obj, key), t, sizeof(t)), what,
		       prefix4_format(&subnet, net), ipv4_format(subnet.addr + 1, lo),
		       ipv4_format(subnet.addr + ~prefix4_netmask(subnet.len) - 1, hi));
}

/* Router and VRF names: they end up in paths and URLs, so keep them plain. */
static int p_name(const char *s, void *out)
{
	const size_t max = CFG_NAME_MAX;
	size_t n = strlen(s);

	/* "." and "..": the default run directory /run/ferry/<name> would not be a new one */
	if (n == 0 || n >= max || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return -EINVAL;
	}
	memcpy(out, s, n + 1);
	return 0;
}

int cj_name(struct cctx *c, struct json_object *obj, const char *path, const char *key, char *out)
{
	return cj_parsed(c, obj, path, key, true, &K_NAME, p_name, out);
}

/* Linux device names: 1..15 bytes, not "." or "..", no '/', ':' or whitespace. */
static int p_ifname(const char *s, void *out)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CFG_IFNAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strpbrk(s, "/: \t\n\r\v\f") != NULL)
		return -EINVAL;
	memcpy(out, s, n + 1);
	return 0;
}

int cj_ifname(struct cctx *c, struct json_object *obj, const char *path, const char *key, char *out)
{
	return cj_parsed(c, obj, path, key, true, &K_IFNAME, p_ifname, out);
}

/*
 * Labels we send: a number, or exactly "implicit-null" / "explicit-null" as
 * written in docs/config.md (types are strict, so no "16" and no other
 * spelling). Of the reserved labels 0..15 only those two mean anything to
 * push or swap to: 3 (implicit null) and 0 (IPv4 explicit null).
 */
int cj_out_label(struct cctx *c, struct json_object *obj, const char *path, const char *key,
		 uint32_t *out)
{
	char vpath[JPATH_MAX], t[64];
	struct json_object *v;
	const char *s;
	int r = cj_field(c, obj, path, key, true, &K_OUT_LABEL, &v, vpath);

	if (r <= 0)
		return r;
	if (json_object_is_type(v, json_type_string)) {
		if ((s = cj_text_of(v)) == NULL)
			return cj_bad(c, vpath, v, &K_OUT_LABEL);
		if (strcmp(s, "implicit-null") == 0)
			*out = MPLS_LABEL_IMPLICIT_NULL;
		else if (strcmp(s, "explicit-null") == 0)
			*out = MPLS_LABEL_IPV4_EXPLICIT_NULL;
		else
			return cj_bad(c, vpath, v, &K_OUT_LABEL);
		return 0;
	}
	if (cj_u32(c, obj, path, key, true, &K_OUT_LABEL, 0, MPLS_LABEL_MAX, out) < 0)
		return -1;
	if (*out < MPLS_LABEL_FIRST_UNRESERVED && *out != MPLS_LABEL_IMPLICIT_NULL &&
	    *out != MPLS_LABEL_IPV4_EXPLICIT_NULL)
		return cj_fail(c, vpath, "%s is a reserved label (want %s)",
			       cj_text(v, t, sizeof(t)), K_OUT_LABEL.form);
	return 0;
}

/* One of a fixed set of words; *out becomes its index. */
int cj_enum(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	    const struct kind *k, const char *const *words, int *out)
{
	char vpath[JPATH_MAX];
	const char *s = NULL;
	int r = cj_str(c, obj, path, key, false, k, &s, vpath);

	if (r <= 0)
		return r;
	for (int i = 0; words[i]; i++) {
		if (strcmp(words[i], s) == 0) {
			*out = i;
			return 0;
		}
	}
	return cj_bad(c, vpath, json_object_object_get(obj, key), k);
}

/* An optional array: *n = 0 when absent. */
int cj_array(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	     const struct kind *k, struct json_object **arr, size_t *n, char *vpath)
{
	int r = cj_field(c, obj, path, key, false, k, arr, vpath);

	*n = 0;
	if (r <= 0)
		return r;
	if (!json_object_is_type(*arr, json_type_array))
		return cj_bad(c, vpath, *arr, k);
	*n = json_object_array_length(*arr);
	return 0;
}

/* calloc that is fine with n == 0 (returns NULL, not an error). */
int cj_alloc(struct cctx *c, size_t n, size_t size, void **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	*out = calloc(n, size);
	if (*out == NULL) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		return -1;
	}
	return 0;
}

/* ---- what names the element a path is in (cj_path_named) ---- */

/*
 * The element of arr that path names as <prefix>[i], *rest what follows
 * its "]"; NULL when path does not start so or arr has no such element.
 */
static struct json_object *path_elem(struct json_object *arr, const char *path,
				     const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);
	unsigned long i;
	char *end;

	if (!json_object_is_type(arr, json_type_array) || strncmp(path, prefix, n) != 0 ||
	    path[n] != '[' || !isdigit((unsigned char)path[n + 1]))
		return NULL;
	errno = 0;
	i = strtoul(path + n + 1, &end, 10);
	if (*end != ']' || errno != 0 || i >= json_object_array_length(arr))
		return NULL;
	*rest = end + 1;
	return json_object_array_get_idx(arr, i);
}

static bool name_ok(const char *s)
{
	char name[CFG_NAME_MAX];

	return p_name(s, name) == 0;
}

static bool prefix_ok(const char *s)
{
	struct prefix4 p;

	return prefix4_parse(s, &p) == 0;
}

static bool ipv4_ok(const char *s)
{
	uint32_t a;

	return ipv4_parse(s, &a) == 0;
}

static bool description_ok(const char *s)
{
	return *s != '\0' && strlen(s) < sizeof(((struct cfg_neighbor *)0)->description) &&
	       !cj_has_control(s);
}

/*
 * obj's string at key when ok() takes it, unless the path's rest is that
 * key itself (".name": the message's own value names it): else NULL.
 */
static const char *usable(struct json_object *obj, const char *key, bool (*ok)(const char *),
			  const char *rest)
{
	struct json_object *v;
	const char *s;

	if (rest[0] == '.' && strcmp(rest + 1, key) == 0)
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v) || (s = cj_text_of(v)) == NULL || !ok(s))
		return NULL;
	return s;
}

/* "VRF t37", "VRF B, route 192.168.100.0/24": vrf is the VRF's object, rest the path after it. */
static void vrf_label(struct json_object *vrf, const char *rest, char *out, size_t n)
{
	const char *name = usable(vrf, "name", name_ok, rest), *pfx = NULL, *in_route;
	struct json_object *routes = NULL, *route;

	if (name != NULL)
		snprintf(out, n, "VRF %s", name);
	json_object_object_get_ex(vrf, "static_routes", &routes);
	route = path_elem(routes, rest, ".static_routes", &in_route);
	if (route != NULL)
		pfx = usable(route, "prefix", prefix_ok, in_route);
	if (pfx != NULL)
		snprintf(out + strlen(out), n - strlen(out), "%sroute %s", *out ? ", " : "", pfx);
}

/*
 * "neighbor 10.255.0.4 \"pe4\"": its address and description, those usable.
 * The description is quoted as values are (cj_text): a '"' or '\\' in it
 * escaped, so the label cannot seem to end early.
 */
static void neighbor_label(struct json_object *nb, const char *rest, char *out, size_t n)
{
	const char *addr = usable(nb, "address", ipv4_ok, rest);
	const char *descr = usable(nb, "description", description_ok, rest);
	char quoted[2 * sizeof(((struct cfg_neighbor *)0)->description) + 4] = "";

	if (addr == NULL && descr == NULL)
		return;
	if (descr != NULL)
		cj_text(json_object_object_get(nb, "description"), quoted, sizeof(quoted));
	snprintf(out, n, "neighbor%s%s%s%s", addr ? " " : "", addr ? addr : "", descr ? " " : "",
		 quoted);
}

const char *cj_path_named(const struct cctx *c, const char *path, char *out, size_t n)
{
	struct json_object *arr = NULL, *bgp = NULL, *e;
	const char *rest;
	char label[160] = "";

	if (c->root != NULL && json_object_object_get_ex(c->root, "vrfs", &arr) &&
	    (e = path_elem(arr, path, "vrfs", &rest)) != NULL)
		vrf_label(e, rest, label, sizeof(label));
	else if (c->root != NULL && json_object_object_get_ex(c->root, "bgp", &bgp) &&
		 json_object_object_get_ex(bgp, "neighbors", &arr) &&
		 (e = path_elem(arr, path, "bgp.neighbors", &rest)) != NULL)
		neighbor_label(e, rest, label, sizeof(label));
	if (*label)
		snprintf(out, n, "%s (%s)", path, label);
	else
		snprintf(out, n, "%s", path);
	return out;
}
