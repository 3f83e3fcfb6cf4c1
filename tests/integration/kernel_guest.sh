#!/bin/busybox sh
# /init of the QEMU guest of test_kernel_dataplane.sh (not a test by itself:
# run-integration runs test_*.sh only). Builds the lab in namespaces (PE1 -
# P - PE2, customers A and B with the same addresses at both sites), runs
# vrfmgr + bgpd with router.dataplane "kernel" on the PEs, and prints what
# the kernel holds in sections ("=== NAME" lines) on the serial console for
# the host to check. P is the kernel's own LSR: static MPLS routes popping
# the PEs' transport labels (16 toward PE2, 17 toward PE1). Every wait is
# bounded; whatever happens, the guest ends with FERRY-GUEST-DONE and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
IP=/ferry/ip # iproute2's: busybox's ip knows neither MPLS nor VRFs
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run

done_() {
	echo "=== end"
	echo "FERRY-GUEST-DONE"
	sync
	poweroff -f
}
say() { echo "$*"; }
# wait_for SECONDS CMD...: CMD until it succeeds, at most SECONDS (polls every 0.5 s)
wait_for() {
	n=$(($1 * 2))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		usleep 500000
		n=$((n - 1))
	done
	return 1
}
nsx() { n=$1; shift; $IP netns exec "$n" "$@"; }
# none_of PATTERN CMD...: CMD ran (exit 0) and printed no line matching PATTERN. Not
# "CMD | grep -q PATTERN && FAIL": a CMD that failed (a link gone) printed none either.
none_of() {
	none_pat=$1
	shift
	none_out=$("$@") || return 1
	! echo "$none_out" | grep -q "$none_pat"
}

echo # the console's first line starts with the firmware's escape sequences
# Before the MPLS module is in: vrfmgr with the kernel dataplane stops, naming the setting.
echo "=== no-mpls"
mkdir -p /run/nompls
/ferry/vrfmgr -c /cfg/pe1.json -r /run/nompls >/run/nompls.log 2>&1
echo "exit $?"
tail -n 3 /run/nompls.log
ls /run/nompls
echo "=== setup"
for m in mpls_router mpls_iptunnel vrf veth; do
	modprobe "$m" || { say "FAIL modprobe $m"; done_; }
done
say "ok modules"

lab() {
	for n in pe1 p pe2 ce-a1 ce-b1 ce-a2 ce-b2; do
		$IP netns add "$n" && $IP -n "$n" link set lo up || return 1
	done
	# link NODE1 IF1 NODE2 IF2
	link() {
		$IP link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
			$IP -n "$1" link set "$2" up && $IP -n "$3" link set "$4" up
	}
	link pe1 core0 p to-pe1 && link pe2 core0 p to-pe2 || return 1
	$IP -n pe1 addr add 10.0.1.1/30 dev core0 && $IP -n p addr add 10.0.1.2/30 dev to-pe1 &&
		$IP -n p addr add 10.0.2.1/30 dev to-pe2 && $IP -n pe2 addr add 10.0.2.2/30 dev core0 &&
		$IP -n pe1 addr add 10.255.0.1/32 dev lo && $IP -n pe2 addr add 10.255.0.2/32 dev lo &&
		$IP -n pe1 route add 10.255.0.2/32 via 10.0.1.2 dev core0 &&
		$IP -n pe2 route add 10.255.0.1/32 via 10.0.2.1 dev core0 &&
		$IP -n p route add 10.255.0.1/32 via 10.0.1.1 dev to-pe1 &&
		$IP -n p route add 10.255.0.2/32 via 10.0.2.2 dev to-pe2 || return 1
	# P: the kernel as LSR, penultimate hop popping
	nsx p sysctl -qw net.ipv4.ip_forward=1 net.mpls.platform_labels=100 \
		net.mpls.conf.to-pe1.input=1 net.mpls.conf.to-pe2.input=1 || return 1
	$IP -n p -f mpls route add 16 via inet 10.0.2.2 dev to-pe2 &&
		$IP -n p -f mpls route add 17 via inet 10.0.1.1 dev to-pe1 || return 1
	# CEs: each site's hosts on its loopback; the PE side has no address until vrfmgr binds it
	# ce NODE PE PE_IF CE_ADDR PE_ADDR HOST_ADDR...
	ce() {
		node=$1 pe=$2 pif=$3 addr=$4 gw=$5
		shift 5
		link "$pe" "$pif" "$node" pe && $IP -n "$node" addr add "$addr" dev pe &&
			$IP -n "$node" route add default via "$gw" || return 1
		for h in "$@"; do
			$IP -n "$node" addr add "$h/32" dev lo || return 1
		done
	}
	ce ce-a1 pe1 ce-a1 10.1.1.2/30 10.1.1.1 192.168.100.10 &&
		ce ce-b1 pe1 ce-b1 10.2.1.2/30 10.2.1.1 192.168.100.10 &&
		ce ce-a2 pe2 ce-a2 10.1.2.2/30 10.1.2.1 192.168.101.10 &&
		ce ce-b2 pe2 ce-b2 10.2.2.2/30 10.2.2.1 192.168.101.10 192.168.101.20
}
lab && say "ok lab" || { say "FAIL lab"; done_; }

