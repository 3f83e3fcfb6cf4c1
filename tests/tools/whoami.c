/*
 * whoami: proves which host answered, and that TCP gets through. The lab runs
 * one server per host namespace, answering with the name it was given
 * ("ferry-host-a2"). A ping reply only says "someone at 192.168.101.10";
 * with overlapping customer addresses the name is what shows the VPN kept
 * the customers apart.
 *
 *   whoami -l [PORT] -n NAME      serve on UDP and TCP PORT (default 7777)
 *   whoami [-p PORT] [-t MS] [-c TRIES] ADDRESS
 *                                 ask over UDP; prints the name
 *   whoami -b BYTES [-p PORT] [-t MS] ADDRESS
 *                                 ask over TCP for BYTES of data after the name
 *                                 (full-sized segments: the MTU/offload trap of
 *                                 a userspace forwarder that ping never shows);
 *                                 prints "NAME BYTES bytes in MS ms"
 * Exit 0 on an answer (all bytes, intact), 1 without, 2 on bad usage.
 * Test tool: no dependencies beyond libc.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define WHOAMI_PORT 7777
#define WHOAMI_MAX 256
#define WHOAMI_BULK_MAX (256L << 20)
#define WHOAMI_IO_TIMEOUT_S 10

static void usage(void)
{
	fprintf(stderr, "usage: whoami -l [PORT] -n NAME\n"
			"       whoami [-p PORT] [-t TIMEOUT_MS] [-c TRIES] ADDRESS\n"
			"       whoami -b BYTES [-p PORT] [-t TIMEOUT_MS] ADDRESS\n");
	exit(2);
}

static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* The bulk data's byte at offset off: a pattern the client can check. */
static unsigned char pattern(long off)
{
	return (unsigned char)(off * 7 + off / 251);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/*
 * Answers from the address the question was sent to (IP_PKTINFO): a host
 * with two addresses (host-b2) must not answer a question to .20 from .10.
 */
static void answer_udp(int fd, const char *name)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in from;
	char buf[WHOAMI_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;

	if (recvmsg(fd, &mh, 0) < 0)
		return;
	/* Reply with the same control data: ipi_spec_dst picks the source. */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
			((struct in_pktinfo *)CMSG_DATA(cm))->ipi_ifindex = 0;
	iov = (struct iovec){ .iov_base = (void *)name, .iov_len = strlen(name) };
	mh.msg_flags = 0;
	if (sendmsg(fd, &mh, 0) < 0)
		fprintf(stderr, "whoami: reply to %s: %s\n", inet_ntoa(from.sin_addr),
			strerror(errno));
}

static int write_all(int fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t n;

	while (len > 0) {
		n = send(fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One TCP client at a time: reads "BYTES\n", sends "NAME\n" and the bytes. */
static void answer_tcp(int lfd, const char *name)
{
	char req[32], buf[65536];
	long want, off = 0, i, chunk;
	size_t have = 0;
	ssize_t n;
	int fd;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return;
	set_timeouts(fd, WHOAMI_IO_TIMEOUT_S * 1000);
	while (have < sizeof(req) - 1 && !memchr(req, '\n', have)) {
		n = recv(fd, req + have, sizeof(req) - 1 - have, 0);
		if (n <= 0)
			goto out;
		have += (size_t)n;
	}
	req[have] = '\0';
	want = strtol(req, NULL, 10);
	if (want < 0 || want > WHOAMI_BULK_MAX)
		goto out;
	if (write_all(fd, name, strlen(name)) < 0 || write_all(fd, "\n", 1) < 0)
		goto out;
	while (off < want) {
		chunk = want - off < (long)sizeof(buf) ? want - off : (long)sizeof(buf);
		for (i = 0; i < chunk; i++)
			buf[i] = (char)pattern(off + i);
		if (write_all(fd, buf, (size_t)chunk) < 0)
			goto out;
		off += chunk;
	}
out:
	close(fd);
}

static int serve(int port, const char *name)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pollfd pfd[2];
	int on = 1;

	pfd[0].fd = socket(AF_INET, SOCK_DGRAM, 0);
	pfd[1].fd = socket(AF_INET, SOCK_STREAM, 0);
	if (pfd[0].fd < 0 || pfd[1].fd < 0 ||
	    setsockopt(pfd[0].fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(pfd[1].fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(pfd[0].fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    bind(pfd[1].fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(pfd[1].fd, 8) < 0) {
		fprintf(stderr, "whoami: port %d: %s\n", port, strerror(errno));
		return 1;
	}
	pfd[0].events = pfd[1].events = POLLIN;
	fprintf(stderr, "whoami: %s answering on udp and tcp port %d\n", name, port);
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "whoami: poll: %s\n", strerror(errno));
			return 1;
		}
		if (pfd[0].revents & POLLIN)
			answer_udp(pfd[0].fd, name);
		if (pfd[1].revents & POLLIN)
			answer_tcp(pfd[1].fd, name);
	}
}

/* One question per try; the first datagram from the asked address wins. */
static int ask(const struct sockaddr_in *to, int timeout_ms, int tries)
{
	struct sockaddr_in from;
	socklen_t fromlen;
	struct pollfd pfd;
	char buf[WHOAMI_MAX];
	ssize_t n;
	int fd, i;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "whoami: socket: %s\n", strerror(errno));
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (i = 0; i < tries; i++) {
		if (sendto(fd, "who?", 4, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
			fprintf(stderr, "whoami: send: %s\n", strerror(errno));
		while (poll(&pfd, 1, timeout_ms) > 0) {
			fromlen = sizeof(from);
			n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from,
				     &fromlen);
			if (n < 0)
				break; /* e.g. ICMP unreachable reported: try again */
			if (from.sin_addr.s_addr != to->sin_addr.s_addr)
				continue;
			buf[n] = '\0';
			printf("%s\n", buf);
			close(fd);
			return 0;
		}
	}
	close(fd);
	fprintf(stderr, "whoami: no answer from %s port %d\n", inet_ntoa(to->sin_addr),
		ntohs(to->sin_port));
	return 1;
}

/* Reads the name line, then counts and checks the bulk bytes until EOF. */
static int bulk(const struct sockaddr_in *to, int timeout_ms, long want)
{
	char name[WHOAMI_MAX] = "", buf[65536], req[32];
	long long start = now_ms();
	size_t nlen = 0;
	long got = 0, bad = -1, i;
	ssize_t n;
	int fd, in_name = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	set_timeouts(fd, timeout_ms);
	snprintf(req, sizeof(req), "%ld\n", want);
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0 ||
	    write_all(fd, req, strlen(req)) < 0) {
		fprintf(stderr, "whoami: tcp to %s: %s\n", inet_ntoa(to->sin_addr), strerror(errno));
		close(fd);
		return 1;
	}
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (i = 0; i < n; i++) {
			if (in_name) {
				if (buf[i] == '\n')
					in_name = 0;
				else if (nlen < sizeof(name) - 1)
					name[nlen++] = buf[i];
				continue;
			}
			if (bad < 0 && (unsigned char)buf[i] != pattern(got))
				bad = got;
			got++;
		}
	}
	if (n < 0)
		fprintf(stderr, "whoami: tcp from %s: %s after %ld bytes\n",
			inet_ntoa(to->sin_addr), strerror(errno), got);
	close(fd);
	name[nlen] = '\0';
	printf("%s %ld bytes in %lld ms\n", nlen ? name : "?", got, now_ms() - start);
	if (bad >= 0)
		fprintf(stderr, "whoami: data corrupted from byte %ld on\n", bad);
	return n == 0 && !in_name && got == want && bad < 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int port = WHOAMI_PORT, timeout_ms = 1000, tries = 3, listen_mode = 0, c;
	const char *name = NULL;
	long bytes = -1;

	while ((c = getopt(argc, argv, "ln:p:t:c:b:h")) != -1) {
		switch (c) {
		case 'l': listen_mode = 1; break;
		case 'n': name = optarg; break;
		case 'p': port = (int)parse_num(optarg, 1, 65535); break;
		case 't': timeout_ms = (int)parse_num(optarg, 1, 600000); break;
		case 'c': tries = (int)parse_num(optarg, 1, 1000); break;
		case 'b': bytes = parse_num(optarg, 0, WHOAMI_BULK_MAX); break;
		default: usage();
		}
	}
	if (listen_mode) {
		if (optind < argc)
			port = (int)parse_num(argv[optind++], 1, 65535);
		if (!name || optind != argc || strlen(name) >= WHOAMI_MAX)
			usage();
		return serve(port, name);
	}
	if (optind != argc - 1 || inet_pton(AF_INET, argv[optind], &to.sin_addr) != 1)
		usage();
	to.sin_port = htons(port);
	return bytes >= 0 ? bulk(&to, timeout_ms, bytes) : ask(&to, timeout_ms, tries);
}
