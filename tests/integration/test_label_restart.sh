#!/usr/bin/env bash
# Make-before-break labels across a vrfmgr restart, with a real vrfmgr and
# fwd (no bgpd, no packets) in one namespace:
#  - VRF A's label_mode goes from per-ce to per-vrf (SIGHUP): its per-CE
#    labels are held down and stay in fwd's LFIB, popping to their CEs
#  - vrfmgr is killed (-9) and started again within the hold-down: once fwd
#    has its replay (and has swept what the replay did not name), it still
#    has the held labels with the same meaning, and vrfmgr's /labels says
#    they are held and programmed, for the rest of the hold-down only
#  - when the hold-down ends they leave both; A's per-VRF label stays
#  - vrfmgr is killed again and started on a config where A has another RD
#    (A re-created: maybe another tenant): A gets a new label, the old one
#    stays held down in vrfmgr, retired (given to nothing), and out of fwd
#    after the replay, so the old tenant's traffic is not delivered into A
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init labelrestart lr "labels across a vrfmgr restart"
t_prereqs "vrfmgr fwd" "jq curl"

RUN=$(rundir pe)
T_RM+=("$RUN")
T_LOG_NODES=(pe)
HOLD=20

config() { # config MODE [RD]: VRF A (CE 10.1.1.2 behind ce-a1) in that label_mode (RD 10.255.0.1:100), and B
	cat <<EOF
{
  "router": { "name": "pe", "router_id": "10.255.0.1", "asn": 65000,
              "label_range": { "min": 100, "max": 199 }, "label_hold_down": $HOLD },
  "vrfs": [
    { "name": "A", "rd": "${2:-10.255.0.1:100}", "import_rts": ["65000:100"],
      "export_rts": ["65000:100"], "label_mode": "$1",
      "interfaces": [ { "name": "ce-a1", "address": "10.1.1.1/24" } ],
      "static_routes": [ { "prefix": "192.168.100.0/24", "next_hop": "10.1.1.2" } ] },
    { "name": "B", "rd": "10.255.0.1:200", "import_rts": ["65000:200"],
      "export_rts": ["65000:200"],
      "interfaces": [ { "name": "ce-b1", "address": "10.2.1.1/30" } ] } ],
  "fwd": { "mode": "pe", "core_interfaces": [ { "name": "core0", "address": "10.0.1.1/30" } ] }
}
EOF
}

start() { # start PROG
	setsid ip netns exec "$(ns pe)" "$BUILD/$1" -c "$TMP/pe.json" -r "$RUN" \
		</dev/null >>"$RUN/$1.log" 2>&1 &
	t_track $!
	eval "PID_$1=$!"
}
api() { curl -sf --max-time 5 --unix-socket "$RUN/$1.sock" "http://ferry$2"; }
# fwd_lfib LABEL: fwd's entry for it, as "action vrf interface next_hop" (empty: none)
fwd_lfib() {
	api fwd /lfib | jq -r --argjson l "$1" \
		'.lfib[] | select(.in_label == $l) | "\(.action) \(.vrf) \(.interface) \(.next_hop)"'
}
# vrf_label LABEL: vrfmgr's /labels entry for it (empty: none)
vrf_label() { api vrfmgr /labels | jq -c --argjson l "$1" '.labels[] | select(.label == $l)'; }
# ce_label GATEWAY: A's per-CE label for that CE (0.0.0.0: the connected subnet's)
ce_label() {
	api vrfmgr /labels | jq -r --arg g "$1" \
		'.labels[] | select(.vrf == "A" and .mode == "per-ce" and (.next_hop // "0.0.0.0") == $g) | .label'
}
replays() { grep -c "replay from vrfmgr done" "$RUN/fwd.log"; }

build_node() {
	local i
	t_netns_add pe || return 1
	inns pe ip link set lo up || return 1
	for i in core0 ce-a1 ce-b1; do
		inns pe ip link add "$i" type veth peer name "$i-p" &&
			inns pe ip link set "$i" up && inns pe ip link set "$i-p" up || return 1
	done
}

config per-ce >"$TMP/pe.json"
mkdir -p "$RUN"
if build_node && start vrfmgr && start fwd && poll 10 test -S "$RUN/fwd.sock" &&
	poll 10 test -S "$RUN/vrfmgr.sock" && poll 10 eval '[ "$(replays)" -ge 1 ]'; then
	ok "vrfmgr and fwd up in $(ns pe), A per-CE, label_hold_down $HOLD s"
else
	not_ok "vrfmgr and fwd up in $(ns pe), A per-CE, label_hold_down $HOLD s"
	finish
fi
CE=$(ce_label 10.1.1.2)
SUBNET=$(ce_label 0.0.0.0)
check "A's per-CE labels (CE 10.1.1.2: ${CE:-?}, the connected subnet: ${SUBNET:-?}) pop to ce-a1 in fwd" \
	eval '[ -n "$CE" ] && [ -n "$SUBNET" ] && [ "$(fwd_lfib "$CE")" = "pop_forward A ce-a1 10.1.1.2" ] &&
	      [ "$(fwd_lfib "$SUBNET")" = "pop_forward A ce-a1 null" ]'