# start NODE DAEMON: in the background, its log in /run/NODE-DAEMON.log
start() { # NODE DAEMON [CONFIG]; ip netns exec execs the daemon: $! is its PID
	$IP netns exec "$1" "/ferry/$2" -c "/cfg/${3:-$1}.json" >>"/run/$1-$2.log" 2>&1 &
	echo $! >"/run/$1-$2.pid"
}
for n in pe1 pe2; do
	start "$n" vrfmgr
	start "$n" bgpd
done
# converged: both PEs hold the other site's prefix in both VRFs, as encap mpls routes
remote_in() { $IP -n "$1" route show table "$2" | grep -q "^$3 .*encap mpls"; }
converged() {
	remote_in pe1 10001 192.168.101.0/24 && remote_in pe1 10002 192.168.101.0/24 &&
		remote_in pe2 10001 192.168.100.0/24 && remote_in pe2 10002 192.168.100.0/24
}
wait_for 120 converged && say "ok converged" || say "FAIL converged"

echo "=== pe1-vrfs"
$IP -n pe1 -d link show type vrf
echo "=== pe1-slaves"
$IP -n pe1 link show master vrf-A
$IP -n pe1 link show master vrf-B
$IP -n pe1 -o addr show
echo "=== pe1-sysctl"
echo "platform_labels $(nsx pe1 cat /proc/sys/net/mpls/platform_labels)"
echo "core0.input $(nsx pe1 cat /proc/sys/net/mpls/conf/core0/input)"
echo "ip_forward $(nsx pe1 cat /proc/sys/net/ipv4/ip_forward)"
echo "=== pe1-table-A"
$IP -n pe1 -d route show table 10001
echo "=== pe1-table-B"
$IP -n pe1 -d route show table 10002
echo "=== pe1-mpls"
$IP -n pe1 -f mpls route show
echo "=== pe2-table-A"
$IP -n pe2 -d route show table 10001
echo "=== pe2-mpls"
$IP -n pe2 -f mpls route show

echo "=== ping"
# pings FROM_NODE SOURCE DEST: at least one reply of three
pings() { nsx "$1" timeout 20 ping -c 3 -W 3 -I "$2" "$3"; }
pings ce-a1 192.168.100.10 192.168.101.10 && say "ok a1-a2" || say "FAIL a1-a2"
pings ce-b1 192.168.100.10 192.168.101.10 && say "ok b1-b2" || say "FAIL b1-b2"
pings ce-b1 192.168.100.10 192.168.101.20 && say "ok b1-b2-only" || say "FAIL b1-b2-only"
# CE B2's own link address: PE2's per-CE label of its connected subnet, popped into vrf-B
pings ce-b1 192.168.100.10 10.2.2.2 && say "ok b1-b2-link" || say "FAIL b1-b2-link"
nsx ce-a1 timeout 10 ping -c 2 -W 2 -I 192.168.100.10 192.168.101.20 >/dev/null 2>&1 &&
	say "FAIL a1-not-b (A reached B's address)" || say "ok a1-not-b"
