#!/usr/bin/env bash
# Fault injection on the lab (issue 8): builds its own copy of the lab
# (scripts/lab up --prefix ff<pid>) and, each time with a continuous ping
# host-a1 -> 192.168.101.10 (A1 -> A2, 20 per second), injects:
#   1. kill -9 of pe1's bgpd, restarted the way scripts/lab starts it (a
#      graceful restart: no ping may be lost); then a planned graceful
#      restart of it (scripts/lab restart pe1 bgpd --graceful: SIGUSR1)
#   2. kill -9 of pe1's vrfmgr, started again by scripts/lab restart (which
#      first refused a restart from a config that does not load)
#   3. kill -9 of pe1's fwd, restarted
#   4. the core link pe1 -- p losing carrier (p's end down) and coming back
#   5. pe2's bgpd flapping: kill -9 and restart FLAPS times (default 20; the
#      issue says 200, cut to keep CI time down)
#   6. pe2 disappearing (all its daemons killed)
# and prints, per fault, packets lost and the time from the fault to the
# first answer after the last loss ("# fault: ..." lines, gathered at the
# end). Checks: after each fault the control and data planes come back to
# what they were (sessions, VRF tables, fwd's FIB, no stale routes), the
# time to recover stays bounded, pe1's bgpd RSS stays flat through the
# flaps, and when pe2 is gone its routes leave every VRF and the traffic is
# dropped and counted by pe1's fwd, not sent anywhere.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes the lab (scripts/lab down) and every process it started, also on
# failure or interrupt. Takes about 110 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init faults ff
T_POLL_INTERVAL=0.1
FLAPS=${FERRY_FAULT_FLAPS:-20}
DST=192.168.101.10
PING_PID=""
SUMMARY=()

now() { date +%s.%N; }
summary() {
	local s
	echo "# faults: what was observed (ping $DST from host-a1 every 50 ms)"
	for s in "${SUMMARY[@]}"; do
		echo "# fault: $s"
	done
}
t_at_finish summary

# --- prerequisites and the lab -----------------------------------------------------------
t_prereqs "bgpd vrfmgr fwd ferryctl tools/whoami" "jq curl ping"
t_lab_up "lab up with prefix $PREFIX"
T_LOG_NODES=(pe1 pe2)
T_LOG_LINES=12

state() { api "$1" bgpd /neighbors | jq -r '.neighbors[0].state'; }
established() { [ "$(state pe1)" = Established ] && [ "$(state pe2)" = Established ]; }
uptime_of() { api "$1" bgpd /neighbors | jq -r '.neighbors[0].uptime_s'; }
# What must come back after each fault, as sorted JSON.
vrf_routes() { api "$1" vrfmgr /routes | jq -S '[.routes[] | {vrf, prefix, source, rd, inner_label, outer_label, installed}] | sort_by(.vrf, .prefix, .source)'; }
fib() { api "$1" fwd /fib | jq -S '[.fib[] | del(.nh_id?)] | sort_by(.vrf_id, .prefix)'; }
bgp_routes() { api "$1" bgpd /routes | jq -S '[.routes[] | {rd, prefix, "label": .label, peer, best, stale}] | sort_by(.rd, .prefix, .peer)'; }
remote_in_vrfs() { # remote_in_vrfs NODE: how many BGP routes its VRFs hold
	api "$1" vrfmgr /routes | jq '[.routes[] | select(.source == "bgp")] | length'
}
converged() {
	established && [ "$(remote_in_vrfs pe1)" = 4 ] && [ "$(remote_in_vrfs pe2)" = 4 ] &&
		inns host-a1 ping -n -q -c 1 -W 1 "$DST" >/dev/null
}
snapshot() { # snapshot NAME: the state every fault must give back
	vrf_routes pe1 >"$TMP/$1.vrf1" && vrf_routes pe2 >"$TMP/$1.vrf2" &&
		fib pe1 >"$TMP/$1.fib1" && fib pe2 >"$TMP/$1.fib2" &&
		bgp_routes pe1 >"$TMP/$1.bgp1" && bgp_routes pe2 >"$TMP/$1.bgp2"
}
same_as_before() { # same_as_before: a fresh snapshot equals "base"
	local f
	snapshot now || return 1
	for f in vrf1 vrf2 fib1 fib2 bgp1 bgp2; do
		if ! cmp -s "$TMP/base.$f" "$TMP/now.$f"; then
			echo "# $f differs from before the fault:"
			diff "$TMP/base.$f" "$TMP/now.$f" | head -n 12 | note
			return 1
		fi
	done
}
if poll 60 converged && snapshot base; then
	ok "lab converged: sessions Established, 4 remote routes in each PE's VRFs, A1 -> A2 answers"
