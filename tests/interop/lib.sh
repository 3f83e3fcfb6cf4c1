# Shared by tests/interop/test_*.sh (sourced): a hub namespace running
# ferry's bgpd (plus vpn_inject standing in for vrfmgr) with one veth to one
# namespace per real peer: GoBGP, BIRD 2, FRR bgpd (no zebra), ExaBGP.
# Each peer runs once, from a config written here; everything started is
# remembered by PID and stopped, and every namespace deleted, by ix_cleanup.
#
#   hub  <-> g   10.91.1.1 / .2   GoBGP   AS 65000 (iBGP, graceful restart with the N bit; a route
#                                          reflector with ferry as its client)
#   hub  <-> b   10.91.2.1 / .2   BIRD    AS 65000 (iBGP, ferry's RR client, TCP-MD5,
#                                          extended messages)
#   hub  <-> r   10.91.3.1 / .2   FRR     AS 65003 (eBGP, GTSM, DelayOpen on ferry's side)
#   hub  <-> x   10.91.4.1 / .2   ExaBGP  AS 65004 (eBGP; dials in, ferry passive with DelayOpen;
#                                          a 2-octet AS speaker: no 4-octet AS capability)
#   g    <-> y   10.91.5.1 / .2   ExaBGP  AS 65000, GoBGP's non-client: GoBGP reflects its
#                                          routes to ferry, GoBGP's client
# ferry: AS 65000, router id 10.91.0.1.

IX_PREFIX=${IX_PREFIX:-fi$$}
IX_TMP=${IX_TMP:-$(mktemp -d /tmp/ferry-interop.XXXXXX)}
IX_PIDS=()
IX_PEERS="g b r x"
FERRY_ID=10.91.0.1
FERRY_AS=65000
IX_BULK=${IX_BULK:-10000} # routes in each direction for the bulk test

ix_ns() { echo "$IX_PREFIX-$1"; }
inns() { # inns NODE CMD...
	local n=$1
	shift
	ip netns exec "$IX_PREFIX-$n" "$@"
}
ix_link_no() { case $1 in g) echo 1 ;; b) echo 2 ;; r) echo 3 ;; x) echo 4 ;; esac; }
ix_ferry_addr() { echo "10.91.$(ix_link_no "$1").1"; }
ix_peer_addr() { echo "10.91.$(ix_link_no "$1").2"; }

# poll SECONDS CMD..., t_wait SECONDS WHAT CMD...: tests/wait.sh, as the integration tests'
T_POLL_INTERVAL=${T_POLL_INTERVAL:-0.3}
. "$(dirname "${BASH_SOURCE[0]}")/../wait.sh"

ix_bg() { # ix_bg NODE LOGFILE CMD...: runs CMD in NODE's namespace, PID remembered
	local n=$1 log=$2
	shift 2
	ip netns exec "$IX_PREFIX-$n" "$@" >"$log" 2>&1 &
	IX_PIDS+=($!)
}

ix_net_up() {
	local p
	ip netns add "$(ix_ns hub)" || return 1
	ip -n "$(ix_ns hub)" link set lo up
	ip -n "$(ix_ns hub)" addr add $FERRY_ID/32 dev lo
	for p in $IX_PEERS; do
		ip netns add "$(ix_ns "$p")" || return 1
		ip -n "$(ix_ns "$p")" link set lo up
		ip link add "${IX_PREFIX}h$p" netns "$(ix_ns hub)" type veth peer name eth0 \
			netns "$(ix_ns "$p")" || return 1
		ip -n "$(ix_ns hub)" addr add "$(ix_ferry_addr "$p")/24" dev "${IX_PREFIX}h$p"
		ip -n "$(ix_ns hub)" link set "${IX_PREFIX}h$p" up
		ip -n "$(ix_ns "$p")" addr add "$(ix_peer_addr "$p")/24" dev eth0
		ip -n "$(ix_ns "$p")" link set eth0 up
	done
}

# The second ExaBGP, behind GoBGP.
ix_net_y() {
	ip netns add "$(ix_ns y)" || return 1
	ip -n "$(ix_ns y)" link set lo up
	ip link add "${IX_PREFIX}gy" netns "$(ix_ns g)" type veth peer name eth0 \
		netns "$(ix_ns y)" || return 1
	ip -n "$(ix_ns g)" addr add 10.91.5.1/24 dev "${IX_PREFIX}gy"
	ip -n "$(ix_ns g)" link set "${IX_PREFIX}gy" up
	ip -n "$(ix_ns y)" addr add 10.91.5.2/24 dev eth0
	ip -n "$(ix_ns y)" link set eth0 up
}

ix_cleanup() {
	local pid p
	for pid in "${IX_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${IX_PIDS[@]}"; do
		# bounded: a process that ignores TERM gets KILL after ~3 s
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# FRR daemonizes: stop it by its pid file
	[ -f "$IX_TMP/r/bgpd.pid" ] && kill "$(cat "$IX_TMP/r/bgpd.pid")" 2>/dev/null
	for p in hub $IX_PEERS y; do
		ip netns pids "$(ix_ns "$p")" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$(ix_ns "$p")" 2>/dev/null
	done
	rm -rf "/var/run/frr/$IX_PREFIX"
	[ -n "${IX_KEEP:-}" ] || rm -rf "$IX_TMP"
}

