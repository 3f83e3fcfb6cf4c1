#!/usr/bin/env bash
# router.dataplane "kernel" against a real kernel: this machine's has no MPLS
# routing and no VRF devices, so the test boots the stock Debian kernel that
# scripts/install-deps unpacked (FERRY_KERNEL_DIR, /var/cache/ferry/kernel)
# under qemu-system-x86_64 in software emulation, with an initramfs built
# here: busybox, iproute2's ip, vrfmgr and bgpd with the libraries they
# load, and the MPLS, VRF and veth modules. In the guest, tests/integration/
# kernel_guest.sh builds the lab (PE1 - P - PE2, two customers with the same
# addresses) in namespaces: the PEs run vrfmgr + bgpd with the kernel
# dataplane and no fwd, P is the kernel's own LSR (static MPLS routes). The
# guest prints what the kernel holds on the serial console; the checks are
# made here:
#  - before the MPLS module is loaded vrfmgr stops with the setting named
#  - each VRF is a VRF device with its table (10000 + id), its CE link enslaved
#    and addressed; the sysctls set
#  - the VRF tables hold the static routes via the CE and the remote PE's
#    prefixes as encap mpls 16/<VPN label> via P; the MPLS table the per-VRF
#    labels popped into the VRF devices; every route of protocol 240
#  - customer traffic crosses the kernel's MPLS: A1 reaches A2 and B1 B2
#    over the same addresses, and A cannot reach what only B has
#  - a reload (SIGHUP) that removes VRF B at PE2 (ce-b2 released and down: its
#    CE gets nothing into the core) and one that brings it back
#  - links set down and up, a CE link deleted and made again: vrfmgr programs
#    their routes again (and binds the new link)
#  - a VRF device deleted behind vrfmgr's back (ip link del vrf-A): made again
#    with its table, its CE link bound again, its routes and label programmed
#    again, A1 pings A2 again; deleted again at once: made again after a backoff
#  - vrf-A set down behind vrfmgr's back: set up again, its routes and label
#    back; ce-a1 taken out of vrf-A (nomaster), then moved into another VRF
#    device: bound again each time with its address (after a backoff, the
#    second time within a minute), A1 pings A2 again; GET /vrfs counts them
#  - ferryctl verify on that PE (no fwd): its check vrfmgr -> kernel consistent,
#    then naming ce-a1 while it waits out of vrf-A, then consistent again
#  - a restarted vrfmgr sweeps a stale route of protocol 240 from a VRF
#    table and the MPLS table, and leaves another protocol's route alone; its
#    file no longer has VRF B: vrf-B, its routes and label go (its link ce-b1
#    released and down first), another's VRF device stays
#  - nothing the kernel refused (no "kernel dataplane" warning in the logs)
# Missing QEMU, busybox or the kernel image is a failure, not a skip.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init kernel_dataplane kdp "kernel dataplane (QEMU)"
t_prereqs "vrfmgr bgpd ferryctl" "qemu-system-x86_64 busybox jq ldd gzip ip"

KDIR=${FERRY_KERNEL_DIR:-/var/cache/ferry/kernel}
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n 1)
if [ -z "$VMLINUZ" ]; then
	not_ok "a Debian kernel image in $KDIR/boot (scripts/install-deps unpacks linux-image-amd64's there)"
	finish
