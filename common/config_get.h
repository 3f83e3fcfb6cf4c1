/*
 * Internal to the config loader (config.c, config_sections.c, config_get.c);
 * nothing outside common/config*.c includes this. Typed getters that read
 * one key of a json-c object, know its JSON path and the expected form, and
 * write the error message in the one format the loader uses:
 *   <file>: <json.path>: <what is wrong> (want <expected form>)
 * All return 0 when fine (an absent optional key leaves *out untouched) and
 * -1 after writing the message; cj_str and cj_field also return 1 = found.
 */
#ifndef FERRY_CONFIG_GET_H
#define FERRY_CONFIG_GET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

struct json_object;

#define JPATH_MAX 128
/* a path with what names its element: cj_path_named */
#define JPATH_NAMED_MAX (JPATH_MAX + 160)

/* key[0..len) added with (a, b): 0; already there: 1, *seen its first entry; -ENOMEM. */
int cfg_uniq_put(struct cfg_uniq *u, const void *key, size_t len, size_t a, size_t b,
		 const struct cfg_uniq_slot **seen);
/* The entry of key[0..len), or NULL. */
const struct cfg_uniq_slot *cfg_uniq_get(const struct cfg_uniq *u, const void *key, size_t len);
void cfg_uniq_free(struct cfg_uniq *u);

struct cctx {
	const char *file; /* basename, for messages */
	char *err;
	size_t errlen;
	struct json_object *root; /* the document: what names a VRF, neighbor, route in messages */
	/* uniqueness across the file: VRF names and RDs (a: vrfs index), interface names */
	struct cfg_uniq vrf_names, vrf_rds, ifnames;
};

/* What a value should be: "<value> is not <noun> (want <form>)", "missing (want <noun>)". */
struct kind {
	const char *noun;
	const char *form;
};

typedef int (*str_parse_fn)(const char *s, void *out);

/*
 * Writes "<file>: <path>[ (<label>)]: <what>": the label names the VRF (and
 * static route) or the neighbor the path is in, from the document, when the
 * element has a usable one (cj_path_named).
 */
int cj_fail(struct cctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * path followed by what names the element it is in, as messages give it:
 * "vrfs[37].rd (VRF t37)", "vrfs[1].static_routes[0].next_hop (VRF B, route
 * 192.168.100.0/24)", "bgp.neighbors[3].remote_as (neighbor 10.255.0.4
 * \"pe4\")". A name, prefix, address or description is used only when it
 * is valid, and not when path is that very key (its value is the message's).
 * path alone when nothing names it. Returns out.
 */
const char *cj_path_named(const struct cctx *c, const char *path, char *out, size_t n);
int cj_bad(struct cctx *c, const char *path, struct json_object *v, const struct kind *k);
const char *cj_text(struct json_object *v, char *buf, size_t len);
void cj_path_key(char *out, const char *parent, const char *key);
void cj_path_idx(char *out, const char *parent, size_t i);
/* A key as a path shows it: as is when plain, else quoted with control characters escaped. */
void cj_key_printable(char *out, size_t n, const char *key);
/* config_dupkeys.c: json[0..len), which json-c parsed, has no key twice in one object. */
int cfg_check_dup_keys(struct cctx *c, const char *json, size_t len);

/* v's text if v is a string without an escaped NUL, else NULL (for array elements). */
const char *cj_text_of(struct json_object *v);
int cj_check_object(struct cctx *c, struct json_object *v, const char *path,
		    const char *const *allowed);
int cj_field(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	     bool required, const struct kind *k, struct json_object **v, char *vpath);
int cj_str(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	   bool required, const struct kind *k, const char **out, char *vpath);
int cj_u32(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	   bool required, const struct kind *k, uint32_t min, uint32_t max, uint32_t *out);
int cj_u16(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	   const struct kind *k, uint32_t min, uint16_t *out);
int cj_bool(struct cctx *c, struct json_object *obj, const char *path, const char *key, bool *out);
int cj_parsed(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      bool required, const struct kind *k, str_parse_fn parse, void *out);
int cj_ipv4(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	    bool required, uint32_t *out);
int cj_prefix(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      struct prefix4 *out);
/* Whether s has a control character (below 0x20, or DEL): text meant for one line. */
bool cj_has_control(const char *s);
/* What a router ID or a BGP peer must be (cj_unicast), for messages. */
#define CJ_UNICAST_FORM                                                                          \
	"a unicast IPv4 address: not 0.0.0.0, 255.255.255.255 or multicast 224.0.0.0/4"
bool cj_unicast(uint32_t addr);
/* "network" or "broadcast" when addr is that address of link (shorter than /31), else NULL */
const char *cj_link_reserved(const struct prefix4 *link, uint32_t addr);
int cj_ifaddr(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      struct prefix4 *out);
int cj_name(struct cctx *c, struct json_object *obj, const char *path, const char *key, char *out);
int cj_ifname(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	      char *out);
int cj_out_label(struct cctx *c, struct json_object *obj, const char *path, const char *key,
		 uint32_t *out);
int cj_enum(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	    const struct kind *k, const char *const *words, int *out);
int cj_array(struct cctx *c, struct json_object *obj, const char *path, const char *key,
	     const struct kind *k, struct json_object **arr, size_t *n, char *vpath);
int cj_alloc(struct cctx *c, size_t n, size_t size, void **out);

/* config_sections.c: the parts after router and bgp. */
/* config_bgp.c: the bgp options beyond the basics (keys listed in config.c) */
int cfg_parse_neighbor_opts(struct cctx *c, struct json_object *v, const char *path,
			    struct cfg_neighbor *n);
int cfg_parse_bgp_opts(struct cctx *c, struct json_object *v, struct cfg_bgp *b);
int cfg_parse_vrfs(struct cctx *c, struct json_object *root, struct ferry_config *cfg);
int cfg_parse_lsps(struct cctx *c, struct json_object *root, struct ferry_config *cfg);
int cfg_parse_fwd(struct cctx *c, struct json_object *root, struct ferry_config *cfg);
/* once fwd is parsed: each LSP and fwd.lfib entry on a core interface, its next hop on that link */
int cfg_check_core_links(struct cctx *c, const struct ferry_config *cfg);
/* config_api.c: the JSON API's listeners */
int cfg_parse_api(struct cctx *c, struct json_object *root, struct ferry_config *cfg);

#endif
