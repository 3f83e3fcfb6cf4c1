/*
 * Keys given twice in one JSON object (config_get.h: cfg_check_dup_keys).
 * json-c keeps the last of two silently and its tokener has no option to
 * refuse them, so a second "hold_time" further down a long file would win
 * over the one the operator reads. This walks the text json-c has accepted
 * already (strict mode, so the structure is sound and the nesting at most
 * json-c's depth of 32): it only has to find each object's keys, compare
 * them as json-c decodes them ("hold\u005ftime" is hold_time) and name the
 * second by its JSON path.
 */
#include <string.h>

#include <json-c/json.h>

#include "common/config_get.h"

/* An object's keys are compared one by one up to this many, then hashed. */
#define DK_SMALL 16

struct dk_walk {
	struct cctx *c;
	const char *s, *end;
	struct json_tokener *tok;
	struct json_object *held; /* decoded keys that had escapes: live until the walk ends */
};

/* Where the walk is, for the message: an object's key, or an array's index (key NULL). */
struct dk_frame {
	const struct dk_frame *up;
	const char *key;
	size_t klen, idx;
};

struct dk_key {
	const char *p;
	size_t len;
};

struct dk_keys {
	struct dk_key small[DK_SMALL];
	size_t n;
	struct cfg_uniq big;
};

static int walk_value(struct dk_walk *w, const struct dk_frame *f);

static void skip_ws(struct dk_walk *w)
{
	while (w->s < w->end && (*w->s == ' ' || *w->s == '\t' || *w->s == '\n' || *w->s == '\r'))
		w->s++;
}

/* At a string's opening quote: past its closing one. */
static void skip_string(struct dk_walk *w)
{
	for (w->s++; w->s < w->end && *w->s != '"'; w->s++)
		if (*w->s == '\\')
			w->s++;
	w->s++;
}

/* The path of frame f (the root frame: ""), as the loader writes paths. */
static void frame_path(const struct dk_frame *f, char *out)
{
	char key[JPATH_MAX], shown[JPATH_MAX];
	size_t n;

	if (f->up == NULL) {
		out[0] = '\0';
		return;
	}
	frame_path(f->up, out);
	if (f->key == NULL) {
		cj_path_idx(out, out, f->idx);
		return;
	}
	n = f->klen < sizeof(key) - 1 ? f->klen : sizeof(key) - 1;
	memcpy(key, f->key, n);
	key[n] = '\0';
	cj_key_printable(shown, sizeof(shown), key);
	cj_path_key(out, out, shown);
}

/* The key at the walk's quote, as json-c decodes it: 0, or -1 with the message written. */
static int key_read(struct dk_walk *w, const struct dk_frame *f, struct dk_key *k)
{
	const char *raw = w->s;
	struct json_object *d;
	char p[JPATH_MAX];
	size_t written;

	skip_string(w);
	written = (size_t)(w->s - raw) - 2;
	k->p = raw + 1;
	k->len = written;
	if (memchr(k->p, '\\', k->len) == NULL)
		return 0; /* the common case: the text is the key */
	/* json-c decoded this very text already: only memory can fail */
	json_tokener_reset(w->tok);
	d = json_tokener_parse_ex(w->tok, raw, (int)written + 2);
	if (d == NULL || json_object_array_add(w->held, d) < 0) {
		json_object_put(d);
		return cj_fail(w->c, "", "out of memory");
	}
	k->p = json_object_get_string(d);
	k->len = (size_t)json_object_get_string_len(d);
	if (memchr(k->p, '\0', k->len) == NULL)
		return 0;
	/* shown as written (JSON-escaped, so on one line), cut where long */
	frame_path(f, p);
	return cj_fail(w->c, p, "key \"%.*s\" holds a NUL character (want keys as docs/config.md "
		       "names them)", (int)(written < 60 ? written : 60), raw + 1);
}

/* 1 when k is among ks already, 0 when added, -1 out of memory. */
static int keys_put(struct dk_keys *ks, const struct dk_key *k)
{
	const struct cfg_uniq_slot *seen;
	int r;

	if (ks->n < DK_SMALL) {
		for (size_t i = 0; i < ks->n; i++)
			if (ks->small[i].len == k->len && memcmp(ks->small[i].p, k->p, k->len) == 0)
				return 1;
		ks->small[ks->n++] = *k;
		return 0;
	}
	if (ks->n == DK_SMALL && ks->big.n == 0)
		for (size_t i = 0; i < DK_SMALL; i++)
			if (cfg_uniq_put(&ks->big, ks->small[i].p, ks->small[i].len, i, 0, &seen) < 0)
				return -1;
	r = cfg_uniq_put(&ks->big, k->p, k->len, ks->n, 0, &seen);
	ks->n += r == 0;
	return r;
}

static int walk_member(struct dk_walk *w, const struct dk_frame *f, struct dk_keys *ks)
{
	struct dk_frame in = { f, NULL, 0, 0 };
	struct dk_key k;
	char p[JPATH_MAX];
	int r;

	if (key_read(w, f, &k) < 0)
		return -1;
	in.key = k.p;
	in.klen = k.len;
	if ((r = keys_put(ks, &k)) < 0)
		return cj_fail(w->c, "", "out of memory");
	if (r == 1) {
		frame_path(&in, p);
		return cj_fail(w->c, p, "key given twice in one object (want each key once: only "
			       "the last would count)");
	}
	skip_ws(w);
	w->s++; /* ':' */
	return walk_value(w, &in);
}

static int walk_object(struct dk_walk *w, const struct dk_frame *f)
{
	struct dk_keys ks = { .n = 0 };
	int r = 0;

	for (w->s++; r == 0; ) {
		skip_ws(w);
		if (w->s >= w->end || *w->s == '}')
			break;
		if (*w->s == ',')
			w->s++;
		else
			r = walk_member(w, f, &ks);
	}
	w->s++;
	cfg_uniq_free(&ks.big);
	return r;
}

static int walk_array(struct dk_walk *w, const struct dk_frame *f)
{
	struct dk_frame in = { f, NULL, 0, 0 };

	for (w->s++;;) {
		skip_ws(w);
		if (w->s >= w->end || *w->s == ']')
			break;
		if (*w->s == ',') {
			w->s++;
			in.idx++;
		} else if (walk_value(w, &in) < 0) {
			return -1;
		}
	}
	w->s++;
	return 0;
}

static int walk_value(struct dk_walk *w, const struct dk_frame *f)
{
	skip_ws(w);
	if (w->s >= w->end)
		return 0;
	if (*w->s == '{')
		return walk_object(w, f);
	if (*w->s == '[')
		return walk_array(w, f);
	if (*w->s == '"') {
		skip_string(w);
		return 0;
	}
	/* a number, true, false or null */
	while (w->s < w->end && strchr(",]} \t\n\r", *w->s) == NULL)
		w->s++;
	return 0;
}

int cfg_check_dup_keys(struct cctx *c, const char *json, size_t len)
{
	struct dk_walk w = { c, json, json + len, json_tokener_new(), json_object_new_array() };
	struct dk_frame root = { NULL, NULL, 0, 0 };
	int r;

	if (w.tok == NULL || w.held == NULL)
		r = cj_fail(c, "", "out of memory");
	else
		r = walk_value(&w, &root);
	if (w.tok != NULL)
		json_tokener_free(w.tok);
	json_object_put(w.held);
	return r;
}
