#!/usr/bin/env bash
# End-to-end test of the lab (issue 2): builds its own copy of the lab with
# a private prefix beside any user lab, and checks, with bounded polling:
#  - the PE1-PE2 iBGP session is Established on both sides;
#  - each PE holds the other's VPN routes with the expected RD, label, RT and
#    LSP (vrfmgr's VRF tables and bgpd's Loc-RIB);
#  - A1 -> A2 and B1 -> B2 at the same address work and reach the right host
#    (the whoami responder in each host namespace answers with its name),
#    TCP bulk data crosses intact both ways, A1 cannot reach the B2-only address;
#  - on the wire: PE1->P frames carry [16 | 200 S=1], P->PE2 frames [200 S=1];
#    P's time exceeded reaches host-a1 with the label stack P received in its
#    RFC 4950 extension (tshark's decode);
#  - garbage from the configured peer's address gets the right NOTIFICATION,
#    a connection from an unconfigured address gets no OPEN, and the real
#    session survives both (uptime not reset, traffic still flows);
#  - a config with a bad RD is refused, naming vrfs[0].rd;
#  - scripts/lab restart pe1 vrfmgr returns once bgpd's routes are back in it
#    and fwd has its replay, restart pe1 fwd once vrfmgr replayed to it (each
#    said, checked with no poll after it); restart pe1 bgpd says what it waited for;
#  - the lab runs fwd on TPACKET_V2 receive rings (its configs' fwd.rx_ring
#    "frames"); every fwd restarted with "blocks" (TPACKET_V3; P with 2 workers):
#    the traffic checks again, full-sized TCP frames included.
# Prints "ok - ..." / "not ok - ..." per check and a summary; exit 0 only when
# all pass. Removes everything it created, also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init lab ft
T_POLL_INTERVAL=0.5

t_prereqs "bgpd vrfmgr fwd ferryctl tools/whoami tools/bgp_garbage" "jq tshark ping ethtool"

# --- the lab ----------------------------------------------------------------------
t_lab_up "lab up with prefix $PREFIX"

if poll 60 lab_established pe1 10.255.0.2 && poll 5 lab_established pe2 10.255.0.1; then
	ok "BGP session pe1 <-> pe2 Established on both PEs"
else
	not_ok "BGP session pe1 <-> pe2 Established on both PEs"
	for n in pe1 pe2; do
		echo "# $n:"
		"$CTL" -r "$PREFIX-$n" bgp neighbors 2>&1 | note
	done
fi

# scripts/lab reload: the config unchanged, both daemons say so and no session moves
# every Established session to pe2 that ended, from /neighbor (/neighbors has neither
# this nor flaps; flaps would not do anyway: a session that lasted 30 s sets it to 0 as it ends)
downs() { api pe1 bgpd '/neighbor?address=10.255.0.2' | jq -e .session_downs; }
lab_reload_quiet() {
	local out before
	before=$(downs)
	out=$(scripts/lab reload pe1 --prefix "$PREFIX" 2>&1) || { note "$out"; return 1; }
	grep -q '^lab: vrfmgr: .*reload done: 0 VRFs added, 0 removed, 0 changed' <<<"$out" &&
		grep -q '^lab: bgpd: .*reload done: 0 neighbors added, 0 removed, 0 changed, 1 unchanged' <<<"$out" &&
		lab_established pe1 10.255.0.2 >/dev/null && [[ $before =~ ^[0-9]+$ ]] && [ "$(downs)" = "$before" ]
}
check "scripts/lab reload pe1 (config unchanged): vrfmgr and bgpd report nothing changed, the session stays up" \
	lab_reload_quiet

