/*
 * What bgpd asks its peers for (RFC 4684 route target constraint): the set
 * of route targets any local VRF imports, each once, sent to bgpd as one
 * IPC_RT_IMPORTS message inside every replay and again whenever the set
 * changes (a reload adding or removing a VRF or an import RT). bgpd turns
 * each into a membership route; one it no longer finds is withdrawn. The
 * set is sorted, so "changed" is one comparison. A set larger than one
 * message holds is sent as IPC_RT_IMPORTS_ALL (bgpd asks for everything):
 * leaving RTs out would leave their VRFs without routes.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/plural.h"
#include "vrfmgr/vrfmgr.h"

static int rt_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ext_community));
}

/* The import RTs of the VRFs in t (not those being torn down), sorted, each once. */
static struct ext_community *imports_collect(const struct vrf_table *t, size_t *n_out)
{
	struct ext_community *v;
	size_t n = 0, total = 0;

	for (size_t i = 0; i < t->n_vrfs; i++)
		if (t->vrfs[i].cfg && !t->vrfs[i].dying)
			total += t->vrfs[i].cfg->n_import_rts;
	v = malloc((total ? total : 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < t->n_vrfs; i++) {
		const struct vrf *vrf = &t->vrfs[i];

		if (vrf->cfg && !vrf->dying) {
			memcpy(v + n, vrf->cfg->import_rts, vrf->cfg->n_import_rts * sizeof(*v));
			n += vrf->cfg->n_import_rts;
		}
	}
	qsort(v, n, sizeof(*v), rt_cmp);
	*n_out = 0;
	for (size_t i = 0; i < n; i++)
		if (*n_out == 0 || rt_cmp(&v[*n_out - 1], &v[i]) != 0)
			v[(*n_out)++] = v[i];
	return v;
}

static bool imports_same(const struct bgpd_link *bl, const struct ext_community *v, size_t n)
{
	return bl->imports != NULL && bl->n_imports == n &&
	       (n == 0 || memcmp(bl->imports, v, n * sizeof(*v)) == 0);
}

size_t rt_imports_header(size_t n, struct ipc_rt_imports *h)
{
	h->flags = n > IPC_RT_IMPORTS_MAX ? IPC_RT_IMPORTS_ALL : 0;
	h->n_rts = h->flags ? 0 : (uint32_t)n;
	return h->n_rts;
}

void bgpd_link_imports(struct vrfmgr *vm, bool force)
{
	struct bgpd_link *bl = &vm->bgp;
	struct ipc_rt_imports h;
	struct ext_community *v;
	size_t n;
	int rc;

	if ((v = imports_collect(&vm->table, &n)) == NULL) {
		log_warn("import route targets for bgpd");
		return;
	}
	if (!force && imports_same(bl, v, n)) {
		free(v);
		return;
	}
	free(bl->imports);
	bl->imports = v;
	bl->n_imports = n;
	if (bl->conn == NULL || bl->conn->dead)
		return; /* the next replay sends them */
	if (rt_imports_header(n, &h) < n)
		log_warnx("bgpd: %zu import route targets, more than the %zu one message holds: "
			  "peers with route target constraint are asked for every VPN route", n,
			  (size_t)IPC_RT_IMPORTS_MAX);
	rc = hub_send2(bl->conn, IPC_RT_IMPORTS, &h, sizeof(h), v, h.n_rts * (uint32_t)sizeof(*v));
	if (rc == 0 && !force)
		log_info("bgpd: told %zu import route %s (route target constraint)", n,
			 plural(n, "target", "targets"));
}

void bgpd_link_imports_free(struct vrfmgr *vm)
{
	free(vm->bgp.imports);
	vm->bgp.imports = NULL;
	vm->bgp.n_imports = 0;
}
