# The manual: every page renders without a warning, and every tool has a page
# with the sections an operator looks for.
. "$(dirname "$0")/lib.sh"

man_dir=$BTR_TOP/man
pages=$(ls "$man_dir"/*.[1-8] 2>/dev/null)
[ -n "$pages" ] || { fail "man pages exist" "none in $man_dir"; exit 1; }

for p in $pages; do
	n=$(basename "$p")
	out=$(groff -ww -z -man "$p" 2>&1)
	[ -z "$out" ]
	outcome $? "groff -ww renders $n cleanly" "$(printf '%s' "$out" | head -3 | tr '\n' '|')"
	# man(1) runs the page through its own preprocessors and line breaking; with
	# MANWIDTH narrow, a line that cannot be broken shows up as a warning too.
	if command -v man >/dev/null; then
		out=$(MANWIDTH=80 LC_ALL=C.UTF-8 MAN_KEEP_STDERR=1 man --warnings -l "$p" 2>&1 >/dev/null)
		[ -z "$out" ]
		outcome $? "man -l renders $n cleanly" "$(printf '%s' "$out" | head -3 | tr '\n' '|')"
	else
		skip "man -l renders $n cleanly" "man-db is not installed"
	fi
	sec=${n##*.}
	grep -q "^\.TH [A-Z0-9_-]* $sec " "$p"
	outcome $? "$n has a .TH for section $sec" "$(grep -m1 '^\.TH' "$p")"
done

# Every tool (bin/*.c and the scripts in bin/) has a section 1 page with the
# sections the brief asks for.
for src in "$BTR_TOP"/bin/*; do
	case $src in *.c) t=$(basename "$src" .c) ;; *) [ -x "$src" ] && [ -f "$src" ] || continue; t=$(basename "$src") ;; esac
	# Built binaries sit beside their sources: count each tool once.
	[ "${src%.c}" != "$src" ] || [ ! -f "$src.c" ] || continue
	p=$man_dir/$t.1
	if [ ! -f "$p" ]; then fail "$t has a man page" "no man/$t.1"; continue; fi
	pass "$t has a man page"
	for s in NAME SYNOPSIS DESCRIPTION 'EXIT STATUS' EXAMPLES; do
		grep -q "^\.SH \"*$s\"*\$" "$p"
		outcome $? "$t.1 has $s" "no .SH $s"
	done
	# The page names the tool's own options: each long option in --help appears.
	if [ -x "$BTR_BIN/$t" ] || command -v "$t" >/dev/null 2>&1; then
		missing=''
		for o in $("$t" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
			sed 's/\\-/-/g' "$p" | grep -qF -- "$o" || missing="$missing $o"
		done
		[ -z "$missing" ]
		outcome $? "$t.1 documents every option of --help" "missing:$missing"
	fi
done

# The overview and the formats exist.
for p in btrdb-backup.7 btr-stream.5; do
	[ -f "$man_dir/$p" ]
	outcome $? "$p exists" "missing"
done
