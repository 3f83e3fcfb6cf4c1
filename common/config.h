/*
 * The router instance's JSON configuration (configs/, documented in
 * docs/config.md). All three daemons load the whole file through this one
 * loader and each uses its part, so a file is valid or invalid for all of
 * them alike. Errors name the file, the JSON path and the expected form:
 *   pe1.json: bgp.hold_time: 2 is out of range (want 0, or 3..65535 seconds)
 */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "rd.h"

#define CFG_NAME_MAX 32  /* router, VRF names incl. NUL */
#define CFG_IFNAME_MAX 16 /* IFNAMSIZ */
#define CFG_PATH_MAX 108  /* fits sockaddr_un.sun_path */
#define CFG_VRFS_MAX 65535 /* VRF ids 1..65535, vrfmgr's and fwd's (VRF_ID_MAX, FIB_VRF_ID_MAX) */

/* Address families a BGP session may carry (bits of cfg_neighbor.families). */
#define CFG_AF_VPNV4 0x01 /* AFI 1 / SAFI 128 */
#define CFG_AF_IPV4 0x02  /* AFI 1 / SAFI 1 */
#define CFG_AF_RTC 0x04   /* AFI 1 / SAFI 132: route target membership (RFC 4684) */

/* Membership routes a neighbor may send before Cease 6/1 naming AFI 1 / SAFI 132. */
#define CFG_RTC_LIMIT 10000

struct cfg_neighbor {
	uint32_t address;       /* peer address */
	uint32_t remote_as;
	uint32_t local_address; /* source of our connection; 0 = the bgp listen address */
	bool passive;           /* never dial out, only accept */
	char description[64];
	uint8_t families;       /* CFG_AF_*, default CFG_AF_VPNV4 */
	char password[81];      /* TCP-MD5 key (RFC 2385), "" = none */
	bool ttl_security;      /* GTSM (RFC 5082): send TTL 255, accept only 255 */
	bool rr_client;         /* route reflector client (RFC 4456) */
	uint32_t max_prefix;    /* routes accepted before acting, 0 = no limit */
	bool max_prefix_warn_only;   /* only log when over the limit */
	uint16_t max_prefix_restart; /* seconds before dialing again after Cease/1, default 30 */
	uint32_t rtc_limit;     /* route target membership routes accepted (RFC 4684), default CFG_RTC_LIMIT */
	uint16_t delay_open;    /* RFC 4271 DelayOpenTime: seconds to wait for the peer's OPEN, 0 = off */
	bool shutdown;          /* administratively down: no session until the config says otherwise */
	char shutdown_msg[256]; /* the reason sent with its Cease (RFC 9003), "" = none */
};

struct cfg_bgp {
	bool enabled;            /* false when the file has no "bgp" section */
	uint32_t listen_address; /* 0 = any */
	uint16_t port;           /* default 179 */
	uint16_t hold_time;      /* seconds, default 90 (0 or >= 3) */
	uint16_t connect_retry;  /* seconds, default 5 */
	uint32_t cluster_id;     /* route reflection cluster id, 0 = the router id */
	bool graceful_restart;   /* helper (receiving speaker, RFC 4724), default on */
	uint16_t gr_restart_time; /* seconds advertised, default 120 */
	uint16_t gr_stale_time;   /* seconds a restarted peer gets to send End-of-RIB, default 360 */
	uint16_t gr_deferral_time; /* seconds a restarted bgpd waits for End-of-RIBs, default 60 */
	bool gr_notification;     /* RFC 8538: NOTIFICATIONs and hold expiry restart gracefully too */
	uint32_t llgr_stale_time; /* RFC 9494 long-lived stale time offered, seconds; 0: LLGR off */
	struct cfg_neighbor *neighbors;
	size_t n_neighbors;
};

struct cfg_vrf_if {
	char name[CFG_IFNAME_MAX];
	struct prefix4 address; /* our address on the link, with the link's length */
};

struct cfg_static_route {
	struct prefix4 prefix;
	uint32_t next_hop;
	char interface[CFG_IFNAME_MAX]; /* one of the VRF's interfaces; "" = the one whose
					 * subnet holds next_hop, found by vrfmgr */
	uint32_t distance;              /* 1..255, default 1; lower wins (bgp is 200) */
};

/*
 * per-vrf: one label per VRF, the LFIB pops and looks the packet up in the VRF;
 * per-ce: one label per CE next hop, the LFIB pops and sends straight to that CE;
 * per-prefix: one label per exported prefix, popped and sent to its next hop.
 */