# vrf_route NODE VRF PREFIX RD INNER_LABEL RT REMOTE_PE OUTER_LABEL
vrf_route() {
	ctl "$1" vrf routes "$2" | jq -e --arg vrf "$2" --arg p "$3" --arg rd "$4" \
		--argjson in "$5" --arg rt "$6" --arg pe "$7" --argjson out "$8" '
		[.routes[] | select(.vrf == $vrf and .prefix == $p and .source == "bgp"
			and .rd == $rd and .inner_label == $in and .remote_pe == $pe
			and .outer_label == $out and any(.route_targets[]?; . == $rt))]
		| length == 1'
}
# bgp_route NODE RD PREFIX LABEL RT PEER: in bgpd's Loc-RIB, best, from PEER
bgp_route() {
	ctl "$1" bgp routes | jq -e --arg rd "$2" --arg p "$3" --argjson l "$4" --arg rt "$5" \
		--arg peer "$6" '
		[.routes[] | select(.rd == $rd and .prefix == $p and .label == $l
			and .peer == $peer and .next_hop == $peer and .best == true
			and any(.route_targets[]?; . == $rt))]
		| length == 1'
}
all_imported() {
	vrf_route pe1 A 192.168.101.0/24 10.255.0.2:100 200 65000:100 10.255.0.2 16 &&
		vrf_route pe1 B 192.168.101.0/24 10.255.0.2:200 201 65000:200 10.255.0.2 16 &&
		vrf_route pe2 A 192.168.100.0/24 10.255.0.1:100 100 65000:100 10.255.0.1 17 &&
		vrf_route pe2 B 192.168.100.0/24 10.255.0.1:200 101 65000:200 10.255.0.1 17
}
t_wait 30 "pe1 and pe2 to import each other's VPN routes into A and B" all_imported
route_check() { # route_check DESCRIPTION NODE VRF ARGS...
	local d=$1 n=$2 v=$3
	shift
	if vrf_route "$@" >/dev/null 2>&1; then
		ok "$d"
	else
		not_ok "$d"
		echo "# $n vrf routes $v:"
		"$CTL" -r "$PREFIX-$n" vrf routes "$v" 2>&1 | note
	fi
}
route_check "pe1 VRF A: 192.168.101.0/24 RD 10.255.0.2:100 label 200 RT 65000:100 via pe2, outer 16" \
	pe1 A 192.168.101.0/24 10.255.0.2:100 200 65000:100 10.255.0.2 16
route_check "pe1 VRF B: 192.168.101.0/24 RD 10.255.0.2:200 label 201 RT 65000:200 via pe2, outer 16" \
	pe1 B 192.168.101.0/24 10.255.0.2:200 201 65000:200 10.255.0.2 16
route_check "pe2 VRF A: 192.168.100.0/24 RD 10.255.0.1:100 label 100 RT 65000:100 via pe1, outer 17" \
	pe2 A 192.168.100.0/24 10.255.0.1:100 100 65000:100 10.255.0.1 17
route_check "pe2 VRF B: 192.168.100.0/24 RD 10.255.0.1:200 label 101 RT 65000:200 via pe1, outer 17" \
	pe2 B 192.168.100.0/24 10.255.0.1:200 101 65000:200 10.255.0.1 17

rib_check() { # rib_check NODE RD PREFIX LABEL RT PEER
	if bgp_route "$@" >/dev/null 2>&1; then
		ok "$1 bgpd Loc-RIB: $2:$3 label $4 RT $5 best from $6"
	else
		not_ok "$1 bgpd Loc-RIB: $2:$3 label $4 RT $5 best from $6"
		"$CTL" -r "$PREFIX-$1" bgp routes 2>&1 | note
	fi
}
rib_check pe1 10.255.0.2:100 192.168.101.0/24 200 65000:100 10.255.0.2
rib_check pe1 10.255.0.2:200 192.168.101.0/24 201 65000:200 10.255.0.2
rib_check pe2 10.255.0.1:100 192.168.100.0/24 100 65000:100 10.255.0.1
rib_check pe2 10.255.0.1:200 192.168.100.0/24 101 65000:200 10.255.0.1

