# The test scripts' TAP-style output, shared by tests/integration/lib.sh and
# tests/interop/test_interop.sh: tests/run-integration counts the "ok - " and
# "not ok - " lines. The caller sets passed=0 failed=0.
ok() {
	echo "ok - $*"
	passed=$((passed + 1))
}
not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
}
# note [TEXT...]: diagnostics as comments, indented: TEXT's lines, or stdin's
# without TEXT (called with TEXT, it used to wait on stdin and drop TEXT)
note() {
	if [ $# -gt 0 ]; then printf '%s\n' "$*"; else cat; fi | sed 's/^/#   /'
}
