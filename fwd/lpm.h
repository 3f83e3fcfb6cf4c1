/*
 * IPv4 longest-prefix match, one table per VRF. Maps prefix/len to an opaque
 * non-NULL value (the FIB entry); the table never looks inside values.
 */
#ifndef FERRY_FWD_LPM_H
#define FERRY_FWD_LPM_H

#include <stddef.h>
#include <stdint.h>

struct lpm;

struct lpm *lpm_new(void);
/* Frees the table; free_value (may be NULL) is called once per stored value. */
void lpm_free(struct lpm *t, void (*free_value)(void *value, void *ctx), void *ctx);

/*
 * Adds prefix/plen (host bits are ignored) or replaces its value; *old (if
 * not NULL) receives the replaced value, or NULL when the prefix is new.
 * 0, -EINVAL (plen > 32 or value NULL) or -ENOMEM.
 */
int lpm_add(struct lpm *t, uint32_t prefix, uint8_t plen, void *value, void **old);
/* Removes prefix/plen and returns its value, or NULL when it is not there. */
void *lpm_delete(struct lpm *t, uint32_t prefix, uint8_t plen);
/* Exact match: the value stored for prefix/plen, or NULL. */
void *lpm_get(const struct lpm *t, uint32_t prefix, uint8_t plen);
/* Longest match for addr, or NULL. */
void *lpm_lookup(const struct lpm *t, uint32_t addr);
size_t lpm_count(const struct lpm *t);

/*
 * Calls cb for every stored prefix (order unspecified) until cb returns
 * non-zero, which lpm_walk then returns. cb must not modify the table.
 */
typedef int (*lpm_walk_cb)(uint32_t prefix, uint8_t plen, void *value, void *ctx);
int lpm_walk(const struct lpm *t, lpm_walk_cb cb, void *ctx);

#endif
