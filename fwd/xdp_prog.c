/*
 * Loading and attaching fwd's XDP program (see xdp_prog.h). Each interface
 * gets its own copy of the object, so its maps (XSK sockets, role, the
 * kernel's addresses) are that interface's alone. The program is attached
 * with a BPF link rather than the netlink call: a link is detached by the
 * kernel when its last fd closes, so a crashed fwd never leaves a program
 * steering frames to a socket that is gone (and a restarted one is not
 * refused with EBUSY by its own leftover). Another program already on the
 * interface makes the attach fail: fwd then uses AF_PACKET there.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/log.h"
#include "fwd/io_par.h"
#include "fwd/xdp/fwd_xdp.h"
#include "fwd/xdp_prog.h"

/* Generated at build time from build/fwd-xdp.o and linked into build/fwd only. */
extern const unsigned char fwd_xdp_obj[] __attribute__((weak));
extern const unsigned char fwd_xdp_obj_end[] __attribute__((weak));

#define OBJ_FILE "fwd-xdp.o"
#define PROG_NAME "fwd_xdp"

struct xdp_prog {
	struct bpf_object *obj;
	int link_fd;
	int ifindex;
	bool generic;
	int xsks_fd, cfg_fd, kaddrs_fd;
	struct fwd_xdp_cfg cfg;
	char ifname[IFNAMSIZ];
};

static char obj_path[PATH_MAX]; /* the object file when none is embedded */

/* The embedded object's size; 0 when this binary has none (tests, tools). */
static size_t embedded_len(void)
{
	const unsigned char *b = fwd_xdp_obj, *e = fwd_xdp_obj_end;

	return b != NULL && e > b ? (size_t)(e - b) : 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

/* build/fwd-xdp.o beside the running binary, when it exists. */
static bool find_obj_file(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return false;
	*slash = '\0';
	if (snprintf(obj_path, sizeof(obj_path), "%s/%s", exe, OBJ_FILE) >= (int)sizeof(obj_path))
		return false;
	return access(obj_path, R_OK) == 0;
}

bool xdp_prog_available(void)
{
	static int state; /* 0 unknown, 1 yes, -1 no */

	if (state != 0)
		return state > 0;
	libbpf_set_print(libbpf_log);
	if (embedded_len() > 0) {
		state = 1;
	} else if (find_obj_file()) {
		log_info("XDP program from %s (none embedded in this binary)", obj_path);
		state = 1;
	} else {
		log_warnx("no XDP program: none embedded in this binary and no %s beside it",
			  OBJ_FILE);
		state = -1;
	}
	return state > 0;
}

static struct bpf_object *open_obj(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = PROG_NAME);

	if (embedded_len() > 0)
		return bpf_object__open_mem(fwd_xdp_obj, embedded_len(), &opts);
	return bpf_object__open_file(obj_path, &opts);
}

/* Attaches in one mode; the link fd or -errno. */
static int link_xdp(int prog_fd, int ifindex, uint32_t mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = mode);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);

	return fd < 0 ? -errno : fd;
}

static int attach_link(struct xdp_prog *p, int prog_fd, const char **why)
{
	const char *want = getenv("FERRY_FWD_XDP_MODE");
	int fd = -EINVAL;

	if (want == NULL || strcmp(want, "skb") != 0) {
		if ((fd = link_xdp(prog_fd, p->ifindex, XDP_FLAGS_DRV_MODE)) >= 0 ||
		    (want != NULL && strcmp(want, "native") == 0)) {
			*why = "attaching the XDP program (native mode)";
			return fd;
		}
		log_debug("%s: native XDP: %s; trying generic", p->ifname, strerror(-fd));
	}
	p->generic = true;
	*why = "attaching the XDP program (generic mode)";
	return link_xdp(prog_fd, p->ifindex, XDP_FLAGS_SKB_MODE);
}

