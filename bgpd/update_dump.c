/*
 * What RFC 7606 §6 asks a speaker to be able to log about a malformed
 * UPDATE: "the NLRI involved" and "the entire malformed UPDATE message".
 * Made into lines here, logged by input.c (its first error of each kind
 * per session, so a peer repeating one mistake costs one dump). The body
 * goes out as hex, 32 bytes a line with their offset, which `xxd -r -p`
 * turns back into bytes; a log line holds 2048 bytes, a message 65535.
 */
#include <stdio.h>

#include "bgpd/attr.h"

#define NLRI_SHOWN 4 /* routes named in the first line; the rest are counted */

static size_t put_nlri(char *buf, size_t len, size_t off, const struct bgp_vpn_nlri *n)
{
	char rd[RD_STRLEN], pfx[PREFIX4_STRLEN];
	int r;

	if (off >= len)
		return off;
	r = snprintf(buf + off, len - off, " %s %s", rd_format(&n->rd, rd),
		     prefix4_format(&n->prefix, pfx));
	return r > 0 ? off + (size_t)r : off;
}

/* "1 announced, 0 withdrawn: 65000:1 10.1.0.0/16" (the first NLRI_SHOWN, then "+N") */
static void nlri_line(const struct bgp_update *u, char *buf, size_t len)
{
	size_t total = u->n_reach + u->n_unreach, shown = 0;
	int r = snprintf(buf, len, "VPN-IPv4 routes: %zu announced, %zu withdrawn%s", u->n_reach,
			 u->n_unreach, total ? ":" : "");
	size_t off = r > 0 ? (size_t)r : 0;

	for (size_t i = 0; i < u->n_reach && shown < NLRI_SHOWN; i++, shown++)
		off = put_nlri(buf, len, off, &u->reach[i]);
	for (size_t i = 0; i < u->n_unreach && shown < NLRI_SHOWN; i++, shown++)
		off = put_nlri(buf, len, off, &u->unreach[i]);
	if (total > shown && off < len)
		snprintf(buf + off, len - off, " (+%zu more)", total - shown);
}

size_t bgp_update_dump(const struct bgp_update *u, const uint8_t *body, size_t len,
		       void (*emit)(void *arg, const char *line), void *arg)
{
	/* the longer of: the routes' line, a hex line */
	char line[NLRI_SHOWN * (RD_STRLEN + PREFIX4_STRLEN + 2) + 2 * BGP_DUMP_BYTES_PER_LINE + 64];
	size_t lines = 2;

	nlri_line(u, line, sizeof(line));
	emit(arg, line);
	snprintf(line, sizeof(line), "the UPDATE, %zu bytes after its 19-byte header, in hex:", len);
	emit(arg, line);
	for (size_t off = 0; off < len; off += BGP_DUMP_BYTES_PER_LINE, lines++) {
		size_t n = len - off < BGP_DUMP_BYTES_PER_LINE ? len - off : BGP_DUMP_BYTES_PER_LINE;
		int o = snprintf(line, sizeof(line), "%04zx ", off);

		for (size_t i = 0; i < n; i++)
			snprintf(line + o + 2 * i, 3, "%02x", body[off + i]);
		emit(arg, line);
	}
	return lines;
}
