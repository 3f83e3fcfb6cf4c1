#!/usr/bin/env bash
# Integration test of the JSON API and ferryctl (issue 6), on a private copy
# of the lab (scripts/lab up --prefix, removed on exit, also on failure):
#  - listeners: Unix sockets mode 0660, loopback TCP by default, nothing on
#    other addresses; TLS plus bearer token on a non-loopback address;
#  - content of every endpoint checked against the lab's configured routes
#    (bgpd neighbors/routes with filters and paging, one route in detail;
#    vrfmgr VRFs, routes, longest match, VPN table, explain, labels, LSPs;
#    fwd FIB, lookup, LFIB, ARP), Prometheus metrics of all three;
#  - bad requests: 4xx with a JSON error naming what was wrong (and the
#    parameter, in "param"), and a client
#    that never finishes its request is dropped without blocking anyone;
#  - 100k routes in bgpd and VRF A (bench/bgp-sender in place of pe2's
#    bgpd): paging (bgpd /routes, vrfmgr /routes and /vpn) and full dumps see
#    each route once, bgpd's, vrfmgr's and fwd's (/fib) memory stays flat;
#  - an UPDATE changing only a route's RTs (tools/bgp_raw in place of pe2's
#    bgpd): bgpd's route event and vrfmgr's fib add carry the new ones;
#  - events: a live SSE stream sees the session and route changes, resumes
#    with ?since= and Last-Event-ID, a lost position gets "resync" and a
#    snapshot of the state (bgpd: session and routes; vrfmgr: what fwd
#    holds), ferryctl events --snapshot, and an idle stream outlives the
#    read timeout;
#  - ferryctl show/trace/verify on the lab, and ferryctl --url against the
#    TLS listener (CA verified, bearer token from a file); verify and trace catch an
#    inconsistency injected into fwd through vrfmgr's test-only endpoint
#    (api.read_only false), and a vrfmgr restart (fwd replay) repairs it.
# Prints "ok - ..." / "not ok - ..." per check and a summary; exit 0 only
# when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init api fapi api
RUN1=$(rundir pe1)
RUN2=$(rundir pe2)

# get DAEMON PATH [curl args]: the body from pe1's daemon (status in $TMP/code, 000 when
# no answer came, curl's exit status in $TMP/curl_rc)
get() {
	local d=$1 p=$2
	shift 2
	: >"$TMP/body" # a request that got no answer shows no body, not the one before's
	curl -s --max-time 30 -o "$TMP/body" -w '%{http_code}' --unix-socket "$RUN1/$d.sock" \
		"$@" "http://ferry$p" >"$TMP/code" 2>/dev/null
	echo $? >"$TMP/curl_rc"
	cat "$TMP/body"
}
code() { cat "$TMP/code"; }
ctl() { "$CTL" -i "$PREFIX-pe1" "$@"; } # (lib.sh's ctl takes a node and adds --json)
pid_of() { cat "$1/$2.pid" 2>/dev/null; }

# --- prerequisites and the lab ---------------------------------------------------
t_prereqs "bgpd vrfmgr fwd ferryctl bench/bgp-sender" "jq curl openssl python3"
t_lab_up "lab up with prefix $PREFIX"

# A client that sends half a request and waits: it must be dropped (timeout),
# and must not hold up anyone else meanwhile.
python3 - "$RUN1/bgpd.sock" >"$TMP/slow.txt" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"GET /routes HTTP/1.1\r\nHost: x\r\n")
t = time.time()
s.settimeout(40)
try:
    while s.recv(4096):
        pass
except Exception as e:
    print("error", e)
print("closed after %.1f" % (time.time() - t))
EOF
t_track $!
SLOW_PID=$!

vpn_ready() {
	[ "$(get vrfmgr '/routes?vrf=A&address=192.168.101.10' | jq -r '.routes[0].inner_label')" = 200 ] &&
		[ "$(get vrfmgr '/routes?vrf=B&address=192.168.101.10' | jq -r '.routes[0].inner_label')" = 201 ]
}
if poll 60 vpn_ready; then
	ok "pe1 learned pe2's VPN routes (the lab converged)"
else
	not_ok "pe1 learned pe2's VPN routes (the lab converged)"
	ctl show vrf routes 2>&1 | note
	finish
fi

# --- listeners -------------------------------------------------------------------------
modes() {
	local d m
	for d in bgpd vrfmgr fwd; do
		m=$(stat -c %a "$RUN1/$d.sock")
		[ "$m" = 660 ] || { echo "# $d.sock mode $m"; return 1; }
	done
}
check "Unix sockets bgpd/vrfmgr/fwd.sock are mode 0660" modes
tcp_loopback() {
	inns pe1 curl -sf --max-time 5 http://127.0.0.1:7179/neighbors |
		jq -e '.neighbors[0].address == "10.255.0.2"' >/dev/null &&
		inns pe1 curl -sf --max-time 5 http://127.0.0.1:7180/vrfs |
		jq -e '[.vrfs[].name] == ["A","B"]' >/dev/null &&
		inns pe1 curl -sf --max-time 5 'http://127.0.0.1:7181/fib?vrf=A' | jq -e '.fib | length == 4' >/dev/null
}
check "default TCP listeners on 127.0.0.1:7179/7180/7181 answer (bgpd, vrfmgr, fwd)" tcp_loopback
not_elsewhere() { # nothing listens: connection refused (curl exit 7); any failure passed before
	inns pe1 curl -s --max-time 3 http://10.255.0.1:7179/neighbors >/dev/null
	[ $? = 7 ]
}
check "nothing listens on pe1's other addresses by default" not_elsewhere

# --- bgpd ------------------------------------------------------------------------------------
bgp_neighbors() {
	get bgpd /neighbors | jq -e '.neighbors[0] | .address == "10.255.0.2" and .remote_as == 65000
		and .state == "Established" and .families == ["vpnv4"] and .hold_time == 90' >/dev/null &&
		get bgpd '/neighbor?address=10.255.0.2' | jq -e '.session.negotiated.families == ["vpnv4"]
		and .routes.accepted == 4 and .routes.best == 4 and .config.connect_retry == 5
		and .session.received.router_id == "10.255.0.2"' >/dev/null
}
check "bgpd /neighbors and /neighbor?address=: Established, AS 65000, vpnv4, 4 routes accepted" bgp_neighbors
bgp_routes() {
	get bgpd /routes | jq -e '.destinations == 8 and .paths == 8 and .next == null
		and ([.routes[] | select(.peer == "10.255.0.2")] | length == 4)
		and ([.routes[] | select(.rd == "10.255.0.2:200" and .prefix == "192.168.101.0/24"
			and .label == 201 and .route_targets == ["65000:200"] and .best)] | length == 1)' >/dev/null
}
check "bgpd /routes: 8 destinations, pe2's with labels 200/201 and RTs" bgp_routes
bgp_filters() {
	get bgpd '/routes?rd=10.255.0.2:100' | jq -e '[.routes[].rd] == ["10.255.0.2:100","10.255.0.2:100"]' >/dev/null &&
		get bgpd '/routes?prefix=192.168.0.0/16&match=longer' |
		jq -e '.destinations == 4 and all(.routes[]; .prefix | startswith("192.168."))' >/dev/null &&
		get bgpd '/routes?prefix=192.168.101.5/32&match=shorter' | jq -e '.destinations == 2' >/dev/null &&
		get bgpd '/routes?rt=65000:200' | jq -e '.destinations == 4 and all(.routes[]; .route_targets == ["65000:200"])' >/dev/null &&
		get bgpd '/routes?neighbor=10.255.0.2&best=true' | jq -e '.paths == 4 and all(.routes[]; .peer == "10.255.0.2" and .best)' >/dev/null &&
		get bgpd '/routes?neighbor=local' | jq -e '.paths == 4 and all(.routes[]; .peer == "local")' >/dev/null &&
		get bgpd '/routes?rd=10.255.0.1:200&prefix=192.168.100.0/24' | jq -e '.paths == 1 and .routes[0].label == 101' >/dev/null
}
check "bgpd /routes filters: rd, prefix exact/longer/shorter, rt, neighbor, best" bgp_filters
# paged DAEMON PATH QUERY JQ: every page of PATH?QUERY through &after=next,
# JQ's lines of each, in order
paged() {
	local next="" out
	while :; do
		out=$(get "$1" "$2?$3${next:+&after=$next}") || return 1
		jq -r "$4" <<<"$out"
		next=$(jq -r '.next // empty' <<<"$out")
		[ -n "$next" ] || break
	done
}
page_all() { # page_all LIMIT: every destination, one per line
	paged bgpd /routes "limit=$1" '.routes[] | select(.best) | "\(.rd):\(.prefix)"'
}
paging() {
	page_all 3 | sort >"$TMP/paged"
	get bgpd /routes | jq -r '.routes[] | select(.best) | "\(.rd):\(.prefix)"' | sort >"$TMP/all"
	[ "$(wc -l <"$TMP/paged")" = 8 ] && cmp -s "$TMP/paged" "$TMP/all"
}
check "bgpd paging (limit=3, after=next) gives every destination exactly once" paging
bgp_route() {
	get bgpd '/route?rd=10.255.0.2:100&prefix=192.168.101.0/24' | jq -e '.best_reason == "only path"
		and .paths[0].label == 200 and .paths[0].next_hop == "10.255.0.2"
		and .ranking[0].best and .sent_to_vrfmgr
		and (.ranking[0] | .reason == "only path" and has("lost_because") and .lost_because == null)' >/dev/null
}
check "bgpd /route: the one path, label 200, why best, sent to vrfmgr" bgp_route