# P knows no customer prefix: whatever crossed it went as MPLS
$IP -n p route get 192.168.101.10 >/dev/null 2>&1 && say "FAIL p-no-customer-route" ||
	say "ok p-no-customer-route"

# PE2's vrfmgr reloads a file without VRF B (SIGHUP), then the full one again.
echo "=== reload"
cp /cfg/pe2.json /cfg/pe2-full.json && cp /cfg/pe2-without-B.json /cfg/pe2.json &&
	kill -HUP "$(cat /run/pe2-vrfmgr.pid)"
no_vrf_b() { ! $IP -n pe2 link show vrf-B; }
wait_for 20 no_vrf_b && say "ok vrf-B gone" || say "FAIL vrf-B gone"
none_of 'inet ' $IP -n pe2 -o addr show dev ce-b2 && none_of master $IP -n pe2 link show ce-b2 &&
	say "ok ce-b2 released" || say "FAIL ce-b2 released (an address, still a slave, or gone)"
none_of 'ce-b2\|vrf-B' $IP -n pe2 -f mpls route show && say "ok no B label" || say "FAIL no B label"
$IP -n pe2 -f mpls route show
none_of 'proto 240' $IP -n pe2 route show table 10002 && say "ok no B routes" || say "FAIL no B routes"
nsx ce-b1 timeout 10 ping -c 2 -W 2 -I 192.168.100.10 192.168.101.10 >/dev/null 2>&1 &&
	say "FAIL b1-b2 cut" || say "ok b1-b2 cut"
# ce-b2's link, released, is down: in the main table, up, with ip_forward on, the kernel
# would forward what B's departed CE sends into the provider's core. The CE keeps PE2's
# MAC (pinned: a CE's neighbour entry outlives the address) and pings P's core address;
# P's ICMP InEchos counter says whether anything arrived.
none_of '[<,]UP[,>]' $IP -n pe2 link show ce-b2 && say "ok ce-b2 down" || say "FAIL ce-b2 down"
echos() { nsx p awk '/^Icmp:/ { if (!c) { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i } else print $c }' /proc/net/snmp; }
mac=$($IP -n pe2 link show ce-b2 | awk '/link\/ether/ { print $2 }')
e0=$(echos)
$IP -n ce-b2 neigh replace 10.2.2.1 lladdr "$mac" dev pe nud permanent &&
	{ nsx ce-b2 timeout 10 ping -c 3 -W 1 10.0.2.1 >/dev/null 2>&1; true; } &&
	$IP -n ce-b2 neigh del 10.2.2.1 dev pe && [ -n "$e0" ] && [ "$(echos)" = "$e0" ] &&
	say "ok b2-not-core" || say "FAIL b2-not-core (P got $(($(echos) - ${e0:-0})) echo requests from ce-b2)"
cp /cfg/pe2-full.json /cfg/pe2.json && kill -HUP "$(cat /run/pe2-vrfmgr.pid)"
b_back() { remote_in pe1 10002 192.168.101.0/24 && $IP -n pe2 route show table 10002 | grep -q '^192.168.101.0/24 via 10.2.2.2'; }
wait_for 30 b_back && say "ok B back" || say "FAIL B back"
pings ce-b1 192.168.100.10 192.168.101.10 && say "ok b1-b2 again" || say "FAIL b1-b2 again"

# Links that go down and up (the kernel drops the routes through them), and a CE link
# deleted and made again (no VRF, no address): vrfmgr programs them again.
echo "=== flaps"
static_a() { $IP -n pe1 route show table 10001 | grep -q '^192.168.100.0/24 via 10.1.1.2 dev ce-a1'; }
$IP -n pe1 link set ce-a1 down && $IP -n pe1 link set core0 down &&
	! static_a && ! remote_in pe1 10001 192.168.101.0/24 && say "ok routes gone with the links"
