#!/usr/bin/env bash
# Every benchmark under bench/ once, at a tiny size: each still runs to the
# end and prints its results. Nothing is measured here (figures belong in
# docs/performance.md, not in tests); this catches a benchmark that no longer
# builds its setup, crashes or hangs, as bench/fwd-lookup -c did after a
# change in fwd (a double free only its churn mode reached). Each benchmark
# cleans up its own namespaces and processes; their output directories are
# under TMP. Prints "ok - ..." / "not ok - ..."; exit 0 only when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init bench_smoke fb bench_smoke

t_prereqs "bgpd vrfmgr fwd ferryctl bench/fwd-lookup bench/vrfmgr-walk bench/mem-latency \
bench/bgp-sender bench/fwd-gen tools/fake_vrfmgr" "jq curl"

# bench NAME SECONDS CMD...: runs CMD (output in TMP/NAME.out), at most SECONDS; true when it exits 0.
bench() {
	local name=$1 secs=$2
	shift 2
	timeout -k 10 "$secs" "$@" >"$TMP/$name.out" 2>&1 && return 0
	note "$name exited $?; its last lines:"
	tail -n 8 "$TMP/$name.out" | while IFS= read -r l; do note "$l"; done
	return 1
}
has() { grep -Eq -- "$2" "$TMP/$1.out"; } # has NAME REGEX: the output has such a line
lacks() { ! grep -Eq -- "$2" "$TMP/$1.out"; }

# --- in memory ---------------------------------------------------------------------------
small=(-r 20000 -v 20 -n 65536)
if bench lookup 60 "$BUILD/bench/fwd-lookup" "${small[@]}" -k 1; then
	ok "fwd-lookup: every path runs"
	for p in push pop popce swap; do
		check "fwd-lookup: $p reports its rate" has lookup "^$p +[0-9.]+ ns/pkt +[0-9.]+ Mpps"
	done
	check "fwd-lookup: the LPM alone reports its time" has lookup '^lpm +[0-9.]+ ns/lookup'
	check "fwd-lookup: every frame of every path forwarded" lacks lookup 'packets forwarded'
else
	not_ok "fwd-lookup: every path runs"
fi
if bench churn 60 "$BUILD/bench/fwd-lookup" "${small[@]}" -k 1 -c 20000 -t 1; then
	ok "fwd-lookup -c: forwarding beside route churn runs to the end"
	check "fwd-lookup -c: the churn was applied" has churn '^churn: 20000 updates/s asked, [1-9][0-9]* applied/s'
	check "fwd-lookup -c: the forwarding rate under churn is reported" has churn '^push, churn: +[0-9.]+ Mpps'
else
	not_ok "fwd-lookup -c: forwarding beside route churn runs to the end"
fi
if bench walk 60 "$BUILD/bench/vrfmgr-walk" -r 20000 -v 20; then
	check "vrfmgr-walk: both walks report" has walk '^small +batch'
else
	not_ok "vrfmgr-walk runs"
fi
if bench latency 60 "$BUILD/bench/mem-latency" -s 100000; then
	check "mem-latency: reports load latencies" has latency 'ns a load'
else
	not_ok "mem-latency runs"
fi

# --- daemons, loopback ----------------------------------------------------------------------
if bench rib 120 bench/bgpd-rib -n 2000 --runs 1; then
	check "bgpd-rib: bytes per route reported" has rib '^median +[0-9.]+ +[0-9.]+'
else
	not_ok "bgpd-rib runs"
fi
if bench paths 120 bench/bgpd-paths -n 2000 --runs 1; then
	check "bgpd-paths: a second neighbor's routes in and withdrawn, reported" \
		has paths '^median 0( +[0-9.]+){4} '
else
	not_ok "bgpd-paths runs"
fi

# --- daemons in namespaces ------------------------------------------------------------------
if bench ingest 300 bench/bgp-ingest --sizes 2000 --runs 1 --receivers ferry,sink --rds 10 \
	--prefix "$PREFIX-i" --out "$TMP/ingest"; then
	check "bgp-ingest: ferry's fwd got every route (per prefix and per VRF)" \
		has ingest '^\| ferry fwd FIB \| [0-9.]+ \| [0-9.]+ \|$'
else
	not_ok "bgp-ingest runs"
fi
if bench dump 300 bench/api-dump --routes 2000 --rds 10 --runs 1 --lookups 5 \
	--prefix "$PREFIX-d" --out "$TMP/dump"; then
	check "api-dump: dumps and lookups reported" has dump '^- single-prefix lookup'
else
	not_ok "api-dump runs"
fi
soak_reported() {
	has soak '^\| (vrfmgr|bgpd|fwd) \| [0-9]+ / [0-9]+ / [0-9]+ \| [-+][0-9.]+ \| [0-9]+ / [0-9]+ / [0-9]+ \| [-+][0-9]+ \|' &&
		[ "$(grep -cE '^\| (vrfmgr|bgpd|fwd) \| [0-9]' "$TMP/soak.out")" = 3 ] &&
		has soak '^\| withdraw \| fwd \| [0-9.]+ \|'
}
if bench soak 300 bench/soak --routes 2000 --cycles 2 --rds 10 --prefix "$PREFIX-s" \
	--out "$TMP/soak"; then
	check "soak: each daemon's memory and each stage's times over two cycles reported" soak_reported
else
	not_ok "soak runs"
fi
vpni_reported() {
	has vpni '^\| `/vpn\?imported=false` \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| 1000 \|$' &&
		has vpni '^\| `/vpn\?imported=true` \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| 1000 \|$' &&
		has vpni '^\| `/vpn` \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| 2000 \|$'
}
if bench vpni 120 bench/vpn-imported --routes 2000 --vrfs 10 --runs 1 --prefix "$PREFIX-i" \
	--out "$TMP/vpni"; then
	check "vpn-imported: each query's time reported, half the routes imported and half not" vpni_reported
else
	not_ok "vpn-imported runs"
fi
vscale_reported() { has vscale '^\| 50 \| [0-9]+ \| [0-9]+ \|' && has vscale '^\| 100 \| [0-9]+ \|'; }
if bench vscale 60 bench/vrfmgr-scale -n 50 --check 100 --runs 1 --out "$TMP/vscale"; then
	check "vrfmgr-scale: start, reload and -n times reported" vscale_reported
else
	not_ok "vrfmgr-scale runs"
fi
if bench veth 120 bench/fwd-veth --hops 1 --seconds 1 --runs 1 --prefix "$PREFIX-v"; then
	check "fwd-veth: both chains' one-hop rates reported" \
		has veth '^1 +(>=)?[0-9.]+ of [0-9.]+ .* (>=)?[0-9.]+ of [0-9.]+'
else
	not_ok "fwd-veth runs"
fi
check "no namespace of this test is left" eval '! ip netns list | grep -c "^$PREFIX-" >/dev/null'

finish
