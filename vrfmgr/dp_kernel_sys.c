/*
 * dp_kernel_sys: the kernel dataplane's names and numbers (VRF device name,
 * table id) and the sysctls it needs, written once at start. A setting that
 * cannot be made stops vrfmgr with the setting's name: the kernel would
 * otherwise take every route and forward nothing (no MPLS input on a core
 * link, labels above platform_labels dropped, no IPv4 forwarding).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vrfmgr/dp_kernel_int.h"

int dpk_vrf_ifname(const char *vrf_name, char out[DPK_IFNAMSIZ], char *err, size_t errlen)
{
	size_t n = strlen(vrf_name);

	if (n == 0 || n > (size_t)DPK_VRF_NAME_MAX) {
		snprintf(err, errlen,
			 "VRF \"%.40s\": its device name \"" DPK_VRF_IFPREFIX "%.40s\" would have "
			 "%zu characters (want a VRF name of 1..%d characters with the kernel "
			 "dataplane: Linux interface names have at most %d)",
			 vrf_name, vrf_name, n + sizeof(DPK_VRF_IFPREFIX) - 1, DPK_VRF_NAME_MAX,
			 DPK_IFNAMSIZ - 1);
		return -1;
	}
	snprintf(out, DPK_IFNAMSIZ, DPK_VRF_IFPREFIX "%s", vrf_name);
	return 0;
}

uint32_t dpk_vrf_table(uint32_t vrf_id)
{
	return DPK_TABLE_BASE + vrf_id;
}

static int read_ulong(const char *path, unsigned long *v)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	*v = strtoul(buf, NULL, 10);
	return 0;
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Writes val to root/rel (rel: the sysctl's path, e.g. "net/mpls/conf/core0/input"). */
static int sysctl_set(const char *root, const char *rel, const char *val, char *err,
		      size_t errlen, const char *hint)
{
	char path[256], name[128];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((rc = write_str(path, val)) < 0) {
		/* named as sysctl(8) does: dots for slashes (an interface name keeps its own dots) */
		snprintf(name, sizeof(name), "%s", rel);
		for (char *c = name; *c; c++)
			*c = *c == '/' ? '.' : *c;
		snprintf(err, errlen, "kernel dataplane: cannot set %s=%s: %s (%s)", name, val,
			 strerror(-rc), hint);
		return -1;
	}
	return 0;
}

int dpk_sysctls_apply(const struct ferry_config *cfg, const char *root, char *err, size_t errlen)
{
	char path[256], val[16], name[64];
	unsigned long cur = 0;
	int rc;

	if (sysctl_set(root, "net/ipv4/ip_forward", "1", err, errlen, "want root") < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/net/mpls/platform_labels", root);
	if ((rc = read_ulong(path, &cur)) < 0) {
		snprintf(err, errlen,
			 "kernel dataplane: cannot read net.mpls.platform_labels: %s (want a kernel "
			 "with MPLS routing: modprobe mpls_router mpls_iptunnel vrf)", strerror(-rc));
		return -1;
	}
	/* labels 0..platform_labels-1 are accepted: vrfmgr's highest must be below it */
	if (cur <= cfg->label_max) {
		snprintf(val, sizeof(val), "%u", cfg->label_max + 1);
		if (sysctl_set(root, "net/mpls/platform_labels", val, err, errlen, "want root") < 0)
			return -1;
	}
	for (size_t i = 0; i < cfg->fwd.n_core_interfaces; i++) {
		snprintf(name, sizeof(name), "net/mpls/conf/%s/input",
			 cfg->fwd.core_interfaces[i].name);
		if (sysctl_set(root, name, "1", err, errlen,
			       "want the core interface to exist before vrfmgr starts") < 0)
			return -1;
	}
	return 0;
}
