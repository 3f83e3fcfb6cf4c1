#!/usr/bin/env bash
# VPN topologies made by route-target choice alone (issue 4), on a small
# topology of its own (namespaces "<prefix>-<node>", default prefix fv<pid>):
#
#   hub -- pe1 ======= pe2 -- s1, s2      (direct core link, implicit-null LSPs,
#   svc -/      \\      \-- ca, cb, cc     iBGP between loopbacks)
#
#  - hub and spoke: spokes s1 and s2 (VRFs spoke1, spoke2 on pe2) import only
#    the hub RT; the hub site (VRFs hub-in, hub-out on pe1, one CE on two
#    links) exports 10/8. s1 reaches s2, and only through the hub CE (with
#    its forwarding off they cannot); spoke1 holds no route of spoke2 and
#    vrfmgr explains why (no RT in common).
#  - extranet: the shared-services VRF svc (pe1, per-CE labels: pop and
#    forward, no second lookup) exports one prefix that customers A and B
#    (pe2) import; both reach it, neither reaches the other.
#  - a reload (SIGHUP) adds a VRF on pe2 without resetting the BGP session or
#    replaying to fwd; the new customer reaches the shared service.
#  - fwd's counters show the per-CE label's packets going straight to the CE
#    (no lookup in svc for them) while a per-VRF label's cost a lookup each;
#    /counters, /lfib, /metrics and ferryctl show them.
#  - kill -9 of pe2's vrfmgr during a continuous ping loses at most a handful
#    of packets, and fwd's FIB afterwards is what it was (and its label
#    counters go on through the replay).
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespaces, run directories, processes it
# started, by PID), also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init vrf fv "vrf topologies"
T_POLL_INTERVAL=0.5
NODES=(pe1 pe2 hub s1 s2 svc ca cb cc)
T_LOG_NODES=(pe1 pe2)
T_LOG_LINES=12
T_RM=("$(rundir pe1)" "$(rundir pe2)") # the daemons' run directories (start_daemons)

t_prereqs "bgpd vrfmgr fwd ferryctl" "jq curl ping ethtool"

