#!/usr/bin/env bash
# bench/soak, bench/bgp-ingest and bench/vpn-imported remove their run directory on exit
# (rm -rf /run/ferry/$PREFIX, /var/run/frr/$PREFIX): a --prefix that is
# empty names /run/ferry itself, every router's run directory on the
# machine, and one with a '/' ('../netns') or a leading '.' another
# directory of /run. Such a
# prefix must be refused before anything is made or removed.
#
# In a mount namespace of its own with a tmpfs on /run/ferry (and on
# /var/run/frr when there is one) holding a canary run directory: nothing
# outside is touched, whatever the benchmark does. The benchmark is made to
# stop at once after its exit trap is set (--build names an empty
# directory). Needs root. Prints "ok - ..." / "not ok - ..."; exit 0 when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init bench_prefix fbp bench_prefix
t_prereqs "" "unshare"
mkdir -p /run/ferry "$TMP/empty"

# refused BENCH PREFIX: BENCH --prefix PREFIX exits 2 naming it, the canary kept
refused() {
	local bench=$1 pfx=$2 rc
	unshare -m --propagation private bash -c '
		bench=$1 pfx=$2 tmp=$3
		mount -t tmpfs ferry-test /run/ferry || exit 9
		[ ! -d /var/run/frr ] || mount -t tmpfs ferry-test /var/run/frr || exit 9
		mkdir /run/ferry/canary
		"$bench" --prefix "$pfx" --out "$tmp/out" --build "$tmp/empty" >"$tmp/stdout" 2>"$tmp/stderr"
		echo $? >"$tmp/rc"
		[ -d /run/ferry/canary ] && echo kept >"$tmp/canary" || echo gone >"$tmp/canary"
	' _ "$bench" "$pfx" "$TMP"
	rc=$(cat "$TMP/rc" 2>/dev/null)
	[ "$rc" = 2 ] && [ "$(cat "$TMP/canary")" = kept ] &&
		grep -cF "bad --prefix '$pfx'" "$TMP/stderr" >/dev/null && return 0
	note "$bench --prefix '$pfx': exit $rc, canary $(cat "$TMP/canary" 2>/dev/null), stderr: $(head -c 300 "$TMP/stderr")"
	return 1
}
check "bench/soak --prefix '': refused (exit 2), /run/ferry's other run directories kept (were removed: rm -rf /run/ferry/)" \
	refused bench/soak ""
check "bench/bgp-ingest --prefix '': refused (exit 2), /run/ferry's other run directories kept" \
	refused bench/bgp-ingest ""
check "bench/vpn-imported --prefix '': refused (exit 2), /run/ferry's other run directories kept" \
	refused bench/vpn-imported ""
check "bench/soak --prefix a/b: a '/' refused (exit 2; '../netns' would have been /run/netns)" \
	refused bench/soak a/b

finish
