/*
 * The names of the VRFs vrfmgr's events are about (api_events.c), taken
 * when an event is published: a FIB or label event read later names the
 * VRF it was about even once that VRF is gone (its FIB dels and label dels
 * come as a reload removes it) or its id is another's (ids are reused, the
 * lowest free one). A name is shared by the records that hold it, counted,
 * and freed with the last; the table keeps one per VRF id for the VRF that
 * holds the id now, let go when the dataplane hears of a VRF with that id
 * being added or removed.
 */
#include <stdlib.h>
#include <string.h>

#include "vrfmgr/api_events_int.h"
#include "vrfmgr/vrf.h"

static struct vrfapi_name *name_new(const char *s)
{
	size_t len = strlen(s);
	struct vrfapi_name *n = malloc(sizeof(*n) + len + 1);

	if (n != NULL) {
		n->refs = 1;
		memcpy(n->name, s, len + 1);
	}
	return n;
}

const struct vrfapi_name *vrfapi_name_ref(const struct vrfapi_name *n)
{
	if (n != NULL)
		((struct vrfapi_name *)n)->refs++;
	return n;
}

void vrfapi_name_put(const struct vrfapi_name *n)
{
	struct vrfapi_name *m = (struct vrfapi_name *)n;

	if (m != NULL && --m->refs == 0)
		free(m);
}

/* The slot of id, the table grown to hold it; NULL on ENOMEM. */
static struct vrfapi_name **slot_of(struct vrfapi_names *ns, uint32_t id)
{
	if (id >= ns->n) {
		size_t n = (size_t)id + 1 > 2 * ns->n ? (size_t)id + 1 : 2 * ns->n;
		struct vrfapi_name **by_id = realloc(ns->by_id, n * sizeof(*by_id));

		if (by_id == NULL)
			return NULL;
		memset(by_id + ns->n, 0, (n - ns->n) * sizeof(*by_id));
		ns->by_id = by_id;
		ns->n = n;
	}
	return &ns->by_id[id];
}

const struct vrfapi_name *vrfapi_name_of(struct vrfapi_names *ns, struct vrf_table *t, uint32_t id)
{
	struct vrfapi_name **slot;
	const struct vrf *v;

	if (id < ns->n && ns->by_id[id] != NULL)
		return ns->by_id[id];
	v = vrf_by_id(t, id);
	if (v == NULL || v->cfg == NULL || (slot = slot_of(ns, id)) == NULL)
		return NULL;
	*slot = name_new(v->cfg->name);
	return *slot;
}

void vrfapi_names_forget(struct vrfapi_names *ns, uint32_t id)
{
	if (id < ns->n) {
		vrfapi_name_put(ns->by_id[id]);
		ns->by_id[id] = NULL;
	}
}

void vrfapi_names_free(struct vrfapi_names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		vrfapi_name_put(ns->by_id[i]);
	free(ns->by_id);
	ns->by_id = NULL;
	ns->n = 0;
}