else
	not_ok "lab converged: sessions Established, 4 remote routes in each PE's VRFs, A1 -> A2 answers"
	finish
fi

# --- daemons: killed and started again the way scripts/lab starts them ------------------------
pid_of() { cat "$(rundir "$1")/$2.pid"; }
kill9() { # kill9 NODE DAEMON: SIGKILL the lab's process (from its PID file), wait for it to go
	local pid
	pid=$(pid_of "$1" "$2")
	kill -KILL "$pid" 2>/dev/null
	t_wait 5 "$1's $2 (PID $pid) to die of SIGKILL" eval "! t_running $pid"
}
api_up() { api "$1" "$2" / >/dev/null; } # the stale socket file is there already: ask

# --- the ping and its measurement --------------------------------------------------------
ping_start() {
	# not through a shell function: $! must be ping itself (ip netns exec execs), for SIGINT
	ip netns exec "$(ns host-a1)" ping -n -D -O -i 0.05 -W 1 -c 100000 "$DST" \
		>"$TMP/ping.out" 2>&1 &
	PING_PID=$!
	t_track "$PING_PID"
	t_wait 5 "host-a1's ping of $DST to be answered 10 times" \
		eval '[ "$(grep -c "bytes from" "$TMP/ping.out")" -ge 10 ]'
}
last_seq() { sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' "$TMP/ping.out" | sort -n | tail -n 1; }
# ping_settled: 20 answers in a row at the end (1 s of clean traffic)
ping_settled() {
	awk '/bytes from/ { n++ } /no answer yet|Unreachable|exceeded/ { n = 0 } END { exit !(n >= 20) }' "$TMP/ping.out"
}
# ping_stop FAULT_EPOCH: stops the ping; sets LOST (packets without answer), RECOVER
# (seconds from the fault to the first answer after the last loss; 0 when none lost).
# Without ping's summary or any answer, LOST is "unknown" and RECOVER "never": the
# checks on them fail (an empty output made both 0, "no ping lost").
ping_stop() {
	local t0=$1
	t_wait 30 "host-a1's ping to settle (20 answers in a row)" ping_settled
	t_stop "$PING_PID" INT
	PING_PID=""
	read -r sent recv < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
		"$TMP/ping.out")
	LOST=unknown
	[ "${sent:-0}" -gt 0 ] && [ "${recv:-0}" -gt 0 ] && LOST=$((sent - recv))
	[ "$LOST" = unknown ] && RECOVER=never && SENT=${sent:-0} && return
	RECOVER=$(awk -v t0="$t0" '
		/no answer yet|Unreachable|exceeded/ { split($0, a, "icmp_seq="); s = a[2] + 0; if (s > last) last = s }
		/bytes from/ { split($0, a, "icmp_seq="); split(a[2], b, " "); seq[b[1] + 0] = substr($1, 2, length($1) - 2) }
		END {
			if (last == 0) { print "0.0"; exit }
			best = ""
			for (s in seq) if (s + 0 > last && (best == "" || s + 0 < best + 0)) best = s
			if (best == "") { print "never"; exit }
			printf "%.1f\n", seq[best] - t0
		}' "$TMP/ping.out")
	SENT=${sent:-0}
}
record() { # record NAME EXTRA: the summary line of a fault
	SUMMARY+=("$(printf '%-32s %4s of %5s pings lost, traffic back %5s s after the fault%s' \
		"$1" "$LOST" "$SENT" "$RECOVER" "${2:+; $2}")")
}
recovered_within() { # recovered_within SECONDS
	[ "$RECOVER" != never ] && awk -v r="$RECOVER" -v m="$1" 'BEGIN { exit !(r <= m) }'
}

# --- 1. kill -9 of pe1's bgpd ---------------------------------------------------------------
ping_start
t0=$(now)
kill9 pe1 bgpd
fib_kept() { api pe1 fwd /fib | jq -e '[.fib[] | select(.prefix == "192.168.101.0/24")] | length == 2' >/dev/null; }
vrf_kept() { [ "$(remote_in_vrfs pe1)" = 4 ]; }
check "bgpd killed: pe1's fwd and vrfmgr keep pe2's routes meanwhile" eval 'fib_kept && vrf_kept'
# graceful restart: pe2 keeps pe1's routes, marked stale, until pe1's End-of-RIB
pe2_keeps() {
	api pe2 bgpd /routes | jq -e '[.routes[] | select(.peer == "10.255.0.1")] |
		length > 0 and all(.stale)' >/dev/null
}
check "bgpd killed: pe2 keeps pe1's routes, stale, while pe1's bgpd is away (graceful restart)" \
	poll 5 pe2_keeps
status_says() { # status_says CODE: scripts/lab status exits CODE, naming pe1's bgpd when 1
	scripts/lab status --prefix "$PREFIX" >"$TMP/status.out" 2>&1
	local rc=$?
	[ "$rc" = "$1" ] || { note <"$TMP/status.out"; return 1; }
	[ "$1" = 0 ] || grep -qx "lab: warning: not running: $(ns pe1) bgpd" "$TMP/status.out"
}
check "bgpd killed: scripts/lab status says so and exits 1 (it exited 0, and called a zombie not yet reaped running)" status_says 1
lab_start pe1 bgpd
t_wait 20 "the session pe1-pe2 back Established after pe1's bgpd restarted" established
t_up=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
restarted() { # pe1's bgpd said R and F, and ended its deferral on pe2's End-of-RIB
	local log
	log=$(cat "$(rundir pe1)/bgpd.log")
	grep -q "graceful restart: bgpd restarted with fwd's forwarding state kept" <<<"$log" &&
		grep -q "graceful restart: every neighbor sent End-of-RIB" <<<"$log" &&
		api pe1 bgpd /neighbors | jq -e '.restart.graceful and (.restart.deferring | not)' >/dev/null
}
check "bgpd killed: it came back as a graceful restart and ended it on pe2's End-of-RIB" \
	poll 10 restarted
ping_stop "$t0"
record "kill -9 bgpd (pe1)" "session back ${t_up} s after"
check "bgpd killed: session back, routes replayed, stale swept, state as before (${t_up} s)" \
	poll 15 same_as_before
check "bgpd back: scripts/lab status exits 0 again" status_says 0
check "bgpd killed: no ping lost ($LOST of $SENT): both PEs forwarded on through the restart" \
	test "$LOST" -eq 0

# --- 1b. a planned graceful restart of pe1's bgpd (scripts/lab restart --graceful: SIGUSR1) -------
since() { tail -n "+$(($2 + 1))" "$(rundir "$1")/bgpd.log"; } # since NODE LINE: bgpd's log after it
m1=$(wc -l <"$(rundir pe1)/bgpd.log")
m2=$(wc -l <"$(rundir pe2)/bgpd.log")
ping_start
t0=$(now)
check "planned restart: scripts/lab restart pe1 bgpd --graceful stops it with SIGUSR1 and starts it again" \
	eval 'scripts/lab restart pe1 bgpd --graceful --prefix "$PREFIX" | grep -c "restarted (PID [0-9]*), gracefully" >/dev/null'
planned_gr() { # pe1 stopped without NOTIFICATION, pe2 kept its routes, pe1 came back graceful
	since pe1 "$m1" | grep -c "stopping for a graceful restart: no NOTIFICATION" >/dev/null &&
		since pe1 "$m1" | grep -c "stopped for a graceful restart" >/dev/null &&
		since pe1 "$m1" | grep -c "graceful restart: bgpd restarted with fwd's forwarding state kept" >/dev/null &&
		since pe2 "$m2" | grep -c "peer 10.255.0.1: session down (.*), graceful restart: [0-9]* routes\? kept stale" >/dev/null &&
		! since pe2 "$m2" | grep -c "peer 10.255.0.1: .*NOTIFICATION" >/dev/null &&
		api pe1 bgpd /neighbors | jq -e '.restart.graceful and (.restart.deferring | not)' >/dev/null
}
check "planned restart: no NOTIFICATION, pe2 kept pe1's routes stale, pe1 back as a graceful restart" \
	poll 20 planned_gr
ping_stop "$t0"
record "planned restart bgpd (pe1)"
check "planned restart: state as before" poll 15 same_as_before
check "planned restart: no ping lost ($LOST of $SENT)" test "$LOST" -eq 0

# --- 2. kill -9 of pe1's vrfmgr -----------------------------------------------------------------
# A restart from a file the new daemon would refuse is refused before the
# running one is stopped (it stopped it, then the new one died: a PE
# without vrfmgr, and restart would not start a daemon that was not running).
mkdir -p "$TMP/labcfg"
cp configs/lab/*.json "$TMP/labcfg/"
jq '.vrfs[0].rd = "65000"' configs/lab/pe1.json >"$TMP/labcfg/pe1.json"
restart_refused() {
	local pid out rc
	pid=$(pid_of pe1 vrfmgr)
	out=$(FERRY_LAB_CONFIGS=$TMP/labcfg scripts/lab restart pe1 vrfmgr --prefix "$PREFIX" 2>&1)
	rc=$?
	[ $rc = 1 ] && [ "$(pid_of pe1 vrfmgr)" = "$pid" ] && t_running "$pid" &&
		grep -qF "restart refused, vrfmgr keeps running as it is: pe1.json: vrfs[0].rd (VRF A): \"65000\"" <<<"$out" &&
		return 0
	echo "# scripts/lab restart: exit $rc, vrfmgr PID $pid -> $(pid_of pe1 vrfmgr)"
	note <<<"$out"
	return 1
}
check "scripts/lab restart with a config that does not load: refused naming file and field, exit 1, vrfmgr left running" \
	restart_refused
ping_start
t0=$(now)
replays=$(grep -c "replay from vrfmgr started" "$(rundir pe1)/fwd.log")
kill9 pe1 vrfmgr
up1=$(uptime_of pe1)
check "scripts/lab restart of a vrfmgr that is not running (killed) starts it" eval \
	'scripts/lab restart pe1 vrfmgr --prefix "$PREFIX" | grep -c "vrfmgr was not running; started (PID [0-9]*)" >/dev/null'
fwd_replayed() { [ "$(grep -c "replay from vrfmgr started" "$(rundir pe1)/fwd.log")" -gt "$replays" ]; }
t_wait 20 "pe1's fwd to be replayed by the restarted vrfmgr" fwd_replayed
ping_stop "$t0"
record "kill -9 vrfmgr (pe1)"
check "vrfmgr killed: at most 5 pings lost ($LOST of $SENT)" test "$LOST" -le 5
check "vrfmgr killed: fwd replayed, FIB, VRFs and BGP as before, session not reset" \
	eval 'poll 15 same_as_before && [ "$(uptime_of pe1)" -ge "$up1" ]'

# --- 3. kill -9 of pe1's fwd ----------------------------------------------------------------------
ping_start
t0=$(now)
kill9 pe1 fwd
verify_without_fwd() { # the checks that need no fwd still run; the verdict is incomplete, exit 1
	local out rc
	out=$("$CTL" -r "$PREFIX-pe1" verify --once 2>&1)
	rc=$?
	[ $rc = 1 ] && grep -q '^bgpd -> vrfmgr .* compared, ok$' <<<"$out" &&
		grep -q '^vrfmgr -> fwd FIB .*not checked: fwd could not be asked' <<<"$out" &&
		grep -q '^verify: incomplete: fwd not asked' <<<"$out" && return 0
	echo "# ferryctl verify: exit $rc"
	note <<<"$out"
	return 1
}
check "fwd killed: ferryctl verify still checks bgpd and vrfmgr, says fwd was not asked, exit 1" \
	verify_without_fwd
lab_start pe1 fwd
t_wait 10 "pe1's restarted fwd to answer on its API" api_up pe1 fwd
ping_stop "$t0"
record "kill -9 fwd (pe1)"
check "fwd killed and restarted: traffic back within 10 s ($LOST lost, back after $RECOVER s)" \
	recovered_within 10
check "fwd killed: its FIB replayed from vrfmgr, as before" poll 10 same_as_before

# --- 4. the core link loses carrier ----------------------------------------------------------------
ping_start
up1=$(uptime_of pe1)
t0=$(now)
inns p ip link set to-pe1 down
lost_some() { [ "$(grep -cE 'no answer yet|Unreachable|exceeded' "$TMP/ping.out")" -ge 20 ]; } # a second without
t_wait 10 "host-a1's ping to lose a second's answers with the core link down" lost_some
inns p ip link set to-pe1 up
# The lab's static kernel route through the link stands in for an IGP: put it back.
inns p ip route replace 10.255.0.1/32 via 10.0.1.1 dev to-pe1
t_link=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
ping_stop "$t0"
record "core link pe1-p down ${t_link} s" "includes the outage itself"
check "core link down ${t_link} s and up: traffic back within $(awk -v t="$t_link" 'BEGIN { print int(t) + 5 }') s of the fault ($LOST lost, back after $RECOVER s)" \
	recovered_within "$(awk -v t="$t_link" 'BEGIN { print int(t) + 5 }')"
check "core link: the BGP session rode it out (uptime not reset), state as before" \
	eval '[ "$(uptime_of pe1)" -ge "$up1" ] && poll 10 same_as_before'

# --- 5. pe2's bgpd flapping ------------------------------------------------------------------------
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$(pid_of pe1 bgpd)/status"; }
flap() { # a kill, and the restart through to its End-of-RIB (a graceful restart ends there)
	local eors
	eors=$(eor_lines | wc -l)
	kill9 pe2 bgpd
	t_wait 10 "pe1 to see the session down after pe2's bgpd was killed" \
		eval '[ "$(state pe1)" != Established ]' || return 1
	lab_start pe2 bgpd
	t_wait 20 "the session pe1-pe2 back Established after pe2's bgpd restarted" established &&
		t_wait 10 "pe1 to get pe2's End-of-RIB after its restart" \
			eval '[ "$(eor_lines | wc -l)" -gt "$eors" ]'
}
eor_lines() { grep "peer 10.255.0.2: End-of-RIB, " "$(rundir pe1)/bgpd.log"; }
eors_before=$(eor_lines | wc -l)
ping_start
t0=$(now)
for _ in 1 2 3; do flap; done # warm-up: first allocations settle
rss0=$(rss)
t_flap=$SECONDS
flapped=0
for _ in $(seq $((FLAPS - 3))); do
	flap || break
	flapped=$((flapped + 1))
done
t_flap=$((SECONDS - t_flap))
rss1=$(rss)
t_wait 20 "pe1 and pe2 to converge after the flaps" converged
ping_stop "$t0"
record "pe2 bgpd flapped $FLAPS times" "pe1 bgpd RSS ${rss0} -> ${rss1} kB"
check "pe2's bgpd killed and restarted $FLAPS times, pe1 saw each come back ($((flapped + 3)) in ${t_flap} s + warm-up)" \
	test "$flapped" -eq $((FLAPS - 3))
check "pe1's bgpd RSS flat over $((FLAPS - 3)) flaps: ${rss0} -> ${rss1} kB (at most +256 kB)" \
	test "$((rss1 - rss0))" -le 256
check "after the flaps: no stale routes, VRFs, FIBs and BGP as before" poll 15 same_as_before
downs_counted() { # every flap ended an Established session, counted for Prometheus
	local n
	n=$(api pe1 bgpd /metrics | sed -n 's/^ferry_bgp_session_downs_total{neighbor="10.255.0.2"[^}]*} //p')
	echo "pe1: ferry_bgp_session_downs_total for pe2 = ${n:-none}"
	[ "${n:-0}" -ge "$FLAPS" ]
}
check "pe1 counts each of pe2's session ends (ferry_bgp_session_downs_total >= $FLAPS)" downs_counted
# pe2's bgpd comes up before vrfmgr has replayed to it: its End-of-RIB must
# still follow pe2's own routes, never announce an empty table as complete.
eor_after_routes() {
	local want n
	want=$(api pe1 bgpd /neighbors | jq '.neighbors[0].prefixes_received')
	n=$(eor_lines | tail -n +"$((eors_before + 1))" | grep -cE "End-of-RIB, $want routes?$")
	echo "pe1: End-of-RIB from pe2 after all $want of its routes in $n of $FLAPS restarts"
	[ "$want" -gt 0 ] && [ "$n" = "$FLAPS" ] &&
		[ "$(eor_lines | tail -n +"$((eors_before + 1))" | wc -l)" = "$FLAPS" ]
}
check "each restart of pe2's bgpd: its End-of-RIB came after all its routes" eor_after_routes

# --- 6. pe2 disappears -------------------------------------------------------------------------------
drops() { api pe1 fwd /counters | jq '[.drops[]] | add'; }
tx_of() { api pe1 fwd /counters | jq --arg i "$1" '.interfaces[] | select(.name == $i) | .tx_packets'; }
ping_start
t0=$(now)
for d in bgpd vrfmgr fwd; do kill9 pe2 "$d"; done
gone() {
	[ "$(remote_in_vrfs pe1)" = 0 ] &&
		api pe1 fwd /fib | jq -e '[.fib[] | select(.prefix == "192.168.101.0/24")] | length == 0' >/dev/null
}
# pe1 keeps them for pe2's graceful restart time (10 s in the lab's configs), then drops them
if poll 25 gone; then
	t_gone=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	ok "pe2 gone: its routes left VRFs A and B on pe1 and pe1's FIB within ${t_gone} s (restart time 10 s)"
else
	t_gone=never
	not_ok "pe2 gone: its routes left VRFs A and B on pe1 and pe1's FIB (restart time 10 s)"
	api pe1 vrfmgr /routes | jq -c '.routes[] | select(.source == "bgp")' | note
fi
down_since_shown() { # pe1 shows how long the session to pe2 has been down (not "never")
	api pe1 bgpd /neighbors |
		jq -e '.neighbors[0] | .state != "Established" and .uptime_s == 0 and
			(.state_s | type) == "number"' >/dev/null &&
		"$CTL" -r "$PREFIX-pe1" show bgp neighbors | grep -Ec '^10\.255\.0\.2 .* [0-9]{2}:[0-9]{2}:[0-9]{2} ' >/dev/null
}
check "pe2 gone: pe1 shows the session down for a time (state_s, UP/DOWN), not never up" down_since_shown
icmp_sent() { api pe1 fwd /counters | jq '.icmp_errors.sent'; }
d0=$(drops) core0=$(tx_of core0) ceb=$(tx_of ce-b1) cea=$(tx_of ce-a1) i0=$(icmp_sent)
n0=$(last_seq)
t_wait 10 "host-a1 to send 60 more pings (3 s into the void)" \
	eval '[ $(( $(last_seq) - n0 )) -ge 60 ]'
n1=$(last_seq)
d1=$(drops) core1=$(tx_of core0) ceb1=$(tx_of ce-b1) cea1=$(tx_of ce-a1) i1=$(icmp_sent)
t_stop "$PING_PID" INT
PING_PID=""
sent=$((n1 - n0))
LOST=$sent SENT=$sent RECOVER=-
record "pe2 disappears" "routes gone after ${t_gone} s; then $sent pings: $((d1 - d0)) drops counted by pe1's fwd, core0 tx +$((core1 - core0)), ce-b1 tx +$((ceb1 - ceb)), ce-a1 tx +$((cea1 - cea))"
# counted: the 60 pings were sent and every counter read (an empty one counts as 0 in $((...)))
numbers() { local v; for v in "$@"; do [[ $v =~ ^[0-9]+$ ]] || return 1; done; }
counted() { [ "$sent" -ge 60 ] && numbers "$d0" "$d1" "$core0" "$core1" "$ceb" "$ceb1" "$cea" "$cea1" "$i0" "$i1"; }
check "pe2 gone: the $sent pings sent since are dropped and counted by pe1's fwd ($((d1 - d0)) drops)" \
	eval 'counted && [ $((d1 - d0)) -ge "$sent" ]'
check "pe2 gone: none of them leaves pe1 (core0 tx +$((core1 - core0)), ce-b1 tx +$((ceb1 - ceb)))" \
	eval 'counted && [ $((core1 - core0 + ceb1 - ceb)) -eq 0 ]'
# what goes back to ce-a1 is the network unreachable each ping gets (and ARP)
check "pe2 gone: host-a1 hears network unreachable for each (ICMP errors +$((i1 - i0)), ce-a1 tx +$((cea1 - cea)))" \
	eval 'counted && [ $((i1 - i0)) -ge "$sent" ] && [ $((cea1 - cea)) -le $((i1 - i0 + 5)) ]'
finish
