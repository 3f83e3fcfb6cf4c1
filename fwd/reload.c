/*
 * fwd's part of a node's reload (reload.h): the file read again through
 * the start's own loading (fwd_boot_load, which main.c starts with too, so
 * -o and -r weigh the same), then compared setting by setting with what
 * fwd runs. The first difference is named as the config names it, old and
 * new value, which is what an operator needs to know which restart the
 * edit asks for. Only fwd's part is compared: a VRF or a neighbor changed
 * is vrfmgr's or bgpd's, which their own checks judge.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "common/plural.h"
#include "common/prefix.h"
#include "fwd/options.h"
#include "fwd/reload.h"

int fwd_boot_load(const struct fwd_boot *b, struct ferry_config *cfg, char *err, size_t len)
{
	char why[256];

	if (config_load(b->file, cfg, err, len) < 0)
		return -1;
	for (size_t i = 0; i < b->n_overrides; i++)
		if (fwd_option_apply(cfg, b->overrides[i], err, len) < 0)
			goto fail;
	if (b->run_dir != NULL && config_run_dir_set(cfg, b->run_dir, why, sizeof(why)) < 0) {
		snprintf(err, len, "fwd: %s", why);
		goto fail;
	}
	return 0;
fail:
	config_free(cfg);
	return -1;
}

/* The first difference seen, "PATH: OLD -> NEW", in out. */
struct diff {
	char *out;
	size_t len;
	bool found;
};

static void differ(struct diff *d, const char *path, const char *a, const char *b)
{
	if (d->found || strcmp(a, b) == 0)
		return;
	snprintf(d->out, d->len, "%s: %s -> %s", path, a, b);
	d->found = true;
}

static void differ_u32(struct diff *d, const char *path, uint32_t a, uint32_t b)
{
	char x[16], y[16];

	snprintf(x, sizeof(x), "%u", a);
	snprintf(y, sizeof(y), "%u", b);
	differ(d, path, x, y);
}

/* A name or a path, quoted as the loader's messages quote what the file says. */
static void differ_str(struct diff *d, const char *path, const char *a, const char *b)
{
	char x[CFG_PATH_MAX * 3], y[CFG_PATH_MAX * 3];

	snprintf(x, sizeof(x), "\"%s\"", a);
	snprintf(y, sizeof(y), "\"%s\"", b);
	differ(d, path, x, y);
}

static void differ_ipv4(struct diff *d, const char *path, uint32_t a, uint32_t b)
{
	char x[IPV4_STRLEN], y[IPV4_STRLEN];

	differ(d, path, ipv4_format(a, x), ipv4_format(b, y));
}

static void differ_count(struct diff *d, const char *path, size_t a, size_t b)
{
	char x[32], y[32];

	snprintf(x, sizeof(x), "%zu %s", a, plural(a, "entry", "entries"));
	snprintf(y, sizeof(y), "%zu %s", b, plural(b, "entry", "entries"));
	differ(d, path, x, y);
}

/* "fwd.lfib[2].next_hop" into buf (64 bytes). */
static const char *at(char *buf, const char *list, size_t i, const char *key)
{
	snprintf(buf, 64, "%s[%zu].%s", list, i, key);
	return buf;
}

static void differ_core_ifs(struct diff *d, const struct cfg_fwd *a, const struct cfg_fwd *b)
{
	static const char *const list = "fwd.core_interfaces";
	char p[64], x[PREFIX4_STRLEN], y[PREFIX4_STRLEN];

	differ_count(d, list, a->n_core_interfaces, b->n_core_interfaces);
	for (size_t i = 0; !d->found && i < a->n_core_interfaces; i++) {
		const struct cfg_core_if *o = &a->core_interfaces[i], *n = &b->core_interfaces[i];

		differ_str(d, at(p, list, i, "name"), o->name, n->name);
		differ(d, at(p, list, i, "address"), prefix4_format(&o->address, x),
		       prefix4_format(&n->address, y));
	}
}

static const char *lfib_action_name(enum cfg_lfib_action a)
{
	return a == CFG_LFIB_POP ? "pop" : "swap";
}

