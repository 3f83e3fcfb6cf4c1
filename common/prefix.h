/*
 * common/: types shared by every ferry daemon (prefixes, route distinguishers,
 * route targets, MPLS label stack entries), parse/format, logging, the
 * bounds-checked wire buffers, the JSON config loader, the typed IPC framing
 * between daemons, the streaming JSON writer and the JSON API server glue.
 *
 * prefix.h: IPv4 addresses and prefixes. Addresses are kept in host byte
 * order everywhere inside ferry; conversion happens only at the wire.
 */
#ifndef FERRY_PREFIX_H
#define FERRY_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPV4_STRLEN 16   /* "255.255.255.255" + NUL */
#define PREFIX4_STRLEN 19 /* "255.255.255.255/32" + NUL */

struct prefix4 {
	uint32_t addr; /* host order; host bits are zero for a route prefix */
	uint8_t len;   /* 0..32 */
};

/* Parses a dotted quad. Returns 0 or -EINVAL. */
int ipv4_parse(const char *s, uint32_t *addr);
/* Formats into buf (IPV4_STRLEN bytes) and returns buf. */
const char *ipv4_format(uint32_t addr, char *buf);

uint32_t prefix4_netmask(uint8_t len);
/* "a.b.c.d/len" with host bits clear. Returns 0, or -EINVAL (bad form or host bits set). */
int prefix4_parse(const char *s, struct prefix4 *p);
/* "a.b.c.d/len" where the address may have host bits (an interface address). */
int ifaddr4_parse(const char *s, struct prefix4 *p);
const char *prefix4_format(const struct prefix4 *p, char *buf); /* PREFIX4_STRLEN */
bool prefix4_contains(const struct prefix4 *p, uint32_t addr);
bool prefix4_equal(const struct prefix4 *a, const struct prefix4 *b);
/* Clears host bits. */
void prefix4_normalize(struct prefix4 *p);

#endif
