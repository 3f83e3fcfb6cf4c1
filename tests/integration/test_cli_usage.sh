#!/usr/bin/env bash
# What a user who mistypes hears from ferryctl, scripts/lab and the daemons'
# options, with no router running (ferryctl -i names an empty directory of
# TMP): each usage error is one line naming the word in the way and the form
# wanted (ferryctl and scripts/lab: exit 2, nothing on stdout), and ferryctl
# says it before it looks for a daemon (a typo is not reported as "vrfmgr is
# not running"). A daemon that is not there is said the same way by the
# table form and --json; -h lists a daemon's options and exit statuses, and
# a daemon's usage error is exit 2 too (1 is a config that does not load). Needs no namespace and
# no root. Prints "ok - ..." / "not ok - ..."; exit 0 only when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init cli_usage fcu cli_usage

if [ ! -x "$CTL" ]; then
	not_ok "prerequisites present (missing: $CTL; run make)"
	finish
fi
EMPTY=$TMP/router # a run directory with no daemon in it
mkdir -p "$EMPTY"

# said CODE MESSAGE CMD...: CMD exits CODE with exactly MESSAGE on stderr and nothing on stdout
said() {
	local code=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	[ "$rc" = "$code" ] && [ "$(cat "$TMP/err")" = "$want" ] && [ ! -s "$TMP/out" ] && return 0
	echo "# $*: exit $rc, stderr: $(head -c 400 "$TMP/err")"
	return 1
}
ctl() { "$CTL" -i "$EMPTY" "$@"; }

check "ferryctl shwo vrf: the unknown word and the commands, one line, exit 2 (was the whole --help)" \
	said 2 'ferryctl: unknown command: shwo (want show, trace, verify, events, vrf explain or reload check; ferryctl --help lists them)' \
	ctl shwo vrf
check "ferryctl vrf lsit: the older vrf forms named" \
	said 2 'ferryctl: unknown command: vrf lsit (want vrf list, vrf routes [VRF], vrf lsps, vrf labels or vrf explain RD PREFIX [VRF])' \
	ctl vrf lsit
check "ferryctl events foo / events bgpd bgpd: the word named (was the usage alone)" eval '
	said 2 "ferryctl: events: unexpected \"foo\" (want events [bgpd] [vrfmgr] [--type T[,T...]] [--vrf NAME] [--since N] [--snapshot] [--count N])" ctl events foo &&
	said 2 "ferryctl: events: a second \"bgpd\" (want events [bgpd] [vrfmgr] [--type T[,T...]] [--vrf NAME] [--since N] [--snapshot] [--count N])" ctl events bgpd bgpd'
check "ferryctl verify extra: the word named" \
	said 2 'ferryctl: verify: unexpected "extra" (want verify [--once])' ctl verify extra
check "ferryctl --all show vrf: --all is for show counters, said (exit 2), not ignored" \
	said 2 'ferryctl: --all is for show counters (want ferryctl show counters [VRF] --all, or show ... without it)' \
	ctl --all show vrf
check "ferryctl trace A / trace A 1.1.1.1 x: what is missing, or the word in the way" eval '
	said 2 "ferryctl: trace: which address? (want trace VRF ADDRESS, e.g. trace A 192.168.101.10)" ctl trace A &&
	said 2 "ferryctl: trace: unexpected \"x\" (want trace VRF ADDRESS)" ctl trace A 1.1.1.1 x'
check "ferryctl trace A 192.168.101.0/24 / trace A 1.2.3: a prefix or no address is bad usage (exit 2; was exit 1 from vrfmgr's 400), a prefix pointed to show vrf routes" eval '
	said 2 "ferryctl: trace: \"192.168.101.0/24\" is a prefix; trace follows one address (want trace VRF ADDRESS; for the prefix: ferryctl show vrf A routes 192.168.101.0/24)" ctl trace A 192.168.101.0/24 &&
	said 2 "ferryctl: trace: \"1.2.3\" is not an IPv4 address (want trace VRF ADDRESS, e.g. trace A 192.168.101.10)" ctl trace A 1.2.3'
