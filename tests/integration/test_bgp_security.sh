#!/usr/bin/env bash
# bgpd against hostile or broken peers (issue 8), on a topology of its own
# (namespaces "<prefix>-<node>", default prefix fs<pid>):
#
#   dut (bgpd, 10.77.1.1) ---- peer (10.77.1.2..30, forwards) ---- far (10.77.2.2, .3)
#
# bgpd runs alone (no vrfmgr, no fwd) with one neighbor per role, all
# passive; tests/tools/bgp_raw plays each peer. Checks:
#  - RFC 7606 on the wire: each treat-as-withdraw case removes the route the
#    same session had announced and the session stays up; attribute-discard
#    cases keep the route; each session-reset case gets its NOTIFICATION
#    code/subcode; /neighbors counts them; another session (the bystander)
#    is untouched throughout (uptime not reset, its route kept);
#  - TCP-MD5: no key or a wrong key never establishes, the right one does;
#  - GTSM: TTL 255 from the direct link establishes; TTL 254, or TTL 255
#    from two hops away, never does (and a peer two hops away without GTSM
#    does: the path works);
#  - max-prefix: a flood of 200 routes against a limit of 50 gets Cease
#    6/1, the peer's routes are withdrawn and a new connection is refused.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created (namespaces, run directory, processes it
# started, by PID), also on failure or interrupt. Takes about 40 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init bgpsec fs "bgp security"
NODES=(dut peer far)
RUN=$(rundir dut)
RAW=$BUILD/tools/bgp_raw
T_RM=("$RUN")
T_LOG_NODES=(dut)
T_LOG_LINES=25

api() { curl -sf --max-time 5 --unix-socket "$RUN/bgpd.sock" "http://ferry$1"; } # api PATH: bgpd's

t_prereqs "bgpd tools/bgp_raw" "jq curl"

# --- topology and bgpd ---------------------------------------------------------------
veth() { # veth NODE_A IF_A NODE_B IF_B
	ip -n "$(ns "$1")" link add "$2" type veth peer name "$4" netns "$(ns "$3")" &&
		inns "$1" ip link set "$2" up && inns "$3" ip link set "$4" up
}
build_topology() {
	local n a
	for n in "${NODES[@]}"; do
		t_netns_add "$n" || return 1
		inns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
		inns "$n" ip link set lo up
	done
	veth dut eth0 peer eth0 && veth peer far0 far eth0 || return 1
	inns dut ip addr add 10.77.1.1/24 dev eth0
	for a in 2 3 4 5 6 10 11 12 13 14 15 16 17; do
		inns peer ip addr add "10.77.1.$a/24" dev eth0
	done
	inns peer ip addr add 10.77.2.1/24 dev far0
	inns peer sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	inns far ip addr add 10.77.2.2/24 dev eth0
	inns far ip addr add 10.77.2.3/24 dev eth0
	inns far ip route add default via 10.77.2.1
	inns dut ip route add 10.77.2.0/24 via 10.77.1.2
}

nb() { # nb ADDRESS DESCRIPTION [EXTRA JSON]
	printf '{ "address": "%s", "remote_as": 65000, "passive": true, "description": "%s"%s }' \
		"$1" "$2" "${3:+, $3}"
}
write_config() {
	local n=() a
	n+=("$(nb 10.77.1.2 bystander)")
	n+=("$(nb 10.77.1.3 rfc7606)")
	for a in 10 11 12 13 14 15 16 17; do
		n+=("$(nb "10.77.1.$a" "reset-$a")")
	done
	n+=("$(nb 10.77.1.4 md5 '"password": "ferry-md5-key"')")
	n+=("$(nb 10.77.1.5 gtsm '"ttl_security": true')")
	n+=("$(nb 10.77.1.6 maxpfx '"max_prefix": { "limit": 50, "restart": 0 }')")
	n+=("$(nb 10.77.2.2 far-gtsm '"ttl_security": true')")
	n+=("$(nb 10.77.2.3 far-plain)")
	cat >"$TMP/dut.json" <<EOF
{
  "router": { "name": "dut", "router_id": "10.77.1.1", "asn": 65000 },
  "bgp": { "listen": "0.0.0.0", "hold_time": 90, "connect_retry": 1,
           "neighbors": [ $(printf '%s,\n' "${n[@]}" | sed '$ s/,$//') ] }
}
EOF
}
start_bgpd() {
	mkdir -p "$RUN"
	setsid ip netns exec "$(ns dut)" "$BUILD/bgpd" -c "$TMP/dut.json" -r "$RUN" \
		</dev/null >>"$RUN/bgpd.log" 2>&1 &
	BGPD_PID=$!
	t_track $BGPD_PID
	poll 10 test -S "$RUN/bgpd.sock"
}