$IP -n pe1 link set ce-a1 up && $IP -n pe1 link set core0 up
wait_for 10 static_a && say "ok ce-a1 route back" || say "FAIL ce-a1 route back"
wait_for 10 remote_in pe1 10001 192.168.101.0/24 && say "ok core0 routes back" ||
	say "FAIL core0 routes back"
pings ce-a1 192.168.100.10 192.168.101.10 && say "ok a1-a2 after flaps" || say "FAIL a1-a2 after flaps"
$IP -n pe1 link del ce-a1 && ce ce-a1 pe1 ce-a1 10.1.1.2/30 10.1.1.1 &&
	say "ok ce-a1 made again" || say "FAIL ce-a1 made again"
rebound() { $IP -n pe1 -o addr show dev ce-a1 | grep -q '10.1.1.1/30' && static_a; }
wait_for 10 rebound && say "ok ce-a1 bound again" || say "FAIL ce-a1 bound again"
$IP -n pe1 link show master vrf-A
pings ce-a1 192.168.100.10 192.168.101.10 && say "ok a1-a2 after re-creation" ||
	say "FAIL a1-a2 after re-creation"
# ...and once more with the ifindex it had: a new link all the same (vrfmgr saw it deleted)
idx=$($IP -n pe1 -o link show ce-a1 | cut -d: -f1)
$IP -n pe1 link del ce-a1 &&
	$IP -n pe1 link add ce-a1 index "$idx" type veth peer name pe netns ce-a1 &&
	$IP -n pe1 link set ce-a1 up && $IP -n ce-a1 link set pe up &&
	$IP -n ce-a1 addr add 10.1.1.2/30 dev pe && $IP -n ce-a1 route add default via 10.1.1.1 &&
	[ "$($IP -n pe1 -o link show ce-a1 | cut -d: -f1)" = "$idx" ] &&
	say "ok ce-a1 made again with its ifindex" || say "FAIL ce-a1 made again with its ifindex"
wait_for 10 rebound && say "ok ce-a1 bound again (same ifindex)" ||
	say "FAIL ce-a1 bound again (same ifindex)"

# vrf-A deleted behind vrfmgr's back (the kernel releases ce-a1 into the main VRF, up, and
# drops the routes and the label through vrf-A): vrfmgr makes it again on table 10001, binds
# ce-a1 again with its address and programs A's routes and label again. Deleted again at
# once: made again after its backoff (1 s), on a timer. Each time polled until A1 pings A2.
echo "=== vrf-deleted"
vrf_a_idx() { $IP -n pe1 -o link show vrf-A 2>/dev/null | cut -d: -f1; }
# a_back OLD_IFINDEX: vrf-A made again (another ifindex, table 10001), ce-a1 in it with its
# address, A's routes (via the CE, via P) and its label popped into vrf-A programmed again
a_back() {
	new=$(vrf_a_idx)
	[ -n "$new" ] && [ "$new" != "$1" ] &&
		$IP -n pe1 -d link show vrf-A | grep -q 'vrf table 10001' &&
		$IP -n pe1 link show ce-a1 | grep -q 'master vrf-A' && rebound &&
		remote_in pe1 10001 192.168.101.0/24 &&
		$IP -n pe1 -f mpls route show | grep -q 'dev vrf-A proto 240'
}
ping_a() { nsx ce-a1 ping -c 1 -W 1 -I 192.168.100.10 192.168.101.10; }
old=$(vrf_a_idx)
$IP -n pe1 link del vrf-A && say "ok vrf-A deleted" || say "FAIL vrf-A deleted"
wait_for 20 a_back "$old" && say "ok vrf-A made again" || say "FAIL vrf-A made again"
wait_for 30 ping_a && say "ok a1-a2 after vrf-A made again" || say "FAIL a1-a2 after vrf-A made again"
$IP -n pe1 -d link show vrf-A
$IP -n pe1 link show master vrf-A
$IP -n pe1 -d route show table 10001
$IP -n pe1 -f mpls route show
old=$(vrf_a_idx)
$IP -n pe1 link del vrf-A && say "ok vrf-A deleted again" || say "FAIL vrf-A deleted again"
wait_for 20 a_back "$old" && say "ok vrf-A made again after its backoff" ||
	say "FAIL vrf-A made again after its backoff"