# --- the mode change: the per-CE labels are held down and kept in fwd ---------------------
config per-vrf >"$TMP/pe.json"
kill -HUP "$PID_vrfmgr"
held_kept() { # held_kept LABEL: vrfmgr holds it down and has it in fwd
	vrf_label "$1" | jq -e '.action == "held" and .programmed' >/dev/null
}
check "after the change to per-vrf, labels $CE and $SUBNET are held down and programmed" \
	poll 10 eval 'held_kept "$CE" && held_kept "$SUBNET"'
A_LABEL=$(api vrfmgr /vrfs | jq -r '.vrfs[] | select(.name == "A") | .label')
check "A's per-VRF label ${A_LABEL:-?} pops into A; fwd keeps $CE popping to 10.1.1.2" \
	eval '[ "$(fwd_lfib "$A_LABEL")" = "pop_lookup A null null" ] &&
	      [ "$(fwd_lfib "$CE")" = "pop_forward A ce-a1 10.1.1.2" ]'

# --- vrfmgr killed and started again within the hold-down -------------------------------
# the state file is saved within a second of a change: wait for it to say $CE is held
check "vrfmgr's state file says $CE is held down, and what its entry in fwd is" \
	poll 5 eval 'grep -qE "^label $CE held " "$RUN/vrfmgr.state" &&
	             grep -qx "lfib $CE 10.255.0.1:100 ce-a1 10.1.1.2" "$RUN/vrfmgr.state"'
rp0=$(replays)
kill -KILL "$PID_vrfmgr"
wait "$PID_vrfmgr" 2>/dev/null
t_untrack "$PID_vrfmgr"
start vrfmgr
check "vrfmgr restarted and fwd had its replay and sweep" \
	poll 15 eval '[ "$(replays)" -gt "$rp0" ] && test -S "$RUN/vrfmgr.sock"'
left() { vrf_label "$CE" | jq -r '.held_for_s // empty'; }
check "after the restart vrfmgr still holds $CE down, programmed, for the rest of its hold-down ($(left) s of $HOLD)" \
	eval 'held_kept "$CE" && held_kept "$SUBNET" && [ "$(left)" -gt 0 ] && [ "$(left)" -lt "$HOLD" ]'
check "and fwd still has $CE popping to 10.1.1.2 on ce-a1, $SUBNET to ce-a1, ${A_LABEL} into A" \
	eval '[ "$(fwd_lfib "$CE")" = "pop_forward A ce-a1 10.1.1.2" ] &&
	      [ "$(fwd_lfib "$SUBNET")" = "pop_forward A ce-a1 null" ] &&
	      [ "$(fwd_lfib "$A_LABEL")" = "pop_lookup A null null" ]'
check "vrfmgr logged that it kept them" \
	grep -q "2 held labels kept in fwd with the last run's meaning" "$RUN/vrfmgr.log"

# --- the hold-down ends ------------------------------------------------------------------
gone() { # fwd and vrfmgr answer, and have neither label (an answer missing is not "none")
	local f s v
	f=$(fwd_lfib "$CE") && s=$(fwd_lfib "$SUBNET") && v=$(vrf_label "$CE") && [ -z "$f$s$v" ]
}
check "when the hold-down ends, $CE and $SUBNET leave fwd and vrfmgr; $A_LABEL stays" \
	eval 'poll $((HOLD + 5)) gone && [ "$(fwd_lfib "$A_LABEL")" = "pop_lookup A null null" ]'

# --- vrfmgr restarted with A re-created under its name (another RD) -----------------------
check "the state file gives A's RD" grep -qx "rd A 10.255.0.1:100" "$RUN/vrfmgr.state"
rp0=$(replays)
kill -KILL "$PID_vrfmgr"
wait "$PID_vrfmgr" 2>/dev/null
t_untrack "$PID_vrfmgr"
config per-vrf 10.255.0.1:101 >"$TMP/pe.json"
start vrfmgr
check "vrfmgr restarted on A with RD 10.255.0.1:101, and fwd had its replay and sweep" \
	poll 15 eval '[ "$(replays)" -gt "$rp0" ] && test -S "$RUN/vrfmgr.sock"'
NEW=$(api vrfmgr /vrfs | jq -r '.vrfs[] | select(.name == "A") | .label')
check "the re-created A has a new label (${NEW:-?}), popping into A; its predecessor's $A_LABEL is out of fwd" \
	eval '[ -n "$NEW" ] && [ "$NEW" != null ] && [ "$NEW" != "$A_LABEL" ] &&
	      [ "$(fwd_lfib "$NEW")" = "pop_lookup A null null" ] && f=$(fwd_lfib "$A_LABEL") && [ -z "$f" ]'
check "vrfmgr holds $A_LABEL down, retired, not programmed, and says so in its log and state file" \
	eval 'vrf_label "$A_LABEL" | jq -e ".action == \"held\" and .retired and (.programmed | not)" >/dev/null &&
	      grep -q "vrf A: re-created with RD 10.255.0.1:101 (was 10.255.0.1:100): the 1 label of its predecessor stays reserved" "$RUN/vrfmgr.log" &&
	      poll 5 grep -qE "^label $A_LABEL retired [1-9]" "$RUN/vrfmgr.state"'
finish
