#!/usr/bin/env bash
# Interop: ferry's bgpd against real BGP speakers from Debian packages (GoBGP,
# BIRD 2, FRR bgpd without zebra, ExaBGP), each in its own namespace with one
# veth to ferry's (topology in lib.sh). vpn_inject stands in for vrfmgr. Each
# peer is started once; every wait is bounded polling. Checks, per peer:
#  - the session is Established, as both sides report it;
#  - peer -> ferry: its VPN-IPv4 routes (RD types 0/1/2, several route
#    targets of all three types, labels, LOCAL_PREF (iBGP), MED, communities)
#    are in ferry's RIB as sent, and their best paths reach "vrfmgr";
#  - ferry -> peer: ferry's local routes as the peer reports them (its CLI or
#    JSON), and for iBGP peers the routes ferry learned over eBGP, attributes
#    intact;
#  - ROUTE-REFRESH from the peer is answered (BIRD, FRR, ExaBGP; GoBGP's CLI cannot send one);
#  - a 2-octet AS peer (ExaBGP): AS_PATH + AS4_PATH merged, the true path passed on;
#  - withdrawals both ways;
#  - graceful restart: GoBGP killed and restarted, its routes kept stale, swept at EoR;
#    again with its FIN and RST dropped, so that its new OPEN is ferry's only sign;
#    ferry's bgpd killed, and stopped by SIGUSR1 (a planned restart), and each time
#    restarted: its routes kept by GoBGP, BIRD and FRR;
#    RFC 8538 with FRR: ferry's 6/6 keeps ferry's routes at FRR, FRR's Hard Reset is decoded;
#    RFC 9494 with FRR: long-lived graceful restart negotiated both ways;
#  - route reflection between BIRD (client) and GoBGP, NO_ADVERTISE;
#  - TCP-MD5 (BIRD), GTSM (FRR), extended messages (BIRD), enhanced route refresh (FRR),
#    DelayOpen on ferry's side (FRR, ExaBGP);
#  - bulk: IX_BULK (10,000) routes ferry -> GoBGP, FRR, ExaBGP (and BIRD), then BIRD,
#    FRR, ExaBGP -> ferry one after the other: counted by each side's own counter
#    (ferry's per-neighbor counts, FRR's summary, GoBGP's table), a sample checked
#    route by route (label, RT, next hop, AS_PATH), ExaBGP's and GoBGP's copies in full;
#  - a tshark decode of everything ferry sent shows no malformed packet or
#    expert warning.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Needs root. IX_KEEP=1 keeps the work directory (logs, capture); IX_BULK=N changes the
# bulk size; IX_CEASE=1 has every peer close with a Cease at the end (used by
# tests/fuzz/capture-seeds).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${FERRY_BUILD:-$ROOT/build}
NORM=$ROOT/tests/interop/norm.py
. tests/interop/lib.sh
passed=0
failed=0
T0=$SECONDS

. tests/tap.sh # ok, not_ok, note

