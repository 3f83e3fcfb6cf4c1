#!/usr/bin/env bash
# fwd on AF_XDP with its links unbound and bound again in one burst of
# vrfmgr's messages: one namespace "<prefix>-pe" with N veth pairs (ceK in
# VRF tK at 192.168.1.1/24; the last peer in "<prefix>-ce" as tenant N's
# CE, 192.168.1.2/24), vrfmgr and fwd (fwd.io af_xdp, 2 workers, no bgpd).
# R reloads rename every VRF (tK <-> uK): each unbinds every link and binds
# it again at once. fwd closes the old AF_XDP sockets together right before
# it opens the new ones (io_packet_links.c), and the kernel releases a
# queue a moment after its socket's close (a workqueue): the new socket's
# bind may find the queue still busy. Checks, after each reload:
#  - every link is opened again, on AF_XDP: none fell back to AF_PACKET
#    ("no AF_XDP here ... busy"), which it would keep until opened again;
#  - tenant N's CE pings fwd's address.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespaces, run directory, processes it
# started, by PID), also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init xdprebind xr "fwd AF_XDP rebind"
RUN=$(rundir pe)
T_RM=("$RUN")
T_LOG_NODES=(pe)
N=4 R=4
t_prereqs "vrfmgr fwd" "jq curl awk ping"

gen() { # gen PREFIX: VRFs PREFIX1..PREFIXN (RD/RT 1000+i, link cei at 192.168.1.1/24)
	awk -v p="$1" -v n="$N" 'BEGIN {
		print "{ \"router\": { \"name\": \"pe\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"
		print "              \"label_range\": { \"min\": 100, \"max\": 9999 } },"
		print "  \"vrfs\": ["
		for (i = 1; i <= n; i++)
			printf "%s    { \"name\": \"%s%d\", \"rd\": \"10.255.0.1:%d\", \"import_rts\": [\"65000:%d\"], \"export_rts\": [\"65000:%d\"], \"interfaces\": [ { \"name\": \"ce%d\", \"address\": \"192.168.1.1/24\" } ] }", \
			       (i > 1 ? ",\n" : ""), p, i, 1000 + i, 1000 + i, 1000 + i, i
		print "\n  ],"
		print "  \"fwd\": { \"mode\": \"pe\", \"workers\": 2, \"io\": \"af_xdp\","
		print "           \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] } }"
	}'
}
build_nodes() {
	local i
	t_netns_add pe && t_netns_add ce || return 1
	inns pe ip link set lo up &&
		inns pe ip link add core0 type veth peer name core0p &&
		inns pe ip link set core0 up && inns pe ip link set core0p up || return 1
	for i in $(seq "$N"); do
		inns pe ip link add "ce$i" type veth peer name "cp$i" &&
			inns pe ip link set "ce$i" up || return 1
		[ "$i" = "$N" ] || inns pe ip link set "cp$i" up || return 1
	done
	inns pe ip link set "cp$N" netns "$(ns ce)" &&
		inns ce ip link set "cp$N" up && inns ce ip addr add 192.168.1.2/24 dev "cp$N"
}
start() { # start PROG
	setsid ip netns exec "$(ns pe)" "$BUILD/$1" -c "$TMP/pe.json" -r "$RUN" \
		</dev/null >>"$RUN/$1.log" 2>&1 &
	t_track $!
	eval "PID_$1=$!"
}
xdp_opens() { grep -c 'access interface open .*AF_XDP' "$RUN/fwd.log"; }
opened_xdp() { [ "$(xdp_opens)" -ge "$1" ]; }
no_fallback() { ! grep -q 'no AF_XDP here' "$RUN/fwd.log"; }
ce_ping() { inns ce ping -n -q -c 1 -W 1 192.168.1.1 >/dev/null 2>&1; }

gen t >"$TMP/pe.json"
mkdir -p "$RUN"
if build_nodes && start vrfmgr && poll 10 test -S "$RUN/vrfmgr.ipc" && start fwd &&
	poll 10 test -S "$RUN/fwd.sock"; then
	ok "$N tenants' links in $(ns pe), vrfmgr and fwd on AF_XDP with 2 workers started"
else
	not_ok "$N tenants' links in $(ns pe), vrfmgr and fwd on AF_XDP with 2 workers started"
	finish
fi
check "every one of the $N attachment links is open on AF_XDP" poll 30 opened_xdp "$N"
check "... and tenant $N's CE pings fwd's address" poll 10 ce_ping

name=t
for r in $(seq "$R"); do
	[ "$name" = t ] && name=u || name=t
	want=$(($(xdp_opens) + N))
	gen "$name" >"$TMP/pe.json" && kill -HUP "$PID_vrfmgr"
	check "reload $r (VRFs renamed ${name}1..${name}$N): every link unbound and opened again on AF_XDP" \
		poll 30 opened_xdp "$want"
	check "... none fell back to AF_PACKET (its queue busy after fwd's own close)" no_fallback
	check "... and tenant $N's CE pings fwd's address" poll 10 ce_ping
done
note <<<"queues found busy after fwd's own close: $(grep -c 'busy after fwd.s own close' "$RUN/fwd.log") ($(
	grep -o 'AF_XDP socket [a-z ]* after [0-9]* ms' "$RUN/fwd.log" | paste -sd ';' -))"
finish
