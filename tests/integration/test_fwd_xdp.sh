#!/usr/bin/env bash
# The lab's traffic checks with fwd on AF_XDP (issue 5): its own copy of the
# lab (`scripts/lab up --io af_xdp`, private prefix), then, with bounded
# polling:
#  - every fwd (pe1, p, pe2) has its XDP program on each interface it owns
#    and says it runs AF_XDP sockets there (no fallback to AF_PACKET);
#  - control traffic still reaches the kernel through the XDP programs: the
#    iBGP session between the loopbacks (TCP over the core links) comes up;
#  - A1 -> A2 and B1 -> B2 at the same address: ping, and the whoami
#    responder proves the right host answered; the B-only address stays out
#    of A's reach;
#  - TCP: 4 MB each way intact (full-sized frames through the AF_XDP path);
#  - the frames went through AF_XDP: pe1's fwd counted them on ce-a1 and core0;
#  - scripts/lab restart pe2 fwd brings it back on AF_XDP (up's --io kept);
#  - worker threads (fwd.workers): pe1's fwd restarted with 2 workers on
#    AF_XDP, P's with 2 workers on AF_PACKET (PACKET_FANOUT_HASH): the same
#    traffic checks again, and /counters sums the workers' counts;
#  - fallback: where XDP cannot attach (another program holds the interface),
#    fwd says why and uses AF_PACKET there, AF_XDP on the others.
# AF_PACKET is covered by test_lab.sh. Prints "ok - ..." / "not ok - ...";
# exit 0 only when all pass. Removes everything it created, also on failure.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init xdp fx fwd_xdp
T_POLL_INTERVAL=0.5

t_prereqs "bgpd vrfmgr fwd ferryctl tools/whoami" "jq ping"
t_lab_up "lab up with prefix $PREFIX, fwd on AF_XDP" --io af_xdp

# --- XDP in place ----------------------------------------------------------------------
xdp_on() { # xdp_on NODE IF: fwd's program attached, and fwd opened the interface on AF_XDP
	inns "$1" ip -d link show dev "$2" | grep -c 'prog/xdp .*name fwd_xdp' >/dev/null &&
		grep -q "$2: .* interface open .*AF_XDP" "/run/ferry/$PREFIX-$1/fwd.log"
}
all_xdp() {
	xdp_on pe1 core0 && xdp_on pe1 ce-a1 && xdp_on pe1 ce-b1 &&
		xdp_on p to-pe1 && xdp_on p to-pe2 &&
		xdp_on pe2 core0 && xdp_on pe2 ce-a2 && xdp_on pe2 ce-b2
}
if poll 15 all_xdp; then
	ok "fwd's XDP program and AF_XDP sockets on all 8 interfaces fwd owns (pe1, p, pe2)"
else
	not_ok "fwd's XDP program and AF_XDP sockets on all 8 interfaces fwd owns (pe1, p, pe2)"
	for n in pe1 p pe2; do
		grep -E 'interface open|AF_XDP|XDP' "/run/ferry/$PREFIX-$n/fwd.log" | note
	done
fi

check "BGP over the core (TCP passed to the kernel by XDP) Established on both PEs" \
	eval 'poll 45 lab_established pe1 10.255.0.2 && poll 5 lab_established pe2 10.255.0.1'

# --- traffic ------------------------------------------------------------------------------
rx_of() { # rx_of NODE IF: fwd's receive counter on IF
	ctl "$1" fwd counters | jq -r --arg i "$2" '.interfaces[] | select(.name == $i) | .rx_packets'
}
check "ping host-a1 -> 192.168.101.10 (A1 -> A2 through the VPN)" poll 30 ping1 host-a1 192.168.101.10
check "host-a1 -> 192.168.101.10 is answered by host-a2" whoami_is host-a1 192.168.101.10 host-a2
check "ping host-b1 -> 192.168.101.10 (B1 -> B2, same address)" poll 10 ping1 host-b1 192.168.101.10
check "host-b1 -> 192.168.101.10 is answered by host-b2" whoami_is host-b1 192.168.101.10 host-b2
unreachable() {
	! inns host-a1 ping -n -q -c 2 -W 1 192.168.101.20 >/dev/null 2>&1
}
check "host-a1 cannot reach 192.168.101.20 (exists only in customer B)" unreachable

a_before=$(rx_of pe1 ce-a1)
c_before=$(rx_of pe1 core0)
check "TCP: 4 MB from host-a2 to host-a1 arrive intact" tcp_bulk host-a1 192.168.101.10 host-a2
check "TCP: 4 MB from host-b1 to host-b2 arrive intact" tcp_bulk host-b2 192.168.100.10 host-b1
counted() { # the transfers went through fwd's AF_XDP sockets on pe1
	local a c
	a=$(rx_of pe1 ce-a1)
	c=$(rx_of pe1 core0)
	[ "${a:-0}" -gt $((${a_before:-0} + 100)) ] && [ "${c:-0}" -gt $((${c_before:-0} + 1000)) ] &&
		return 0
	echo "# pe1 rx ce-a1 ${a_before:-?} -> ${a:-?}, core0 ${c_before:-?} -> ${c:-?}"
	return 1
}
check "pe1's fwd received the transfers on ce-a1 and core0 (AF_XDP sockets)" counted