# --- vrfmgr -------------------------------------------------------------------------------------
vrfmgr_content() {
	get vrfmgr /vrfs | jq -e '[.vrfs[] | [.name, .rd, .label, .import_rts[0], .export_rts[0]]]
		== [["A","10.255.0.1:100",100,"65000:100","65000:100"],["B","10.255.0.1:200",101,"65000:200","65000:200"]]' >/dev/null &&
		get vrfmgr '/routes?vrf=A&address=192.168.101.10' | jq -e '.routes[0] | .prefix == "192.168.101.0/24"
		and .source == "bgp" and .inner_label == 200 and .outer_label == 16 and .remote_pe == "10.255.0.2"
		and .next_hop == "10.0.1.2" and .interface == "core0" and .installed
		and has("reason") and .reason == null' >/dev/null &&
		get vrfmgr '/routes?vrf=B&prefix=192.168.100.0/24' | jq -e '.routes[0] | .source == "static"
		and .next_hop == "10.2.1.2" and .interface == "ce-b1"' >/dev/null &&
		get vrfmgr /vpn | jq -e '.count == 4 and ([.routes[] | select(.rd == "10.255.0.2:100"
		and .prefix == "192.168.101.0/24" and .label == 200 and .vrfs == ["A"])] | length == 1)
		and all(.routes[]; .imported == true)' >/dev/null
}
check "vrfmgr /vrfs, /routes (address, prefix), /vpn match the lab configs (each VPN route imported)" vrfmgr_content
every_vrf() { # the same customer address in both tenants: each VRF's longest match, API and ferryctl
	get vrfmgr '/routes?address=192.168.101.10' | jq -e '[.routes[] | [.vrf, .prefix, .inner_label]]
		== [["A","192.168.101.0/24",200],["B","192.168.101.0/24",201]]' >/dev/null &&
		[ "$(ctl show vrf routes 192.168.101.10 | awk 'NR > 1 { print $1, $2, $7 }' | paste -sd,)" = \
			"A 192.168.101.0/24 200,B 192.168.101.0/24 201" ]
}
check "vrfmgr /routes?address= without a VRF, and ferryctl show vrf routes ADDRESS: one route per VRF (A 200, B 201)" every_vrf
vrf_page_all() { # vrf_page_all LIMIT [QUERY]: VRF:prefix, one per line
	paged vrfmgr /routes "${2:+$2&}limit=$1" '.routes[] | "\(.vrf):\(.prefix)"'
}
vpn_page_all() { # vpn_page_all LIMIT: the VPN table's RD:prefixes
	paged vrfmgr /vpn "limit=$1" '.routes[] | "\(.rd):\(.prefix)"'
}
# each_once: the number of lines read, or "N repeated" when N lines came more than once
# (paging must give each route once; sort -u | wc -l took a repeated one for one)
each_once() { sort | uniq -c | awk '$1 > 1 { d++ } END { print d ? d " repeated" : NR }'; }
vrf_paging() {
	[ "$(vrf_page_all 3 | each_once)" = 8 ] && [ "$(vpn_page_all 3 | each_once)" = 4 ] &&
		get vrfmgr '/routes?limit=2&after=B:10.2.2.0/30' | jq -e '.next == null and .prefixes == 2' >/dev/null &&
		get vrfmgr '/routes?prefix=192.168.0.0/16&match=longer' |
		jq -e '.prefixes == 4 and all(.routes[]; .prefix | startswith("192.168."))' >/dev/null &&
		get vrfmgr '/vpn?rt=65000:200' | jq -e '.returned == 2 and all(.routes[]; .vrfs == ["B"])' >/dev/null &&
		get vrfmgr '/routes?after=nonsense' | jq -e '.status == 400 and (.error | contains("after"))' >/dev/null
}
vrfmgr_explain() {
	get vrfmgr '/explain?rd=10.255.0.2:100&prefix=192.168.101.0/24' | jq -e '
		(.vrfs[] | select(.vrf == "A") | .verdict == "installed" and .chain.outer_label == 16
		 and .chain.lsp.fec == "10.255.0.2/32") and
		(.vrfs[] | select(.vrf == "B") | .verdict == "no-common-rt")' >/dev/null &&
		get vrfmgr /labels | jq -e '[.labels[] | [.label, .vrf, .action]] == [[100,"A","pop-lookup"],[101,"B","pop-lookup"]]' >/dev/null &&
		get vrfmgr /lsps | jq -e '.lsps == [{"fec":"10.255.0.2/32","out_label":16,"next_hop":"10.0.1.2","interface":"core0"}]' >/dev/null
}
check "vrfmgr /explain (A installed through LSP 16, B no common RT), /labels, /lsps" vrfmgr_explain
check "vrfmgr /routes and /vpn paged (limit=3, after=next: 8 and 4, each once), match=longer, rt" vrf_paging

# --- fwd ------------------------------------------------------------------------------------------
inns host-a1 ping -n -q -c 1 -W 2 192.168.101.10 >/dev/null 2>&1 # resolves ARP for 10.0.1.2
fwd_content() {
	get fwd '/fib?vrf=A' | jq -e '[.fib[] | select(.prefix == "192.168.101.0/24")][0] | .type == "labeled"
		and .out_label == 16 and .inner_label == 200 and .gateway == "10.0.1.2"' >/dev/null &&
		get fwd '/lookup?vrf=B&address=192.168.101.20' | jq -e '.found and .inner_label == 201
		and .out_label == 16 and .interface == "core0" and .arp.state == "reachable"' >/dev/null &&
		get fwd /lfib | jq -e '[.lfib[] | [.in_label, .vrf]] == [[100,"A"],[101,"B"]]' >/dev/null &&
		get fwd '/lfib?vrf=B' | jq -e '[.lfib[] | [.in_label, .vrf]] == [[101,"B"]]' >/dev/null &&
		get fwd /arp | jq -e 'any(.arp[]; .address == "10.0.1.2" and .state == "reachable")' >/dev/null
}
check "fwd /fib, /lookup (labels, gateway MAC), /lfib, /arp" fwd_content
fwd_paging() {
	paged fwd /fib "limit=3" '.fib[] | "\(.vrf):\(.prefix)"' >"$TMP/fib_paged" &&
		get fwd /fib | jq -r '.fib[] | "\(.vrf):\(.prefix)"' >"$TMP/fib_all" &&
		[ -s "$TMP/fib_all" ] && cmp -s "$TMP/fib_paged" "$TMP/fib_all" &&
		get fwd '/fib?limit=0' | jq -e '.status == 400 and .param == "limit"' >/dev/null
}
check "fwd /fib paged (limit=3, after=next) gives the whole FIB in order, each route once" fwd_paging
across_tenants() { # a tool's questions asked of all three daemons alike (docs/api.md, Names)
	local local_label
	get fwd '/fib?prefix=192.168.101.0/24' | jq -c '[.fib[] | [.vrf, .inner_label, .outer_label]]' >"$TMP/t_fwd" &&
		get vrfmgr '/routes?prefix=192.168.101.0/24' |
		jq -c '[.routes[] | [.vrf, .inner_label, .outer_label]]' >"$TMP/t_vrfmgr" &&
		[ "$(cat "$TMP/t_fwd")" = '[["A",200,16],["B",201,16]]' ] && cmp -s "$TMP/t_fwd" "$TMP/t_vrfmgr" &&
		[ "$(paged fwd /fib 'prefix=192.168.0.0/16&match=longer&limit=1' '.fib[] | "\(.vrf):\(.prefix)"' |
			paste -sd,)" = "A:192.168.100.0/24,A:192.168.101.0/24,B:192.168.100.0/24,B:192.168.101.0/24" ] &&
		get fwd '/fib?prefix=192.168.101.7/32&match=shorter&vrf=B' |
		jq -e '[.fib[] | .prefix] == ["192.168.101.0/24"] and .prefixes == 1' >/dev/null &&
		local_label=$(get bgpd '/routes?rd=10.255.0.1:100&prefix=192.168.100.0/24' | jq '.routes[0].label') &&
		[ "$local_label" = 100 ] &&
		get vrfmgr '/routes?vrf=A&prefix=192.168.100.0/24' | jq -e --argjson l "$local_label" \
		'.routes[0] | .source == "static" and .export_label == $l and .inner_label == null' >/dev/null &&
		get vrfmgr '/routes?vrf=A&prefix=192.168.101.0/24' | jq -e '.routes[0].export_label == null' >/dev/null &&
		get vrfmgr '/vpn?imported=false' | jq -e '.count == 4 and .returned == 0 and .routes == []' >/dev/null &&
		get vrfmgr '/vpn?imported=true' | jq -e '.returned == 4' >/dev/null &&
		get vrfmgr '/vpn?imported=no' | jq -e '.status == 400 and .param == "imported"' >/dev/null
}
check "across tenants: fwd /fib?prefix= and vrfmgr /routes?prefix= give the same labels under the same names (outer_label), paged too; a local route's export_label is bgpd's label; /vpn?imported=" across_tenants
metrics() {
	get bgpd /metrics >"$TMP/m1"
	get vrfmgr /metrics >"$TMP/m2"
	get fwd /metrics >"$TMP/m3"
	grep -qx 'ferry_bgp_session_up{neighbor="10.255.0.2",description="pe2"} 1' "$TMP/m1" &&
		grep -qx 'ferry_bgp_rib_destinations 8' "$TMP/m1" &&
		grep -qx 'ferry_vrf_installed_prefixes{vrf="A"} 4' "$TMP/m2" &&
		grep -qx 'ferry_labels{state="used"} 2' "$TMP/m2" &&
		grep -qx 'ferry_fib_entries{vrf="B"} 4' "$TMP/m3" &&
		grep -qx 'ferry_lfib_entries 2' "$TMP/m3" &&
		grep -q '^ferry_drops_total{reason="no_route"} ' "$TMP/m3" &&
		curl -sI --max-time 5 --unix-socket "$RUN1/fwd.sock" http://ferry/metrics -X GET |
		grep -ci '^content-type: text/plain; version=0.0.4' >/dev/null
}
check "/metrics of bgpd, vrfmgr, fwd: sessions, routes per VRF, labels, FIB/LFIB, drops" metrics
# value NAME FILE: the sample of an unlabelled family in a saved /metrics
value() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }
# Each daemon's own process: memory, heap, descriptors, CPU, start time, beside /proc.
process_metrics() {
	local f now rss heap fds start
	now=$(date +%s)
	for f in "$TMP/m1" "$TMP/m2" "$TMP/m3"; do
		rss=$(value process_resident_memory_bytes "$f")
		heap=$(value ferry_heap_in_use_bytes "$f")
		fds=$(value process_open_fds "$f")
		start=$(value process_start_time_seconds "$f")
		grep -qx '# TYPE process_cpu_seconds_total counter' "$f" &&
			[ -n "$(value process_cpu_seconds_total "$f")" ] &&
			[ "${rss:-0}" -gt 1000000 ] && [ "${heap:-0}" -gt 10000 ] &&
			[ "${heap:-0}" -lt "$rss" ] && [ "${fds:-0}" -ge 3 ] &&
			[ -n "$(value process_max_fds "$f")" ] &&
			awk -v s="${start:-0}" -v n="$now" 'BEGIN { exit !(s > n - 3600 && s <= n + 1) }' || {
			echo "$f: rss=$rss heap=$heap fds=$fds start=$start now=$now" | note
			return 1
		}
	done
}
check "/metrics of each daemon: its resident memory, heap in use, descriptors, CPU, start time" process_metrics