# --- the topology ------------------------------------------------------------------
veth() { # veth NODE_A IF_A NODE_B IF_B [MTU]
	local a=$1 ia=$2 b=$3 ib=$4 mtu=${5:-1500} n i
	ip -n "$(ns "$a")" link add "$ia" mtu "$mtu" type veth peer name "$ib" mtu "$mtu" \
		netns "$(ns "$b")" || return 1
	for n in "$a:$ia" "$b:$ib"; do
		i=${n#*:}
		n=${n%%:*}
		inns "$n" ethtool -K "$i" tso off gso off gro off tx off >/dev/null 2>&1
		inns "$n" ip link set "$i" up || return 1
	done
}
# site PE PE_IF NODE ADDR GW: a CE-less site, NODE's own address on the attachment link
site() {
	veth "$1" "$2" "$3" pe || return 1
	inns "$1" ip link set "$2" arp off # fwd owns the PE side
	inns "$3" ip addr add "$4/30" dev pe &&
		inns "$3" ip route add default via "$5" dev pe
}
build_topology() {
	local n
	for n in "${NODES[@]}"; do
		t_netns_add "$n" || return 1
		inns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
		inns "$n" ip link set lo up
	done
	veth pe1 core0 pe2 core0 1600 || return 1
	inns pe1 ip addr add 10.0.12.1/30 dev core0
	inns pe2 ip addr add 10.0.12.2/30 dev core0
	inns pe1 ip addr add 10.255.0.1/32 dev lo
	inns pe2 ip addr add 10.255.0.2/32 dev lo
	inns pe1 ip route add 10.255.0.2/32 via 10.0.12.2 dev core0
	inns pe2 ip route add 10.255.0.1/32 via 10.0.12.1 dev core0
	inns pe1 sysctl -qw net.ipv4.ip_forward=0 >/dev/null
	inns pe2 sysctl -qw net.ipv4.ip_forward=0 >/dev/null
	# The hub CE: one link per hub VRF; what comes in on hub-out goes back by hub-in.
	veth pe1 hub-in hub hin && veth pe1 hub-out hub hout || return 1
	inns pe1 ip link set hub-in arp off
	inns pe1 ip link set hub-out arp off
	inns hub ip addr add 10.9.1.2/30 dev hin
	inns hub ip addr add 10.9.2.2/30 dev hout
	inns hub ip route add 10.0.0.0/8 via 10.9.1.1 dev hin
	inns hub sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null
	site pe1 svc0 svc 10.50.0.2 10.50.0.1 &&
		site pe2 s1 s1 10.21.1.2 10.21.1.1 &&
		site pe2 s2 s2 10.22.1.2 10.22.1.1 &&
		site pe2 ca ca 10.60.1.2 10.60.1.1 &&
		site pe2 cb cb 10.70.1.2 10.70.1.1 &&
		site pe2 cc cc 10.80.1.2 10.80.1.1
}

vrf() { # vrf NAME RD IMPORT EXPORT IFNAME ADDR [EXTRA]
	printf '{ "name": "%s", "rd": "%s", "import_rts": [%s], "export_rts": [%s],
	  "interfaces": [ { "name": "%s", "address": "%s" } ]%s }' "$@"
}
write_config() { # write_config NODE ROUTER_ID PEER LABEL_MIN VRFS...
	local node=$1 id=$2 peer=$3 min=$4 vrfs
	shift 4
	vrfs=$(printf '%s,\n' "$@")
	cat >"$TMP/$node.json" <<EOF
{
  "router": { "name": "$node", "router_id": "$id", "asn": 65000,
              "label_range": { "min": $min, "max": $((min + 99)) } },
  "bgp": { "listen": "$id", "hold_time": 30, "connect_retry": 1,
           "neighbors": [ { "address": "$peer", "remote_as": 65000, "local_address": "$id" } ] },
  "vrfs": [ ${vrfs%,*} ],
  "lsps": [ { "fec": "$peer/32", "out_label": "implicit-null", "next_hop": "$([ "$node" = pe1 ] && echo 10.0.12.2 || echo 10.0.12.1)",
              "interface": "core0" } ],
  "fwd": { "mode": "pe", "core_interfaces": [ { "name": "core0",
           "address": "$([ "$node" = pe1 ] && echo 10.0.12.1 || echo 10.0.12.2)/30" } ] }
}
EOF
}
PE2_VRFS=(
	"$(vrf spoke1 10.255.0.2:21 '"65000:1"' '"65000:2"' s1 10.21.1.1/30)"
	"$(vrf spoke2 10.255.0.2:22 '"65000:1"' '"65000:2"' s2 10.22.1.1/30)"
	"$(vrf cust-a 10.255.0.2:100 '"65000:100", "65000:50"' '"65000:100"' ca 10.60.1.1/30)"
	"$(vrf cust-b 10.255.0.2:200 '"65000:200", "65000:50"' '"65000:200"' cb 10.70.1.1/30)"
)
PE2_NEW_VRF="$(vrf cust-c 10.255.0.2:300 '"65000:300", "65000:50"' '"65000:300"' cc 10.80.1.1/30)"
write_configs() {
	write_config pe1 10.255.0.1 10.255.0.2 100 \
		"$(vrf hub-in 10.255.0.1:11 '"65000:2"' '' hub-in 10.9.1.1/30)" \
		"$(vrf hub-out 10.255.0.1:12 '' '"65000:1"' hub-out 10.9.2.1/30 \
			', "static_routes": [ { "prefix": "10.0.0.0/8", "next_hop": "10.9.2.2" } ]')" \
		"$(vrf svc 10.255.0.1:50 '"65000:100", "65000:200", "65000:300"' '"65000:50"' \
			svc0 10.50.0.1/30 ', "label_mode": "per-ce"')"
	write_config pe2 10.255.0.2 10.255.0.1 200 "${PE2_VRFS[@]}"
}