wait_for 30 ping_a && say "ok a1-a2 after the second deletion" ||
	say "FAIL a1-a2 after the second deletion"
echo "=== vrf-deleted-metrics"
nsx pe1 wget -qO- http://127.0.0.1:7180/metrics | grep -E '^ferry_vrfmgr_kernel'
nsx pe1 wget -qO- 'http://127.0.0.1:7180/vrfs?vrf=A'
echo

# Link events lost: PE1's vrfmgr stopped (SIGSTOP: it reads nothing), another link's events
# overrun its watch socket, then ce-a1 goes down and up unseen; vrfmgr, let go on, must
# notice the overrun and program ce-a1's route again.
echo "=== lost-events"
vpid=$(cat /run/pe1-vrfmgr.pid)
i=0
while [ $i -lt 200 ]; do
	echo "link set flood0 down"
	echo "link set flood0 up"
	i=$((i + 1))
done >/run/flood.batch
$IP -n pe1 link add flood0 type veth peer name flood1 && kill -STOP "$vpid" &&
	$IP -n pe1 -batch /run/flood.batch && $IP -n pe1 link set ce-a1 down &&
	$IP -n pe1 link set ce-a1 up && say "ok flood and ce-a1 flap while vrfmgr is stopped" ||
	say "FAIL flood and ce-a1 flap while vrfmgr is stopped"
kill -CONT "$vpid"
wait_for 10 static_a && say "ok ce-a1 route back after lost events" ||
	say "FAIL ce-a1 route back after lost events"
$IP -n pe1 link del flood0

# A restart of PE1's vrfmgr: stale routes of ferry's protocol are swept, others left alone.
echo "=== restart"
kill "$(cat /run/pe1-vrfmgr.pid)"
wait_for 10 sh -c "! kill -0 $(cat /run/pe1-vrfmgr.pid)" && say "ok stopped" || say "FAIL stopped"
$IP -n pe1 route add 10.99.0.0/16 via 10.1.1.2 dev ce-a1 table 10001 proto 240 &&
	$IP -n pe1 route add 10.98.0.0/16 dev ce-a1 table 10001 proto static &&
	$IP -n pe1 -f mpls route add 150 via inet 10.0.1.2 dev core0 proto 240 &&
	$IP -n pe1 link add vrf-X type vrf table 10009 &&
	say "ok stale routes added" || say "FAIL stale routes added"
# a link the previous run had in vrf-A that the file no longer gives to A (stray0, up)
$IP -n pe1 link add stray0 type veth peer name stray1 && $IP -n pe1 link set stray0 master vrf-A &&
	$IP -n pe1 link set stray0 up && say "ok stray0 in vrf-A" || say "FAIL stray0 in vrf-A"
before=$(wc -l </run/pe1-vrfmgr.log)
start pe1 vrfmgr pe1-without-B # VRF B taken out of the file while vrfmgr was down
# the new vrfmgr's "routes complete": the sweep follows at once
swept() { tail -n +"$((before + 1))" /run/pe1-vrfmgr.log | grep -q 'routes complete'; }
wait_for 60 swept && say "ok routes complete" || say "FAIL routes complete"
converged_a() { remote_in pe1 10001 192.168.101.0/24; }
wait_for 30 converged_a && say "ok converged again" || say "FAIL converged again"
echo "=== after-restart-vrfs"
$IP -n pe1 -d link show type vrf
echo "=== after-restart-slaves"
$IP -n pe1 -o link show master vrf-A
echo "=== after-restart-stray"
$IP -n pe1 -o link show stray0
echo "=== after-restart-ce-b1"
$IP -n pe1 -o link show ce-b1
echo "=== after-restart-B"
$IP -n pe1 -d route show table 10002
echo "=== after-restart-A"
$IP -n pe1 -d route show table 10001
echo "=== after-restart-mpls"
$IP -n pe1 -f mpls route show
# vrf-A set down behind vrfmgr's back (its local routes dropped, its traffic stopped): set up
# again, A's routes and label programmed again. Then ce-a1 taken out of vrf-A (nomaster), then
# moved into vrf-X: each within a minute of the last repair, so each waits its backoff (1 s,
# then 2 s) down and out of any VRF, then is bound again with its address and its routes.
# Each time polled until A1 pings A2.
echo "=== vrf-down"
up_a() { $IP -n pe1 link show vrf-A | grep -q '[<,]UP[,>]'; }
a_whole() {
	up_a && $IP -n pe1 link show ce-a1 | grep -q 'master vrf-A' &&
		$IP -n pe1 link show ce-a1 | grep -q '[<,]UP[,>]' && rebound &&
		remote_in pe1 10001 192.168.101.0/24 &&
		$IP -n pe1 -f mpls route show | grep -q 'dev vrf-A proto 240'
}
$IP -n pe1 link set vrf-A down && say "ok vrf-A set down" || say "FAIL vrf-A set down"
wait_for 10 a_whole && say "ok vrf-A up again with its routes" ||
	say "FAIL vrf-A up again with its routes"
