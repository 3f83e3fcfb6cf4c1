/*
 * ferryctl verify's checks of the dataplane's own objects: the links a VRF
 * binds are fwd's (vrfmgr -> fwd links), or on a kernel dataplane the VRF
 * devices and their links (vrfmgr -> kernel).
 */
#include <stdio.h>
#include <string.h>

#include "cli/verify_int.h"

/*
 * Each link a VRF binds in vrfmgr is one fwd holds in that VRF. One fwd
 * holds but cannot open (a name mistyped in the config, a link not made
 * yet) agrees with vrfmgr, yet cuts the VRF's CEs off: a warning.
 */
void vf_check_links(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");
	struct json_object *ifaces = cli_json_get(d->ifaces, "interfaces");

	for (size_t i = 0; i < vf_len_of(vrfs); i++) {
		struct json_object *vrf = json_object_array_get_idx(vrfs, i);
		struct json_object *links = cli_json_get(vrf, "interfaces");

		for (size_t k = 0; k < vf_len_of(links); k++) {
			struct json_object *l = json_object_array_get_idx(links, k), *f = NULL;
			const char *name = cli_json_text(l, "name"), *vname = cli_json_text(vrf, "name");

			v->compared[VF_LINKS]++;
			for (size_t j = 0; j < vf_len_of(ifaces) && f == NULL; j++)
				if (vf_same(json_object_array_get_idx(ifaces, j), "name", l, "name"))
					f = json_object_array_get_idx(ifaces, j);
			if (f == NULL)
				vf_found(v, VF_LINKS, name, "VRF %s binds it, fwd does not know it", vname);
			else if (strcmp(cli_json_text(f, "state"), "up") != 0)
				vf_warned(v, VF_LINKS, name, "VRF %s binds it, fwd has it %s (the link is missing "
				       "or fwd could not open it: see fwd's log)", vname,
				       cli_json_text(f, "state"));
			else if (!vf_same(f, "vrf", vrf, "name"))
				vf_found(v, VF_LINKS, name, "VRF %s binds it, fwd has it in VRF %s", vname,
				      cli_json_text(f, "vrf"));
		}
	}
}

/* ---- vrfmgr -> kernel --------------------------------------------------------------- */

/* vrfmgr runs the kernel dataplane: its VRFs carry their devices. */
bool vf_kernel_pe(struct json_object *vrfs_doc)
{
	struct json_object *vrfs = cli_json_get(vrfs_doc, "vrfs");

	for (size_t i = 0; i < vf_len_of(vrfs); i++)
		if (cli_json_get(json_object_array_get_idx(vrfs, i), "kernel_device") != NULL)
			return true;
	return false;
}

/* What a device's state other than "present" means, for the report. */
static const char *device_state_why(const char *state)
{
	static const char *const why[][2] = {
		{ "down", "set down behind vrfmgr's back, not up again yet" },
		{ "waiting", "deleted behind vrfmgr's back, not made again yet" },
		{ "given_up", "vrfmgr gave up putting it right: see its log" },
		{ "missing", "the kernel refused it: see vrfmgr's log" },
	};

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strcmp(state, why[i][0]) == 0)
			return why[i][1];
	return "not a state verify knows";
}

static const char *link_state_why(const char *state)
{
	return strcmp(state, "waiting") == 0
		       ? "taken out of it, or its device deleted: down until vrfmgr puts the VRF right"
		       : strcmp(state, "unbound") == 0
				 ? "no such link, or the kernel refused the bind: see vrfmgr's log"
				 : "not a state verify knows";
}

static struct json_object *named(struct json_object *arr, struct json_object *like)
{
	for (size_t i = 0; i < vf_len_of(arr); i++)
		if (vf_same(json_object_array_get_idx(arr, i), "name", like, "name"))
			return json_object_array_get_idx(arr, i);
	return NULL;
}

/* The interfaces vrf binds, each bound in its device; a link the device has that vrf does not bind. */
static void check_kernel_links(struct verify *v, struct json_object *vrf, struct json_object *dev)
{
	struct json_object *want = cli_json_get(vrf, "interfaces"), *have = cli_json_get(dev, "links");
	const char *vname = cli_json_text(vrf, "name");

	for (size_t k = 0; k < vf_len_of(want); k++) {
		struct json_object *w = json_object_array_get_idx(want, k), *l = named(have, w);
		const char *name = cli_json_text(w, "name");

		v->compared[VF_KERNEL]++;
		if (l == NULL)
			vf_found(v, VF_KERNEL, name, "VRF %s binds it, the kernel dataplane does not",
			      vname);
		else if (strcmp(cli_json_text(l, "state"), "bound") != 0)
			vf_found(v, VF_KERNEL, name, "VRF %s binds it, the kernel dataplane has it %s "
			      "(%s)", vname, cli_json_text(l, "state"),
			      link_state_why(cli_json_text(l, "state")));
	}
	for (size_t k = 0; k < vf_len_of(have); k++) {
		struct json_object *l = json_object_array_get_idx(have, k);

		if (named(want, l) == NULL)
			vf_found(v, VF_KERNEL, cli_json_text(l, "name"), "the kernel dataplane binds it "
			      "to VRF %s, which does not", vname);
	}
}

/*
 * Each VRF's device there and up, and its links in it. What the kernel
 * dataplane knows from the kernel's link events (a device deleted, set down,
 * a link taken out: vrfmgr puts them right, at once or after a backoff), not
 * the kernel's route tables.
 */
void vf_check_kernel(struct verify *v, const struct cli_verify_docs *d)
{
	struct json_object *vrfs = cli_json_get(d->vrfs, "vrfs");

	for (size_t i = 0; i < vf_len_of(vrfs); i++) {
		struct json_object *vrf = json_object_array_get_idx(vrfs, i);
		struct json_object *dev = cli_json_get(vrf, "kernel_device");
		const char *vname = cli_json_text(vrf, "name"), *state;

		v->compared[VF_KERNEL]++;
		if (dev == NULL) {
			vf_found(v, VF_KERNEL, vname, "VRF %s has no kernel device in vrfmgr's answer",
			      vname);
			continue;
		}
		state = cli_json_text(dev, "state");
		if (strcmp(state, "present") != 0)
			vf_found(v, VF_KERNEL, cli_json_text(dev, "name"), "VRF %s's device is %s (%s)",
			      vname, state, device_state_why(state));
		check_kernel_links(v, vrf, dev);
	}
}
