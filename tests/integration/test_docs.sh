#!/usr/bin/env bash
# The documentation holds together: every link of README.md and docs/*.md
# to a file of the repository resolves, and every #anchor names a heading
# of the page it points to (as GitHub makes anchors of headings). The
# config reference and the ferryctl usage are held to the code elsewhere
# (tests/unit/test_common_config_docs.c, test_cli_usage.sh). Needs no root
# and no build. Prints "ok - ..." / "not ok - ..."; exit 0 only when all pass.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
t_init docs fdoc docs

# Prints FILE:LINE: TARGET: what is wrong, for each link that does not resolve.
broken_links() {
	python3 - "$@" <<'EOF'
import os, re, sys

def anchors(path):
    found, seen, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"(#+)\s+(.*)", line)
        if m:
            a = re.sub(r"[^\w\- ]", "", m.group(2).strip().lower()).replace(" ", "-")
            seen[a] = seen.get(a, -1) + 1
            found.add(a if seen[a] == 0 else f"{a}-{seen[a]}")
    return found

for f in sys.argv[1:]:
    text = open(f, encoding="utf-8").read()
    for m in re.finditer(r"\]\(([^)\s]+)\)", text):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        path, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        where = f"{f}:{text.count(chr(10), 0, m.start()) + 1}: {target}"
        if not os.path.exists(dest):
            print(f"{where}: no file {dest}")
        elif frag and dest.endswith(".md") and frag not in anchors(dest):
            print(f"{where}: no heading makes #{frag} in {dest}")
EOF
}
links_resolve() {
	local out
	out=$(broken_links README.md docs/*.md) || { echo "# python3 failed"; return 1; }
	[ -z "$out" ] && return 0
	sed 's/^/# /' <<<"$out"
	return 1
}
check "every link in README.md and docs/*.md names a file that exists, and a heading of it" links_resolve
# the checker itself: a link to a missing heading and one to a missing file are found
printf '# T\n## Two words\n[a](#two-words) [b](#three) [c](nofile.md)\n' >"$TMP/t.md"
check "the link check finds a missing heading and a missing file, and passes a good anchor" \
	eval '[ "$(broken_links "$TMP/t.md" | wc -l)" = 2 ] && broken_links "$TMP/t.md" | grep -c "#three" >/dev/null'

finish