static void differ_lfib(struct diff *d, const struct cfg_fwd *a, const struct cfg_fwd *b)
{
	static const char *const list = "fwd.lfib";
	char p[64];

	differ_count(d, list, a->n_lfib, b->n_lfib);
	for (size_t i = 0; !d->found && i < a->n_lfib; i++) {
		const struct cfg_lfib_entry *o = &a->lfib[i], *n = &b->lfib[i];

		differ_u32(d, at(p, list, i, "in_label"), o->in_label, n->in_label);
		differ(d, at(p, list, i, "action"), lfib_action_name(o->action),
		       lfib_action_name(n->action));
		differ_u32(d, at(p, list, i, "out_label"), o->out_label, n->out_label);
		differ_ipv4(d, at(p, list, i, "next_hop"), o->next_hop, n->next_hop);
		differ_str(d, at(p, list, i, "interface"), o->interface, n->interface);
	}
}

static void differ_section(struct diff *d, const struct cfg_fwd *a, const struct cfg_fwd *b)
{
	static const char *const modes[] = { [CFG_FWD_PE] = "pe", [CFG_FWD_LSR] = "lsr" };
	static const char *const ios[] = { [CFG_FWD_IO_AF_PACKET] = "af_packet",
					   [CFG_FWD_IO_AF_XDP] = "af_xdp" };
	static const char *const rings[] = { [CFG_FWD_RX_BLOCKS] = "blocks",
					     [CFG_FWD_RX_FRAMES] = "frames" };

	differ(d, "fwd.mode", modes[a->mode], modes[b->mode]);
	differ(d, "fwd.io", ios[a->io], ios[b->io]);
	differ(d, "fwd.rx_ring", rings[a->rx_ring], rings[b->rx_ring]);
	differ_u32(d, "fwd.workers", a->workers, b->workers);
	differ_u32(d, "fwd.arp_timeout", a->arp_timeout, b->arp_timeout);
	differ_core_ifs(d, a, b);
	differ_lfib(d, a, b);
}

/* fwd's TCP listener, set up once at start (api_server_configure "fwd"). */
static void differ_api(struct diff *d, const struct cfg_api *a, const struct cfg_api *b)
{
	differ_ipv4(d, "api.listen", a->listen, b->listen);
	differ_u32(d, "api.ports.fwd", a->port_fwd, b->port_fwd);
	differ_str(d, "api.tls.cert", a->tls_cert, b->tls_cert);
	differ_str(d, "api.tls.key", a->tls_key, b->tls_key);
	differ_str(d, "api.token_file", a->token_file, b->token_file);
}

bool fwd_reload_diff(const struct ferry_config *run, const struct ferry_config *nc, char *out,
		     size_t len)
{
	struct diff d = { out, len, false };

	differ_str(&d, "router.name", run->name, nc->name);
	differ_str(&d, "router.run_dir", run->run_dir, nc->run_dir);
	differ_section(&d, &run->fwd, &nc->fwd);
	differ_api(&d, &run->api, &nc->api);
	return d.found;
}

enum fwd_reload_verdict fwd_reload_check(const struct fwd_boot *b, char *why, size_t len)
{
	struct ferry_config nc;
	char what[CFG_PATH_MAX * 8];
	bool changed;

	if (fwd_boot_load(b, &nc, why, len) < 0)
		return FWD_RELOAD_BAD_FILE;
	changed = fwd_reload_diff(b->cfg, &nc, what, sizeof(what));
	config_free(&nc);
	if (!changed) {
		snprintf(why, len, "nothing for fwd to do");
		return FWD_RELOAD_NOTHING;
	}
	snprintf(why, len, "%s: %s; that needs a restart of fwd (it takes its part of the file "
		 "only at start)", config_file_name(b->cfg->path), what);
	return FWD_RELOAD_CHANGED;
}

int fwd_reload_warnings(const struct fwd_boot *b, fwd_reload_warn_fn each, void *arg)
{
	struct ferry_config nc;
	char err[512], warning[512];
	int n = 0;

	if (fwd_boot_load(b, &nc, err, sizeof(err)) < 0)
		return -1;
	for (size_t i = 0; i < nc.n_vrfs; i++)
		for (size_t j = 0; j < nc.vrfs[i].n_interfaces; j++) {
			const char *name = nc.vrfs[i].interfaces[j].name;

			if (if_nametoindex(name) != 0)
				continue;
			/* the element by path, then named, as the loader's errors have it */
			snprintf(warning, sizeof(warning),
				 "vrfs[%zu].interfaces[%zu].name (VRF %s): no interface \"%s\" here: "
				 "the VRF forwards nothing through it until it appears (fwd opens it "
				 "then)", i, j, nc.vrfs[i].name, name);
			each(arg, warning, nc.vrfs[i].name, name);
			n++;
		}
	config_free(&nc);
	return n;
}