# ---- ferry --------------------------------------------------------------------

ix_ferry_config() {
	cat >"$IX_TMP/ferry.json" <<EOF
{ "router": { "name": "ferry", "router_id": "$FERRY_ID", "asn": $FERRY_AS,
              "run_dir": "$IX_TMP/ferry" },
  "bgp": { "port": 179, "hold_time": 30, "connect_retry": 1,
    "graceful_restart": { "long_lived_stale_time": 3600 },
    "neighbors": [
      { "address": "10.91.1.2", "remote_as": 65000, "local_address": "10.91.1.1",
        "description": "gobgp" },
      { "address": "10.91.2.2", "remote_as": 65000, "local_address": "10.91.2.1",
        "description": "bird", "password": "ferry-bird-md5",
        "route_reflector_client": true },
      { "address": "10.91.3.2", "remote_as": 65003, "local_address": "10.91.3.1",
        "description": "frr", "ttl_security": true, "delay_open": 10 },
      { "address": "10.91.4.2", "remote_as": 65004, "local_address": "10.91.4.1",
        "description": "exabgp", "passive": true, "delay_open": 10 } ] } }
EOF
}

# GET PATH from ferry's bgpd over its Unix socket; ferry_dump for a large answer
# (thousands of routes), which a loaded machine takes longer to write.
ferry_api() { curl -s --max-time 3 --unix-socket "$IX_TMP/ferry/bgpd.sock" "http://bgpd$1"; }
ferry_dump() { curl -s --max-time 30 --unix-socket "$IX_TMP/ferry/bgpd.sock" "http://bgpd$1"; }

# ---- GoBGP --------------------------------------------------------------------

ix_gobgp_config() {
	mkdir -p "$IX_TMP/g"
	cat >"$IX_TMP/g/gobgp.toml" <<EOF
[global.config]
  as = 65000
  router-id = "10.91.1.2"
  local-address-list = ["10.91.1.2", "10.91.5.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.91.1.1"
    peer-as = 65000
  [neighbors.timers.config]
    connect-retry = 1
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
    notification-enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "10.91.1.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.91.5.2"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "10.91.5.1"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
EOF
}
gobgp_cli() { inns g gobgp -u 127.0.0.1 -p 50051 "$@"; }

# ---- BIRD ---------------------------------------------------------------------

ix_bird_config() {
	mkdir -p "$IX_TMP/b"
	cat >"$IX_TMP/b/bird.conf" <<EOF
router id 10.91.2.2;
vpn4 table vpntab4;
protocol device { }
# routes ferry passes on from its eBGP peers keep their next hop: reach it
protocol static stigp { ipv4; route 10.91.0.0/16 via 10.91.2.1; }
protocol bgp ferry {
  local 10.91.2.2 as 65000;
  neighbor 10.91.2.1 as 65000;
  direct;
  connect retry time 1;
  password "ferry-bird-md5";
  enable extended messages on;
  vpn4 mpls { table vpntab4; import all; export all; gateway recursive; igp table master4; };
}
protocol static st1 { vpn4 { table vpntab4; };
  route 65000:21 10.22.1.0/24 via 10.91.2.2 mpls 2201 {
    bgp_ext_community.add((rt, 65000, 100)); bgp_ext_community.add((rt, 65000, 101));
    bgp_med = 22; bgp_local_pref = 220;
    bgp_community.add((65000, 22)); bgp_community.add((65000, 23)); };
  route 10.91.2.2:22 10.22.2.0/24 via 10.91.2.2 mpls 2202 {
    bgp_ext_community.add((rt, 10.91.2.2, 5)); };
  route 4200000002:23 10.22.3.0/24 via 10.91.2.2 mpls 2203 {
    bgp_ext_community.add((rt, 4200000002, 7)); };
}
protocol static st2 { vpn4 { table vpntab4; };
  route 65000:29 10.22.9.0/24 via 10.91.2.2 mpls 2209 { bgp_ext_community.add((rt, 65000, 100)); };
}
# the bulk test: enabled later
protocol static st3 { disabled; vpn4 { table vpntab4; };
include "$IX_TMP/b/bulk.conf";
}
EOF
	awk -v n="$IX_BULK" 'BEGIN { for (i = 0; i < n; i++)
		printf "route 65000:8 172.20.%d.%d/32 via 10.91.2.2 mpls 8000 { bgp_ext_community.add((rt, 65000, 8)); };\n",
			int(i / 256), i % 256 }' >"$IX_TMP/b/bulk.conf"
}
birdc_() { inns b birdc -s "$IX_TMP/b/bird.ctl" "$@"; }

# ---- FRR ----------------------------------------------------------------------

