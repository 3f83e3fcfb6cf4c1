#!/usr/bin/env bash
# Route target constraint (RFC 4684) through GoBGP 3.10 as a route
# reflector: two ferry PEs (vrfmgr + bgpd each) are its clients, all in one
# namespace "<prefix>-r" (default prefix iq<pid>) on loopback addresses:
#
#   pe1   10.77.1.1  VRFs V1, V2 exporting (and importing) 65000:1, :2, and V3
#                    exporting 65000:3 but importing 65000:1: four connected
#                    routes each (12), its membership 65000:1 and :2;
#   gobgp 10.77.1.2  route reflector, no VRF; VPN-IPv4 and rtc with both;
#   pe2   10.77.1.3  VRF X importing 65000:2 only (exporting 65000:9, one route).
#
# GoBGP reflects each client's membership to the other and also back to
# the client it came from (ORIGINATOR_ID and CLUSTER_LIST its own), so pe1
# hears 65000:1 and :2 and holds back only V3, which nobody imports.
# Checks, with GoBGP's CLI (JSON) and ferry's API:
#  - pe1 holds GoBGP's 2 membership routes, V3's 4 routes held back, and
#    GoBGP got only V1's and V2's 8 routes from it; pe2 holds pe1's
#    membership and holds back its own route (65000:9, imported nowhere);
#  - pe2 receives exactly V2's 4 routes, reflected (originator pe1): GoBGP
#    filters by pe2's membership;
#  - pe1 receives nothing (nobody else exports what it imports);
#  - a reload of pe2's vrfmgr importing 65000:3 too: the new membership
#    goes through GoBGP to pe1, which sends V3's routes; pe2 has 8.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespace, run directories, processes it
# started, by PID), also on failure or interrupt. Takes about 10 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init rtcgobgprr iq "interop: route target constraint through a GoBGP route reflector"
T_RM=("$(rundir pe1)" "$(rundir pe2)")
T_LOG_NODES=(pe1 pe2)
T_LOG_LINES=20

t_prereqs "bgpd vrfmgr" "jq curl gobgpd gobgp"

