# One measured case for bench/bgp-ingest (sourced): receiver, label mode,
# route count, run number. Appends to $RESULTS (stage times) and
# $OUT/memory.tsv (per process), and stops everything it started.

# Polls the receiver's stages until each holds $2 routes; prints
# "stage seconds status" per stage, seconds counted from epoch $1. A stage
# is polled only once the one before it is complete (ferry's fwd dump is
# heavy); the time is taken when the answer came back (an upper bound).
# A stage with its own R_STAGE_done function times itself (ferry's fwd).
poll_stages() {
	local t0=$1 target=$2 limit=$3 rcv=$4 st c t
	local -a stages
	local -A done=()
	read -r -a stages <<<"$("${rcv}_stages")"
	local prev="" all=0
	while [ "$all" = 0 ]; do
		all=1
		prev=""
		for st in "${stages[@]}"; do
			if [ -n "${done[$st]:-}" ]; then prev=$st; continue; fi
			all=0
			[ -z "$prev" ] || [ -n "${done[$prev]:-}" ] || break
			if declare -F "${rcv}_${st}_done" >/dev/null; then
				t=$("${rcv}_${st}_done" "$t0" "$target" "$limit")
				[ -n "$t" ] && done[$st]=$t
			else
				c=$("${rcv}_count" "$st" 2>/dev/null)
				t=$(now)
				[ "${c:-x}" = "$target" ] && done[$st]=$(delta "$t0" "$t")
			fi
			[ -n "${done[$st]:-}" ] || break
			prev=$st
		done
		[ "$all" = 1 ] && break
		if awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
			break
		fi
		sleep "$POLL"
	done
	for st in "${stages[@]}"; do
		if [ -n "${done[$st]:-}" ]; then echo "$st ${done[$st]} ok"
		else echo "$st $limit timeout"; fi
	done
}

# The sender's key=value output.
sender_get() { sed -n "s/^$1=//p" "$SENDER_OUT" | head -1; }

record_stages() {
	local rcv=$1 mode=$2 n=$3 run=$4 prefix=$5 st s status
	while read -r st s status; do
		printf '%s\t%s\t%s\t%s\t%s%s\t%s\t%s\n' "$rcv" "$mode" "$n" "$run" "$prefix" "$st" "$s" "$status" >>"$RESULTS"
		log "  $rcv $mode n=$n run $run: $prefix$st ${s}s $status"
	done
}

