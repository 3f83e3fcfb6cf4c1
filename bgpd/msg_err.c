/*
 * NOTIFICATIONs as bgpd holds, names and wraps them: the error itself
 * (code, subcode, data), its text for logs and the API ("UPDATE message
 * error / malformed AS_PATH (3/11)"), a shutdown's communication (RFC 9003)
 * and the Hard Reset around one (RFC 8538). The message bytes are msg.c's.
 */
#include <stdio.h>
#include <string.h>

#include "bgpd/msg.h"
#include "common/utf8.h"

void bgp_err_set(struct bgp_err *e, uint8_t code, uint8_t subcode, const void *data, size_t len)
{
	e->code = code;
	e->subcode = subcode;
	if (len > BGP_ERR_DATA_MAX)
		len = BGP_ERR_DATA_MAX;
	e->data_len = (uint16_t)len;
	if (len)
		memcpy(e->data, data, len);
}

static const char *const err_code_names[] = {
	[BGP_ERR_HEADER] = "message header error",
	[BGP_ERR_OPEN] = "OPEN message error",
	[BGP_ERR_UPDATE] = "UPDATE message error",
	[BGP_ERR_HOLD] = "hold timer expired",
	[BGP_ERR_FSM] = "finite state machine error",
	[BGP_ERR_CEASE] = "cease",
	[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH message error",
};

static const char *const hdr_sub[] = { NULL, "connection not synchronized", "bad message length",
				       "bad message type" };
static const char *const open_sub[] = { "unspecific", "unsupported version", "bad peer AS",
					"bad BGP identifier", "unsupported optional parameter",
					NULL, "unacceptable hold time", "unsupported capability" };
static const char *const upd_sub[] = {
	NULL, "malformed attribute list", "unrecognized well-known attribute",
	"missing well-known attribute", "attribute flags error", "attribute length error",
	"invalid ORIGIN", NULL, "invalid NEXT_HOP", "optional attribute error",
	"invalid network field", "malformed AS_PATH",
};
static const char *const fsm_sub[] = { "unspecific", "unexpected message in OpenSent",
				       "unexpected message in OpenConfirm",
				       "unexpected message in Established" };
static const char *const cease_sub[] = {
	NULL, "maximum prefixes reached", "administrative shutdown", "peer de-configured",
	"administrative reset", "connection rejected", "other configuration change",
	"connection collision resolution", "out of resources", "hard reset", "BFD down",
};
static const char *const rr_sub[] = { NULL, "invalid message length" };

#define SUB(tab, s) ((s) < sizeof(tab) / sizeof(tab[0]) ? tab[s] : NULL)

const char *bgp_err_format(uint8_t code, uint8_t subcode, char *buf, size_t len)
{
	const char *c = code <= BGP_ERR_ROUTE_REFRESH ? err_code_names[code] : NULL;
	const char *s = NULL;

	switch (code) {
	case BGP_ERR_HEADER: s = SUB(hdr_sub, subcode); break;
	case BGP_ERR_OPEN: s = SUB(open_sub, subcode); break;
	case BGP_ERR_UPDATE: s = SUB(upd_sub, subcode); break;
	case BGP_ERR_FSM: s = SUB(fsm_sub, subcode); break;
	case BGP_ERR_CEASE: s = SUB(cease_sub, subcode); break;
	case BGP_ERR_ROUTE_REFRESH: s = SUB(rr_sub, subcode); break;
	default: break;
	}
	snprintf(buf, len, "%s%s%s (%u/%u)", c ? c : "unknown error", s ? " / " : "", s ? s : "",
		 code, subcode);
	return buf;
}

/*
 * RFC 9003: the data of a Cease / administrative shutdown or reset may be a
 * length octet then that much UTF-8 text, the operator's reason. Appended
 * as ': "text"', each byte that is neither printable ASCII nor part of
 * well-formed UTF-8, and each of a C1 control's two (U+0080..U+009F), as '?'
 * (it goes to logs, the API and ferryctl's terminal as it is);
 * a length past the data is said to be malformed.
 */
static void describe_communication(const uint8_t *data, size_t len, char *buf, size_t size)
{
	unsigned char text[BGP_SHUTDOWN_MSG_MAX + 4] = { 0 }; /* NUL after: utf8_seq_len reads ahead */
	size_t n = strlen(buf), tl;

	if (len == 0 || data[0] == 0)
		return;
	tl = data[0];
	if (tl > len - 1) {
		snprintf(buf + n, size - n, " (malformed shutdown communication)");
		return;
	}
	memcpy(text, data + 1, tl);
	for (size_t i = 0; i < tl;) {
		size_t k = text[i] >= 0x80 ? utf8_seq_len(text + i) : 1;

		if (k == 0 || (k == 1 && (text[i] < 0x20 || text[i] == 0x7f))) {
			text[i++] = '?';
			continue;
		}
		if (k == 2 && text[i] == 0xc2 && text[i + 1] < 0xa0) { /* C1: U+009B is CSI */
			text[i++] = '?';
			text[i++] = '?';
			continue;
		}
		i += k;
	}
	snprintf(buf + n, size - n, ": \"%s\"", (const char *)text);
}

/* code/subcode as bgp_err_format has them, and a shutdown or reset's communication. */
static void describe_one(uint8_t code, uint8_t subcode, const uint8_t *data, size_t len, char *buf,
			 size_t size)
{
	bgp_err_format(code, subcode, buf, size);
	if (code == BGP_ERR_CEASE &&
	    (subcode == BGP_CEASE_ADMIN_SHUTDOWN || subcode == BGP_CEASE_ADMIN_RESET))
		describe_communication(data, len, buf, size);
}

const char *bgp_err_describe(const struct bgp_err *e, char *buf, size_t len)
{
	char inner[BGP_SHUTDOWN_MSG_MAX + 128];
	size_t n;

	describe_one(e->code, e->subcode, e->data, e->data_len, buf, len);
	if (!bgp_err_is_hard_reset(e) || e->data_len < 2)
		return buf;
	n = strlen(buf);
	describe_one(e->data[0], e->data[1], e->data + 2, e->data_len - 2u, inner, sizeof(inner));
	snprintf(buf + n, len - n, " of %s", inner);
	return buf;
}

void bgp_err_set_shutdown(struct bgp_err *e, uint8_t subcode, const char *text)
{
	uint8_t data[1 + BGP_SHUTDOWN_MSG_MAX];
	size_t n = strlen(text) < BGP_SHUTDOWN_MSG_MAX ? strlen(text) : BGP_SHUTDOWN_MSG_MAX;

	data[0] = (uint8_t)n;
	memcpy(data + 1, text, n);
	bgp_err_set(e, BGP_ERR_CEASE, subcode, data, n + 1);
}

void bgp_err_hard_reset(const struct bgp_err *in, struct bgp_err *out)
{
	size_t n = in->data_len < BGP_ERR_DATA_MAX - 2 ? in->data_len : BGP_ERR_DATA_MAX - 2;

	out->code = BGP_ERR_CEASE;
	out->subcode = BGP_CEASE_HARD_RESET;
	out->data[0] = in->code;
	out->data[1] = in->subcode;
	memcpy(out->data + 2, in->data, n);
	out->data_len = (uint16_t)(n + 2);
}