enum cfg_label_mode { CFG_LABEL_PER_VRF = 0, CFG_LABEL_PER_CE, CFG_LABEL_PER_PREFIX };

struct cfg_vrf {
	char name[CFG_NAME_MAX];
	uint32_t id; /* 1-based position in the file: the VRF's id towards fwd */
	struct rd rd;
	struct ext_community *import_rts;
	size_t n_import_rts;
	struct ext_community *export_rts;
	size_t n_export_rts;
	enum cfg_label_mode label_mode;
	struct cfg_vrf_if *interfaces;
	size_t n_interfaces;
	struct cfg_static_route *static_routes;
	size_t n_static_routes;
	uint32_t max_routes;     /* most prefixes in the VRF's table, 0 = no limit */
	uint32_t warn_threshold; /* percent of max_routes that logs a warning, default 80 */
};

struct cfg_lsp {
	struct prefix4 fec;   /* usually the remote PE's loopback /32 */
	uint32_t out_label;   /* or MPLS_LABEL_IMPLICIT_NULL: send unlabeled toward next_hop */
	uint32_t next_hop;
	char interface[CFG_IFNAME_MAX];
};

enum cfg_fwd_mode { CFG_FWD_PE = 0, CFG_FWD_LSR };
/* fwd's packet I/O: AF_PACKET rings, or AF_XDP (falls back to AF_PACKET where XDP cannot attach) */
enum cfg_fwd_io { CFG_FWD_IO_AF_PACKET = 0, CFG_FWD_IO_AF_XDP };
/*
 * AF_PACKET receive rings: TPACKET_V3 blocks (handed over full or after 1 ms:
 * fewer wake-ups under load, up to 1 ms more latency a hop when traffic is
 * light) or TPACKET_V2 frames (each handed over at once; frames up to 1,918 bytes)
 */
enum cfg_fwd_rx_ring { CFG_FWD_RX_BLOCKS = 0, CFG_FWD_RX_FRAMES };

struct cfg_core_if {
	char name[CFG_IFNAME_MAX];
	struct prefix4 address; /* the kernel's address on this core link (BGP runs over it too) */
};

enum cfg_lfib_action { CFG_LFIB_SWAP = 0, CFG_LFIB_POP };

/* Static LFIB entries, used by a P router (fwd in LSR mode, no vrfmgr). */
struct cfg_lfib_entry {
	uint32_t in_label;
	enum cfg_lfib_action action; /* pop = penultimate hop popping toward next_hop */
	uint32_t out_label;          /* swap only */
	uint32_t next_hop;
	char interface[CFG_IFNAME_MAX];
};

struct cfg_fwd {
	enum cfg_fwd_mode mode;
	struct cfg_core_if *core_interfaces;
	size_t n_core_interfaces;
	struct cfg_lfib_entry *lfib;
	size_t n_lfib;
	uint32_t arp_timeout; /* seconds a resolved entry lives, default 300 */
	enum cfg_fwd_io io;   /* default af_packet */
	enum cfg_fwd_rx_ring rx_ring; /* default blocks */
	uint32_t workers;     /* forwarding threads; 0 (default) = on the main thread */
};
#define CFG_FWD_WORKERS_MAX 16

/*
 * The JSON API's TCP listeners (docs/api.md). Every daemon always serves its
 * Unix socket; TCP is one more listener per daemon. A non-loopback address
 * needs TLS and a bearer token (the loader refuses it otherwise).
 */
#define CFG_API_PORT_BGPD 7179 /* defaults, on 127.0.0.1 */
#define CFG_API_PORT_VRFMGR 7180
#define CFG_API_PORT_FWD 7181
struct cfg_api {
	bool configured;        /* the file has an "api" section: failing to listen is fatal */
	uint32_t listen;        /* TCP address, default 127.0.0.1 */
	uint16_t port_bgpd, port_vrfmgr, port_fwd; /* 0 = no TCP listener */
	char tls_cert[256];     /* PEM files; "" = plain HTTP */
	char tls_key[256];
	char token_file[256];   /* "" = no token asked */
	bool read_only;         /* default true: write endpoints answer 403 */
};

/* A set of keys, each with where it was first seen (a, b): config_uniq.c. */
struct cfg_uniq_slot {
	uint64_t hash;
	const void *key; /* NULL: free; points into the config */
	size_t len;
	size_t a, b;
};