# --- traffic ------------------------------------------------------------------------
check "ping host-a1 -> 192.168.101.10 (A1 -> A2 through the VPN)" poll 20 ping1 host-a1 192.168.101.10
check "host-a1 -> 192.168.101.10 is answered by host-a2" whoami_is host-a1 192.168.101.10 host-a2
check "ping host-b1 -> 192.168.101.10 (B1 -> B2, same address)" poll 10 ping1 host-b1 192.168.101.10
check "host-b1 -> 192.168.101.10 is answered by host-b2" whoami_is host-b1 192.168.101.10 host-b2
check "host-b1 -> 192.168.101.20 is answered by host-b2 (the B-only host exists)" \
	whoami_is host-b1 192.168.101.20 host-b2
check "TCP: 4 MB from host-a2 to host-a1 arrive intact" tcp_bulk host-a1 192.168.101.10 host-a2
check "TCP: 4 MB from host-b1 to host-b2 arrive intact" tcp_bulk host-b2 192.168.100.10 host-b1
unreachable() { # only meaningful while A1 does reach A2's 192.168.101.10
	whoami_is host-a1 192.168.101.10 host-a2 >/dev/null &&
		! inns host-a1 ping -n -q -c 3 -W 1 192.168.101.20 >/dev/null 2>&1 &&
		! inns host-a1 "$BUILD/tools/whoami" -t 1000 -c 2 192.168.101.20 >/dev/null 2>&1
}
check "host-a1 reaches 192.168.101.10 but not 192.168.101.20 (exists only in customer B)" unreachable
# ICMP errors from fwd: what a customer's ping -t or traceroute sees of the PEs
ping_from() { # ping_from TTL ADDRESS FROM MESSAGE: host-a1's ping is answered so by FROM
	local out # ping fails (no echo reply): its output is read whole, then grepped
	out=$(inns host-a1 ping -n -c 1 -W 2 -t "$1" "$2" 2>&1)
	grep -q "^From $3 icmp_seq=1 $4" <<<"$out"
}
check "host-a1, TTL 2: time exceeded from pe1's address in VRF A (10.1.1.1)" \
	poll 10 ping_from 2 192.168.101.10 10.1.1.1 "Time to live exceeded"
check "host-a1, TTL 3: time exceeded from P (10.0.1.2), sent on along the LSP and back by pe2 in VRF A" \
	poll 10 ping_from 3 192.168.101.10 10.0.1.2 "Time to live exceeded"
check "host-a1, TTL 4: time exceeded from pe2's address in VRF A (10.1.2.1), back across the core" \
	poll 10 ping_from 4 192.168.101.10 10.1.2.1 "Time to live exceeded"
check "host-a1 to 192.168.99.1 (no route in VRF A): network unreachable from pe1 (10.1.1.1)" \
	poll 10 ping_from 64 192.168.99.1 10.1.1.1 "Destination Net Unreachable"