# start NODE PROG: a daemon in NODE with the config written here (lab_start takes
# the lab's), its PID tracked (ip netns exec execs) and kept in PID_<node>_<prog>
start() {
	local node=$1 prog=$2
	setsid ip netns exec "$(ns "$node")" "$BUILD/$prog" -c "$TMP/$node.json" \
		-r "$(rundir "$node")" </dev/null >>"$(rundir "$node")/$prog.log" 2>&1 &
	t_track $!
	eval "PID_${node}_$prog=$!"
}
start_daemons() {
	local node d
	for node in pe1 pe2; do
		mkdir -p "$(rundir "$node")"
		for d in vrfmgr bgpd fwd; do
			start "$node" "$d"
		done
	done
	for node in pe1 pe2; do
		for d in vrfmgr bgpd fwd; do
			poll 10 test -S "$(rundir "$node")/$d.sock" || return 1
		done
	done
}

if build_topology && write_configs && start_daemons; then
	ok "topology $PREFIX up (pe1, pe2, hub and spoke, extranet sites), daemons running"
else
	not_ok "topology $PREFIX up (pe1, pe2, hub and spoke, extranet sites), daemons running"
	finish
fi

check "BGP session pe1 <-> pe2 Established" \
	eval 'poll 60 lab_established pe1 10.255.0.2 && poll 5 lab_established pe2 10.255.0.1'

# installed NODE VRF PREFIX: that prefix is installed in the VRF
installed() {
	ctl "$1" vrf routes "$2" | jq -e --arg p "$3" \
		'[.routes[] | select(.prefix == $p and .installed)] | length == 1' >/dev/null
}
absent() { # absent NODE VRF PREFIX: no candidate at all for it
	ctl "$1" vrf routes "$2" |
		jq -e --arg p "$3" '[.routes[] | select(.prefix == $p)] | length == 0' >/dev/null
}
verdict() { # verdict NODE VRF RD PREFIX VERDICT
	api "$1" vrfmgr "/explain?vrf=$2&rd=$3&prefix=$4" |
		jq -e --arg v "$5" '.vrfs[0].verdict == $v' >/dev/null
}
ping_fails() { ! inns "$1" ping -n -q -c 3 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }

# --- hub and spoke ---------------------------------------------------------------
check "spoke1 (pe2) imports the hub's 10.0.0.0/8 from hub-out (pe1)" \
	poll 30 installed pe2 spoke1 10.0.0.0/8
check "spoke1 holds no route of spoke2 (same PE, no RT in common: no leaking)" \
	absent pe2 spoke1 10.22.1.0/30
check "vrfmgr explains it: spoke2's 10.22.1.0/30 in spoke1 is no-common-rt" \
	verdict pe2 spoke1 10.255.0.2:22 10.22.1.0/30 no-common-rt
check "hub-in (pe1) imports both spokes' subnets" \
	poll 10 eval 'installed pe1 hub-in 10.21.1.0/30 && installed pe1 hub-in 10.22.1.0/30'
check "s1 reaches s2 (10.22.1.2)" poll 20 ping1 s1 10.22.1.2
inns hub sysctl -qw net.ipv4.ip_forward=0 >/dev/null
check "with the hub CE not forwarding, s1 no longer reaches s2: the only path is the hub" \
	ping_fails s1 10.22.1.2
inns hub sysctl -qw net.ipv4.ip_forward=1 >/dev/null
check "hub CE forwarding again: s2 reaches s1" poll 10 ping1 s2 10.21.1.2

