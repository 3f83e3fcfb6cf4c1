#!/usr/bin/env bash
# A multi-tenant PE's reload at scale, as an operator does it: one namespace
# "<prefix>-pe" (default prefix vs<pid>) with vrfmgr, fwd and bgpd (no
# neighbors) on a generated config of 500 VRFs, every tenant on the same
# 192.168.1.0/24 attachment subnet and the same handful of 192.168.x.0/24
# static prefixes (their attachment interfaces need not exist: fwd holds
# them, down). One SIGHUP then changes 275 VRFs at once:
#  - 100 new VRFs, listed first, 100 removed (the new ones take their ids),
#    50 renamed (same interface and RD), 50 with a new RD (re-created),
#    25 given the RT of the next (25 pairs that leak each other's static route), 10
#    trading attachment interfaces, 40 with another static route;
# and a second SIGHUP goes back to the first file. Checks:
#  - vrfmgr's /events: a vrf event per VRF added or removed, interface events
#    for the links bound and unbound;
#  - the reload's log: its counts, one line per VRF (not per route), well
#    under a second; the "N messages to fwd" it gives is what vrfmgr sent
#    fwd (its metrics), the FIB changes it holds back to group included;
#  - ferryctl verify: bgpd's exports, vrfmgr's tables and fwd's FIB and LFIB
#    agree; fwd holds exactly 500 VRFs, the expected FIB and LFIB sizes,
#    nothing of a removed VRF (no FIB entry, no label, its interface
#    not listed), a renamed VRF's interface in it, traded interfaces where
#    they went;
#  - leaking only between the paired tenants (and fwd's lookups agree);
#  - the 50 re-created with a new RD are other VRFs: new labels, the old
#    ones held down and retired (never theirs again);
#  - back to the first file: no leaked route left, and the VRFs that come
#    back (removed or renamed, same RD) get their labels back from the
#    hold-down; the 50 re-created again (their first RD back) get new labels
#    again, neither of the two generations before them.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespace, run directory, processes it
# started, by PID), also on failure or interrupt. Takes a few seconds.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init vrfscale vs "vrf scale"
RUN=$(rundir pe)
T_RM=("$RUN")
T_LOG_NODES=(pe)
T_LOG_LINES=20
N=500

t_prereqs "bgpd vrfmgr fwd ferryctl" "jq curl awk"

# --- the config generator ------------------------------------------------------------
# gen base|changed: the file on stdout. VRF tN: RD 10.255.0.1:(1000+N), RT
# 65000:(1000+N), interface ceN 192.168.1.1/24, a static route to
# 192.168.(100 + N % 100).0/24 via the CE 192.168.1.2. "changed" applies the
# changes listed at the top of this file.
gen() {
	awk -v n="$N" -v mode="$1" '
	function vrf(name, rd, rt, ifn, stat) {
		printf "%s    { \"name\": \"%s\", \"rd\": \"10.255.0.1:%d\", \"import_rts\": [\"65000:%d\"],\n" \
		       "      \"export_rts\": [\"65000:%d\"],\n" \
		       "      \"interfaces\": [ { \"name\": \"%s\", \"address\": \"192.168.1.1/24\" } ],\n" \
		       "      \"static_routes\": [ { \"prefix\": \"%s\", \"next_hop\": \"192.168.1.2\" } ] }",
		       sep, name, rd, rt, rt, ifn, stat
		sep = ",\n"
	}
	BEGIN {
		print "{ \"router\": { \"name\": \"pe\", \"router_id\": \"10.255.0.1\", \"asn\": 65000,"
		print "              \"label_range\": { \"min\": 100, \"max\": 1999 } },"
		print "  \"bgp\": { \"listen\": \"10.255.0.1\", \"neighbors\": [] },"
		print "  \"vrfs\": ["
		if (mode == "changed")
			for (i = 1; i <= 100; i++)
				vrf("n" i, 5000 + i, 5000 + i, "nce" i, "192.168.1" (i % 10) ".0/24")
		for (i = 1; i <= n; i++) {
			name = "t" i; rd = 1000 + i; rt = 1000 + i; ifn = "ce" i
			stat = "192.168." (100 + i % 100) ".0/24"
			if (mode == "changed") {
				if (i <= 100) continue
				if (i <= 150) name = "r" i
				else if (i <= 200) rd = 2000 + i
				else if (i <= 250) { if (i % 2 == 1) rt = 1000 + i + 1 }
				else if (i <= 260) ifn = "ce" (i % 2 == 1 ? i + 1 : i - 1)
				else if (i <= 300) stat = "172.16." i % 256 ".0/24"
			}
			vrf(name, rd, rt, ifn, stat)
		}
		print "\n  ],"
		print "  \"lsps\": [ { \"fec\": \"10.255.0.2/32\", \"out_label\": 16, \"next_hop\": \"10.0.1.2\","
		print "              \"interface\": \"core0\" } ],"
		print "  \"fwd\": { \"mode\": \"pe\", \"rx_ring\": \"frames\","
		print "           \"core_interfaces\": [ { \"name\": \"core0\", \"address\": \"10.0.1.1/30\" } ] } }"
	}'
}

