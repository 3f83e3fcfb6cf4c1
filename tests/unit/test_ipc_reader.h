/*
 * The read side of a fake IPC peer (tests that stand in for vrfmgr in front
 * of a real bgpd: test_bgpd_vrflink, test_bgpd_grrestart): the messages
 * waiting on a socket, one callback each, partial ones kept for the next call.
 */
#ifndef TEST_IPC_READER_H
#define TEST_IPC_READER_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "common/ipc.h"

struct ipc_reader {
	uint8_t buf[1 << 16];
	size_t len;
};

/* Reads what fd has (non-blocking) and calls on() for each whole message, in order. */
static inline void ipc_reader_poll(struct ipc_reader *r, int fd,
				   void (*on)(const struct ipc_hdr *h, const uint8_t *payload))
{
	ssize_t n;

	while ((n = recv(fd, r->buf + r->len, sizeof(r->buf) - r->len, MSG_DONTWAIT)) > 0) {
		size_t off = 0;

		r->len += (size_t)n;
		while (r->len - off >= sizeof(struct ipc_hdr)) {
			struct ipc_hdr h;

			memcpy(&h, r->buf + off, sizeof(h));
			if (r->len - off < sizeof(h) + h.len)
				break;
			on(&h, r->buf + off + sizeof(h));
			off += sizeof(h) + h.len;
		}
		memmove(r->buf, r->buf + off, r->len - off);
		r->len -= off;
	}
}

#endif