# --- scripts/lab restart keeps up's --io (it started fwd from the config alone: AF_PACKET) ---------
xdp_again() { [ "$(grep -c 'ce-a2: .* interface open .*AF_XDP' "$(rundir pe2)/fwd.log")" -ge 2 ]; }
check "scripts/lab restart pe2 fwd: back on AF_XDP as up --io said, not the config's AF_PACKET" \
	eval 'scripts/lab restart pe2 fwd --prefix "$PREFIX" >/dev/null && poll 10 xdp_again &&
	      poll 30 ping1 host-a1 192.168.101.10'

# --- 2 MB pages (fwd/hugepage.c) ----------------------------------------------------------------
four_kb_wanted() { # THP off, switched off, or fwd under valgrind (tests/valgrind/vg switches it off)
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
		[ "${FERRY_FWD_HUGE_PAGES:-}" = 0 ] || [ "${FERRY_VALGRIND:-}" = 1 ] ||
		[[ " ${FERRY_VALGRIND:-} " == *" fwd "* ]]
}
heap_pages() { # pe1's fwd says which pages its heap is on, and its environment agrees
	local pid log
	log="$(rundir pe1)/fwd.log"
	pid=$(cat "$(rundir pe1)/fwd.pid")
	if four_kb_wanted; then
		grep -q 'heap on 4 KB pages' "$log"
	else
		grep -q 'heap on 2 MB transparent huge pages' "$log" &&
			tr '\0' '\n' <"/proc/$pid/environ" | grep -c '^GLIBC_TUNABLES=.*glibc.malloc.hugetlb=1' >/dev/null &&
			[ "$(cat "/proc/$pid/comm")" = fwd ] # not "exe": ps, pgrep and ss name it
	fi
}
check "fwd's heap on 2 MB pages (it executed itself again with glibc.malloc.hugetlb=1, same PID, still named fwd), or on 4 KB where it should be" \
	heap_pages

# --- worker threads ---------------------------------------------------------------------------
workers_up() {
	grep -q '2 worker threads forward' "/run/ferry/$PREFIX-pe1/fwd.log" &&
		grep -q 'to-pe1: core interface open .*PACKET_FANOUT_HASH' "/run/ferry/$PREFIX-p/fwd.log"
}
check "pe1's fwd restarted with 2 workers (AF_XDP), P's with 2 workers (AF_PACKET fanout)" \
	eval 'lab_restart_fwd pe1 -o io=af_xdp -o workers=2 && lab_restart_fwd p -o workers=2 && poll 10 workers_up'
check "workers: ping host-a1 -> 192.168.101.10" poll 30 ping1 host-a1 192.168.101.10
check "workers: host-a1 -> 192.168.101.10 is answered by host-a2" \
	whoami_is host-a1 192.168.101.10 host-a2
check "workers: host-b1 -> 192.168.101.10 is answered by host-b2" \
	poll 10 whoami_is host-b1 192.168.101.10 host-b2
a_before=$(rx_of pe1 ce-a1)
c_before=$(rx_of pe1 core0)
check "workers: TCP: 4 MB from host-a2 to host-a1 arrive intact" tcp_bulk host-a1 192.168.101.10 host-a2
check "workers: TCP: 4 MB from host-b1 to host-b2 arrive intact" tcp_bulk host-b2 192.168.100.10 host-b1
# the control thread sums the workers' counters every 100 ms: poll
check "workers: pe1's /counters include what its workers received" poll 5 counted
p_rx() { rx_of p to-pe1; }
p_sum() { [ "$(p_rx)" -gt 3000 ]; }
check "workers: P's /counters sum its fanout workers (> 3,000 frames on to-pe1)" poll 5 p_sum

# --- fallback -------------------------------------------------------------------------------
# A P-router fwd on two veth ends, one of them already taken by another XDP program.
FB_PID=
fallback() {
	local log=$TMP/fb.log
	t_netns_add fb &&
		ip -n "$PREFIX-fb" link add xa type veth peer name xb &&
		ip -n "$PREFIX-fb" link set xa up && ip -n "$PREFIX-fb" link set xb up &&
		ip -n "$PREFIX-fb" link set lo up &&
		ip netns exec "$PREFIX-fb" ip link set dev xa xdpgeneric obj "$BUILD/fwd-xdp.o" sec xdp ||
		return 1
	cat >"$TMP/fb.json" <<-EOF2
	{ "router": { "name": "fb", "router_id": "10.255.0.9", "asn": 65000 },
	  "fwd": { "mode": "lsr", "io": "af_xdp", "lfib": [],
	           "core_interfaces": [ { "name": "xa", "address": "10.0.9.1/30" },
	                                { "name": "xb", "address": "10.0.9.5/30" } ] } }
	EOF2
	ip netns exec "$PREFIX-fb" "$BUILD/fwd" -c "$TMP/fb.json" -r "$TMP/fb" >"$log" 2>&1 &
	FB_PID=$!
	t_track "$FB_PID"
	if poll 10 grep -q 'xb: core interface open .*AF_XDP' "$log" &&
		grep -q 'xa: no AF_XDP here (.*busy.*); using AF_PACKET' "$log" &&
		grep -q 'xa: core interface open .*TPACKET_V3' "$log"; then
		return 0
	fi
	note <"$log"
	return 1
}
check "XDP cannot attach (interface taken): fwd logs why and uses AF_PACKET there, AF_XDP elsewhere" \
	fallback
[ -n "$FB_PID" ] && t_stop "$FB_PID"
ip netns del "$PREFIX-fb" 2>/dev/null

t_lab_down_check
finish
