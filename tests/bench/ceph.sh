# ceph-dump beside `rados export` on the same pools and
# machine (the sandbox's --large BTrDB-shaped dataset, four pools); peak memory with
# default options on the dataset and on one 1 GiB object; an incremental dump after
# `contrib/sandbox mutate` beside the full dump.  Numbers only: a shared machine's load
# moves them a lot, so each is the best of three runs.
. "$(dirname "$0")/../lib.sh"
SB=$BTR_TOP/contrib/sandbox
POOLS="btrdbhot btrdbcold btrdbjournal staging"
SANDBOX_OSD_BYTES=$((4 << 30)) sandbox_up b --no-etcd
C=$b_conf
export CEPH_CONF=$C
"$SB" seed "$T/b" --large 2>&1 | tail -1
P=""
for p in $POOLS; do P="$P -p $p"; done

# best NAME CMD: best of 3 wall times and that run's peak RSS into $secs $rss
best() {
	local i t r
	secs="" rss=""
	for i in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$T/time" bash -c "$1" || { echo "failed: $1"; return 1; }
		read -r t r <"$T/time"
		if [ -z "$secs" ] || awk -v a="$t" -v b="$secs" 'BEGIN { exit !(a < b) }'; then secs=$t rss=$r; fi
	done
}
row() { printf '%-46s %6.2f s %8s  peak RSS %6.1f MiB\n' "$1" "$2" "$3" "$(awk -v k="$4" 'BEGIN { print k / 1024 }')"; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", (s > 0 ? b / s / 1e6 : 0) }'; }

ceph-dump -c "$C" $P -q >"$T/full"
BYTES=$(btr-inspect --json <"$T/full" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data_bytes"])')
echo "dataset: $(btr-inspect <"$T/full" | head -1), $((BYTES >> 20)) MiB of data"
exports=""
for p in $POOLS; do
	exports="$exports rados -c '$C' -p $p export - >/dev/null;"
done
best "$exports"; ex=$secs; row "rados export (each pool)" "$secs" "$(mbs $BYTES $secs)" "$rss"
best "ceph-dump -c '$C' $P -q >/dev/null"; du=$secs; du_rss=$rss; row "ceph-dump (defaults: -j 4)" "$secs" "$(mbs $BYTES $secs)" "$rss"
for j in 1 2 8; do
	best "ceph-dump -c '$C' $P -q -j $j >/dev/null" && row "ceph-dump -j $j" "$secs" "$(mbs $BYTES $secs)" "$rss"
done
awk -v a="$ex" -v b="$du" 'BEGIN { printf "ceph-dump speed-up over rados export: %.2fx (target >= 1.5x)\n", a / b }'

# (ceph-load beside rados import: tests/bench/ceph_load.sh)
# incremental after one mutation round: what it changed, then the time
ceph-dump -c "$C" $P -q --index "$T/idx" >/dev/null
"$SB" mutate "$T/b" >/dev/null 2>&1
best "ceph-dump -c '$C' $P -q --since '$T/idx' >/dev/null"; inc=$secs
row "ceph-dump --since (after contrib/sandbox mutate)" "$secs" "" "$rss"
ceph-dump -c "$C" $P --since "$T/idx" 2>"$T/inc.err" | btr-inspect --json >"$T/inc.json"
echo "  the incremental: $(grep -o 'included.*' "$T/inc.err"), $(grep -o '[0-9]* deletions' "$T/inc.err"), $(jq '.data_bytes' "$T/inc.json") bytes of data"
awk -v a="$du" -v b="$inc" 'BEGIN { printf "incremental / full dump time: %.2f (target < 0.2)\n", b / a }'
rm -f "$T/full"

# one 1 GiB object (the OSD refuses objects over 128 MiB unless told)
ceph -c "$C" config set osd osd_max_object_size 2147483648 >/dev/null 2>&1
"$SB" pool "$T/b" big1g >/dev/null 2>&1
head -c $((1 << 30)) /dev/zero | rados -c "$C" -p big1g put one - || echo "cannot write the 1 GiB object"
best "ceph-dump -c '$C' -p big1g -q >/dev/null"
row "ceph-dump of one 1 GiB object" "$secs" "$(mbs $((1 << 30)) $secs)" "$rss"
g_rss=$rss
best "rados -c '$C' -p big1g export - >/dev/null"
row "rados export of one 1 GiB object" "$secs" "$(mbs $((1 << 30)) $secs)" "$rss"
awk -v a="$du_rss" -v b="$g_rss" 'BEGIN { printf "ceph-dump peak RSS (defaults): %.1f MiB on the dataset, %.1f MiB on one 1 GiB object (target < 128 MiB)\n", a / 1024, b / 1024 }'
