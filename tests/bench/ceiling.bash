# Sourced by the Ceph benchmarks (not a .sh, so tests/bench/run does not run it).
# osd_ceiling CONF SANDBOX: the OSD's own read and write speed with 16 MiB objects, the
# shape of BTrDB's cold pool, measured by `rados bench` in a fresh pool of the same kind
# as the dataset's (contrib/sandbox pool: size 1, same OSD).  Sound only if the read run
# has enough objects to read for its whole duration: the write run leaves
# BENCH_CEILING_OBJECTS (default 96, 1.5 GiB) behind (--no-cleanup), then `rand` reads
# them for BENCH_CEILING_SECONDS (default 8), 4 reads in flight (-t 4, 64 MiB, as
# ceph-load's 48 MiB window) and 16 (-t 16: ceph-dump's 4 jobs x 4 extents), and `seq`
# reads each once.  One rados bench client cannot read faster than its own messenger
# (measured quiet: 1.25-1.32 GB/s at -t 16 with 6.3 s of its own sys time in 8 s,
# where two clients at -t 8 at once got 1.93-1.96 GB/s together), so the read
# ceiling is also taken with two clients at once (their sum), and is the fastest of
# these runs.  Reads skip
# rados bench's content check (--no-verify): our tools' readers do not do it either.
# Sets ceil_write ceil_read ceil_seq (MB/s, 10^6 bytes) and prints one line each.
osd_ceiling() {
	local c=$1 dir=$2 n=${BENCH_CEILING_OBJECTS:-96} s=${BENCH_CEILING_SECONDS:-8} t=${BENCH_CEILING_T:-4}
	ceil_write=0 ceil_read=0 ceil_seq=0
	local r16
	"$BTR_TOP/contrib/sandbox" pool "$dir" osdbench >/dev/null 2>&1 || { echo "OSD ceiling: cannot create pool osdbench"; return 1; }
	rados -c "$c" -p osdbench bench 120 write -b 16M -O 16M -t "$t" --no-cleanup --max-objects "$n" >"$T/ceil.w" 2>&1
	rados -c "$c" -p osdbench bench "$s" rand -t "$t" --no-verify >"$T/ceil.r" 2>&1
	rados -c "$c" -p osdbench bench "$s" rand -t 16 --no-verify >"$T/ceil.r16" 2>&1
	rados -c "$c" -p osdbench bench "$s" rand -t 8 --no-verify >"$T/ceil.2a" 2>&1 &
	rados -c "$c" -p osdbench bench "$s" rand -t 8 --no-verify >"$T/ceil.2b" 2>&1 &
	wait
	rados -c "$c" -p osdbench bench "$s" seq -t "$t" --no-verify >"$T/ceil.s" 2>&1
	rados -c "$c" -p osdbench cleanup >/dev/null 2>&1
	rados -c "$c" purge osdbench --yes-i-really-really-mean-it >/dev/null 2>&1
	# rados bench's "MB/sec" is MiB/s: report 10^6 bytes like the other rows.
	local f k ops secs mbs
	for f in w r r16 s; do
		ops=$(awk '/^Total (writes|reads) made/ { print $4 }' "$T/ceil.$f")
		secs=$(awk '/^Total time run/ { printf "%.2f", $4 }' "$T/ceil.$f")
		mbs=$(awk '/^Bandwidth \(MB\/sec\)/ { printf "%.0f", $3 * 1.048576 }' "$T/ceil.$f")
		[ -n "$mbs" ] || { echo "OSD ceiling: rados bench failed: $(tail -1 "$T/ceil.$f")"; return 1; }
		case $f in
		w) ceil_write=$mbs k="write: $ops new objects in $secs s" ;;
		r) ceil_read=$mbs k="read (rand): $ops reads of those $n objects in $secs s" ;;
		r16) r16=$mbs k="read (rand, -t 16): $ops reads in $secs s" ;;
		s) ceil_seq=$mbs k="read (seq): each of $ops objects once, in $secs s" ;;
		esac
		printf 'OSD ceiling (rados bench, 16 MiB objects, -t %s), %-52s %5s MB/s\n' "$([ $f = r16 ] && echo 16 || echo "$t")" "${k/, -t 16/}" "$mbs"
	done
	[ "$r16" -gt "$ceil_read" ] && ceil_read=$r16
	[ "$ceil_seq" -gt "$ceil_read" ] && ceil_read=$ceil_seq
	local a b
	a=$(awk '/^Bandwidth \(MB\/sec\)/ { printf "%.0f", $3 * 1.048576 }' "$T/ceil.2a")
	b=$(awk '/^Bandwidth \(MB\/sec\)/ { printf "%.0f", $3 * 1.048576 }' "$T/ceil.2b")
	printf 'OSD ceiling (rados bench, 16 MiB objects, two clients at once, -t 8 each, %s s), read (rand): %s + %s = %s MB/s\n' \
		"$s" "${a:-0}" "${b:-0}" "$((${a:-0} + ${b:-0}))"
	[ $((${a:-0} + ${b:-0})) -gt "$ceil_read" ] && ceil_read=$((${a:-0} + ${b:-0}))
	echo "OSD read ceiling: $ceil_read MB/s (the fastest read run); write ceiling: $ceil_write MB/s"
}
