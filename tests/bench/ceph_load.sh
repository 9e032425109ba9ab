# ceph-load beside `rados import` of the same pool, and ceph-load's peak memory (also
# with a single 1 GiB object).  Targets: at least 1.5x rados import, under 128 MiB.
. "$(dirname "$0")/../lib.sh"

sandbox_up b --no-etcd
X() { "$@" -c "$b_conf"; }
C() { ceph -c "$b_conf" "$@"; }
"$BTR_TOP/contrib/sandbox" pool "$T/b" btrdbcold imp ld big_imp big_ld >/dev/null || { echo "cannot create pools"; exit 1; }
# Objects over 128 MiB (Ceph's default osd_max_object_size) for the 1 GiB case.
C config set osd osd_max_object_size 2147483648 >/dev/null 2>&1

# The dataset: the sandbox's --large seed when it has one, else a BTrDB-like mix of
# cold-pool objects (2 KB to 2.5 MB), a few 16 MiB superblocks and a 75 MB object.
if "$BTR_TOP/contrib/sandbox" seed "$T/b" --large >/dev/null 2>&1; then
	pool=$(rados -c "$b_conf" lspools | grep -m1 -E 'btrdbcold|cold')
else
	pool=btrdbcold
	{
		for i in $(seq 1 400); do echo "object btrdbcold 555ab4f9$(printf %010x $i) size=$(((i * 7919) % 2500000 + 2000)) seed=$i x=v=1"; done
		for i in 1 2 3 4; do echo "object btrdbcold sb$i size=16M seed=$((1000 + i))"; done
		echo "object btrdbcold data.psl.pqube3.big size=75M seed=7"
		echo "object btrdbcold meta.master omap=5000"
	} | mkobjs >"$T/seed"
	ceph-load -c "$b_conf" -q -p btrdbcold <"$T/seed" || { echo "seeding failed"; exit 1; }
	rm -f "$T/seed"
fi
rados -c "$b_conf" -p "$pool" export "$T/export" || { echo "rados export failed"; exit 1; }
ceph-dump -c "$b_conf" -q -p "$pool" >"$T/dump" || { echo "ceph-dump failed"; exit 1; }
bytes=$(rados -c "$b_conf" df -p "$pool" 2>/dev/null | awk 'NR==2 {print $2}')
mb=$(($(stat -c %s "$T/dump") / 1048576))

# run NAME CMD...: seconds and peak RSS (KiB) of CMD, stdin from $IN.
run() {
	local name=$1 t0 t1; shift
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$T/rss" "$@" <"$IN" >/dev/null 2>"$T/err" || { echo "$name failed: $(tail -3 "$T/err")"; return 1; }
	t1=$(date +%s.%N)
	secs=$(echo "$t1 - $t0" | bc)
	rss=$(tail -1 "$T/rss")
}

IN=$T/export run "rados import" rados -c "$b_conf" -p imp import - || exit 1
ri=$secs rir=$rss
IN=$T/dump run "ceph-load" ceph-load -c "$b_conf" -q -p "$pool:ld" || exit 1
cl=$secs clr=$rss
printf '%-28s %8s %10s %12s\n' "pool $pool (${mb} MiB stream)" seconds MB/s "peak RSS"
printf '%-28s %8.2f %10.1f %9d KiB\n' "rados import" "$ri" "$(echo "$mb / $ri" | bc -l)" "$rir"
printf '%-28s %8.2f %10.1f %9d KiB\n' "ceph-load" "$cl" "$(echo "$mb / $cl" | bc -l)" "$clr"
printf 'ceph-load speed-up over rados import: %.2fx (target >= 1.5x); peak RSS %d MiB (target < 128)\n' \
	"$(echo "$ri / $cl" | bc -l)" $((clr / 1024))
rm -f "$T/export" "$T/dump"
for p in imp ld; do ceph-load -c "$b_conf" -q -p "$p" --clear-only; done

# One 1 GiB object.
echo "object btrdbcold one.gib size=1G seed=3" | mkobjs >"$T/big"
IN=$T/big run "ceph-load 1 GiB" ceph-load -c "$b_conf" -q -p btrdbcold:big_ld || exit 1
printf '%-28s %8.2f %10.1f %9d KiB\n' "ceph-load, one 1 GiB object" "$secs" "$(echo "1024 / $secs" | bc -l)" "$rss"
big_rss=$rss
rados -c "$b_conf" -p big_ld export "$T/big.export" && rm -f "$T/big"
ceph-load -c "$b_conf" -q -p big_ld --clear-only
IN=$T/big.export run "rados import 1 GiB" rados -c "$b_conf" -p big_imp import - &&
	printf '%-28s %8.2f %10.1f %9d KiB\n' "rados import, same object" "$secs" "$(echo "1024 / $secs" | bc -l)" "$rss"
printf 'ceph-load peak RSS with a 1 GiB object: %d MiB (target < 128)\n' $((big_rss / 1024))
