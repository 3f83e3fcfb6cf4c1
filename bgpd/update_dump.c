/*
 * What RFC 7606 §6 asks a speaker to be able to log about a malformed
 * UPDATE: "the NLRI involved" and "the entire malformed UPDATE message".
 * Made into lines here, logged by input.c (its first error of each kind
 * per session, so a peer repeating one mistake costs one dump). The body
 * goes out as hex, 32 bytes a line with their offset, which `xxd -r -p`
 * turns back into bytes; a log line holds 2048 bytes. A message may hold
 * 65535 (RFC 8654): whole, that is 2,048 lines for one error. Past
 * BGP_DUMP_HEAD + BGP_DUMP_TAIL bytes only the first BGP_DUMP_HEAD and the
 * last BGP_DUMP_TAIL or so (from a line's boundary, so offsets stay those
 * of whole lines) are shown, and a line says how many bytes were left out
 * between: the attributes' start, where most errors are, and the NLRI's
 * end, at most 28 lines. A body whose tail would start at the head's end
 * (under a line past the bound) leaves nothing out: shown whole.
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

/* the longer of: the routes' line, a hex line */
#define DUMP_LINE_MAX \
	(NLRI_SHOWN * (RD_STRLEN + PREFIX4_STRLEN + 2) + 2 * BGP_DUMP_BYTES_PER_LINE + 64)

/* Bytes [from, to) of body as hex lines; how many lines. */
static size_t hex_lines(const uint8_t *body, size_t from, size_t to,
			void (*emit)(void *arg, const char *line), void *arg)
{
	char line[DUMP_LINE_MAX];
	size_t lines = 0;

	for (size_t off = from; off < to; off += BGP_DUMP_BYTES_PER_LINE, lines++) {
		size_t n = to - off < BGP_DUMP_BYTES_PER_LINE ? to - off : BGP_DUMP_BYTES_PER_LINE;
		int o = snprintf(line, sizeof(line), "%04zx ", off);

		for (size_t i = 0; i < n; i++)
			snprintf(line + o + 2 * i, 3, "%02x", body[off + i]);
		emit(arg, line);
	}
	return lines;
}

/* Where the last BGP_DUMP_TAIL or so bytes start: a line boundary, so offsets stay whole lines. */
static size_t tail_start(size_t len)
{
	size_t from = len > BGP_DUMP_TAIL ? len - BGP_DUMP_TAIL : 0;

	return from / BGP_DUMP_BYTES_PER_LINE * BGP_DUMP_BYTES_PER_LINE;
}

size_t bgp_update_dump(const struct bgp_update *u, const uint8_t *body, size_t len,
		       void (*emit)(void *arg, const char *line), void *arg)
{
	char line[DUMP_LINE_MAX];
	size_t tail, lines = 2;

	nlri_line(u, line, sizeof(line));
	emit(arg, line);
	tail = tail_start(len);
	if (tail <= BGP_DUMP_HEAD) { /* nothing to leave out between head and tail */
		snprintf(line, sizeof(line), "the UPDATE, %zu bytes after its 19-byte header, in hex:",
			 len);
		emit(arg, line);
		return lines + hex_lines(body, 0, len, emit, arg);
	}
	snprintf(line, sizeof(line),
		 "the UPDATE, %zu bytes after its 19-byte header, in hex: the first %u and the "
		 "last %zu", len, BGP_DUMP_HEAD, len - tail);
	emit(arg, line);
	lines += hex_lines(body, 0, BGP_DUMP_HEAD, emit, arg);
	snprintf(line, sizeof(line), "... %zu bytes left out (%04x to %04zx) ...",
		 tail - BGP_DUMP_HEAD, BGP_DUMP_HEAD, tail - 1);
	emit(arg, line);
	return lines + 1 + hex_lines(body, tail, len, emit, arg);
}
