#!/usr/bin/env bash
# Route target constraint (RFC 4684) between two ferry PEs (vrfmgr + bgpd
# each, no fwd: the control plane only), in one namespace "<prefix>-r"
# (default prefix rc<pid>) whose loopback holds 10.78.0.1 (pe1) and
# 10.78.0.2 (pe2), iBGP with families ["vpnv4", "rtc"]:
#
#   pe1: VRFs V1, V2, V3 exporting (and importing) 65000:1, :2, :3, four
#        connected routes each (12 VPN routes);
#   pe2: VRF X importing 65000:2 only, exporting 65000:9 (one route).
#
# Checks, through the JSON API, ferryctl and the logs:
#  - pe2 receives only V2's 4 routes, all with RT 65000:2; pe1 holds back
#    the other 8 and shows pe2's one membership route; pe1 imports nothing
#    of 65000:9, so pe2 sends it nothing (and holds its route back);
#  - the membership routes and their End-of-RIB on the wire (tshark: AFI 1
#    / SAFI 132, origin AS 65000), each side's VPN routes and VPN
#    End-of-RIB only after the other's membership End-of-RIB (§6), nothing
#    malformed;
#  - a reload of pe2's vrfmgr adding 65000:3 to X: pe2 gets V3's routes too
#    (8), without a session reset; one dropping 65000:2: V2's are withdrawn
#    (4 left, all 65000:3); one adding a VRF importing 65000:1, and one
#    removing it again: V1's routes come and go; one with no VRF importing
#    anything: none left.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespace, run directories, processes it
# started, by PID), also on failure or interrupt. Takes about 15 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init bgprtc rc "bgp route target constraint"
PE1_RUN=$(rundir pe1)
PE2_RUN=$(rundir pe2)
T_RM=("$PE1_RUN" "$PE2_RUN")
T_LOG_NODES=(pe1 pe2)
T_LOG_LINES=25

t_prereqs "bgpd vrfmgr ferryctl" "jq curl tshark"

