/*
 * dp_kernel_nl: struct dpk_io over a real rtnetlink socket (libnl-route-3),
 * one synchronous request per call so that each error comes back with the
 * entry it is about. A socket of its own, not in the event loop: vrfmgr
 * only ever writes to the kernel and reads the answer at once.
 */
#include <arpa/inet.h>
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vrf.h>
#include <netlink/route/route.h>

#include "vrfmgr/dp_kernel_nl.h"

struct dpk_nl {
	struct nl_sock *sk;
};

static int nl_ifindex(void *io, const char *ifname)
{
	struct dpk_nl *nl = io;
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(nl->sk, 0, ifname, &l);

	if (rc < 0)
		return rc;
	rc = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	return rc;
}

/*
 * The VRF device there (just made, or left by a previous run): ours to use if
 * it is a VRF device of this table; given ferry's alias and set up.
 */
static int vrf_adopt(struct dpk_nl *nl, const char *ifname, uint32_t table, char *why, size_t len)
{
	struct rtnl_link *l = NULL, *up;
	uint32_t have = 0;
	int rc = rtnl_link_get_kernel(nl->sk, 0, ifname, &l);

	if (rc < 0)
		return rc;
	if (!rtnl_link_is_vrf(l) || rtnl_link_vrf_get_tableid(l, &have) < 0 || have != table) {
		snprintf(why, len, "%s exists and is not a VRF device of table %u (%s%s, table %u)",
			 ifname, table, rtnl_link_get_type(l) ? "type " : "no type",
			 rtnl_link_get_type(l) ? rtnl_link_get_type(l) : "", have);
		rtnl_link_put(l);
		return -NLE_EXIST;
	}
	rc = rtnl_link_get_ifindex(l);
	rtnl_link_put(l);
	if ((up = rtnl_link_alloc()) == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_ifindex(up, rc);
	rtnl_link_set_ifalias(up, DPK_VRF_ALIAS); /* how a later run knows it made it */
	rtnl_link_set_flags(up, IFF_UP);
	{
		int err = rtnl_link_add(nl->sk, up, 0);

		rtnl_link_put(up);
		return err < 0 ? err : rc;
	}
}

static int nl_vrf_dev_add(void *io, const char *ifname, uint32_t table, char *why, size_t len)
{
	struct dpk_nl *nl = io;
	struct rtnl_link *l = rtnl_link_vrf_alloc();
	int rc;

	if (l == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_name(l, ifname);
	rtnl_link_set_flags(l, IFF_UP);
	rc = rtnl_link_vrf_set_tableid(l, table);
	if (rc == 0)
		rc = rtnl_link_add(nl->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	/* made, or there already: checked, and given the alias (a creation does not set it) */
	return rc < 0 && rc != -NLE_EXIST ? rc : vrf_adopt(nl, ifname, table, why, len);
}

/* A description of the link ifindex, to change or delete; NULL when out of memory. */
static struct rtnl_link *link_at(int ifindex)
{
	struct rtnl_link *l = rtnl_link_alloc();

	if (l != NULL)
		rtnl_link_set_ifindex(l, ifindex);
	return l;
}

/* l applied to its existing link (RTM_NEWLINK on an existing ifindex changes it), then freed. */
static int link_change(struct dpk_nl *nl, struct rtnl_link *l)
{
	int rc = rtnl_link_add(nl->sk, l, 0);

	rtnl_link_put(l);
	return rc;
}

static int nl_link_del(void *io, int ifindex)
{
	struct dpk_nl *nl = io;
	struct rtnl_link *l = link_at(ifindex);
	int rc;

	if (l == NULL)
		return -NLE_NOMEM;
	rc = rtnl_link_delete(nl->sk, l);
	rtnl_link_put(l);
	return rc;
}

static int nl_enslave(void *io, int ifindex, int master)
{
	struct rtnl_link *l = link_at(ifindex);

	if (l == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_master(l, master);
	rtnl_link_set_flags(l, IFF_UP);
	return link_change(io, l);
}

static int nl_release(void *io, int ifindex)
{
	struct rtnl_link *l = link_at(ifindex);

	if (l == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_master(l, 0); /* IFLA_MASTER 0 releases it */
	/* ifi_change IFF_UP, ifi_flags 0: down (before the master changes, in kernels since 2024) */
	rtnl_link_unset_flags(l, IFF_UP);
	return link_change(io, l);
}

static int nl_addr(void *io, bool add, int ifindex, uint32_t address, uint8_t plen)
{
	struct dpk_nl *nl = io;
	struct rtnl_addr *a = rtnl_addr_alloc();
	uint32_t be = htonl(address);
	struct nl_addr *local = nl_addr_build(AF_INET, &be, 4);
	int rc = -NLE_NOMEM;

	if (a != NULL && local != NULL) {
		nl_addr_set_prefixlen(local, plen);
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_family(a, AF_INET);
		rc = rtnl_addr_set_local(a, local);
		if (rc == 0)
			rc = add ? rtnl_addr_add(nl->sk, a, 0) : rtnl_addr_delete(nl->sk, a, 0);
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	if ((add && rc == -NLE_EXIST) ||
	    (!add && (rc == -NLE_NOADDR || rc == -NLE_OBJ_NOTFOUND)))
		return 0; /* already so */
	return rc;
}

static int nl_route(void *io, bool add, struct rtnl_route *r)
{
	struct dpk_nl *nl = io;

	return add ? rtnl_route_add(nl->sk, r, NLM_F_CREATE | NLM_F_REPLACE)
		   : rtnl_route_delete(nl->sk, r, 0);
}

struct dump_ctx {
	void (*cb)(struct rtnl_route *r, void *arg);
	void *arg;
};

static void dump_one(struct nl_object *o, void *arg)
{
	struct dump_ctx *d = arg;

	d->cb((struct rtnl_route *)o, d->arg);
}

static int nl_dump_routes(void *io, int family, void (*cb)(struct rtnl_route *r, void *arg), void *arg)
{
	struct dpk_nl *nl = io;
	struct nl_cache *cache = NULL;
	struct dump_ctx d = { cb, arg };
	int rc = rtnl_route_alloc_cache(nl->sk, family, 0, &cache);

	if (rc < 0)
		return rc;
	nl_cache_foreach(cache, dump_one, &d);
	nl_cache_free(cache);
	return 0;
}

struct devs_ctx {
	void (*cb)(int ifindex, const char *ifname, uint32_t table, bool ferrys, void *arg);
	void *arg;
};

static void dev_one(struct nl_object *o, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)o;
	struct devs_ctx *d = arg;
	const char *alias = rtnl_link_get_ifalias(l);
	uint32_t table = 0;

	if (!rtnl_link_is_vrf(l) || rtnl_link_vrf_get_tableid(l, &table) < 0)
		return;
	d->cb(rtnl_link_get_ifindex(l), rtnl_link_get_name(l), table,
	      alias != NULL && strcmp(alias, DPK_VRF_ALIAS) == 0, d->arg);
}

/* fn on every link the kernel lists now (one dump); 0 or a libnl error. */
static int links_walk(struct dpk_nl *nl, void (*fn)(struct nl_object *, void *), void *arg)
{
	struct nl_cache *cache = NULL;
	int rc = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache);

	if (rc < 0)
		return rc;
	nl_cache_foreach(cache, fn, arg);
	nl_cache_free(cache);
	return 0;
}

static int nl_vrf_devs(void *io,
		       void (*cb)(int ifindex, const char *ifname, uint32_t table, bool ferrys,
				  void *arg),
		       void *arg)
{
	struct devs_ctx d = { cb, arg };

	return links_walk(io, dev_one, &d);
}

struct links_ctx {
	void (*cb)(int ifindex, const char *ifname, int master, bool up, void *arg);
	void *arg;
};

static void link_one(struct nl_object *o, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)o;
	struct links_ctx *d = arg;

	if (rtnl_link_get_name(l) != NULL)
		d->cb(rtnl_link_get_ifindex(l), rtnl_link_get_name(l), rtnl_link_get_master(l),
		      (rtnl_link_get_flags(l) & IFF_UP) != 0, d->arg);
}

static int nl_links(void *io,
		    void (*cb)(int ifindex, const char *ifname, int master, bool up, void *arg),
		    void *arg)
{
	struct links_ctx d = { cb, arg };

	return links_walk(io, link_one, &d);
}

static int nl_link_state(void *io, int ifindex, int *master, bool *up)
{
	struct dpk_nl *nl = io;
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(nl->sk, ifindex, NULL, &l);

	if (rc < 0)
		return rc;
	*master = rtnl_link_get_master(l);
	*up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	rtnl_link_put(l);
	return 0;
}

static int nl_link_up(void *io, int ifindex)
{
	struct rtnl_link *l = link_at(ifindex);

	if (l == NULL)
		return -NLE_NOMEM;
	rtnl_link_set_flags(l, IFF_UP);
	return link_change(io, l);
}

static const char *nl_strerror(int err)
{
	return nl_geterror(err);
}

const struct dpk_io_ops dpk_nl_ops = {
	.ifindex = nl_ifindex,
	.vrf_dev_add = nl_vrf_dev_add,
	.link_del = nl_link_del,
	.enslave = nl_enslave,
	.release = nl_release,
	.addr = nl_addr,
	.route = nl_route,
	.dump = nl_dump_routes,
	.vrf_devs = nl_vrf_devs,
	.strerror = nl_strerror,
	.links = nl_links,
	.link_state = nl_link_state,
	.link_up = nl_link_up,
};

struct dpk_nl *dpk_nl_open(char *err, size_t errlen)
{
	struct dpk_nl *nl = calloc(1, sizeof(*nl));
	int rc;

	if (nl == NULL || (nl->sk = nl_socket_alloc()) == NULL) {
		snprintf(err, errlen, "kernel dataplane: out of memory");
		free(nl);
		return NULL;
	}
	if ((rc = nl_connect(nl->sk, NETLINK_ROUTE)) < 0) {
		snprintf(err, errlen, "kernel dataplane: cannot open an rtnetlink socket: %s",
			 nl_geterror(rc));
		nl_socket_free(nl->sk);
		free(nl);
		return NULL;
	}
	return nl;
}

void dpk_nl_close(struct dpk_nl *nl)
{
	if (nl == NULL)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}
