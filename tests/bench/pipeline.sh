# The whole pipelines side by side, in the same run, on contrib/sandbox seed
# --$BENCH_DATASET (large: BTrDB's 16 MiB windows; many-small): one table with wall time,
# throughput, client CPU (user + sys of every stage, not the servers), peak RSS of every
# stage, and the ratio of each pair.
#   backup : ceph-dump | btr-seal -r | btr-split      vs  rados export - | zstd -1 -T0 | age -r | split -b
#            (both at zstd level 1, btr-seal's default; both at level 3 are timed too)
#   restore: btr-split --join | btr-unseal -k | ceph-load vs cat | age -d | zstd -d | rados import
#   etcd   : etcd-dump / etcd-load                     vs  etcdctl get -w protobuf / etcdctl put per key
# Runs alternate ours and the peer's, BENCH_PIPELINE_RUNS times (default 4); the table
# gives each one's median wall time and median CPU (the issue's targets are medians).
# The peer handles one pool per pipeline (rados export is per pool); ours takes every
# pool in one stream.  Both restore into new pools and are checked against the source.
. "$(dirname "$0")/../lib.sh"
RUNS=${BENCH_PIPELINE_RUNS:-4}
SET=${BENCH_DATASET:-large}
SANDBOX_OSD_BYTES=$((8 << 30)) sandbox_up b
C=$b_conf E=$b_etcd
export CEPH_CONF=$C ETCDCTL_API=3
unset ETCDCTL_ENDPOINTS
"$BTR_TOP/contrib/sandbox" seed "$T/b" "--$SET" >"$T/seed.out" 2>&1 || { echo "seed failed: $(tail -3 "$T/seed.out")"; exit 1; }
POOLS="btrdbhot btrdbcold btrdbjournal staging"
targets=''
for p in $POOLS; do targets="$targets our_$p peer_$p"; done
"$BTR_TOP/contrib/sandbox" pool "$T/b" $targets >/dev/null || { echo "cannot create pools"; exit 1; }
bytes=0
for p in $POOLS; do
	bytes=$((bytes + $(rados -c "$C" -p "$p" df --format json 2>/dev/null | jq '[.pools[].size_bytes] | add // 0')))
done
[ "$bytes" -gt 0 ] || bytes=$(ceph-dump -c "$C" -q | wc -c)
nobj=$(for p in $POOLS; do rados -c "$C" -p "$p" ls --all; done | wc -l)
nkeys=$(etcdctl --endpoints "$E" get --prefix "" --keys-only -w json | jq '.count')
echo "dataset: $(tail -1 "$T/seed.out"): $nobj objects, $((bytes >> 20)) MiB in $POOLS; $nkeys etcd keys"

btr-keygen -o "$T/key" >/dev/null 2>&1 || { echo "btr-keygen failed"; exit 1; }
age-keygen -o "$T/age.key" 2>/dev/null || { echo "age-keygen failed"; exit 1; }
AGEPUB=$(age-keygen -y "$T/age.key")
sync

# stage NAME CMD...: runs CMD, its peak RSS (KiB) into $T/rss.NAME.  Used inside the
# pipelines, so every stage is measured in place.
stage() { local n=$1; shift; /usr/bin/time -f '%M' -o "$T/rss.$n" "$@"; }
export -f stage
export T C E AGEPUB POOLS
now() { date +%s.%N; }
# timed NAME SCRIPT: runs SCRIPT with bash; keeps every run's wall time and client CPU
# (user + sys of every process of the pipeline) in walls[NAME] and cpus[NAME], the
# medians in best[NAME] and cpu[NAME], and the fastest run's per-stage peaks in
# $T/peak.NAME.*.
declare -A best cpu walls cpus fastest
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
timed() {
	local name=$1 t0 t1 s f
	rm -f "$T"/rss.*
	# The step before wrote gigabytes of pieces into the page cache: their writeback
	# must not land on this step's clock (it could fall on whichever restore ran next).
	sync
	t0=$(now)
	/usr/bin/time -f '%U %S' -o "$T/cpu.$name" bash -o pipefail -c "$2" 2>"$T/err.$name" ||
		{ echo "$name failed: $(tail -3 "$T/err.$name")"; exit 1; }
	t1=$(now)
	s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	walls[$name]="${walls[$name]:-} $s"
	cpus[$name]="${cpus[$name]:-} $(awk '{ printf "%.2f", $1 + $2 }' "$T/cpu.$name")"
	best[$name]=$(echo "${walls[$name]}" | median)
	cpu[$name]=$(echo "${cpus[$name]}" | median)
	if [ -z "${fastest[$name]:-}" ] || awk -v a="$s" -v b="${fastest[$name]}" 'BEGIN { exit !(a < b) }'; then
		fastest[$name]=$s
		rm -f "$T/peak.$name".*
		for f in "$T"/rss.*; do [ -f "$f" ] && cp "$f" "$T/peak.$name.${f##*/rss.}"; done
	fi
}
peaks() { # peaks NAME: "stage RSS, stage RSS" of the kept run, in MiB
	local f out=''
	for f in "$T/peak.$1".*; do
		[ -f "$f" ] || continue
		out="$out${out:+, }${f##*/peak.$1.} $(awk '{ printf "%.0f", $1 / 1024 }' "$f")"
	done
	echo "$out"
}

