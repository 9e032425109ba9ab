# etcd-dump and etcd-load on 100,000 keys, beside etcdctl: `get --prefix "" -w protobuf`
# for the dump, one `etcdctl put` per key (the original tool's way of loading) for the
# load, measured on a sample and extrapolated.  Keys per second and peak RSS of each.
# BENCH_ETCD_KEYS changes the key count, BENCH_ETCD_SAMPLE the per-key sample.
. "$BTR_TOP/tests/lib.sh"
. "$BTR_TOP/tests/tools/etcd.bash"
export ETCDCTL_API=3
unset ETCDCTL_ENDPOINTS

keys=${BENCH_ETCD_KEYS:-100000}
sample=${BENCH_ETCD_SAMPLE:-300}
etcd_start src
etcd_start dst
etcd_start one
mkstream -o 0 -k "$keys" -S 9 >"$T/gen.s" || { echo "mkstream failed"; exit 1; }

rows=()
# [input=FILE] measure LABEL KEYS CMD...: runs CMD (stdin from FILE, stdout as set by
# the caller) under
# /usr/bin/time, $reps times (default 1; the machine is shared, so the best time
# counts), and records a table row; the best wall time is left in $secs.
measure() {
	local label=$1 n=$2 r t m best='' peak=0
	shift 2
	for ((r = 0; r < ${reps:-1}; r++)); do
		/usr/bin/time -f '%e %M' -o "$T/time" "$@" <"${input:-/dev/stdin}" 2>"$T/err" ||
			{ echo "$label failed: $(tail -2 "$T/err")"; exit 1; }
		read -r t m <"$T/time"
		best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
		[ "$m" -gt "$peak" ] && peak=$m
	done
	secs=$best
	rows+=("$(awk -v l="$label" -v n="$n" -v s="$secs" -v r="$peak" \
		'BEGIN { printf "%-50s %8d %9.2f %10.0f %8.1f", l, n, s, (s > 0 ? n / s : 0), r / 1024 }')")
}

input=$T/gen.s reps=3 measure "etcd-load (Txn, 128 puts, 4 in flight), best of 3" "$keys" \
	etcd-load --endpoints "$src_etcd" --with-leased -q
load_secs=$secs
reps=3 measure "etcd-dump (paged, pinned revision), best of 3" "$keys" etcd-dump --endpoints "$src_etcd" -q >"$T/dump.s"
dump_secs=$secs
reps=3 measure "etcdctl get --prefix \"\" -w protobuf, best of 3" "$keys" etcdctl --endpoints "$src_etcd" get --prefix "" -w protobuf >"$T/pb"
ctl_secs=$secs
input=$T/dump.s measure "etcd-load of the dump into an empty etcd" "$keys" etcd-load --endpoints "$dst_etcd" --with-leased -q

# One put per key: etcdctl once per key (a new process and connection each time, as a
# script would), and etcd-load --txn-ops 1 (one request per key on one connection, one at a time).
measure "etcdctl put, one process per key (sample)" "$sample" bash -c \
	'for ((i = 0; i < $1; i++)); do etcdctl --endpoints "$2" put "bench/k$i" 0123456789abcdef >/dev/null || exit 1; done' \
	- "$sample" "$one_etcd"
put_secs=$secs
mkstream -o 0 -k $((sample * 10)) -S 4 >"$T/sample.s"
input=$T/sample.s reps=3 measure "one Txn per key, one at a time, best of 3" $((sample * 10)) \
	etcd-load --endpoints "$one_etcd" --with-leased --txn-ops 1 --in-flight 1 -q
one_secs=$secs

# Both sides of the restore, as etcdctl sees them.
a=$(etcdctl --endpoints "$src_etcd" get --prefix "" --hex | md5sum)
b=$(etcdctl --endpoints "$dst_etcd" get --prefix "" --hex | md5sum)
[ "$a" = "$b" ] && check="identical" || check="DIFFERENT"

printf '%-50s %8s %9s %10s %8s\n' "operation" "keys" "seconds" "keys/s" "RSS MiB"
printf '%s\n' "${rows[@]}"
awk -v k="$keys" -v s="$sample" -v p="$put_secs" -v o="$one_secs" -v l="$load_secs" -v d="$dump_secs" -v c="$ctl_secs" 'BEGIN {
	pk = p / s; ok = o / (s * 10)
	printf "%-50s %8d %9.1f %10.0f %8s\n", "etcdctl put per key, extrapolated", k, pk * k, 1 / pk, "-"
	printf "%-50s %8d %9.1f %10.0f %8s\n", "one Txn per key, extrapolated", k, ok * k, 1 / ok, "-"
	printf "\netcd-load is %.0fx faster than one etcdctl put per key, %.1fx faster than one request per key\n", pk * k / l, ok * k / l
	printf "etcd-dump takes %.2fx the time of etcdctl get -w protobuf (below 1: faster)\n", d / c
}'
echo "restored copy vs source (etcdctl get --prefix \"\" --hex): $check"