static int load(struct xdp_prog *p, const char **why)
{
	struct bpf_program *prog;
	int r;

	*why = "opening the XDP object";
	if ((p->obj = open_obj()) == NULL)
		return errno ? -errno : -EINVAL;
	*why = "loading the XDP program into the kernel";
	if ((r = bpf_object__load(p->obj)) < 0)
		return r;
	*why = "finding the program and its maps";
	if ((prog = bpf_object__find_program_by_name(p->obj, PROG_NAME)) == NULL ||
	    (p->xsks_fd = bpf_object__find_map_fd_by_name(p->obj, "fwd_xsks")) < 0 ||
	    (p->cfg_fd = bpf_object__find_map_fd_by_name(p->obj, "fwd_cfg")) < 0 ||
	    (p->kaddrs_fd = bpf_object__find_map_fd_by_name(p->obj, "fwd_kaddrs")) < 0)
		return -ENOENT;
	return bpf_program__fd(prog);
}

static int write_cfg(struct xdp_prog *p)
{
	uint32_t key = 0;

	return bpf_map_update_elem(p->cfg_fd, &key, &p->cfg, BPF_ANY) < 0 ? -errno : 0;
}

int xdp_prog_attach(struct xdp_prog **out, const char *ifname, int ifindex, unsigned role,
		    const struct ifaddrs *all, const char **why)
{
	struct xdp_prog *p;
	int prog_fd, r;

	*out = NULL;
	if (!xdp_prog_available()) {
		*why = "no XDP object";
		return -ENOENT;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		*why = "allocating";
		return -ENOMEM;
	}
	p->link_fd = -1;
	p->ifindex = ifindex;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	p->cfg.role = role;
	if ((prog_fd = load(p, why)) < 0 || (r = write_cfg(p)) < 0 ||
	    (r = xdp_prog_sync_kaddrs(p, all)) < 0 || (r = attach_link(p, prog_fd, why)) < 0) {
		r = prog_fd < 0 ? prog_fd : r;
		xdp_prog_detach(p);
		return r;
	}
	p->link_fd = r;
	*out = p;
	return 0;
}

void xdp_prog_detach(struct xdp_prog *p)
{
	if (p == NULL)
		return;
	if (p->link_fd >= 0)
		io_fd_close(p->link_fd); /* the kernel detaches the program with its last link fd */
	bpf_object__close(p->obj);
	free(p);
}

const char *xdp_prog_mode(const struct xdp_prog *p)
{
	return p->generic ? "generic" : "native";
}

int xdp_prog_set_xsk(struct xdp_prog *p, uint32_t queue, int fd)
{
	if (queue >= FWD_XDP_QUEUES_MAX)
		return -ERANGE;
	return bpf_map_update_elem(p->xsks_fd, &queue, &fd, BPF_ANY) < 0 ? -errno : 0;
}

int xdp_prog_set_addr(struct xdp_prog *p, uint32_t addr)
{
	if (p->cfg.addr == htonl(addr))
		return 0;
	p->cfg.addr = htonl(addr);
	return write_cfg(p);
}

/* Is addr (network order) among the interface's IPv4 addresses in ifa? */
static bool has_addr(const struct ifaddrs *ifa, const char *ifname, uint32_t addr)
{
	for (; ifa != NULL; ifa = ifa->ifa_next)
		if (ifa->ifa_addr != NULL && ifa->ifa_addr->sa_family == AF_INET &&
		    strcmp(ifa->ifa_name, ifname) == 0 &&
		    ((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr.s_addr == addr)
			return true;
	return false;
}

int xdp_prog_sync_kaddrs(struct xdp_prog *p, const struct ifaddrs *all)
{
	struct ifaddrs *own = NULL;
	const struct ifaddrs *ifa;
	uint32_t key, next, *prev = NULL;
	uint8_t one = 1;

	if (all == NULL && getifaddrs(&own) < 0)
		return -errno;
	if (all == NULL)
		all = own;
	/* drop what went, then (re)add what is there */
	while (bpf_map_get_next_key(p->kaddrs_fd, prev, &next) == 0) {
		key = next;
		if (!has_addr(all, p->ifname, key) && bpf_map_delete_elem(p->kaddrs_fd, &key) == 0)
			continue; /* deleted: start over from the beginning */
		prev = &key;
	}
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
		    strcmp(ifa->ifa_name, p->ifname) != 0)
			continue;
		key = ((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr.s_addr;
		bpf_map_update_elem(p->kaddrs_fd, &key, &one, BPF_ANY);
	}
	if (own != NULL)
		freeifaddrs(own);
	return 0;
}
