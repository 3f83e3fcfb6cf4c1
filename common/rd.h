/*
 * Route distinguishers (RFC 4364 §4.2) and route-target extended communities
 * (RFC 4360 §4, RFC 5668). Both are 8-byte values kept in wire form, so they
 * are compared with memcmp and copied to and from the wire without
 * conversion. The three textual forms are shared:
 *   type 0: ASN2:NN    65000:100        (2-byte AS, 4-byte number)
 *   type 1: IPv4:NN    10.255.0.1:100   (IPv4 address, 2-byte number)
 *   type 2: ASN4:NN    4200000000:7     (4-byte AS, 2-byte number)
 *           ASNL:NN    65000L:7         (the same for an AS below 65536)
 * An AS number that fits in 2 bytes gives type 0 unless it carries the L. Numbers are decimal
 * without leading zeros (rd_parse and rt_parse refuse "065000:01").
 */
#ifndef FERRY_RD_H
#define FERRY_RD_H

#include <stdbool.h>
#include <stdint.h>

#define RD_STRLEN 32

struct rd {
	uint8_t b[8]; /* wire form: 2-byte type, 6-byte value */
};

struct ext_community {
	uint8_t b[8]; /* wire form: type, subtype, 6-byte value */
};

/* Extended community type/subtype octets for route targets. */
#define EXTCOM_TYPE_AS2 0x00
#define EXTCOM_TYPE_IPV4 0x01
#define EXTCOM_TYPE_AS4 0x02
#define EXTCOM_SUBTYPE_RT 0x02

int rd_parse(const char *s, struct rd *rd);          /* 0 or -EINVAL */
const char *rd_format(const struct rd *rd, char *buf); /* RD_STRLEN; unknown types as "type:hex" */
int rd_type(const struct rd *rd);
bool rd_equal(const struct rd *a, const struct rd *b);

/*
 * A route target in any of the three forms, numbers in decimal without
 * leading zeros; an optional "rt:" / "target:" prefix (lower case) is accepted.
 */
int rt_parse(const char *s, struct ext_community *rt);
bool extcom_is_rt(const struct ext_community *c);
/* Route targets as "65000:100"; other communities as "0xTTSS:hex". */
const char *extcom_format(const struct ext_community *c, char *buf); /* RD_STRLEN */
bool extcom_equal(const struct ext_community *a, const struct ext_community *b);

#endif