# P's time exceeded carries the label stack P received (RFC 4950, in an RFC 4884
# extension), as host-a1 gets it back: [16 | 200 S], both TTL 1 (pe1 pushed the
# IP TTL 1 into both; P reports them before its decrement), decoded by tshark.
mpls_ext() { # mpls_ext PCAP: host-a1 receives P's time exceeded with that stack
	local pid got
	inns host-a1 tshark -i eth0 -f 'icmp[icmptype] == icmp-timxceed' -c 1 -a duration:20 \
		-w "$1" >"$1.err" 2>&1 &
	pid=$!
	t_track "$pid"
	if t_wait 10 "tshark on host-a1 to capture" grep -q "Capturing on" "$1.err"; then
		# until tshark has its frame (-c 1): one ping may be lost, none is enough
		t_wait 15 "tshark on host-a1 to have P's time exceeded (pings with TTL 3)" \
			eval "inns host-a1 ping -n -c 1 -W 1 -t 3 192.168.101.10; ! t_running $pid"
	fi
	t_stop "$pid"
	got=$(tshark -r "$1" -Y 'icmp.type == 11 && ip.src == 10.0.1.2' -T fields \
		-e icmp.length.original_datagram -e icmp.ext.version -e icmp.ext.checksum.status \
		-e icmp.ext.class -e icmp.ext.ctype -e icmp.mpls.label -e icmp.mpls.exp \
		-e icmp.mpls.s -e icmp.mpls.ttl 2>/dev/null)
	[ "$got" = "$(printf '128\t2\t1\t1\t1\t16,200\t0,0\t0,1\t1,1')" ] && return 0
	echo "# P's time exceeded at host-a1 (quote, version, checksum ok, class, c-type," \
		"labels, TCs, S bits, TTLs): ${got:-none}"
	return 1
}
check "host-a1, TTL 3: P's time exceeded carries the labels P received, [16 | 200 S] TTL 1 (RFC 4950 extension, decoded by tshark)" \
	mpls_ext "$TMP/a1-icmp.pcap"
icmp_counted() { [ "$(api pe1 fwd /counters | jq '.icmp_errors.sent')" -ge 2 ]; }
check "pe1's fwd counts the ICMP errors it sent (/counters icmp_errors.sent)" icmp_counted
# IPv4 fragmentation: site A1 at a larger MTU (1,800) than the core carries under two
# labels (1,600). pe1 sends host-a1's 1,728-byte packets (no DF) in labeled fragments, pe2
# cuts the first of them again for ce-a2's 1,500, host-a2 puts them together and answers.
site_a1_mtu() { # site_a1_mtu MTU: host-a1 to pe1's ce-a1, every link of the way
	inns host-a1 ip link set eth0 mtu "$1" && inns ce-a1 ip link set lan mtu "$1" &&
		inns ce-a1 ip link set pe mtu "$1" && inns pe1 ip link set ce-a1 mtu "$1"
}
fwd_mtu_is() { # fwd_mtu_is NODE IF MTU: that fwd has seen the interface's MTU
	[ "$(api "$1" fwd /interfaces | jq --arg i "$2" '.interfaces[] | select(.name == $i) | .mtu')" = "$3" ]
}
big_ping() { # big_ping SIZE: host-a1's ping of SIZE bytes of data without DF is answered
	local out # read whole, then grepped (ping fails while nothing comes back)
	out=$(inns host-a1 ping -n -q -c 1 -W 2 -M dont -s "$1" 192.168.101.10 2>&1)
	grep -q " 1 received" <<<"$out"
}
fragmented_by() { [ "$(api "$1" fwd /counters | jq '.fragmented.packets')" -ge 1 ]; }
check "site A1 at MTU 1800, seen by pe1's fwd" eval 'site_a1_mtu 1800 && poll 10 fwd_mtu_is pe1 ce-a1 1800'
check "host-a1, 1,728 bytes without DF: answered (pe1 fragments under the labels, pe2 again for ce-a2)" \
	poll 15 big_ping 1700
check "pe1 and pe2 count the packets they sent in fragments (/counters fragmented)" \
	eval 'fragmented_by pe1 && fragmented_by pe2'
check "site A1 back at MTU 1500, seen by pe1's fwd" eval 'site_a1_mtu 1500 && poll 10 fwd_mtu_is pe1 ce-a1 1500'
# A link's TX ring has slots for the MTU it had when fwd opened it (2 KB at 1,500): raised
# past what they take, fwd forwards as at the largest MTU they do take, and says so.
mtu_capped() {
	local m
	m=$(api pe1 fwd /interfaces | jq '.interfaces[] | select(.name == "ce-a1") | .mtu')
	[ "$m" -ge 1800 ] && [ "$m" -lt 2048 ] &&
		grep -q "ce-a1: MTU 9000 is larger than the rings made when the link was opened take" \
			"$(rundir pe1)/fwd.log"
}
check "pe1's ce-a1 at MTU 9000: fwd forwards as at the MTU its rings (made at 1,500) take, and logs it" \
	eval 'inns pe1 ip link set ce-a1 mtu 9000 && poll 10 mtu_capped'