# --- bad requests ------------------------------------------------------------------------------------
err_is() { # err_is STATUS TEXT DAEMON PATH [curl args]: that status, JSON error mentioning TEXT
	local st=$1 txt=$2 body
	shift 2
	body=$(get "$@")
	[ "$(code)" = "$st" ] && jq -e --arg t "$txt" --argjson s "$st" \
		'.status == $s and (.error | contains($t))' <<<"$body" >/dev/null && return 0
	echo "# GET $2: $(code) (curl exit $(cat "$TMP/curl_rc")) $body" | head -c 300
	echo
	return 1
}
head -c 5000 /dev/zero | tr '\0' b >"$TMP/body5k"
head -c 70000 /dev/zero | tr '\0' b >"$TMP/body70k"
raw_refusal() { # what evhttp refuses itself (not HTTP at all) is a JSON 400 too
	python3 - "$1" <<'EOF' | grep -c '^HTTP/1.1 400 .*"error":"malformed request.*"status":400}$' >/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"GARBAGE\r\n\r\n")
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(data.decode(errors="replace").replace("\r\n", " "))
EOF
}
param_is() { # param_is STATUS PARAM DAEMON PATH: that status, the error's "param" naming PARAM
	local st=$1 prm=$2 body
	shift 2
	body=$(get "$@")
	[ "$(code)" = "$st" ] && jq -e --arg p "$prm" '.param == $p' <<<"$body" >/dev/null && return 0
	echo "# GET $2: $(code) (curl exit $(cat "$TMP/curl_rc")) $body" | head -c 300
	echo
	return 1
}
bad_requests() {
	err_is 404 "no such path: /nope" bgpd /nope &&
		param_is 400 rd bgpd '/routes?rd=65000' &&
		param_is 400 prefix bgpd '/route?rd=10.255.0.2:100' &&
		param_is 400 vrf bgpd '/routes?vrf=A' &&
		param_is 404 vrf vrfmgr '/routes?vrf=Z' &&
		param_is 400 neighbor vrfmgr '/vpn?neighbor=local' &&
		param_is 400 address fwd '/lookup?vrf=A&address=300.1.1.1' &&
		err_is 400 'rd: "65000"' bgpd '/routes?rd=65000' &&
		err_is 400 'prefix: "10.0.0.1/8"' bgpd '/routes?prefix=10.0.0.1/8' &&
		err_is 400 'unknown parameter "vrf"' bgpd '/routes?vrf=A' &&
		err_is 400 'given twice' bgpd '/routes?rd=65000:1&rd=65000:2' &&
		err_is 400 'limit' bgpd '/routes?limit=0' &&
		err_is 400 'after' bgpd '/routes?after=nonsense' &&
		err_is 400 'want ?rd=RD&prefix=PREFIX' bgpd '/route' &&
		err_is 404 'no route 10.255.0.9:1:10.0.0.0/8' bgpd '/route?rd=10.255.0.9:1&prefix=10.0.0.0/8' &&
		err_is 404 'no VRF named "Z"' vrfmgr '/routes?vrf=Z' &&
		err_is 400 'limit: not with address=' vrfmgr '/routes?vrf=A&address=192.168.101.10&limit=1' &&
		err_is 400 'address' fwd '/lookup?vrf=A&address=300.1.1.1' &&
		err_is 405 'want GET' bgpd /routes -X POST &&
		err_is 403 'read-only API' vrfmgr '/debug/fwd/fib-del?vrf=A&prefix=192.168.101.0/24' -X POST &&
		err_is 400 'since' bgpd '/events?since=x' &&
		err_is 414 'too long' bgpd "/routes?rd=$(head -c 5000 /dev/zero | tr '\0' 1)" &&
		err_is 431 'headers too large' bgpd /routes -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' x)" &&
		err_is 413 'request body of 5000 bytes' bgpd /routes -X POST --data-binary "@$TMP/body5k" &&
		err_is 405 'want GET' bgpd /routes -X TRACE &&
		err_is 413 'a body over 64 KiB' bgpd /routes -X POST --data-binary "@$TMP/body70k" &&
		raw_refusal "$RUN1/bgpd.sock"
}
check "bad requests: 404/400/405/403/414/431/413, each a JSON error naming what was wrong (and the parameter, in param)" bad_requests
bad_params() { # every endpoint checks its query: unknown, repeated, other case (docs/api.md)
	err_is 400 'unknown parameter "x" (want none)' bgpd '/neighbors?x=1' &&
		err_is 400 'malformed query string: "x" is not NAME=VALUE' bgpd '/neighbors?x' &&
		err_is 400 'unknown parameter "RD"' bgpd '/routes?RD=10.255.0.2:100' &&
		err_is 400 'given twice' bgpd '/neighbor?address=10.255.0.2&address=10.255.0.2' &&
		err_is 400 'unknown parameter "x" (want none)' bgpd '/?x=1' &&
		err_is 400 'unknown parameter "name"' vrfmgr '/vrfs?name=A' &&
		err_is 400 'unknown parameter "x" (want vrf)' vrfmgr '/labels?vrf=A&x=1' &&
		err_is 400 'unknown parameter "x" (want none)' vrfmgr '/lsps?x=1' &&
		err_is 400 'unknown parameter "vfr" (want rd, prefix, vrf)' vrfmgr \
			'/explain?rd=10.255.0.2:100&prefix=192.168.101.0/24&vfr=B' &&
		err_is 400 'given twice' vrfmgr '/routes?vrf=A&vrf=B' &&
		err_is 400 'given twice' fwd '/fib?vrf=A&vrf=B' &&
		err_is 400 'unknown parameter "VRF" (want vrf, prefix, match, limit, after)' fwd '/fib?VRF=A' &&
		err_is 400 'unknown parameter "x" (want vrf)' fwd '/lfib?x=1' &&
		err_is 400 'unknown parameter "x" (want none)' fwd '/arp?x=1' &&
		err_is 400 'unknown parameter "x" (want vrf)' fwd '/counters?vrf=A&x=1'
}
check "query parameters: unknown, repeated, other-case names and a piece without '=' are 400 on every endpoint of bgpd, vrfmgr, fwd" bad_params
slow_dropped() {
	! kill -0 "$SLOW_PID" 2>/dev/null && grep -qE '^closed after ([0-9]|1[0-9])\.' "$TMP/slow.txt"
}
if poll 20 slow_dropped; then
	ok "a client that never finishes its request is dropped after the timeout ($(cat "$TMP/slow.txt"))"
else
	not_ok "a client that never finishes its request is dropped after the timeout"
	note <"$TMP/slow.txt"
fi

