#!/usr/bin/env bash
# fwd with many tenants' attachment links that exist, as a multi-tenant PE
# has them: one namespace "<prefix>-pe" with N veth pairs (ceK in the PE's
# VRF tK, its peer cpK left there up; the last peer moved to "<prefix>-ce" as
# tenant N's CE, 192.168.1.2/24), vrfmgr and fwd (no bgpd) on a generated
# config of N VRFs, and fwd with two worker threads. Checks:
#  - every link is opened (state up), also past the 256 the workers' tables
#    once held: each worker has a socket with rings on every link;
#  - tenant N's CE pings fwd's address on its link (received by a worker,
#    answered), so the last link forwards, not only opens;
#  - what the links' rings take: fwd's resident memory stays under 2 MB for
#    each worker's socket on a link (rings were 6 MB a socket before they
#    were sized per link);
#  - tenant N's link deleted: fwd says it is down; made again (a new
#    ifindex): fwd opens the new link and the CE's ping is answered again;
#    deleted and made again at once (fwd sees it replaced): the same;
#  - a reload removing K tenants (45, or half of N when N < 90) with their
#    links, and moving tenant N's link to a new VRF (unbound and bound again
#    in the same burst of vrfmgr's messages): fwd lists the links left, has
#    no packet socket left on a removed link (their closes are made
#    together, io_packet_links.c), and both tenant K + 1's CE (a second CE
#    namespace, its tenant untouched) and tenant N's CE (its link moved)
#    ping fwd's address;
#  - fwd stops on SIGTERM (a bound of 30 s against a hang, not a speed
#    check: how fast its links close is bench/fwd-links'), and started again with
#    no workers (fwd's default: the links' own sockets take the rings made
#    ahead, io_par.h) opens every link left and forwards on the last.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespaces, run directory, processes it
# started, by PID), also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init tenantlinks tl "fwd tenant links"
RUN=$(rundir pe)
T_RM=("$RUN")
T_LOG_NODES=(pe)
N=${FERRY_TEST_TENANT_LINKS:-270}
K=$((N >= 90 ? 45 : N / 2)) # the tenants the reload removes: t1..tK
KEEP=$((K + 1))             # a tenant the reload leaves alone, with a CE of its own
t_prereqs "vrfmgr fwd" "jq curl awk ping"

gen() { # gen [FIRST [LAST_NAME]]: VRFs tFIRST..tN (RD/RT 1000+i, link cei at 192.168.1.1/24), tN named LAST_NAME
	awk -v first="${1:-1}" -v last="${2:-t$N}" -v n="$N" 'BEGIN {
		print "{ \"router\": { \"name\": \"pe\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"
		print "              \"label_range\": { \"min\": 100, \"max\": 9999 } },"
		print "  \"vrfs\": ["
		for (i = first; i <= n; i++)
			printf "%s    { \"name\": \"%s\", \"rd\": \"10.255.0.1:%d\", \"import_rts\": [\"65000:%d\"], \"export_rts\": [\"65000:%d\"], \"interfaces\": [ { \"name\": \"ce%d\", \"address\": \"192.168.1.1/24\" } ] }", \
			       (i > first ? ",\n" : ""), (i < n ? "t" i : last), 1000 + i, 1000 + i, 1000 + i, i
		print "\n  ],"
		print "  \"fwd\": { \"mode\": \"pe\", \"workers\": 2,"
		print "           \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] } }"
	}'
}