check "pe1's ce-a1 back at MTU 1500, seen by pe1's fwd" \
	eval 'inns pe1 ip link set ce-a1 mtu 1500 && poll 10 fwd_mtu_is pe1 ce-a1 1500'
# ... and at P: the link to pe2 at 1,500, so after popping its own label P has 1,504 bytes
p_pe2_mtu() { inns p ip link set to-pe2 mtu "$1" && inns pe2 ip link set core0 mtu "$1"; }
df_ping_from_p() {
	local out
	out=$(inns host-a1 ping -n -c 1 -W 2 -M do -s 1472 192.168.101.10 2>&1)
	grep -q "^From 10.0.1.2 icmp_seq=1 Frag needed and DF set (mtu = 1496)" <<<"$out"
}
check "P's link to pe2 at MTU 1500, seen by both ends' fwd" \
	eval 'p_pe2_mtu 1500 && poll 10 fwd_mtu_is p to-pe2 1500 && poll 10 fwd_mtu_is pe2 core0 1500'
check "host-a1, 1,500 bytes without DF: answered (P fragments under the VPN label)" \
	poll 15 big_ping 1472
check "P counts the packets it sent in fragments" fragmented_by p
check "host-a1, 1,500 bytes with DF: fragmentation needed from P (10.0.1.2), mtu 1496, along the LSP and back by pe2" \
	poll 10 df_ping_from_p
check "P's link to pe2 back at MTU 1600, host-a1's learnt path MTU forgotten" \
	eval 'p_pe2_mtu 1600 && poll 10 fwd_mtu_is p to-pe2 1600 && poll 10 fwd_mtu_is pe2 core0 1600 &&
	      inns host-a1 ip route flush cache'

# --- on the wire --------------------------------------------------------------------
capture() { # capture IFACE FILE: tshark in P on IFACE for MPLS frames, ready when it returns
	inns p tshark -i "$1" -f mpls -c 6 -a duration:15 -w "$2" >"$2.err" 2>&1 &
	BG+=($!)
	t_track $!
	t_wait 10 "tshark on P's $1 to capture" grep -q "Capturing on" "$2.err"
}
BG=()
if capture to-pe1 "$TMP/pe1-p.pcap" && capture to-pe2 "$TMP/p-pe2.pcap"; then
	inns host-a1 ping -n -q -c 3 -i 0.2 -W 1 192.168.101.10 >/dev/null 2>&1
	for pid in "${BG[@]}"; do
		wait "$pid" 2>/dev/null # -c 6 or 15 s, whichever first
		t_untrack "$pid"        # reaped: no longer ours to stop
	done
fi
pe1_mac=$(inns pe1 cat /sys/class/net/core0/address)
p_mac=$(inns p cat /sys/class/net/to-pe2/address)
frames() { # frames FILE SRC_MAC: "labels bottoms" of the MPLS frames from that MAC
	tshark -r "$1" -T fields -e eth.src -e mpls.label -e mpls.bottom 2>/dev/null |
		awk -v m="$2" '$1 == m { print $2, $3 }'
}
stack_is() { # stack_is FILE MAC "LABELS BOTTOMS": all frames from MAC have that stack
	local got
	got=$(frames "$1" "$2" | sort | uniq -c | sed 's/^ *//')
	if [ -n "$got" ] && [ "$(frames "$1" "$2" | sort -u)" = "$3" ]; then
		return 0
	fi
	echo "# frames from $2 (count labels S-bits): ${got:-none}"
	tshark -r "$1" -T fields -e eth.src -e mpls.label -e mpls.bottom -e mpls.ttl -e ip.src \
		-e ip.dst 2>/dev/null | head -n 10 | note
	return 1
}
check "PE1->P link carries two labels [16 | 200], S set only on the inner one" \
	stack_is "$TMP/pe1-p.pcap" "$pe1_mac" "16,200 0,1"
