#!/usr/bin/env bash
# scripts/lab reload is all or nothing across vrfmgr, bgpd and fwd: a lab of
# its own (private prefix) running from a copy of the lab configs the test
# edits ($FERRY_LAB_CONFIGS), and checks, through the JSON API, ferryctl
# and the daemons' logs:
#  - GET /reload/check on the unchanged file: all three accept, nothing to
#    change (fwd: "nothing for fwd to do", mode pe); on TCP it is refused
#    (403: it reads the config file), on the Unix socket served; ferryctl
#    reload check exits 0;
#  - a VRF interface the namespace lacks (ce-x1): accepted, fwd's check warns;
#    two (ce-x2 too): one warning line counting and naming them;
#  - a file vrfmgr refuses (a new label range, which needs a restart) that
#    also adds a neighbor bgpd would take: scripts/lab reload exits 1 naming
#    vrfmgr and its reason, signals neither daemon (no "SIGHUP: reloading"
#    in either log), names the restart that takes it, bgpd's neighbors stay
#    as they were and its session up;
#  - vrfmgr refusing at the signal a file its check accepted (a stand-in
#    ferryctl that says both accept): bgpd is then not signalled;
#  - a file changing only fwd's section (core0's address): refused as a
#    whole, naming fwd, the setting, old and new, and the restart that takes
#    it; vrfmgr and bgpd (which accept it) not signalled, nor fwd; fwd's
#    core0 as it was;
#  - a file none of them can read (an RD typo): refused by all three naming
#    the field, said once for the three, and no fwd restart offered (a
#    restart would refuse it too);
#  - P, fwd alone: its unchanged file is nothing to reload (exit 0); a
#    changed fwd section is refused naming fwd;
#  - a good file (the neighbor added, VRF B importing one more RT): applied
#    by both, each daemon's "reload done" summary the one its check gave,
#    the neighbor in bgpd's /neighbors, the RT in vrfmgr's /vrfs, the
#    PE1-PE2 session never reset;
#  - a static route whose next hop is on none of its VRF's links: accepted,
#    vrfmgr's check warns of it and the reload prints the warning vrfmgr
#    logged while it reloaded (before, the log alone had it);
#  - VRF B removed: ferryctl show vrf B says it was removed (its label
#    held down), a name never configured only that there is none.
# Prints "ok - ..." / "not ok - ..." per check; exit 0 only when all pass.
# Removes everything it created, also on failure or interrupt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init labreload lr "lab reload"
T_POLL_INTERVAL=0.5

t_prereqs "bgpd vrfmgr fwd ferryctl" "jq curl sha256sum"

