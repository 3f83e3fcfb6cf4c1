#!/usr/bin/env bash
# Bad input from a user or a tool, without the lab: one namespace with
# vrfmgr, bgpd and fwd on a small config (a passive neighbor that never
# comes, no packets), and ferryctl.
#  - -r takes router.run_dir's form, with -n too: exit 2 (usage), the form named
#  - SIGHUP: fwd keeps forwarding (the signal's default action ended it) and
#    says it does not reload; a broken file: vrfmgr and bgpd refuse it, keep
#    their config and log why, fwd says the file would not load either
#  - a daemon that cannot serve its API exits without leaving its socket,
#    vrfmgr without writing its state file; a second vrfmgr on a running
#    one's run directory exits 1 and leaves the running one's state file as it was
#  - the API: %00 and a '%' without two hex digits in the query are 400s on
#    each daemon (%00 ended the value: ?vrf=A%00B read as A), "//vrfs" a 404
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init inputs inp "bad input"
t_prereqs "vrfmgr bgpd fwd ferryctl" "curl jq"

RUN=$(rundir dut)
CFG=$TMP/dut.json
T_RM+=("$RUN")
T_LOG_NODES=(dut)
cat >"$CFG" <<EOF
{
  "router": { "name": "dut", "router_id": "10.255.0.1", "asn": 65000, "run_dir": "$RUN",
              "label_range": { "min": 100, "max": 199 } },
  "bgp": { "listen": "127.0.0.1", "port": 1179,
           "neighbors": [ { "address": "10.255.0.2", "remote_as": 65000, "passive": true } ] },
  "vrfs": [ { "name": "A", "rd": "10.255.0.1:100", "import_rts": ["65000:100"],
              "export_rts": ["65000:100"],
              "interfaces": [ { "name": "ce-a1", "address": "10.1.1.1/30" } ] } ],
  "fwd": { "mode": "pe", "core_interfaces": [ { "name": "core0", "address": "10.0.1.1/30" } ] }
}
EOF
cp "$CFG" "$TMP/good.json"

# --- -r ---------------------------------------------------------------------------------
run_dir_refused() { # each daemon with -n: exit 2 (bad usage) naming -r and the form
	local x arg out rc
	for x in bgpd vrfmgr fwd; do
		for arg in run/x "" "/$(printf 'd%.0s' {1..91})"; do
			out=$("$BUILD/$x" -n -c "$CFG" -r "$arg" 2>&1)
			rc=$?
			if [ $rc != 2 ] || [[ $out != *"-r: \""*"\" is not a run directory (want an absolute path of at most 91 characters)" ]]; then
				echo "# $x -n -r '$arg': exit $rc: $out"
				return 1
			fi
		done
	done
	[ "$("$BUILD/fwd" -n -c "$CFG" -r "$RUN")" = "configuration OK" ]
}
check "-r relative, empty or over 91 characters: exit 2 (bad usage) from bgpd, vrfmgr and fwd, with -n too" run_dir_refused
# hup_while_loading DAEMON: the daemon (-n) blocked opening its config, a FIFO (a slow read
# at start), gets SIGHUP: it must live on and check the file once it is written
hup_while_loading() {
	local x=$1 f=$TMP/fifo-$1.json pid out rc
	mkfifo "$f" || return 1
	"$BUILD/$x" -n -c "$f" >"$TMP/hup-$x.out" 2>&1 &
	pid=$!
	# blocked in open(): the kernel's FIFO wait, or the openat syscall (257) itself
	if ! poll 5 eval "grep -qx wait_for_partner /proc/$pid/wchan || [ \"\$(cut -d' ' -f1 /proc/$pid/syscall)\" = 257 ]"; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "# $x never blocked opening $f"
		return 1
	fi
	kill -HUP "$pid"
	timeout 5 cp "$TMP/good.json" "$f" # no reader left (it died): cp gives up
	wait "$pid"
	rc=$?
	out=$(cat "$TMP/hup-$x.out")
	[ $rc = 0 ] && [ "$out" = "configuration OK" ] && return 0
	echo "# $x: exit $rc: $out"
	return 1
}
hup_at_start() { hup_while_loading bgpd && hup_while_loading vrfmgr && hup_while_loading fwd; }

