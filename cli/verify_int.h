/*
 * Inside ferryctl verify (verify.c): the report being built, the helpers
 * every check uses, and the checks, by where they look: the daemons'
 * tables against each other (verify_tables.c), the dataplane's links and
 * devices (verify_dataplane.c).
 */
#ifndef FERRY_CLI_VERIFY_INT_H
#define FERRY_CLI_VERIFY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "cli/cli.h"

/* The checks, in the order they are reported. */
enum {
	VF_BGP_VPN,
	VF_IMPORT,
	VF_EXPORTS,
	VF_FIB,
	VF_LFIB,
	VF_LINKS,
	VF_KERNEL,
	NCHECKS
};

struct verify {
	struct json_object *found; /* array of {check, key, problem} */
	int n[NCHECKS];
	int compared[NCHECKS];
	/* what agrees but does not forward (a VRF's link fwd cannot open): not an inconsistency */
	struct json_object *warned; /* array of {check, key, problem} */
	int warnings[NCHECKS];
};

/* a's ka and b's kb are the same string, or both missing. */
bool vf_same(struct json_object *a, const char *ka, struct json_object *b, const char *kb);
/* Elements of an array (0 for anything else). */
size_t vf_len_of(struct json_object *a);
bool vf_contains(struct json_object *arr, const char *s);
/* An inconsistency of check (key: what it is about), or a warning. */
void vf_found(struct verify *v, int check, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void vf_warned(struct verify *v, int check, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Rows of arr keyed by "a:b" of two fields, in a JSON object used as a map. */
struct json_object *vf_index_by(struct json_object *arr, const char *k1, const char *k2);
/* A label cell as ferryctl prints it (buf: 16 bytes). */
char *vf_lbl(struct json_object *o, const char *key, char *buf);

/* verify_tables.c: vroutes is vrfmgr's /routes by "VRF:prefix". */
void vf_check_bgp_vpn(struct verify *v, const struct cli_verify_docs *d);
void vf_check_import(struct verify *v, const struct cli_verify_docs *d);
void vf_check_exports(struct verify *v, const struct cli_verify_docs *d,
		      struct json_object *vroutes);
void vf_check_fib(struct verify *v, const struct cli_verify_docs *d, struct json_object *vroutes);
void vf_check_lfib(struct verify *v, const struct cli_verify_docs *d);

/* verify_dataplane.c */
void vf_check_links(struct verify *v, const struct cli_verify_docs *d);
void vf_check_kernel(struct verify *v, const struct cli_verify_docs *d);
/* vrfmgr's /vrfs is a kernel dataplane's (its VRFs have kernel_device). */
bool vf_kernel_pe(struct json_object *vrfs_doc);

#endif
