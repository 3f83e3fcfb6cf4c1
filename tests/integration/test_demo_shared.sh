#!/usr/bin/env bash
# make demo on a shared machine: scripts/demo tears down a lab of its prefix
# before building its own, which must not be someone else's. A lab of a
# private prefix is started from a copy of the binaries (another checkout's
# build directory, as far as the demo can tell), then:
#  - scripts/demo with that prefix refuses (exit 1), naming the other build
#    directory and the way to run beside it; the lab's daemons still run,
#    the same PIDs, its namespaces still there;
#  - scripts/lab down (make lab-down) from this checkout refuses it the
#    same way (exit 1), naming the other build directory, the run
#    directories and --force; the lab still runs; down --force removes it;
#  - one started from this checkout's build is the
#    demo's own to replace: scripts/demo tears it down and runs (exit 0).
# Removes everything it created, also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init demoshared ds "demo on a shared machine"

t_prereqs "bgpd vrfmgr fwd ferryctl tools/whoami" "jq"

OTHER=$TMP/other-checkout/build
mkdir -p "$OTHER/tools" &&
	cp "$BUILD"/{bgpd,vrfmgr,fwd,ferryctl} "$OTHER/" && cp "$BUILD/tools/whoami" "$OTHER/tools/"

T_LAB=1 # taken down on exit, whoever's binaries it runs
T_LOG_NODES=(pe1 pe2 p)
if FERRY_BUILD=$OTHER scripts/lab up --prefix "$PREFIX" >"$TMP/up.log" 2>&1; then
	ok "a lab $PREFIX up, run from another build directory ($OTHER)"
else
	not_ok "a lab $PREFIX up, run from another build directory ($OTHER)"
	note <"$TMP/up.log"
	finish
fi
pids() { cat "$(rundir pe1)"/*.pid "$(rundir pe2)"/*.pid "$(rundir p)"/*.pid 2>/dev/null | sort | tr '\n' ' '; }
PIDS=$(pids)

left_alone() {
	local out rc pid
	out=$(FERRY_LAB_PREFIX=$PREFIX scripts/demo 2>&1)
	rc=$?
	printf '%s\n' "$out" >"$TMP/demo1.out"
	[ $rc = 1 ] &&
		grep -qF "demo: a lab '$PREFIX' is up, run from $OTHER, not from this checkout's" <<<"$out" &&
		grep -qF "FERRY_LAB_PREFIX=mine make demo" <<<"$out" || {
		note <<<"exit $rc: $out"
		return 1
	}
	[ "$(pids)" = "$PIDS" ] || { note <<<"PIDs were $PIDS, now $(pids)"; return 1; }
	for pid in $PIDS; do
		t_running "$pid" || { note <<<"PID $pid no longer runs"; return 1; }
	done
	ip netns list | grep -q "^$(ns host-b2)\b"
}
check "scripts/demo on a lab of that prefix from another checkout: exit 1 naming it, the lab left running (same PIDs, namespaces)" \
	left_alone

down_refused() {
	local out rc pid
	out=$(scripts/lab down --prefix "$PREFIX" 2>&1)
	rc=$?
	[ $rc = 1 ] &&
		grep -qF "lab: lab '$PREFIX' runs from $OTHER, not from this checkout's" <<<"$out" &&
		grep -qF "(run directories /run/ferry/$PREFIX-*)" <<<"$out" &&
		grep -qF "scripts/lab down --prefix $PREFIX --force" <<<"$out" || {
		note <<<"exit $rc: $out"
		return 1
	}
	[ "$(pids)" = "$PIDS" ] || { note <<<"PIDs were $PIDS, now $(pids)"; return 1; }
	for pid in $PIDS; do
		t_running "$pid" || { note <<<"PID $pid no longer runs"; return 1; }
	done
	ip netns list | grep -q "^$(ns host-b2)\b"
}
check "scripts/lab down from this checkout on that lab: exit 1 naming the other build directory and --force, the lab left running" \
	down_refused

scripts/lab down --prefix "$PREFIX" --force >"$TMP/down.log" 2>&1
check "scripts/lab down --force takes it down all the same" t_lab_gone
t_lab_gone || note <"$TMP/down.log"
scripts/lab up --prefix "$PREFIX" >"$TMP/up2.log" 2>&1 || note <"$TMP/up2.log"
own_replaced() {
	local out rc
	out=$(FERRY_LAB_PREFIX=$PREFIX scripts/demo 2>&1)
	rc=$?
	printf '%s\n' "$out" >"$TMP/demo2.out"
	[ $rc = 0 ] && grep -qF "demo: a lab '$PREFIX' is already up: tearing it down first" <<<"$out" &&
		grep -qF "demo: all shown as expected." <<<"$out" || {
		note <<<"exit $rc: $out"
		return 1
	}
}
check "scripts/demo on a lab of that prefix from this checkout: torn down, the demo runs (exit 0)" \
	own_replaced

t_lab_down_check
finish