# --- extranet ----------------------------------------------------------------------
check "customer A (ca) reaches the shared service 10.50.0.2" poll 20 ping1 ca 10.50.0.2
check "customer B (cb) reaches the shared service 10.50.0.2" poll 10 ping1 cb 10.50.0.2
check "cust-a holds the one shared prefix (10.50.0.0/30) and nothing of cust-b" \
	eval 'installed pe2 cust-a 10.50.0.0/30 && absent pe2 cust-a 10.70.1.0/30 &&
	      [ "$(ctl pe2 vrf routes cust-a | jq "[.routes[] | select(.source == \"bgp\")] | length")" = 1 ]'
check "customer A does not reach customer B (10.70.1.2), nor B A" \
	eval 'ping_fails ca 10.70.1.2 && ping_fails cb 10.60.1.2'
check "vrfmgr explains it: cust-b's subnet in cust-a is no-common-rt" \
	verdict pe2 cust-a 10.255.0.2:200 10.70.1.0/30 no-common-rt
svc_label=$(ctl pe1 vrf labels | jq -r '.labels[] | select(.vrf == "svc" and .action == "pop-forward") | .label' | head -n 1)
pop_forward() {
	[ -n "$svc_label" ] &&
		api pe1 fwd /lfib | jq -e --argjson l "$svc_label" \
			'[.lfib[] | select(.in_label == $l and .action == "pop_forward")] | length == 1' \
				>/dev/null
}
check "svc's per-CE label ${svc_label:-?} is pop-and-forward in pe1's fwd (no second lookup)" \
	pop_forward

# The same, shown by fwd's counters: N pings ca -> svc. On pe1 they arrive with svc's
# per-CE label and go straight to svc's CE (the label counts N, svc counts no lookup of
# a packet from the core); the replies reach pe2 with cust-a's per-VRF label, which
# counts N and costs cust-a N lookups from the core.
counters() { api "$1" fwd /counters; }
lbl() { # lbl JSON LABEL: packets of that label
	jq -r --argjson l "$2" '[.labels[] | select(.in_label == $l) | .packets] | first // empty' <<<"$1"
}
vrfc() { # vrfc JSON VRF FIELD
	jq -r --arg v "$2" --arg k "$3" '[.vrfs[] | select(.vrf == $v) | .[$k]] | first // empty' <<<"$1"
}
N=10
ca_label=$(counters pe2 | jq -r '[.labels[] | select(.vrf == "cust-a" and .action == "pop_lookup") | .in_label] | first // empty')
c1=$(counters pe1)
c2=$(counters pe2)
inns ca ping -n -q -c $N -i 0.2 -W 1 10.50.0.2 >"$TMP/ping.ce" 2>&1
answered=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping.ce")
grown() { [ "$(lbl "$(counters pe2)" "$ca_label")" -ge $(($(lbl "$c2" "$ca_label") + N)) ]; }
t_wait 5 "pe2's fwd to count the $N pings from ca on cust-a's label" grown
d1=$(counters pe1)
d2=$(counters pe2)
delta() { # delta BEFORE AFTER (numbers)
	echo $(($2 - $1))
}
per_ce=$(delta "$(lbl "$c1" "$svc_label")" "$(lbl "$d1" "$svc_label")")
svc_core=$(delta "$(vrfc "$c1" svc lookups_from_core)" "$(vrfc "$d1" svc lookups_from_core)")
svc_ce=$(delta "$(vrfc "$c1" svc lookups_from_ce)" "$(vrfc "$d1" svc lookups_from_ce)")
svc_out=$(delta "$(vrfc "$c1" svc to_ce_packets)" "$(vrfc "$d1" svc to_ce_packets)")
per_vrf=$(delta "$(lbl "$c2" "$ca_label")" "$(lbl "$d2" "$ca_label")")
ca_core=$(delta "$(vrfc "$c2" cust-a lookups_from_core)" "$(vrfc "$d2" cust-a lookups_from_core)")
echo "# $N pings ca -> svc (${answered:-?} answered): pe1 label $svc_label (per-CE) +$per_ce," \
	"svc lookups from core +$svc_core, from its CE +$svc_ce, to its CE +$svc_out;" \
	"pe2 label ${ca_label:-?} (cust-a per-VRF) +$per_vrf, cust-a lookups from core +$ca_core"
check "fwd counters: the $N pings reached pe1 with svc's per-CE label $svc_label (+$per_ce) and went to svc's CE (+$svc_out)" \
	eval '[ "$answered" = $N ] && [ "$per_ce" = $N ] && [ "$svc_out" = $N ]'
check "fwd counters: no second lookup for them: svc's lookups of packets from the core +$svc_core (only the replies, from its CE: +$svc_ce)" \
	eval '[ "$svc_core" = 0 ] && [ "$svc_ce" = $N ]'
check "fwd counters: the replies' per-VRF label ${ca_label:-?} on pe2 (+$per_vrf) cost cust-a one lookup each (+$ca_core)" \
	eval '[ -n "$ca_label" ] && [ "$per_vrf" = $N ] && [ "$ca_core" = $N ]'

# The counters' endpoints: /counters names every VRF and label fwd holds, /lfib and
# /metrics carry the same label counts, ferryctl shows the tables.
# same A B: both answers there (no answer is empty on both sides) and equal
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
same_labels() {
	same "$(api pe1 fwd /counters | jq -c '[.labels[] | [.in_label, .action, .packets]]')" \
		"$(api pe1 fwd /lfib | jq -c '[.lfib[] | [.in_label, .action, .packets]]')"
}
check "pe1 /counters: VRFs hub-in, hub-out, svc with their ids; labels as in /lfib, with the same counts" \
	eval 'same "$(api pe1 fwd /counters | jq -c "[.vrfs[] | [.vrf, .vrf_id]]")" "$(ctl pe1 vrf list | jq -c "[.vrfs[] | [.name, .id]] | sort_by(.[1])")" && same_labels'
# The page is read whole before grep: piped, grep -q would leave at its first match and
# curl, still writing, fail on the closed pipe (pipefail made that a flaky failure).
svc_metrics() {
	local m
	m=$(api pe1 fwd /metrics) &&
		grep -q "^ferry_fwd_label_packets_total{label=\"$svc_label\",action=\"pop_forward\"} [1-9]" <<<"$m" &&
		grep -q "^ferry_fwd_vrf_packets_total{vrf=\"svc\",dir=\"to_ce\"} [1-9]" <<<"$m"
}
check "pe1 /metrics: ferry_fwd_label_packets_total for label $svc_label and ferry_fwd_vrf_packets_total for svc" \
	svc_metrics
"$CTL" -r "$(rundir pe1)" show counters >"$TMP/ctl.counters" 2>&1
grep -E "^(VRF |IN-LABEL|svc |$svc_label )" "$TMP/ctl.counters" | note
check "ferryctl show counters has the per-VRF table (svc) and the per-label table (label $svc_label)" \
	eval 'grep -Eq "^VRF +VRF-ID +FROM-CE-PKTS .* LOOKUPS-CORE +NO-ROUTE$" "$TMP/ctl.counters" &&
	      grep -Eq "^svc +[0-9]+ " "$TMP/ctl.counters" &&
	      grep -Eq "^$svc_label +pop_forward +svc +[1-9][0-9]* +[1-9][0-9]*$" "$TMP/ctl.counters"'

# --- reload adds a VRF without touching BGP or replaying to fwd ----------------------
uptime() { ctl pe2 bgp neighbors | jq -r '.neighbors[0].uptime_s'; }
replays() { grep -c "replay from vrfmgr started" "$(rundir pe2)/fwd.log"; }
up0=$(uptime)
rp0=$(replays)
PE2_VRFS+=("$PE2_NEW_VRF")
write_config pe2 10.255.0.2 10.255.0.1 200 "${PE2_VRFS[@]}"
kill -HUP "$PID_pe2_vrfmgr"
check "after SIGHUP pe2 has VRF cust-c, which imports the shared prefix" \
	poll 10 installed pe2 cust-c 10.50.0.0/30
check "svc on pe1 imports cust-c's subnet over the same BGP session" \
	poll 10 installed pe1 svc 10.80.1.0/30
check "customer C (cc) reaches the shared service" poll 10 ping1 cc 10.50.0.2
up1=$(uptime)
check "the BGP session was not reset (uptime $up0 s -> $up1 s)" \
	eval '[ -n "$up0" ] && [ "$up1" != null ] && [ "$up1" -ge "$up0" ] && lab_established pe2 10.255.0.1 >/dev/null'
check "fwd got only the differences, no replay (replays: $rp0 -> $(replays))" \
	eval '[ "$(replays)" = "$rp0" ] && grep -q "reload done: 1 VRF added" "$(rundir pe2)/vrfmgr.log"'
printf '{ "router": { "name": "pe2", "router_id": "10.255.0.9", "asn": 65000 } }' >"$TMP/pe2.json"
kill -HUP "$PID_pe2_vrfmgr"
check "a reload that needs a restart is refused, the running config stays" \
	eval 'poll 5 grep -q "reload refused" "$(rundir pe2)/vrfmgr.log" && ping1 cc 10.50.0.2 >/dev/null'
write_config pe2 10.255.0.2 10.255.0.1 200 "${PE2_VRFS[@]}"

# --- kill -9 vrfmgr during a ping ----------------------------------------------------
fib() { api pe2 fwd /fib | jq -S '[.fib[] | del(.nh_id?)] | sort_by(.vrf_id, .prefix)'; }
fib >"$TMP/fib.before"
vrfs() { ctl pe2 vrf list | jq -c '[.vrfs[] | [.name, .id, .label]]'; } # each VRF's id and label
vrfs_before=$(vrfs)
ca_before=$(lbl "$(counters pe2)" "$ca_label")
ca_lookups_before=$(vrfc "$(counters pe2)" cust-a lookups_from_core)
replays_done() { grep -c "replay from vrfmgr done" "$(rundir pe2)/fwd.log"; }
rd0=$(replays_done)
inns ca ping -n -i 0.05 -c 200 -W 1 10.50.0.2 >"$TMP/ping.out" 2>&1 &
ping_pid=$!
t_track "$ping_pid"
t_wait 5 "ca's ping of 10.50.0.2 to be answered 20 times (1 s of it)" \
	eval '[ "$(grep -c "bytes from" "$TMP/ping.out")" -ge 20 ]'
# kill and wait here, not t_stop: its polling would let bash print a "Killed" notice
kill -KILL "$PID_pe2_vrfmgr"
wait "$PID_pe2_vrfmgr" 2>/dev/null
t_untrack "$PID_pe2_vrfmgr"
start pe2 vrfmgr
wait "$ping_pid"
t_untrack "$ping_pid"
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping.out")
check "kill -9 of pe2's vrfmgr during 200 pings at 20/s: ${received:-?} answered (at most 5 lost)" \
	eval '[ -n "$received" ] && [ "$received" -ge 195 ]'
# fwd's replay waits for bgpd's (at most 5 s); once fwd has swept (the replay is done),
# its FIB must be unchanged.
replayed() { [ "$(replays_done)" -gt "$rd0" ]; }
fib_same() { fib | cmp -s - "$TMP/fib.before"; }
if poll 20 replayed && poll 5 fib_same; then
	ok "after the restart and fwd's replay and sweep, its FIB is what it was ($(jq length "$TMP/fib.before") entries)"
else
	not_ok "after the restart and fwd's replay and sweep, its FIB is what it was (replays $rp0 -> $(replays))"
	fib | diff "$TMP/fib.before" - | head -n 20 | note
fi
ca_after=$(lbl "$(counters pe2)" "$ca_label")
ca_lookups_after=$(vrfc "$(counters pe2)" cust-a lookups_from_core)
check "fwd's counters of label $ca_label (${ca_before:-?} -> ${ca_after:-?}) and VRF cust-a (lookups from core ${ca_lookups_before:-?} -> ${ca_lookups_after:-?}) went on through the replay" \
	eval '[ -n "$ca_after" ] && [ -n "$ca_before" ] && [ "$ca_after" -ge $((ca_before + received)) ] &&
	      [ -n "$ca_lookups_after" ] && [ "$ca_lookups_after" -ge $((ca_lookups_before + received)) ]'
check "the restarted vrfmgr gave every VRF its label and id back ($vrfs_before)" \
	eval 'ctl pe2 vrf list | jq -e "[.vrfs[] | select(.name == \"cust-a\" and .id == 3)] | length == 1" >/dev/null &&
	      same "$vrfs_before" "$(vrfs)"'
finish