check "ferryctl vrf explain 10.255.0.2:100: which prefix?" \
	said 2 'ferryctl: vrf explain: which prefix? (want vrf explain RD PREFIX [VRF], e.g. vrf explain 10.255.0.2:100 192.168.101.0/24)' \
	ctl vrf explain 10.255.0.2:100
check "ferryctl vrf explain with an address, a bad RD, a prefix with host bits: bad usage naming the word and the form (exit 2; was exit 1 from vrfmgr's 400), an address pointed to trace" eval '
	said 2 "ferryctl: vrf explain: \"192.168.101.10\" is an address; vrf explain takes the VPN route'\''s prefix (want vrf explain RD PREFIX [VRF]; the route a packet to it takes: ferryctl trace A 192.168.101.10)" ctl vrf explain 10.255.0.2:100 192.168.101.10 A &&
	said 2 "ferryctl: vrf explain: \"10.255.0.2;100\" is not a route distinguisher (want vrf explain RD PREFIX [VRF], e.g. vrf explain 10.255.0.2:100 192.168.101.0/24)" ctl vrf explain "10.255.0.2;100" 192.168.101.0/24 &&
	said 2 "ferryctl: vrf explain: \"192.168.101.0/23\" is not a prefix (want a.b.c.d/len, host bits clear, e.g. vrf explain 10.255.0.2:100 192.168.101.0/24)" ctl vrf explain 10.255.0.2:100 192.168.101.0/23'
check "a typo is a typo before any daemon is looked for: ferryctl -i <no such router> shwo is exit 2, not 'no run directory'" \
	said 2 'ferryctl: unknown command: shwo (want show, trace, verify, events, vrf explain or reload check; ferryctl --help lists them)' \
	"$CTL" -i "$PREFIX-nosuch" shwo
check "--json says a missing daemon as the table does: 'vrfmgr is not running (...)', exit 1" eval '
	said 1 "ferryctl: vrfmgr is not running ($EMPTY/vrfmgr.sock: No such file or directory; no daemon runs in $EMPTY)" ctl show vrf &&
	said 1 "ferryctl: vrfmgr is not running ($EMPTY/vrfmgr.sock: No such file or directory; no daemon runs in $EMPTY)" ctl --json show vrf'
nosuch_lists() { # -i of no router: the routers under /run/ferry named (whatever runs there now)
	"$CTL" -i "$PREFIX-nosuch" show vrf 2>"$TMP/err"
	[ $? = 1 ] && grep -qE "^ferryctl: no run directory /run/ferry/$PREFIX-nosuch \(want -i NAME of a router under /run/ferry, or a run directory's path; (routers there: .*|no router runs there)\)$" "$TMP/err"
}
check "ferryctl -i <no such router>: says so and names the routers there, exit 1" nosuch_lists
help_line() { [ "$("$CTL" --help | head -n 1)" = "$1" ]; }
check "ferryctl --help's usage line has every option, as docs/api.md has it" \
	help_line 'usage: ferryctl [-i INSTANCE | --url URL [--ca FILE] [--token-file FILE]] [--json] [-t MS] COMMAND'
check "ferryctl help is ferryctl --help (exit 0)" \
	eval '[ "$("$CTL" help)" = "$("$CTL" --help)" ] && "$CTL" help >/dev/null'
