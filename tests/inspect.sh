# btr-inspect: reports exactly what was written; any damage is exit 1 naming the offset.
. "$(dirname "$0")/lib.sh"

mkstream -o 25 -k 40 -S 7 >"$T/s" || { fail "mkstream" "could not generate"; exit 1; }
expect_exit 0 "inspect accepts a valid stream" btr-inspect <"$T/s"
grep -q '^archive contains 25 ceph objects and 40 etcd records$' "$T/last.out"
outcome $? "summary counts" "$(head -1 "$T/last.out")"
grep -q '^the following 2 pools are referenced:$' "$T/last.out"
outcome $? "pool list header" "missing"
grep -q 'etcd keys: 40 (4 lease-bound)' "$T/last.out"
outcome $? "lease-bound keys counted" "$(grep etcd "$T/last.out")"

btr-inspect -l <"$T/s" >"$T/list" 2>"$T/err"
[ "$(grep -c '^object ' "$T/list")" = 25 ] && [ "$(grep -c '^kv ' "$T/list")" = 40 ]
outcome $? "listing has one line per entry" "$(grep -c . "$T/list") lines"
awk '$1=="object" && NF < 5 {bad=1} END {exit bad}' "$T/list"
outcome $? "listing lines have five fields" ""

btr-inspect --json <"$T/s" >"$T/json"
grep -q '"ceph_objects":25,"etcd_records":40' "$T/json"
outcome $? "json counts" "$(head -c 200 "$T/json")"

cat "$T/s" "$T/s" >"$T/ss"
expect_exit 0 "concatenated streams are one stream" btr-inspect <"$T/ss"
grep -q 'archive contains 50 ceph objects and 80 etcd records' "$T/last.out"
outcome $? "concatenation counts both" "$(head -1 "$T/last.out")"

# Flipped bytes at many offsets (every kind of frame gets hit): exit 1, offset named.
size=$(stat -c %s "$T/s")
missed=0 nooff=0 n=0
for off in $(awk -v s="$size" 'BEGIN { srand(11); for (i = 0; i < 150; i++) print int(rand() * s) }'); do
	cp "$T/s" "$T/bad"
	b=$(od -An -tu1 -j "$off" -N1 "$T/bad" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$T/bad" bs=1 seek="$off" conv=notrunc status=none
	btr-inspect <"$T/bad" >/dev/null 2>"$T/err"
	rc=$?
	n=$((n + 1))
	[ "$rc" = 1 ] || missed=$((missed + 1))
	grep -q 'byte [0-9]' "$T/err" || nooff=$((nooff + 1))
done
[ "$missed" = 0 ] && pass "every flipped byte ($n) exits 1" || fail "every flipped byte exits 1" "$missed of $n missed"
[ "$nooff" = 0 ]
outcome $? "every flip message names the offset" "$nooff without"

missed=0
for cut in 0 1 7 8 9 13 100 $((size / 2)) $((size - 1)); do
	head -c "$cut" "$T/s" >"$T/cut"
	btr-inspect <"$T/cut" >/dev/null 2>"$T/err"
	[ $? = 1 ] || missed=$((missed + 1))
done
[ "$missed" = 0 ]
outcome $? "every truncation exits 1" "$missed missed"

{ cat "$T/s"; printf 'garbage'; } >"$T/g"
expect_exit 1 "trailing garbage exits 1" btr-inspect <"$T/g"
expect_err "trailing garbage message" "byte $size: data after the end"

printf 'BTRSEAL\001abcdefgh' >"$T/sealed"
expect_exit 1 "a sealed stream is recognised" btr-inspect <"$T/sealed"
expect_err "sealed stream message" "unseal it first"

expect_exit 2 "unknown option exits 2" btr-inspect --bogus </dev/null
expect_exit 2 "extra argument exits 2" btr-inspect file </dev/null

# A reader that goes away is an error, not a silent success.
to_closed_pipe btr-inspect -l <"$T/ss" 2>"$T/err"
PS=$?
[ "$PS" = 3 ] && grep -q 'broken pipe' "$T/err"
outcome $? "closed stdout exits 3" "status $PS: $(cat "$T/err")"

# ---- memory amplification (issue 19): legal 32 MiB frames whose content decodes to
# millions of tiny allocations (1.7 GB before the budget).  Each is refused at its
# frame's offset with exit 1, and peak memory stays bounded (not under the
# sanitizers: their quarantine keeps freed memory resident).
amp_rss() {
	case $BTR_BIN in
	*/san/*) skip "$1 peak RSS" "sanitizer build"; return ;;
	esac
	[ -x /usr/bin/time ] || { skip "$1 peak RSS" "/usr/bin/time not installed (Debian: time)"; return; }
	local rss
	rss=$(tail -1 "$T/rss")
	[ "$rss" -lt 163840 ] && pass "$1 peak RSS $rss KiB < 160 MiB" || fail "$1 peak RSS" "$rss KiB"
}
timer=''
[ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $T/rss"
for shape in omap xattrs pools unknown; do
	amp_stream $shape "$T/amp" || { fail "amplification $shape" "could not generate"; continue; }
	off=$(cat "$T/amp.off")
	expect_exit 1 "amplification $shape: btr-inspect exits 1" $timer btr-inspect <"$T/amp"
	expect_err "amplification $shape: message names the frame's offset and the budget" "^btr-inspect: stdin: byte $off: .*memory budget"
	amp_rss "amplification $shape: btr-inspect"
done
# The same reader in btr-filter (and the loaders): the stream does not pass.
expect_exit 1 "amplification: btr-filter exits 1" $timer btr-filter <"$T/amp"
expect_err "amplification: btr-filter names the offset" "byte $off: .*memory budget"
amp_rss "amplification: btr-filter"
