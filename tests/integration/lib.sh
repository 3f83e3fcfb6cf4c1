# shellcheck shell=bash
# What the integration tests share. A test starts with
#
#   set -uo pipefail
#   cd "$(dirname "$0")/../.." || exit 1
#   . tests/integration/lib.sh
#   t_init NAME STEM [TITLE]
#
# and then has, in one place:
#  - TAP-style output, the format tests/run-integration counts: `ok` and
#    `not_ok` print "ok - ..." / "not ok - ..." (no other line may start
#    that way), `note` indents diagnostics as "#   ..." comments, `check
#    DESCRIPTION CMD...` is one check, `finish` prints "# TITLE: N checks,
#    P passed, F failed" and exits 0 only when nothing failed;
#  - bounded waits (tests/wait.sh): `poll SECONDS CMD...` (every
#    $T_POLL_INTERVAL s), `t_wait SECONDS WHAT CMD...` (a failed check on
#    timeout); the bound is multiplied by $FERRY_TEST_TIMEOUT_SCALE (default
#    1), for runs where the daemons are slow on purpose (tests/valgrind/run);
#  - a per-run prefix: PREFIX is $FERRY_TEST_PREFIX or STEM<pid>, so a test
#    runs beside a user's lab and beside the other tests; `ns`, `rundir`,
#    `inns` name and enter "<prefix>-<node>" and /run/ferry/<prefix>-<node>;
#  - cleanup on exit, failure or interrupt, in this order: processes given
#    to `t_track` are stopped (TERM, then KILL), the functions given to
#    `t_at_cleanup` run, the logs of $T_LOG_NODES are shown when a check
#    failed, a lab started by `t_lab_up` is taken down, namespaces made by
#    `t_netns_add` are deleted, TMP and the paths in T_RM are removed.
# Only processes the test started are ever signalled, by PID.
#
# Globals the tests read: ROOT, BUILD (exported as FERRY_BUILD), PREFIX,
# CTL (ferryctl), TMP (a private directory), passed, failed.

# t_init NAME STEM [TITLE]: TMP is /tmp/ferry-test-NAME.XXXXXX, PREFIX
# STEM<pid>, TITLE (default NAME) names the summary line.
t_init() {
	T_TITLE=${3:-$1}
	ROOT=$PWD
	BUILD=${FERRY_BUILD:-$ROOT/build}
	export FERRY_BUILD=$BUILD
	PREFIX=${FERRY_TEST_PREFIX:-$2$$}
	CTL=$BUILD/ferryctl
	TMP=$(mktemp -d "/tmp/ferry-test-$1.XXXXXX")
	passed=0
	failed=0
	T_POLL_INTERVAL=${T_POLL_INTERVAL:-0.2}
	T_PIDS=()         # processes to stop on exit (t_track)
	T_CLEANUP=()      # functions to run on exit (t_at_cleanup)
	T_FINISH=()       # functions to run before the summary (t_at_finish)
	T_NETNS=()        # namespaces to delete (t_netns_add)
	T_RM=()           # more paths to remove
	T_LOG_NODES=()    # nodes whose logs to show when a check failed
	T_LOG_LINES=15
	T_LAB=0           # 1: t_lab_up ran, take the lab down on exit
	trap t_cleanup EXIT
	trap 'echo "# interrupted"; exit 130' INT TERM
}

# --- output --------------------------------------------------------------------

. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh" # ok, not_ok, note
check() {                    # check DESCRIPTION CMD...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
t_at_finish() { T_FINISH+=("$@"); }
finish() {
	local f
	for f in "${T_FINISH[@]}"; do
		"$f"
	done
	echo "# $T_TITLE: $((passed + failed)) checks, $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

. "$(dirname "${BASH_SOURCE[0]}")/../wait.sh" # poll, t_wait

# --- names -----------------------------------------------------------------------

ns() { printf '%s-%s' "$PREFIX" "$1"; }
rundir() { printf '/run/ferry/%s-%s' "$PREFIX" "$1"; }
inns() { # inns NODE CMD...
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}
t_netns_add() { # t_netns_add NODE: a namespace deleted on exit
	ip netns add "$(ns "$1")" || return 1
	T_NETNS+=("$(ns "$1")")
}

# --- prerequisites -------------------------------------------------------------------

# t_prereqs "PROGRAMS" "COMMANDS": root, each PROGRAM executable under $BUILD,
# each COMMAND in PATH; otherwise one failed check and finish.
t_prereqs() {
	local f missing=()
	if [ "$(id -u)" != 0 ]; then
		not_ok "must run as root (network namespaces)"
		finish
	fi
	for f in $1; do
		[ -x "$BUILD/$f" ] || missing+=("$BUILD/$f")
	done
	for f in $2; do
		command -v "$f" >/dev/null || missing+=("$f")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		not_ok "prerequisites present (missing: ${missing[*]}; run make / scripts/install-deps)"
		finish
	fi
}

# --- our processes -------------------------------------------------------------------

t_track() { T_PIDS+=("$@"); } # t_track PID...: stopped on exit
t_untrack() {                 # t_untrack PID: reaped already (wait), not ours any more
	local p keep=()
	for p in "${T_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	T_PIDS=("${keep[@]}")
}
t_running() {                 # t_running PID: alive and not a zombie
	kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
# t_stop PID [SIGNAL]: SIGNAL (TERM), up to 5 s to exit (bgpd lingers up to
# 3 s for its Cease to drain), then KILL; reaped and no longer tracked.
t_stop() {
	local pid=$1 i
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		t_running "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	t_untrack "$pid"
}
t_stop_all() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]}"; do
		t_stop "$pid"
	done
}

# --- cleanup -----------------------------------------------------------------------------

