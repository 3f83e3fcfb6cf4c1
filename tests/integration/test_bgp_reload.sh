#!/usr/bin/env bash
# bgpd's config reload (SIGHUP) on real daemons, on a topology of its own:
# one namespace "<prefix>-r" (default prefix br<pid>) whose loopback holds
#
#   dut (bgpd, 10.79.0.1)   by (bgpd, 10.79.0.2)   raw (tests/tools/bgp_raw, 10.79.0.3)
#
# dut and by peer with each other from the start; raw is not in dut's config.
# dut's config is a copy the test edits, then `kill -HUP` (dut's PID, which
# the test started). Checks, through ferryctl / the JSON API and dut's log:
#  - neighbor added: raw is in /neighbors, its session comes up, its route is
#    reflected to by;
#  - neighbor removed: raw gets NOTIFICATION 6/3, by loses raw's route, raw
#    leaves /neighbors;
#  - neighbor changed (by gets a max_prefix): by receives 6/6 and comes back
#    Established with the new setting;
#  - a file that does not load, and a new AS (needs a restart), are refused
#    with the log line naming file and field, nothing changed;
#  - by's session was never reset by the add/remove/refused reloads.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespace, run directories, processes it
# started, by PID), also on failure or interrupt. Takes about 20 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init bgpreload br "bgp reload"
RAW=$BUILD/tools/bgp_raw
DUT_RUN=$(rundir dut)
BY_RUN=$(rundir by)
T_RM=("$DUT_RUN" "$BY_RUN")
T_LOG_NODES=(dut by)
T_LOG_LINES=30
DUT_LOG=$DUT_RUN/bgpd.log
BY_LOG=$BY_RUN/bgpd.log

t_prereqs "bgpd ferryctl tools/bgp_raw" "jq curl"

# --- topology, configs, daemons ----------------------------------------------------------
build_topology() {
	t_netns_add r || return 1
	inns r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
	inns r ip link set lo up &&
		inns r ip addr add 10.79.0.1/32 dev lo &&
		inns r ip addr add 10.79.0.2/32 dev lo &&
		inns r ip addr add 10.79.0.3/32 dev lo
}
# nb ADDRESS LOCAL [EXTRA JSON]: one neighbor
nb() { printf '{ "address": "%s", "remote_as": 65000, "local_address": "%s"%s }' "$1" "$2" "${3:+, $3}"; }
# write_dut ASN NEIGHBOR...: dut's config file
write_dut() {
	local asn=$1
	shift
	cat >"$TMP/dut.json" <<EOF
{
  "router": { "name": "dut", "router_id": "10.79.0.1", "asn": $asn },
  "bgp": { "listen": "10.79.0.1", "hold_time": 30, "connect_retry": 1,
           "neighbors": [ $(printf '%s,\n' "$@" | sed '$ s/,$//') ] }
}
EOF
}
BY=$(nb 10.79.0.2 10.79.0.1)
RAWNB=$(nb 10.79.0.3 10.79.0.1 '"passive": true, "route_reflector_client": true')
write_by() {
	cat >"$TMP/by.json" <<EOF
{
  "router": { "name": "by", "router_id": "10.79.0.2", "asn": 65000 },
  "bgp": { "listen": "10.79.0.2", "hold_time": 30, "connect_retry": 1,
           "neighbors": [ $(nb 10.79.0.1 10.79.0.2) ] }
}
EOF
}
start_bgpd() { # start_bgpd NODE: PID in PID_<NODE>
	local run
	run=$(rundir "$1")
	mkdir -p "$run"
	setsid ip netns exec "$(ns r)" "$BUILD/bgpd" -c "$TMP/$1.json" -r "$run" \
		</dev/null >>"$run/bgpd.log" 2>&1 &
	eval "PID_$1=$!"
	t_track $!
	poll 10 test -S "$run/bgpd.sock"
}

neighbors() { "$CTL" -r "$PREFIX-$1" --json bgp neighbors; } # neighbors NODE
state() { neighbors "$1" | jq -r --arg a "$2" '.neighbors[] | select(.address == $a) | .state'; }
established() { [ "$(state "$1" "$2")" = Established ]; } # established NODE ADDR
configured() { neighbors "$1" | jq -e --arg a "$2" 'any(.neighbors[]; .address == $a)' >/dev/null; }
not_configured() { neighbors "$1" | jq -e --arg a "$2" 'all(.neighbors[]; .address != $a)' >/dev/null; }
uptime_of() { neighbors dut | jq -r --arg a "$1" '.neighbors[] | select(.address == $a) | .uptime_s'; }
est_count() { grep -c "peer $2: session Established" "$(rundir "$1")/bgpd.log"; } # NODE ADDR
# by_has_route RD PREFIX: by holds it (from dut)
by_has_route() {
	curl -sf --max-time 5 --unix-socket "$BY_RUN/bgpd.sock" http://ferry/routes |
		jq -e --arg rd "$1" --arg p "$2" 'any(.routes[]; .rd == $rd and .prefix == $p)'
}
by_no_route() {
	curl -sf --max-time 5 --unix-socket "$BY_RUN/bgpd.sock" http://ferry/routes |
		jq -e --arg rd "$1" --arg p "$2" 'all(.routes[]; .rd != $rd or .prefix != $p)'
}
log_has() { grep -qF -- "$2" "$1"; } # log_has FILE TEXT
# hup: SIGHUP to dut, and wait for the reload's last line (done or refused)
hup() {
	local n
	n=$(grep -c -e "reload done" -e "reload refused" "$DUT_LOG")
	kill -HUP "$PID_dut"
	t_wait 5 "dut's bgpd to log the reload's end (done or refused) after SIGHUP" \
		eval '[ "$(grep -c -e "reload done" -e "reload refused" "$DUT_LOG")" -gt '"$n"' ]'
}

