# The partial-restore recipes (man/btr-filter.1), end to end on real servers: a backup
# taken with etcd-dump + ceph-dump, cut with btr-filter, restored with ceph-load and
# etcd-load, and checked with independent clients (python librados through
# tests/tools/rados-describe, the rados CLI, etcdctl): each restores exactly what it
# claims, nothing more.
. "$(dirname "$0")/lib.sh"

sandbox_up src
sandbox_up dst
sbx() { "$BTR_TOP/contrib/sandbox" "$@" >/dev/null 2>"$T/sbx.err" || { fail "sandbox $*" "$(tail -1 "$T/sbx.err")"; exit 1; }; }
sbx pool "$T/src" btrdbhot btrdbcold btrdbjournal scratch
sbx pool "$T/dst" btrdbhot btrdbcold
E() { local e=$1; shift; ETCDCTL_API=3 etcdctl --endpoints "$e" "$@"; }
describe() { "$BTR_TOP/tests/tools/rados-describe" "$1" "$2"; }

# ---- the source: two BTrDB streams, U1 and U2, and a third, U3, one hex digit from U1 ----
U1=555ab4f9e1d04a3e8f0c2b1a9d8e7f60
U2=777ab4f9e1d04a3e8f0c2b1a9d8e7f61
U3=555ab4f9e1d04a3e8f0c2b1a9d8e7f6f
mkdir -p "$T/f"
: >"$T/f/empty"
printf '\001\002\003\004\005\006\007\010' >"$T/f/ver"
random_file "$T/f/r2k" 2048 1
random_file "$T/f/r100k" 102400 2
random_file "$T/f/r3m" 3000000 3
seed() {
	local R="rados -c $src_conf"
	for u in $U1 $U2 $U3; do
		$R -p btrdbhot put "meta$u" "$T/f/empty" && $R -p btrdbhot setxattr "meta$u" version "$(cat "$T/f/ver")" &&
			$R -p btrdbhot put "sb${u}00000000001" "$T/f/r3m" &&
			$R -p btrdbhot put "${u}8000001000" "$T/f/r2k" &&
			$R -p btrdbcold put "${u}0000001008" "$T/f/r100k" &&
			$R -p btrdbcold put "${u}0000002008" "$T/f/r2k" || return 1
	done
	$R -p btrdbhot put hot_allocator "$T/f/ver" && $R -p btrdbhot setxattr hot_allocator lock.hot_alloc_lock node1 &&
		$R -p btrdbhot setomapval hot_allocator owner node1 &&
		$R -p btrdbcold put cold_allocator "$T/f/ver" &&
		$R -p btrdbjournal -N journalprovider put node/node1 "$T/f/ver" &&
		$R -p btrdbjournal -N journalprovider put jo/node1/0000000000000001 "$T/f/r100k" || return 1
	# etcd: the stream keys hold the raw 16-byte UUID (bytes with no NUL or newline here,
	# so that etcdctl can take them as arguments).
	raw() { printf "$(echo "$1" | sed 's/../\\x&/g')"; }
	local e=$src_etcd
	E "$e" put btrdb/g/defaults d >/dev/null && E "$e" put btrdb/g/nested/a a >/dev/null &&
		E "$e" put btrdb/gx not-global >/dev/null && E "$e" put btrdb/n/node1/cfg c >/dev/null &&
		E "$e" put btrdb/x/m/node1/active 1 >/dev/null || return 1
	for u in $U1 $U2 $U3; do
		E "$e" put "btrdb/u/$(raw $u)" "stream $u" >/dev/null && E "$e" put "btrdb/t/coll/$(raw $u)" tags >/dev/null &&
			E "$e" put "btrdb/s/$(raw $u)/annotation" note >/dev/null || return 1
	done
}
seed && pass "seeded the source" || { fail "seeded the source" "rados or etcdctl failed"; exit 1; }

# keys ENDPOINT: every key and value, base64 (etcdctl's JSON), one per line, sorted.
keys() {
	E "$1" get "" --from-key -w json | python3 -c '
import json, sys
for kv in json.load(sys.stdin).get("kvs", []):
    print(kv["key"], kv.get("value", ""))' | LC_ALL=C sort
}
# keys_where ENDPOINT PYTHON_EXPR: the same, only keys k (bytes) for which the expression holds.
keys_where() {
	E "$1" get "" --from-key -w json | python3 -c '
import base64, json, sys
for kv in json.load(sys.stdin).get("kvs", []):
    k = base64.b64decode(kv["key"])
    if '"$2"':
        print(kv["key"], kv.get("value", ""))' | LC_ALL=C sort
}

# ---- the backup: one stream with both kinds ----
{ etcd-dump -q --endpoints "$src_etcd" && ceph-dump -q -c "$src_conf" -p btrdbhot -p btrdbcold -p btrdbjournal; } >"$T/all.s"
[ $? = 0 ] && btr-inspect <"$T/all.s" >/dev/null && pass "backup taken" || { fail "backup taken" "a dump failed"; exit 1; }
describe "$src_conf" btrdbhot >"$T/hot.before"
describe "$src_conf" btrdbcold >"$T/cold.before"