dump_logs() {
	local f
	for f in "$IX_TMP"/ferry.log "$IX_TMP"/*/*.log "$IX_TMP"/x/out; do
		[ -s "$f" ] || continue
		echo "# --- $f (last 12 lines)"
		tail -n 12 "$f" | note
	done
}
cleanup() {
	trap - EXIT INT TERM
	exec 7>&- 2>/dev/null
	[ $failed -gt 0 ] && dump_logs
	ix_cleanup
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT TERM

finish() {
	echo "# interop: $((passed + failed)) checks, $passed passed, $failed failed, $((SECONDS - T0)) s"
	[ $failed -eq 0 ]
	exit
}

# ---- prerequisites --------------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	not_ok "must run as root (network namespaces)"
	finish
fi
missing=()
for f in "$BUILD/bgpd" "$BUILD/tools/vpn_inject" gobgpd gobgp bird birdc /usr/lib/frr/bgpd \
	vtysh exabgp tshark curl jq python3; do
	command -v "$f" >/dev/null || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
	not_ok "prerequisites: missing ${missing[*]} (scripts/install-deps all; make all)"
	finish
fi

# ---- what each speaker reports, one normalized line per route ----------------------
ferry_view() { ferry_api /routes | "$NORM" ferry; }
gobgp_view() { gobgp_cli global rib -a vpnv4 -j | "$NORM" gobgp; }
bird_view() { birdc_ show route table vpntab4 all | "$NORM" bird; }
exabgp_view() { "$NORM" exabgp <"$IX_TMP/x/recv"; }
frr_view() {
	local rd pfx
	vtysh_ -c 'show bgp ipv4 vpn json' 2>/dev/null |
		jq -r '.routes.routeDistinguishers // {} | to_entries[] | .key as $rd |
			.value | keys[] | "\($rd) \(.)"' |
		while read -r rd pfx; do
			vtysh_ -c "show bgp ipv4 vpn rd $rd $pfx json" 2>/dev/null | jq -c .
		done | "$NORM" frr
}
view() { # view NODE: that speaker's table
	case $1 in
	hub) ferry_view ;; g) gobgp_view ;; b) bird_view ;; r) frr_view ;; x) exabgp_view ;;
	esac
}
name() { case $1 in hub) echo ferry ;; g) echo GoBGP ;; b) echo BIRD ;; r) echo FRR ;; x) echo ExaBGP ;; esac; }

# has_all VIEWFILE SPEC...: every SPEC ("RD PREFIX field=value ...") is in the view:
# some line starts with its RD and prefix, and every line that does holds each of its
# fields. (It took the first line holding "RD PREFIX " anywhere: 65001:100's route
# passed for 1:100's, and a second copy of a route, wrong, went unseen.)
has_all() {
	local f=$1 spec key tok line t n
	shift
	for spec in "$@"; do
		read -r -a tok <<<"$spec"
		key="${tok[0]} ${tok[1]} "
		n=0
		while IFS= read -r line; do
			[[ $line == "$key"* ]] || continue
			n=$((n + 1))
			for t in "${tok[@]:2}"; do
				[[ " $line " == *" $t "* ]] || return 1
			done
		done <"$f"
		[ "$n" -gt 0 ] || return 1
	done
}
# has_none VIEWFILE "RD PREFIX"...: no line starts with any of them, as has_all reads
# a view. (It took "RD PREFIX " anywhere in a line: 65001:100's route was taken for
# 1:100's, and a withdrawal checked so could wait on a route that was gone.)
has_none() {
	local f=$1 k
	shift
	for k in "$@"; do
		awk -v k="$k " 'index($0, k) == 1 { found = 1; exit } END { exit found }' "$f" ||
			return 1
	done
}
# expect TIMEOUT NODE has_all|has_none SPEC...: polls NODE's view until it matches.
# has_none needs the view to have come whole (its commands' status): a speaker that
# did not answer shows an empty table, which has none of anything.
expect() {
	local t=$1 node=$2 fn=$3 deadline rc
	shift 3
	deadline=$((SECONDS + t * ${FERRY_TEST_TIMEOUT_SCALE:-1}))
	while :; do
		view "$node" >"$IX_TMP/view.$node" 2>/dev/null
		rc=$?
		{ [ "$fn" != has_none ] || [ $rc = 0 ]; } && "$fn" "$IX_TMP/view.$node" "$@" && return 0
		[ $SECONDS -ge $deadline ] && break
		sleep 0.5
	done
	echo "# $(name "$node") reports (its view's exit status $rc):"
	note <"$IX_TMP/view.$node"
	echo "# wanted ($fn):"
	printf '%s\n' "$@" | note
	return 1
}
inject() { echo "$*" >&7; }

# ---- bring everything up ---------------------------------------------------------
if ! ix_net_up || ! ix_net_y; then
	not_ok "namespaces and links"
	finish
fi
ix_ferry_config
ix_gobgp_config
ix_bird_config
ix_frr_config
ix_exabgp_config
ix_exabgp_y_config
mkdir -p "$IX_TMP/ferry"

ip netns exec "$(ix_ns hub)" tshark -n -i any -f 'tcp port 179' -w "$IX_TMP/bgp.pcap" \
	>"$IX_TMP/tshark.log" 2>&1 &
IX_PIDS+=($!)
TSHARK_PID=$!
t_wait 15 "tshark to capture BGP on the hub" grep -q "Capturing on" "$IX_TMP/tshark.log"

mkfifo "$IX_TMP/inject.fifo"
exec 7<>"$IX_TMP/inject.fifo"
ip netns exec "$(ix_ns hub)" "$BUILD/tools/vpn_inject" "$IX_TMP/ferry/vrfmgr.ipc" \
	<"$IX_TMP/inject.fifo" >"$IX_TMP/inject.out" 2>&1 &
IX_PIDS+=($!)
t_wait 5 "vpn_inject (standing in for vrfmgr) to be READY" grep -q READY "$IX_TMP/inject.out"
# ferry's local routes: RD types 0/1/2, RTs of all three types, LOCAL_PREF and MED
inject add 65000:100 10.10.1.0/24 1001 65000:100,10.91.0.1:300,4200000000:300 200 50
inject add 10.91.0.1:200 10.10.2.0/24 1002 65000:200
inject add 4200000000:300 10.10.3.0/25 1003 65000:300
inject add 65000:109 10.10.9.0/24 1009 65000:100

ix_bg hub "$IX_TMP/ferry.log" "$BUILD/bgpd" -c "$IX_TMP/ferry.json"
FERRY_PID=${IX_PIDS[-1]}
ix_bg g "$IX_TMP/g/gobgpd.log" gobgpd -f "$IX_TMP/g/gobgp.toml" --api-hosts 127.0.0.1:50051
G_PID=${IX_PIDS[-1]}
ix_bg b "$IX_TMP/b/bird.log" bird -f -c "$IX_TMP/b/bird.conf" -s "$IX_TMP/b/bird.ctl"
inns r /usr/lib/frr/bgpd -d -Z -S -P 0 -N "$IX_PREFIX" -f "$IX_TMP/r/bgpd.conf" \
	-i "$IX_TMP/r/bgpd.pid" --log "file:$IX_TMP/r/bgpd.log" >/dev/null 2>&1 ||
	echo "# FRR bgpd did not start"
IX_PIDS+=("$(cat "$IX_TMP/r/bgpd.pid" 2>/dev/null)")
ip netns exec "$(ix_ns x)" env exabgp.daemon.drop=false exabgp.daemon.user=root \
	exabgp.api.cli=false exabgp.log.destination=stdout \
	exabgp "$IX_TMP/x/exabgp.conf" >"$IX_TMP/x/out" 2>&1 &
IX_PIDS+=($!)
ip netns exec "$(ix_ns y)" env exabgp.daemon.drop=false exabgp.daemon.user=root \
	exabgp.api.cli=false exabgp.log.destination=stdout \
	exabgp "$IX_TMP/y/exabgp.conf" >"$IX_TMP/y/out" 2>&1 &
IX_PIDS+=($!)

# ---- sessions ----------------------------------------------------------------------
ferry_state() { # ferry_state PEERADDR
	ferry_api /neighbors | jq -r --arg a "$1" '.neighbors[] | select(.address == $a) | .state'
}
peer_established() {
	case $1 in
	g) gobgp_cli neighbor 10.91.1.1 -j | jq -e '.state.session_state == 6' ;;
	b) birdc_ show protocols ferry | grep -c Established >/dev/null ;;
	r) vtysh_ -c 'show bgp neighbors 10.91.3.1 json' 2>/dev/null |
		jq -e '.["10.91.3.1"].bgpState == "Established"' ;;
	x) grep -q '"state": "up"\|"type": "state".*"up"' "$IX_TMP/x/recv" ||
		grep -qi "connected to peer-1\|established" "$IX_TMP/x/out" ;;
	esac
}
both_established() { [ "$(ferry_state "$(ix_peer_addr "$1")")" = Established ] && peer_established "$1"; }
extra() { case $1 in b) echo ", TCP-MD5" ;; r) echo ", GTSM (TTL 255)" ;; esac; }
# DelayOpen (10 s) on ferry's side for FRR and ExaBGP: their OPEN is answered at once
delay_answered() { grep -q "peer $1: OPEN received while delaying ours (DelayOpen): answered" "$IX_TMP/ferry.log"; }
for p in $IX_PEERS; do
	if poll 25 both_established "$p"; then
		ok "$(name "$p"): session Established (both sides say so$(extra "$p"))"
	else
		not_ok "$(name "$p"): session Established (ferry: $(ferry_state "$(ix_peer_addr "$p")"))"
	fi
done
if delay_answered 10.91.3.2 && delay_answered 10.91.4.2; then
	ok "DelayOpen: FRR's and ExaBGP's OPEN answered at once (well within the 10 s delay)"
else
	not_ok "DelayOpen: FRR's and ExaBGP's OPEN answered while delaying ours"
fi

# GoBGP's routes are added through its API once it runs
gobgp_cli global rib -a vpnv4 add 10.21.1.0/24 label 2101 rd 65000:11 rt 65000:100 65000:101 \
	med 21 local-pref 210 community 65000:21,65000:22 nexthop 10.91.1.2 >/dev/null
gobgp_cli global rib -a vpnv4 add 10.21.2.0/24 label 2102 rd 10.91.1.2:12 rt 10.91.1.2:5 \
	nexthop 10.91.1.2 >/dev/null
gobgp_cli global rib -a vpnv4 add 10.21.3.0/24 label 2103 rd 64086.59905:13 \
	rt 64086.59905:7 nexthop 10.91.1.2 >/dev/null # asdot: 4200000001
gobgp_cli global rib -a vpnv4 add 10.21.9.0/24 label 2109 rd 65000:19 rt 65000:100 \
	nexthop 10.91.1.2 >/dev/null
gobgp_cli global rib -a vpnv4 add 10.21.5.0/24 label 2105 rd 65000:15 rt 65000:100 \
	community no-advertise nexthop 10.91.1.2 >/dev/null

# ---- peer -> ferry -----------------------------------------------------------------
FROM_g=("65000:11 10.21.1.0/24 label=2101 nh=10.91.1.2 lp=210 med=21 comm=65000:21,65000:22 rt=65000:100,65000:101 aspath=-"
	"10.91.1.2:12 10.21.2.0/24 label=2102 nh=10.91.1.2 rt=10.91.1.2:5"
	"4200000001:13 10.21.3.0/24 label=2103 rt=4200000001:7"
	"65000:19 10.21.9.0/24 label=2109 rt=65000:100")
FROM_b=("65000:21 10.22.1.0/24 label=2201 nh=10.91.2.2 lp=220 med=22 comm=65000:22,65000:23 rt=65000:100,65000:101 aspath=-"
	"10.91.2.2:22 10.22.2.0/24 label=2202 nh=10.91.2.2 rt=10.91.2.2:5"
	"4200000002:23 10.22.3.0/24 label=2203 rt=4200000002:7"
	"65000:29 10.22.9.0/24 label=2209 rt=65000:100")
FROM_r=("65003:1 10.23.1.0/24 label=2301 nh=10.91.3.2 lp=100 med=23 comm=65003:1,65003:2 rt=65000:100,65000:101 aspath=65003"
	"10.91.3.2:2 10.23.2.0/24 label=2302 nh=10.91.3.2 rt=10.91.3.2:5"
	"4200000003:3 10.23.3.0/24 label=2303 rt=4200000003:7"
	"65003:9 10.23.9.0/24 label=2309")
FROM_x=("65004:1 10.24.1.0/24 label=2401 nh=10.91.4.2 lp=100 med=24 comm=65004:1,65004:2 rt=65000:100,65000:101 aspath=65004"
	"10.91.4.2:2 10.24.2.0/24 label=2402 nh=10.91.4.2 rt=10.91.4.2:5"
	"4200000004:3 10.24.3.0/24 label=2403 rt=4200000004:7"
	"65004:9 10.24.9.0/24 label=2409 rt=65000:100")
for p in $IX_PEERS; do
	eval "specs=(\"\${FROM_$p[@]}\")"
	if expect 15 hub has_all "${specs[@]}"; then
		ok "$(name "$p") -> ferry: RD types 0/1/2, labels, RTs, MED, communities$([ "$p" = g ] || [ "$p" = b ] && echo ", LOCAL_PREF") intact"
	else
		not_ok "$(name "$p") -> ferry: routes with their attributes"
	fi
done
# every one of them is a best path, so "vrfmgr" heard of each, label and RTs included
vrfmgr_has() {
	grep -qF "ADD 65000:11 10.21.1.0/24 2101 10.91.1.2 65000:100,65000:101" "$IX_TMP/inject.out" &&
		grep -qF "ADD 4200000003:3 10.23.3.0/24 2303 10.91.3.2 4200000003:7" "$IX_TMP/inject.out" &&
		grep -qF "ADD 10.91.4.2:2 10.24.2.0/24 2402 10.91.4.2 10.91.4.2:5" "$IX_TMP/inject.out" &&
		grep -qF "ADD 65000:21 10.22.1.0/24 2201 10.91.2.2 65000:100,65000:101" "$IX_TMP/inject.out" &&
		[ "$(grep -c '^ADD ' "$IX_TMP/inject.out")" -ge 16 ]
}
if poll 5 vrfmgr_has; then
	ok "ferry -> vrfmgr: the 16 learned best paths with labels, next hops, RTs"
else
	not_ok "ferry -> vrfmgr: the 16 learned best paths"
	grep '^ADD\|^DEL' "$IX_TMP/inject.out" | note
fi

# ---- ferry -> peer -----------------------------------------------------------------
to_peer() { # to_peer NODE: ferry's local routes as NODE should report them
	local f lp as
	f=$(ix_ferry_addr "$1")
	if [ "$1" = g ] || [ "$1" = b ]; then lp=200 as=-; else lp=- as=65000; fi
	TO=("65000:100 10.10.1.0/24 label=1001 nh=$f lp=$lp med=50 rt=10.91.0.1:300,4200000000:300,65000:100 aspath=$as"
		"10.91.0.1:200 10.10.2.0/24 label=1002 nh=$f rt=65000:200 aspath=$as"
		"4200000000:300 10.10.3.0/25 label=1003 nh=$f rt=65000:300 aspath=$as"
		"65000:109 10.10.9.0/24 label=1009 nh=$f rt=65000:100")
}
for p in $IX_PEERS; do
	to_peer "$p"
	if expect 15 "$p" has_all "${TO[@]}"; then
		ok "ferry -> $(name "$p"): RD types 0/1/2, labels, RTs, next hop, MED$([ "$p" = g ] || [ "$p" = b ] && echo ", LOCAL_PREF") as $(name "$p") reports them"
	else
		not_ok "ferry -> $(name "$p"): local routes"
	fi
done
# routes ferry learned over eBGP go on to its iBGP peers unchanged
TRANSIT=("65003:1 10.23.1.0/24 label=2301 nh=10.91.3.2 med=23 comm=65003:1,65003:2 rt=65000:100,65000:101 aspath=65003"
	"65004:1 10.24.1.0/24 label=2401 nh=10.91.4.2 med=24 comm=65004:1,65004:2 rt=65000:100,65000:101 aspath=65004"
	"4200000004:3 10.24.3.0/24 label=2403 rt=4200000004:7")
for p in g b; do
	if expect 10 "$p" has_all "${TRANSIT[@]}"; then
		ok "ferry -> $(name "$p"): eBGP-learned routes passed on with next hop, AS_PATH, MED, communities intact"
	else
		not_ok "ferry -> $(name "$p"): eBGP-learned routes passed on"
	fi
done

# route reflection (RFC 4456): BIRD is ferry's client, GoBGP a non-client
# (GoBGP, a reflector itself, already tags its own routes with its cluster id 10.91.1.2)
REFL_TO_b=("65000:11 10.21.1.0/24 label=2101 nh=10.91.1.2 lp=210 med=21 comm=65000:21,65000:22 orig=10.91.1.2 cl=10.91.0.1,10.91.1.2")
REFL_TO_g=("65000:21 10.22.1.0/24 label=2201 nh=10.91.2.2 lp=220 med=22 comm=65000:22,65000:23 orig=10.91.2.2 cl=10.91.0.1")
for p in b g; do
	eval "specs=(\"\${REFL_TO_$p[@]}\")"
	if expect 10 "$p" has_all "${specs[@]}"; then
		ok "ferry as route reflector -> $(name "$p") ($([ "$p" = b ] && echo client || echo non-client)): ORIGINATOR_ID, CLUSTER_LIST set, attributes intact"
	else
		not_ok "ferry as route reflector -> $(name "$p")"
	fi
done
# ferry as a client of GoBGP's reflection: the route of GoBGP's other peer (ExaBGP, y)
# arrives with its originator and GoBGP's cluster id, and ferry reflects it on to its
# own client BIRD with its cluster id in front
FROM_Y="65000:25 10.25.1.0/24 label=2501 nh=10.91.5.2 lp=250 med=25 comm=65000:25 rt=65000:100 orig=10.91.5.2"
if expect 20 hub has_all "$FROM_Y cl=10.91.1.2" && expect 5 b has_all "$FROM_Y cl=10.91.0.1,10.91.1.2"; then
	ok "ferry as client of GoBGP's reflector: ORIGINATOR_ID, CLUSTER_LIST kept, reflected on to BIRD"
else
	not_ok "ferry as client of GoBGP's reflector"
fi
# ExaBGP speaks 2-octet AS only: its path 65004 4200000005 comes as AS_PATH 65004 23456
# plus AS4_PATH; ferry rebuilds it (RFC 6793) and passes the true path on to its iBGP peers
AS4_ROUTE="65004:5 10.24.5.0/24 label=2405 nh=10.91.4.2 aspath=65004_4200000005"
x_as4() { ferry_api '/neighbor?address=10.91.4.2' | jq -r '.session.negotiated.four_octet_as'; }
if [ "$(x_as4)" = false ] && expect 10 hub has_all "$AS4_ROUTE" &&
	expect 10 g has_all "$AS4_ROUTE" && expect 10 b has_all "$AS4_ROUTE"; then
	ok "2-octet AS peer (ExaBGP): AS_PATH + AS4_PATH merged (RFC 6793), true path passed on to GoBGP and BIRD"
else
	not_ok "2-octet AS peer (ExaBGP): AS4_PATH merged (four_octet_as: $(x_as4))"
fi

# NO_ADVERTISE (RFC 1997): ferry keeps GoBGP's route but tells nobody
if expect 5 hub has_all "65000:15 10.21.5.0/24 label=2105 comm=65535:65282" &&
	expect 3 b has_none "65000:15 10.21.5.0/24"; then
	ok "NO_ADVERTISE: learned from GoBGP, not reflected to BIRD"
else
	not_ok "NO_ADVERTISE honoured"
fi

# ---- route refresh -----------------------------------------------------------------
# (GoBGP's "softresetin" re-filters its Adj-RIB-In and sends nothing)
refreshed() { grep -q "peer $1: route refresh requested" "$IX_TMP/ferry.log"; }
birdc_ reload in ferry >/dev/null 2>&1
vtysh_ -c 'clear bgp ipv4 vpn 10.91.3.1 soft in' >/dev/null 2>&1
echo "announce route-refresh ipv4 mpls-vpn" >>"$IX_TMP/x/cmds"
for p in b r x; do
	if poll 10 refreshed "$(ix_peer_addr "$p")" &&
		to_peer "$p" && expect 5 "$p" has_all "${TO[@]}"; then
		ok "$(name "$p"): ROUTE-REFRESH answered, routes still there"
	else
		not_ok "$(name "$p"): ROUTE-REFRESH answered"
	fi
done

# ---- withdrawals -------------------------------------------------------------------
inject del 65000:109 10.10.9.0/24
for p in $IX_PEERS; do
	if expect 10 "$p" has_none "65000:109 10.10.9.0/24"; then
		ok "ferry -> $(name "$p"): withdrawal honoured"
	else
		not_ok "ferry -> $(name "$p"): withdrawal honoured"
	fi
done
gobgp_cli global rib -a vpnv4 del 10.21.9.0/24 label 2109 rd 65000:19 rt 65000:100 \
	nexthop 10.91.1.2 >/dev/null
birdc_ disable st2 >/dev/null
vtysh_ -c 'configure terminal' -c 'router bgp 65003' -c 'address-family ipv4 vpn' \
	-c 'no network 10.23.9.0/24 rd 65003:9 label 2309' >/dev/null 2>&1
echo "withdraw route 10.24.9.0/24 rd 65004:9 label 2409 next-hop 10.91.4.2" >>"$IX_TMP/x/cmds"
WD_g="65000:19 10.21.9.0/24" WD_b="65000:29 10.22.9.0/24" WD_r="65003:9 10.23.9.0/24"
WD_x="65004:9 10.24.9.0/24"
for p in $IX_PEERS; do
	eval "wd=\$WD_$p"
	if expect 10 hub has_none "$wd" && poll 3 grep -qF "DEL $wd" "$IX_TMP/inject.out"; then
		ok "$(name "$p") -> ferry: withdrawal honoured (and passed to vrfmgr)"
	else
		not_ok "$(name "$p") -> ferry: withdrawal honoured"
	fi
done

# ---- graceful restart (RFC 4724), ferry as receiving speaker ---------------------------
# GoBGP dies (TCP gone, no NOTIFICATION): its routes stay, stale; it comes back with
# the restart flag, re-announces one route and End-of-RIB: the other stale ones go.
route_field() { # route_field RD PREFIX FIELD
	ferry_api "/routes?rd=$1&prefix=$2" |
		jq -r --arg f "$3" 'if .routes[0] then .routes[0][$f] else "absent" end'
}
kept_stale() {
	[ "$(ferry_state 10.91.1.2)" != Established ] &&
		[ "$(route_field 65000:11 10.21.1.0/24 stale)" = true ] &&
		[ "$(route_field 10.91.1.2:12 10.21.2.0/24 stale)" = true ]
}
swept() {
	[ "$(route_field 65000:11 10.21.1.0/24 stale)" = false ] &&
		[ "$(route_field 10.91.1.2:12 10.21.2.0/24 stale)" = absent ]
}
kill -9 "$G_PID" 2>/dev/null
if poll 10 kept_stale && grep -qF "DEL 65000:11" "$IX_TMP/inject.out"; then
	not_ok "GoBGP restarts: its routes were withdrawn instead of kept stale"
elif kept_stale; then
	ok "GoBGP restarts: ferry keeps its routes, marked stale, still in use"
else
	not_ok "GoBGP restarts: routes kept stale (state $(ferry_state 10.91.1.2), stale: $(route_field 65000:11 10.21.1.0/24 stale))"
fi
gobgp_back() { # gobgp_back LOG: GoBGP restarted, its table rebuilt before the session is back
	ix_bg g "$1" gobgpd -r -f "$IX_TMP/g/gobgp.toml" --api-hosts 127.0.0.1:50051
	G_PID=${IX_PIDS[-1]}
	t_wait 15 "GoBGP, restarted, to answer on its API" gobgp_cli global rib -a vpnv4 summary
	gobgp_cli global rib -a vpnv4 add 10.21.1.0/24 label 2101 rd 65000:11 rt 65000:100 \
		65000:101 med 21 local-pref 210 community 65000:21,65000:22 nexthop 10.91.1.2 >/dev/null
}
gobgp_back "$IX_TMP/g/gobgpd2.log"
if poll 45 swept; then
	ok "GoBGP back: the re-announced route is fresh, the others swept at End-of-RIB"
else
	not_ok "GoBGP back: stale routes swept (10.21.1.0/24 stale: $(route_field 65000:11 10.21.1.0/24 stale), 10.21.2.0/24: $(route_field 10.91.1.2:12 10.21.2.0/24 stale))"
fi

# RFC 4724 §4.2: GoBGP dies and the end of its connection never reaches ferry (its FIN
# and RST dropped in its namespace, as when a host reboots), so ferry still holds the
# session Established when the new GoBGP's OPEN comes on a new connection. That OPEN is
# the restart: the old session ends without a NOTIFICATION, its routes kept stale, and
# the new connection comes up (it used to be refused as a collision until the hold timer).
inns g nft -f - <<'NFT'
table inet ix_nofin {
	chain out { type filter hook output priority 0; tcp flags & (fin | rst) != 0 drop; }
}
NFT
kill -9 "$G_PID" 2>/dev/null
wait "$G_PID" 2>/dev/null
unseen=$(ferry_state 10.91.1.2)
gobgp_back "$IX_TMP/g/gobgpd3.log"
reopened() {
	grep -qF "(the peer restarted: its OPEN came on a new connection), graceful restart:" \
		"$IX_TMP/ferry.log" && [ "$(ferry_state 10.91.1.2)" = Established ] && swept
}
if [ "$unseen" = Established ] && poll 30 reopened; then
	ok "GoBGP dies unseen (FIN and RST dropped): its OPEN on a new connection ends the old session, routes kept stale, back and swept at End-of-RIB (RFC 4724 §4.2)"
else
	not_ok "GoBGP dies unseen: ferry after the kill: $unseen, now $(ferry_state 10.91.1.2); $(grep -F '10.91.1.2' "$IX_TMP/ferry.log" | tail -n 3 | tr '\n' '|')"
fi
inns g nft delete table inet ix_nofin

# ---- graceful restart (RFC 4724), ferry as restarting speaker --------------------------
# ferry's bgpd is killed (TCP gone, no NOTIFICATION), then stopped for a planned graceful
# restart (SIGUSR1: sessions closed without NOTIFICATION, its marker kept): the peers
# that help keep its routes meanwhile. Started again, it finds it was not stopped
# cleanly, comes back with R and F, waits for every neighbor's End-of-RIB (or one
# without graceful restart), and its own End-of-RIB leaves its routes in place, fresh,
# at each peer.
ferry_restarted() {
	ferry_api /neighbors | jq -e '.restart.graceful and (.restart.deferring | not) and
		all(.neighbors[]; .state == "Established")' >/dev/null
}
for sig in KILL USR1; do
	how="killed"
	[ $sig = KILL ] || how="stopped by SIGUSR1 (a planned restart)"
	kill -$sig "$FERRY_PID" 2>/dev/null
	t_wait 10 "ferry's bgpd (PID $FERRY_PID) to exit on SIG$sig" sh -c "! kill -0 $FERRY_PID"
	# ferry's local routes but 10.10.9.0/24, withdrawn above
	for p in g b r; do
		to_peer "$p"
		if poll 10 eval "! peer_established $p" && expect 3 "$p" has_all "${TO[@]:0:3}"; then
			ok "ferry's bgpd $how: $(name "$p") keeps ferry's routes meanwhile (graceful restart helper)"
		else
			not_ok "ferry's bgpd $how: $(name "$p") keeps ferry's routes meanwhile"
		fi
	done
	ip netns exec "$(ix_ns hub)" "$BUILD/bgpd" -c "$IX_TMP/ferry.json" >>"$IX_TMP/ferry.log" 2>&1 &
	IX_PIDS+=($!)
	FERRY_PID=$!
	if poll 90 ferry_restarted; then
		ok "ferry's bgpd back after being $how: a graceful restart, every session up, deferral over ($(grep -o 'graceful restart: [a-z ]*End-of-RIB[a-z ]*' "$IX_TMP/ferry.log" | tail -n 1))"
	else
		not_ok "ferry's bgpd back after being $how: $(ferry_api /neighbors | jq -c '[.restart, [.neighbors[] | .state]]')"
	fi
	for p in g b r; do
		to_peer "$p"
		if expect 15 "$p" has_all "${TO[@]:0:3}"; then
			ok "ferry restarted ($sig): $(name "$p") has ferry's routes after its End-of-RIB"
		else
			not_ok "ferry restarted ($sig): $(name "$p") has ferry's routes after its End-of-RIB"
		fi
	done
done

# ---- graceful restart after a NOTIFICATION (RFC 8538), with FRR ------------------------
# FRR (a helper) offers the N bit too (lib.sh). A reload gives FRR's neighbor a TCP-MD5
# password FRR does not have: ferry resets the session with Cease / other configuration
# change (6/6), not a Hard Reset, and it cannot come back, so FRR keeps ferry's routes,
# stale. The reload back brings the session up and ferry's End-of-RIB makes them fresh.
# Then FRR's "clear bgp" (hard-administrative-reset, FRR's default) comes as a Hard Reset
# carrying Administrative Reset: ferry names both and drops FRR's routes at once.
frr_stale() { # frr_stale true|null: FRR's copy of ferry's 10.10.1.0/24 and its stale flag
	vtysh_ -c 'show bgp ipv4 vpn rd 65000:100 10.10.1.0/24 json' 2>/dev/null |
		jq -e --argjson s "$1" '[.. | objects | select(has("valid"))] |
			length == 1 and .[0].valid and .[0].stale == $s' >/dev/null
}
ferry_log_since() { tail -n "+$(($1 + 1))" "$IX_TMP/ferry.log" | grep -cF -- "$2" >/dev/null; }
ferry_reload_with() { # ferry_reload_with JQFILTER: ferry.json changed so, then SIGHUP
	jq "$1" "$IX_TMP/ferry.json.orig" >"$IX_TMP/ferry.json" && kill -HUP "$FERRY_PID"
}
for a in 10.91.1.2 10.91.3.2; do # GoBGP (notification-enabled), FRR
	if ferry_api "/neighbor?address=$a" |
		jq -e '.session.negotiated.graceful_restart_notification' >/dev/null; then
		ok "RFC 8538: ferry and $a both offer the N bit"
	else
		not_ok "RFC 8538: N bit negotiated with $a: $(ferry_api "/neighbor?address=$a" | jq -c .session.received)"
	fi
done
# RFC 9494: ferry (3600 s) and FRR (600 s) both offer long-lived graceful restart;
# ferry keeps FRR's routes for the lower, FRR sees ferry's capability
if ferry_api "/neighbor?address=10.91.3.2" | jq -e '.session.negotiated.long_lived_graceful_restart and
		.session.received.llgr_stale_time == 600 and .session.received.llgr_families == ["vpnv4"] and
		.neighbor.llgr.stale_time == 600' >/dev/null &&
	vtysh_ -c 'show bgp neighbors 10.91.3.1 json' |
	jq -e '.["10.91.3.1"].neighborCapabilities.longLivedGracefulRestart == "advertisedAndReceived"' >/dev/null; then
	ok "RFC 9494: long-lived graceful restart negotiated both ways with FRR (ferry keeps its routes 600 s)"
else
	not_ok "RFC 9494: LLGR with FRR: ferry $(ferry_api "/neighbor?address=10.91.3.2" | jq -c .neighbor.llgr), FRR $(vtysh_ -c 'show bgp neighbors 10.91.3.1 json' | jq -c '.["10.91.3.1"].neighborCapabilities.longLivedGracefulRestart')"
fi
cp "$IX_TMP/ferry.json" "$IX_TMP/ferry.json.orig"
lmark=$(wc -l <"$IX_TMP/ferry.log")
ferry_reload_with '(.bgp.neighbors[] | select(.address == "10.91.3.2")).password = "locked-out"'
if poll 15 ferry_log_since "$lmark" "peer 10.91.3.2: session down (configuration changed: sent cease / other configuration change (6/6))" &&
	poll 10 frr_stale true && ! peer_established r >/dev/null; then
	ok "ferry resets FRR's session with 6/6 and the N bit: FRR keeps ferry's routes, stale, while it is down"
else
	not_ok "ferry's 6/6 with the N bit: FRR keeps ferry's routes stale ($(vtysh_ -c 'show bgp ipv4 vpn rd 65000:100 10.10.1.0/24 json' 2>/dev/null | jq -c '[.. | objects | select(has("valid")) | {valid, stale}]'))"
fi
ferry_reload_with .
to_peer r
# and FRR's routes back at ferry (they went with the reset: FRR keeps no family itself)
frr_fresh_at_ferry() { [ "$(route_field 65003:1 10.23.1.0/24 stale)" = false ]; }
if poll 30 frr_stale null && expect 10 r has_all "${TO[@]:0:3}" && poll 10 frr_fresh_at_ferry; then
	ok "FRR's session back: ferry's routes fresh at FRR after ferry's End-of-RIB, FRR's at ferry"
else
	not_ok "FRR's session back: ferry's routes fresh at FRR (state $(ferry_state 10.91.3.2))"
fi
imark=$(wc -l <"$IX_TMP/inject.out")
lmark=$(wc -l <"$IX_TMP/ferry.log")
vtysh_ -c 'clear bgp 10.91.3.1' >/dev/null 2>&1
frr_del_since() { tail -n "+$(($1 + 1))" "$IX_TMP/inject.out" | grep -c '^DEL 65003:1 10.23.1.0/24' >/dev/null; }
if poll 20 ferry_log_since "$lmark" "peer 10.91.3.2: session down (NOTIFICATION: received cease / hard reset (6/9) of cease / administrative reset (6/4)), " &&
	poll 5 frr_del_since "$imark" && poll 20 frr_fresh_at_ferry; then
	ok "FRR's clear as a Hard Reset (6/9 of 6/4): ferry names both, drops FRR's routes at once, learns them again"
else
	not_ok "FRR's Hard Reset: $(tail -n "+$((lmark + 1))" "$IX_TMP/ferry.log" | grep -F 10.91.3.2 | tail -n 3 | tr '\n' '|')"
fi

# ---- bulk: IX_BULK routes each way ---------------------------------------------------
# Counted, not dumped: a 10,000-route JSON dump (FRR's, ferry's per RD) is slow
# and times out under load. Each side is counted by its own counter (ferry's
# per-neighbor Adj-RIB-In and advertised counts, FRR's summary, GoBGP's
# destination count); first, middle, one random and last prefix are then
# checked one by one (label, RT, next hop, AS_PATH) where a lookup is cheap,
# and ExaBGP's received routes are checked all (its API output, one pass).
bulk_pfx() { echo "$1.$(($2 / 256)).$(($2 % 256))/32"; } # bulk_pfx 172.16 I
SAMPLE="0 $((IX_BULK / 2)) $((RANDOM % IX_BULK)) $((IX_BULK - 1))"
ferry_nb() { # ferry_nb PEERADDR FIELD: one of /neighbor's route counters
	ferry_api "/neighbor?address=$1" | jq -r --arg f "$2" '.routes[$f] // 0'
}
ferry_nb_ge() { [ "$(ferry_nb "$1" "$2")" -ge "$3" ]; }
# ferry_route_ok RD PREFIX LABEL RT AS_PATH NEXTHOP: ferry's best path is like that
ferry_route_ok() {
	ferry_api "/route?rd=$1&prefix=$2" | jq -e --argjson l "$3" --arg rt "$4" --arg ap "$5" \
		--arg nh "$6" '[.paths[] | select(.best)] | length == 1 and (.[0] | .label == $l and
		.route_targets == [$rt] and .as_path == $ap and .next_hop == $nh)' >/dev/null
}
ferry_samples_ok() { # ferry_samples_ok NET RD LABEL RT AS_PATH NEXTHOP
	local i
	for i in $SAMPLE; do
		ferry_route_ok "$2" "$(bulk_pfx "$1" "$i")" "${@:3}" ||
			{ { ferry_api "/route?rd=$2&prefix=$(bulk_pfx "$1" "$i")" | head -c 600; echo; } |
				note; return 1; }
	done
}
gobgp_dests() { gobgp_cli global rib -a vpnv4 summary 2>/dev/null | sed -n 's/^Destination: \([0-9]*\),.*/\1/p'; }
gobgp_bulk() { [ "$(gobgp_dests)" -ge "$((BASE + IX_BULK))" ]; }
frr_rcvd() { # what FRR accepted from ferry, by its summary
	vtysh_ -c 'show bgp ipv4 vpn summary json' 2>/dev/null |
		jq -r '[.. | objects | select(has("pfxRcd") and has("remoteAs") and .remoteAs == 65000) | .pfxRcd][0] // 0'
}
frr_bulk() { [ "$(frr_rcvd)" -ge "$((FBASE + IX_BULK))" ]; }
exabgp_bulk_n() { # routes of ferry's bulk in ExaBGP's table, each with label, next hop, RT, AS_PATH
	"$NORM" exabgp <"$IX_TMP/x/recv" 2>/dev/null |
		grep -c "^65000:7 172\.16\.[0-9.]*/32 label=7000 nh=10.91.4.1 .* rt=65000:7 aspath=65000 "
}
exabgp_bulk() { [ "$(exabgp_bulk_n)" -ge "$IX_BULK" ]; }
# ferry -> its peers: IX_BULK local routes. Each wait polls the count and, once it is
# reached, the route-by-route check (a count can be reached a little before the last
# route, when a few others were still moving as the base was taken).
BASE=$(gobgp_dests)
FBASE=$(frr_rcvd)
ABASE_r=$(ferry_nb 10.91.3.2 advertised) ABASE_x=$(ferry_nb 10.91.4.2 advertised)
t=$SECONDS
awk -v n="$IX_BULK" 'BEGIN { for (i = 0; i < n; i++)
	printf "add 65000:7 172.16.%d.%d/32 7000 65000:7\n", int(i / 256), i % 256 }' >&7