write_dut 65000 "$BY"
write_by
if build_topology && start_bgpd dut && start_bgpd by && poll 15 established dut 10.79.0.2 &&
	poll 5 established by 10.79.0.1; then
	ok "namespace $PREFIX-r up, dut and by Established"
else
	not_ok "namespace $PREFIX-r up, dut and by Established"
	finish
fi
by_up=$(uptime_of 10.79.0.2)
by_est=$(est_count dut 10.79.0.2)

# --- added --------------------------------------------------------------------------
write_dut 65000 "$BY" "$RAWNB"
check "neighbor added: SIGHUP logged, the reload done" eval 'hup &&
	log_has "$DUT_LOG" "SIGHUP: reloading $TMP/dut.json" &&
	log_has "$DUT_LOG" "reload: neighbor 10.79.0.3 added (AS 65000)" &&
	log_has "$DUT_LOG" "reload done: 1 neighbor added, 0 removed, 0 changed, 1 unchanged"'
check "neighbor added: 10.79.0.3 in ferryctl bgp neighbors" configured dut 10.79.0.3

RD=65000:79
P=192.0.2.0/24
coproc RAWC { ip netns exec "$(ns r)" "$RAW" -s 10.79.0.3 -d 10.79.0.1 2>&1; }
RAW_PID=$RAWC_PID
t_track "$RAW_PID"
if rawc establish && poll 5 established dut 10.79.0.3 && rawc route $RD $P 100 65000:79 &&
	poll 10 by_has_route $RD $P; then
	ok "neighbor added: its session comes up, its route is reflected to by"
else
	not_ok "neighbor added: its session comes up, its route is reflected to by"
	note <<<"$RAWC_OUT"
fi

# --- removed ------------------------------------------------------------------------
write_dut 65000 "$BY"
check "neighbor removed: the reload done, logged" eval 'hup &&
	log_has "$DUT_LOG" "reload: neighbor 10.79.0.3 removed" &&
	log_has "$DUT_LOG" "reload done: 0 neighbors added, 1 removed, 0 changed, 1 unchanged"'
# the close may come before the command (which then fails): the NOTIFICATION is what counts
rawc expect-close 10
if grep -q "< NOTIFICATION 6/3" <<<"$RAWC_OUT"; then
	ok "neighbor removed: it gets NOTIFICATION Cease 6/3 (peer de-configured)"
else
	not_ok "neighbor removed: it gets NOTIFICATION Cease 6/3 (peer de-configured)"
	note <<<"$RAWC_OUT"
fi
exec {RAWC[1]}>&- # EOF: bgp_raw exits
wait "$RAW_PID" 2>/dev/null
t_untrack "$RAW_PID"
check "neighbor removed: its route withdrawn from by" poll 10 by_no_route $RD $P
check "neighbor removed: gone from ferryctl bgp neighbors" not_configured dut 10.79.0.3

# --- refused --------------------------------------------------------------------------
printf '{ "router": { "name": "dut", "router_id": "10.79.0.1", "asn": 65000 },\n  "bgp": { "listen": "10.79.0.1", "neighbors": [ { "address": "10.79.0.2", "remote_as": "x" } ] } }\n' \
	>"$TMP/dut.json"
check "a file that does not load: refused, file and field named" eval 'hup &&
	log_has "$DUT_LOG" "reload refused, the running config stays: dut.json: bgp.neighbors[0].remote_as (neighbor 10.79.0.2): \"x\" is not an AS number"'
write_dut 65001 "$BY" "$RAWNB"
check "a new AS: refused as needing a restart, the file named as the refused load names it (dut.json, was the path)" eval 'hup &&
	log_has "$DUT_LOG" "reload refused, the running config stays: dut.json: router.asn changed; that needs a restart of bgpd"'
check "refused reloads changed nothing (10.79.0.3 not added)" not_configured dut 10.79.0.3

untouched() {
	local now
	now=$(uptime_of 10.79.0.2)
	established dut 10.79.0.2 && [ "$(est_count dut 10.79.0.2)" = "$by_est" ] &&
		[ "$now" != null ] && [ "$now" -ge "$by_up" ] && ! log_has "$BY_LOG" "NOTIFICATION"
}
check "by's session untouched by all of it (uptime $by_up s -> $(uptime_of 10.79.0.2) s)" untouched

# --- changed --------------------------------------------------------------------------
write_dut 65000 "$(nb 10.79.0.2 10.79.0.1 '"max_prefix": { "limit": 1000 }')"
check "neighbor changed: the reload done, logged" eval 'hup &&
	log_has "$DUT_LOG" "reload: neighbor 10.79.0.2 changed (max_prefix)" &&
	log_has "$DUT_LOG" "reload done: 0 neighbors added, 0 removed, 1 changed, 0 unchanged"'
check "neighbor changed: by receives Cease 6/6 (other configuration change)" \
	poll 5 log_has "$BY_LOG" "NOTIFICATION: received cease / other configuration change (6/6)"
max_prefix_of() {
	curl -sf --max-time 5 --unix-socket "$DUT_RUN/bgpd.sock" "http://ferry/neighbors" |
		jq -e '.neighbors[] | select(.address == "10.79.0.2") | .max_prefix == 1000' >/dev/null
}
check "neighbor changed: back Established with the new setting" eval \
	'poll 15 established dut 10.79.0.2 && poll 5 established by 10.79.0.1 && max_prefix_of'

check "both bgpd still running" eval 't_running "$PID_dut" && t_running "$PID_by"'
finish
