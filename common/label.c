/*
 * MPLS label stack entries (RFC 3032 §2.1) to and from their 4 wire bytes,
 * and label numbers as written in configs. Reserved labels are valid values
 * here (0 and 3 are used on purpose); whether one fits a context is the
 * caller's decision.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/label.h"

void mpls_lse_encode(uint8_t out[MPLS_LSE_LEN], const struct mpls_lse *e)
{
	uint32_t v = (e->label & MPLS_LABEL_MAX) << 12 | (uint32_t)(e->tc & 7) << 9 |
		     (uint32_t)(e->bos ? 1 : 0) << 8 | e->ttl;

	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

void mpls_lse_decode(const uint8_t in[MPLS_LSE_LEN], struct mpls_lse *e)
{
	uint32_t v = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];

	e->label = v >> 12;
	e->tc = (uint8_t)((v >> 9) & 7);
	e->bos = (v >> 8) & 1;
	e->ttl = (uint8_t)v;
}

int mpls_label_parse(const char *s, uint32_t *label)
{
	uint32_t v = 0;
	size_t n;

	if (s == NULL)
		return -EINVAL;
	if (strcasecmp(s, "implicit-null") == 0) {
		*label = MPLS_LABEL_IMPLICIT_NULL;
		return 0;
	}
	if (strcasecmp(s, "explicit-null") == 0) {
		*label = MPLS_LABEL_IPV4_EXPLICIT_NULL;
		return 0;
	}
	n = strlen(s);
	if (n == 0 || n > 7)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > MPLS_LABEL_MAX)
		return -EINVAL;
	*label = v;
	return 0;
}

bool mpls_label_valid(uint32_t label)
{
	return label <= MPLS_LABEL_MAX;
}