# --- ferryctl ------------------------------------------------------------------------------------------
ctl_show() {
	ctl show bgp neighbors | grep -c "^10.255.0.2 .*Established" >/dev/null &&
		ctl show bgp vpnv4 rd 10.255.0.2:100 192.168.101.0/24 | grep -c "best: only path" >/dev/null &&
		[ "$(ctl show vrf A routes | grep -c '^A ')" = 4 ] &&
		[ "$(ctl vrf routes A | grep -c '^A ')" = 4 ] &&
		ctl show fib B | grep -cE '^B +2 +192.168.101.0/24 +labeled +core0 +10.0.1.2 +16 +201$' >/dev/null &&
		ctl show lfib | grep -cE '^101 +pop_lookup +B' >/dev/null &&
		ctl --json show bgp vpnv4 | jq -e '.destinations == 8' >/dev/null &&
		ctl vrf explain 10.255.0.2:200 192.168.101.0/24 | grep -c "VRF B: installed" >/dev/null
}
check "ferryctl show bgp/vrf/fib/lfib, old forms, --json, vrf explain on the lab" ctl_show
ctl_lookups() { # show bgp summary; one VRF route by prefix, or by an address in it
	ctl show bgp summary | grep -c "^10.255.0.2 .*Established" >/dev/null &&
		[ "$(ctl show vrf A routes 192.168.101.0/24 | grep -c '^A  *192.168.101.0/24 ')" = 1 ] &&
		[ "$(ctl show vrf A routes 192.168.101.77 | grep -c '^A  *192.168.101.0/24 ')" = 1 ] &&
		[ "$(ctl show vrf A routes 192.168.101.77 | grep -c '^A ')" = 1 ] &&
		ctl show interfaces | grep -Ec '^ce-a1 +access +up +A +10\.1\.1\.1/30 +([0-9a-f]{2}:){5}[0-9a-f]{2} +1500$' >/dev/null &&
		ctl show bgp neighbors 10.255.0.2 | grep -c 'peer offered: .*graceful restart (of vpnv4[,)]' >/dev/null &&
		ctl show interfaces | grep -Ec '^core0 +core +up +- +10\.0\.1\.1/30 +([0-9a-f]{2}:){5}[0-9a-f]{2} +1600$' >/dev/null
}
check "ferryctl show bgp summary; show vrf A routes PREFIX and ADDRESS (longest match); show interfaces (state, VRF, address, MAC, MTU)" ctl_lookups
# show daemons: each daemon's row carries the pid it wrote at start; P runs fwd alone
ctl_daemons() {
	local d pid out p_out
	out=$(ctl show daemons) && p_out=$("$CTL" -i "$PREFIX-p" show daemons) || return 1
	for d in bgpd vrfmgr fwd; do
		pid=$(pid_of "$(rundir pe1)" "$d")
		[ -n "$pid" ] && grep -Eq "^$d +running +$pid +[0-9:]+ +[0-9.]+[KMG] " <<<"$out" || {
			echo "$out" | note
			return 1
		}
	done
	grep -Eq '^bgpd +not running( +-){6}$' <<<"$p_out" &&
		grep -Eq '^vrfmgr +not running( +-){6}$' <<<"$p_out" &&
		grep -Eq "^fwd +running +$(pid_of "$(rundir p)" fwd) " <<<"$p_out" &&
		ctl --json show daemons | jq -e '[.daemons[] | select(.running and .rss_bytes > 0
			and .heap_in_use_bytes > 0 and .open_fds >= 3)] | length == 3' >/dev/null
}
check "ferryctl show daemons: pe1's three with their pids, memory and uptime; P's fwd alone" ctl_daemons
vpn_filtered() { # show vpn takes show bgp vpnv4's filters: B's RT gives only B's routes, as many as bgpd has
	local all b
	all=$(ctl --json show vpn | jq '.routes | length')
	b=$(ctl --json show vpn rt 65000:200 | jq '[.routes[] | select(.route_targets | index("65000:200"))] | length')
	[ "$b" -ge 1 ] && [ "$b" -lt "$all" ] &&
		[ "$(ctl --json show vpn rt 65000:200 | jq '.routes | length')" = "$b" ] &&
		[ "$(ctl --json show vpn rd 10.255.0.2:200 192.168.101.0/24 | jq -r '.routes[0].vrfs[0]')" = B ]
}
check "ferryctl show vpn rt RT / rd RD PREFIX: vrfmgr's VPN table filtered as show bgp vpnv4 is" vpn_filtered
wrong_port() { # a VRF view sent to bgpd's port: said as the wrong port, not as an unknown VRF
	local out
	for form in "" --json; do
		out=$(inns pe1 "$CTL" --url http://127.0.0.1:7179 $form show vrf A 2>&1) && return 1
		grep -q "is port 7179 vrfmgr's? This command asks vrfmgr" <<<"$out" &&
			! grep -q "no VRF named" <<<"$out" || { echo "# $form: $out"; return 1; }
	done
}
check "ferryctl --url with bgpd's port for show vrf A: the wrong port is named (table and --json), not the VRF" wrong_port
both_fail() { # both_fail WANT ARGS...: exit 1 with stderr WANT as a table and with --json (stdout empty)
	local want=$1
	shift
	ctl "$@" >"$TMP/t.out" 2>"$TMP/t.err"
	[ $? = 1 ] && [ "$(cat "$TMP/t.err")" = "$want" ] || { echo "# $*: $(cat "$TMP/t.err")"; return 1; }
	ctl --json "$@" >"$TMP/j.out" 2>"$TMP/j.err"
	[ $? = 1 ] && [ "$(cat "$TMP/j.err")" = "$want" ] && [ ! -s "$TMP/j.out" ] ||
		{ echo "# --json $*: $(cat "$TMP/j.err") / $(head -c 200 "$TMP/j.out")"; return 1; }
}
fails_with() { # fails_with WANT CMD...: CMD exits 1 with stderr WANT
	local want=$1
	shift
	"$@" >/dev/null 2>"$TMP/f.err"
	[ $? = 1 ] && [ "$(cat "$TMP/f.err")" = "$want" ] || { echo "# $*: $(cat "$TMP/f.err")"; return 1; }
}
ctl_names() { # a name in the command narrows --json too; an unknown one fails alike in both forms
	local out
	out=$(ctl --json show vrf A) && jq -e '[.vrfs[].name] == ["A"] and .vrfs[0].rd == "10.255.0.1:100"' <<<"$out" >/dev/null &&
		get vrfmgr '/vrfs?vrf=B' | jq -e '[.vrfs[].name] == ["B"]' >/dev/null &&
		err_is 404 'no VRF named "Z"' vrfmgr '/vrfs?vrf=Z' &&
		ctl show vrf A | grep -c '^VRF A (id 1)' >/dev/null &&
		both_fail 'ferryctl: no VRF named "Z" (VRFs here: A, B)' show vrf Z &&
		both_fail 'ferryctl: no VRF named "Z" (VRFs here: A, B)' show vrf Z routes &&
		both_fail 'ferryctl: no VRF named "Z" (VRFs here: A, B)' show fib Z &&
		both_fail 'ferryctl: no VRF named "Z" (VRFs here: A, B)' fwd fib Z &&
		both_fail 'ferryctl: bgpd: GET /neighbor?address=10.9.9.9: no neighbor 10.9.9.9 configured (HTTP 404)' \
			show bgp neighbors 10.9.9.9 &&
		fails_with 'ferryctl: no VRF named "Z"' "$CTL" -i "$PREFIX-p" show fib Z &&
		fails_with 'ferryctl: no VRF named "Z" (VRFs here: A, B)' ctl trace Z 192.168.101.10 &&
		both_fail 'ferryctl: no VRF named "Z" (VRFs here: A, B)' vrf explain 10.255.0.2:100 192.168.101.0/24 Z &&
		fails_with 'ferryctl: no VRF named "Z" (VRFs here: A, B)' ctl events --vrf Z
}
check "ferryctl --json show vrf A holds only A; an unknown VRF (the VRFs there are named, where vrfmgr runs; vrf explain and events --vrf too) or neighbor: exit 1, the same message as a table and --json" ctl_names
ctl trace A 192.168.101.10 >"$TMP/trace.txt" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "inner label  200" "$TMP/trace.txt" && grep -q "outer label  16" "$TMP/trace.txt" &&
	grep -q "pushes \[16 | 200\]" "$TMP/trace.txt" && grep -q "verdict      consistent" "$TMP/trace.txt"; then
	ok "ferryctl trace A 192.168.101.10: inner 200, LSP outer 16, fwd pushes [16 | 200], consistent"
else
	not_ok "ferryctl trace A 192.168.101.10 (exit $rc)"
fi
note <"$TMP/trace.txt"
ctl trace B 192.168.101.20 >"$TMP/traceb.txt" 2>&1
rc=$?
check "ferryctl trace B 192.168.101.20: inner label 201, consistent" \
	eval "[ $rc = 0 ] && grep -q 'inner label  201' '$TMP/traceb.txt' && grep -q consistent '$TMP/traceb.txt'"
# 10.2.2.0/30 is customer B's (RT 65000:200): in VRF A no route, and the trace says which
# VPN route covers it and why A does not take it
ctl trace A 10.2.2.1 >"$TMP/tracea.txt" 2>&1
rc=$?
check "ferryctl trace A 10.2.2.1 (only customer B has it): no route, B's VPN route named, not used for want of a common RT" \
	eval "[ $rc = 0 ] && grep -qF 'VPN route    10.255.0.2:200:10.2.2.0/30, RTs 65000:200, not used: no route target in common between the route and VRF A'\''s import RTs (VRF A imports 65000:100)' '$TMP/tracea.txt' && grep -q 'verdict      no route' '$TMP/tracea.txt'"
note <"$TMP/tracea.txt"
ctl verify >"$TMP/verify.txt" 2>&1
rc=$?
check "ferryctl verify on the lab: consistent, exit 0" eval "[ $rc = 0 ] && grep -q 'verify: consistent' '$TMP/verify.txt'"
note <"$TMP/verify.txt"

# --- 100k routes: paging and dumps keep bgpd's, vrfmgr's and fwd's memory flat ---------------
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$(pid_of "$RUN1" "${1:-bgpd}")/status"; }
# rss_watch DAEMON: samples its RSS every 20 ms until rss_peak, which sets peak to the
# highest (both in this shell: the sampler is tracked, so it goes on exit too)
rss_watch() {
	(while :; do rss_kb "$1"; sleep 0.02; done) >"$TMP/rss.txt" 2>/dev/null &
	SAMPLER=$!
	t_track "$SAMPLER"
}
rss_peak() {
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	t_untrack "$SAMPLER"
	peak=$(sort -n "$TMP/rss.txt" | tail -n 1)
}
t_stop "$(pid_of "$RUN2" bgpd)"
# not through inns: $! must be the sender itself (ip netns exec execs it), to signal it
ip netns exec "$PREFIX-pe2" "$BUILD/bench/bgp-sender" -c 10.255.0.1 -L 10.255.0.2 -n 100000 --rds 1 --rd-base 100 \
	--label-mode per-vrf --eor >"$TMP/sender.txt" 2>&1 &
SENDER=$!
t_track $SENDER
loaded() { [ "$(get bgpd /neighbors | jq '.neighbors[0].prefixes_received')" = 100000 ]; }
if poll 60 loaded; then
	ok "100000 routes from bgp-sender in pe1's bgpd"
	rss0=$(rss_kb)
	max=$rss0
	n=$(page_all 20000 | each_once)
	r=$(rss_kb)
	[ "$r" -gt "$max" ] && max=$r
	if [ "$n" = 100004 ] && [ $((max - rss0)) -lt 8192 ]; then
		ok "paging 100k routes (limit=20000): 100004 distinct destinations, bgpd RSS +$((max - rss0)) KiB"
	else
		not_ok "paging 100k routes: $n distinct destinations (want 100004), bgpd RSS +$((max - rss0)) KiB"
	fi
	rss_watch bgpd
	t0=$(date +%s%N)
	curl -s --max-time 60 --unix-socket "$RUN1/bgpd.sock" http://ferry/routes -o "$TMP/dump.json"
	t1=$(date +%s%N)
	# the answer ends with ..."destinations":N,"paths":M}
	paths=$(tail -c 100 "$TMP/dump.json" | sed -n 's/.*"paths":\([0-9]*\)}$/\1/p')
	rm -f "$TMP/dump.json"
	rss_peak
	if [ "$paths" = 100004 ] && [ $((peak - rss0)) -lt 8192 ]; then
		ok "full dump of 100k routes in $(((t1 - t0) / 1000000)) ms, bgpd RSS +$((peak - rss0)) KiB during it"
	else
		not_ok "full dump of 100k routes: $paths paths (want 100004), bgpd RSS +$((peak - rss0)) KiB"
	fi
else
	not_ok "100000 routes from bgp-sender in pe1's bgpd ($(get bgpd /neighbors | jq '.neighbors[0].prefixes_received'))"
	note <"$TMP/sender.txt"
fi
# The same routes in vrfmgr: RD and RT 65000:100 put them all into VRF A.
vrf_a() { get vrfmgr /vrfs | jq '.vrfs[] | select(.name == "A") | .prefix_count'; }
vrf_loaded() { [ "$(vrf_a)" -ge 100002 ]; }
if poll 60 vrf_loaded; then
	want=$(vrf_a)
	vpn_want=$(get vrfmgr '/vpn?limit=1' | jq .count)
	rss0=$(rss_kb vrfmgr)
	rss_watch vrfmgr
	n=$(vrf_page_all 20000 vrf=A | each_once)
	nv=$(vpn_page_all 30000 | each_once)
	t0=$(date +%s%N)
	curl -s --max-time 60 --unix-socket "$RUN1/vrfmgr.sock" 'http://ferry/routes?vrf=A' -o "$TMP/dump.json"
	t1=$(date +%s%N)
	rss_peak
	# the answer ends with ..."prefixes":N,"candidates":M}
	dumped=$(tail -c 100 "$TMP/dump.json" | sed -n 's/.*"prefixes":\([0-9]*\),.*/\1/p')
	rm -f "$TMP/dump.json"
	if [ "$n" = "$want" ] && [ "$nv" = "$vpn_want" ] && [ "$dumped" = "$want" ] &&
		[ $((peak - rss0)) -lt 8192 ]; then
		ok "vrfmgr, VRF A of $want prefixes: paged /routes (limit=20000) and /vpn ($nv, limit=30000) see each once, full dump in $(((t1 - t0) / 1000000)) ms; vrfmgr RSS +$((peak - rss0)) KiB throughout"
	else
		not_ok "vrfmgr paging: /routes $n of $want, /vpn $nv of $vpn_want, dump $dumped, vrfmgr RSS +$((peak - rss0)) KiB"
	fi
else
	not_ok "the 100k routes in pe1's VRF A (vrfmgr has $(vrf_a))"
fi
# ... and in fwd: its /fib streams them (it held the whole answer before)
fib_a() { get fwd /metrics | awk '$1 == "ferry_fib_entries{vrf=\"A\"}" { print $2 }'; }
fib_loaded() { [ "$(fib_a)" -ge 100002 ]; }
if poll 60 fib_loaded; then
	want=$(fib_a)
	rss0=$(rss_kb fwd)
	rss_watch fwd
	t0=$(date +%s%N)
	curl -s --max-time 60 --unix-socket "$RUN1/fwd.sock" 'http://ferry/fib?vrf=A' -o "$TMP/dump.json"
	t1=$(date +%s%N)
	rss_peak
	dumped=$(jq '.fib | length' "$TMP/dump.json")
	size=$(stat -c %s "$TMP/dump.json")
	rm -f "$TMP/dump.json"
	if [ "$dumped" = "$want" ] && [ $((peak - rss0)) -lt 8192 ]; then
		ok "fwd /fib?vrf=A: $want entries ($((size / 1024)) KiB) in $(((t1 - t0) / 1000000)) ms, fwd RSS +$((peak - rss0)) KiB"
	else
		not_ok "fwd /fib?vrf=A: $dumped of $want entries ($((size / 1024)) KiB), fwd RSS +$((peak - rss0)) KiB"
	fi
else
	not_ok "the 100k routes in pe1's fwd (VRF A has $(fib_a))"
fi
# withdraw them (SIGUSR1) before the session goes, so none stay stale (graceful restart)
withdrawn() { [ "$(get bgpd /neighbors | jq '.neighbors[0].prefixes_received')" = 0 ]; }
kill -USR1 $SENDER 2>/dev/null
check "bgp-sender withdrew its 100k routes" poll 60 withdrawn
t_stop $SENDER

# --- an UPDATE changing only a route's RTs: a mirror following /events sees the new ones ------
# (bgp_raw as pe2: same next hop, same label; fwd is not told again, vrfmgr's fib add says them)
curl -sN --unix-socket "$RUN1/bgpd.sock" "http://ferry/events?type=route" >"$TMP/rt_route.txt" 2>/dev/null &
RT_ROUTE=$!
t_track $RT_ROUTE
curl -sN --unix-socket "$RUN1/vrfmgr.sock" "http://ferry/events?vrf=A&type=fib" >"$TMP/rt_fib.txt" 2>/dev/null &
RT_FIB=$!
t_track $RT_FIB
t_wait 5 "the /events streams of the RT change to start" \
	eval "grep -q '^event: hello' '$TMP/rt_route.txt' && grep -q '^event: hello' '$TMP/rt_fib.txt'"
coproc RAWC { ip netns exec "$PREFIX-pe2" "$BUILD/tools/bgp_raw" -s 10.255.0.2 -d 10.255.0.1 2>&1; }
t_track $RAWC_PID
RT_P='"prefix":"192.168.150.0/24"'
rts_in() { # rts_in FILE RTS: an add/update of the test's prefix in FILE with those route_targets
	grep -F "$RT_P" "$1" | grep -qF "\"route_targets\":$2}"
}
fib_one() { rts_in "$TMP/rt_fib.txt" '["65000:100"]'; }
rt_only() {
	rts_in "$TMP/rt_route.txt" '["65000:100","65000:999"]' &&
		rts_in "$TMP/rt_fib.txt" '["65000:100","65000:999"]' &&
		[ "$(grep -cF "$RT_P" "$TMP/rt_fib.txt")" = 2 ] &&
		grep -F "$RT_P" "$TMP/rt_fib.txt" | tail -n 1 | grep -qF '"type":"labeled","inner_label":300,"outer_label":16'
}
rt_change() {
	rawc establish &&
		rawc route 10.255.0.2:100 192.168.150.0/24 300 65000:100 && poll 10 fib_one &&
		rawc route 10.255.0.2:100 192.168.150.0/24 300 65000:100,65000:999 && poll 10 rt_only
}
check "an UPDATE changing only the RTs of an installed route: bgpd's route update and vrfmgr's fib add (same entry, label 300 over LSP 16) with route_targets 65000:100, 65000:999" rt_change
rt_gone() { grep -qF "\"action\":\"del\",\"vrf\":\"A\",\"vrf_id\":1,$RT_P" "$TMP/rt_fib.txt"; }
rawc withdraw 10.255.0.2:100 192.168.150.0/24 && poll 10 rt_gone || note <<<"$RAWC_OUT"
exec {RAWC[1]}>&- # EOF: bgp_raw exits
t_wait 10 "bgp_raw to exit" eval "! t_running $RAWC_PID"
t_stop $RT_ROUTE
t_stop $RT_FIB

# --- events: live stream, resume, resync ---------------------------------------------------------
seq_now() { get bgpd /metrics | awk '$1 == "ferry_api_events_sequence" { print $2 }'; }
curl -sN --unix-socket "$RUN1/bgpd.sock" http://ferry/events >"$TMP/live.txt" 2>/dev/null &
LIVE=$!
t_track $LIVE
LIVE_T0=$SECONDS
# and vrfmgr's, filtered by vrfmgr itself: A's FIB changes only
curl -sN --unix-socket "$RUN1/vrfmgr.sock" "http://ferry/events?vrf=A&type=fib" >"$TMP/live_a.txt" 2>/dev/null &
t_track $!
t_wait 5 "bgpd's /events stream to start with its hello" grep -q "^event: hello" "$TMP/live.txt"
t_wait 5 "vrfmgr's filtered /events stream to start with its hello" grep -q "^event: hello" "$TMP/live_a.txt"
L=$(seq_now)
lab_start pe2 bgpd
back() { vpn_ready && [ "$(get bgpd /neighbors | jq '.neighbors[0].prefixes_received')" = 4 ]; }
if poll 60 back; then
	ok "pe2's real bgpd back: session Established, its 4 routes in pe1 again"
else
	not_ok "pe2's real bgpd back: session Established, its 4 routes in pe1 again"
fi
live_saw() {
	grep -q '"neighbor":"10.255.0.2","from":"[A-Za-z]*","to":"Established"' "$TMP/live.txt" &&
		grep -q '"action":"update","rd":"10.255.0.2:100","prefix":"192.168.101.0/24","label":200' "$TMP/live.txt"
}
check "live /events stream: session to Established, route 10.255.0.2:100:192.168.101.0/24 label 200" poll 5 live_saw
live_filtered() { # the ring's events through vrfmgr's ?vrf= and ?type=, each fib add with its RTs
	grep -q '^data: {"seq":.*"action":"add","vrf":"A","vrf_id":1,"prefix":"192.168.101.0/24",.*"route_targets":\["65000:100"\]}$' "$TMP/live_a.txt" &&
		! grep -q '"vrf":"B"' "$TMP/live_a.txt" &&
		! grep -qE '^event: (label|nexthop|vrf|interface)$' "$TMP/live_a.txt"
}
check "live vrfmgr /events?vrf=A&type=fib: A's FIB add of 192.168.101.0/24 (route_targets 65000:100) as pe2's routes come back; nothing of B, no other type" poll 5 live_filtered
N=$(($(seq_now) - L))
get bgpd "/events?since=$L&limit=$N" >"$TMP/resumed.txt"
resumed() {
	local want got
	want=$(seq $((L + 1)) $((L + N)) | tr '\n' ' ')
	got=$(awk '/^id: / { print $2 }' "$TMP/resumed.txt" | tr '\n' ' ')
	[ "$N" -gt 2 ] && [ "$got" = "$want" ] && grep -q '"why":"resumed"' "$TMP/resumed.txt" &&
		[ "$(grep -A2 "^id: $((L + N))$" "$TMP/live.txt" | tail -n 1)" = \
			"$(grep -A2 "^id: $((L + N))$" "$TMP/resumed.txt" | tail -n 1)" ]
}
check "resume with ?since=$L: the $N events after it, ids contiguous, same as the live stream" poll 5 resumed
lei() {
	get bgpd "/events?limit=1" -H "Last-Event-ID: $((L + 1))" | grep -cx "id: $((L + 2))" >/dev/null
}
check "resume with Last-Event-ID: the next event after it" lei
# Snapshots are read up to their end, not for a fixed time: the stream is stopped once the
# snapshot-end events wanted are complete (at most 10 s x FERRY_TEST_TIMEOUT_SCALE).
sse_ends() { # sse_ends FILE N: N complete snapshot-end events (data line and blank line) in FILE
	[ "$(awk 'p2 ~ /^event: snapshot-end$/ && p1 ~ /^data: / && $0 == "" { n++ }
		{ p2 = p1; p1 = $0 } END { print n + 0 }' "$1")" -ge "$2" ]
}
ctl_ends() { # ctl_ends FILE N: ferryctl events printed N snapshot-end lines
	[ "$(grep -cE '^(bgpd|vrfmgr) snapshot-end' "$1")" -ge "$2" ]
}
stream_until() { # stream_until CHECK N OUT CMD...: CMD's output into OUT until CHECK OUT N holds
	# (CMD a program, not a shell function: it is stopped by its PID)
	local check=$1 n=$2 out=$3 pid
	shift 3
	"$@" >"$out" 2>&1 &
	pid=$!
	t_track "$pid"
	poll 10 "$check" "$out" "$n"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	t_untrack "$pid"
	"$check" "$out" "$n"
}
resync() { # resync, then the state as a snapshot (the lab's 8 routes, the session), then its end
	stream_until sse_ends 1 "$TMP/resync.txt" curl -sN --unix-socket "$RUN1/bgpd.sock" "http://ferry/events?since=1" &&
		grep -q '^event: resync' "$TMP/resync.txt" &&
		[ "$(grep -c '^data: {"snapshot":true,.*"action":"update"' "$TMP/resync.txt")" = 8 ] &&
		grep -q '^data: {"snapshot":true,.*"rd":"10.255.0.2:100","prefix":"192.168.101.0/24","label":200' "$TMP/resync.txt" &&
		grep -q '^data: {"snapshot":true,.*"neighbor":"10.255.0.2","from":"Established","to":"Established"' "$TMP/resync.txt" &&
		grep -A2 '^event: snapshot-end' "$TMP/resync.txt" | grep -c '"items":9,' >/dev/null
}
if resync; then
	ok "a position the ring no longer holds gets resync, then a snapshot: the session and the lab's 8 routes, snapshot-end"
else
	not_ok "a position the ring no longer holds gets resync, then a snapshot with the lab's routes"
	head -c 3000 "$TMP/resync.txt" | note
fi
vrf_resync() { # vrfmgr's snapshot: what fwd holds (8 FIB entries, labels 100/101, the next hops)
	stream_until sse_ends 1 "$TMP/vresync.txt" curl -sN --unix-socket "$RUN1/vrfmgr.sock" "http://ferry/events?since=1" &&
		grep -q '^event: resync' "$TMP/vresync.txt" &&
		[ "$(grep -A1 '^event: fib' "$TMP/vresync.txt" | grep -c '^data: {"snapshot":true,.*"action":"add","vrf":"[AB]"')" = 8 ] &&
		grep -A1 '^event: vrf' "$TMP/vresync.txt" | grep -c '^data: {"snapshot":true,.*"action":"add","vrf":"A","vrf_id":1}' >/dev/null &&
		grep -A1 '^event: interface' "$TMP/vresync.txt" | grep -c '^data: {"snapshot":true,.*"action":"bind","interface":"ce-b1","vrf":"B","vrf_id":2,"address":"10.2.1.1/30"}' >/dev/null &&
		grep -q '^data: {"snapshot":true,.*"vrf":"A","vrf_id":1,"prefix":"192.168.101.0/24","type":"labeled","inner_label":200,"outer_label":16' "$TMP/vresync.txt" &&
		grep -q '^data: {"snapshot":true,.*"action":"add","label":101,"does":"pop-lookup","vrf":"B"' "$TMP/vresync.txt" &&
		grep -q '^data: {"snapshot":true,.*"type":"labeled","outer_label":16,"interface":"core0"' "$TMP/vresync.txt" &&
		grep -q '^data: {"snapshot":true,.*"type":"connected","outer_label":null,"interface":"ce-a1","next_hop":null}' "$TMP/vresync.txt" &&
		! grep -q '"next_hop":"0.0.0.0"' "$TMP/vresync.txt" &&
		grep -q '^event: snapshot-end' "$TMP/vresync.txt"
}
if vrf_resync; then
	ok "vrfmgr: resync, then a snapshot of what fwd holds: its VRFs and their links, 8 FIB entries ([16 | 200] for A's 192.168.101.0/24), labels, next hops (a connected one's next_hop null)"
else
	not_ok "vrfmgr: resync, then a snapshot of what fwd holds"
	head -c 3000 "$TMP/vresync.txt" | note
fi
snap_ctl() { # ferryctl events --snapshot: both daemons' state first (stopped at both ends)
	stream_until ctl_ends 2 "$TMP/snapctl.txt" "$CTL" -i "$PREFIX-pe1" events --snapshot &&
		grep -q 'bgpd route update 10.255.0.2:100:192.168.101.0/24 label 200 next hop 10.255.0.2 from 10.255.0.2 rt 65000:100 (snapshot)$' "$TMP/snapctl.txt" &&
		grep -q 'vrfmgr fib add VRF B 192.168.101.0/24 labeled \[16 | 201\] via 10.0.1.2 on core0 rt 65000:200 (snapshot)$' "$TMP/snapctl.txt" &&
		grep -q 'vrfmgr vrf add A (id 1) (snapshot)$' "$TMP/snapctl.txt" &&
		grep -q 'vrfmgr interface bind ce-a1 to VRF A (10.1.1.1/30) (snapshot)$' "$TMP/snapctl.txt" &&
		grep -q '^bgpd snapshot-end' "$TMP/snapctl.txt" && grep -q '^vrfmgr snapshot-end' "$TMP/snapctl.txt"
}
check "ferryctl events --snapshot: bgpd's routes and vrfmgr's FIB as snapshot lines, then both snapshot-ends" snap_ctl
# Route events carry the route's RTs as /routes and /vpn name them: live (the ring's record,
# holding its attributes) and in a snapshot (bgpd's route, vrfmgr's fib add).
event_rts() {
	grep -q '^data: {"seq":.*"action":"update","rd":"10.255.0.2:100","prefix":"192.168.101.0/24",.*"route_targets":\["65000:100"\]}$' "$TMP/live.txt" &&
		grep -q '^data: {"snapshot":true,.*"rd":"10.255.0.2:100","prefix":"192.168.101.0/24",.*"route_targets":\["65000:100"\]}$' "$TMP/resync.txt" &&
		grep -q '^data: {"snapshot":true,.*"action":"add","vrf":"B","vrf_id":2,"prefix":"192.168.101.0/24",.*"route_targets":\["65000:200"\]}$' "$TMP/vresync.txt" &&
		! grep -A1 '^event: route' "$TMP/resync.txt" | grep '"action":"update"' | grep -vq '"route_targets":\["'
}
check "route events carry route_targets: bgpd's (live and snapshot) and vrfmgr's fib adds, as /routes names them" event_rts
# ?type= and ?vrf= filter server-side: the stream (and its snapshot) holds only what was asked.
ev_items() { grep -c '^data: {"snapshot":true' "$1"; }
ev_filtered() {
	stream_until sse_ends 1 "$TMP/vfilt.txt" curl -sN --unix-socket "$RUN1/vrfmgr.sock" "http://ferry/events?snapshot=1&vrf=B&type=fib,label" &&
		[ "$(grep -c '^event: fib$' "$TMP/vfilt.txt")" -ge 3 ] &&
		grep -q '^data: {"snapshot":true,.*"action":"add","label":101,"does":"pop-lookup","vrf":"B"' "$TMP/vfilt.txt" &&
		! grep -qE '^event: (nexthop|vrf|interface)$' "$TMP/vfilt.txt" &&
		! grep -q '"vrf":"A"' "$TMP/vfilt.txt" &&
		grep -A1 '^event: snapshot-end' "$TMP/vfilt.txt" | grep -q "\"items\":$(ev_items "$TMP/vfilt.txt")," &&
		stream_until sse_ends 1 "$TMP/bfilt.txt" curl -sN --unix-socket "$RUN1/bgpd.sock" "http://ferry/events?snapshot=1&type=session" &&
		[ "$(ev_items "$TMP/bfilt.txt")" = 1 ] && grep -q '"neighbor":"10.255.0.2"' "$TMP/bfilt.txt" &&
		! grep -q '^event: route' "$TMP/bfilt.txt" &&
		err_is 400 'type: "fib" is not an event type of this daemon (want one or more of route, session, comma-separated)' bgpd '/events?type=fib' &&
		param_is 400 type vrfmgr '/events?type=route' &&
		err_is 400 'unknown parameter "vrf" (want since, limit, snapshot, type)' bgpd '/events?vrf=A' &&
		err_is 400 'parameter "type" given twice' vrfmgr '/events?type=fib&type=label' &&
		param_is 404 vrf vrfmgr '/events?vrf=Z'
}
check "/events?vrf=B&type=fib,label: only B's FIB entries and label in the snapshot, items counted as sent; bgpd ?type=session; unknown type, vrf on bgpd, repeated type, unknown VRF refused naming the parameter" ev_filtered
ctl_filtered() { # ferryctl events --vrf B --type fib: vrfmgr alone is asked (bgpd's events name no VRF)
	stream_until ctl_ends 1 "$TMP/cfilt.txt" "$CTL" -i "$PREFIX-pe1" events --vrf B --type fib --snapshot &&
		grep -q 'vrfmgr fib add VRF B 192.168.101.0/24 labeled \[16 | 201\] via 10.0.1.2 on core0 rt 65000:200 (snapshot)$' "$TMP/cfilt.txt" &&
		! grep -q '^bgpd' "$TMP/cfilt.txt" && ! grep -q 'VRF A' "$TMP/cfilt.txt" &&
		! grep -qE 'vrfmgr (label|nexthop|vrf|interface) ' "$TMP/cfilt.txt"
}
check "ferryctl events --vrf B --type fib --snapshot: B's FIB alone, from vrfmgr alone" ctl_filtered

# --- TLS, token and fault injection on pe1's vrfmgr ---------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
	-subj /CN=ferry-test -addext "subjectAltName=IP:10.255.0.1" \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" >/dev/null 2>&1
TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN" >"$TMP/token"
chmod 600 "$TMP/token" "$TMP/key.pem"
jq --arg c "$TMP/cert.pem" --arg k "$TMP/key.pem" --arg t "$TMP/token" \
	'. + {api: {listen: "10.255.0.1", ports: {bgpd: 0, vrfmgr: 7180, fwd: 0},
	  tls: {cert: $c, key: $k}, token_file: $t, read_only: false}}' configs/lab/pe1.json >"$TMP/pe1-api.json"
