/*
 * fwd's part of a node's reload (docs/fwd.md). fwd does not reload: it
 * takes its part of the config file at start. What it can do is say
 * whether the file, read again exactly as at start, still holds what it
 * runs, so that a coordinated reload (scripts/lab reload, ferryctl reload
 * check) refuses a file whose fwd part changed instead of leaving the node
 * running half of it. GET /reload/check (api_reload.c) and SIGHUP (main.c)
 * both ask fwd_reload_check.
 */
#ifndef FERRY_FWD_RELOAD_H
#define FERRY_FWD_RELOAD_H

#include <stddef.h>

#include "common/config.h"

/* How fwd took its config at start: main.c fills it in once. */
struct fwd_boot {
	const char *file;               /* -c FILE */
	const char *run_dir;            /* -r RUN_DIR, or NULL */
	char *const *overrides;         /* -o KEY=VALUE, in the order given */
	size_t n_overrides;
	const struct ferry_config *cfg; /* what fwd runs: fwd_boot_load's result at start */
};

/*
 * Loads b's file as fwd does at start: the loader, then each -o override,
 * then -r. 0, or -1 with the message fwd exits with at start in err and
 * nothing in cfg to free.
 */
int fwd_boot_load(const struct fwd_boot *b, struct ferry_config *cfg, char *err, size_t len);

/*
 * The first setting fwd took at start that differs between run and nc, as
 * "fwd.core_interfaces[1].address: 10.0.2.1/24 -> 10.0.2.1/25" in out;
 * false (out untouched) when none does. fwd's part of the file is its
 * section, router.name (its hello to vrfmgr), router.run_dir (its sockets)
 * and its API listener (api.listen, api.ports.fwd, api.tls, api.token_file);
 * the rest is vrfmgr's and bgpd's to judge.
 */
bool fwd_reload_diff(const struct ferry_config *run, const struct ferry_config *nc, char *out,
		     size_t len);

enum fwd_reload_verdict {
	FWD_RELOAD_NOTHING = 0, /* fwd's part is as it runs: nothing for fwd to do */
	FWD_RELOAD_CHANGED,     /* it changed: that needs a restart of fwd */
	FWD_RELOAD_BAD_FILE,    /* the file does not load (fwd would not restart either) */
};

/*
 * Reads b's file again and compares it with what runs. why gets, for
 * CHANGED, "FILE: SETTING: OLD -> NEW; that needs a restart of fwd (...)",
 * for BAD_FILE the loader's own error, for NOTHING "nothing for fwd to do".
 */
enum fwd_reload_verdict fwd_reload_check(const struct fwd_boot *b, char *why, size_t len);

/*
 * What an accepted file may still get wrong that fwd can see and vrfmgr
 * cannot: a VRF interface (vrfs[].interfaces[].name) that does not exist in
 * fwd's namespace. fwd binds it and installs its routes, but nothing is
 * forwarded through it until it appears, so a typo in a name would cut a
 * customer off with "would apply" and nothing else said. Reads b's file as
 * at start and calls each(arg, warning, vrf, ifname) once per such
 * interface: "vrfs[0].interfaces[0].name (VRF A): no interface \"ce-x1\" here: ...",
 * its VRF's name and its own. Returns how many, or -1 when the file does
 * not load (fwd_reload_check says why).
 */
typedef void (*fwd_reload_warn_fn)(void *arg, const char *warning, const char *vrf,
				   const char *ifname);
int fwd_reload_warnings(const struct fwd_boot *b, fwd_reload_warn_fn each, void *arg);

#endif