wait_for 30 ping_a && say "ok a1-a2 after vrf-A set down" || say "FAIL a1-a2 after vrf-A set down"
echo "=== link-out"
$IP -n pe1 link set ce-a1 nomaster && say "ok ce-a1 nomaster" || say "FAIL ce-a1 nomaster"
wait_for 10 a_whole && say "ok ce-a1 bound again" || say "FAIL ce-a1 bound again"
wait_for 30 ping_a && say "ok a1-a2 after nomaster" || say "FAIL a1-a2 after nomaster"
$IP -n pe1 link set ce-a1 master vrf-X && say "ok ce-a1 into vrf-X" || say "FAIL ce-a1 into vrf-X"
wait_for 10 a_whole && say "ok ce-a1 bound again after vrf-X" || say "FAIL ce-a1 bound again after vrf-X"
wait_for 30 ping_a && say "ok a1-a2 after vrf-X" || say "FAIL a1-a2 after vrf-X"
$IP -n pe1 -o link show ce-a1
echo "=== guard-vrf-A"
nsx pe1 wget -qO- 'http://127.0.0.1:7180/vrfs?vrf=A'
echo
# ferryctl verify on a PE with no fwd: its check vrfmgr -> kernel. Consistent; then with
# ce-a1 moved into vrf-X once more (the third time within a minute: 4 s down and out of any
# VRF) it names ce-a1 waiting; bound again, consistent again.
echo "=== pe1-verify"
nsx pe1 /ferry/ferryctl -i pe1 verify 2>&1
echo "exit $?"
parked_a1() { ! $IP -n pe1 link show ce-a1 | grep -q -e master -e '[<,]UP[,>]'; }
$IP -n pe1 link set ce-a1 master vrf-X && wait_for 3 parked_a1 && say "ok ce-a1 parked" ||
	say "FAIL ce-a1 parked"
echo "=== pe1-verify-waiting"
nsx pe1 /ferry/ferryctl -i pe1 verify --once 2>&1
echo "exit $?"
wait_for 10 a_whole && say "ok ce-a1 bound again after its wait" ||
	say "FAIL ce-a1 bound again after its wait"
echo "=== pe1-verify-again"
nsx pe1 /ferry/ferryctl -i pe1 verify 2>&1
echo "exit $?"
echo "=== pe1-metrics"
nsx pe1 wget -qO- http://127.0.0.1:7180/metrics | grep -E '^ferry_vrfmgr_(kernel|fwd_connected)'
echo "=== pe1-reload-check"
nsx pe1 /ferry/ferryctl -i pe1 reload check 2>&1
echo "exit $?"
echo "=== pe1-vrfmgr-log"
cat /run/pe1-vrfmgr.log
echo "=== pe2-vrfmgr-log"
cat /run/pe2-vrfmgr.log
echo "=== pe1-bgpd-log"
tail -n 20 /run/pe1-bgpd.log
done_
