#!/bin/busybox sh
# /init of bench/kernel-routes' QEMU guest (not run by itself): for each size
# in /cfg/sizes and each run, each vrfmgr of /cfg/names (/ferry/vrfmgr-NAME)
# started on /cfg/N-kernel.json, then the first on /cfg/N-fwd.json, from a
# clean kernel, timed from exec to its "running" line (read from its log as
# it is written: no polling); "RUN ..." lines on the console, then KR-DONE
# and power off.
/bin/busybox --install -s /bin
export PATH=/bin
IP=/ferry/ip
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
echo
fin() { echo "KR-DONE"; sync; poweroff -f; }
read VRFS RUNS </cfg/params
read NAMES </cfg/names
FIRST=${NAMES%% *}
for m in mpls_router mpls_iptunnel vrf veth; do
	modprobe "$m" || { echo "FAIL modprobe $m"; fin; }
done
$IP link set lo up
$IP link add core0 type veth peer name p0 && $IP link set core0 up && $IP link set p0 up
k=1
while [ "$k" -le "$VRFS" ]; do
	$IP link add "ce-v$k" type veth peer name "ce-v$k-p" && $IP link set "ce-v$k" up &&
		$IP link set "ce-v$k-p" up || { echo "FAIL links"; fin; }
	k=$((k + 1))
done
cs() { read up _ </proc/uptime; echo "${up%.*}${up#*.}0"; } # uptime in ms (10 ms steps)

# clean: no device of ferry's, no route of protocol 240 (what a run left)
clean() {
	k=1
	while [ "$k" -le "$VRFS" ]; do
		$IP route flush table $((10000 + k)) 2>/dev/null
		$IP link del "vrf-v$k" 2>/dev/null
		$IP link set "ce-v$k" up
		k=$((k + 1))
	done
	$IP -f mpls route flush 2>/dev/null
	rm -rf /run/ferry
}

# once N NAME RUN: /ferry/vrfmgr-NAME on /cfg/N-kernel.json (NAME fwd: the first
# on /cfg/N-fwd.json), its time to "running"
once() {
	clean
	rm -f /run/log.fifo && mkfifo /run/log.fifo
	if [ "$2" = fwd ]; then bin=/ferry/vrfmgr-$FIRST cfg=/cfg/$1-fwd.json
	else bin=/ferry/vrfmgr-$2 cfg=/cfg/$1-kernel.json
	fi
	t0=$(cs)
	$bin -c "$cfg" >/run/log.fifo 2>&1 &
	pid=$!
	t1=
	while read -r line; do
		echo "$line" >>/run/vrfmgr.log
		case "$line" in
		*"vrfmgr pe1 running"*) t1=$(cs); break ;;
		esac
	done </run/log.fifo
	warn=$(grep -c 'warning' /run/vrfmgr.log)
	kill "$pid"
	cat /run/log.fifo >/dev/null # until vrfmgr closes it
	wait "$pid"
	routes=0
	if [ "$2" != fwd ]; then
		routes=$($IP route show table all proto 240 | wc -l)
	fi
	if [ -z "$t1" ]; then
		echo "FAIL n=$1 dp=$2 run=$3: no running line"; tail -n 5 /run/vrfmgr.log
	else
		echo "RUN n=$1 dp=$2 run=$3 ms=$((t1 - t0)) routes_proto240=$routes warnings=$warn"
	fi
	[ "$warn" -gt 0 ] && grep warning /run/vrfmgr.log | head -n 3
	rm -f /run/vrfmgr.log
}
# a first vrfmgr start (modules, page cache) pays for what later ones do not: not counted
once "$(cut -d' ' -f1 /cfg/sizes)" "$FIRST" warm-up >/dev/null
for n in $(cat /cfg/sizes); do
	r=1
	while [ "$r" -le "$RUNS" ]; do
		for name in $NAMES; do
			once "$n" "$name" "$r"
		done
		once "$n" fwd "$r"
		r=$((r + 1))
	done
done
fin