# --- the node and its daemons --------------------------------------------------------------
build_node() {
	t_netns_add pe || return 1
	inns pe sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	inns pe ip link set lo up &&
		inns pe ip addr add 10.255.0.1/32 dev lo &&
		inns pe ip link add core0 type veth peer name core0p &&
		inns pe ip link set core0 up && inns pe ip link set core0p up &&
		inns pe ip addr add 10.0.1.1/30 dev core0
}
start() { # start PROG: PID in PID_<prog>
	setsid ip netns exec "$(ns pe)" "$BUILD/$1" -c "$TMP/pe.json" -r "$RUN" \
		</dev/null >>"$RUN/$1.log" 2>&1 &
	t_track $!
	eval "PID_$1=$!"
}
start_daemons() {
	local d
	mkdir -p "$RUN"
	for d in vrfmgr fwd bgpd; do
		start "$d"
	done
	for d in vrfmgr fwd bgpd; do
		poll 10 test -S "$RUN/$d.sock" || return 1
	done
}
api() { curl -sf --max-time 10 --unix-socket "$RUN/$1.sock" "http://ferry$2"; } # api DAEMON PATH
verify() { "$CTL" -r "$PREFIX-pe" verify >"$TMP/verify.out" 2>&1; }
VLOG=$RUN/vrfmgr.log
# hup FILE: the config becomes FILE, SIGHUP to vrfmgr, wait for its "reload done"
hup() {
	local n
	n=$(grep -c -e "reload done" -e "reload refused" "$VLOG")
	cp "$1" "$TMP/pe.json"
	kill -HUP "$PID_vrfmgr"
	t_wait 10 "vrfmgr to log the reload's end (done or refused) after SIGHUP ($1)" \
		eval '[ "$(grep -c -e "reload done" -e "reload refused" "$VLOG")" -gt '"$n"' ]'
}
fwd_sent() { # vrfmgr's count of messages sent to fwd, all types
	api vrfmgr /metrics | awk '/^ferry_vrfmgr_fwd_messages_sent_total/ { s += $2 } END { print s + 0 }'
}
fib_size() { api fwd /fib | jq '.fib | length'; }
fwd_vrfs() { api fwd /fib | jq '[.fib[].vrf] | unique | length'; }
# routes VRF: "PREFIX SOURCE INSTALLED" per candidate, from vrfmgr
routes() { api vrfmgr "/routes?vrf=$1" | jq -r '.routes[] | "\(.prefix) \(.source) \(.installed)"'; }
# found VRF ADDRESS: fwd's own lookup finds a route
found() { api fwd "/lookup?vrf=$1&address=$2" | jq -e '.found' >/dev/null; }
label_of() { api vrfmgr "/vrfs?vrf=$1" | jq -r '.vrfs[0].label'; }
# retired L: vrfmgr holds label L down, retired (a VRF re-created with another RD had it)
retired() { api vrfmgr /labels | jq -e --argjson l "$1" 'any(.labels[]; .label == $l and .action == "held" and .retired)' >/dev/null; }

