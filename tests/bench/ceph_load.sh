# ceph-load beside `rados import` of the same pool (best of 3 each; wall time and client
# CPU, user + sys), a window sweep, and ceph-load's peak memory, also with a single 1 GiB
# object.  Dataset: contrib/sandbox seed --$BENCH_DATASET (large: BTrDB's 16 MiB windows).
# Targets: at least 0.9x the OSD's write ceiling (measured here first, on the empty OSD,
# with tests/bench/ceiling.bash) with no more CPU than rados import; peak RSS under 128 MiB.
. "$(dirname "$0")/../lib.sh"
SET=${BENCH_DATASET:-large}
SANDBOX_OSD_BYTES=$((8 << 30)) sandbox_up b --no-etcd
C=$b_conf
"$BTR_TOP/contrib/sandbox" pool "$T/b" imp ld big_ld >/dev/null || { echo "cannot create pools"; exit 1; }
# Objects over 128 MiB (Ceph's default osd_max_object_size) for the 1 GiB case.
ceph -c "$C" config set osd osd_max_object_size 2147483648 >/dev/null 2>&1

. "$(dirname "$0")/ceiling.bash"
osd_ceiling "$C" "$T/b"
"$BTR_TOP/contrib/sandbox" seed "$T/b" "--$SET" >"$T/seed.out" 2>&1 || { echo "seed failed: $(tail -2 "$T/seed.out")"; exit 1; }
echo "dataset: contrib/sandbox seed --$SET, pool btrdbcold"
rados -c "$C" -p btrdbcold export "$T/export" >/dev/null 2>&1 || { echo "rados export failed"; exit 1; }
ceph-dump -c "$C" -q -p btrdbcold >"$T/dump" || { echo "ceph-dump failed"; exit 1; }
mb=$(($(stat -c %s "$T/dump") >> 20))

# best NAME INPUT CMD...: best wall time of 3 runs ($secs), the CPU (user + sys) and
# peak RSS of that run ($cpu, $rss).
best() {
	local name=$1 in=$2 i t u s r; shift 2
	secs="" rss="" cpu=""
	for i in 1 2 3; do
		/usr/bin/time -f '%e %U %S %M' -o "$T/time" "$@" <"$in" >/dev/null 2>"$T/err" || { echo "$name failed: $(tail -2 "$T/err")"; return 1; }
		read -r t u s r <"$T/time"
		if [ -z "$secs" ] || awk -v a="$t" -v b="$secs" 'BEGIN { exit !(a < b) }'; then
			secs=$t rss=$r cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
		fi
	done
}
line() { awk -v n="$1" -v s="$2" -v k="$3" -v m="$4" -v c="${cpu:-0}" 'BEGIN { printf "%-34s %6.2f s %8.1f MB/s   CPU %5.2f s   peak RSS %6.1f MiB\n", n, s, (s > 0 ? m * 1.048576 / s : 0), c, k / 1024 }'; }

echo "stream: $mb MiB"
best "rados import" "$T/export" rados -c "$C" -p imp import - || exit 1
ri=$secs ri_cpu=$cpu; line "rados import" "$secs" "$rss" "$mb"
best "ceph-load" "$T/dump" ceph-load -c "$C" -q -p btrdbcold:ld || exit 1
cl=$secs cl_cpu=$cpu cl_rss=$rss; line "ceph-load (defaults)" "$secs" "$rss" "$mb"
for opt in "-j 8 --window 16M" "-j 64 --window 96M"; do
	# shellcheck disable=SC2086
	best "ceph-load $opt" "$T/dump" ceph-load -c "$C" -q -p btrdbcold:ld $opt && line "ceph-load $opt" "$secs" "$rss" "$mb"
done
awk -v a="$ri" -v b="$cl" -v c="$ri_cpu" -v d="$cl_cpu" 'BEGIN { printf "ceph-load vs rados import: %.2fx the speed, %.2fx the client CPU\n", a / b, d / c }'
awk -v m="$mb" -v a="$ri" -v b="$cl" -v w="$ceil_write" 'BEGIN { if (w > 0)
	printf "vs the OSD write ceiling: rados import %.2f, ceph-load %.2f (target >= 0.9)\n", m * 1.048576 / a / w, m * 1.048576 / b / w }'
rm -f "$T/export" "$T/dump"
ceph-load -c "$C" -q -p imp -p ld --clear-only

echo "object btrdbcold one.gib size=1G seed=3" | mkobjs >"$T/big"
/usr/bin/time -f '%e %U %S %M' -o "$T/time" ceph-load -c "$C" -q -p btrdbcold:big_ld <"$T/big" || { echo "ceph-load of 1 GiB failed"; exit 1; }
read -r t u sy r <"$T/time"
cpu=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }'); line "ceph-load, one 1 GiB object" "$t" "$r" 1024
awk -v a="$cl_rss" -v b="$r" 'BEGIN { printf "ceph-load peak RSS: %.1f MiB (dataset), %.1f MiB (1 GiB object); target < 128 MiB\n", a / 1024, b / 1024 }'
