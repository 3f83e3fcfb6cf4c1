/*
 * A raw TCP "fake peer" for bgpd's in-process tests (test_bgpd_fsm and
 * test_bgpd_caps through test_bgpd_fsm.h, test_bgpd_delayopen): a
 * non-blocking socket bound to one loopback address and dialing the speaker
 * under test at 127.0.0.2, so a test can write any
 * bytes and read what bgpd answers.
 */
#ifndef TEST_BGPD_RAW_H
#define TEST_BGPD_RAW_H

#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

struct raw {
	int fd;
	uint8_t rx[4096];
	size_t len;
	bool eof;
};

/* Starts connecting from src to 127.0.0.2:port (completion is the caller's to wait for). */
static inline void raw_connect(struct raw *r, const char *src, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	memset(r, 0, sizeof(*r));
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	cr_assert_geq(r->fd, 0);
	inet_pton(AF_INET, src, &sin.sin_addr);
	cr_assert_eq(bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	sin.sin_port = htons(port);
	cr_assert(connect(r->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
		  errno == EINPROGRESS);
}

/* Reads what arrived into r->rx; true once the peer closed (a run_until condition). */
static inline bool raw_read(void *arg)
{
	struct raw *r = arg;
	ssize_t n;

	while ((n = recv(r->fd, r->rx + r->len, sizeof(r->rx) - r->len, 0)) > 0)
		r->len += (size_t)n;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		r->eof = true;
	return r->eof;
}

#endif