build_nodes() {
	local i
	t_netns_add pe && t_netns_add ce && t_netns_add ck || return 1
	inns pe ip link set lo up &&
		inns pe ip link add core0 type veth peer name core0p &&
		inns pe ip link set core0 up && inns pe ip link set core0p up || return 1
	for i in $(seq "$N"); do
		inns pe ip link add "ce$i" type veth peer name "cp$i" &&
			inns pe ip link set "ce$i" up || return 1
		[ "$i" = "$N" ] || [ "$i" = "$KEEP" ] || inns pe ip link set "cp$i" up || return 1
	done
	ce_add "$N" ce && ce_add "$KEEP" ck
}
ce_add() { # ce_add I NODE: the peer of link ceI moved to NODE, as tenant I's CE
	inns pe ip link set "cp$1" netns "$(ns "$2")" &&
		inns "$2" ip link set "cp$1" up && inns "$2" ip addr add 192.168.1.2/24 dev "cp$1"
}
start() { # start PROG [ARGS...]
	setsid ip netns exec "$(ns pe)" "$BUILD/$1" -c "$TMP/pe.json" -r "$RUN" "${@:2}" \
		</dev/null >>"$RUN/$1.log" 2>&1 &
	t_track $!
	eval "PID_$1=$!"
}
api() { curl -sf --max-time 10 --unix-socket "$RUN/$1.sock" "http://ferry$2"; }
LINKS=$N # attachment links fwd should have
links_up() {
	[ "$(api fwd /interfaces | jq '[.interfaces[] | select(.role == "access")] |
		"\(length) \([.[] | select(.state == "up")] | length)"')" = "\"$LINKS $LINKS\"" ]
}
ce_ping() { inns "${1:-ce}" ping -n -q -c 1 -W 1 192.168.1.1 >/dev/null 2>&1; }

gen >"$TMP/pe.json"
mkdir -p "$RUN"
if build_nodes && start vrfmgr && start fwd && poll 10 test -S "$RUN/fwd.sock"; then
	ok "$N tenants' links in $(ns pe), vrfmgr and fwd with 2 workers started"
else
	not_ok "$N tenants' links in $(ns pe), vrfmgr and fwd with 2 workers started"
	finish
fi
check "every one of the $N attachment links is open (up), past the 256 the workers once served" \
	poll 60 links_up
note <<<"$(grep -c 'interface open' "$RUN/fwd.log") links opened; $(grep -c 'workers serve only' "$RUN/fwd.log") refused by the workers"
check "tenant $N's CE pings fwd's address on ce$N: a worker receives it, fwd answers" \
	poll 10 ce_ping
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$PID_fwd/status")
check "fwd's resident memory with $N links and 2 workers: $((rss_kb / 1024)) MB, under 2 MB a worker's socket (6 MB once)" \
	eval '[ "$rss_kb" -lt $((2 * N * 2048)) ]'

# Tenant N's link deleted, then made again (a new veth: another ifindex, another
# MAC): fwd's sockets were bound to the old link. It must say the link is down
# meanwhile, and forward on the new one, not stay "up" on a link that is gone.
link_state() { api fwd /interfaces | jq -r --arg n "ce$N" '.interfaces[] | select(.name == $n) | .state'; }
relink() {
	inns pe ip link add "ce$N" type veth peer name "cp$N" &&
		inns pe ip link set "cp$N" netns "$(ns ce)" && inns pe ip link set "ce$N" up &&
		inns ce ip link set "cp$N" up && inns ce ip addr add 192.168.1.2/24 dev "cp$N"
}
inns pe ip link del "ce$N"
check "ce$N deleted: fwd says it is down (it said up, on the link that was gone)" \
	poll 5 eval '[ "$(link_state)" = down ]'
check "... and logs it" grep -q "ce$N: link deleted" "$RUN/fwd.log"
relink || not_ok "ce$N made again"
check "ce$N made again (a new ifindex): fwd opens it, up again" poll 5 eval '[ "$(link_state)" = up ]'
check "... and tenant $N's CE pings fwd's address on the new link (fwd forwarded nothing on it before)" \
	poll 10 ce_ping

# Deleted and made again at once (one ip -batch: a gap of a few ms, fwd's tick
# is once a second): fwd sees the name on another ifindex, not a link gone. It
# must open the new link, and forget the old link's neighbours, on its own.
opened=$(grep -c "ce$N: access interface open" "$RUN/fwd.log")
printf 'link del ce%s\nlink add ce%s type veth peer name cp%s\n' "$N" "$N" "$N" |
	inns pe ip -batch - && inns pe ip link set "cp$N" netns "$(ns ce)" &&
	inns pe ip link set "ce$N" up && inns ce ip link set "cp$N" up &&
	inns ce ip addr add 192.168.1.2/24 dev "cp$N" || not_ok "ce$N replaced"
check "ce$N replaced at once: fwd opens the new link" \
	poll 5 eval '[ "$(grep -c "ce$N: access interface open" "$RUN/fwd.log")" -gt "$opened" ]'
check "... and tenant $N's CE pings fwd's address on it" poll 10 ce_ping
note <<<"fwd saw it as: $(grep -o "ce$N: link [a-z]*" "$RUN/fwd.log" | tail -1)"

# A reload removing tenants 1..K: their K links unbound in one burst of
# vrfmgr's messages, and closed together (io_packet_links.c). Tenant N's VRF
# renamed: its link is unbound and bound again in the same burst, and must
# forward on sockets made after the old ones closed (a fanout group of their
# own). No packet socket of fwd's may stay on a removed link.
socks_on_removed() { # packet sockets in the PE namespace on ce1..ceK (/proc/net/packet's Iface)
	local i idx=" "
	for i in $(seq "$K"); do idx+="$(inns pe cat "/sys/class/net/ce$i/ifindex") "; done
	inns pe awk -v idx="$idx" 'NR > 1 && index(idx, " " $5 " ") { n++ } END { print n + 0 }' /proc/net/packet
}
no_socks_on_removed() { [ "$(socks_on_removed)" = 0 ]; }
before=$(socks_on_removed)
gen "$KEEP" "u$N" >"$TMP/pe.json" && kill -HUP "$PID_vrfmgr"
LINKS=$((N - K))
check "a reload removes t1..t$K: fwd lists the $LINKS links left, all up" poll 30 links_up
check "... the $K removed links' packet sockets are gone ($before there before)" \
	eval '[ "$before" -gt 0 ] && poll 5 no_socks_on_removed'
check "... tenant $KEEP's CE, its tenant untouched, pings fwd's address" poll 10 ce_ping ck
check "... tenant $N's CE pings fwd's address on ce$N, unbound and bound again to VRF u$N" \
	poll 10 ce_ping ce
note <<<"fwd: $(grep -c 'unbound$' "$RUN/fwd.log") links unbound, $(grep -c "ce$N: access interface open" "$RUN/fwd.log") opens of ce$N"

kill -TERM "$PID_fwd"
check "fwd with $LINKS links and 2 workers stops on SIGTERM" poll 30 eval '! t_running "$PID_fwd"'
t_stop "$PID_fwd"
start fwd -o workers=0
check "fwd started again with no workers: every one of the $LINKS links is open (up)" \
	eval 'poll 10 test -S "$RUN/fwd.sock" && poll 60 links_up'
check "... and tenant $N's CE pings fwd's address (fwd's own thread answers)" poll 10 ce_ping
finish