check "P->PE2 link carries only the inner label [200] with S set (PHP)" \
	stack_is "$TMP/p-pe2.pcap" "$p_mac" "200 1"

# --- bgpd against bad input ------------------------------------------------------------
uptime_of() { # uptime_of NODE PEER
	ctl "$1" bgp neighbors 2>/dev/null | jq -r --arg p "$2" \
		'.neighbors[] | select(.address == $p and .state == "Established") | .uptime_s'
}
up1=$(uptime_of pe1 10.255.0.2)
up2=$(uptime_of pe2 10.255.0.1)
garbage() { # garbage MODE EXPECT: from pe2's loopback (the configured peer) to pe1's bgpd
	local out
	out=$(inns pe2 "$BUILD/tools/bgp_garbage" -s 10.255.0.2 -d 10.255.0.1 -m "$1" -t 5 2>&1)
	grep -q "^NOTIFICATION $2 " <<<"$out" && return 0
	echo "# bgp_garbage -m $1 got:"
	note <<<"$out"
	return 1
}
check "bad marker from the configured peer's address: NOTIFICATION 1/1 (Message Header Error)" \
	garbage marker 1/1
check "bad length from the configured peer's address: NOTIFICATION 1/2 (Bad Message Length)" \
	garbage length 1/2
check "bad type from the configured peer's address: NOTIFICATION 1/3 (Bad Message Type)" \
	garbage type 1/3
# From P's address on the P-PE2 link: an address pe2 routes back to but has
# no neighbor for (P's loopback would need a route on pe2 the lab has not).
unconfigured() {
	local out
	if [ -z "$up2" ]; then
		echo "# pe2's session is not Established: nothing to prove against"
		return 1
	fi
	out=$(inns p "$BUILD/tools/bgp_garbage" -s 10.0.2.1 -d 10.255.0.2 -m silent -t 5 2>/dev/null)
	if ! grep -q '^OPEN' <<<"$out" && grep -qE '^(closed|reset|refused)$' <<<"$out"; then
		return 0
	fi
	echo "# connection from 10.0.2.1 got:"
	note <<<"$out"
	return 1
}
check "connection from an unconfigured address (10.0.2.1) is closed without an OPEN" unconfigured

# --- bad configuration --------------------------------------------------------------------
jq '.vrfs[0].rd = "65000"' configs/lab/pe1.json >"$TMP/bad.json"
refuses() { # refuses DAEMON
	local out rc
	out=$(timeout 10 "$BUILD/$1" -n -c "$TMP/bad.json" 2>&1)
	rc=$?
	[ $rc = 1 ] && grep -qF 'vrfs[0].rd' <<<"$out" && return 0
	echo "# $1 -n -c bad.json: exit $rc:"
	note <<<"$out"
	return 1
}
check "vrfmgr -n refuses a bad RD (exit 1, message names vrfs[0].rd)" refuses vrfmgr
check "bgpd -n refuses the same config the same way" refuses bgpd
check "fwd -n refuses the same config the same way" refuses fwd
accepts() { # accepts DAEMON NODE: -n says "configuration OK" and nothing else
	[ "$(timeout 10 "$BUILD/$1" -n -c "configs/lab/$2.json" 2>&1)" = "configuration OK" ]
}
check "the lab configs pass -n, which says only \"configuration OK\" (vrfmgr/bgpd/fwd pe1, pe2; fwd p)" eval \
	'accepts vrfmgr pe1 && accepts bgpd pe1 && accepts fwd pe1 &&
	 accepts vrfmgr pe2 && accepts bgpd pe2 && accepts fwd pe2 && accepts fwd p'