jq '. + {api: {listen: "10.255.0.1"}}' configs/lab/pe1.json >"$TMP/pe1-open.json"
refused() {
	local out
	out=$("$BUILD/vrfmgr" -n -c "$TMP/pe1-open.json" 2>&1)
	[ $? = 1 ] && grep -q 'api.listen: "10.255.0.1" is not a loopback address' <<<"$out" &&
		"$BUILD/vrfmgr" -n -c "$TMP/pe1-api.json" | grep -c "configuration OK" >/dev/null
}
check "a non-loopback API address without TLS and token is refused (-n), with them accepted" refused
restart_vrfmgr() { # restart_vrfmgr CONFIG: pe1's vrfmgr again (labels kept, fwd replayed)
	t_stop "$(pid_of "$RUN1" vrfmgr)"
	setsid ip netns exec "$PREFIX-pe1" "$BUILD/vrfmgr" -c "$1" -r "$RUN1" \
		</dev/null >>"$RUN1/vrfmgr.log" 2>&1 &
	echo $! >"$RUN1/vrfmgr.pid"
	disown $! # lab down stops it
	t_wait 30 "pe1's vrfmgr, started again, to be consistent with bgpd and fwd (ferryctl verify)" \
		eval 'ctl verify --once >/dev/null 2>&1'
}
LIVE2_T0=$SECONDS
curl -sN --unix-socket "$RUN1/bgpd.sock" http://ferry/events >"$TMP/idle.txt" 2>/dev/null &
IDLE=$!
t_track $IDLE
if restart_vrfmgr "$TMP/pe1-api.json"; then
	ok "pe1's vrfmgr restarted with TLS on 10.255.0.1:7180, token, read_only false; verify consistent"