t_at_cleanup() { T_CLEANUP+=("$@"); }
t_dump_logs() { # the last T_LOG_LINES of each log of T_LOG_NODES (copied to $FERRY_TEST_KEEP_LOGS)
	local n f
	for n in "${T_LOG_NODES[@]}"; do
		for f in "$(rundir "$n")"/*.log; do
			[ -s "$f" ] || continue
			echo "# --- $f (last $T_LOG_LINES lines)"
			tail -n "$T_LOG_LINES" "$f" | note
			if [ -n "${FERRY_TEST_KEEP_LOGS:-}" ]; then
				mkdir -p "$FERRY_TEST_KEEP_LOGS"
				cp "$f" "$FERRY_TEST_KEEP_LOGS/$(basename "$(dirname "$f")")-$(basename "$f")"
			fi
		done
	done
}
t_cleanup() {
	local f n
	trap - EXIT INT TERM
	t_stop_all
	for f in "${T_CLEANUP[@]}"; do
		"$f"
	done
	[ "$failed" -gt 0 ] && t_dump_logs
	if [ "$T_LAB" = 1 ]; then # ours, whichever build directory it runs from: --force
		scripts/lab down --prefix "$PREFIX" --force >/dev/null 2>&1 ||
			echo "# warning: scripts/lab down --prefix $PREFIX --force failed"
	fi
	for n in "${T_NETNS[@]}"; do
		[ -e "/run/netns/$n" ] && ip netns del "$n"
	done
	rm -rf "$TMP" "${T_RM[@]}"
}

# --- the lab (scripts/lab) -------------------------------------------------------------

# t_lab_up DESCRIPTION [scripts/lab up options]: the lab with our prefix, as
# one check; finish when it fails.
t_lab_up() {
	local d=$1
	shift
	T_LAB=1
	T_LOG_NODES=(pe1 pe2 p)
	if scripts/lab up --prefix "$PREFIX" "$@" >"$TMP/up.log" 2>&1; then
		ok "$d"
	else
		not_ok "$d"
		note <"$TMP/up.log"
		finish
	fi
}
# t_lab_down_check: shows the logs if a check failed (lab down removes
# them), takes the lab down, checks nothing of it is left.
t_lab_down_check() {
	[ "$failed" -gt 0 ] && t_dump_logs
	T_LOG_NODES=()
	scripts/lab down --prefix "$PREFIX" >"$TMP/down.log" 2>&1
	T_LAB=0
	check "lab down removes every namespace and run directory of $PREFIX" t_lab_gone
}
t_lab_gone() {
	! ip netns list | awk '{ print $1 }' | grep -c "^$PREFIX-" >/dev/null &&
		! ls -d /run/ferry/"$PREFIX"-* >/dev/null 2>&1
}
# lab_start NODE DAEMON [ARGS...]: the daemon as scripts/lab starts it (own
# session, lab config, the node's run directory and log, under valgrind when
# $FERRY_VALGRIND says so), its PID file updated so that `scripts/lab down`
# stops it.
lab_start() {
	local node=$1 d=$2 vg=()
	shift 2
	[ -z "${FERRY_VALGRIND:-}" ] || vg=("$ROOT/tests/valgrind/vg" "$(ns "$node")-$d")
	setsid ip netns exec "$(ns "$node")" "${vg[@]}" "$BUILD/$d" -c "$ROOT/configs/lab/$node.json" \
		-r "$(rundir "$node")" "$@" </dev/null >>"$(rundir "$node")/$d.log" 2>&1 &
	echo $! >"$(rundir "$node")/$d.pid"
	disown $! # lab down stops it; no "Killed" job notices when a test kills it
}
lab_restart_fwd() { # lab_restart_fwd NODE ARGS...: this node's fwd again, with extra arguments
	local node=$1 pid
	shift
	pid=$(cat "$(rundir "$node")/fwd.pid")
	kill "$pid" 2>/dev/null
	t_wait 10 "$node's fwd (PID $pid) to exit on SIGTERM" eval "! t_running $pid" || return 1
	lab_start "$node" fwd "$@"
	t_wait 10 "$node's fwd, started again, to open its API socket" \
		test -S "$(rundir "$node")/fwd.sock"
}
ctl() { # ctl NODE ferryctl-args...: JSON from that node
	local n=$1
	shift
	"$CTL" -r "$PREFIX-$n" --json "$@"
}
api() { # api NODE DAEMON PATH: GET from the daemon's Unix socket
	curl -sf --max-time 5 --unix-socket "$(rundir "$1")/$2.sock" "http://ferry$3"
}
lab_established() { # lab_established NODE PEER: that BGP session is Established
	ctl "$1" bgp neighbors |
		jq -e --arg p "$2" '.neighbors[] | select(.address == $p) | .state == "Established"'
}
ping1() { inns "$1" ping -n -q -c 1 -W 1 "$2"; } # ping1 NODE ADDRESS
# rawc CMD: one command to tools/bgp_raw run as `coproc RAWC { ... }`; its output, up
# to "done" or "failed", into $RAWC_OUT; true on "done" (20 s at most)
rawc() {
	local line deadline=$((SECONDS + 20))
	RAWC_OUT=""
	echo "$*" >&"${RAWC[1]}" || return 1
	while [ $SECONDS -lt $deadline ] && IFS= read -r -t 20 line <&"${RAWC[0]}"; do
		RAWC_OUT+="$line"$'\n'
		[ "$line" = done ] && return 0
		[ "$line" = failed ] && return 1
	done
	return 1
}
whoami_is() {                                    # whoami_is FROM ADDRESS EXPECTED_HOST
	local got
	got=$(inns "$1" "$BUILD/tools/whoami" -t 1000 -c 3 "$2" 2>&1)
	[ "$got" = "$PREFIX-$3" ] && return 0
	echo "# $1 -> $2 answered: ${got:-nothing}"
	return 1
}
# tcp_bulk FROM ADDRESS EXPECTED_HOST: 4 MB from ADDRESS to FROM over TCP,
# full-sized segments (ping never shows MTU or offload trouble), checked
# byte for byte by whoami.
tcp_bulk() {
	local got
	got=$(inns "$1" "$BUILD/tools/whoami" -t 5000 -b 4000000 "$2" 2>&1)
	[[ $got == "$PREFIX-$3 4000000 bytes"* ]] && return 0
	echo "# $1 <- $2 (tcp, 4 MB): ${got:-nothing}"
	return 1
}