fi
KVER=${VMLINUZ##*/vmlinuz-}
KMOD=$KDIR/lib/modules/$KVER
ROOTFS=$TMP/rootfs
CONSOLE=$TMP/console.log
BOOT_TIMEOUT=${FERRY_QEMU_TIMEOUT:-300} # seconds for the whole guest run (TCG: ~10 s to boot)

# copy_bin FILE: FILE and the shared libraries it loads, at the same paths
copy_bin() {
	local f lib
	for f in "$1" $(ldd "$1" | grep -o '/[^ ]*'); do
		lib=$(readlink -f "$f")
		mkdir -p "$ROOTFS$(dirname "$f")"
		cp "$lib" "$ROOTFS$f" || return 1
	done
}

# module PATH: PATH.ko on stdout, decompressed when the kernel ships it as .ko.xz / .ko.zst
module() {
	if [ -f "$1.ko" ]; then cat "$1.ko"
	elif [ -f "$1.ko.xz" ]; then xz -dc "$1.ko.xz"
	elif [ -f "$1.ko.zst" ]; then zstd -dc "$1.ko.zst"
	else return 1
	fi
}

build_initramfs() {
	local m
	mkdir -p "$ROOTFS"/{bin,proc,sys,dev,run,tmp,ferry,cfg} || return 1
	cp "$(command -v busybox)" "$ROOTFS/bin/busybox" || return 1
	[[ $(ldd "$ROOTFS/bin/busybox" 2>&1) == *"not a dynamic"* ]] ||
		{ echo "# busybox is not static (want busybox-static)"; return 1; }
	copy_bin "$(command -v ip)" && cp "$(readlink -f "$(command -v ip)")" "$ROOTFS/ferry/ip" || return 1
	copy_bin "$BUILD/vrfmgr" && cp "$BUILD/vrfmgr" "$ROOTFS/ferry/vrfmgr" || return 1
	copy_bin "$BUILD/bgpd" && cp "$BUILD/bgpd" "$ROOTFS/ferry/bgpd" || return 1
	copy_bin "$BUILD/ferryctl" && cp "$BUILD/ferryctl" "$ROOTFS/ferry/ferryctl" || return 1
	for m in net/ipv4/ip_tunnel net/mpls/mpls_router net/mpls/mpls_iptunnel drivers/net/vrf \
		drivers/net/veth; do
		mkdir -p "$ROOTFS/lib/modules/$KVER/kernel/$(dirname "$m")"
		module "$KMOD/kernel/$m" >"$ROOTFS/lib/modules/$KVER/kernel/$m.ko" ||
			{ echo "# $KMOD/kernel/$m.ko missing (or cannot be decompressed)"; return 1; }
	done
	cp "$KMOD"/modules.builtin* "$ROOTFS/lib/modules/$KVER/" 2>/dev/null
	busybox depmod -b "$ROOTFS" "$KVER" || return 1
	# the lab's PE configs, with the kernel dataplane; PE2's VRF B labels per CE (pop and
	# send to the CE, no lookup: the other kind of LFIB entry vrfmgr makes)
	jq '.router.dataplane = "kernel"' configs/lab/pe1.json >"$ROOTFS/cfg/pe1.json" &&
		jq 'del(.vrfs[1])' "$ROOTFS/cfg/pe1.json" >"$ROOTFS/cfg/pe1-without-B.json" &&
		jq '.router.dataplane = "kernel" | .vrfs[1].label_mode = "per-ce"' \
			configs/lab/pe2.json >"$ROOTFS/cfg/pe2.json" &&
		jq 'del(.vrfs[1])' "$ROOTFS/cfg/pe2.json" >"$ROOTFS/cfg/pe2-without-B.json" || return 1
	cp tests/integration/kernel_guest.sh "$ROOTFS/init" && chmod +x "$ROOTFS/init" || return 1
	(cd "$ROOTFS" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$TMP/initrd.gz"
}
if ! build_initramfs; then
	not_ok "an initramfs with busybox, ip, vrfmgr, bgpd and the MPLS/VRF modules of $KVER"
	finish
fi
ok "an initramfs with busybox, ip, vrfmgr, bgpd and the MPLS/VRF modules of $KVER"

# Boot it; the guest powers off when done. Output on the serial console.
qemu-system-x86_64 -accel tcg -m 768 -smp 1 -nographic -no-reboot -nic none \
	-kernel "$VMLINUZ" -initrd "$TMP/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/init" >"$CONSOLE" 2>&1 </dev/null &
QEMU=$!
t_track "$QEMU"
guest_done() { grep -q '^FERRY-GUEST-DONE' "$CONSOLE"; }
guest_over() { guest_done || ! t_running "$QEMU"; } # done, or QEMU gave up
booted() {
	poll "$BOOT_TIMEOUT" guest_over && guest_done && return 0
	echo "# no FERRY-GUEST-DONE (QEMU $(t_running "$QEMU" && echo "still running after $BOOT_TIMEOUT s" || echo exited)); console tail:"
	tail -n 40 "$CONSOLE" | tr -d '\r' | note
	return 1
}
if ! booted; then
	not_ok "the guest boots, runs the lab and reports (within ${BOOT_TIMEOUT}s)"
	finish
fi
ok "the guest boots, runs the lab and reports (within ${BOOT_TIMEOUT}s)"
t_stop "$QEMU"
[ -n "${FERRY_KDP_KEEP_CONSOLE:-}" ] && cp "$CONSOLE" "$FERRY_KDP_KEEP_CONSOLE"
tr -d '\r' <"$CONSOLE" >"$TMP/out"

# section NAME: the guest's lines between "=== NAME" and the next "=== "
section() { awk -v s="=== $1" '$0 == s { on = 1; next } /^=== / { on = 0 } on' "$TMP/out"; }
# has NAME REGEX...: each REGEX matches a line of section NAME. grep reads all
# of it (no -q): under pipefail, a grep -q that stops at the first match can
# leave awk writing into a closed pipe (SIGPIPE), and a match would count as none.
has() {
	local s=$1 re
	shift
	for re in "$@"; do
		section "$s" | grep -E -- "$re" >/dev/null && continue
		echo "# section $s has no line matching: $re"
		section "$s" | head -n 30 | note
		return 1
	done
}
hasnt() { # ...and the section is not empty: the guest got that far
	local s=$1 re
	shift
	if [ -z "$(section "$s")" ]; then
		echo "# section $s is empty or missing"
		return 1
	fi
	for re in "$@"; do
		section "$s" | grep -E -- "$re" >/dev/null || continue
		echo "# section $s has a line matching: $re"
		section "$s" | grep -E -- "$re" | note
		return 1
	done
}

check "without the MPLS module, vrfmgr with the kernel dataplane exits 1 naming the setting and what to load" \
	has no-mpls '^exit 1$' 'warning: kernel dataplane: cannot read net\.mpls\.platform_labels: No such file or directory \(want a kernel with MPLS routing: modprobe mpls_router mpls_iptunnel vrf\)'
check "...and leaves nothing in its run directory (no state file, no socket)" \
	hasnt no-mpls 'vrfmgr\.state|\.sock|\.ipc'
check "modules loaded and the lab set up in the guest" has setup '^ok modules$' '^ok lab$'
check "routes arrived from BGP in time" has setup '^ok converged$'
check "VRF devices: vrf-A table 10001, vrf-B table 10002, up" \
	has pe1-vrfs 'vrf-A: .*UP' 'vrf table 10001' 'vrf-B: .*UP' 'vrf table 10002'
check "the CE links are enslaved to their VRF devices, with the addresses vrfmgr gave them" \
	has pe1-slaves 'ce-a1@.* master vrf-A' 'ce-b1@.* master vrf-B' \
	'inet 10\.1\.1\.1/30 .* ce-a1' 'inet 10\.2\.1\.1/30 .* ce-b1'
check "sysctls: platform_labels above the label range, MPLS input on core0, forwarding on" \
	has pe1-sysctl '^platform_labels 200$' '^core0.input 1$' '^ip_forward 1$'
check "VRF A's table: the static route via the CE, the remote site via PE2's LSP (encap mpls 16/2xx), protocol 240" \
	has pe1-table-A '^unicast 192\.168\.100\.0/24 via 10\.1\.1\.2 dev ce-a1 proto 240' \
	'^unicast 192\.168\.101\.0/24 +encap mpls +16/2[0-9][0-9] via 10\.0\.1\.2 dev core0 proto 240'
check "VRF B's table: the same prefixes, its own CE and VPN label" \
	has pe1-table-B '^unicast 192\.168\.100\.0/24 via 10\.2\.1\.2 dev ce-b1 proto 240' \
	'^unicast 192\.168\.101\.0/24 +encap mpls +16/2[0-9][0-9] via 10\.0\.1\.2 dev core0 proto 240'
labels_differ() {
	local a b
	a=$(section pe1-table-A | grep -Eo 'mpls +16/[0-9]+' | head -n 1)
	b=$(section pe1-table-B | grep -Eo 'mpls +16/[0-9]+' | head -n 1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] && return 0
	echo "# VPN labels of A and B: '$a' '$b'"
	return 1
}
check "A's and B's VPN labels differ (one per VRF at PE2)" labels_differ
check "the MPLS table: each per-VRF label popped into its VRF device, protocol 240" \
	has pe1-mpls '^1[0-9][0-9] dev vrf-A proto 240' '^1[0-9][0-9] dev vrf-B proto 240'
check "PE2 the same way round (encap mpls 17/1xx toward PE1)" \
	has pe2-table-A '^unicast 192\.168\.100\.0/24 +encap mpls +17/1[0-9][0-9] via 10\.0\.2\.1 dev core0 proto 240'
check "PE2's per-CE labels for VRF B: the CE's popped and sent to it (via inet 10.2.2.2 dev ce-b2), the link's popped into vrf-B" \
	has pe2-mpls '^2[0-9][0-9] via inet 10\.2\.2\.2 dev ce-b2 proto 240' '^2[0-9][0-9] dev vrf-B proto 240' \
	'^2[0-9][0-9] dev vrf-A proto 240'
check "ping A1 -> A2 (192.168.101.10) across the kernel's MPLS" has ping '^ok a1-a2$'
check "ping B1 -> B2 (192.168.101.10, the same address in VPN B; PE2 pops B's per-CE label straight to the CE)" has ping '^ok b1-b2$'
check "B1 reaches 192.168.101.20, which only B2 has" has ping '^ok b1-b2-only$'
check "A1 cannot reach 192.168.101.20 (B's)" has ping '^ok a1-not-b$'
check "B1 reaches CE B2's link address (10.2.2.2) through the label of PE2's connected subnet" \
	has ping '^ok b1-b2-link$'
check "P has no route to the customers: what crossed it went as MPLS" has ping "^ok p-no-customer-route$"
check "PE2 reloaded (SIGHUP) without VRF B: vrf-B gone, ce-b2 released and its address removed, B's routes and labels gone" \
	has reload '^ok vrf-B gone$' '^ok ce-b2 released$' '^ok no B label$' '^ok no B routes$' '^ok b1-b2 cut$'
check "...and ce-b2's link is down: B's departed CE, PE2's MAC pinned, gets no ping into the core (P counts no echo request)" \
	has reload '^ok ce-b2 down$' '^ok b2-not-core$'
check "...and reloaded back: B1 reaches B2 again" has reload '^ok B back$' '^ok b1-b2 again$'
check "ce-a1 and core0 set down: the kernel dropped the routes through them" has flaps '^ok routes gone with the links$'
check "...set up again: vrfmgr programmed them again (static via the CE, encap mpls via core0)" \
	has flaps '^ok ce-a1 route back$' '^ok core0 routes back$'
check "...and A1 reaches A2 again" has flaps '^ok a1-a2 after flaps$'
check "ce-a1 deleted and made again: enslaved to vrf-A and addressed again, its route back, A1 reaches A2" \
	has flaps '^ok ce-a1 made again$' '^ok ce-a1 bound again$' 'ce-a1@.* master vrf-A' '^ok a1-a2 after re-creation$'
check "vrf-A deleted behind vrfmgr's back (ip link del): made again on table 10001, ce-a1 bound again with its address, A's routes and label programmed again" \
	has vrf-deleted '^ok vrf-A deleted$' '^ok vrf-A made again$' 'ce-a1@.* master vrf-A' \
	'^unicast 192\.168\.101\.0/24 +encap mpls +16/2[0-9][0-9] via 10\.0\.1\.2 dev core0 proto 240' \
	'^1[0-9][0-9] dev vrf-A proto 240'
check "...and A1 reaches A2 again (polled)" has vrf-deleted '^ok a1-a2 after vrf-A made again$'
check "...and said so in its log" has pe1-vrfmgr-log \
	'warning: kernel dataplane: VRF A: device vrf-A \(ifindex [0-9]+\) was deleted, not by vrfmgr: making it again' \
	'info: kernel dataplane: VRF A is device vrf-A again \(ifindex [0-9]+, table 10001\); links bound again: 1, routes and labels programmed again: [1-9]'
check "deleted again at once: made again after its backoff (1 s), ce-a1's link down meanwhile, A1 reaches A2 again" \
	has vrf-deleted '^ok vrf-A deleted again$' '^ok vrf-A made again after its backoff$' \
	'^ok a1-a2 after the second deletion$'
check "...said so in its log" has pe1-vrfmgr-log \
	'VRF A: device vrf-A \(ifindex [0-9]+\) deleted again, [0-9]+ ms after vrfmgr last put it right: made again in 1000 ms, its links down until then'
check "...and the metrics count both, with no VRF left without its device" \
	has vrf-deleted-metrics '^ferry_vrfmgr_kernel_vrf_devices_remade_total 2$' \
	'^ferry_vrfmgr_kernel_vrfs_without_device 0$'
check "...and GET /vrfs shows vrf-A present again, on table 10001, made again twice" \
	has vrf-deleted-metrics '"kernel_device":\{"name":"vrf-A","table":10001,"ifindex":[0-9]+,"state":"present","remade":2,"set_up_again":0,"links_bound_again":[0-9]+,"links":\[\{"name":"ce-a1","ifindex":[0-9]+,"state":"bound"\}\]\}'
check "link events lost (PE1's vrfmgr stopped, a flood of another link's events, ce-a1 down and up unseen): the route through ce-a1 programmed again" \
	has lost-events '^ok flood and ce-a1 flap while vrfmgr is stopped$' '^ok ce-a1 route back after lost events$'
check "...and the overrun said so in its log" \
	has pe1-vrfmgr-log 'warning: kernel dataplane: link events lost \(receive buffer overrun\): listing every link again'
check "ce-a1 deleted and made again with the ifindex it had: a new link, enslaved and addressed again, its route back" \
	has flaps '^ok ce-a1 made again with its ifindex$' '^ok ce-a1 bound again \(same ifindex\)$'
check "PE1's vrfmgr stopped, stale routes planted, vrfmgr started again and converged" \
	has restart '^ok stopped$' '^ok stale routes added$' '^ok routes complete$' '^ok converged again$'
swept_b() { # table 10002 may be empty: its device went, and the kernel's routes with it
	hasnt after-restart-vrfs 'vrf-B:' && hasnt after-restart-mpls 'vrf-B' || return 1
	! section after-restart-B | grep 'proto 240' >/dev/null && return 0
	section after-restart-B | note
	return 1
}
check "the restarted vrfmgr, whose file no longer has VRF B, swept vrf-B and its routes and label" \
	swept_b
check "...and set ce-b1, vrf-B's link, down before deleting vrf-B (the kernel would release it up, into the main table)" \
	hasnt after-restart-ce-b1 '[<,]UP[,>]' 'master'
released_stray() { has restart '^ok stray0 in vrf-A$' && has after-restart-slaves 'ce-a1@' &&
	hasnt after-restart-slaves 'stray0'; }
check "...and released stray0, which the previous run had in vrf-A and the file does not (ce-a1 stays)" \
	released_stray
check "...and set stray0 down: out of vrf-A, up, it would forward its CE's traffic by the main table" \
	hasnt after-restart-stray '[<,]UP[,>]'
check "...and left a VRF device that is not ferry's (vrf-X, table 10009, no alias) alone" \
	has after-restart-vrfs 'vrf-X:' 'alias ferry vrfmgr'
check "a restarted vrfmgr swept its stale routes: 10.99.0.0/16 (proto 240) from table 10001, label 150" \
	hasnt after-restart-A '^unicast 10\.99\.0\.0/16'
check "...and the stale label 150" hasnt after-restart-mpls '^150 '
check "...and left the route of another protocol (10.98.0.0/16, proto static) alone" \
	has after-restart-A '^unicast 10\.98\.0\.0/16 dev ce-a1 proto static'
kept() { has after-restart-A '^unicast 192\.168\.101\.0/24 +encap mpls' &&
	has after-restart-mpls 'dev vrf-A proto 240'; }
check "...and kept what it programs (the routes and labels are still there)" kept
check "...and said so in its log" has pe1-vrfmgr-log 'swept [0-9]+ routes left by a previous run' \
	'swept VRF device vrf-B, of a VRF no longer configured'
check "vrf-A set down behind vrfmgr's back (the restarted one): set up again, A's routes and label back, A1 reaches A2 (polled)" \
	has vrf-down '^ok vrf-A set down$' '^ok vrf-A up again with its routes$' '^ok a1-a2 after vrf-A set down$'
check "...and said so in its log" has pe1-vrfmgr-log \
	'warning: kernel dataplane: VRF A: device vrf-A \(ifindex [0-9]+\) was set down, not by vrfmgr: setting it up again' \
	'info: kernel dataplane: VRF A put right: device vrf-A set up again; links bound again: 0, routes and labels programmed again: [1-9]'
check "ce-a1 taken out of vrf-A (nomaster) within a minute: bound again with its address after its backoff (1 s), A1 reaches A2" \
	has link-out '^ok ce-a1 nomaster$' '^ok ce-a1 bound again$' '^ok a1-a2 after nomaster$'
check "...then moved into vrf-X, another VRF device: taken back after 2 s, A1 reaches A2" \
	has link-out '^ok ce-a1 into vrf-X$' '^ok ce-a1 bound again after vrf-X$' '^ok a1-a2 after vrf-X$' \
	'ce-a1@.* master vrf-A .*state UP'
check "...and said so in its log, with its waits" has pe1-vrfmgr-log \
	'VRF A: ce-a1 taken out of vrf-A \(now in no VRF device\) again, [0-9]+ ms after vrfmgr last put it right: bound again in 1000 ms, its links down until then' \
	'VRF A: ce-a1 taken out of vrf-A \(now a slave of ifindex [0-9]+\) again, [0-9]+ ms after vrfmgr last put it right: bound again in 2000 ms, its links down until then' \
	'info: kernel dataplane: VRF A put right: device vrf-A up; links bound again: 1, '
check "...and GET /vrfs counts them: set up once, ce-a1 bound again twice, bound now" \
	has guard-vrf-A '"state":"present","remade":0,"set_up_again":1,"links_bound_again":2,"links":\[\{"name":"ce-a1","ifindex":[0-9]+,"state":"bound"\}\]'
check "ferryctl verify on a PE with no fwd: vrfmgr -> kernel (vrf-A present, ce-a1 bound in it), consistent, exit 0" \
	has pe1-verify '^vrfmgr -> kernel +2 compared, ok$' '^verify: consistent$' '^exit 0$'
check "...and with ce-a1 out of vrf-A, waiting its backoff (4 s): INCONSISTENT naming ce-a1 waiting, exit 1" \
	has pe1-verify-waiting '^vrfmgr -> kernel +2 compared, INCONSISTENT$' \
	'^  ce-a1: VRF A binds it, the kernel dataplane has it waiting \(taken out of it, or its device deleted' \
	'^exit 1$'
verify_again() { has pe1-verify '^ok ce-a1 parked$' &&
	has pe1-verify-waiting '^ok ce-a1 bound again after its wait$' &&
	has pe1-verify-again '^vrfmgr -> kernel +2 compared, ok$' '^verify: consistent$' '^exit 0$'; }
check "...then, ce-a1 bound again, consistent again" verify_again
check "vrfmgr's metrics: no kernel error, no fwd" \
	has pe1-metrics '^ferry_vrfmgr_kernel_errors_total 0$' '^ferry_vrfmgr_fwd_connected 0$'
reload_checked() { has pe1-reload-check '^vrfmgr: would apply /cfg/pe1-without-B\.json' \
	'^bgpd: would apply /cfg/pe1\.json' '^exit 0$' && hasnt pe1-reload-check '^fwd|fwd is not'; }
check "ferryctl reload check on a PE without fwd (kernel dataplane): vrfmgr and bgpd asked, both accept, exit 0" \
	reload_checked
# (but the overrun the lost-events step makes, and what is done to vrf-A and ce-a1, on purpose)
no_warning() {
	local w
	w=$(section pe1-vrfmgr-log | grep 'warning: kernel dataplane' |
		grep -v -e ': link events lost (' -e 'VRF A: device vrf-A (ifindex [0-9]*) \(was \)\?\(deleted\|set down\)' \
			-e 'VRF A: ce-a1 taken out of vrf-A')
	[ -z "$w" ] || { echo "$w" | note; return 1; }
	[ -n "$(section pe1-vrfmgr-log)" ] && hasnt pe2-vrfmgr-log 'warning: kernel dataplane'
}
check "the kernel refused nothing: no kernel dataplane warning in either vrfmgr's log" no_warning
finish
