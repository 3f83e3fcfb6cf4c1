/*
 * bgp-sender's sockets: connect (retrying while the peer starts) or accept
 * one connection, with 32 MB socket buffers and TCP_NODELAY so the writes
 * never wait on the kernel.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench/sender/sender.h"
#include "common/log.h"

static void sock_tune(int fd)
{
	int sz = SOCKBUF, one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void sin_make(struct sockaddr_in *sin, const char *addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		fatalx("\"%s\" is not an IPv4 address", addr);
}

static int try_connect(const struct opts *o, const struct sockaddr_in *dst)
{
	struct sockaddr_in src;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		fatal("socket");
	sock_tune(fd);
	if (o->local) {
		sin_make(&src, o->local, 0);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			fatal("bind %s", o->local);
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Retries every 200 ms (the peer may still be starting) until the timeout. */
int sock_connect(const struct opts *o)
{
	struct sockaddr_in dst;
	double end = snd_now_mono() + o->connect_timeout;
	int fd;

	sin_make(&dst, o->connect, o->port);
	while ((fd = try_connect(o, &dst)) < 0) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		if (snd_sig_stop || snd_now_mono() >= end) {
			log_warn("connect %s port %u", o->connect, o->port);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

int sock_accept(const struct opts *o)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	int one = 1, fd, lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0)
		fatal("socket");
	sin_make(&sin, o->listen, o->port);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sock_tune(lfd);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0)
		fatal("listen on %s port %u", o->listen, o->port);
	snd_emit("listening=%s:%u", o->listen, o->port);
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, o->connect_timeout > 0 ? (int)(o->connect_timeout * 1000) : -1) != 1) {
		log_warnx("no connection within %.0f s", o->connect_timeout);
		close(lfd);
		return -1;
	}
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd >= 0)
		sock_tune(fd);
	return fd;
}

uint32_t sock_local_addr(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		return 0;
	return ntohl(sin.sin_addr.s_addr);
}