# forms: a usage text's command lines, each without its "   (comment)" and with single spaces
forms() { sed 's/   (.*)$//; s/^ *//; s/  */ /g' | sort; }
help_commands() { "$CTL" --help | sed -n '/^commands:$/,/^$/p' | sed '1d;/^$/d' | forms; }
doc_commands() { # the code block under "## ferryctl" in docs/api.md, its usage line left out
	awk '/^## ferryctl$/ { f = 1; next } f && /^```/ { if (n++) exit; next } f && n' docs/api.md |
		sed 1d | forms
}
same_commands() {
	local n
	n=$(help_commands | wc -l)
	[ "$n" -gt 10 ] || { echo "# --help lists $n commands"; return 1; }
	diff <(help_commands) <(doc_commands) >"$TMP/diff" && return 0
	sed 's/^/# /' "$TMP/diff"
	return 1
}
check "every command ferryctl --help lists is in docs/api.md's ferryctl usage, and no other" same_commands
doc_usage_line() { [ "$(awk '/^## ferryctl$/ { f = 1; next } f && /^```/ { getline; print; exit }' docs/api.md)" = "$("$CTL" --help | head -n 1)" ]; }
check "docs/api.md's ferryctl usage line is --help's" doc_usage_line
aliases_documented() { # each older form --help lists is named in docs/api.md, as `FORM`
	local form missing="" n=0
	while IFS= read -r form; do
		n=$((n + 1))
		grep -qF "\`$form\`" docs/api.md || missing+=" '$form'"
	done < <("$CTL" --help | sed -n '/^older forms/,$p' | sed 1d | grep '^  [a-z]' | sed 's/^  //; s/  .*$//')
	[ "$n" -gt 5 ] || { echo "# --help lists $n older forms"; return 1; }
	[ -z "$missing" ] && return 0
	echo "# not in docs/api.md:$missing"
	return 1
}
check "every older form ferryctl --help lists is in docs/api.md" aliases_documented

# scripts/lab: the command is read first, and a wrong word is named (it printed the usage alone).
check "scripts/lab statu: the unknown command named, exit 2" \
	said 2 "lab: unknown command 'statu' (want up, down, status, reload or restart, then the options; scripts/lab --help)" \
	scripts/lab statu
check "scripts/lab --prefix P status: the command comes first, said so" \
	said 2 "lab: unknown command '--prefix' (want up, down, status, reload or restart, then the options; scripts/lab --help)" \
	scripts/lab --prefix "$PREFIX" status
check "scripts/lab status --bogus: the option named" \
	said 2 "lab: status: unknown option '--bogus' (scripts/lab --help lists them)" \
	scripts/lab status --bogus --prefix "$PREFIX"
check "scripts/lab reload pe3 / restart pe1 bgp / status foo: the mistyped node or daemon named as one (was 'unknown option')" eval '
	said 2 "lab: reload: unknown node '\''pe3'\'' (want pe1, pe2 or p)" scripts/lab reload pe3 --prefix "$PREFIX" &&
	said 2 "lab: restart: unknown daemon '\''bgp'\'' (want vrfmgr, bgpd or fwd)" scripts/lab restart pe1 bgp --prefix "$PREFIX" &&
	said 2 "lab: status: unexpected '\''foo'\'' (scripts/lab --help lists the forms)" scripts/lab status foo --prefix "$PREFIX"'
check "scripts/lab up pe1: only reload and restart take a node" \
	said 2 "lab: up: unexpected 'pe1' (only reload and restart take a node)" \
	scripts/lab up pe1 --prefix "$PREFIX"
lab_restart_usage() { # what restart needs, said before any lab is looked for
	said 2 "lab: restart which node? (scripts/lab restart pe1|pe2|p vrfmgr|bgpd|fwd)" \
		scripts/lab restart --prefix "$PREFIX" &&
		said 2 "lab: restart pe1: which daemon? (vrfmgr, bgpd or fwd)" \
			scripts/lab restart pe1 --prefix "$PREFIX" &&
		said 2 "lab: restart p bgpd: P runs only fwd" scripts/lab restart p bgpd --prefix "$PREFIX" &&
		said 2 "lab: --graceful is for restart pe1|pe2 bgpd (a planned graceful restart)" \
			scripts/lab restart pe1 fwd --graceful --prefix "$PREFIX" &&
		said 2 "lab: restart: a second node 'pe2' (one at a time)" \
			scripts/lab restart pe1 bgpd pe2 --prefix "$PREFIX" &&
		said 2 "lab: status: unexpected 'bgpd' (only restart takes a daemon)" \
			scripts/lab status bgpd --prefix "$PREFIX" &&
		said 2 "lab: down: --io is for up" scripts/lab down --io af_xdp --prefix "$PREFIX" &&
		said 2 "lab: status: --force is for up and down" scripts/lab status --force --prefix "$PREFIX"
}
check "scripts/lab restart: a missing node or daemon, a daemon P lacks, --graceful off bgpd; up's options on another command: named, exit 2" \
	lab_restart_usage
