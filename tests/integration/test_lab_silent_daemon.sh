#!/usr/bin/env bash
# scripts/lab up with a daemon that starts and stays alive but never opens
# its API socket (hung before it serves anything): the lab is not up. Its
# fwd is a stand-in that only sleeps (with fwd's arguments on its command
# line, as scripts/lab recognises its daemons by); up must exit 1 naming
# each such fwd, not report the lab up with a warning, and down must still
# stop them.
# Removes everything it created, also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init labsilent ls "lab up with a silent daemon"

t_prereqs "bgpd vrfmgr fwd ferryctl tools/whoami" ""

SILENT=$TMP/silent/build
mkdir -p "$SILENT/tools" &&
	cp "$BUILD"/{bgpd,vrfmgr,ferryctl} "$SILENT/" && cp "$BUILD/tools/whoami" "$SILENT/tools/" &&
	printf '#!/bin/sh\nexec python3 -c "import time; time.sleep(300)" "$@"\n' >"$SILENT/fwd" &&
	chmod +x "$SILENT/fwd"

T_LAB=1 # taken down on exit
T_LOG_NODES=(pe1 pe2 p)
FERRY_BUILD=$SILENT scripts/lab up --prefix "$PREFIX" >"$TMP/up.log" 2>&1
rc=$?
check "lab up exits 1 when a daemon runs but never opens its API socket (exit $rc)" eval '[ $rc = 1 ]'
check "each silent fwd is named (pe1, pe2, p)" eval \
	'[ "$(grep -cE "$PREFIX-(pe1|pe2|p) fwd runs but has no API socket" "$TMP/up.log")" = 3 ]'
[ $rc = 1 ] || note <"$TMP/up.log"
fwd_pids=$(cat "$(rundir pe1)/fwd.pid" "$(rundir pe2)/fwd.pid" "$(rundir p)/fwd.pid" 2>/dev/null)
FERRY_BUILD=$SILENT scripts/lab down --prefix "$PREFIX" >"$TMP/down.log" 2>&1
gone() {
	local pid
	[ "$(echo "$fwd_pids" | wc -w)" = 3 ] || return 1
	for pid in $fwd_pids; do ! kill -0 "$pid" 2>/dev/null || return 1; done
}
check "lab down stops the silent fwds too" poll 10 gone
finish