gobgp_bulk_n() { # best paths like ferry's bulk in GoBGP's table (its text is 4x faster than -j)
	gobgp_cli global rib -a vpnv4 2>/dev/null | grep -cE \
		'^\*> 65000:7:172\.16\.[0-9.]+/32 +\[7000\] +10\.91\.1\.1 .*\{Extcomms: \[65000:7\]\}'
}
gobgp_all() { gobgp_bulk && [ "$(gobgp_bulk_n)" = "$IX_BULK" ]; }
if poll 60 gobgp_all; then
	ok "ferry -> GoBGP: $IX_BULK routes intact (label, next hop, RT) in $((SECONDS - t)) s"
else
	not_ok "ferry -> GoBGP: $IX_BULK routes (GoBGP holds $(($(gobgp_dests) - BASE)) more destinations, $(gobgp_bulk_n) intact)"
fi
# the same routes went to FRR: its summary counts them, samples as FRR shows them
frr_samples_ok() {
	local i q
	for i in $SAMPLE; do
		q=$(bulk_pfx 172.16 "$i")
		vtysh_ -c "show bgp ipv4 vpn rd 65000:7 $q json" 2>/dev/null | jq -c . |
			"$NORM" frr >"$IX_TMP/view.rs"
		has_all "$IX_TMP/view.rs" "65000:7 $q label=7000 nh=10.91.3.1 rt=65000:7 aspath=65000" ||
			{ echo "# FRR shows for $q:"; note <"$IX_TMP/view.rs"; return 1; }
	done
}
frr_all() { frr_bulk && frr_samples_ok && ferry_nb_ge 10.91.3.2 advertised "$((ABASE_r + IX_BULK))"; }
if poll 60 frr_all; then
	ok "ferry -> FRR: $IX_BULK routes (FRR's summary and ferry's advertised count), samples with label, RT, next hop, AS_PATH as FRR shows them, in $((SECONDS - t)) s"
