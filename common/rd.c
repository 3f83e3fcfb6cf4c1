/*
 * Route distinguishers (RFC 4364 §4.2) and route-target extended communities
 * (RFC 4360 §4 two-octet AS and IPv4 forms, RFC 5668 four-octet AS form).
 * Both share the "administrator:assigned number" text and the 6-byte value
 * layout, so one parser (admin_nn_parse) turns the text into a type plus the
 * 6 value bytes and the two public parsers only add their type octets.
 * Parsing is strict: empty parts, signs, leading zeros, trailing junk and
 * numbers that do not fit the chosen type are rejected, so printing
 * round-trips parsing (one text per value).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/prefix.h"
#include "common/rd.h"

enum { ADMIN_AS2 = 0, ADMIN_IPV4 = 1, ADMIN_AS4 = 2 };

/*
 * A decimal number made of all of s[0..n), at most max. No leading zero:
 * "065000:01" would be shown back (logs, API, ferryctl) as 65000:1, which is
 * not what the operator wrote or will search for, and 010 reads as octal to
 * inet_aton-minded tools.
 */
static int dec_parse_n(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * "admin:number" -> type (ADMIN_*) and the 6 value bytes shared by RDs and
 * RTs: AS2 = 2-byte AS + 4-byte number; IPv4 and AS4 = 4-byte admin + 2-byte
 * number. An admin with a dot is an IPv4 address; otherwise an AS number,
 * which picks AS2 when it fits in 2 bytes, unless it ends in L (AS4).
 */
static int admin_nn_parse(const char *s, int *type, uint8_t val[6])
{
	const char *colon;
	char admin[IPV4_STRLEN];
	uint64_t as, nn;
	uint32_t ip;
	size_t alen;

	if (s == NULL || (colon = strchr(s, ':')) == NULL)
		return -EINVAL;
	alen = (size_t)(colon - s);
	if (alen == 0 || alen >= sizeof(admin))
		return -EINVAL;
	memcpy(admin, s, alen);
	admin[alen] = '\0';
	if (strchr(admin, '.') != NULL) {
		if (ipv4_parse(admin, &ip) < 0 ||
		    dec_parse_n(colon + 1, strlen(colon + 1), 0xffff, &nn) < 0)
			return -EINVAL;
		*type = ADMIN_IPV4;
		put_be32(val, ip);
		put_be16(val + 4, (uint32_t)nn);
		return 0;
	}
	/*
	 * "65000L:7": a four-octet AS that happens to be below 65536 (type 2),
	 * as Junos writes it; needed only there, so it is refused elsewhere
	 * (one text per value)
	 */
	if (admin[alen - 1] == 'L') {
		if (dec_parse_n(admin, alen - 1, 0xffff, &as) < 0 ||
		    dec_parse_n(colon + 1, strlen(colon + 1), 0xffff, &nn) < 0)
			return -EINVAL;
		*type = ADMIN_AS4;
		put_be32(val, (uint32_t)as);
		put_be16(val + 4, (uint32_t)nn);
		return 0;
	}
	if (dec_parse_n(admin, alen, 0xffffffffu, &as) < 0)
		return -EINVAL;
	if (as <= 0xffff) {
		if (dec_parse_n(colon + 1, strlen(colon + 1), 0xffffffffu, &nn) < 0)
			return -EINVAL;
		*type = ADMIN_AS2;
		put_be16(val, (uint32_t)as);
		put_be32(val + 2, (uint32_t)nn);
		return 0;
	}
	if (dec_parse_n(colon + 1, strlen(colon + 1), 0xffff, &nn) < 0)
		return -EINVAL;
	*type = ADMIN_AS4;
	put_be32(val, (uint32_t)as);
	put_be16(val + 4, (uint32_t)nn);
	return 0;
}

/* The inverse of admin_nn_parse; -1 for a type it does not know. */
static int admin_nn_format(int type, const uint8_t val[6], char *buf)
{
	char ip[IPV4_STRLEN];

	switch (type) {
	case ADMIN_AS2:
		snprintf(buf, RD_STRLEN, "%u:%u", get_be16(val), get_be32(val + 2));
		return 0;
	case ADMIN_IPV4:
		ipv4_format(get_be32(val), ip);
		snprintf(buf, RD_STRLEN, "%s:%u", ip, get_be16(val + 4));
		return 0;
	case ADMIN_AS4:
		snprintf(buf, RD_STRLEN, get_be32(val) <= 0xffff ? "%uL:%u" : "%u:%u", get_be32(val),
			 get_be16(val + 4));
		return 0;
	}
	return -1;
}

static void hex6(const uint8_t v[6], char *out)
{
	snprintf(out, 13, "%02x%02x%02x%02x%02x%02x", v[0], v[1], v[2], v[3], v[4], v[5]);
}

int rd_parse(const char *s, struct rd *rd)
{
	uint8_t val[6];
	int type;

	if (admin_nn_parse(s, &type, val) < 0)
		return -EINVAL;
	put_be16(rd->b, (uint32_t)type);
	memcpy(rd->b + 2, val, 6);
	return 0;
}

const char *rd_format(const struct rd *rd, char *buf)
{
	char hex[13];

	if (admin_nn_format(rd_type(rd), rd->b + 2, buf) < 0) {
		hex6(rd->b + 2, hex);
		snprintf(buf, RD_STRLEN, "%d:%s", rd_type(rd), hex);
	}
	return buf;
}

int rd_type(const struct rd *rd)
{
	return (int)get_be16(rd->b);
}

bool rd_equal(const struct rd *a, const struct rd *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

int rt_parse(const char *s, struct ext_community *rt)
{
	uint8_t val[6];
	int type;

	if (s == NULL)
		return -EINVAL;
	/* exactly as docs/config.md spells them: one text per value, like the numbers */
	if (strncmp(s, "rt:", 3) == 0)
		s += 3;
	else if (strncmp(s, "target:", 7) == 0)
		s += 7;
	if (admin_nn_parse(s, &type, val) < 0)
		return -EINVAL;
	/* ADMIN_* values equal the EXTCOM_TYPE_* octets by construction. */
	rt->b[0] = (uint8_t)type;
	rt->b[1] = EXTCOM_SUBTYPE_RT;
	memcpy(rt->b + 2, val, 6);
	return 0;
}

bool extcom_is_rt(const struct ext_community *c)
{
	return (c->b[0] == EXTCOM_TYPE_AS2 || c->b[0] == EXTCOM_TYPE_IPV4 ||
		c->b[0] == EXTCOM_TYPE_AS4) &&
	       c->b[1] == EXTCOM_SUBTYPE_RT;
}

const char *extcom_format(const struct ext_community *c, char *buf)
{
	char hex[13];

	if (extcom_is_rt(c) && admin_nn_format(c->b[0], c->b + 2, buf) == 0)
		return buf;
	hex6(c->b + 2, hex);
	snprintf(buf, RD_STRLEN, "0x%02x%02x:%s", c->b[0], c->b[1], hex);
	return buf;
}

bool extcom_equal(const struct ext_community *a, const struct ext_community *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}
