#!/usr/bin/env bash
# Route target constraint (RFC 4684) with GoBGP (3.10): ferry (vrfmgr +
# bgpd, 10.77.0.1) and gobgpd (10.77.0.2) in one namespace "<prefix>-r"
# (default prefix ir<pid>), iBGP with VPN-IPv4 and route target constraint
# (GoBGP's "rtc" family) on both sides; GoBGP with graceful restart, so
# that it sends End-of-RIB (ferry's VPN routes wait for its membership's):
#
#   ferry: VRFs V1, V2 exporting 65000:1, :2 (four connected routes each),
#          X importing 65001:5 (exporting 65000:9, one route);
#   GoBGP: a VRF importing 65000:2 (its membership route 65000:65000:2),
#          VPN routes 192.0.2.0/24 (RT 65001:5) and 198.51.100.0/24 (65001:6).
#
# Checks, with GoBGP's CLI (JSON) and ferry's API:
#  - ferry sends GoBGP only V2's 4 routes (GoBGP's membership), holds back 5;
#  - GoBGP holds ferry's 4 membership routes (its VRFs' import RTs 65000:1,
#    :2, :9 and 65001:5, origin AS 65000) and sends ferry only 192.0.2.0/24
#    (65001:5), not 198.51.100.0/24: GoBGP filters by ferry's membership;
#  - a VRF added on GoBGP importing 65000:1: ferry sends V1's routes too
#    (8); that VRF and the first deleted: all withdrawn from GoBGP.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespace, run directory, processes it
# started, by PID), also on failure or interrupt. Takes about 15 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init rtcgobgp ir "interop: route target constraint with GoBGP"
FERRY_RUN=$(rundir ferry)
T_RM=("$FERRY_RUN")
T_LOG_NODES=(ferry)
T_LOG_LINES=25

t_prereqs "bgpd vrfmgr" "jq curl gobgpd gobgp"

