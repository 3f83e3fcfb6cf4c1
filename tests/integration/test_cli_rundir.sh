#!/usr/bin/env bash
# ferryctl without -i finds the router's run directory under /run/ferry by a
# daemon's socket. show daemons (and reload check) ask every daemon of the
# node: they must find it by any of bgpd's, vrfmgr's or fwd's socket, as the
# daemon they are there to report may be the one that is down (a fwd that
# stopped; a PE on the kernel dataplane runs none). They looked for fwd's
# alone: "no fwd running under /run/ferry", no table.
#
# A private /run/ferry (tmpfs in a mount namespace of its own, so the
# machine's other routers are not seen and nothing of theirs is touched),
# in a network namespace of the run's prefix (vrfmgr's TCP API on
# 127.0.0.1 stays there); one real vrfmgr (configs/lab/pe1.json), no bgpd,
# no fwd. Needs root. Prints "ok - ..." / "not ok - ..."; exit 0 when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init cli_rundir fcr cli_rundir
t_prereqs "vrfmgr ferryctl" "unshare ip"

t_netns_add n || { not_ok "namespace $(ns n) made"; finish; }
ip netns exec "$(ns n)" ip link set lo up
mkdir -p /run/ferry

# Inside: a tmpfs on /run/ferry, vrfmgr in /run/ferry/r1 (stopped by its PID
# on the way out), then ferryctl show daemons with no -i: out, err, rc in TMP.
ip netns exec "$(ns n)" unshare -m --propagation private bash -c '
	vrfmgr=$1 ctl=$2 tmp=$3
	mount -t tmpfs ferry-test /run/ferry || exit 9
	mkdir /run/ferry/r1
	"$vrfmgr" -c configs/lab/pe1.json -r /run/ferry/r1 >"$tmp/vrfmgr.log" 2>&1 &
	pid=$!
	trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null" EXIT
	for _ in $(seq 100); do # at most 10 s
		[ -S /run/ferry/r1/vrfmgr.sock ] && break
		sleep 0.1
	done
	[ -S /run/ferry/r1/vrfmgr.sock ] || exit 8 # no socket to find: nothing to ask ferryctl
	"$ctl" show daemons >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
' _ "$BUILD/vrfmgr" "$CTL" "$TMP"
inside=$?
case $inside in
0) ;;
8)
	not_ok "timed out after 10 s waiting for vrfmgr's API socket in the private /run/ferry/r1"
	note "vrfmgr: $(tail -n 5 "$TMP/vrfmgr.log" 2>/dev/null)"
	finish
	;;
*)
	not_ok "a private /run/ferry (tmpfs in a mount namespace) with vrfmgr in it (exit $inside)"
	finish
	;;
esac

row() { awk -v d="$1" '$1 == d { $1 = $1; print }' "$TMP/out"; }
found_by_vrfmgr() {
	[ "$(cat "$TMP/rc" 2>/dev/null)" = 0 ] && [[ $(row vrfmgr) == "vrfmgr running "* ]] &&
		[ "$(row bgpd)" = "bgpd not running - - - - - -" ] &&
		[ "$(row fwd)" = "fwd not running - - - - - -" ] && return 0
	note "exit $(cat "$TMP/rc" 2>/dev/null), stdout: $(cat "$TMP/out" 2>/dev/null), stderr: $(cat "$TMP/err" 2>/dev/null)"
	note "vrfmgr: $(tail -n 5 "$TMP/vrfmgr.log" 2>/dev/null)"
	return 1
}
check "show daemons without -i finds the node by vrfmgr's socket, fwd down: vrfmgr running, bgpd and fwd not running, exit 0 (was 'no fwd running under /run/ferry', exit 1)" \
	found_by_vrfmgr

finish
