#!/usr/bin/env bash
# Bad input from a user or a tool, without the lab: one namespace with
# vrfmgr, bgpd and fwd on a small config (a passive neighbor that never
# comes, no packets), and ferryctl.
#  - -r takes router.run_dir's form, with -n too: exit 1, the form named
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
run_dir_refused() { # each daemon with -n: exit 1 naming -r and the form
	local x arg out rc
	for x in bgpd vrfmgr fwd; do
		for arg in run/x "" "/$(printf 'd%.0s' {1..91})"; do
			out=$("$BUILD/$x" -n -c "$CFG" -r "$arg" 2>&1)
			rc=$?
			if [ $rc != 1 ] || [[ $out != *"-r: \""*"\" is not a run directory (want an absolute path of at most 91 characters)" ]]; then
				echo "# $x -n -r '$arg': exit $rc: $out"
				return 1
			fi
		done
	done
	[ "$("$BUILD/fwd" -n -c "$CFG" -r "$RUN")" = "configuration OK" ]
}
check "-r relative, empty or over 91 characters: exit 1 from bgpd, vrfmgr and fwd, with -n too" run_dir_refused

finish