else
	not_ok "ferry -> FRR: $IX_BULK routes (FRR counts $(($(frr_rcvd) - FBASE)) more, ferry advertised $(($(ferry_nb 10.91.3.2 advertised) - ABASE_r)) more)"
	frr_samples_ok
fi
# and to ExaBGP: all of them checked in its API output (parsed whole: poll once a second)
exabgp_all() { exabgp_bulk && ferry_nb_ge 10.91.4.2 advertised "$((ABASE_x + IX_BULK))"; }
if T_POLL_INTERVAL=1 poll 60 exabgp_all; then
	ok "ferry -> ExaBGP: $IX_BULK routes intact (label, RT, next hop, AS_PATH) as its API reports them, in $((SECONDS - t)) s"
else
	not_ok "ferry -> ExaBGP: $IX_BULK routes (ExaBGP reports $(exabgp_bulk_n), ferry advertised $(($(ferry_nb 10.91.4.2 advertised) - ABASE_x)) more)"
fi

# then peers -> ferry, one peer after the other: BIRD from a static protocol (all
# checked: ferry's per-RD walk is still cheap here), FRR from IX_BULK network
# statements applied with vtysh, ExaBGP from API commands of 500 prefixes each
bird_in_n() {
	ferry_dump '/routes?rd=65000:8' | jq '[.routes[] | select(.best and .label == 8000 and .route_targets == ["65000:8"])] | length'
}
bird_in() { ferry_nb_ge 10.91.2.2 accepted "$((IX_BULK + 3))" && [ "$(bird_in_n)" = "$IX_BULK" ]; }
t=$SECONDS
birdc_ enable st3 >/dev/null
if poll 60 bird_in; then
	ok "BIRD -> ferry: $IX_BULK routes intact (label, RT) in $((SECONDS - t)) s"
