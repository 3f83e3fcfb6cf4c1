# Receivers for bench/bgp-ingest (sourced). Each receiver R has:
#   R_start MODE N   write its config under $OUT/R, start it in $NS_R, fill RPROCS
#                    ("name:pid" for every process whose memory/CPU counts)
#   R_ready          0 once its CLI/API answers
#   R_stages         the stages it reports, in order
#   R_count STAGE    how many routes that stage holds now (one integer)
# All of them peer with the sender 10.99.0.1 over iBGP (AS 65000), passively,
# and hold VPN-IPv4 only. Processes are started as `ip netns exec NS prog &`
# so $! is the daemon itself.

RPROCS=()

default_receivers() {
	local l="ferry"
	command -v bird >/dev/null && command -v birdc >/dev/null && l="$l,bird"
	[ -x /usr/lib/frr/bgpd ] && command -v vtysh >/dev/null && l="$l,frr"
	command -v gobgpd >/dev/null && command -v gobgp >/dev/null && l="$l,gobgp"
	echo "$l,sink"
}

# Starts "$@" in the receiver namespace with stderr to $LOGF; records name:pid.
rstart() {
	local name=$1
	shift
	ip netns exec "$NS_R" "$@" >>"$LOGF" 2>&1 &
	track $!
	RPROCS+=("$name:$!")
}

