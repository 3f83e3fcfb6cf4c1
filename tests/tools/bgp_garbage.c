/*
 * bgp_garbage: connects to a BGP speaker from a chosen source address, sends
 * one malformed message header (or nothing) and reports, one line each, what
 * the speaker sent back until it closed the connection:
 *   OPEN | KEEPALIVE | UPDATE | NOTIFICATION <code>/<subcode> (<name>)
 *   | junk <n> bytes | closed | reset | timeout | refused
 * The integration test uses it to check that bgpd answers garbage from a
 * configured peer with a Message Header Error and drops a connection from an
 * unconfigured address without an OPEN.
 *
 *   bgp_garbage -s SOURCE -d DEST [-p PORT] [-m marker|length|type|silent] [-t SECONDS]
 *
 * marker: 19 bytes, marker not all ones      -> expect 1/1 Connection Not Synchronized
 * length: valid marker, length field 5       -> expect 1/2 Bad Message Length
 * type:   valid marker, length 19, type 99   -> expect 1/3 Bad Message Type
 * silent: send nothing, just listen
 * Exactly 19 bytes go out, so the speaker has read everything before it
 * closes and the kernel ends the connection with FIN, not RST.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BGP_HDR_LEN 19
#define BGP_MAX_LEN 4096

static const char *const notify_codes[] = {
	"?", "Message Header Error", "OPEN Message Error", "UPDATE Message Error",
	"Hold Timer Expired", "Finite State Machine Error", "Cease",
};

static void usage(void)
{
	fprintf(stderr, "usage: bgp_garbage -s SOURCE -d DEST [-p PORT] "
			"[-m marker|length|type|silent] [-t SECONDS]\n");
	exit(2);
}

static void build_garbage(const char *mode, uint8_t *msg)
{
	memset(msg, 0xff, 16);
	msg[16] = 0;
	msg[17] = BGP_HDR_LEN;
	msg[18] = 4; /* KEEPALIVE */
	if (strcmp(mode, "marker") == 0)
		memset(msg, 0x5a, 16);
	else if (strcmp(mode, "length") == 0)
		msg[17] = 5;
	else if (strcmp(mode, "type") == 0)
		msg[18] = 99;
	else
		usage();
}

static void print_message(const uint8_t *m, size_t len)
{
	static const char *const types[] = { "?", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE",
					     "ROUTE-REFRESH" };
	uint8_t type = m[18];

	if (type == 3 && len >= BGP_HDR_LEN + 2) {
		printf("NOTIFICATION %u/%u (%s)\n", m[19], m[20],
		       m[19] < sizeof(notify_codes) / sizeof(notify_codes[0]) ? notify_codes[m[19]]
									: "?");
		return;
	}
	printf("%s\n", type < sizeof(types) / sizeof(types[0]) ? types[type] : "unknown type");
}

/* Splits what arrived into BGP messages and prints each; returns bytes used. */
static size_t print_messages(uint8_t *buf, size_t have)
{
	size_t used = 0, len;

	while (have - used >= BGP_HDR_LEN) {
		len = (size_t)buf[used + 16] << 8 | buf[used + 17];
		if (len < BGP_HDR_LEN || len > BGP_MAX_LEN) {
			printf("junk %zu bytes\n", have - used);
			return have;
		}
		if (have - used < len)
			break;
		print_message(buf + used, len);
		used += len;
	}
	return used;
}

static int connect_from(const char *src, const char *dst, int port, int timeout_s)
{
	struct sockaddr_in s = { .sin_family = AF_INET }, d = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd;

	if (inet_pton(AF_INET, src, &s.sin_addr) != 1 || inet_pton(AF_INET, dst, &d.sin_addr) != 1)
		usage();
	d.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&s, sizeof(s)) < 0) {
		fprintf(stderr, "bgp_garbage: bind %s: %s\n", src, strerror(errno));
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)); /* bounds connect() */
	if (connect(fd, (struct sockaddr *)&d, sizeof(d)) < 0) {
		printf("%s\n", errno == ECONNREFUSED ? "refused" : "timeout");
		fprintf(stderr, "bgp_garbage: connect %s -> %s:%d: %s\n", src, dst, port,
			strerror(errno));
		exit(0);
	}
	return fd;
}

int main(int argc, char **argv)
{
	const char *src = NULL, *dst = NULL, *mode = "marker";
	int port = 179, timeout_s = 5, fd, c;
	uint8_t msg[BGP_HDR_LEN], buf[2 * BGP_MAX_LEN];
	size_t have = 0, used;
	struct pollfd pfd;
	time_t deadline;
	ssize_t n;

	while ((c = getopt(argc, argv, "s:d:p:m:t:h")) != -1) {
		switch (c) {
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'm': mode = optarg; break;
		case 't': timeout_s = atoi(optarg); break;
		default: usage();
		}
	}
	if (!src || !dst || optind != argc || port <= 0 || port > 65535 || timeout_s <= 0)
		usage();
	if (strcmp(mode, "silent") != 0)
		build_garbage(mode, msg);
	fd = connect_from(src, dst, port, timeout_s);
	if (strcmp(mode, "silent") != 0 && write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg)) {
		printf("reset\n");
		return 0;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	deadline = time(NULL) + timeout_s;
	for (;;) {
		int left = (int)(deadline - time(NULL));

		if (left <= 0 || poll(&pfd, 1, left * 1000) == 0) {
			printf("timeout\n");
			break;
		}
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			printf("reset\n");
			break;
		}
		if (n == 0) {
			if (have)
				printf("junk %zu bytes\n", have);
			printf("closed\n");
			break;
		}
		have += (size_t)n;
		used = print_messages(buf, have);
		memmove(buf, buf + used, have - used);
		have -= used;
		fflush(stdout);
	}
	close(fd);
	return 0;
}