# Memory and CPU per process: idle RSS (taken before the sender started),
# RSS and peak now, CPU seconds since the idle snapshot. For ferry's fwd, the
# values from just before the FIB dump that confirmed the count (the dump
# itself costs memory and CPU that ingest does not).
record_memory() {
	local rcv=$1 mode=$2 n=$3 run=$4 p name pid rss hwm ticks
	for p in "${RPROCS[@]}"; do
		name=${p%%:*} pid=${p#*:}
		rss=$(status_kb "$pid" VmRSS) hwm=$(status_kb "$pid" VmHWM) ticks=$(cpu_ticks "$pid")
		if [ "$rcv/$name" = ferry/fwd ] && [ -s "$OUT/ferry/fwd-pre-dump" ]; then
			read -r rss hwm ticks <"$OUT/ferry/fwd-pre-dump"
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rcv" "$mode" "$n" "$run" "$name" \
			"${IDLE_KB[$pid]}" "$rss" "$hwm" \
			"$(awk -v a="${CPU0[$pid]}" -v b="$ticks" -v h="$CLK_TCK" \
				'BEGIN { printf "%.2f", (b - a) / h }')" >>"$OUT/memory.tsv"
	done
}

# CPU seconds of each process during withdraw-all: from W0 (taken just
# before the withdrawals went out) until the stages reported. Also, in
# sched_withdraw.tsv, seconds on CPU and seconds runnable but waiting for
# one (/proc/PID/schedstat): on a loaded machine the wait says how much of
# the wall time was the others' share of the cores, not the daemon's own.
record_withdraw_cpu() {
	local rcv=$1 mode=$2 n=$3 run=$4 p pid
	for p in "${RPROCS[@]}"; do
		pid=${p#*:}
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rcv" "$mode" "$n" "$run" "${p%%:*}" \
			"$(awk -v a="${W0[$pid]}" -v b="$(cpu_ticks "$pid")" -v h="$CLK_TCK" \
				'BEGIN { printf "%.2f", (b - a) / h }')" >>"$OUT/cpu_withdraw.tsv"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rcv" "$mode" "$n" "$run" "${p%%:*}" \
			"$(sched_ns "$pid" | awk -v a="${WS0[$pid]}" \
				'{ split(a, z, " "); printf "%.3f\t%.3f", ($1 - z[1]) / 1e9, ($2 - z[2]) / 1e9 }')" \
			>>"$OUT/sched_withdraw.tsv"
	done
}

start_sender() {
	local mode=$1 n=$2
	SENDER_OUT=$OUT/$rcv/sender.out
	ip netns exec "$NS_S" "$SENDER" --connect $ADDR_R --local $ADDR_S -n "$n" --rds "$RDS" \
		--label-mode "$mode" --eor --connect-timeout 30 >"$SENDER_OUT" 2>>"$LOGF" &
	SENDER_PID=$!
	track "$SENDER_PID"
}

# The sink times itself; the others are polled.
ingest_stages() {
	local rcv=$1 est=$2 n=$3 limit=$4 t
	if [ "$rcv" = sink ]; then
		WAIT_S=$limit wait_for grep -q '^sink_reach_all_at=' "$SINK_OUT" &&
			t=$(sed -n 's/^sink_reach_all_at=//p' "$SINK_OUT") &&
			echo "rib $(delta "$est" "$t") ok" || echo "rib $limit timeout"
		return
	fi
	poll_stages "$est" "$n" "$limit" "$rcv"
}

withdraw_stages() {
	local rcv=$1 limit=$2 t0 t
	kill -USR1 "$SENDER_PID"
	WAIT_S=30 wait_for grep -q '^withdraw_start_at=' "$SENDER_OUT" || return 1
	t0=$(sender_get withdraw_start_at)
	if [ "$rcv" = sink ]; then
		WAIT_S=$limit wait_for grep -q '^sink_unreach_all_at=' "$SINK_OUT" &&
			t=$(sed -n 's/^sink_unreach_all_at=//p' "$SINK_OUT") &&
			echo "rib $(delta "$t0" "$t") ok" || echo "rib $limit timeout"
		return
	fi
	poll_stages "$t0" 0 "$limit" "$rcv"
}

# perf record on each receiver process (ferry's daemons), stopped with SIGINT.
PERF_PIDS=()
# perf_attached PID: that perf record has its counters open on the process it records
perf_attached() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'anon_inode:\[perf_event\]' >/dev/null; }
perf_start() {
	local p pid
	for p in "${RPROCS[@]}"; do
		perf record ${PERF_ARGS:--g} -o "$OUT/$rcv/perf-${p%%:*}-$1.data" -p "${p#*:}" \
			>>"$OUT/$rcv/perf.log" 2>&1 &
		PERF_PIDS+=($!)
		track $!
	done
	# attached before the session starts, so that all of it is recorded
	for pid in "${PERF_PIDS[@]}"; do
		WAIT_S=10 wait_for perf_attached "$pid" ||
			log "perf (PID $pid) not attached after 10 s (see $OUT/$rcv/perf.log)"
	done
}
perf_stop() {
	local pid
	for pid in "${PERF_PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PERF_PIDS=()
}

run_case() {
	local rcv=$1 mode=$2 n=$3 run=$4 limit=$TIMEOUT p pid est
	N=$n
	[ "$rcv" = gobgp ] && limit=$GOBGP_TIMEOUT
	mkdir -p "$OUT/$rcv"
	LOGF=$OUT/$rcv/$mode-$n-$run.log
	: >"$LOGF"
	RPROCS=()
	log "$rcv, $mode labels, $n routes, run $run"
	printf '%s\t%s\t%s\t%s\t%s\n' "$rcv" "$mode" "$n" "$run" "$(cut -d' ' -f1-3 /proc/loadavg)" \
		>>"$OUT/load.tsv"
	"${rcv}_start" "$mode" "$n" || { log "$rcv did not start"; stop_all; return; }
	if ! WAIT_S=30 wait_for "${rcv}_ready"; then
		log "$rcv not ready after 30 s (see $LOGF)"
		stop_all
		return
	fi
	declare -gA IDLE_KB=() CPU0=()
	for p in "${RPROCS[@]}"; do
		pid=${p#*:}
		IDLE_KB[$pid]=$(status_kb "$pid" VmRSS)
		CPU0[$pid]=$(cpu_ticks "$pid")
	done
	[ "$PERF" = 1 ] && [ "$rcv" = ferry ] && perf_start "$mode-$n-$run"
	start_sender "$mode" "$n"
	if ! WAIT_S=60 wait_for grep -q '^established_at=' "$SENDER_OUT"; then
		log "no session with $rcv (see $LOGF)"
		stop_all
		return
	fi
	est=$(sender_get established_at)
	ingest_stages "$rcv" "$est" "$n" "$limit" | record_stages "$rcv" "$mode" "$n" "$run" ""
	record_memory "$rcv" "$mode" "$n" "$run"
	if [ "$WITHDRAW" = 1 ] && ! grep -q "^$rcv	$mode	$n	$run	.*timeout" "$RESULTS"; then
		declare -gA W0=() WS0=()
		for p in "${RPROCS[@]}"; do
			W0[${p#*:}]=$(cpu_ticks "${p#*:}")
			WS0[${p#*:}]=$(sched_ns "${p#*:}")
		done
		withdraw_stages "$rcv" "$limit" | record_stages "$rcv" "$mode" "$n" "$run" "withdraw_"
		record_withdraw_cpu "$rcv" "$mode" "$n" "$run"
	fi
	perf_stop
	stop_all
}

machine_info() {
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	if [ -n "$COMMIT" ]; then
		echo "ferry: $(git -C "$REPO" rev-parse --short "$COMMIT") (clean export)"
	else
		echo "ferry: programs from $BUILD at HEAD $(git -C "$REPO" rev-parse --short HEAD)," \
			"$(git -C "$REPO" status --porcelain -uno | wc -l) tracked files modified"
	fi
	(cd "$BIN" && sha256sum bgpd vrfmgr fwd bgp-sender | sed 's/^/  /')
	echo "bird: $(bird --version 2>&1 | head -1)"
	echo "frr: $(dpkg-query -W -f '${Version}' frr 2>/dev/null)"
	echo "gobgp: $(gobgpd --version 2>&1 | head -1)"
}

summarize() {
	python3 "$(dirname "$0")/ingest-summary.py" "$OUT" | tee "$OUT/summary.md"
}