# ---- ferry: vrfmgr + bgpd + fwd; $VRFS VRFs share the $RDS RTs (VRF j imports
# every RT 65000:i with i = j mod $VRFS): 1000 and 1000 = one VRF per RT ----
FERRY_DIR=$RUN/ferry
ferry_rts() {
	local j=$1 i sep=""
	for ((i = j; i <= RDS; i += VRFS)); do
		printf '%s"65000:%d"' "$sep" "$i"
		sep=,
	done
}
ferry_config() {
	local j rts sep=""
	printf '{\n "router": { "name": "bench", "router_id": "%s", "asn": 65000,\n' $ADDR_R
	printf '   "run_dir": "%s", "label_range": { "min": 1000, "max": 999999 } },\n' "$FERRY_DIR"
	printf ' "bgp": { "listen": "%s", "port": 179, "hold_time": 90,\n' $ADDR_R
	printf '   "neighbors": [ { "address": "%s", "remote_as": 65000, "passive": true,\n' $ADDR_S
	printf '                    "local_address": "%s", "description": "bgp-sender" } ] },\n' $ADDR_R
	printf ' "vrfs": [\n'
	for j in $(seq 1 "$VRFS"); do
		rts=$(ferry_rts "$j")
		printf '%s  { "name": "v%d", "rd": "%s:%d", "import_rts": [%s], "export_rts": [%s], "label_mode": "per-vrf" }' \
			"$sep" "$j" $ADDR_R "$j" "$rts" "$rts"
		sep=$',\n'
	done
	printf '\n ],\n'
	printf ' "lsps": [ { "fec": "%s/32", "out_label": "implicit-null", "next_hop": "%s", "interface": "r0" } ],\n' $ADDR_S $ADDR_S
	printf ' "fwd": { "mode": "pe", "core_interfaces": [ { "name": "r0", "address": "%s/24" } ], "lfib": [] }\n}\n' $ADDR_R
}
ferry_api() { curl -sf --max-time 60 --unix-socket "$FERRY_DIR/$1.sock" "http://ferry$2"; }
ferry_start() {
	mkdir -p "$OUT/ferry" "$FERRY_DIR"
	rm -f "$FERRY_DIR"/* "$OUT/ferry/fwd-pre-dump"
	ferry_config >"$OUT/ferry/bench.json"
	"$BIN/vrfmgr" -n -c "$OUT/ferry/bench.json" >/dev/null || return 1
	rstart vrfmgr "$BIN/vrfmgr" -c "$OUT/ferry/bench.json" -r "$FERRY_DIR"
	rstart bgpd "$BIN/bgpd" -c "$OUT/ferry/bench.json" -r "$FERRY_DIR"
	[ "$WITH_FWD" = 1 ] && rstart fwd "$BIN/fwd" -c "$OUT/ferry/bench.json" -r "$FERRY_DIR"
	return 0
}
ferry_ready() {
	ferry_api bgpd /neighbors >/dev/null && ferry_api vrfmgr /vrfs >/dev/null || return 1
	[ "$WITH_FWD" = 0 ] || ferry_api fwd /counters >/dev/null || return 1
	# both IPC links up: vrfmgr logs "bgpd NAME connected", "fwd NAME connected"
	[ "$(grep -cE ': (bgpd|fwd) [^ ]* connected$' "$LOGF")" -ge $((WITH_FWD + 1)) ]
}
# bgpd logs "peer X: End-of-RIB, N routes" once it has read the sender's
# End-of-RIB, which follows the routes (or the withdrawals) on the same stream
# and is handled after them, the RIB being updated synchronously: that line's
# millisecond timestamp times the Loc-RIB without polling bgpd, whose
# /neighbors walks every path (stale count). One API read confirms the count.
# Without such a line, the API is polled every 0.5 s instead. Lines before
# $LOG_FROM (bench/soak: those of earlier cycles) are not looked at.
log_epoch() { date -d "${1/T/ }" +%s.%N; }
ferry_bgpd_done() {
	local t0=$1 target=$2 limit=$3 i=0 ts t seen=""
	while awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a <= l) }'; do
		ts=$(tail -n +"${LOG_FROM:-1}" "$LOGF" | grep -E " bgpd: .*End-of-RIB, $target routes" |
			tail -1 | cut -d' ' -f1)
		if [ -n "$ts" ] && [ "$(ferry_count bgpd)" = "$target" ]; then
			delta "$t0" "$(log_epoch "$ts")"
			return 0
		fi
		if [ $((i++ % 50)) = 0 ] && [ "$(ferry_count bgpd)" = "$target" ]; then
			t=$(now)
			seen=${seen:-$t}
			if awk -v a="$seen" -v b="$t" 'BEGIN { exit !(b - a > 1) }'; then
				delta "$t0" "$seen" # no log line: the first poll that saw it
				return 0
			fi
		fi
		sleep 0.01
	done
	return 1
}
ferry_stages() { [ "$WITH_FWD" = 1 ] && echo "bgpd vrfmgr fwd" || echo "bgpd vrfmgr"; }
ferry_count() {
	case $1 in
	bgpd) ferry_api bgpd /neighbors | jq '.neighbors[0].prefixes_received' ;;
	vrfmgr) ferry_api vrfmgr /vrfs | jq '[.vrfs[].route_count] | add' ;;
	# no count in fwd's API: stream the whole FIB and count its objects
	fwd) ferry_api fwd /fib | tr -cd '{' | wc -c | awk '{ print $1 - 1 }' ;;
	esac
}
# Waits until process $1 has been idle (on-CPU time from /proc/PID/schedstat,
# its main thread, unchanged) for 50 ms and then "$@" (after $2 = t0, $3 =
# limit) succeeds; prints the seconds from t0 to the last moment it was still
# working, or nothing on timeout. A failed check restarts the wait.
cpu_settle() {
	local pid=$1 t0=$2 limit=$3 cpu last="" t t_last idle=0
	shift 3
	t_last=$(now)
	while awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a <= l) }'; do
		cpu=$(cut -d' ' -f1 "/proc/$pid/schedstat" 2>/dev/null) || return 1
		t=$(now)
		if [ "$cpu" != "$last" ]; then
			last=$cpu t_last=$t idle=0
		elif [ $((idle += 1)) -ge 5 ]; then
			if "$@"; then
				delta "$t0" "$t_last"
				return 0
			fi
			last="" idle=0
		fi
		sleep 0.01
	done
	return 1
}
rproc_pid() {
	local p
	for p in "${RPROCS[@]}"; do [ "${p%%:*}" = "$1" ] && echo "${p#*:}"; done
}
# fwd's stage, timed without leaning on its (heavy) full dump: fwd idle, then
# one dump must show the target. Leaves fwd's "VmRSS VmHWM cpu_ticks" from
# just before the dump in $OUT/ferry/fwd-pre-dump for record_memory.
ferry_fwd_check() {
	local pid=$1 target=$2
	echo "$(status_kb "$pid" VmRSS) $(status_kb "$pid" VmHWM) $(cpu_ticks "$pid")" \
		>"$OUT/ferry/fwd-pre-dump"
	[ "$(ferry_count fwd)" = "$target" ]
}
ferry_fwd_done() {
	local pid
	pid=$(rproc_pid fwd)
	[ -n "$pid" ] && cpu_settle "$pid" "$1" "$3" ferry_fwd_check "$pid" "$2"
}

# ---- BIRD 2 ----
bird_start() {
	mkdir -p "$OUT/bird"
	cat >"$OUT/bird/bird.conf" <<EOF
router id $ADDR_R;
vpn4 table vpntab4;
protocol device { }
protocol bgp snd {
  local $ADDR_R as 65000; neighbor $ADDR_S as 65000;
  direct; passive on;
  vpn4 mpls { table vpntab4; import all; export none; gateway direct; };
}
EOF
	rstart bird bird -f -c "$OUT/bird/bird.conf" -s "$RUN/bird.ctl" -P "$RUN/bird.pid"
}
bird_ready() { birdc -s "$RUN/bird.ctl" show status | grep -q 'Daemon is up'; }
bird_stages() { echo rib; }
bird_count() {
	birdc -s "$RUN/bird.ctl" show route count table vpntab4 |
		awk '/routes for/ { print $1; f = 1 } END { if (!f) print 0 }'
}

# ---- FRR bgpd alone (-Z: no zebra); its own vty directory via -N ----
frr_start() {
	mkdir -p "$OUT/frr" "/var/run/frr/$PFX"
	chown frr:frr "/var/run/frr/$PFX" 2>/dev/null
	cat >"$OUT/frr/bgpd.conf" <<EOF
hostname rcv
router bgp 65000
 bgp router-id $ADDR_R
 no bgp default ipv4-unicast
 neighbor $ADDR_S remote-as 65000
 neighbor $ADDR_S passive
 address-family ipv4 vpn
  neighbor $ADDR_S activate
 exit-address-family
EOF
	rstart bgpd /usr/lib/frr/bgpd -Z -S -P 0 -N "$PFX" -f "$OUT/frr/bgpd.conf" -i "$RUN/frr-bgpd.pid"
}
frr_vtysh() { vtysh -N "$PFX" -c "$1" 2>/dev/null; }
frr_ready() { frr_vtysh 'show bgp ipv4 vpn summary json' | jq -e '.' >/dev/null; }
# FRR counts a path received (pfxRcd) before its best-path work queue has run:
# "settled" is when bgpd is idle again with the count still right.
frr_stages() { echo rib settled; }
frr_check() { [ "$(frr_count rib)" = "$1" ]; }
frr_settled_done() {
	local pid
	pid=$(rproc_pid bgpd)
	[ -n "$pid" ] && cpu_settle "$pid" "$1" "$3" frr_check "$2"
}
frr_count() {
	frr_vtysh 'show bgp ipv4 vpn summary json' | jq --arg p $ADDR_S '.peers[$p].pfxRcd // 0'
}

# ---- GoBGP: gRPC API on the receiver namespace's loopback ----
gobgp_start() {
	mkdir -p "$OUT/gobgp"
	cat >"$OUT/gobgp/gobgp.toml" <<EOF
[global.config]
  as = 65000
  router-id = "$ADDR_R"
  local-address-list = ["$ADDR_R"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$ADDR_S"
    peer-as = 65000
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
EOF
	rstart gobgpd gobgpd -f "$OUT/gobgp/gobgp.toml" --api-hosts 127.0.0.1:50051 \
		--log-level warn --pprof-disable
}
gobgp_cli() { ip netns exec "$NS_R" gobgp -u 127.0.0.1 -p 50051 "$@"; }
gobgp_ready() { gobgp_cli global -j >/dev/null; }
gobgp_stages() { echo rib; }
gobgp_count() {
	gobgp_cli global rib summary -a vpnv4 |
		awk -F'[:,]' '/Destination/ { print $4 + 0; f = 1 } END { if (!f) print 0 }'
}

# ---- sink: bgp-sender --sink, the ceiling of sender + TCP over the veth ----
SINK_OUT=""
sink_start() {
	mkdir -p "$OUT/sink"
	SINK_OUT=$OUT/sink/sink.out
	: >"$SINK_OUT"
	ip netns exec "$NS_R" "$SENDER" --listen $ADDR_R --sink --expect "$2" \
		--connect-timeout 120 >"$SINK_OUT" 2>>"$LOGF" &
	track $!
	RPROCS+=("sink:$!")
}
sink_ready() { grep -q '^listening=' "$SINK_OUT"; }
sink_stages() { echo rib; }
sink_count() {
	if grep -q '^sink_unreach_all_at=' "$SINK_OUT"; then echo 0
	elif grep -q '^sink_reach_all_at=' "$SINK_OUT"; then echo "$N"
	else echo 0; fi
}
