/*
 * Typed IPC between ferry's daemons (documented in docs/ipc.md).
 *
 * vrfmgr is the hub: it listens on <run_dir>/vrfmgr.ipc; bgpd and fwd
 * connect to it (and keep retrying while it is away). Every message is one
 * struct ipc_hdr followed by len payload bytes; payloads are the fixed
 * structs below, in host byte order (both ends run on one host), some with a
 * counted tail. A receiver checks the payload length against the struct
 * before touching it (ipc_payload_ok) and drops the connection on a
 * malformed message: the peer is a local daemon, so that is a bug to log.
 *
 * Resynchronisation: after HELLO the side that owns the state sends
 * REPLAY_BEGIN, its full state, REPLAY_END; the receiver then sweeps every
 * entry of that sender not refreshed since REPLAY_BEGIN. So any daemon can
 * restart while the others keep their state (fwd keeps forwarding).
 */
#ifndef FERRY_IPC_H
#define FERRY_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPC_VERSION 2
#define IPC_MAX_PAYLOAD (64 * 1024)
#define IPC_NAME_MAX 32
#define IPC_IFNAME_MAX 16

enum ipc_type {
	IPC_HELLO = 1,       /* both ways, first message: struct ipc_hello */
	IPC_REPLAY_BEGIN,    /* no payload */
	IPC_REPLAY_END,      /* no payload: sweep what was not refreshed */
	IPC_VPN_ROUTE_ADD,   /* bgpd<->vrfmgr: struct ipc_vpn_route + n_rts * 8 bytes */
	IPC_VPN_ROUTE_DEL,   /* bgpd<->vrfmgr: struct ipc_vpn_route (n_rts 0) */
	IPC_VRF_ADD,         /* vrfmgr->fwd: struct ipc_vrf */
	IPC_VRF_DEL,         /* vrfmgr->fwd: struct ipc_vrf */
	IPC_IF_BIND,         /* vrfmgr->fwd: struct ipc_if_bind (attachment interface into a VRF) */
	IPC_IF_UNBIND,       /* vrfmgr->fwd: struct ipc_if_bind */
	IPC_NH_ADD,          /* vrfmgr->fwd: struct ipc_nexthop (add or replace) */
	IPC_NH_DEL,          /* vrfmgr->fwd: struct ipc_nexthop (only nh_id read) */
	IPC_FIB_ADD,         /* vrfmgr->fwd: struct ipc_fib_entry (add or replace) */
	IPC_FIB_DEL,         /* vrfmgr->fwd: struct ipc_fib_entry (vrf_id, prefix, plen read) */
	IPC_LFIB_ADD,        /* vrfmgr->fwd: struct ipc_lfib_entry (add or replace) */
	IPC_LFIB_DEL,        /* vrfmgr->fwd: struct ipc_lfib_entry (in_label read) */
	IPC_RT_IMPORTS,      /* vrfmgr->bgpd: struct ipc_rt_imports + n_rts * 8 bytes */
	IPC_TYPE_MAX
};

enum ipc_role { IPC_ROLE_BGPD = 1, IPC_ROLE_VRFMGR, IPC_ROLE_FWD };

struct ipc_hdr {
	uint16_t type;
	uint16_t flags; /* none defined yet; must be 0 */
	uint32_t len;   /* payload bytes after this header */
};

struct ipc_hello {
	uint32_t version; /* IPC_VERSION */
	uint32_t role;    /* enum ipc_role of the sender */
	char name[IPC_NAME_MAX]; /* router name, NUL-terminated */
};

/*
 * A VPN-IPv4 route. bgpd -> vrfmgr: the best path bgpd holds for rd:prefix
 * (DEL: there is none any more). vrfmgr -> bgpd: a local VRF route to
 * advertise (next_hop 0 = "self", bgpd fills in its session address).
 */
struct ipc_vpn_route {
	uint8_t rd[8];       /* wire form, see struct rd */
	uint32_t prefix;     /* host order */
	uint8_t plen;
	uint8_t n_rts;       /* route targets following this struct, 8 bytes each */
	uint16_t reserved;
	uint32_t label;      /* inner (VPN) label */
	uint32_t next_hop;   /* remote PE (host order) */
	uint32_t local_pref;
	uint32_t med;
	uint32_t peer;       /* bgpd -> vrfmgr: the neighbor the path came from */
};

/*
 * Every route target some local VRF imports, each once, as a whole set
 * (not a change): bgpd advertises one route target membership route per
 * RT (RFC 4684) and withdraws those not listed any more. Sent inside each
 * replay and whenever the set changes (a reload adding or removing VRFs
 * or import RTs).
 */
