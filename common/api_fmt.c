/*
 * The API's most frequent values written without printf: route
 * distinguishers, prefixes and route targets, byte for byte what
 * rd_format / prefix4_format / extcom_format give (test_common_api checks
 * it). A million-route dump writes three or four of these per path, and
 * snprintf was a third of its cost.
 */
#include <string.h>

#include "common/api.h"
#include "common/prefix.h"
#include "common/rd.h"

/* Decimal digits of v ending at end (exclusive); returns where they start. */
static char *utoa_back(uint32_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static char *ipv4_back(uint32_t a, char *end)
{
	for (int i = 0; i < 4; i++) {
		end = utoa_back((a >> (8 * i)) & 0xff, end);
		if (i < 3)
			*--end = '.';
	}
	return end;
}

/* "admin:nn" of types 0, 1, 2 (RFC 4364 §4.2 / RFC 4360) ending at end; NULL for others. */
static char *admin_nn_back(int type, const uint8_t v[6], char *end)
{
	switch (type) {
	case 0:
		end = utoa_back(be32(v + 2), end);
		*--end = ':';
		return utoa_back(be16(v), end);
	case 1:
		end = utoa_back(be16(v + 4), end);
		*--end = ':';
		return ipv4_back(be32(v), end);
	case 2:
		end = utoa_back(be16(v + 4), end);
		*--end = ':';
		if (be32(v) <= 0xffff) /* the four-octet form of a small AS: rd.c's "65000L:7" */
			*--end = 'L';
		return utoa_back(be32(v), end);
	}
	return NULL;
}

void api_rd(struct jw *w, const struct rd *rd)
{
	char b[RD_STRLEN + 8], *end = b + sizeof(b) - 1, *s;

	*end = '\0';
	s = admin_nn_back((int)be16(rd->b), rd->b + 2, end);
	jw_string(w, s != NULL ? s : rd_format(rd, b));
}

void api_prefix(struct jw *w, const struct prefix4 *p)
{
	char b[PREFIX4_STRLEN + 8], *end = b + sizeof(b) - 1;

	*end = '\0';
	end = utoa_back(p->len, end);
	*--end = '/';
	jw_string(w, ipv4_back(p->addr, end));
}

void api_extcom(struct jw *w, const struct ext_community *c)
{
	char b[RD_STRLEN + 8], *end = b + sizeof(b) - 1, *s = NULL;

	*end = '\0';
	if (extcom_is_rt(c))
		s = admin_nn_back(c->b[0], c->b + 2, end);
	jw_string(w, s != NULL ? s : extcom_format(c, b));
}

void api_kv_rd(struct jw *w, const char *key, const struct rd *rd)
{
	jw_key(w, key);
	api_rd(w, rd);
}

void api_kv_prefix(struct jw *w, const char *key, const struct prefix4 *p)
{
	jw_key(w, key);
	api_prefix(w, p);
}