gen base >"$TMP/base.json"
gen changed >"$TMP/changed.json"
cp "$TMP/base.json" "$TMP/pe.json"
if build_node && start_daemons && poll 10 verify; then
	ok "$N VRFs up (vrfmgr, fwd, bgpd in $(ns pe)), verify consistent"
else
	not_ok "$N VRFs up (vrfmgr, fwd, bgpd in $(ns pe)), verify consistent"
	note <"$TMP/verify.out"
	finish
fi
# verify can be consistent before fwd has tried the links: no warning yet, so ask until it has
links_warned() {
	verify && grep -q "^vrfmgr -> fwd links  $N compared, ok, $N warnings\$" "$TMP/verify.out" &&
		grep -q "^  ce1: warning: VRF t1 binds it, fwd has it down (the link is missing" "$TMP/verify.out" &&
		grep -q "^verify: consistent ($N warnings)\$" "$TMP/verify.out"
}
check "ferryctl verify warns that fwd cannot open the $N tenants' links (absent here), and stays consistent" \
	poll 10 links_warned
check "fwd holds $N VRFs, $((2 * N)) FIB entries (connected + static each), $N labels" \
	eval '[ "$(fwd_vrfs)" = "$N" ] && [ "$(fib_size)" = $((2 * N)) ] &&
		[ "$(api fwd /lfib | jq ".lfib | length")" = "$N" ]'
check "vrfmgr's start: one log line per VRF, not per route ($(wc -l <"$VLOG") lines)" \
	eval '[ "$(wc -l <"$VLOG")" -le $((N + 30)) ]'
# the tenants' links do not exist here: fwd says so once a link, not at each retry (1/s)
absent_told() { grep -c "$1: no such interface here: fwd opens it when it appears" "$RUN/fwd.log"; }
declare -A LABEL0
for v in t1 t100 t101 t151; do
	LABEL0[$v]=$(label_of "$v")
done

check "fwd warns of each absent link once: ce1 and ce$N once each (after $(grep -c 'no such interface' "$RUN/fwd.log") warnings for $N links)" \
	eval 'poll 5 eval "[ \"\$(absent_told ce$N)\" = 1 ]" && [ "$(absent_told ce1)" = 1 ] &&
		[ "$(grep -c "no such interface here" "$RUN/fwd.log")" = "$N" ]'

# --- one reload changes 275 VRFs ---------------------------------------------------------
lines0=$(wc -l <"$VLOG")
sent0=$(fwd_sent)
ev_seq() { api vrfmgr /metrics | awk '$1 == "ferry_api_events_sequence" { print $2 }'; }
ev0=$(ev_seq)
hup "$TMP/changed.json"
done_line=$(grep "reload done" "$VLOG" | tail -n 1)
note <<<"$done_line"
check "the reload is done and counted: 200 VRFs added (100 new, 50 renamed, 50 new RD), 200 removed, 75 changed" \
	grep -q "reload done: 200 VRFs added, 200 removed, 75 changed, " <<<"$done_line"
# One line per VRF added, removed or changed, one per VRF re-created on its predecessor's
# labels (50), the SIGHUP and the summary.
rl_lines=$(($(wc -l <"$VLOG") - lines0))
check "the reload logs one line per VRF, not per route ($rl_lines lines for 475 VRF changes and 50 re-created)" \
	eval '[ "$rl_lines" -le 560 ]'