lab_bad_values() { # each is usage (2): status's own exit 1 means a daemon is down
	said 2 "lab: --prefix needs a value" scripts/lab status --prefix &&
		said 2 "lab: bad --io 'af_xpd' (af_packet or af_xdp)" \
			scripts/lab up --io af_xpd --prefix "$PREFIX" &&
		said 2 "lab: bad --rx-ring 'frame' (blocks or frames)" \
			scripts/lab up --rx-ring frame --prefix "$PREFIX" &&
		said 2 "lab: bad prefix 'a/b' (letters, digits, '_', '.', '-'; at most 40)" \
			scripts/lab status --prefix a/b &&
		said 2 "lab: reload which node? (scripts/lab reload pe1|pe2|p)" \
			scripts/lab reload --prefix "$PREFIX"
}
check "scripts/lab: a missing or bad option value, a bad prefix, a reload without a node: named, exit 2 (was 1, which status uses for a daemon down)" \
	lab_bad_values

# The daemons: -h/--help lists the options (it was "invalid option"), a mistake is named first.
first_line() { # first_line CODE LINE CMD...: CMD exits CODE, LINE first on stderr (or stdout for 0)
	local code=$1 want=$2 got
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$code" = 0 ]; then got=$(head -n 1 "$TMP/out"); else got=$(head -n 1 "$TMP/err"); fi
	[ "$rc" = "$code" ] && [ "$got" = "$want" ] && return 0
	echo "# $*: exit $rc, first line: $got"
	return 1
}
check "bgpd -h, vrfmgr --help, fwd -h: the options on stdout, exit 0" eval '
	first_line 0 "usage: bgpd -c FILE [-r RUN_DIR] [-n] [-d]" "$BUILD/bgpd" -h &&
	first_line 0 "usage: vrfmgr -c FILE [-r RUN_DIR] [-n] [-d]" "$BUILD/vrfmgr" --help &&
	first_line 0 "usage: fwd -c FILE [-r RUN_DIR] [-n] [-d] [-o KEY=VALUE]..." "$BUILD/fwd" -h &&
	grep -q "^  -n          check the config and exit" "$TMP/out" &&
	grep -q "^  1 the config does not load, or the daemon cannot start or run on; 2 bad usage$" "$TMP/out"'
check "a daemon's usage error says what is wrong first: no -c, an unknown option, a stray word, a missing value (exit 2, as ferryctl's; was 1, a config's)" eval '
	first_line 2 "fwd: -c FILE is required (the router'"'"'s JSON config)" "$BUILD/fwd" &&
	first_line 2 "bgpd: unknown option --bogus" "$BUILD/bgpd" --bogus -c configs/lab/pe1.json &&
	first_line 2 "vrfmgr: unexpected \"extra\" (options only)" "$BUILD/vrfmgr" -c configs/lab/pe1.json -n extra &&
	first_line 2 "vrfmgr: option -c needs a value" "$BUILD/vrfmgr" -c'
check "a usage error is said before the file is read: a bad -r or -o with a file that is not there is exit 2 naming the option, not the file" eval '
	said 2 "bgpd: -r: \"run/x\" is not a run directory (want an absolute path of at most 91 characters)" "$BUILD/bgpd" -c "$TMP/nosuch.json" -r run/x &&
	said 2 "fwd: -o io=dpdk: want io=af_packet or io=af_xdp" "$BUILD/fwd" -c "$TMP/nosuch.json" -o io=dpdk'
check "a config that does not load stays exit 1 (not usage): each daemon, -n on a file that is not there" eval '
	said 1 "$TMP/nosuch.json: cannot read: No such file or directory (want a readable JSON file of at most 16 MiB)" "$BUILD/bgpd" -n -c "$TMP/nosuch.json" &&
	said 1 "$TMP/nosuch.json: cannot read: No such file or directory (want a readable JSON file of at most 16 MiB)" "$BUILD/vrfmgr" -n -c "$TMP/nosuch.json" &&
	said 1 "$TMP/nosuch.json: cannot read: No such file or directory (want a readable JSON file of at most 16 MiB)" "$BUILD/fwd" -n -c "$TMP/nosuch.json"'

finish
