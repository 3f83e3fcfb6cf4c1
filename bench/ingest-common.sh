# Helpers shared by bench/bgp-ingest and bench/soak (sourced): logging,
# time, the processes a run started (stopped by PID), the two namespaces
# (sender $NS_S 10.99.0.1 <-> receiver $NS_R 10.99.0.2 over one veth),
# polling with a bound, and /proc readings. $PROG names the caller in logs.

log() { echo "$PROG: $*" >&2; }

# $PFX names the namespaces and the run directories the exit trap removes
# (rm -rf /run/ferry/$PFX): an empty one is /run/ferry itself, every
# router's on the machine, and a '/' or a leading '.' ('../netns') reaches
# out of it. Refused before the trap is set.
case $PFX in
"" | .* | *[!A-Za-z0-9_.-]*)
	log "bad --prefix '$PFX' (letters, digits, '_', '.', '-', not starting with '.'; at most 40)"
	exit 2
	;;
esac
[ ${#PFX} -le 40 ] || { log "bad --prefix '$PFX' (at most 40 characters)"; exit 2; }
now() { echo "$EPOCHREALTIME"; }
# Seconds between two epoch timestamps, 3 decimals.
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# ---- process bookkeeping: everything we start is stopped by PID ----
PIDS=()
track() { PIDS+=("$1"); }
# Forgets a PID already stopped (so that a later stop_all cannot hit a reused one).
untrack() {
	local keep=() p
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}
stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
stop_all() {
	local pid
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	PIDS=()
}
cleanup() {
	stop_all
	ip netns del "$NS_S" 2>/dev/null
	ip netns del "$NS_R" 2>/dev/null
	rm -rf "$RUN" "/var/run/frr/$PFX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- namespaces: sender 10.99.0.1 <-> receiver 10.99.0.2 over one veth ----
setup_net() {
	ip netns add "$NS_S" && ip netns add "$NS_R" || exit 1
	ip link add s0 netns "$NS_S" type veth peer name r0 netns "$NS_R" || exit 1
	ip -n "$NS_S" addr add $ADDR_S/24 dev s0
	ip -n "$NS_R" addr add $ADDR_R/24 dev r0
	for ns in "$NS_S" "$NS_R"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_S" link set s0 up
	ip -n "$NS_R" link set r0 up
}

# Waits until "$@" succeeds, polling; 1 after $WAIT_S seconds.
wait_for() {
	local end
	end=$(awk -v t="$(now)" -v w="$WAIT_S" 'BEGIN { printf "%.3f", t + w }')
	until "$@" >/dev/null 2>&1; do
		if awk -v t="$(now)" -v e="$end" 'BEGIN { exit !(t > e) }'; then
			return 1
		fi
		sleep "$POLL"
	done
}

# ---- /proc: memory (kB) and CPU ticks of a list of PIDs ----
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Nanoseconds on CPU and runnable waiting for one (all threads' sum is not
# needed: the daemons are single-threaded).
sched_ns() { cut -d' ' -f1-2 "/proc/$1/schedstat" 2>/dev/null || echo "0 0"; }

# The programs under test, fixed for the whole run: built from a clean
# export of --commit, or copied from --build.
take_programs() {
	local src
	if [ -n "$COMMIT" ]; then
		src=$OUT/src
		rm -rf "$src" && mkdir -p "$src" || exit 1
		git -C "$REPO" archive "$COMMIT" | tar -x -C "$src" || exit 1
		log "building $COMMIT in $src"
		make -C "$src" -j2 build/bgpd build/vrfmgr build/fwd build/bench/bgp-sender \
			>"$OUT/build.log" 2>&1 || { log "build failed: $OUT/build.log"; exit 1; }
		BUILD=$src/build
	fi
	for p in bgpd vrfmgr fwd bench/bgp-sender; do
		[ -x "$BUILD/$p" ] || { log "$BUILD/$p missing: make -j2 all"; exit 1; }
		cp "$BUILD/$p" "$BIN/" || exit 1
	done
}
