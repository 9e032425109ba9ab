# ceph-dump beside `rados export` on the same pools and machine (contrib/sandbox seed
# --$BENCH_DATASET: --large is BTrDB's mature shape, mostly full 16 MiB cold objects;
# --many-small the small-object case), wall time and client CPU (user + sys of the
# tools, not of the servers); the OSD's own read and write ceilings (rados bench, 16 MiB
# objects, 4 in flight as ceph-dump's 4 jobs); one 120 MiB object; peak memory with
# default options on the dataset and on one 1 GiB object; an incremental dump after
# `contrib/sandbox mutate` beside the full dump.  Numbers only: a shared machine's load
# moves them a lot, so each is the best of three runs.
. "$(dirname "$0")/../lib.sh"
SB=$BTR_TOP/contrib/sandbox
SET=${BENCH_DATASET:-large}
POOLS="btrdbhot btrdbcold btrdbjournal staging"
SANDBOX_OSD_BYTES=$((8 << 30)) sandbox_up b --no-etcd
C=$b_conf
export CEPH_CONF=$C
"$SB" seed "$T/b" "--$SET" 2>&1 | tail -1
P=""
for p in $POOLS; do P="$P -p $p"; done

# best CMD: best of 3 wall times, and that run's CPU (user + sys) and peak RSS, into
# $secs $cpu $rss
best() {
	local i t u s r
	secs="" cpu="" rss=""
	for i in 1 2 3; do
		/usr/bin/time -f '%e %U %S %M' -o "$T/time" bash -c "$1" || { echo "failed: $1"; return 1; }
		read -r t u s r <"$T/time"
		if [ -z "$secs" ] || awk -v a="$t" -v b="$secs" 'BEGIN { exit !(a < b) }'; then
			secs=$t rss=$r cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
		fi
	done
}
row() { printf '%-46s %6.2f s %10s  CPU %5.2f s  peak RSS %6.1f MiB\n' "$1" "$2" "$3" "$cpu" "$(awk -v k="$4" 'BEGIN { print k / 1024 }')"; }
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", (s > 0 ? b / s / 1e6 : 0) }'; }

ceph-dump -c "$C" $P -q >"$T/full"
BYTES=$(btr-inspect --json <"$T/full" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data_bytes"])')
echo "dataset: $(btr-inspect <"$T/full" | head -1), $((BYTES >> 20)) MiB of data"
exports=""
for p in $POOLS; do
	exports="$exports rados -c '$C' -p $p export - >/dev/null;"
done
best "$exports"; ex=$secs ex_cpu=$cpu; row "rados export - (each pool)" "$secs" "$(mbs $BYTES $secs)" "$rss"
best "ceph-dump -c '$C' $P -q >/dev/null"; du=$secs du_cpu=$cpu du_rss=$rss; row "ceph-dump (defaults: -j 4)" "$secs" "$(mbs $BYTES $secs)" "$rss"
for j in 1 2 8; do
	best "ceph-dump -c '$C' $P -q -j $j >/dev/null" && row "ceph-dump -j $j" "$secs" "$(mbs $BYTES $secs)" "$rss"
done
awk -v a="$ex" -v b="$du" -v c="$ex_cpu" -v d="$du_cpu" -v g="$BYTES" 'BEGIN {
	printf "ceph-dump speed vs rados export: %.2fx; client CPU per GiB: ours %.2f s, rados export %.2f s\n",
		a / b, d / (g / 1073741824), c / (g / 1073741824) }'

# The OSD's ceilings with 16 MiB objects, 4 ops in flight (ceph-dump's 4 jobs), and
# where `rados export -` and ceph-dump stand against the read ceiling.
. "$(dirname "$0")/ceiling.bash"
osd_ceiling "$C" "$T/b"
awk -v b="$BYTES" -v s="$du" -v e="$ex" -v c="$ceil_read" 'BEGIN { if (c > 0)
	printf "vs the OSD read ceiling: rados export - %.2f, ceph-dump %.2f (target >= 0.9)\n", b / e / 1e6 / c, b / s / 1e6 / c }'

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

# one 120 MiB object (just under the OSD's default osd_max_object_size of 128 MiB)
"$SB" pool "$T/b" big120 >/dev/null 2>&1
head -c $((120 << 20)) /dev/urandom | rados -c "$C" -p big120 put one - || echo "cannot write the 120 MiB object"
# Whole processes, ours and the peer's in turn, medians of 15 pairs (a single 0.1 s run
# is below /usr/bin/time's resolution and a shared machine's noise); then the same on an
# empty pool, so the object's own share (wall minus starting up) is shown apart from
# librados' start, which is most of a 0.1 s run.
"$SB" pool "$T/b" empty120 >/dev/null 2>&1
PAIRED=$(dirname "$0")/paired.py
echo "one 120 MiB object (15 pairs, in turn):"
python3 "$PAIRED" -n 15 ceph-dump "ceph-dump -c '$C' -p big120 -q" "rados-export" "rados -c '$C' -p big120 export -" | tee "$T/p120"
echo "the same on an empty pool (starting up, listing, nothing to read):"
python3 "$PAIRED" -n 15 ceph-dump "ceph-dump -c '$C' -p empty120 -q" "rados-export" "rados -c '$C' -p empty120 export -" | tee "$T/p0"
awk -v bytes=$((120 << 20)) '$1 == "paired" { for (i = 4; i <= NF; i++) { split($i, kv, "="); v[FILENAME, kv[1]] = kv[2] } }
END {
	f = ARGV[1]; g = ARGV[2]
	printf "one 120 MiB object: ceph-dump %.2fx rados export -, whole processes (target >= 1.0x), at %.2f of its CPU\n",
		v[f, "speed"], v[f, "cpu"]
	ow = v[f, "a_wall"] - v[g, "a_wall"]; pw = v[f, "b_wall"] - v[g, "b_wall"]
	oc = v[f, "a_cpu"] - v[g, "a_cpu"]; pc = v[f, "b_cpu"] - v[g, "b_cpu"]
	if (ow > 0 && oc > 0)
		printf "  the object alone (minus the empty pool): ours %.3f s (%.0f MB/s), CPU %.3f s; rados export - %.3f s (%.0f MB/s), CPU %.3f s: %.2fx\n",
			ow, bytes / ow / 1e6, oc, pw, bytes / pw / 1e6, pc, pw / ow
}' "$T/p120" "$T/p0"
rados -c "$C" purge big120 --yes-i-really-really-mean-it >/dev/null 2>&1

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