struct cfg_uniq {
	struct cfg_uniq_slot *s;
	size_t cap, n;
};

/*
 * What vrfmgr programs: fwd over IPC, or the kernel's own VRF devices and MPLS
 * table over netlink (docs/dataplane-kernel.md).
 */
enum cfg_dataplane { CFG_DATAPLANE_FWD = 0, CFG_DATAPLANE_KERNEL };
/* With the kernel dataplane a VRF is device "vrf-<name>": at most 15 characters in all. */
#define CFG_KERNEL_VRF_NAME_MAX 11

struct ferry_config {
	char path[CFG_PATH_MAX * 2]; /* as given, for messages */
	char name[CFG_NAME_MAX];     /* router name, e.g. "pe1" */
	uint32_t router_id;
	uint32_t asn;
	char run_dir[CFG_PATH_MAX - 16]; /* sockets live here; default /run/ferry/<name> */
	uint32_t label_min, label_max;   /* vrfmgr's dynamic label range, default 1000..99999 */
	uint32_t label_hold_down;        /* seconds a released label is not reused, default 60 */
	enum cfg_dataplane dataplane;    /* router.dataplane, default fwd */
	struct cfg_bgp bgp;
	struct cfg_vrf *vrfs;
	size_t n_vrfs;
	struct cfg_lsp *lsps;
	size_t n_lsps;
	struct cfg_fwd fwd;
	struct cfg_api api;
	/*
	 * Lookups by name (a: the vrfs index), built by config_load: a reload
	 * of 10,000 VRFs looked each VRF and interface up in the new config.
	 * Empty (a config built by hand): the lookups scan.
	 */
	struct cfg_uniq vrf_names, vrf_ifnames;
};

/*
 * Loads and validates path into cfg. Returns 0, or -1 with a one-line
 * message in err ("file: json.path: what is wrong (want ...)"); on error cfg
 * holds nothing that needs freeing.
 */
int config_load(const char *path, struct ferry_config *cfg, char *err, size_t errlen);
/* The same from a JSON string; name stands for the file in messages. */
int config_load_string(const char *json, const char *name, struct ferry_config *cfg, char *err,
		       size_t errlen);
void config_free(struct ferry_config *cfg);

/*
 * A daemon's -r RUN_DIR in place of router.run_dir: the same form (an
 * absolute path of at most 91 characters). 0, or -1 with
 * "-r: \"DIR\" is not a run directory (want ...)" in err and cfg unchanged.
 */
int config_run_dir_set(struct ferry_config *cfg, const char *dir, char *err, size_t errlen);
/*
 * How messages about a config file's content name it, "pe1.json: ...":
 * its base name, as the loader's errors and every reload refusal do (the
 * file a daemon runs from is one; where it is, the API's "file" and the
 * "SIGHUP: reloading PATH" log line say). Only a file that cannot be read
 * is named as given, which says where it was looked for.
 */
const char *config_file_name(const char *path);
/* Whether dir would do for config_run_dir_set: 0, or -1 with the same message. */
int config_run_dir_check(const char *dir, char *err, size_t errlen);

/*
 * -n: the API files the file names (api.tls cert and key, api.token_file)
 * can be read, when the daemon listens on TCP (port != 0, its api.ports
 * entry). 0, or -1 with "file: api.tls.cert: \"PATH\" cannot be read: why
 * (want a readable file)" in err.
 */
int config_api_files_check(const struct ferry_config *cfg, uint16_t port, char *err,
			   size_t errlen);

const struct cfg_vrf *config_vrf_by_name(const struct ferry_config *cfg, const char *name);
/* The VRF with an attachment interface of that name, or NULL. */
const struct cfg_vrf *config_vrf_by_ifname(const struct ferry_config *cfg, const char *name);
/* The VRF's own interface called name, or NULL. */
const struct cfg_vrf_if *config_vrf_interface(const struct cfg_vrf *c, const char *name);

/* Socket paths under run_dir. buf must hold CFG_PATH_MAX bytes. */
#define FERRY_SOCK_VRFMGR_IPC "vrfmgr.ipc"
#define FERRY_SOCK_BGPD_API "bgpd.sock"
#define FERRY_SOCK_VRFMGR_API "vrfmgr.sock"
#define FERRY_SOCK_FWD_API "fwd.sock"
int config_sock_path(const struct ferry_config *cfg, const char *sock, char *buf);

#endif