OURB='stage ceph-dump ceph-dump -c "$C" -q $(printf -- "-p %s " $POOLS) |
	stage btr-seal btr-seal -q -r "$T/key.pub" |
	stage btr-split btr-split -q --force -d "$T/ours" -b 1G'
PEERB='for p in $POOLS; do
	stage "export.$p" rados -c "$C" -p "$p" export - | stage "zstd.$p" zstd -q -1 -T0 |
		stage "age.$p" age -r "$AGEPUB" | stage "split.$p" split -b 1G - "$T/peer/$p." || exit 1
done'
PEERB3='for p in $POOLS; do
	stage "export.$p" rados -c "$C" -p "$p" export - | stage "zstd.$p" zstd -q -3 -T0 |
		stage "age.$p" age -r "$AGEPUB" | stage "split.$p" split -b 1G - "$T/peer3/$p." || exit 1
done'
OURB3='stage ceph-dump ceph-dump -c "$C" -q $(printf -- "-p %s " $POOLS) |
	stage btr-seal btr-seal -q -3 -r "$T/key.pub" |
	stage btr-split btr-split -q --force -d "$T/ours3" -b 1G'
OURR='stage join btr-split -q --join -d "$T/ours" | stage btr-unseal btr-unseal -q -k "$T/key" |
	stage ceph-load ceph-load -c "$C" -q $(for p in $POOLS; do printf -- "-p %s:our_%s " $p $p; done)'
PEERR='for p in $POOLS; do
	stage "cat.$p" cat "$T/peer/$p".* | stage "age.$p" age -d -i "$T/age.key" | stage "zstd.$p" zstd -q -d |
		stage "import.$p" rados -c "$C" -p "peer_$p" import - >/dev/null || exit 1
done'
OURED='stage etcd-dump etcd-dump --endpoints "$E" -q >"$T/etcd.s"'
PEERED='stage etcdctl etcdctl --endpoints "$E" get --prefix "" -w protobuf >"$T/etcd.pb"'

for ((r = 1; r <= RUNS; r++)); do
	rm -rf "$T/ours" "$T/peer"; mkdir -p "$T/ours" "$T/peer"
	timed peer_backup "$PEERB"
	timed our_backup "$OURB"
	rm -rf "$T/ours3" "$T/peer3"; mkdir -p "$T/ours3" "$T/peer3"
	timed peer_backup3 "$PEERB3"
	timed our_backup3 "$OURB3"
	for p in $POOLS; do for q in peer our; do rados -c "$C" purge "${q}_$p" --yes-i-really-really-mean-it >/dev/null 2>&1; done; done
	timed peer_restore "$PEERR"
	timed our_restore "$OURR"
	timed peer_etcd_dump "$PEERED"
	timed our_etcd_dump "$OURED"