if build_topology && write_config && start_bgpd; then
	ok "topology $PREFIX up, bgpd running with $(jq '.bgp.neighbors | length' "$TMP/dut.json") passive neighbors"
else
	not_ok "topology $PREFIX up, bgpd running with its passive neighbors"
	note <"$TMP/dut.json"
	finish
fi

state() { api /neighbors | jq -r --arg a "$1" '.neighbors[] | select(.address == $a) | .state'; }
established() { [ "$(state "$1")" = Established ]; }
down() { local s; s=$(state "$1") && [ -n "$s" ] && [ "$s" != Established ]; } # bgpd says so
uptime_of() { api /neighbors | jq -r --arg a "$1" '.neighbors[] | select(.address == $a) | .uptime_s'; }
# paths RD PREFIX PEER: how many paths bgpd holds for that route from that peer
paths() {
	api /routes | jq -e --arg rd "$1" --arg p "$2" --arg peer "$3" \
		'[.routes[] | select(.rd == $rd and .prefix == $p and .peer == $peer)] | length'
}
has_route() { [ "$(paths "$@")" = 1 ]; } # has_route RD PREFIX PEER: bgpd holds that path
no_route() { [ "$(paths "$@")" = 0 ]; }  # (not "! has_route": 2 paths, or no answer, are not none)
est_count() { grep -c "peer $1: session Established" "$RUN/bgpd.log"; }
est_grown() { [ "$(est_count "$1")" -gt "$2" ]; } # est_grown ADDR COUNT: more sessions since
routes_from() { api /routes | jq --arg peer "$1" '[.routes[] | select(.peer == $peer)] | length'; }
raw() { # raw SRC_NODE SRC_ADDR [bgp_raw options and commands]: one bgp_raw run, output on stdout
	local n=$1 s=$2
	shift 2
	timeout 60 ip netns exec "$(ns "$n")" "$RAW" -s "$s" -d 10.77.1.1 "$@" 2>&1
}

# --- the bystander: one more session that nothing below may disturb -------------------------
ip netns exec "$(ns peer)" "$RAW" -s 10.77.1.2 -d 10.77.1.1 establish \
	route 65000:1 198.51.100.0/24 100 65000:1 hold 300 >"$TMP/bystander.out" 2>&1 &
BYSTANDER=$!
t_track "$BYSTANDER"
if poll 15 has_route 65000:1 198.51.100.0/24 10.77.1.2 && established 10.77.1.2; then
	ok "bystander session 10.77.1.2 Established, its route 65000:1:198.51.100.0/24 held"
else
	not_ok "bystander session 10.77.1.2 Established, its route 65000:1:198.51.100.0/24 held"
	note <"$TMP/bystander.out"
fi
by_up=$(uptime_of 10.77.1.2)

# --- RFC 7606 on one session: withdraw and discard cases ------------------------------------
RD=65000:777
P=192.0.2.0/24
coproc RAWC { ip netns exec "$(ns peer)" "$RAW" -s 10.77.1.3 -d 10.77.1.1 2>&1; }
RAW_PID=$RAWC_PID
t_track "$RAW_PID"
rawc_sees() { # rawc_sees PATTERN: lines the session printed since the last command
	local line
	while IFS= read -r -t 0.2 line <&"${RAWC[0]}"; do
		RAWC_OUT+="$line"$'\n'
	done
	grep -q "$1" <<<"$RAWC_OUT"
}
if rawc establish && poll 5 established 10.77.1.3; then
	ok "RFC 7606 session 10.77.1.3 Established"
else
	not_ok "RFC 7606 session 10.77.1.3 Established"
	note <<<"$RAWC_OUT"
fi

WITHDRAW_CASES=(origin-value origin-flags origin-length aspath-overrun med-length
	local-pref-length ext-communities-length missing-origin missing-as-path overrun-after-mp)