else
	not_ok "BIRD -> ferry: $IX_BULK routes (ferry counts $(ferry_nb 10.91.2.2 accepted), $(bird_in_n) intact)"
fi
# bulk_in_ok: ferry counts bulk_in's routes, the samples are intact (sees bulk_in's locals)
bulk_in_ok() {
	ferry_nb_ge "$a" accepted "$((base + IX_BULK))" &&
		ferry_samples_ok "$net" "$rd" "$label" "$rd" "${rd%:*}" "$a"
}
bulk_in() { # bulk_in NODE NET RD LABEL: start NODE's bulk, wait for ferry's count, check samples
	local a base net=$2 rd=$3 label=$4
	a=$(ix_peer_addr "$1")
	base=$(ferry_nb "$a" accepted)
	t=$SECONDS
	if [ "$1" = r ]; then
		vtysh_ -f "$IX_TMP/r/bulk.conf" >"$IX_TMP/r/bulk.out" 2>&1
	else
		cat "$IX_TMP/x/bulk.cmds" >>"$IX_TMP/x/cmds"
	fi
	if poll 60 bulk_in_ok; then
		ok "$(name "$1") -> ferry: $IX_BULK routes (ferry's count), samples intact (label, RT, next hop, AS_PATH) in $((SECONDS - t)) s"
	else
		not_ok "$(name "$1") -> ferry: $IX_BULK routes (ferry counts $(($(ferry_nb "$a" accepted) - base)) more)"
		bulk_in_ok
	fi
}
bulk_in r 172.23 65003:8 8300
bulk_in x 172.24 65004:8 8400

