/*
 * MPLS label stack entries (RFC 3032 §2.1): label 20 bits | TC 3 | S 1 | TTL 8,
 * big-endian on the wire.
 */
#ifndef FERRY_LABEL_H
#define FERRY_LABEL_H

#include <stdbool.h>
#include <stdint.h>

#define MPLS_LABEL_IPV4_EXPLICIT_NULL 0u
#define MPLS_LABEL_IMPLICIT_NULL 3u
#define MPLS_LABEL_FIRST_UNRESERVED 16u
#define MPLS_LABEL_MAX 0xFFFFFu
#define MPLS_LABEL_NONE 0xFFFFFFFFu /* "no label" inside ferry; never on the wire */
#define MPLS_LSE_LEN 4
#define ETHERTYPE_MPLS 0x8847

struct mpls_lse {
	uint32_t label;
	uint8_t tc;
	bool bos;
	uint8_t ttl;
};

void mpls_lse_encode(uint8_t out[MPLS_LSE_LEN], const struct mpls_lse *e);
void mpls_lse_decode(const uint8_t in[MPLS_LSE_LEN], struct mpls_lse *e);
/* Parses a label number or "implicit-null"/"explicit-null". 0 or -EINVAL. */
int mpls_label_parse(const char *s, uint32_t *label);
bool mpls_label_valid(uint32_t label);

#endif