api_files_checked() { # -n reads the API's token file (TLS files alike) when the daemon listens on TCP
	local x out
	sed 's|"fwd": {|"api": { "token_file": "/nonexistent/token" }, "fwd": {|' "$CFG" >"$TMP/token.json"
	for x in bgpd vrfmgr fwd; do
		out=$("$BUILD/$x" -n -c "$TMP/token.json" 2>&1)
		[ $? = 1 ] && [ "$out" = 'token.json: api.token_file: "/nonexistent/token" cannot be read: No such file or directory (want a readable file)' ] ||
			{ echo "# $x -n: $out"; return 1; }
	done
}
check "SIGHUP while a daemon reads its config at start: bgpd, vrfmgr and fwd live on (it ended them)" hup_at_start
check "-n: an API token file that cannot be read is exit 1 from each daemon (it was \"configuration OK\")" api_files_checked
fwd_options() { # -o: each bad one named; 17 of them said as too many, not just the usage line
	local many=() i out
	for ((i = 0; i < 17; i++)); do many+=(-o workers=1); done
	out=$("$BUILD/fwd" -n -c "$CFG" "${many[@]}" 2>&1)
	[ $? = 2 ] && [ "$out" = "fwd: -o workers=1: at most 16 -o options (want one per setting: io, rx_ring, workers)" ] ||
		{ echo "# 17 -o: $out"; return 1; }
	out=$("$BUILD/fwd" -n -c "$CFG" -o workers=17 2>&1)
	[ $? = 2 ] && [ "$out" = "fwd: -o workers=17: want workers=0..16" ] || { echo "# $out"; return 1; }
}
check "fwd -o: 17 options and a bad value are exit 2 (bad usage) naming the option" fwd_options

# --- the daemons ----------------------------------------------------------------------
t_netns_add dut || { not_ok "namespace $(ns dut)"; finish; }
inns dut ip link set lo up
# a daemon that cannot serve its API on TCP (TLS files missing) exits 1 and takes its Unix
# sockets with it: ferryctl takes a socket in a run directory for a running daemon. vrfmgr
# writes no state file either: it never ran, it has no labels to come back with
no_socket_left() {
	local x f rc run=$TMP/nosock
	jq --arg r "$run" '.router.run_dir = $r |
		.api = {tls: {cert: "/nonexistent.pem", key: "/nonexistent.key"}}' "$CFG" >"$TMP/notls.json"
	for x in bgpd fwd vrfmgr; do
		timeout 10 ip netns exec "$(ns dut)" "$BUILD/$x" -c "$TMP/notls.json" >"$TMP/notls-$x.log" 2>&1
		rc=$?
		# exit 1 for that reason (its certificate), not for any other
		[ $rc = 1 ] && grep -q 'api: certificate /nonexistent.pem: ' "$TMP/notls-$x.log" ||
			{ echo "# $x: exit $rc"; note <"$TMP/notls-$x.log"; return 1; }
	done
	for f in bgpd.sock fwd.sock vrfmgr.sock vrfmgr.ipc vrfmgr.state bgpd.running; do
		[ ! -e "$run/$f" ] || { echo "# $run/$f left behind"; return 1; }
	done
}
check "bgpd, fwd and vrfmgr that cannot serve their API on TCP exit 1 and leave no socket or state file behind" no_socket_left
mkdir -p "$RUN"
declare -A PID
for d in vrfmgr bgpd fwd; do
	setsid ip netns exec "$(ns dut)" "$BUILD/$d" -c "$CFG" </dev/null >>"$RUN/$d.log" 2>&1 &
	PID[$d]=$!
	t_track "${PID[$d]}"
done
up() {
	local x
	for x in vrfmgr bgpd fwd; do api dut "$x" / >/dev/null || return 1; done
}
check "vrfmgr, bgpd and fwd answer on their sockets" poll 10 up

# A second vrfmgr on the same run directory (here with one more VRF) cannot take vrfmgr.ipc:
# it exits 1 and the running one's state file stays as that one wrote it (the second wrote
# its own view over it: its labels "used", the running one's held down)
second_vrfmgr() {
	local before rc
	poll 5 test -s "$RUN/vrfmgr.state" || { echo "# no $RUN/vrfmgr.state"; return 1; }
	before=$(cat "$RUN/vrfmgr.state")
	jq '.vrfs += [{name: "B", rd: "10.255.0.1:200", export_rts: ["65000:200"],
		interfaces: [{name: "ce-b1", address: "10.2.1.1/30"}]}]' "$TMP/good.json" >"$TMP/second.json"
	timeout 10 ip netns exec "$(ns dut)" "$BUILD/vrfmgr" -c "$TMP/second.json" >"$TMP/second.log" 2>&1
	rc=$?
	[ $rc = 1 ] || { echo "# second vrfmgr: exit $rc"; note <"$TMP/second.log"; return 1; }
	[ "$(cat "$RUN/vrfmgr.state")" = "$before" ] ||
		{ echo "# vrfmgr.state rewritten:"; note <"$RUN/vrfmgr.state"; return 1; }
	api dut vrfmgr /vrfs | jq -e '[.vrfs[].name] == ["A"]' >/dev/null
}
check "a second vrfmgr on a running one's run directory exits 1 and leaves its state file as it was" second_vrfmgr

logged() { grep -qF -- "$2" "$RUN/$1.log"; } # logged DAEMON TEXT
alive() {
	local x
	for x in vrfmgr bgpd fwd; do t_running "${PID[$x]}" || return 1; done
}
hup_fwd() {
	kill -HUP "${PID[fwd]}" &&
		poll 5 logged fwd "SIGHUP: fwd does not reload and keeps running as it is" &&
		t_running "${PID[fwd]}" && api dut fwd /interfaces | jq -e '.interfaces | length >= 1' >/dev/null
}
check "fwd on SIGHUP: still running and answering, logs that it does not reload" hup_fwd