# BIRD and ferry agreed on extended messages: BIRD's bulk UPDATEs went past 4096 bytes
# (tshark 4.0 reassembles them but predates RFC 8654, so count reassembled PDUs)
big_pdus() { # big_pdus SRC: frames holding a message over 4096 bytes (from wire.tsv, below)
	awk -F '\t' -v s="$1" '$1 == s { n = split($3 "," $10, l, ","); for (i = 1; i <= n; i++)
		if (l[i] > 4096) { c++; break } } END { print c + 0 }' "$IX_TMP/wire.tsv"
}
# ferry's bulk went to BIRD too, in extended messages
bird_bulk() { birdc_ show route table vpntab4 where net.rd = 65000:7 count | awk '/routes/ {print $1}'; }
bird_bulk_all() { [ "$(bird_bulk)" -ge "$IX_BULK" ]; }
T_POLL_INTERVAL=1 t_wait 30 "BIRD to hold ferry's $IX_BULK bulk routes" bird_bulk_all
BIRD_BULK=$(bird_bulk)
BIRD_BULK=${BIRD_BULK:-0}
EXT_BIRD=$(ferry_api /neighbors | jq -r '.neighbors[] | select(.address == "10.91.2.2") | .extended_message')
# a refresh makes ferry resend all 10,000 at once: packed into extended UPDATEs
bird_rcvd() { birdc_ show protocols all ferry | awk '/Import updates:/ { print $3; exit }'; }
RCVD0=$(bird_rcvd) ADV_B=$(ferry_nb 10.91.2.2 advertised)
birdc_ reload in ferry >/dev/null 2>&1
two_refreshes() { [ "$(grep -c 'peer 10.91.2.2: route refresh requested' "$IX_TMP/ferry.log")" -ge 2 ]; }
t_wait 10 "ferry to log BIRD's second route refresh" two_refreshes
# ferry's answer is through (so in the capture) once BIRD has received every route ferry
# advertises it once more (its "Import updates: received" counts each route of an UPDATE)
refresh_in() { [ "$(bird_rcvd)" -ge "$((RCVD0 + ADV_B))" ]; }
t_wait 30 "BIRD to receive ferry's $ADV_B routes again (its refresh answered)" refresh_in

