#!/usr/bin/env bash
# btr-filter keeping everything, in the middle of a pipeline, against cat in the same
# place: `cat STREAM | X | cat > /dev/null`, best of 3 runs each.
# Target: the default (object digests passed on for the next reader) within 20% of cat
# (ratio <= 1.20).  --verify also hashes every data byte (BLAKE2b), so it runs at
# hashing speed; it is printed for comparison.
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/btr-bench-filter.XXXXXX")
trap 'rm -rf "$dir"' EXIT
S=$dir/s
mkstream -o 600 -s 2M -k 1000 -S 1 -p btrdbhot -p btrdbcold >"$S" || { echo "mkstream failed"; exit 1; }
bytes=$(stat -c %s "$S")
cat "$S" >/dev/null # into the page cache

# best NAME CMD...: the best wall time of 3 runs of `cat S | CMD | cat >/dev/null`.
best() {
	local i t0 t1 d b=
	for i in 1 2 3; do
		t0=$EPOCHREALTIME
		cat "$S" | "$@" | cat >/dev/null || { echo "failed: $*" >&2; return 1; }
		t1=$EPOCHREALTIME
		d=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$d < $b" | bc -l)" = 1 ]; then b=$d; fi
	done
	echo "$b"
}
rate() { echo "scale=0; $bytes / $1 / 1000000" | bc -l; }

tc=$(best cat) || exit 1
tt=$(best btr-filter) || exit 1
tv=$(best btr-filter --verify) || exit 1
th=$(best btr-filter --pool btrdbhot) || exit 1
printf 'stream: %d MB, %s\n' $((bytes / 1000000)) "$(btr-inspect <"$S" | head -1)"
printf '%-44s %8s %9s %7s\n' "stage in the middle of the pipeline" "seconds" "MB/s" "vs cat"
for row in "cat:$tc" "btr-filter (keeps everything):$tt" "btr-filter --pool (half):$th" "btr-filter --verify (hashes all data):$tv"; do
	name=${row%:*} t=${row##*:}
	printf '%-44s %8.3f %9d %7.2f\n' "$name" "$t" "$(rate "$t")" "$(echo "$t / $tc" | bc -l)"
done
ratio=$(echo "$tt / $tc" | bc -l)
if [ "$(echo "$ratio <= 1.20" | bc -l)" = 1 ]; then
	printf 'target met: btr-filter is within 20%% of cat (%.2fx)\n' "$ratio"
else
	printf 'target missed: btr-filter takes %.2fx the time of cat (target 1.20x)\n' "$ratio"
fi