done
# Where a backup spends its time: reading alone (to a file), then compressing,
# encrypting and writing the pieces alone (from that file).
timed our_read 'stage ceph-dump ceph-dump -c "$C" -q $(printf -- "-p %s " $POOLS) >"$T/plain.s"'
timed our_seal 'btr-seal -q -r "$T/key.pub" <"$T/plain.s" | btr-split -q --force -d "$T/ours.2" -b 1G'
timed peer_read 'for p in $POOLS; do rados -c "$C" -p "$p" export "$T/plain.$p" >/dev/null || exit 1; done'
timed peer_seal 'for p in $POOLS; do zstd -q -1 -T0 <"$T/plain.$p" | age -r "$AGEPUB" | split -b 1G - "$T/peer.2.$p." || exit 1; done'
rm -rf "$T"/plain.* "$T/ours.2" "$T"/peer.2.*
# Where a restore spends its time: the decoding half alone (into a file on tmpfs-backed
# $T or disk), then the writing half alone from that file.
for p in $POOLS; do for q in peer our; do rados -c "$C" purge "${q}_$p" --yes-i-really-really-mean-it >/dev/null 2>&1; done; done
timed our_decode 'stage join btr-split -q --join -d "$T/ours" | stage btr-unseal btr-unseal -q -k "$T/key" >"$T/plain.s"'
timed our_write 'stage ceph-load ceph-load -c "$C" -q $(for p in $POOLS; do printf -- "-p %s:our_%s " $p $p; done) <"$T/plain.s"'
timed peer_decode 'for p in $POOLS; do cat "$T/peer/$p".* | age -d -i "$T/age.key" | zstd -q -d >"$T/plain.$p" || exit 1; done'
timed peer_write 'for p in $POOLS; do rados -c "$C" -p "peer_$p" import "$T/plain.$p" >/dev/null || exit 1; done'
rm -f "$T"/plain.*
our_size=$(du -cb "$T/ours"/* | tail -1 | cut -f1)
our3_size=$(du -cb "$T/ours3"/* | tail -1 | cut -f1)
peer_size=$(du -cb "$T/peer"/* | tail -1 | cut -f1)
peer3_size=$(du -cb "$T/peer3"/* | tail -1 | cut -f1)

# Both restores hold what the source holds (the sandbox's independent comparer).
check=ok
for q in our peer; do
	"$BTR_TOP/contrib/sandbox" compare --no-etcd $(printf -- '--pool %s ' $POOLS) "$T/b" \
		$(for p in $POOLS; do printf '%s:%s_%s ' "$p" "$q" "$p"; done) "$T/b" >"$T/cmp.$q" 2>&1 ||
		check="$check; ${q}'s copy DIFFERS: $(head -c 300 "$T/cmp.$q" | tr '\n' ' ')"
done

# etcd load: into a second etcd (emptied before each run) beside one etcdctl put per key
# on a sample of keys (etcdctl has no bulk load into a live cluster; binary keys cannot
# go through its argv), extrapolated to the key count.
sandbox_up l --no-ceph
SAMPLE=${BENCH_PIPELINE_PUT_SAMPLE:-100}
for ((r = 1; r <= RUNS; r++)); do
	etcd-load --endpoints "$l_etcd" -q --clear-only
	timed our_etcd_load 'stage etcd-load etcd-load --endpoints "'"$l_etcd"'" -q --with-leased <"$T/etcd.s"'
	timed peer_etcd_put 'for ((i = 0; i < '"$SAMPLE"'; i++)); do etcdctl --endpoints "'"$l_etcd"'" put "bench/k$i" 0123456789abcdef0123456789abcdef >/dev/null || exit 1; done'
done
peer_load=$(awk -v s="${best[peer_etcd_put]}" -v n="$SAMPLE" -v k="$nkeys" 'BEGIN { printf "%.2f", s / n * k }')
etcdctl --endpoints "$l_etcd" del bench/k --prefix >/dev/null
a=$(etcdctl --endpoints "$E" get --prefix "" --hex --keys-only | md5sum)
[ "$a" = "$(etcdctl --endpoints "$l_etcd" get --prefix "" --hex --keys-only | md5sum)" ] || check="$check; etcd keys DIFFER"

mb() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? b / 1048576 / s : 0) }'; }
ratio() { awk -v p="$1" -v o="$2" 'BEGIN { printf "%.2fx", (o > 0 ? p / o : 0) }'; }
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "median of $RUNS runs each (wall and CPU), ours and the peer's alternating; MB/s over the $((bytes >> 20)) MiB of object data;"
echo "CPU: user + sys of every process of the pipeline (the clients; not the servers)"
pk() { peaks "$1" | sed 's/\.[a-z_]*//g' | tr ',' '\n' | sort -k2 -n | awk '{m[$1]=$2} END {for (k in m) printf "%s%s %s", (n++ ? ", " : ""), k, m[k]}'; }
r() { printf '%-8s %-60s %8s %7s %7s  %s\n' "$1" "$2" "${best[$3]}" "$(mb "${best[$3]}")" "${cpu[$3]}" "$(pk "$3")"; }
printf '%-8s %-60s %8s %7s %7s  %s\n' "" "pipeline" "seconds" "MiB/s" "CPU s" "peak RSS per stage (MiB)"
r backup "ceph-dump | btr-seal -r | btr-split" our_backup
r "" "rados export - | zstd -1 -T0 | age -r | split (per pool)" peer_backup
printf '%-8s %-60s %8s %7s\n' "" "ratio (peer / ours; target >= 1.5x, CPU <= 0.67)" "$(ratio "${best[peer_backup]}" "${best[our_backup]}")" \
	"$(awk -v a="${cpu[our_backup]}" -v b="${cpu[peer_backup]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
r "" "ours with btr-seal -3" our_backup3
r "" "rados export - | zstd -3 -T0 | age -r | split (per pool)" peer_backup3
printf '%-8s %-60s %8s\n' "" "ratio at level 3 (peer / ours)" "$(ratio "${best[peer_backup3]}" "${best[our_backup3]}")"
printf '%-8s %-60s %8s\n' "" "  ours alone: ceph-dump > file" "${best[our_read]}"
printf '%-8s %-60s %8s\n' "" "  ours alone: btr-seal -r | btr-split < file" "${best[our_seal]}"
printf '%-8s %-60s %8s\n' "" "  peer alone: rados export files" "${best[peer_read]}"
printf '%-8s %-60s %8s\n' "" "  peer alone: zstd -1 -T0 | age -r | split < files" "${best[peer_seal]}"
r restore "btr-split --join | btr-unseal -k | ceph-load" our_restore
r "" "cat | age -d | zstd -d | rados import (per pool)" peer_restore
printf '%-8s %-60s %8s %7s\n' "" "ratio (peer / ours; target >= 1.2x, CPU <= 0.67)" "$(ratio "${best[peer_restore]}" "${best[our_restore]}")" \
	"$(awk -v a="${cpu[our_restore]}" -v b="${cpu[peer_restore]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
printf '%-8s %-60s %8s\n' "" "  ours alone: join | unseal > file" "${best[our_decode]}"
printf '%-8s %-60s %8s\n' "" "  ours alone: ceph-load < file" "${best[our_write]}"
printf '%-8s %-60s %8s\n' "" "  peer alone: cat | age -d | zstd -d > files" "${best[peer_decode]}"
printf '%-8s %-60s %8s\n' "" "  peer alone: rados import files" "${best[peer_write]}"
printf '%-8s %-60s %8s %7s  %s\n' "etcd" "etcd-dump ($nkeys keys)" "${best[our_etcd_dump]}" "" "$(peaks our_etcd_dump)"
printf '%-8s %-60s %8s %7s  %s\n' "" "etcdctl get --prefix \"\" -w protobuf" "${best[peer_etcd_dump]}" "" "$(peaks peer_etcd_dump)"
printf '%-8s %-60s %8s\n' "" "ratio (peer / ours)" "$(ratio "${best[peer_etcd_dump]}" "${best[our_etcd_dump]}")"
printf '%-8s %-60s %8s %7s  %s\n' "" "etcd-load ($nkeys keys, Txn of 128)" "${best[our_etcd_load]}" "" "$(peaks our_etcd_load)"
printf '%-8s %-60s %8s\n' "" "etcdctl put per key ($SAMPLE timed, extrapolated)" "$peer_load"
printf '%-8s %-60s %8s\n' "" "ratio (peer / ours)" "$(ratio "$peer_load" "${best[our_etcd_load]}")"
echo "backup size: ours $((our_size >> 20)) MiB (at -3: $((our3_size >> 20)) MiB), peer $((peer_size >> 20)) MiB (at -3: $((peer3_size >> 20)) MiB); restored copies vs source: $check"