bad_override() { # bad_override SETTING EXPECTED_MESSAGE: fwd -o refuses it, exit 2 (bad usage)
	local out rc
	out=$(timeout 10 "$BUILD/fwd" -n -c configs/lab/p.json -o "$1" 2>&1)
	rc=$?
	[ $rc = 2 ] && grep -qF -- "$2" <<<"$out"
}
check "fwd -o refuses bad overrides, saying what it wants (io, rx_ring, an unknown key)" eval \
	'bad_override io=dpdk "fwd: -o io=dpdk: want io=af_packet or io=af_xdp" &&
	 bad_override rx_ring=v2 "fwd: -o rx_ring=v2: want rx_ring=blocks or rx_ring=frames" &&
	 bad_override mtu=9000 "fwd: -o mtu=9000: unknown setting (want io=..., rx_ring=... or workers=...)"'

# --- the session survived -------------------------------------------------------------------
survived() { # survived NODE PEER UPTIME_BEFORE
	local now
	now=$(uptime_of "$1" "$2")
	[ -n "$3" ] && [ -n "$now" ] && [ "$now" -ge "$3" ] && return 0
	echo "# $1 -> $2: uptime before ${3:-none}, now ${now:-not Established}"
	return 1
}
check "pe1's session stayed Established through the bad input (uptime not reset)" \
	survived pe1 10.255.0.2 "$up1"
check "pe2's session stayed Established through the bad input (uptime not reset)" \
	survived pe2 10.255.0.1 "$up2"
check "A1 -> A2 still forwards after the bad input" whoami_is host-a1 192.168.101.10 host-a2

# --- scripts/lab restart says "restarted" once the state is back -----------------------------
# No poll after it, on purpose (the rule above is about a step that does not
# wait): what restart says it waited for is there when it returns. It said
# "restarted" as soon as vrfmgr's API answered, before bgpd, which
# reconnects within a second, had replayed its routes to it.
bgp_routes_in() { # bgp_routes_in NODE VRF: how many of the VRF's routes vrfmgr has from bgpd
	ctl "$1" vrf routes "$2" | jq '[.routes[] | select(.source == "bgp")] | length'
}
metric() { # metric NODE DAEMON NAME: a metric without labels
	api "$1" "$2" /metrics | awk -v m="$3" '$1 == m { print $2 }'
}
restart_vrfmgr_waits() {
	local out n
	out=$(scripts/lab restart pe1 vrfmgr --prefix "$PREFIX" 2>&1) || { note <<<"$out"; return 1; }
	n=$(bgp_routes_in pe1 A)
	grep -qE "^lab: $PREFIX-pe1 vrfmgr restarted \(PID [0-9]+\): bgpd's routes are back in it \(replayed whole\), and fwd has its replay$" <<<"$out" &&
		[ "$n" = 2 ] && [ "$(bgp_routes_in pe1 B)" = 2 ] &&
		[ "$(metric pe1 vrfmgr ferry_vrfmgr_bgpd_replays_total)" = 1 ] &&
		[ "$(metric pe1 vrfmgr ferry_vrfmgr_fwd_replays_total)" = 1 ] && return 0
	note <<<"$out; VRF A's routes from bgpd: $n"
	return 1
}
check "scripts/lab restart pe1 vrfmgr returns once bgpd's routes are back in it (A's and B's 2 each) and fwd has its replay, and says so" \
	restart_vrfmgr_waits
check "... and the state is as before: ferryctl verify consistent, A1 -> A2 forwards" \
	eval 'poll 10 eval "\"\$CTL\" -r \"\$PREFIX-pe1\" verify --once >/dev/null" && poll 10 whoami_is host-a1 192.168.101.10 host-a2'