ms() { sed -E 's/^[0-9-]+T([0-9]+):([0-9]+):([0-9.]+) .*/\1 \2 \3/' | awk '{ printf "%d", ($1 * 3600 + $2 * 60 + $3) * 1000 }'; }
t_hup=$(grep "SIGHUP: reloading" "$VLOG" | tail -n 1 | ms)
t_done=$(ms <<<"$done_line")
check "the reload took under a second ($((t_done - t_hup)) ms)" \
	eval '[ $((t_done - t_hup)) -lt $((1000 * ${FERRY_TEST_TIMEOUT_SCALE:-1})) ]'
n_log=$(sed -E 's/.*; ([0-9]+) messages? to fwd.*/\1/' <<<"$done_line")
check "the messages to fwd it logs ($n_log) are what vrfmgr sent fwd (metrics: +$(($(fwd_sent) - sent0)))" \
	eval '[ "$n_log" = $(($(fwd_sent) - sent0)) ]'

# vrfmgr's /events since before the reload: what fwd was told, VRFs and links included
# (the last "data:" of each event is enough: every event is one line of JSON)
n_ev=$(($(ev_seq) - ev0))
api vrfmgr "/events?since=$ev0&limit=$n_ev" >"$TMP/events.txt"
ev_count() { # ev_count EVENT JQ-FILTER: how many EVENT events the filter keeps
	awk -v e="$1" '/^event: / { t = $2 } /^data: / && t == e { sub(/^data: /, ""); print }' \
		"$TMP/events.txt" | jq -c "select($2)" | wc -l
}
events_ok() {
	[ "$(ev_count vrf '.action == "add"')" = 200 ] && [ "$(ev_count vrf '.action == "del"')" = 200 ] &&
		[ "$(ev_count vrf '.action == "add" and .vrf == "n1"')" = 1 ] &&
		[ "$(ev_count interface '.action == "bind" and .interface == "nce1" and .vrf == "n1"')" = 1 ] &&
		[ "$(ev_count interface '.action == "unbind" and .interface == "ce1" and .vrf == "t1"')" = 1 ] &&
		[ "$(ev_count interface '.action == "bind" and .interface == "ce251" and .vrf == "t252"')" = 1 ]
}

check "vrfmgr's /events show the reload's VRFs (200 add, 200 del) and links (nce1 bound to n1, ce1 unbound from t1, ce251 to t252): $n_ev events" \
	events_ok
check "ferryctl verify: bgpd, vrfmgr and fwd agree after the reload" poll 10 verify
note <"$TMP/verify.out"
# 500 VRFs, 2 routes each, plus one leaked static in each of the 50 paired VRFs
check "fwd holds $N VRFs and $((2 * N + 50)) FIB entries, $N LFIB entries (removed VRFs' labels held, not programmed)" \
	eval '[ "$(fwd_vrfs)" = "$N" ] && [ "$(fib_size)" = $((2 * N + 50)) ] &&
		[ "$(api fwd /lfib | jq ".lfib | length")" = "$N" ]'
check "nothing of a removed VRF in fwd: no FIB entry or label of t1..t100 or the old names, ce1 gone" \
	eval 'api fwd /fib | jq -e "all(.fib[]; .vrf | test(\"^t([1-9][0-9]?|100|1[0-4][0-9]|150)$\") | not)" >/dev/null &&
		api fwd /lfib | jq -e "all(.lfib[]; (.vrf // \"\") | test(\"^t([1-9][0-9]?|100)$\") | not)" >/dev/null &&
		api fwd /interfaces | jq -e "all(.interfaces[]; .name != \"ce1\")" >/dev/null'
check "the new VRFs took the removed ones' ids (n1: id $(api vrfmgr /vrfs?vrf=n1 | jq .vrfs[0].id)) and only their own interfaces" \
	eval 'api vrfmgr /vrfs?vrf=n1 | jq -e ".vrfs[0].id <= 100" >/dev/null &&
		api fwd /interfaces | jq -e "[.interfaces[] | select(.vrf == \"n1\") | .name] == [\"nce1\"]" >/dev/null'