# IX_CEASE=1 (tests/fuzz/capture-seeds): each peer closes its session with a Cease
# NOTIFICATION, so the capture holds one from each (ferry then withdraws their routes
# from the others: slow with the bulk routes, hence not by default)
ceased() { # ceased PEERADDR: ferry logged the session down on a NOTIFICATION it received
	grep -q "peer $1: session down (.*received [^)]*[Cc]ease" "$IX_TMP/ferry.log"
}
if [ -n "${IX_CEASE:-}" ]; then
	gobgp_cli neighbor 10.91.1.1 disable >/dev/null 2>&1
	birdc_ disable ferry >/dev/null 2>&1
	vtysh_ -c 'configure terminal' -c 'router bgp 65003' -c 'neighbor 10.91.3.1 shutdown' \
		>/dev/null 2>&1
	echo "neighbor 10.91.4.1 teardown 2" >>"$IX_TMP/x/cmds"
	for p in $IX_PEERS; do
		if poll 15 ceased "$(ix_peer_addr "$p")"; then
			ok "$(name "$p") closes with a Cease: ferry says $(sed -n "s/.*peer $(ix_peer_addr "$p"): session down (\(.*\)), .*/\1/p" "$IX_TMP/ferry.log" | tail -n 1)"
		else
			not_ok "$(name "$p") closes with a Cease NOTIFICATION: ferry saw it"
		fi
	done