# --- topology, configs, daemons ----------------------------------------------------------
build_topology() {
	t_netns_add r || return 1
	inns r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	inns r ip link set lo up &&
		inns r ip addr add 10.78.0.1/32 dev lo &&
		inns r ip addr add 10.78.0.2/32 dev lo
}
# vrf NAME RD RT IFPREFIX N [IMPORTS]: a VRF with N connected routes (10.<k>.<i*4>.0/30)
vrf() {
	local name=$1 rd=$2 rt=$3 k=$4 n=$5 imports=${6-\"$3\"} ifs="" i
	for ((i = 0; i < n; i++)); do
		ifs+="${ifs:+, }{ \"name\": \"ce-$name$i\", \"address\": \"10.$k.$i.1/30\" }"
	done
	printf '{ "name": "%s", "rd": "%s", "import_rts": [%s], "export_rts": ["%s"], "interfaces": [ %s ] }' \
		"$name" "$rd" "$imports" "$rt" "$ifs"
}
# write_pe NODE ID PEER_ID VRF...: its config file
write_pe() {
	local node=$1 id=$2 peer=$3
	shift 3
	cat >"$TMP/$node.json" <<EOF
{
  "router": { "name": "$node", "router_id": "10.78.0.$id", "asn": 65000,
              "label_range": { "min": $((id * 1000)), "max": $((id * 1000 + 999)) } },
  "bgp": { "listen": "10.78.0.$id", "hold_time": 30, "connect_retry": 1,
           "neighbors": [ { "address": "10.78.0.$peer", "remote_as": 65000,
                            "local_address": "10.78.0.$id", "families": ["vpnv4", "rtc"] } ] },
  "vrfs": [ $(printf '%s,\n' "$@" | sed '$ s/,$//') ]
}
EOF
}
write_pe1() {
	write_pe pe1 1 2 "$(vrf v1 10.78.0.1:1 65000:1 1 4)" "$(vrf v2 10.78.0.1:2 65000:2 2 4)" \
		"$(vrf v3 10.78.0.1:3 65000:3 3 4)"
}
write_pe2() { # write_pe2 IMPORTS [VRF...]: X importing IMPORTS (JSON strings, may be empty)
	local imports=$1
	shift
	write_pe pe2 2 1 "$(vrf x 10.78.0.2:9 65000:9 9 1 "$imports")" "$@"
}
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
api() { curl -sf --max-time 5 --unix-socket "$(rundir "$1")/bgpd.sock" "http://ferry$2"; }
nbr() { api "$1" "/neighbor?address=$2"; } # nbr NODE ADDRESS: /neighbor
established() { [ "$(nbr "$1" "$2" | jq -r .neighbor.state)" = Established ]; }
accepted() { nbr "$1" "$2" | jq -r .routes.accepted; }
# pe2_has N RT: pe2 holds N routes from pe1, every one with RT (and no other)
pe2_has() {
	[ "$(accepted pe2 10.78.0.1)" = "$1" ] &&
		api pe2 "/routes?neighbor=10.78.0.1" |
		jq -e --arg rt "$2" --argjson n "$1" \
			'(.routes | length) == $n and all(.routes[]; .route_targets == [$rt])' >/dev/null
}
pe2_has_rts() { # pe2_has_rts N: N routes from pe1 (any RTs)
	[ "$(accepted pe2 10.78.0.1)" = "$1" ]
}
rtc_of() { nbr pe1 10.78.0.2 | jq -c .route_target_constraint; }
pe1_sees() { # pe1_sees RECEIVED HELD: pe2's membership at pe1, what it holds back
	rtc_of | jq -e --argjson r "$1" --argjson h "$2" \
		'.ready and .membership_received == $r and .held_back == $h' >/dev/null
}
# hup2: SIGHUP to pe2's vrfmgr, and wait for the reload's last line
hup2() {
	local log=$PE2_RUN/vrfmgr.log n
	n=$(grep -c -e "reload done" -e "reload refused" "$log")
	kill -HUP "$PID_pe2_vrfmgr"
	t_wait 5 "pe2's vrfmgr to log the reload's end (done or refused) after SIGHUP" \
		eval '[ "$(grep -c -e "reload done" -e "reload refused" "$log")" -gt '"$n"' ]'
}

write_pe1
write_pe2 '"65000:2"'
if ! build_topology; then
	not_ok "namespace $PREFIX-r up"
	finish
fi
# started directly (not through inns, a function) so that $! is tshark itself
ip netns exec "$(ns r)" tshark -q -i lo -f 'tcp port 179' -w "$TMP/rtc.pcap" >"$TMP/tshark.log" 2>&1 &
TSHARK=$!
t_track $TSHARK
t_wait 10 "tshark to capture BGP on r's loopback" grep -q "Capturing on" "$TMP/tshark.log"
if start pe1 vrfmgr && start pe2 vrfmgr && start pe1 bgpd && start pe2 bgpd &&
	poll 15 established pe1 10.78.0.2 && poll 5 established pe2 10.78.0.1; then
	ok "pe1 and pe2 (vrfmgr, bgpd) up, Established"
else
	not_ok "pe1 and pe2 (vrfmgr, bgpd) up, Established"
	finish
fi
check "both negotiated vpnv4 and rtc" eval \
	'nbr pe1 10.78.0.2 | jq -e ".session.negotiated.families == [\"vpnv4\", \"rtc\"]" >/dev/null'

# --- what pe2 imports is what pe1 sends ----------------------------------------------------
local_count() { api "$1" "/routes?neighbor=local" | jq '.routes | length'; }
check "pe1 holds 12 local VPN routes (3 VRFs x 4)" poll 10 eval '[ "$(local_count pe1)" = 12 ]'
check "pe2 received only V2's 4 routes, all with RT 65000:2" poll 15 pe2_has 4 65000:2
check "pe1 shows pe2's 1 membership route, 8 routes held back, 4 advertised" eval \
	'poll 10 pe1_sees 1 8 && [ "$(nbr pe1 10.78.0.2 | jq .routes.advertised)" = 4 ]'
check "pe1 imports nothing of 65000:9: pe2 sends it nothing, holds its 1 route back" eval \
	'[ "$(accepted pe1 10.78.0.2)" = 0 ] &&
	 nbr pe2 10.78.0.1 | jq -e ".route_target_constraint | .ready and .membership_received == 3 and .held_back == 1" >/dev/null'
metrics=$(api pe1 /metrics)
check "/metrics: pe2's membership at pe1 (1), pe1's own (3 import RTs)" eval \
	'grep -q "^ferry_bgp_rtc_membership_received{neighbor=\"10.78.0.2\",description=\"\"} 1$" <<<"$metrics" &&
	 grep -q "^ferry_bgp_rtc_local_membership 3$" <<<"$metrics"'
show=$("$CTL" -r "$PREFIX-pe1" show bgp neighbor 10.78.0.2 2>&1)
check "ferryctl show bgp neighbor: the rt constraint line" \
	grep -q "rt constraint:   1 membership route received (complete), 3 advertised; 8 VPN routes held back" <<<"$show"
est_before=$(grep -c "session Established" "$PE1_RUN/bgpd.log")

# --- membership changes ----------------------------------------------------------------------
write_pe2 '"65000:2", "65000:3"'
check "pe2 imports 65000:3 too (reload): V3's routes come (8)" eval \
	'hup2 && poll 10 pe2_has_rts 8 && poll 5 pe1_sees 2 4'
check "vrfmgr told bgpd the new import set (logged)" \
	grep -q "bgpd: told 2 import route targets" "$PE2_RUN/vrfmgr.log"
write_pe2 '"65000:3"'
check "pe2 drops 65000:2 (reload): V2's routes withdrawn, V3's 4 left" eval \
	'hup2 && poll 10 pe2_has 4 65000:3 && poll 5 pe1_sees 1 8'
write_pe2 '"65000:3"' "$(vrf y 10.78.0.2:8 65000:8 8 1 '"65000:1"')"
check "a VRF added on pe2 importing 65000:1 (reload): V1's routes come too (8)" eval \
	'hup2 && poll 10 pe2_has_rts 8 && poll 5 pe1_sees 2 4'
write_pe2 '"65000:3"'
check "that VRF removed (reload): V1's routes withdrawn, V3's 4 left" eval \
	'hup2 && poll 10 pe2_has 4 65000:3 && poll 5 pe1_sees 1 8'
write_pe2 ''
check "no VRF of pe2 imports anything: no route left, everything held back" eval \
	'hup2 && poll 10 pe2_has_rts 0 && poll 5 pe1_sees 0 12'
check "no session reset along the way" eval \
	'[ "$(grep -c "session Established" "$PE1_RUN/bgpd.log")" = "$est_before" ] && established pe1 10.78.0.2'

# --- on the wire ----------------------------------------------------------------------------
t_stop "$TSHARK"
rtc_updates=$(tshark -r "$TMP/rtc.pcap" -Y 'bgp.update.path_attribute.mp_reach_nlri.safi == 132' \
	-T fields -e frame.number 2>/dev/null | wc -l)
rtc_eors=$(tshark -r "$TMP/rtc.pcap" \
	-Y 'bgp.update.path_attribute.mp_unreach_nlri.safi == 132 && bgp.update.path_attribute.length == 3' \
	-T fields -e frame.number 2>/dev/null | wc -l)
check "membership UPDATEs on the wire (AFI 1 / SAFI 132): $rtc_updates, End-of-RIBs: $rtc_eors" \
	eval '[ "$rtc_updates" -ge 3 ] && [ "$rtc_eors" = 2 ]'
# first FILTER FROM: the first frame number matching FILTER sent by FROM (empty: none)
first() {
	tshark -r "$TMP/rtc.pcap" -Y "ip.src == $2 && ($1)" -T fields -e frame.number 2>/dev/null |
		head -1
}
RTC_EOR='bgp.update.path_attribute.mp_unreach_nlri.safi == 132 && bgp.update.path_attribute.length == 3'
VPN_EOR='bgp.update.path_attribute.mp_unreach_nlri.safi == 128 && bgp.update.path_attribute.length == 3'
VPN_ROUTE='bgp.update.path_attribute.mp_reach_nlri.safi == 128'
# after A B: frame A exists and comes before frame B
before() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }
check "RFC 4684 §6 on the wire: pe1's VPN routes and End-of-RIB only after pe2's membership End-of-RIB" eval \
	'before "$(first "$RTC_EOR" 10.78.0.2)" "$(first "$VPN_ROUTE" 10.78.0.1)" &&
	 before "$(first "$RTC_EOR" 10.78.0.2)" "$(first "$VPN_EOR" 10.78.0.1)"'
