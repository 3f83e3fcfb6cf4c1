/*
 * whoami: proves which host answered. The lab runs one server per host
 * namespace, answering every UDP datagram with the name it was given
 * ("ferry-host-a2"); the client sends a question to an address and prints
 * the name that comes back. A ping reply only says "someone at 192.168.101.10";
 * with overlapping customer addresses the name is what shows the VPN kept
 * the customers apart.
 *
 *   whoami -l [PORT] -n NAME              serve (default port 7777)
 *   whoami [-p PORT] [-t MS] [-c TRIES] ADDRESS
 *                                         ask; prints the name, exit 0; 1 when
 *                                         nothing answered; 2 on bad usage
 *
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
#include <unistd.h>

#define WHOAMI_PORT 7777
#define WHOAMI_MAX 256

static void usage(void)
{
	fprintf(stderr, "usage: whoami -l [PORT] -n NAME\n"
			"       whoami [-p PORT] [-t TIMEOUT_MS] [-c TRIES] ADDRESS\n");
	exit(2);
}

static int parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max)
		usage();
	return (int)v;
}

/*
 * Answers from the address the question was sent to (IP_PKTINFO): a host
 * with two addresses (host-b2) must not answer a question to .20 from .10.
 */
static int serve(int port, const char *name)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in from;
	char buf[WHOAMI_MAX];
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;
	int fd, on = 1;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		fprintf(stderr, "whoami: udp port %d: %s\n", port, strerror(errno));
		return 1;
	}
	fprintf(stderr, "whoami: %s answering on udp port %d\n", name, port);
	for (;;) {
		iov = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
		mh = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		if (recvmsg(fd, &mh, 0) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "whoami: recvmsg: %s\n", strerror(errno));
			return 1;
		}
		/* Reply through the same control data: ipi_spec_dst picks the source. */
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
				((struct in_pktinfo *)CMSG_DATA(cm))->ipi_ifindex = 0;
		iov = (struct iovec){ .iov_base = (void *)name, .iov_len = strlen(name) };
		mh.msg_iov = &iov;
		mh.msg_flags = 0;
		if (sendmsg(fd, &mh, 0) < 0)
			fprintf(stderr, "whoami: reply to %s: %s\n", inet_ntoa(from.sin_addr),
				strerror(errno));
	}
}

/* One question per try; the first datagram from the asked address wins. */
static int ask(const char *addr, int port, int timeout_ms, int tries)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in from;
	socklen_t fromlen;
	struct pollfd pfd;
	char buf[WHOAMI_MAX];
	ssize_t n;
	int fd, i;

	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1)
		usage();
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "whoami: socket: %s\n", strerror(errno));
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (i = 0; i < tries; i++) {
		if (sendto(fd, "who?", 4, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			fprintf(stderr, "whoami: send to %s: %s\n", addr, strerror(errno));
		while (poll(&pfd, 1, timeout_ms) > 0) {
			fromlen = sizeof(from);
			n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from,
				     &fromlen);
			if (n < 0)
				break; /* e.g. ICMP unreachable reported: try again */
			if (from.sin_addr.s_addr != to.sin_addr.s_addr)
				continue;
			buf[n] = '\0';
			printf("%s\n", buf);
			close(fd);
			return 0;
		}
	}
	close(fd);
	fprintf(stderr, "whoami: no answer from %s port %d\n", addr, port);
	return 1;
}

int main(int argc, char **argv)
{
	int port = WHOAMI_PORT, timeout_ms = 1000, tries = 3, listen_mode = 0, c;
	const char *name = NULL;

	while ((c = getopt(argc, argv, "ln:p:t:c:h")) != -1) {
		switch (c) {
		case 'l':
			listen_mode = 1;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			port = parse_num(optarg, 1, 65535);
			break;
		case 't':
			timeout_ms = parse_num(optarg, 1, 600000);
			break;
		case 'c':
			tries = parse_num(optarg, 1, 1000);
			break;
		default:
			usage();
		}
	}
	if (listen_mode) {
		if (optind < argc)
			port = parse_num(argv[optind++], 1, 65535);
		if (!name || optind != argc || strlen(name) >= WHOAMI_MAX)
			usage();
		return serve(port, name);
	}
	if (optind != argc - 1)
		usage();
	return ask(argv[optind], port, timeout_ms, tries);
}
