/*
 * IPv4 addresses and prefixes: strict parsing (config and API input) and
 * formatting. Addresses stay in host order inside ferry; the parsers accept
 * only the canonical dotted quad (no octal, hex, short forms or spaces that
 * inet_aton would allow), so a typo in a config is an error, not a surprise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/prefix.h"

/* One decimal number of 1..maxdigits digits ending at a delimiter; no sign, no leading zero. */
static const char *dec_parse(const char *s, unsigned maxdigits, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	unsigned n = 0;

	while (s[n] >= '0' && s[n] <= '9') {
		if (n == maxdigits)
			return NULL;
		v = v * 10 + (uint32_t)(s[n] - '0');
		n++;
	}
	if (n == 0 || (n > 1 && s[0] == '0') || v > max)
		return NULL;
	*out = v;
	return s + n;
}

/* Parses a dotted quad at s; returns the end or NULL. */
static const char *quad_parse(const char *s, uint32_t *addr)
{
	uint32_t a = 0, octet;

	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			if (*s != '.')
				return NULL;
			s++;
		}
		s = dec_parse(s, 3, 255, &octet);
		if (s == NULL)
			return NULL;
		a = (a << 8) | octet;
	}
	*addr = a;
	return s;
}

int ipv4_parse(const char *s, uint32_t *addr)
{
	uint32_t a;
	const char *end;

	if (s == NULL)
		return -EINVAL;
	end = quad_parse(s, &a);
	if (end == NULL || *end != '\0')
		return -EINVAL;
	*addr = a;
	return 0;
}

const char *ipv4_format(uint32_t addr, char *buf)
{
	snprintf(buf, IPV4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

uint32_t prefix4_netmask(uint8_t len)
{
	if (len == 0)
		return 0;
	if (len >= 32)
		return 0xffffffffu;
	return 0xffffffffu << (32 - len);
}

int ifaddr4_parse(const char *s, struct prefix4 *p)
{
	uint32_t a, len;
	const char *end;

	if (s == NULL)
		return -EINVAL;
	end = quad_parse(s, &a);
	if (end == NULL || *end != '/')
		return -EINVAL;
	end = dec_parse(end + 1, 2, 32, &len);
	if (end == NULL || *end != '\0')
		return -EINVAL;
	p->addr = a;
	p->len = (uint8_t)len;
	return 0;
}

int prefix4_parse(const char *s, struct prefix4 *p)
{
	struct prefix4 tmp;

	if (ifaddr4_parse(s, &tmp) < 0)
		return -EINVAL;
	if (tmp.addr & ~prefix4_netmask(tmp.len))
		return -EINVAL;
	*p = tmp;
	return 0;
}

const char *prefix4_format(const struct prefix4 *p, char *buf)
{
	uint32_t a = p->addr;
	unsigned len = p->len > 32 ? 32 : p->len;

	snprintf(buf, PREFIX4_STRLEN, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
		 a & 0xff, len);
	return buf;
}

bool prefix4_contains(const struct prefix4 *p, uint32_t addr)
{
	uint32_t m = prefix4_netmask(p->len);

	return (addr & m) == (p->addr & m);
}

bool prefix4_equal(const struct prefix4 *a, const struct prefix4 *b)
{
	return a->len == b->len && a->addr == b->addr;
}

void prefix4_normalize(struct prefix4 *p)
{
	if (p->len > 32)
		p->len = 32;
	p->addr &= prefix4_netmask(p->len);
}