build_topology() {
	t_netns_add r || return 1
	inns r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	inns r ip link set lo up &&
		inns r ip addr add 10.77.1.1/32 dev lo &&
		inns r ip addr add 10.77.1.2/32 dev lo &&
		inns r ip addr add 10.77.1.3/32 dev lo
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
write_pe() { # write_pe NODE ID VRF...
	local node=$1 id=$2
	shift 2
	cat >"$TMP/$node.json" <<EOT
{
  "router": { "name": "$node", "router_id": "10.77.1.$id", "asn": 65000,
              "label_range": { "min": $((id * 1000)), "max": $((id * 1000 + 999)) } },
  "bgp": { "listen": "10.77.1.$id", "hold_time": 30, "connect_retry": 1,
           "neighbors": [ { "address": "10.77.1.2", "remote_as": 65000, "description": "gobgp rr",
                            "local_address": "10.77.1.$id", "families": ["vpnv4", "rtc"] } ] },
  "vrfs": [ $(printf '%s,\n' "$@" | sed '$ s/,$//') ]
}
EOT
}
write_pe pe1 1 "$(vrf v1 10.77.1.1:1 65000:1 1 4 '"65000:1"')" "$(vrf v2 10.77.1.1:2 65000:2 2 4 '"65000:2"')" \
	"$(vrf v3 10.77.1.1:3 65000:3 3 4 '"65000:1"')"
write_pe2() { write_pe pe2 3 "$(vrf x 10.77.1.3:9 65000:9 9 1 "$1")"; }
write_pe2 '"65000:2"'
client() { # client ADDRESS: a GoBGP neighbor, route reflector client, both families with GR
	cat <<EOT
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$1"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "10.77.1.2"
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "10.77.1.2"
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
EOT
}
{
	printf '[global.config]\n  as = 65000\n  router-id = "10.77.1.2"\n  local-address-list = ["10.77.1.2"]\n'
	client 10.77.1.1
	client 10.77.1.3
} >"$TMP/gobgp.toml"

start() { # start NODE DAEMON: PID in PID_<NODE>_<DAEMON>
	local run
	run=$(rundir "$1")
	mkdir -p "$run"
	setsid ip netns exec "$(ns r)" "$BUILD/$2" -c "$TMP/$1.json" -r "$run" \
		</dev/null >>"$run/$2.log" 2>&1 &
	eval "PID_$1_$2=$!"
	t_track $!
	poll 10 test -S "$run/$2.sock"
}
G() { inns r gobgp "$@"; } # its API on the namespace's own loopback
api() { curl -sf --max-time 5 --unix-socket "$(rundir "$1")/bgpd.sock" "http://ferry$2"; }
nbr() { api "$1" "/neighbor?address=10.77.1.2"; }
established() { [ "$(nbr "$1" | jq -r .neighbor.state)" = Established ]; }
# routes_at NODE: "RTs prefix originator" of what NODE holds from GoBGP
routes_at() {
	api "$1" "/routes?neighbor=10.77.1.2" |
		jq -r '.routes[] | "\(.route_targets | join(",")) \(.prefix) \(.originator_id)"'
}
has() { # has NODE N RT: NODE holds N routes from GoBGP, all with RT alone
	local r
	r=$(routes_at "$1") || return 1 # bgpd's answer (an empty one would be "0 routes")
	[ "$(grep -c . <<<"$r")" = "$2" ] && ! grep -qv "^$3 " <<<"$r"
}
has_any() { local r; r=$(routes_at "$1") && [ "$(grep -c . <<<"$r")" = "$2" ]; }
# held NODE RECEIVED HELD: NODE's view of GoBGP's membership, and what it holds back
held() {
	nbr "$1" | jq -e --argjson r "$2" --argjson h "$3" \
		'.route_target_constraint | .ready and .membership_received == $r and .held_back == $h' >/dev/null
}
# from_pe1: GoBGP's VPN-IPv4 paths received from pe1
from_pe1() { G neighbor 10.77.1.1 adj-in -a vpnv4 -j | jq 'length'; }

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
if start pe1 vrfmgr && start pe2 vrfmgr && start pe1 bgpd && start pe2 bgpd &&
	poll 20 established pe1 && poll 10 established pe2; then
	ok "pe1, pe2 (vrfmgr, bgpd) and the GoBGP reflector up, both sessions Established"
else
	not_ok "pe1, pe2 (vrfmgr, bgpd) and the GoBGP reflector up, both sessions Established"
	note <"$TMP/gobgpd.log"
	finish
fi
check "pe2 receives exactly V2's 4 routes (65000:2), reflected (originator pe1)" eval \
	'poll 15 has pe2 4 65000:2 && [ "$(routes_at pe2 | awk "{print \$3}" | sort -u)" = 10.77.1.1 ]'
membership() { nbr "$1" | jq -c .route_target_constraint.membership; }
check "pe1 holds GoBGP's 2 membership routes, V3's 4 routes held back" eval \
	'poll 10 held pe1 2 4 && [ "$(membership pe1)" = "[\"65000:65000:1\",\"65000:65000:2\"]" ]'
check "GoBGP got only V1's and V2's 8 routes from pe1" poll 10 eval '[ "$(from_pe1)" = 8 ]'
check "pe2 holds GoBGP's 2 membership routes (pe1's), its route (65000:9) held back" eval \
	'poll 10 held pe2 2 1 && [ "$(membership pe2)" = "[\"65000:65000:1\",\"65000:65000:2\"]" ]'
check "pe1 receives nothing (nobody else exports 65000:1 or :2)" has_any pe1 0

write_pe2 '"65000:2", "65000:3"'
n=$(grep -c "reload done" "$(rundir pe2)/vrfmgr.log")
kill -HUP "$PID_pe2_vrfmgr"
t_wait 5 "pe2's vrfmgr to log its reload done after SIGHUP" \
	eval '[ "$(grep -c "reload done" "$(rundir pe2)/vrfmgr.log")" -gt '"$n"' ]'
check "pe2 imports 65000:3 too (reload): through GoBGP pe1 sends V3's routes, pe2 has 8" eval \
	'poll 15 has_any pe2 8 && poll 10 held pe1 3 0 && [ "$(from_pe1)" = 12 ]'
check "no session reset, every daemon running" eval \
	'[ "$(grep -c "session Established" "$(rundir pe1)/bgpd.log")" = 1 ] &&
	 [ "$(grep -c "session Established" "$(rundir pe2)/bgpd.log")" = 1 ] &&
	 t_running "$GOBGPD" && t_running "$PID_pe1_bgpd" && t_running "$PID_pe2_bgpd"'
finish