DISCARD_CASES=(aggregator-length atomic-aggregate-length)
for c in "${WITHDRAW_CASES[@]}"; do
	rawc case valid && poll 5 has_route $RD $P 10.77.1.3 || {
		not_ok "treat-as-withdraw $c: the valid announcement is held first"
		note <<<"$RAWC_OUT"
		continue
	}
	if rawc case "$c" && poll 5 no_route $RD $P 10.77.1.3 && established 10.77.1.3 &&
		! rawc_sees NOTIFICATION; then
		ok "treat-as-withdraw $c: the route is gone, the session stays up, no NOTIFICATION"
	else
		not_ok "treat-as-withdraw $c: the route is gone, the session stays up, no NOTIFICATION"
		note <<<"$RAWC_OUT"
		echo "# state $(state 10.77.1.3)"
	fi
done
for c in "${DISCARD_CASES[@]}"; do
	# gone first: a route left from before would pass for the one the case installs
	rawc withdraw $RD $P && poll 5 no_route $RD $P 10.77.1.3 || {
		not_ok "attribute discard $c: the route is withdrawn first"
		note <<<"$RAWC_OUT"
		continue
	}
	if rawc case "$c" && poll 5 has_route $RD $P 10.77.1.3 && established 10.77.1.3 &&
		! rawc_sees NOTIFICATION; then
		ok "attribute discard $c: the route is installed, the session stays up"
	else
		not_ok "attribute discard $c: the route is installed, the session stays up"
		note <<<"$RAWC_OUT"
	fi