# ---- 1. one BTrDB stream by its UUID: its objects in every pool, and its keys ----
x=$(echo $U1 | sed 's/../\\x&/g')
btr-filter --object "*$U1*" --key "*$x*" <"$T/all.s" >"$T/one.s"
PS="$?"; pipe_status "recipe 1: filter by UUID" 0
ceph-load -q -c "$dst_conf" -p btrdbhot -p btrdbcold <"$T/one.s" && etcd-load -q --endpoints "$dst_etcd" <"$T/one.s"
PS="$?"; pipe_status "recipe 1: restore" 0
for p in btrdbhot btrdbcold; do
	describe "$src_conf" $p | grep -F "$U1" >"$T/want"
	describe "$dst_conf" $p >"$T/got"
	n=$(wc -l <"$T/want")
	[ "$n" -gt 1 ] && cmp -s "$T/want" "$T/got" && pass "recipe 1: $p holds exactly the $n objects of the stream" \
		|| fail "recipe 1: $p holds exactly the objects of the stream" "$(diff "$T/want" "$T/got" | head -3 | tr '\n' '|')"
done
keys_where "$src_etcd" "bytes.fromhex('$U1') in k" >"$T/want"
keys "$dst_etcd" >"$T/got"
[ "$(wc -l <"$T/want")" = 3 ] && cmp -s "$T/want" "$T/got" && pass "recipe 1: etcd holds exactly the stream's 3 keys" \
	|| fail "recipe 1: etcd holds exactly the stream's keys" "$(wc -l <"$T/got") keys, wanted $(wc -l <"$T/want")"

btr-filter --object "*$U1*" <"$T/all.s" | ceph-load -q -c "$src_conf" -p btrdbhot --verify 2>"$T/err"
PS="${PIPESTATUS[*]}"; pipe_status "recipe 1: a cut verifies against the live pool, whose other objects it lacks" "0 0"

# ---- 2. one pool of several into a scratch pool, then the live pool checked against it ----
btr-filter --pool btrdbhot --rename-pool btrdbhot:scratch <"$T/all.s" | ceph-load -q -c "$src_conf" -p scratch
PS="${PIPESTATUS[*]}"; pipe_status "recipe 2: restore a pool into a scratch pool" "0 0"
describe "$src_conf" scratch >"$T/got"
[ -s "$T/got" ] && cmp -s "$T/hot.before" "$T/got" && pass "recipe 2: the scratch pool equals the pool at backup time" \
	|| fail "recipe 2: the scratch pool equals the pool at backup time" "$(diff "$T/hot.before" "$T/got" | head -3 | tr '\n' '|')"
btr-filter --pool btrdbhot <"$T/all.s" | ceph-load -q -c "$src_conf" -p btrdbhot --verify 2>"$T/err"
PS="${PIPESTATUS[*]}"; pipe_status "recipe 2: the unchanged live pool verifies" "0 0"
rados -c "$src_conf" -p btrdbhot put "${U2}8000001000" "$T/f/r100k"
rados -c "$src_conf" -p btrdbhot put new_object "$T/f/r2k"
btr-filter --pool btrdbhot <"$T/all.s" | ceph-load -q -c "$src_conf" -p btrdbhot --verify 2>"$T/err"
PS="${PIPESTATUS[*]}"; pipe_status "recipe 2: a changed live pool does not verify" "0 1"
grep -q "${U2}8000001000" "$T/err" && grep -q new_object "$T/err" && pass "recipe 2: verify names the changed and the new object" \
	|| fail "recipe 2: verify names the changed and the new object" "$(head -c 300 "$T/err")"
btr-filter --pool btrdbhot --rename-pool btrdbhot:scratch <"$T/all.s" | ceph-load -q -c "$src_conf" -p scratch --verify
PS="${PIPESTATUS[*]}"; pipe_status "recipe 2: the scratch pool verifies" "0 0"
describe "$src_conf" btrdbcold | cmp -s - "$T/cold.before"
outcome $? "recipe 2: other pools untouched" "btrdbcold changed"

# ---- 3. only the etcd keys under btrdb/g/ ----
E "$dst_etcd" del "" --from-key >/dev/null
btr-filter --key-prefix btrdb/g/ <"$T/all.s" | etcd-load -q --endpoints "$dst_etcd"
PS="${PIPESTATUS[*]}"; pipe_status "recipe 3: restore the keys under btrdb/g/" "0 0"
keys_where "$src_etcd" "k.startswith(b'btrdb/g/')" >"$T/want"
keys "$dst_etcd" >"$T/got"
[ "$(wc -l <"$T/want")" = 2 ] && cmp -s "$T/want" "$T/got" && pass "recipe 3: etcd holds exactly the 2 keys under btrdb/g/" \
	|| fail "recipe 3: etcd holds exactly the keys under btrdb/g/" "$(wc -l <"$T/got") keys: $(head -c 200 "$T/got")"
btr-filter --key-prefix btrdb/g/ <"$T/all.s" | etcd-load -q --endpoints "$dst_etcd" --verify
PS="${PIPESTATUS[*]}"; pipe_status "recipe 3: the restored keys verify" "0 0"
btr-filter --key-prefix btrdb/g/ <"$T/all.s" | etcd-load -q --endpoints "$src_etcd" --verify
PS="${PIPESTATUS[*]}"; pipe_status "recipe 3: the live keys under btrdb/g/ verify against the cut" "0 0"

# ---- 4. one object's data to a file ----
btr-filter --data --pool btrdbcold --object "${U1}0000001008" <"$T/all.s" >"$T/obj.bin"
PS="$?"; pipe_status "recipe 4: extract one object" 0
rados -c "$src_conf" -p btrdbcold get "${U1}0000001008" "$T/obj.live"
same "recipe 4: the file holds the object's data, as rados reads it" "$T/obj.live" "$T/obj.bin"
btr-filter --data --pool btrdbhot --object "sb${U1}*" <"$T/all.s" >"$T/sb.bin"
PS="$?"; pipe_status "recipe 4: extract a 3 MB superblock by a pattern" 0
same "recipe 4: the superblock's data" "$T/f/r3m" "$T/sb.bin"
