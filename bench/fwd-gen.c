/*
 * fwd-gen: a small-frame generator for bench/fwd-veth. It pre-builds UDP
 * frames (Ethernet + IPv4 + UDP, one per flow, destinations spread over a
 * /16) in the slots of an AF_PACKET TX ring and then only flips slot status
 * words and kicks the kernel: the generator costs little more than the
 * kernel's own transmit path, so what is measured is the forwarder behind
 * it. It retries when the ring is full (the receiver's backlog overflowing
 * must not stop it) and prints "sent=N seconds=S pps=R" at the end.
 *
 *   fwd-gen -i IFACE -m DST_MAC -s SRC_IP -d DST_NET [-f FLOWS] [-l FRAME_LEN]
 *           [-t SECONDS] [-c CPU]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT 2048
#define SLOTS 1024
#define DATA_OFF TPACKET_ALIGN(sizeof(struct tpacket2_hdr))

struct gen {
	const char *ifname;
	uint8_t dmac[6], smac[6];
	uint32_t src, dst_net;
	unsigned flows, frame_len, seconds;
	int cpu;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xFFFF) + (s >> 16);
	return (uint16_t)~s;
}

/* Flow i's frame: to dst_net + i (host part), UDP port 10000 + i. */
static void build(const struct gen *g, unsigned i, uint8_t *f)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	unsigned ip_len = g->frame_len - 14;
	uint32_t dst = g->dst_net + 1 + i % 65000;
	uint16_t c;

	memset(f, 0, g->frame_len);
	memcpy(f, g->dmac, 6);
	memcpy(f + 6, g->smac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &(uint32_t){ htonl(g->src) }, 4);
	memcpy(ip + 16, &(uint32_t){ htonl(dst) }, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = 0x27;
	udp[1] = 0x10;
	udp[2] = (uint8_t)((10000 + i) >> 8);
	udp[3] = (uint8_t)(10000 + i);
	udp[4] = (uint8_t)((ip_len - 20) >> 8);
	udp[5] = (uint8_t)(ip_len - 20);
}

static int open_ring(struct gen *g, uint8_t **ring)
{
	struct tpacket_req req = { .tp_block_size = SLOT * 64, .tp_block_nr = SLOTS / 64,
				   .tp_frame_size = SLOT, .tp_frame_nr = SLOTS };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	int fd = socket(AF_PACKET, SOCK_RAW, 0), v2 = TPACKET_V2, one = 1;
	struct ifreq ifr;

	if (fd < 0)
		die("socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die(g->ifname);
	memcpy(g->smac, ifr.ifr_hwaddr.sa_data, 6);
	if ((sll.sll_ifindex = (int)if_nametoindex(g->ifname)) == 0)
		die(g->ifname);
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		die("PACKET_TX_RING");
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind");
	*ring = mmap(NULL, (size_t)SLOT * SLOTS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*ring == MAP_FAILED)
		die("mmap");
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long blast(const struct gen *g, int fd, uint8_t *ring, double *secs)
{
	unsigned long sent = 0;
	double t0 = now(), t = t0;
	unsigned next = 0;

	while (t - t0 < g->seconds) {
		for (unsigned k = 0; k < SLOTS; k++) {
			struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring + (size_t)next * SLOT);
			uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

			if (st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING))
				break; /* the kernel has not sent this one yet */
			h->tp_len = g->frame_len;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			next = (next + 1) % SLOTS;
			sent++;
		}
		if (sendto(fd, NULL, 0, 0, NULL, 0) < 0 && errno != EAGAIN && errno != ENOBUFS &&
		    errno != EINTR)
			die("sendto");
		t = now();
	}
	*secs = t - t0;
	return sent;
}

static void parse_mac(const char *s, uint8_t *m)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) !=
	    6) {
		fprintf(stderr, "bad MAC %s\n", s);
		exit(2);
	}
}

static uint32_t parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

int main(int argc, char **argv)
{
	struct gen g = { .flows = 1024, .frame_len = 60, .seconds = 5, .cpu = -1 };
	uint8_t *ring;
	unsigned long sent;
	double secs;
	int ch, fd;

	while ((ch = getopt(argc, argv, "i:m:s:d:f:l:t:c:")) != -1) {
		switch (ch) {
		case 'i': g.ifname = optarg; break;
		case 'm': parse_mac(optarg, g.dmac); break;
		case 's': g.src = parse_ip(optarg); break;
		case 'd': g.dst_net = parse_ip(optarg); break;
		case 'f': g.flows = (unsigned)atoi(optarg); break;
		case 'l': g.frame_len = (unsigned)atoi(optarg); break;
		case 't': g.seconds = (unsigned)atoi(optarg); break;
		case 'c': g.cpu = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (g.ifname == NULL || g.src == 0 || g.dst_net == 0 || g.flows == 0 || g.frame_len < 42 ||
	    g.frame_len > SLOT - DATA_OFF)
		goto usage;
	if (g.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(g.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			die("sched_setaffinity");
	}
	fd = open_ring(&g, &ring);
	for (unsigned i = 0; i < SLOTS; i++)
		build(&g, i % g.flows, ring + (size_t)i * SLOT + DATA_OFF);
	sent = blast(&g, fd, ring, &secs);
	printf("sent=%lu seconds=%.3f pps=%.0f\n", sent, secs, (double)sent / secs);
	return 0;
usage:
	fprintf(stderr, "usage: fwd-gen -i IFACE -m DST_MAC -s SRC_IP -d DST_NET [-f FLOWS] "
			"[-l FRAME_LEN] [-t SECONDS] [-c CPU]\n");
	return 2;
}