done
counters() {
	api /neighbors | jq -e --argjson w ${#WITHDRAW_CASES[@]} --argjson d ${#DISCARD_CASES[@]} \
		'.neighbors[] | select(.address == "10.77.1.3") | .update_errors |
		 .treat_as_withdraw == $w and .attribute_discard == $d and .session_reset == 0' >/dev/null
}
check "/neighbors counts them: ${#WITHDRAW_CASES[@]} treat-as-withdraw, ${#DISCARD_CASES[@]} discards, 0 resets" \
	counters
exec {RAWC[1]}>&- # EOF: bgp_raw exits
wait "$RAW_PID" 2>/dev/null
t_untrack "$RAW_PID"
RAW_PID=""

# --- RFC 7606: session-reset cases, one neighbor each ----------------------------------------
reset_case() { # reset_case ADDR CASE CODE/SUB
	local out
	out=$(raw peer "$1" establish case "$2" expect-close 10)
	if grep -q "^< NOTIFICATION $3 " <<<"$out" && down "$1"; then
		ok "session reset $2: NOTIFICATION $3, session down"
	else
		not_ok "session reset $2: NOTIFICATION $3, session down"
		note <<<"$out"
	fi
}
reset_case 10.77.1.10 mp-nlri-length 3/9
reset_case 10.77.1.11 mp-nexthop-length 3/9
reset_case 10.77.1.12 mp-reach-twice 3/1
reset_case 10.77.1.13 unknown-well-known 3/2
reset_case 10.77.1.14 overrun-first 3/5
reset_case 10.77.1.15 withdrawn-overrun 3/1
reset_case 10.77.1.16 mp-reach-flags 3/4
reset_case 10.77.1.17 unreach-med-length 3/5

# --- TCP-MD5 ----------------------------------------------------------------------------------
# bgpd's own log says whether the session came up during an attempt (bgp_raw's
# exit takes it down again at once).
md5() { # md5 DESCRIPTION EXPECT_ESTABLISHED [bgp_raw -P KEY]
	local d=$1 want=$2 out n0
	shift 2
	n0=$(est_count 10.77.1.4)
	out=$(raw peer 10.77.1.4 -t 3 "$@" establish)
	# bgp_raw leaves at bgpd's KEEPALIVE, maybe before bgpd has read its own and logged
	if [ "$want" = yes ] && grep -q '^established$' <<<"$out" && poll 5 est_grown 10.77.1.4 "$n0"; then
		ok "TCP-MD5: $d establishes"
	elif [ "$want" = no ] && ! grep -q '^established$' <<<"$out" &&
		[ "$(est_count 10.77.1.4)" = "$n0" ]; then
		ok "TCP-MD5: $d never establishes ($(head -n 1 <<<"$out"))"
	else
		not_ok "TCP-MD5: $d $([ "$want" = yes ] && echo establishes || echo 'never establishes')"
		note <<<"$out"
	fi
}
md5 "a peer with no key" no
md5 "a peer with a wrong key" no -P wrong-key
md5 "the right key" yes -P ferry-md5-key
check "/neighbors shows tcp_md5 for 10.77.1.4" eval \
	'api /neighbors | jq -e ".neighbors[] | select(.address == \"10.77.1.4\") | .tcp_md5 == true" >/dev/null'

# --- GTSM -----------------------------------------------------------------------------------------
gtsm() { # gtsm DESCRIPTION NODE ADDR EXPECT [bgp_raw options]
	local d=$1 n=$2 a=$3 want=$4 out n0
	shift 4
	n0=$(est_count "$a")
	out=$(raw "$n" "$a" -t 3 "$@" establish read 1)
	if [ "$want" = yes ] && grep -q '^established$' <<<"$out" &&
		[ "$(est_count "$a")" -gt "$n0" ]; then
		ok "GTSM: $d establishes"
	elif [ "$want" = no ] && ! grep -q '^established$' <<<"$out" &&
		[ "$(est_count "$a")" = "$n0" ]; then
		ok "GTSM: $d never establishes (bgp_raw: $(grep -v '^$' <<<"$out" | paste -sd, -))"
	else
		not_ok "GTSM: $d $([ "$want" = yes ] && echo establishes || echo 'never establishes')"
		note <<<"$out"
		echo "# bgpd's view of $a: $(state "$a")"
	fi
}
gtsm "TTL 254 on the direct link (as if one hop further)" peer 10.77.1.5 no -T 254
gtsm "TTL 255 from two hops away (arrives with 254)" far 10.77.2.2 no -T 255
gtsm "TTL 255 on the direct link" peer 10.77.1.5 yes -T 255
gtsm "control: a peer two hops away without GTSM configured" far 10.77.2.3 yes

# --- max-prefix -----------------------------------------------------------------------------------
# 200 routes in UPDATEs of 10: bgpd must stop at the first UPDATE past 50.
out=$(raw peer 10.77.1.6 establish flood 200 10 expect-close 10)
if grep -q '^< NOTIFICATION 6/1 ' <<<"$out" && down 10.77.1.6; then
	ok "max-prefix: a flood of 200 routes over a limit of 50 gets Cease 6/1"
else
	not_ok "max-prefix: a flood of 200 routes over a limit of 50 gets Cease 6/1"
	note <<<"$out"
fi
check "max-prefix: the flooding peer's routes are withdrawn (held now: $(routes_from 10.77.1.6))" \
	poll 5 eval '[ "$(routes_from 10.77.1.6)" = 0 ]'
check "max-prefix: bgpd stopped the flood at the UPDATE that passed 50 (60 routes, not 200)" \
	grep -q "10.77.1.6: 60 routes, over max_prefix 50" "$RUN/bgpd.log"
n0=$(est_count 10.77.1.6)
out=$(raw peer 10.77.1.6 -t 3 establish)
if ! grep -q '^established$' <<<"$out" && [ "$(est_count 10.77.1.6)" = "$n0" ] && down 10.77.1.6; then
	ok "max-prefix: a new connection from the peer is refused (restart 0: down until bgpd restarts)"
else
	not_ok "max-prefix: a new connection from the peer is refused (restart 0: down until bgpd restarts)"
	note <<<"$out"
fi

# --- the bystander was never touched --------------------------------------------------------
survived() {
	local now
	now=$(uptime_of 10.77.1.2)
	kill -0 "$BYSTANDER" 2>/dev/null && established 10.77.1.2 &&
		[ -n "$by_up" ] && [ "$now" != null ] && [ "$now" -ge "$by_up" ] &&
		has_route 65000:1 198.51.100.0/24 10.77.1.2 && ! grep -q NOTIFICATION "$TMP/bystander.out"
}
if survived; then
	ok "bystander session untouched by all of it (uptime $by_up s -> $(uptime_of 10.77.1.2) s, route held)"
else
	not_ok "bystander session untouched by all of it"
	note <"$TMP/bystander.out"
fi
check "bgpd still running" kill -0 "$BGPD_PID"
finish