check "... and pe2's VPN End-of-RIB only after pe1's membership End-of-RIB" \
	before "$(first "$RTC_EOR" 10.78.0.1)" "$(first "$VPN_EOR" 10.78.0.2)"
# the origin AS of every membership route announced, one line per UPDATE ("A,B" for two)
origins=$(tshark -r "$TMP/rtc.pcap" -Y "bgp.update.path_attribute.mp_reach_nlri.safi == 132" \
	-T fields -e bgp.originating_as 2>/dev/null)
check "their origin AS is 65000 ($(sort -u <<<"$origins" | paste -sd' '))" \
	eval '[ -n "$origins" ] && ! grep -vxE "65000(,65000)*" <<<"$origins" >/dev/null'
malformed=$(tshark -r "$TMP/rtc.pcap" -Y '_ws.malformed || (bgp && _ws.expert.severity >= warning)' 2>/dev/null)
malformed_rc=$? # 0: the capture was read (an unreadable one prints nothing as well)
check "nothing malformed in the capture" eval '[ $malformed_rc = 0 ] && [ -z "$malformed" ]'
[ -n "$malformed" ] && note <<<"$malformed"

check "all four daemons still running" eval \
	't_running "$PID_pe1_bgpd" && t_running "$PID_pe2_bgpd" && t_running "$PID_pe1_vrfmgr" && t_running "$PID_pe2_vrfmgr"'
finish