# A re-created VRF may be another tenant behind the old name: remote PEs may still send the
# old one's traffic with its label, so that label must not go to the new VRF.
LABEL1_t151=$(label_of t151)
check "a VRF re-created with a new RD (t151) has a new label ($LABEL1_t151), its old one ${LABEL0[t151]} held down, retired" \
	eval '[ "$LABEL1_t151" != "${LABEL0[t151]}" ] && [ "$LABEL1_t151" != null ] && retired "${LABEL0[t151]}"'
check "a renamed VRF (r101) holds its interface ce101; a re-created one (t151) its ce151" \
	eval 'api fwd /interfaces | jq -e "any(.interfaces[]; .name == \"ce101\" and .vrf == \"r101\") and
		any(.interfaces[]; .name == \"ce151\" and .vrf == \"t151\")" >/dev/null'
check "traded interfaces are where they went (ce251 in t252, ce252 in t251)" \
	eval 'api fwd /interfaces | jq -e "any(.interfaces[]; .name == \"ce251\" and .vrf == \"t252\") and
		any(.interfaces[]; .name == \"ce252\" and .vrf == \"t251\")" >/dev/null'
check "paired tenants leak each other's static: t201 has t202's 192.168.102.0/24 (leaked, installed), fwd finds it" \
	eval 'routes t201 | grep -cx "192.168.102.0/24 leaked true" >/dev/null && found t201 192.168.102.1'
check "an unpaired tenant has only its own routes: t300 (2 routes), fwd finds no t301 prefix in it" \
	eval '[ "$(routes t300 | wc -l)" = 2 ] && ! found t300 192.168.101.1 && found t300 172.16.44.1'

# --- and back ------------------------------------------------------------------------------
dones=$(grep -c "reload done" "$VLOG")
hup "$TMP/base.json"
note <<<"$(grep "reload done" "$VLOG" | tail -n 1)"
# a new "reload done": the last one before it says the same (200 added, 200 removed, 75 changed)
check "back to the first file: reload done, ferryctl verify consistent" \
	eval '[ "$(grep -c "reload done" "$VLOG")" -gt "$dones" ] &&
		grep "reload done" "$VLOG" | tail -n 1 | grep -c "200 VRFs added, 200 removed, 75 changed" >/dev/null && poll 10 verify'
check "fwd holds $N VRFs, $((2 * N)) FIB entries again: no leaked route left behind" \
	eval '[ "$(fwd_vrfs)" = "$N" ] && [ "$(fib_size)" = $((2 * N)) ] &&
		[ "$(routes t201 | wc -l)" = 2 ] && ! found t201 192.168.102.1'
check "VRFs back within the hold-down with their RD get their labels back (t1 ${LABEL0[t1]}, t100 ${LABEL0[t100]}, t101 ${LABEL0[t101]})" \
	eval '[ "$(label_of t1)" = "${LABEL0[t1]}" ] && [ "$(label_of t100)" = "${LABEL0[t100]}" ] &&
		[ "$(label_of t101)" = "${LABEL0[t101]}" ]'
# t151 changed its RD twice: both labels it had are retired until their hold-down ends
check "t151, re-created again, has a third label ($(label_of t151)): ${LABEL0[t151]} and $LABEL1_t151 held down, retired" \
	eval 'l=$(label_of t151); [ "$l" != null ] && [ "$l" != "${LABEL0[t151]}" ] && [ "$l" != "$LABEL1_t151" ] &&
		retired "${LABEL0[t151]}" && retired "$LABEL1_t151"'
check "the new VRFs are gone from fwd, their interfaces too" \
	eval 'api fwd /fib | jq -e "all(.fib[]; .vrf | startswith(\"n\") | not)" >/dev/null &&
		api fwd /interfaces | jq -e "all(.interfaces[]; .name | startswith(\"nce\") | not)" >/dev/null'
finish