ix_frr_config() {
	mkdir -p "$IX_TMP/r" "/var/run/frr/$IX_PREFIX"
	chown frr:frr "/var/run/frr/$IX_PREFIX" 2>/dev/null
	cat >"$IX_TMP/r/bgpd.conf" <<EOF
hostname frr
route-map R1 permit 10
 set extcommunity rt 65000:100 65000:101
 set metric 23
 set community 65003:1 65003:2
route-map R2 permit 10
 set extcommunity rt 10.91.3.2:5
route-map R3 permit 10
 set extcommunity rt 4200000003:7
route-map RB permit 10
 set extcommunity rt 65003:8
router bgp 65003
 bgp router-id 10.91.3.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 neighbor 10.91.3.1 remote-as 65000
 neighbor 10.91.3.1 update-source 10.91.3.2
 neighbor 10.91.3.1 timers connect 1
 neighbor 10.91.3.1 advertisement-interval 0
 neighbor 10.91.3.1 ttl-security hops 1
 bgp graceful-restart notification
 bgp long-lived-graceful-restart stale-time 600
 address-family ipv4 vpn
  neighbor 10.91.3.1 activate
  network 10.23.1.0/24 rd 65003:1 label 2301 route-map R1
  network 10.23.2.0/24 rd 10.91.3.2:2 label 2302 route-map R2
  network 10.23.3.0/24 rd 4200000003:3 label 2303 route-map R3
  network 10.23.9.0/24 rd 65003:9 label 2309 route-map R1
 exit-address-family
EOF
	# the bulk test: applied later with vtysh -f (0.5 s for 10,000)
	awk -v n="$IX_BULK" 'BEGIN { print "router bgp 65003"; print " address-family ipv4 vpn"
		for (i = 0; i < n; i++)
			printf "  network 172.23.%d.%d/32 rd 65003:8 label 8300 route-map RB\n", int(i / 256), i % 256 }' \
		>"$IX_TMP/r/bulk.conf"
}
vtysh_() { inns r vtysh -N "$IX_PREFIX" "$@"; }

# ---- ExaBGP -------------------------------------------------------------------

ix_exabgp_config() {
	mkdir -p "$IX_TMP/x"
	: >"$IX_TMP/x/cmds"
	cat >"$IX_TMP/x/api.sh" <<EOF
#!/bin/sh
# ExaBGP's API process: commands appended to cmds go to ExaBGP, what it
# receives (JSON) goes to recv.
tail -n +1 -f "$IX_TMP/x/cmds" &
exec cat >"$IX_TMP/x/recv"
EOF
	chmod +x "$IX_TMP/x/api.sh"
	cat >"$IX_TMP/x/exabgp.conf" <<EOF
process ctl {
  run $IX_TMP/x/api.sh;
  encoder json;
}
neighbor 10.91.4.1 {
  router-id 10.91.4.2; local-address 10.91.4.2; local-as 65004; peer-as 65000;
  capability { route-refresh; asn4 disable; }
  family { ipv4 mpls-vpn; }
  api {
    processes [ ctl ];
    receive {
      parsed;
      update;
    }
  }
  static {
    route 10.24.1.0/24 rd 65004:1 label 2401 next-hop 10.91.4.2 med 24 community [ 65004:1 65004:2 ] extended-community [ target:65000:100 target:65000:101 ];
    route 10.24.2.0/24 rd 10.91.4.2:2 label 2402 next-hop 10.91.4.2 extended-community [ 0x01020a5b04020005 ];
    route 10.24.3.0/24 rd 4200000004:3 label 2403 next-hop 10.91.4.2 extended-community [ target:4200000004:7 ];
    route 10.24.9.0/24 rd 65004:9 label 2409 next-hop 10.91.4.2 extended-community [ target:65000:100 ];
    route 10.24.5.0/24 rd 65004:5 label 2405 next-hop 10.91.4.2 as-path [ 65004 4200000005 ] extended-community [ target:65000:100 ];
  }
}
EOF
	# the bulk test: appended to cmds later, one command per 500 prefixes
	awk -v n="$IX_BULK" 'BEGIN { for (i = 0; i < n; i++) {
		if (i % 500 == 0)
			printf "%sannounce attribute route-distinguisher 65004:8 label [ 8400 ] next-hop 10.91.4.2 extended-community [ target:65004:8 ] nlri", i ? "\n" : ""
		printf " 172.24.%d.%d/32", int(i / 256), i % 256 }
		print "" }' >"$IX_TMP/x/bulk.cmds"
}

ix_exabgp_y_config() {
	mkdir -p "$IX_TMP/y"
	cat >"$IX_TMP/y/exabgp.conf" <<EOF
neighbor 10.91.5.1 {
  router-id 10.91.5.2; local-address 10.91.5.2; local-as 65000; peer-as 65000;
  family { ipv4 mpls-vpn; }
  static {
    route 10.25.1.0/24 rd 65000:25 label 2501 next-hop 10.91.5.2 local-preference 250 med 25 community [ 65000:25 ] extended-community [ target:65000:100 ];
  }
}
EOF
}
