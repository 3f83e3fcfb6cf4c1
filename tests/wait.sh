# shellcheck shell=bash
# Bounded waits, shared by tests/integration/lib.sh and tests/interop/lib.sh
# (sourced by both; t_wait reports through tests/tap.sh's not_ok). A test
# waits on a condition, never for a fixed time.
#
#  - poll SECONDS CMD...: runs CMD (output hidden) every $T_POLL_INTERVAL s
#    (default 0.2) until it succeeds: 0, or 1 after SECONDS x
#    $FERRY_TEST_TIMEOUT_SCALE (default 1; tests/valgrind/run raises it for
#    daemons slow on purpose);
#  - t_wait SECONDS WHAT CMD...: poll, for a wait that is not itself a check
#    (the test goes on after it): on timeout a failed check "timed out after
#    N s waiting for WHAT", where the test went wrong, not only a later check
#    that cannot say what never came. Its status, 0 or 1, for callers that
#    stop there.

poll() {
	local deadline=$((SECONDS + $1 * ${FERRY_TEST_TIMEOUT_SCALE:-1}))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep "${T_POLL_INTERVAL:-0.2}"
	done
}
t_wait() {
	local t=$1 what=$2
	shift 2
	poll "$t" "$@" && return 0
	not_ok "timed out after $((t * ${FERRY_TEST_TIMEOUT_SCALE:-1})) s waiting for $what"
	return 1
}
