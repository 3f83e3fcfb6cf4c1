/*
 * AS_PATH in one internal form: 4-octet wire segments (type, count, ASes),
 * whatever the session speaks. Paths from 2-octet speakers are widened on
 * the way in (and merged with AS4_PATH, RFC 6793), narrowed on the way out.
 * Keeping the wire form makes interning and comparison a memcmp.
 */
#include <stdio.h>
#include <string.h>

#include "bgpd/attr.h"

static uint32_t get_as(const uint8_t *p, size_t asn_size)
{
	if (asn_size == 2)
		return (uint32_t)p[0] << 8 | p[1];
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_as4(uint8_t *p, uint32_t as)
{
	p[0] = (uint8_t)(as >> 24);
	p[1] = (uint8_t)(as >> 16);
	p[2] = (uint8_t)(as >> 8);
	p[3] = (uint8_t)as;
}

int aspath_validate(const uint8_t *p, size_t len, size_t asn_size, bool allow_confed)
{
	size_t off = 0;

	while (off < len) {
		uint8_t type, count;

		if (len - off < 2)
			return -1;
		type = p[off];
		count = p[off + 1];
		if (type < ASPATH_SET || type > ASPATH_CONFED_SET)
			return -1;
		if (!allow_confed && type >= ASPATH_CONFED_SEQUENCE)
			return -1;
		if (count == 0 || len - off - 2 < (size_t)count * asn_size)
			return -1;
		off += 2 + (size_t)count * asn_size;
	}
	return 0;
}

size_t aspath_widen(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t off = 0, o = 0;

	while (off + 2 <= len) {
		uint8_t count = p[off + 1];

		out[o++] = p[off];
		out[o++] = count;
		off += 2;
		for (uint8_t i = 0; i < count && off + 2 <= len; i++, off += 2, o += 4)
			put_as4(out + o, get_as(p + off, 2));
	}
	return o;
}

size_t aspath_narrow(const uint8_t *p, size_t len, uint8_t *out, bool *needs_as4)
{
	size_t off = 0, o = 0;

	*needs_as4 = false;
	while (off + 2 <= len) {
		uint8_t count = p[off + 1];

		out[o++] = p[off];
		out[o++] = count;
		off += 2;
		for (uint8_t i = 0; i < count && off + 4 <= len; i++, off += 4, o += 2) {
			uint32_t as = get_as(p + off, 4);

			if (as > 0xffff) {
				as = BGP_AS_TRANS;
				*needs_as4 = true;
			}
			out[o] = (uint8_t)(as >> 8);
			out[o + 1] = (uint8_t)as;
		}
	}
	return o;
}

unsigned aspath_count(const uint8_t *p, size_t len)
{
	size_t off = 0;
	unsigned n = 0;

	while (off + 2 <= len) {
		uint8_t type = p[off], count = p[off + 1];

		if (type == ASPATH_SEQUENCE)
			n += count;
		else if (type == ASPATH_SET)
			n += 1;
		off += 2 + (size_t)count * 4;
	}
	return n;
}

uint32_t aspath_first_as(const uint8_t *p, size_t len)
{
	if (len < 6 || p[0] != ASPATH_SEQUENCE)
		return 0;
	return get_as(p + 2, 4);
}

bool aspath_contains(const uint8_t *p, size_t len, uint32_t asn)
{
	size_t off = 0;

	while (off + 2 <= len) {
		uint8_t count = p[off + 1];

		off += 2;
		for (uint8_t i = 0; i < count && off + 4 <= len; i++, off += 4)
			if (get_as(p + off, 4) == asn)
				return true;
	}
	return false;
}

size_t aspath_prepend(const uint8_t *p, size_t len, uint32_t asn, uint8_t *out)
{
	if (len >= 2 && p[0] == ASPATH_SEQUENCE && p[1] < 255) {
		out[0] = ASPATH_SEQUENCE;
		out[1] = (uint8_t)(p[1] + 1);
		put_as4(out + 2, asn);
		memcpy(out + 6, p + 2, len - 2);
		return len + 4;
	}
	out[0] = ASPATH_SEQUENCE;
	out[1] = 1;
	put_as4(out + 2, asn);
	if (len)
		memcpy(out + 6, p, len);
	return len + 6;
}

size_t aspath_merge_as4(const uint8_t *p, size_t len, const uint8_t *as4, size_t as4len,
			uint8_t *out)
{
	unsigned n2 = aspath_count(p, len), n4 = aspath_count(as4, as4len);
	unsigned need;
	size_t off = 0, o = 0;

	if (n2 < n4)
		return 0;
	need = n2 - n4;
	while (need > 0 && off + 2 <= len) {
		uint8_t type = p[off], count = p[off + 1];
		size_t seg = 2 + (size_t)count * 4;

		if (type == ASPATH_SEQUENCE) {
			uint8_t take = count < need ? count : (uint8_t)need;

			out[o] = type;
			out[o + 1] = take;
			memcpy(out + o + 2, p + off + 2, (size_t)take * 4);
			o += 2 + (size_t)take * 4;
			need -= take;
		} else {
			memcpy(out + o, p + off, seg);
			o += seg;
			if (type == ASPATH_SET)
				need--;
		}
		off += seg;
	}
	memcpy(out + o, as4, as4len);
	return o + as4len;
}

const char *aspath_format(const uint8_t *p, size_t len, char *buf, size_t buflen)
{
	static const char open[] = "{ ([", close[] = "} )]"; /* by type - 1 */
	size_t off = 0, o = 0;

	buf[0] = '\0';
	while (off + 2 <= len && o < buflen) {
		uint8_t type = p[off], count = p[off + 1];
		bool set = type == ASPATH_SET || type == ASPATH_CONFED_SET;

		off += 2;
		if (o && o < buflen)
			o += (size_t)snprintf(buf + o, buflen - o, " ");
		if (type != ASPATH_SEQUENCE && o < buflen)
			o += (size_t)snprintf(buf + o, buflen - o, "%c", open[type - 1]);
		for (uint8_t i = 0; i < count && off + 4 <= len && o < buflen; i++, off += 4)
			o += (size_t)snprintf(buf + o, buflen - o, "%s%u",
					      i ? (set ? "," : " ") : "", get_as(p + off, 4));
		if (type != ASPATH_SEQUENCE && o < buflen)
			o += (size_t)snprintf(buf + o, buflen - o, "%c", close[type - 1]);
	}
	return buf;
}