else
	not_ok "pe1's vrfmgr restarted with TLS, token, read_only false (verify: $(ctl verify --once 2>&1 | tail -n 1))"
fi
tls() { # tls PATH [curl args]: HTTPS to vrfmgr on pe1's loopback address
	local p=$1
	shift
	inns pe1 curl -s --max-time 5 --cacert "$TMP/cert.pem" -o "$TMP/tbody" -w '%{http_code}' \
		"$@" "https://10.255.0.1:7180$p"
}
tls_token() {
	[ "$(tls /vrfs -H "Authorization: Bearer $TOKEN")" = 200 ] &&
		jq -e '[.vrfs[].name] == ["A","B"]' "$TMP/tbody" >/dev/null &&
		[ "$(tls /vrfs)" = 401 ] && jq -e '.error | contains("no credentials")' "$TMP/tbody" >/dev/null &&
		[ "$(tls /vrfs -H 'Authorization: Bearer wrong')" = 401 ] &&
		[ "$(tls '/debug/fwd/fib-del?vrf=A&prefix=192.168.101.0/24' -X POST -H "Authorization: Bearer $TOKEN")" = 403 ] &&
		jq -e '.error | contains("only allowed on the Unix socket")' "$TMP/tbody" >/dev/null &&
		plain_refused
}
# Plain HTTP to the TLS listener: connected (not refused, not a missing
# namespace), and no HTTP answer at all: the connection closed (curl 52) or
# reset (56) with status 000.
plain_refused() {
	local code rc
	code=$(inns pe1 curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://10.255.0.1:7180/vrfs)
	rc=$?
	[ "$code" = 000 ] && { [ "$rc" = 52 ] || [ "$rc" = 56 ]; } && return 0
	note "plain HTTP to the TLS port: curl exit $rc, status $code"
	return 1
}
check "TLS on 10.255.0.1:7180: 200 with the token, 401 without or wrong, writes 403, no plain HTTP" tls_token
tls_garbage() { # what evhttp refuses itself is rewritten into JSON on a TLS connection too
	printf 'GARBAGE\r\n\r\n' | inns pe1 timeout 10 openssl s_client -quiet -verify_return_error \
		-CAfile "$TMP/cert.pem" -connect 10.255.0.1:7180 >"$TMP/garbage.txt" 2>&1
	grep -q '^HTTP/1.1 400 ' "$TMP/garbage.txt" && grep -q '"error":"malformed request.*"status":400}' "$TMP/garbage.txt"
}
if poll 10 tls_garbage; then
	ok "TLS: a request that is not HTTP gets evhttp's 400 as JSON"
else
	not_ok "TLS: a request that is not HTTP gets evhttp's 400 as JSON"
	note <"$TMP/garbage.txt"
fi
rctl() { inns pe1 "$CTL" --url https://10.255.0.1:7180 "$@"; } # ferryctl to the TLS listener
ctl_tls() {
	rctl --ca "$TMP/cert.pem" --token-file "$TMP/token" show vrf >"$TMP/rctl.txt" 2>&1 &&
		grep -qE '^A +1 +10.255.0.1:100 +100' "$TMP/rctl.txt" &&
		rctl --ca "$TMP/cert.pem" --token-file "$TMP/token" --json show vrf A routes |
		jq -e '[.routes[] | select(.prefix == "192.168.101.0/24" and .inner_label == 200)] | length == 1' >/dev/null &&
		! rctl --ca "$TMP/cert.pem" show vrf >"$TMP/rctl2.txt" 2>&1 &&
		grep -q 'no credentials.*(HTTP 401)' "$TMP/rctl2.txt" &&
		! rctl --token-file "$TMP/token" show vrf >"$TMP/rctl3.txt" 2>&1 &&
		grep -q "certificate is not trusted" "$TMP/rctl3.txt" &&
		! inns pe1 "$CTL" --url https://10.255.0.1:7180 --ca "$TMP/cert.pem" --token-file "$TMP/token" \
			trace A 192.168.101.10 >"$TMP/rctl4.txt" 2>&1 && grep -q "without a port" "$TMP/rctl4.txt" &&
		stream_until ctl_ends 1 "$TMP/rctl5.txt" ip netns exec "$(ns pe1)" "$CTL" --url https://10.255.0.1:7180 \
			--ca "$TMP/cert.pem" --token-file "$TMP/token" events vrfmgr --snapshot &&
		grep -q 'vrfmgr fib add VRF A 192.168.101.0/24 labeled \[16 | 200\] .*(snapshot)$' "$TMP/rctl5.txt" &&
		grep -q '^vrfmgr snapshot-end' "$TMP/rctl5.txt" &&
		stream_until ctl_ends 1 "$TMP/rctl9.txt" ip netns exec "$(ns pe1)" "$CTL" --url https://10.255.0.1:7180 \
			--ca "$TMP/cert.pem" --token-file "$TMP/token" events --vrf A --type fib --snapshot &&
		grep -q 'vrfmgr fib add VRF A 192.168.101.0/24 labeled \[16 | 200\] .* rt 65000:100 (snapshot)$' "$TMP/rctl9.txt" &&
		! rctl --ca "$TMP/cert.pem" events vrfmgr >"$TMP/rctl6.txt" 2>&1 &&
		grep -q 'vrfmgr: GET /events refused: HTTP 401: .*no credentials' "$TMP/rctl6.txt" &&
		! rctl --ca "$TMP/cert.pem" --token-file "$TMP/token" show bgp neighbors >"$TMP/rctl7.txt" 2>&1 &&
		grep -q "is port 7180 bgpd's? This command asks bgpd (by default on port 7179)" "$TMP/rctl7.txt"
}
ctl_refuses() { # exit 2 before connecting: a token in clear to another host, --ca without --url
	inns pe1 "$CTL" --url http://10.255.0.1:7180 --token-file "$TMP/token" show vrf >"$TMP/refuse1.txt" 2>&1
	[ $? = 2 ] && grep -q -- '--token-file: refusing to send the bearer token in clear' "$TMP/refuse1.txt" || return 1
	ctl --ca "$TMP/cert.pem" show vrf >"$TMP/refuse2.txt" 2>&1
	[ $? = 2 ] && grep -q -- '--ca is for --url' "$TMP/refuse2.txt" || return 1
	ctl --url https://10.255.0.1:7180 show vrf >"$TMP/refuse3.txt" 2>&1
	[ $? = 2 ] && grep -q -- '-i (or -r) and --url both name the router to ask; give one' "$TMP/refuse3.txt" || return 1
	"$CTL" -i "$PREFIX-nosuch" show vrf >"$TMP/refuse4.txt" 2>&1
	[ $? = 1 ] && grep -q "no run directory /run/ferry/$PREFIX-nosuch (want -i NAME" "$TMP/refuse4.txt"
}
check "ferryctl refuses --token-file over http:// to 10.255.0.1, --ca without --url, -i with --url (exit 2); -i of no router says so" ctl_refuses
usage_2() { # usage_2 MESSAGE ARGS...: ferryctl exits 2 saying MESSAGE (one line, on stderr)
	local want=$1
	shift
	ctl "$@" >"$TMP/u.out" 2>"$TMP/u.err"
	[ $? = 2 ] && [ "$(cat "$TMP/u.err")" = "ferryctl: $want" ] && [ ! -s "$TMP/u.out" ] && return 0
	echo "# ferryctl $*: $(head -c 300 "$TMP/u.err")"
	return 1
}
ctl_numbers() { # numeric options: digits in range or exit 2 naming the option and the form
	usage_2 '-t/--timeout: "abc" is not a whole number of milliseconds 1..3600000' -t abc show vrf &&
		usage_2 '-t/--timeout: "0" is not a whole number of milliseconds 1..3600000' -t 0 show vrf &&
		usage_2 '-t/--timeout: "5s" is not a whole number of milliseconds 1..3600000' --timeout=5s show vrf &&
		usage_2 '--count: "x" is not a whole number of events 1..1000000000' events --count x &&
		usage_2 '--count: "-3" is not a whole number of events 1..1000000000' events --count -3 &&
		usage_2 '--since: "y" is not an event sequence number 1..18446744073709551614' events --since y &&
		ctl -t 5000 show vrf A | grep -c '^VRF A (id 1)' >/dev/null
}
check "ferryctl -t, --count, --since: a value that is not a number in range is exit 2 naming the option" ctl_numbers
ctl_usage() { # a usage error names the word in the way and what the command wants
	usage_2 'show fib: unexpected "192.168.101.10" (want show fib [VRF] [PREFIX [longer|shorter]]; for one address: ferryctl trace VRF ADDRESS)' \
		show fib A 192.168.101.10 &&
		usage_2 'show bgp: neighbors or vpnv4? (want show bgp neighbors [ADDRESS] or show bgp vpnv4 [rd RD] [PREFIX] ...)' show bgp &&
		usage_2 'show lfib: unexpected "x" (want show lfib [VRF])' show lfib B x &&
		usage_2 'fwd fib: unexpected "B" (want fwd fib [VRF] [PREFIX [longer|shorter]])' fwd fib A B &&
		usage_2 'show daemons: unexpected "bgpd" (want show daemons)' show daemons bgpd &&
		usage_2 'show vrf: "192.168.101.10/24" is not a prefix (want a.b.c.d/len with the host bits clear, e.g. 192.168.101.0/24; show vrf [NAME] [routes [PREFIX|ADDRESS]])' show vrf A routes 192.168.101.10/24 &&
		usage_2 'fwd fib: "192.168.101.10/24" is not a prefix (want a.b.c.d/len with the host bits clear, e.g. 192.168.101.0/24; fwd fib [VRF] [PREFIX [longer|shorter]])' fwd fib A 192.168.101.10/24 &&
		usage_2 'events: --vrf: bgpd'"'"'s events name no VRF (want events vrfmgr --vrf NAME, or bgpd without --vrf)' events bgpd --vrf A &&
		usage_2 'events: --type: "rout" is not an event type (want route or session (bgpd); fib, label, nexthop, vrf or interface (vrfmgr); several comma-separated)' events --type rout &&
		usage_2 '--since, --count, --snapshot, --type and --vrf are for events (want ferryctl events [--type T[,T...]] [--vrf NAME] [--since N] [--snapshot] [--count N], or show without them)' show vrf --vrf A
}
check "ferryctl usage errors: show fib A ADDRESS, show bgp, show lfib B x, fwd fib A B, show daemons bgpd, show vrf A routes and fwd fib with a bad prefix, events --vrf on bgpd, an unknown --type name the word and the form (exit 2)" ctl_usage
# fwd fib, show fib's older alias, takes show fib's words: the same rows
fwd_fib_alias() {
	[ "$(ctl fwd fib 192.168.101.0/24)" = "$(ctl show fib 192.168.101.0/24)" ] &&
		[ "$(ctl fwd fib 192.168.101.0/24 | grep -cE '^[AB] +[12] +192.168.101.0/24 +labeled ')" = 2 ] &&
		[ "$(ctl fwd fib B 192.168.0.0/16 longer)" = "$(ctl show fib B 192.168.0.0/16 longer)" ]
}
check "ferryctl fwd fib 192.168.101.0/24 (and B 192.168.0.0/16 longer): show fib's rows, one per VRF" fwd_fib_alias
if ctl_tls; then
	ok "ferryctl --url https://10.255.0.1:7180 --ca --token-file: show vrf (table and --json), events --snapshot and events --vrf A --type fib (vrfmgr alone, on its port) over TLS; 401 without the token (show and events name it), refused without the CA; bgpd's command on vrfmgr's port says so"
else
	not_ok "ferryctl --url https://10.255.0.1:7180 --ca --token-file"
	cat "$TMP"/rctl*.txt 2>/dev/null | note
fi
get vrfmgr '/debug/fwd/fib-del?vrf=A&prefix=192.168.101.0/24' -X POST >"$TMP/inject.txt"
check "fault injected: fwd loses VRF A 192.168.101.0/24 behind vrfmgr's back" \
	eval "jq -e '.injected == \"fib-del\" and .sent_to_fwd' '$TMP/inject.txt' >/dev/null"
# The debug route answers once it has sent the change to fwd, not once fwd has applied it.
t_wait 5 "ferryctl verify to see fwd without VRF A's 192.168.101.0/24" eval '! ctl verify --once'
ctl verify >"$TMP/verify2.txt" 2>&1
rc=$?
check "ferryctl verify catches it: exit 1, 'A:192.168.101.0/24: missing in fwd'" \
	eval "[ $rc = 1 ] && grep -q 'A:192.168.101.0/24: missing in fwd' '$TMP/verify2.txt'"
note <"$TMP/verify2.txt"
ctl trace A 192.168.101.10 >"$TMP/trace2.txt" 2>&1
rc=$?
check "ferryctl trace A 192.168.101.10 flags it: exit 1, '!! fwd has no route'" \
	eval "[ $rc = 1 ] && grep -q '!! fwd has no route for 192.168.101.10 in VRF A' '$TMP/trace2.txt'"
note <"$TMP/trace2.txt"
check "and forwarding agrees with verify: host-a1 cannot reach 192.168.101.10 now" \
	eval "! inns host-a1 ping -n -q -c 1 -W 1 192.168.101.10 >/dev/null 2>&1"
get vrfmgr '/debug/fwd/fib-label?vrf=B&prefix=192.168.101.0/24&label=999' -X POST >/dev/null
wrong_label_caught() {
	ctl verify --once >"$TMP/verify3.txt" 2>&1
	grep -q 'B:192.168.101.0/24: different: vrfmgr via 10.0.1.2 on core0 \[16 | 201\], fwd via 10.0.1.2 on core0 \[16 | 999\]' "$TMP/verify3.txt"
}
check "a wrong inner label in fwd is caught too: 'B:192.168.101.0/24: different ... [16 | 999]'" \
	poll 5 wrong_label_caught
if restart_vrfmgr "$TMP/pe1-api.json" && poll 10 inns host-a1 ping -n -q -c 1 -W 1 192.168.101.10; then
	ok "a vrfmgr restart replays fwd: verify consistent again, A1 -> A2 forwards"
else
	not_ok "a vrfmgr restart replays fwd: verify consistent again, A1 -> A2 forwards"
	ctl verify --once 2>&1 | note
fi
# A reload removes VRF A and adds C, which takes A's id (1), then another brings A back: a
# watcher of A resuming from before gets A's removal whole (its FIB dels and label del name A),
# one of C never an event of A's.
ev_seq() { get vrfmgr /metrics | awk '$1 == "ferry_api_events_sequence" { print $2 }'; }
vrf_names() { [ "$(get vrfmgr /vrfs | jq -c '[.vrfs[] | [.name, .id]] | sort')" = "$1" ]; }
hup_vrfmgr() { # hup_vrfmgr CONFIG NAMES: CONFIG as pe1-api.json, reloaded; /vrfs then as NAMES
	cp "$1" "$TMP/pe1-api.json" && kill -HUP "$(pid_of "$RUN1" vrfmgr)" && poll 10 vrf_names "$2"
}
vrfs_seen() { [ "$(grep -c '^event: vrf$' "$1")" -ge "$2" ]; } # N vrf events in FILE
cp "$TMP/pe1-api.json" "$TMP/pe1-api-ab.json"
jq '.vrfs[0] = {name: "C", rd: "10.255.0.1:300", import_rts: ["65000:300"],
	export_rts: ["65000:300"], label_mode: "per-vrf", interfaces: []}' \
	"$TMP/pe1-api-ab.json" >"$TMP/pe1-api-bc.json"
EV0=$(ev_seq)
removed_whole() {
	local a=$TMP/ev_a.txt c=$TMP/ev_c.txt
	hup_vrfmgr "$TMP/pe1-api-bc.json" '[["B",2],["C",1]]' &&
		stream_until vrfs_seen 1 "$a" curl -sN --unix-socket "$RUN1/vrfmgr.sock" "http://ferry/events?since=$EV0&vrf=A" &&
		grep -q '"action":"del","vrf":"A","vrf_id":1,"prefix":"192.168.101.0/24"' "$a" &&
		grep -q '"action":"del","label":100,"vrf":"A","vrf_id":1' "$a" &&
		grep -q '"action":"unbind","interface":"ce-a1","vrf":"A"' "$a" &&
		grep -q '"action":"del","vrf":"A","vrf_id":1}' "$a" &&
		! grep -qE '"vrf":"[BC]"' "$a" &&
		hup_vrfmgr "$TMP/pe1-api-ab.json" '[["A",1],["B",2]]' &&
		stream_until vrfs_seen 2 "$c" curl -sN --unix-socket "$RUN1/vrfmgr.sock" "http://ferry/events?since=$EV0&vrf=C" &&
		grep -q '"action":"add","vrf":"C","vrf_id":1}' "$c" && grep -q '"action":"del","vrf":"C","vrf_id":1}' "$c" &&
		! grep -qE '"vrf":"[AB]"' "$c" && ! grep -q '192.168.101.0/24' "$c" &&
		poll 10 inns host-a1 ping -n -q -c 1 -W 1 192.168.101.10
}
check "/events?vrf=A resumed after a reload removed A (C took its id 1): A's FIB del, label 100 del, unbind and vrf del, nothing of B or C; ?vrf=C nothing of A's; A back forwards" removed_whole
idle_alive() { kill -0 "$IDLE" 2>/dev/null && [ $((SECONDS - LIVE2_T0)) -ge 11 ]; }
if poll 15 idle_alive; then
	ok "an idle /events stream stays open past the 10 s read timeout ($((SECONDS - LIVE2_T0)) s)"
else
	not_ok "an idle /events stream stays open past the 10 s read timeout"
fi

# --- teardown ------------------------------------------------------------------------------------------
t_stop_all
t_lab_down_check
finish
