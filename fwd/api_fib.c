/*
 * fwd's GET /fib[?vrf=NAME] (docs/api.md), streamed. A FIB of a million
 * routes is ~160 MB of JSON and was written in one go: the control thread
 * (the packet path too, without workers) stopped for over a second and held
 * the whole reply. Now each VRF's keys are taken when the walk reaches it
 * (fib_entries: sorted by prefix, then length, 24 bytes a route) and written
 * ~API_CHUNK at a time, the event loop running in between; each key is
 * looked up again when it is written, so a route removed meanwhile is left
 * out and one changed is written as it is now. A route added to a VRF
 * after the walk reached it is not in this answer.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/api.h"
#include "common/log.h"
#include "fwd/api_extra.h"
#include "fwd/fib.h"
#include "fwd/fwd.h"
#include "fwd/lpm.h"

struct fib_walk {
	struct fwd *f;
	bool only;                 /* ?vrf=: that VRF alone */
	uint32_t vrf_id;           /* the VRF walked, found again by id and name each fill */
	char name[IPC_NAME_MAX];
	struct fib_entry *keys;    /* its routes when the walk reached it; NULL: none */
	size_t n, i;
	bool done;                 /* no VRF left */
	bool failed;               /* a VRF's keys could not be allocated */
};

/* The VRF the walk is in when it is still there under its name, else NULL. */
static const struct fwd_vrf *walk_vrf(const struct fib_walk *fw)
{
	const struct fwd_vrf *v = fw->vrf_id < fw->f->vrf_cap ? fw->f->vrfs[fw->vrf_id] : NULL;

	return v != NULL && strcmp(v->name, fw->name) == 0 ? v : NULL;
}

/* Moves to the next VRF (by id) and takes its keys; false at the end. */
static bool walk_next_vrf(struct fib_walk *fw, bool first)
{
	free(fw->keys);
	fw->keys = NULL;
	if (fw->only && !first) {
		fw->done = true;
		return false;
	}
	for (uint32_t id = first ? fw->vrf_id : fw->vrf_id + 1; id < fw->f->vrf_cap; id++) {
		const struct fwd_vrf *v = fw->f->vrfs[id];

		if (v == NULL)
			continue;
		fw->vrf_id = id;
		memcpy(fw->name, v->name, sizeof(fw->name));
		fw->keys = fib_entries(fw->f, v, &fw->n);
		fw->i = 0;
		fw->failed = fw->keys == NULL && fib_count(v) > 0;
		return true;
	}
	fw->done = true;
	return false;
}

/* Writes the VRF's routes from fw->i until budget_end; true when the VRF is done. */
static bool walk_write(struct jw *w, struct fib_walk *fw, const struct fwd_vrf *v,
		       size_t budget_end)
{
	for (; fw->i < fw->n; fw->i++) {
		const struct fib_entry *k = &fw->keys[fw->i];
		uint32_t id;
		struct fib_entry e;

		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return false;
		if ((id = lpm_get(v->lpm, k->prefix, k->plen, NULL)) == 0)
			continue; /* removed since the keys were taken */
		e = *k;
		e.nh = fib_result_of(fw->f->res, id)->nh;
		e.inner_label = fib_result_of(fw->f->res, id)->inner_label;
		if (e.nh != NULL)
			fwd_api_fib_entry(w, v, &e);
	}
	return true;
}

static enum api_fill fib_fill(struct jw *w, void *state)
{
	struct fib_walk *fw = state;
	size_t budget_end = evbuffer_get_length(w->out) + w->staged + API_CHUNK;

	while (!fw->done) {
		const struct fwd_vrf *v = walk_vrf(fw);

		if (fw->failed) {
			/* cut short, so the client sees an incomplete answer, not a quietly shorter one */
			log_warnx("api: /fib: no memory for the keys of VRF %s: reply cut", fw->name);
			return API_FILL_ABORT;
		}
		if (v != NULL && fw->keys != NULL && !walk_write(w, fw, v, budget_end))
			return API_FILL_MORE;
		if (!walk_next_vrf(fw, false))
			break;
		if (evbuffer_get_length(w->out) + w->staged >= budget_end)
			return API_FILL_MORE;
	}
	jw_array_end(w);
	jw_object_end(w);
	return API_FILL_DONE;
}

static void fib_release(void *state)
{
	struct fib_walk *fw = state;

	free(fw->keys);
	free(fw);
}

int fwd_api_fib(struct jw *w, const struct api_request *req, void *ctx)
{
	struct fwd *f = ctx;
	const char *name = api_query_get(req, "vrf");
	const struct fwd_vrf *only = NULL;
	struct fib_walk *fw;

	if (name != NULL && (only = fib_vrf_by_name(f, name)) == NULL)
		return api_param_error(w, 404, "vrf", "no VRF named \"%s\"", name);
	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return api_error(w, 503, "out of memory");
	fw->f = f;
	fw->only = only != NULL;
	fw->vrf_id = only != NULL ? only->id : 0;
	jw_object_begin(w);
	jw_key(w, "fib");
	jw_array_begin(w);
	walk_next_vrf(fw, true); /* none: done, and the first fill closes the array */
	return api_stream(w, req, fib_fill, fib_release, fw, NULL);
}