echo '{ "router": { "name": "dut",' >"$CFG"
broken_reload() {
	kill -HUP "${PID[vrfmgr]}" "${PID[bgpd]}" "${PID[fwd]}" || return 1
	poll 5 logged vrfmgr "reload refused, the running config stays: dut.json: line 2: invalid JSON: unexpected end of file" &&
		poll 5 logged bgpd "reload refused, the running config stays: dut.json: line 2: invalid JSON: unexpected end of file" &&
		poll 5 logged fwd "the file would not load at a restart either: dut.json: line 2: invalid JSON" &&
		alive &&
		api dut vrfmgr /vrfs | jq -e '[.vrfs[].name] == ["A"]' >/dev/null &&
		api dut bgpd /neighbors | jq -e '.neighbors[0].address == "10.255.0.2"' >/dev/null
}
check "SIGHUP with a broken file: vrfmgr and bgpd keep their config and log why, fwd says it would not load" broken_reload
cp "$TMP/good.json" "$CFG"

# --- the API --------------------------------------------------------------------------
# err_is STATUS TEXT DAEMON PATH: that status and a JSON error holding TEXT
err_is() {
	local code body
	code=$(curl -s -g -o "$TMP/body" -w '%{http_code}' --max-time 5 --unix-socket "$RUN/$3.sock" "http://ferry$4")
	body=$(jq -r .error "$TMP/body" 2>/dev/null)
	[ "$code" = "$1" ] && [[ $body == *"$2"* ]] && return 0
	echo "# $3 $4: HTTP $code: $(head -c 300 "$TMP/body")"
	return 1
}
nul_refused() {
	err_is 400 "%00, a NUL byte, would cut the name or value short" vrfmgr '/vrfs?vrf=A%00B' &&
		err_is 400 "%00, a NUL byte" bgpd '/neighbor?address=10.255.0.2%00x' &&
		err_is 400 "%00, a NUL byte" fwd '/lookup?vrf=A&address=10.1.1.2%00' &&
		err_is 400 "%00, a NUL byte" vrfmgr '/vrfs?vrf%00x=A' &&
		err_is 400 "'%' not followed by two hex digits (want %XX)" vrfmgr '/vrfs?vrf=%ZZ' &&
		err_is 400 "'%' not followed by two hex digits" bgpd '/routes?rd=1:1%' &&
		err_is 404 "no such path: //vrfs" vrfmgr '//vrfs' &&
		err_is 404 "no VRF named \"B\"" vrfmgr '/vrfs?vrf=%42'
}
check "API: %00 and a bad %-escape in the query are 400 on vrfmgr, bgpd and fwd; //vrfs is 404" nul_refused

# --- ferryctl -------------------------------------------------------------------------
exit_is() { # exit_is CODE TEXT ARGS...: ferryctl exits CODE saying TEXT on stderr
	local want=$1 text=$2 out rc
	shift 2
	out=$(FERRY_RUN_DIR= "$CTL" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = "$want" ] && [[ $out == *"$text"* ]] && return 0
	echo "# ferryctl $*: exit $rc: $out"
	return 1
}
ctl_usage() {
	exit_is 2 'unknown command: bogus' -i "$PREFIX-nosuch" bogus &&
		exit_is 2 'show what?' -i "$PREFIX-nosuch" show &&
		exit_is 2 'trace: which address? (want trace VRF ADDRESS' -i "$PREFIX-nosuch" trace A &&
		exit_is 2 'events: unexpected "pwd"' -i "$PREFIX-nosuch" events pwd &&
		exit_is 2 'vrf explain: which prefix?' -i /nonexistent vrf explain 1:1 &&
		exit_is 1 "no run directory /run/ferry/$PREFIX-nosuch" -i "$PREFIX-nosuch" show vrf &&
		exit_is 2 'unknown command: bogus' --url http://127.0.0.1:1 bogus &&
		exit_is 2 '--since, --count, --snapshot, --type and --vrf are for events' -i /nonexistent --count 5 show vrf &&
		exit_is 2 '--once is for verify' -i /nonexistent --once show vrf &&
		exit_is 2 'no user or password in the URL' --url http://a:b@127.0.0.1 show vrf &&
		exit_is 2 '--ca /nonexistent: No such file or directory (want a readable file of PEM certificates)' \
			--url https://127.0.0.1:1 --ca /nonexistent show vrf &&
		exit_is 2 '--ca /tmp: not a regular file' --url https://127.0.0.1:1 --ca /tmp show vrf
}
check "ferryctl: bad usage (also an option for another command, a user in --url, an unreadable --ca) is exit 2 before any run directory is looked for (a missing one: exit 1)" ctl_usage

finish