CFG=$TMP/configs
mkdir -p "$CFG" && cp configs/lab/*.json "$CFG/"
export FERRY_LAB_CONFIGS=$CFG
PE1=$CFG/pe1.json
cp "$PE1" "$TMP/pe1.orig.json"

t_lab_up "lab up with prefix $PREFIX, configs from a copy"
if ! poll 60 lab_established pe1 10.255.0.2; then
	not_ok "BGP session pe1 <-> pe2 Established"
	finish
fi
# every Established session to pe2 that ended, from /neighbor (/neighbors has neither
# this nor flaps; flaps would not do anyway: a session that lasted 30 s sets it to 0 as it ends)
downs() { api pe1 bgpd '/neighbor?address=10.255.0.2' | jq -e .session_downs; }
DOWNS=$(downs)
neighbors() { api pe1 bgpd /neighbors | jq -c '[.neighbors[].address]'; }
hups() { grep -c 'SIGHUP: reloading' "$(rundir pe1)/$1.log"; }
fwd_hups() { grep -c 'SIGHUP' "$(rundir "$1")/fwd.log"; } # fwd_hups NODE

# --- the dry run on the file as it runs -------------------------------------------
unchanged() {
	api pe1 vrfmgr /reload/check | jq -e '.accepted and .reason == null and
		.summary == "0 VRFs added, 0 removed, 0 changed, 0 remote PEs with a new LSP state" and
		.vrfs == []' >/dev/null &&
		api pe1 bgpd /reload/check | jq -e '.accepted and
			.summary == "0 neighbors added, 0 removed, 0 changed, 1 unchanged" and
			.neighbors == []' >/dev/null &&
		api pe1 fwd /reload/check | jq -e '.daemon == "fwd" and .accepted and
			.reason == null and .summary == "nothing for fwd to do" and
			.mode == "pe"' >/dev/null &&
		"$CTL" -r "$(rundir pe1)" reload check >"$TMP/check.out" 2>&1 &&
		grep -qx "fwd: would apply $PE1: nothing for fwd to do" "$TMP/check.out"
}
check "GET /reload/check, file unchanged: vrfmgr, bgpd and fwd accept it, nothing to change; ferryctl reload check exits 0" \
	unchanged
# A VRF interface pe1 does not have (a typo): accepted (fwd opens an interface when it
# appears), but fwd's check names it. Only checked: the next section rewrites the file.
jq '.vrfs[0].interfaces[0].name = "ce-x1" | .vrfs[0].static_routes[0].interface = "ce-x1"' \
	"$TMP/pe1.orig.json" >"$PE1"
missing_if_warned() {
	"$CTL" -r "$(rundir pe1)" reload check >"$TMP/warn.out" 2>&1 &&
		grep -qxF 'fwd: warning: vrfs[0].interfaces[0].name (VRF A): no interface "ce-x1" here: the VRF forwards nothing through it until it appears (fwd opens it then)' "$TMP/warn.out" &&
		api pe1 fwd /reload/check | jq -e '.accepted and (.warnings | length) == 1' >/dev/null ||
		{ note <"$TMP/warn.out"; return 1; }
}
check "a VRF interface pe1 lacks (ce-x1): reload check accepts it and fwd warns, naming vrfs[0].interfaces[0].name" \
	missing_if_warned
# Two (B's ce-x2 too): one line with their count and names; fwd's JSON lists each.
jq '.vrfs[1].interfaces[0].name = "ce-x2" | .vrfs[1].static_routes[0].interface = "ce-x2"' \
	"$PE1" >"$TMP/pe1.next.json" && mv "$TMP/pe1.next.json" "$PE1"
missing_ifs_one_line() {
	"$CTL" -r "$(rundir pe1)" reload check >"$TMP/warn.out" 2>&1 &&
		grep -qxF 'fwd: warning: 2 VRF interfaces are not here: ce-x1 (VRF A), ce-x2 (VRF B): their VRFs forward nothing through them until they appear (fwd opens each then)' "$TMP/warn.out" &&
		[ "$(grep -c warning "$TMP/warn.out")" = 1 ] &&
		api pe1 fwd /reload/check | jq -e '(.warnings | length) == 2 and
			.missing_interfaces == [{"interface": "ce-x1", "vrf": "A"}, {"interface": "ce-x2", "vrf": "B"}]' >/dev/null ||
		{ note <"$TMP/warn.out"; return 1; }
}
check "two VRF interfaces pe1 lacks: one warning line with the count and both names; /reload/check lists each" \
	missing_ifs_one_line
cp "$TMP/pe1.orig.json" "$PE1"
tcp_refused() { # the TCP listener (127.0.0.1:7180 in pe1) does not serve it
	local out
	out=$(inns pe1 curl -s --max-time 5 -w ' %{http_code}' http://127.0.0.1:7180/reload/check)
	[[ $out == *'only allowed on the Unix socket'*' 403' ]] ||
		{ note <<<"$out"; return 1; }
}
check "GET /reload/check on TCP is a 403 (it reads the config file)" tcp_refused

# reloaded NODE RC TEXT...: scripts/lab reload NODE exits RC and says each TEXT
# (a fixed string); what it printed is in $OUT
reloaded() {
	local node=$1 want=$2 rc text
	shift 2
	OUT=$(scripts/lab reload "$node" --prefix "$PREFIX" 2>&1)
	rc=$?
	printf '%s\n' "$OUT" >>"$TMP/reload.out"
	[ "$rc" = "$want" ] || { note <<<"exit $rc, want $want: $OUT"; return 1; }
	for text in "$@"; do
		grep -qF -- "$text" <<<"$OUT" || { note <<<"not said: $text; said: $OUT"; return 1; }
	done
}
RESTART="that needs a restart of fwd (it takes its part of the file only at start)"

# --- a file vrfmgr refuses: nothing signalled, bgpd untouched too ------------------
jq '.router.label_range.max = 299 |
    .bgp.neighbors += [{"address": "10.255.0.9", "remote_as": 65000,
                        "local_address": "10.255.0.1", "description": "new"}]' \
	"$TMP/pe1.orig.json" >"$PE1"
refused_whole() {
	local v0 b0 n0
	v0=$(hups vrfmgr) b0=$(hups bgpd) n0=$(neighbors)
	reloaded pe1 1 "lab: vrfmgr: refuses the file: pe1.json: router.label_range changed; that needs a restart of vrfmgr" \
		"lab: vrfmgr takes that only at start: scripts/lab restart pe1 vrfmgr --prefix $PREFIX, then scripts/lab reload pe1 --prefix $PREFIX for the rest" \
		"lab: bgpd: would apply $PE1: 1 neighbor added, 0 removed, 0 changed, 1 unchanged" \
		"reload refused by vrfmgr: nothing signalled" || return 1
	[ "$(hups vrfmgr)" = "$v0" ] && [ "$(hups bgpd)" = "$b0" ] &&
		[ "$(neighbors)" = "$n0" ] && [ "$n0" = '["10.255.0.2"]' ] ||
		{ note <<<"signalled, or the neighbors changed: $(neighbors)"; return 1; }
}
check "a file vrfmgr refuses (new label range, a neighbor added): exit 1 naming vrfmgr and why, neither daemon signalled, bgpd's neighbors unchanged" \
	refused_whole
check "... and the PE1-PE2 session stayed up, never reset" \
	eval 'lab_established pe1 10.255.0.2 >/dev/null && [[ $DOWNS =~ ^[0-9]+$ ]] && [ "$(downs)" = "$DOWNS" ]'

# --- vrfmgr refusing at the signal what its check accepted: bgpd not signalled -------
# The file changing between the check and the signals can make that happen; a
# ferryctl that reports both accepting (FERRY_BUILD for scripts/lab reload alone)
# stands for that check, the file still the one vrfmgr refuses.
FAKE=$TMP/fakebuild
mkdir -p "$FAKE"
cat >"$FAKE/ferryctl" <<EOF
#!/bin/sh
echo "vrfmgr: would apply $PE1: 0 VRFs added, 0 removed, 0 changed, 0 remote PEs with a new LSP state"
echo "bgpd: would apply $PE1: 1 neighbor added, 0 removed, 0 changed, 1 unchanged"
EOF
chmod +x "$FAKE/ferryctl"
refused_late() {
	local out rc v0 b0 n0
	v0=$(hups vrfmgr) b0=$(hups bgpd) n0=$(neighbors)
	out=$(FERRY_BUILD=$FAKE scripts/lab reload pe1 --prefix "$PREFIX" 2>&1)
	rc=$?
	printf '%s\n' "$out" >"$TMP/refused_late.out"
	[ $rc = 1 ] &&
		grep -q '^lab: vrfmgr: .*reload refused, the running config stays: .*router.label_range changed' <<<"$out" &&
		grep -qF "bgpd not signalled" <<<"$out" &&
		[ "$(hups vrfmgr)" = $((v0 + 1)) ] && [ "$(hups bgpd)" = "$b0" ] &&
		[ "$(neighbors)" = "$n0" ] && [ "$n0" = '["10.255.0.2"]' ] || {
		note <<<"exit $rc: $out"
		return 1
	}
}
check "vrfmgr refusing at SIGHUP what its check accepted (the file changed in between): exit 1, bgpd not signalled, its neighbors unchanged" \
	refused_late
# --- a file changing only fwd's section: fwd refuses it, so nobody is signalled ---
jq '.fwd.core_interfaces[0].address = "10.0.1.1/29"' "$TMP/pe1.orig.json" >"$PE1"
fwd_refuses_whole() {
	local v0 b0 f0
	v0=$(hups vrfmgr) b0=$(hups bgpd) f0=$(fwd_hups pe1)
	reloaded pe1 1 "lab: fwd: refuses the file: pe1.json: fwd.core_interfaces[0].address: 10.0.1.1/30 -> 10.0.1.1/29; $RESTART" \
		"lab: vrfmgr: would apply $PE1: 0 VRFs added, 0 removed, 0 changed" \
		"lab: bgpd: would apply $PE1: 0 neighbors added" \
		"lab: fwd takes its part of the file only at start: scripts/lab restart pe1 fwd --prefix $PREFIX, then scripts/lab reload pe1 --prefix $PREFIX for the rest" \
		"reload refused by fwd: nothing signalled, vrfmgr, bgpd and fwd keep the config they run" || return 1
	[ "$(hups vrfmgr)" = "$v0" ] && [ "$(hups bgpd)" = "$b0" ] && [ "$(fwd_hups pe1)" = "$f0" ] ||
		{ note <<<"a daemon was signalled"; return 1; }
}
check "a file changing only fwd's section (core0's address): exit 1 naming fwd, the setting and the restart; vrfmgr, bgpd and fwd not signalled" \
	fwd_refuses_whole
check "... fwd still runs core0 as it was (10.0.1.1/30)" \
	eval 'api pe1 fwd /interfaces | jq -e ".interfaces[] | select(.name == \"core0\") | .address == \"10.0.1.1/30\"" >/dev/null'

# --- a file nobody can read (an RD typo): all three refuse it, no restart is offered ---
jq '.vrfs[0].rd = "10.255.0.1;100"' "$TMP/pe1.orig.json" >"$PE1"
unreadable() {
	local v0 b0 f0 why
	v0=$(hups vrfmgr) b0=$(hups bgpd) f0=$(fwd_hups pe1)
	why="pe1.json: vrfs[0].rd (VRF A): \"10.255.0.1;100\" is not a route distinguisher"
	reloaded pe1 1 "lab: vrfmgr, bgpd and fwd: refuse the file: $why" \
		"reload refused by vrfmgr, bgpd and fwd: nothing signalled" || return 1
	[ "$(grep -c 'the file: ' <<<"$OUT")" = 1 ] ||
		{ note <<<"the refusal said more than once: $OUT"; return 1; }
	! grep -q 'restart' <<<"$OUT" ||
		{ note <<<"a restart offered for a file a restart refuses too: $OUT"; return 1; }
	[ "$(hups vrfmgr)" = "$v0" ] && [ "$(hups bgpd)" = "$b0" ] && [ "$(fwd_hups pe1)" = "$f0" ] ||
		{ note <<<"a daemon was signalled"; return 1; }
}
check "a file with an RD typo: exit 1, refused by all three naming vrfs[0].rd, said once, no fwd restart offered (it would refuse the file too), nobody signalled" \
	unreadable

# --- P runs fwd alone: checked, never signalled --------------------------------------
p_reload() {
	local f0
	f0=$(fwd_hups p)
	reloaded p 0 "lab: check: fwd: would apply $CFG/p.json: nothing for fwd to do" \
		"lab: $(ns p): nothing to reload: fwd, P's only daemon, runs the file as it is" || return 1
	jq '.fwd.arp_timeout = 60' "$CFG/p.json" >"$TMP/p.json" && cp "$TMP/p.json" "$CFG/p.json"
	reloaded p 1 "lab: fwd: refuses the file: p.json: fwd.arp_timeout: 300 -> 60; $RESTART" \
		"lab: fwd takes its part of the file only at start: scripts/lab restart p fwd --prefix $PREFIX" \
		"reload refused by fwd: nothing signalled, fwd keeps the config it runs" || return 1
	[ "$(fwd_hups p)" = "$f0" ] || { note <<<"P's fwd was signalled"; return 1; }
}
check "P (fwd alone): its unchanged file is nothing to reload (exit 0); a changed fwd section is refused naming fwd (exit 1); fwd never signalled" \
	p_reload

# --- a good file: applied by both, as their checks said ---------------------------
jq '.bgp.neighbors += [{"address": "10.255.0.9", "remote_as": 65000,
                        "local_address": "10.255.0.1", "description": "new"}] |
    (.vrfs[] | select(.name == "B") | .import_rts) += ["65000:999"]' \
	"$TMP/pe1.orig.json" >"$PE1"
# check_says DAEMON OUT: the summary its check gave is what its "reload done" says
check_says() {
	local said done
	said=$(sed -n "s/^lab: check: $1: would apply [^:]*: //p" <<<"$2")
	done=$(sed -n "s/^lab: $1: .*reload done: //p" <<<"$2")
	[ -n "$said" ] && [[ $done == "$said"* ]]
}
applied_whole() {
	reloaded pe1 0 "lab: check: fwd: would apply $PE1: nothing for fwd to do" || return 1
	grep -q '^lab: vrfmgr: .*reload done: 0 VRFs added, 0 removed, 1 changed, 0 remote PEs with a new LSP state;' <<<"$OUT" &&
		grep -q '^lab: bgpd: .*reload done: 1 neighbor added, 0 removed, 0 changed, 1 unchanged$' <<<"$OUT" &&
		check_says vrfmgr "$OUT" && check_says bgpd "$OUT" || {
		note <<<"$OUT"
		return 1
	}
}
check "a good file (a neighbor added, B imports one more RT): applied by both, each 'reload done' as its check said" \
	applied_whole
took() {
	[ "$(neighbors)" = '["10.255.0.2","10.255.0.9"]' ] &&
		api pe1 vrfmgr /vrfs | jq -e '.vrfs[] | select(.name == "B") |
			.import_rts == ["65000:200", "65000:999"]' >/dev/null
}
check "... bgpd has the new neighbor, vrfmgr B's new import RT" took
check "... and the PE1-PE2 session was never reset" \
	eval 'lab_established pe1 10.255.0.2 >/dev/null && [[ $DOWNS =~ ^[0-9]+$ ]] && [ "$(downs)" = "$DOWNS" ]'

# --- a static route the reload keeps unused: said by the check and by the reload ---
# No interface given, so the loader takes a next hop on none of B's links; vrfmgr
# keeps the route, neither installed nor exported. Both steps say so, not only the log.
jq '(.vrfs[] | select(.name == "B") | .static_routes) += [{"prefix": "192.168.77.0/24",
                                                            "next_hop": "10.9.9.9"}]' \
	"$PE1" >"$TMP/pe1.next.json" && mv "$TMP/pe1.next.json" "$PE1"
warned() {
	reloaded pe1 0 \
		"lab: check: vrfmgr: warning: vrfs[1].static_routes[1].next_hop (VRF B, route 192.168.77.0/24): next hop 10.9.9.9 is not on a connected subnet of the VRF; kept, but neither installed nor exported" \
		"lab: vrfmgr: warning: vrf B: static route 192.168.77.0/24 via 10.9.9.9: next hop 10.9.9.9 is not on a connected subnet of the VRF; kept but neither installed nor exported" \
		"lab: vrfmgr: info: reload done: 0 VRFs added, 0 removed, 1 changed"
}
check "a static route with a next hop on none of B's links: accepted, the check warns naming vrfs[1].static_routes[1], the reload prints vrfmgr's warning before 'reload done'" \
	warned

# --- a VRF removed: asked for by name, ferryctl says it was (its label held down) ---
jq 'del(.vrfs[] | select(.name == "B"))' "$PE1" >"$TMP/pe1.next.json" && mv "$TMP/pe1.next.json" "$PE1"
removed_said() {
	local out
	reloaded pe1 0 "lab: vrfmgr: info: reload done: 0 VRFs added, 1 removed, 0 changed" || return 1
	out=$("$CTL" -r "$(rundir pe1)" show vrf B 2>&1)
	grep -qE '^ferryctl: no VRF named "B": removed; its label [0-9]+ is held down for [0-9]+ s more \(VRFs here: A\)$' <<<"$out" ||
		{ note <<<"$out"; return 1; }
	out=$("$CTL" -r "$(rundir pe1)" show vrf Z 2>&1)
	[ "$out" = 'ferryctl: no VRF named "Z" (VRFs here: A)' ] || { note <<<"$out"; return 1; }
}
check "VRF B removed by a reload: ferryctl show vrf B says it was removed, its label held down (a name never configured: not)" \
	removed_said

t_lab_down_check
finish