build_topology() {
	t_netns_add r || return 1
	inns r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	inns r ip link set lo up &&
		inns r ip addr add 10.77.0.1/32 dev lo &&
		inns r ip addr add 10.77.0.2/32 dev lo
}
# vrf NAME RD EXPORT K N IMPORTS: a VRF with N connected routes (10.<k>.<i>.0/30)
vrf() {
	local ifs="" i
	for ((i = 0; i < $5; i++)); do
		ifs+="${ifs:+, }{ \"name\": \"ce-$1$i\", \"address\": \"10.$4.$i.1/30\" }"
	done
	printf '{ "name": "%s", "rd": "%s", "import_rts": [%s], "export_rts": ["%s"], "interfaces": [ %s ] }' \
		"$1" "$2" "$6" "$3" "$ifs"
}
cat >"$TMP/ferry.json" <<EOF
{
  "router": { "name": "ferry", "router_id": "10.77.0.1", "asn": 65000 },
  "bgp": { "listen": "10.77.0.1", "hold_time": 30, "connect_retry": 1,
           "neighbors": [ { "address": "10.77.0.2", "remote_as": 65000, "description": "gobgp",
                            "local_address": "10.77.0.1", "families": ["vpnv4", "rtc"] } ] },
  "vrfs": [ $(vrf v1 10.77.0.1:1 65000:1 1 4 '"65000:1"'),
            $(vrf v2 10.77.0.1:2 65000:2 2 4 '"65000:2"'),
            $(vrf x 10.77.0.1:9 65000:9 9 1 '"65001:5", "65000:9"') ]
}
EOF
cat >"$TMP/gobgp.toml" <<'EOF'
[global.config]
  as = 65000
  router-id = "10.77.0.2"
  local-address-list = ["10.77.0.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.77.0.1"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "10.77.0.2"
  [neighbors.graceful-restart.config]
    enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "rtc"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
EOF

start_ferry() { # start_ferry DAEMON: PID in PID_<DAEMON>
	mkdir -p "$FERRY_RUN"
	setsid ip netns exec "$(ns r)" "$BUILD/$1" -c "$TMP/ferry.json" -r "$FERRY_RUN" \
		</dev/null >>"$FERRY_RUN/$1.log" 2>&1 &
	eval "PID_$1=$!"
	t_track $!
	poll 10 test -S "$FERRY_RUN/$1.sock"
}
G() { inns r gobgp "$@"; } # its API on the namespace's own loopback
nbr() { curl -sf --max-time 5 --unix-socket "$FERRY_RUN/bgpd.sock" "http://ferry/neighbor?address=10.77.0.2"; }
ferry_routes() { curl -sf --max-time 5 --unix-socket "$FERRY_RUN/bgpd.sock" "http://ferry/routes?neighbor=10.77.0.2"; }
established() { [ "$(nbr | jq -r .neighbor.state)" = Established ]; }
# from_ferry: GoBGP's VPN-IPv4 paths with next hop 10.77.0.1, as "RT prefix" lines
from_ferry() {
	G global rib -a vpnv4 -j | jq -r '.[][] | select(any(.attrs[]; .nexthop == "10.77.0.1"))
		| "\([.attrs[] | select(.type == 16) | .value[] | .value] | join(",")) \(.nlri.prefix)"' 2>/dev/null
}
gobgp_has() { # gobgp_has N RT...: N paths from ferry, each with one of the RTs (and no other)
	local n=$1 lines
	shift
	# GoBGP's answer, or no verdict (an empty one would be "0 paths")
	lines=$(from_ferry | awk -v want=" $* " 'index(want, " " $1 " ") { print; next } { print "other", $0 }') ||
		return 1
	[ "$(grep -c . <<<"$lines")" = "$n" ] && ! grep -q "^other" <<<"$lines"
}

if build_topology; then ok "namespace $PREFIX-r up"; else
	not_ok "namespace $PREFIX-r up"
	finish
fi
# started directly (not through inns, a function) so that $! is gobgpd itself
ip netns exec "$(ns r)" gobgpd -f "$TMP/gobgp.toml" --api-hosts 127.0.0.1:50051 \
	>"$TMP/gobgpd.log" 2>&1 &
GOBGPD=$!
t_track $GOBGPD
t_wait 10 "gobgpd to answer on its API" G global
G vrf add g rd 65000:77 rt import 65000:2 export 65000:77 >/dev/null
G global rib -a vpnv4 add 192.0.2.0/24 label 500 rd 65000:55 rt 65001:5 nexthop 10.77.0.2 >/dev/null
G global rib -a vpnv4 add 198.51.100.0/24 label 501 rd 65000:56 rt 65001:6 nexthop 10.77.0.2 >/dev/null
if start_ferry vrfmgr && start_ferry bgpd && poll 20 established; then
	ok "ferry (vrfmgr, bgpd) and gobgpd up, Established"
else
	not_ok "ferry (vrfmgr, bgpd) and gobgpd up, Established"
	note <"$TMP/gobgpd.log"
	finish
fi
check "vpnv4 and rtc negotiated" eval \
	'nbr | jq -e ".session.negotiated.families == [\"vpnv4\", \"rtc\"]" >/dev/null'

check "ferry sends GoBGP only V2's 4 routes (its membership 65000:2)" poll 15 gobgp_has 4 65000:2
rtc_is() { # rtc_is RECEIVED HELD
	nbr | jq -e --argjson r "$1" --argjson h "$2" \
		'.route_target_constraint | .ready and .membership_received == $r and .held_back == $h' >/dev/null
}
check "ferry shows GoBGP's membership route, 5 routes held back" poll 10 rtc_is 1 5
membership_at_gobgp() {
	G global rib -a rtc -j | jq -r '.[][] | select(any(.attrs[]; .nexthop == "10.77.0.1")) | .nlri.prefix' |
		sort | tr '\n' ' '
}
ferry_membership() {
	[ "$(membership_at_gobgp)" = "65000:65000:1 65000:65000:2 65000:65000:9 65000:65001:5 " ]
}
check "GoBGP holds ferry's 4 membership routes (its VRFs' import RTs, origin AS 65000)" \
	poll 10 ferry_membership
note <<<"GoBGP's rtc table from ferry: $(membership_at_gobgp)"
only_wanted() {
	ferry_routes | jq -e '[.routes[].prefix] == ["192.0.2.0/24"]' >/dev/null
}
check "GoBGP sends ferry only 192.0.2.0/24 (RT 65001:5), not 198.51.100.0/24 (65001:6)" \
	poll 10 only_wanted

G vrf add g1 rd 65000:78 rt import 65000:1 export 65000:78 >/dev/null
check "GoBGP imports 65000:1 too: ferry sends V1's routes as well (8)" \
	poll 15 gobgp_has 8 65000:1 65000:2
check "... and shows 2 membership routes, 1 held back" poll 10 rtc_is 2 1
G vrf del g >/dev/null
check "GoBGP drops 65000:2: V2's routes withdrawn, V1's 4 left" poll 15 gobgp_has 4 65000:1
G vrf del g1 >/dev/null
check "GoBGP imports nothing: no route of ferry left there" poll 15 gobgp_has 0
check "the session stayed up, ferry's bgpd and vrfmgr running" eval \
	'established && [ "$(grep -c "session Established" "$FERRY_RUN/bgpd.log")" = 1 ] &&
	 t_running "$PID_bgpd" && t_running "$PID_vrfmgr" && t_running "$GOBGPD"'
finish
