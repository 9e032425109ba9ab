# ceph-dump beside `rados export`, ceph-load beside `rados import`, on the same pool and
# machine; peak memory (default options) on the dataset and with one 1 GiB object;
# an incremental dump after a mutation beside the full dump.
# BENCH_CEPH_MIB sets the dataset size (default 600).
. "$(dirname "$0")/../lib.sh"
MIB=${BENCH_CEPH_MIB:-600}
SANDBOX_OSD_BYTES=$(((MIB * 3 + 1200) << 20)) sandbox_up b --no-etcd
C=$b_conf
export CEPH_CONF=$C
mkpool() { ceph -c "$C" osd pool create "$1" 8 >/dev/null 2>&1 && ceph -c "$C" osd pool set "$1" size 1 --yes-i-really-mean-it >/dev/null 2>&1; }
mkpool btrdbcold && mkpool restore && mkpool imported || { echo "cannot create pools"; exit 1; }
echo "dataset: $("$BTR_TOP/tests/ceph/seed-large.py" "$C" btrdbcold "$MIB")"
sync

# run NAME CMD...: best of 3 wall times, and the peak RSS, into $secs $rss
run() {
	local name=$1 i t best="" r
	shift
	for i in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$T/time" "$@" || { echo "$name failed"; return 1; }
		read -r t r <"$T/time"
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; rss=$r; fi
	done
	secs=$best
}
rate() { awk -v m="$MIB" -v s="$1" 'BEGIN { printf "%7.1f MB/s", (s > 0 ? m * 1.048576 / s : 0) }'; }
row() { printf '%-44s %6.2f s  %s  peak RSS %6.1f MiB\n' "$1" "$2" "$(rate "$2")" "$(awk -v k="$3" 'BEGIN { print k / 1024 }')"; }

run "rados export" sh -c "rados -c '$C' -p btrdbcold export - >/dev/null"; ex=$secs; row "rados export" "$secs" "$rss"
run "ceph-dump" sh -c "ceph-dump -c '$C' -p btrdbcold -q >'$T/full'"; du=$secs; du_rss=$rss; row "ceph-dump (default: -j 4)" "$secs" "$rss"
for j in 1 2 8; do
	run "ceph-dump -j $j" sh -c "ceph-dump -c '$C' -p btrdbcold -q -j $j >/dev/null" && row "ceph-dump -j $j" "$secs" "$rss"
done
awk -v a="$ex" -v b="$du" 'BEGIN { printf "ceph-dump speed-up over rados export: %.2fx (target >= 1.5x)\n", a / b }'

rados -c "$C" -p btrdbcold export "$T/export" >/dev/null 2>&1
run "rados import" sh -c "rados -c '$C' -p imported import '$T/export' >/dev/null"; im=$secs; row "rados import" "$secs" "$rss"
if command -v ceph-load >/dev/null; then
	run "ceph-load" sh -c "ceph-load -c '$C' -p btrdbcold:restore -q <'$T/full'"; lo=$secs; row "ceph-load (defaults)" "$secs" "$rss"
	awk -v a="$im" -v b="$lo" 'BEGIN { printf "ceph-load speed-up over rados import: %.2fx (target >= 1.5x)\n", a / b }'
fi
rm -f "$T/export"

# incremental after a mutation (5% of the objects rewritten, a few deleted)
ceph-dump -c "$C" -p btrdbcold -q --index "$T/idx" >/dev/null
/usr/bin/python3 - "$C" <<'PY'
import random, sys, rados
c = rados.Rados(conffile=sys.argv[1]); c.connect(); io = c.open_ioctx("btrdbcold")
names = sorted(o.key for o in io.list_objects() if o.nspace == "")
rng = random.Random(7)
for n in rng.sample(names, len(names) // 20):
    io.write_full(n, b"x" * rng.randint(1000, 200000))
for n in rng.sample(names, 5):
    try: io.remove_object(n)
    except rados.ObjectNotFound: pass
PY
run "incremental" sh -c "ceph-dump -c '$C' -p btrdbcold -q --since '$T/idx' >/dev/null"; inc=$secs
row "ceph-dump --since (after 5% rewritten)" "$secs" "$rss"
awk -v a="$du" -v b="$inc" 'BEGIN { printf "incremental / full dump time: %.2f (target < 0.2)\n", b / a }'
rm -f "$T/full"

# one 1 GiB object (the OSD refuses objects over 128 MiB by default)
for p in imported restore; do rados -c "$C" purge $p --yes-i-really-really-mean-it >/dev/null 2>&1; done
ceph -c "$C" config set osd osd_max_object_size 2147483648 >/dev/null 2>&1
mkpool big1g
head -c $((1 << 30)) /dev/zero | rados -c "$C" -p big1g put one - || echo "cannot write the 1 GiB object"
/usr/bin/time -f '%e %M' -o "$T/time" sh -c "ceph-dump -c '$C' -p big1g -q >/dev/null"
read -r t r <"$T/time"
MIB=1024 row "ceph-dump of one 1 GiB object" "$t" "$r"
awk -v a="$du_rss" -v b="$r" 'BEGIN { printf "ceph-dump peak RSS: %.1f MiB (dataset), %.1f MiB (1 GiB object); target < 128 MiB\n", a / 1024, b / 1024 }'