restart_fwd_waits() {
	local out before
	before=$(metric pe1 vrfmgr ferry_vrfmgr_fwd_replays_total)
	out=$(scripts/lab restart pe1 fwd --prefix "$PREFIX" 2>&1) || { note <<<"$out"; return 1; }
	grep -qE "^lab: $PREFIX-pe1 fwd restarted \(PID [0-9]+\): vrfmgr replayed its state to it$" <<<"$out" &&
		[ "$(metric pe1 vrfmgr ferry_vrfmgr_fwd_replays_total)" = $((before + 1)) ] && return 0
	note <<<"$out; fwd replays $before -> $(metric pe1 vrfmgr ferry_vrfmgr_fwd_replays_total)"
	return 1
}
check "scripts/lab restart pe1 fwd returns once vrfmgr has replayed its state to the new fwd, and says so" \
	restart_fwd_waits
restart_bgpd_says() {
	local out
	out=$(scripts/lab restart pe1 bgpd --prefix "$PREFIX" 2>&1) || { note <<<"$out"; return 1; }
	grep -qE "^lab: $PREFIX-pe1 bgpd restarted \(PID [0-9]+\): its API answers \(its BGP sessions come up on their own: scripts/lab status\)$" <<<"$out" ||
		{ note <<<"$out"; return 1; }
}
check "scripts/lab restart pe1 bgpd says what it waited for: its API (sessions come up on their own)" \
	restart_bgpd_says
check "... and the session comes back, A1 -> A2 forwards" \
	eval 'poll 30 lab_established pe1 10.255.0.2 >/dev/null && poll 10 whoami_is host-a1 192.168.101.10 host-a2'

# --- receive rings by blocks (fwd.rx_ring "blocks": TPACKET_V3) --------------------------------
# The lab's configs take frames (TPACKET_V2, checked above and below: every interface).
# Every fwd again with -o rx_ring=blocks, P's with 2 workers (fanout groups of V3 rings):
# the same traffic, full-sized frames included.
rings_are() { # rings_are V2|V3: every interface fwd owns opened with TPACKET_<version> rings
	local n i
	for n in pe1:core0 pe1:ce-a1 pe1:ce-b1 p:to-pe1 p:to-pe2 pe2:core0 pe2:ce-a2 pe2:ce-b2; do
		i=${n#*:}
		grep "$i: [a-z]* interface open " "$(rundir "${n%%:*}")/fwd.log" | tail -n 1 |
			grep -c "TPACKET_$1 rings" >/dev/null || return 1
	done
}
check "the lab's fwd (rx_ring frames): all 8 interfaces on TPACKET_V2 rings" rings_are V2
check "every fwd restarted with rx_ring blocks (P with 2 workers): all 8 interfaces on TPACKET_V3 rings" \
	eval 'lab_restart_fwd pe1 -o rx_ring=blocks && lab_restart_fwd pe2 -o rx_ring=blocks &&
	      lab_restart_fwd p -o rx_ring=blocks -o workers=2 && poll 10 rings_are V3'
check "rx_ring blocks: host-a1 -> 192.168.101.10 is answered by host-a2" \
	poll 30 whoami_is host-a1 192.168.101.10 host-a2
check "rx_ring blocks: host-b1 -> 192.168.101.10 is answered by host-b2" \
	poll 10 whoami_is host-b1 192.168.101.10 host-b2
check "rx_ring blocks: TCP: 4 MB from host-a2 to host-a1 arrive intact" \
	tcp_bulk host-a1 192.168.101.10 host-a2
check "rx_ring blocks: TCP: 4 MB from host-b1 to host-b2 arrive intact" \
	tcp_bulk host-b2 192.168.100.10 host-b1
check "rx_ring blocks: host-a1 still cannot reach 192.168.101.20" unreachable
check "rx_ring blocks: P's time exceeded (built on its control thread) carries [16 | 200 S] TTL 1" \
	mpls_ext "$TMP/a1-icmp-blocks.pcap"

# --- teardown ---------------------------------------------------------------------------------
t_lab_down_check
finish