struct ipc_rt_imports {
	uint32_t n_rts; /* route targets following this struct, 8 bytes each */
	uint32_t flags; /* IPC_RT_IMPORTS_ALL, else 0 */
};
/*
 * More distinct import RTs than one message holds (n_rts is then 0): bgpd
 * asks for every VPN route (the default membership route) rather than
 * leave some VRF's routes unasked for.
 */
#define IPC_RT_IMPORTS_ALL 1u
#define IPC_RT_IMPORTS_MAX ((IPC_MAX_PAYLOAD - sizeof(struct ipc_rt_imports)) / 8)

struct ipc_vrf {
	uint32_t vrf_id;
	char name[IPC_NAME_MAX];
};

struct ipc_if_bind {
	uint32_t vrf_id;
	uint32_t address; /* fwd's own address on the attachment link (answers ARP for it) */
	uint8_t plen;
	uint8_t reserved[3];
	char ifname[IPC_IFNAME_MAX];
};

enum ipc_nh_type {
	IPC_NH_CONNECTED = 1, /* destination is on the link ifname: ARP for it */
	IPC_NH_GATEWAY,       /* send to gateway on ifname, unlabeled */
	IPC_NH_LABELED,       /* push out_label (unless implicit null), send to gateway on ifname */
	IPC_NH_LOCAL,         /* addressed to this router */
	IPC_NH_DROP,          /* discard (counted) */
};

/* Next-hop objects are shared by many FIB/LFIB entries: one LSP change is one message. */
struct ipc_nexthop {
	uint32_t nh_id;     /* chosen by vrfmgr, never 0 */
	uint32_t type;      /* enum ipc_nh_type */
	uint32_t gateway;   /* host order; 0 for CONNECTED/LOCAL/DROP */
	uint32_t out_label; /* LABELED only: transport label or MPLS_LABEL_IMPLICIT_NULL */
	char ifname[IPC_IFNAME_MAX];
};

struct ipc_fib_entry {
	uint32_t vrf_id;
	uint32_t prefix; /* host order */
	uint8_t plen;
	uint8_t reserved[3];
	uint32_t nh_id;
	uint32_t inner_label; /* VPN label to push below the next hop's label, or MPLS_LABEL_NONE */
};

enum ipc_lfib_action {
	IPC_LFIB_POP_LOOKUP = 1, /* pop, then look the IPv4 packet up in vrf_id (per-VRF label) */
	IPC_LFIB_POP_FORWARD,    /* pop, send the IPv4 packet to nh_id (per-CE label) */
	IPC_LFIB_SWAP,           /* swap to out_label (implicit null = pop), send to nh_id */
};

struct ipc_lfib_entry {
	uint32_t in_label;
	uint32_t action; /* enum ipc_lfib_action */
	uint32_t vrf_id; /* POP_LOOKUP */
	uint32_t nh_id;  /* POP_FORWARD, SWAP */
	uint32_t out_label; /* SWAP */
};

const char *ipc_type_name(uint16_t type);
/*
 * True when a payload of len bytes is well formed for type: fixed structs
 * must match exactly; IPC_VPN_ROUTE_* and IPC_RT_IMPORTS must hold the
 * struct plus n_rts * 8.
 */
bool ipc_payload_ok(uint16_t type, const void *payload, uint32_t len);

/* ---- connections over libevent ---- */
struct event_base;
struct ipc_conn;

typedef void (*ipc_msg_cb)(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len,
			   void *ctx);
typedef void (*ipc_close_cb)(struct ipc_conn *c, void *ctx);

/*
 * Wraps a connected socket. on_msg gets only messages that passed
 * ipc_payload_ok; on a malformed frame or EOF the connection calls on_close
 * (the owner then frees it with ipc_conn_free, possibly from on_close).
 */
struct ipc_conn *ipc_conn_new(struct event_base *base, int fd, ipc_msg_cb on_msg,
			      ipc_close_cb on_close, void *ctx);
void ipc_conn_free(struct ipc_conn *c);
/* Queues one message (writes are batched by the event loop). 0 or -errno. */
int ipc_send(struct ipc_conn *c, uint16_t type, const void *payload, uint32_t len);
/* Same, with a second part appended to the payload (struct + tail). */
int ipc_send2(struct ipc_conn *c, uint16_t type, const void *p1, uint32_t l1, const void *p2,
	      uint32_t l2);
int ipc_send_hello(struct ipc_conn *c, enum ipc_role role, const char *name);
/* Bytes queued but not yet written: a producer pauses above a high-water mark. */
size_t ipc_pending(const struct ipc_conn *c);

/* Unix stream sockets. Return a non-blocking fd or -errno (and log why). */
int ipc_listen_unix(const char *path);
int ipc_connect_unix(const char *path);

#endif