fi

# ---- the wire ------------------------------------------------------------------------
# ferry says goodbye (Cease to everyone), then the capture is read
kill "$FERRY_PID" 2>/dev/null
t_wait 5 "ferry's bgpd (PID $FERRY_PID) to exit on SIGTERM" sh -c "! kill -0 $FERRY_PID"
kill -INT "$TSHARK_PID" 2>/dev/null
t_wait 10 "tshark (PID $TSHARK_PID) to write its capture and exit" sh -c "! kill -0 $TSHARK_PID"
# One decode of the whole capture (sequence analysis off: its warnings are about the
# capture, not the messages) gives, per frame with BGP in it: source, message types,
# reassembled lengths, refresh subtypes, expert severities, malformed, frame, destination,
# expert messages, message lengths.
tshark -n -o tcp.analyze_sequence_numbers:FALSE -r "$IX_TMP/bgp.pcap" -Y bgp -T fields \
	-e ip.src -e bgp.type -e tcp.reassembled.length -e bgp.route_refresh.subtype \
	-e _ws.expert.severity -e _ws.malformed -e frame.number -e ip.dst -e _ws.expert.message \
	-e bgp.length -e bgp.update.path_attribute.type_code >"$IX_TMP/wire.tsv" 2>/dev/null
# ferry's frames that are malformed or carry an expert warning (0x600000) or error
# (tshark 4.0 predates RFC 8654: it calls every message over 4096 bytes invalid, whether
# reassembled from segments or whole in one offloaded frame). TCP's own SACK notes are
# about the capture (ferry's bgpd is killed mid-session above), not about BGP.
bad=$(awk -F '\t' '$1 ~ /^10\.91\.[1-4]\.1$/ { big = 0; bad = $6 != ""
	n = split($3 "," $10, l, ","); for (i = 1; i <= n; i++) if (l[i] > 4096) big = 1
	n = split($5, v, ","); split($9, m, ",")
	for (i = 1; i <= n; i++) if (v[i] >= 6291456 && m[i] !~ /SACK/) bad = 1
	if (bad && !big) print $7, $8, $9 }' "$IX_TMP/wire.tsv")
counts=$(awk -F '\t' '$1 ~ /^10\.91\.[1-4]\.1$/ { print $2 }' "$IX_TMP/wire.tsv" |
	tr ',' '\n' | grep . | sort | uniq -c | awk '{printf "%s type %s; ", $1, $2}')
if [ -z "$bad" ] && [[ "$counts" == *"type 2"* ]] && [[ "$counts" == *"type 3"* ]]; then
	ok "tshark: ferry's messages decode cleanly ($counts)"
else
	not_ok "tshark: ferry's messages decode cleanly ($counts)"
	echo "$bad" | head -20 | note
fi
n=$(big_pdus 10.91.2.2)
m=$(big_pdus 10.91.2.1)
if [ "$EXT_BIRD" = true ] && [ "${n:-0}" -gt 0 ] && [ "${m:-0}" -gt 0 ] && [ "$BIRD_BULK" -ge "$IX_BULK" ]; then
	ok "extended messages (RFC 8654) with BIRD: $n UPDATEs over 4096 bytes in, $m out, all routes through"
else
	not_ok "extended messages with BIRD (negotiated: $EXT_BIRD, big in: $n, big out: $m, BIRD has $BIRD_BULK bulk routes)"
fi
# RFC 7606 §5.1: MP_REACH_NLRI first. The type codes of a frame's UPDATEs come as one list;
# every UPDATE of ferry's that announces carries ORIGIN, the lowest type after it, so
# each ORIGIN must follow an MP_REACH_NLRI directly.
order=$(awk -F '\t' '$1 ~ /^10\.91\.[1-4]\.1$/ { n = split($11, t, ",")
	for (i = 1; i <= n; i++) if (t[i] == 1) { reach++; if (i == 1 || t[i - 1] != 14) bad++ } }
	END { print reach + 0, bad + 0 }' "$IX_TMP/wire.tsv")
if [ "${order% *}" -gt 0 ] && [ "${order#* }" = 0 ]; then
	ok "ferry's UPDATEs carry MP_REACH_NLRI as the first attribute (RFC 7606 §5.1; ${order% *} checked)"
else
	not_ok "ferry's UPDATEs carry MP_REACH_NLRI as the first attribute (announcing, elsewhere: $order)"
fi
# FRR asked for a refresh and announced enhanced route refresh: ferry bracketed its answer
subs=$(awk -F '\t' '$1 == "10.91.3.1" && $4 != "" { print $4 }' "$IX_TMP/wire.tsv" |
	tr ',' '\n' | sort -u | tr '\n' ' ')
if [[ "$subs" == *1* ]] && [[ "$subs" == *2* ]]; then
	ok "ferry -> FRR: enhanced route refresh (RFC 7313): BoRR and EoRR around the answer"
else
	not_ok "ferry -> FRR: enhanced route refresh: subtypes seen: '$subs'"
fi

finish
