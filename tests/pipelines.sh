# The pipelines of btrdb-backup(7) and the README, typed as written there (hosts,
# buckets and paths pointed at a sandbox and the test directory), each checked by
# the independent clients (rados, etcdctl).
. "$(dirname "$0")/lib.sh"
set -o pipefail
cd "$T" || exit 1
export TMPDIR=$T BTR_PASSPHRASE='pipelines passphrase'
export ETCDCTL_API=3

sandbox_up src
sandbox_up dst
export CEPH_CONF=$src_conf
"$BTR_TOP/contrib/sandbox" pool "$T/src" btrdbhot btrdbcold >/dev/null 2>&1 || fail "source pools" "cannot create"
"$BTR_TOP/contrib/sandbox" pool "$T/dst" btrdbhot btrdbcold restore_hot restore_cold scratch_hot >/dev/null 2>&1 || fail "target pools" "cannot create"
for i in 1 2 3 4 5 6; do head -c $((i * 3000)) /dev/urandom | rados -c "$src_conf" -p btrdbcold put "555ab4f9cold$i" -; done
for i in 1 2 3; do head -c $((i * 100)) /dev/urandom | rados -c "$src_conf" -p btrdbhot put "meta$i" -; done
rados -c "$src_conf" -p btrdbhot setxattr meta1 version 8bytes!!
for i in 1 2 3 4 5; do etcdctl --endpoints "$src_etcd" put "btrdb/g/k$i" "v$i" >/dev/null; done

# objects CONF POOL: "name size digest" per object, sorted (an independent reader).
objects() {
	local o
	rados -c "$1" -p "$2" ls --all | sort | while IFS= read -r o; do
		o=${o#*$'\t'}
		printf '%s %s\n' "$o" "$(rados -c "$1" -p "$2" get "$o" - | sha256sum | cut -c1-16)"
	done
}
keys() { etcdctl --endpoints "$1" get --prefix '' -w json | jq -c '[.kvs[]? | [.key, .value]]'; }
same_pool() { # same_pool NAME SRCPOOL DSTPOOL
	objects "$src_conf" "$2" >"$T/a"; objects "$dst_conf" "$3" >"$T/b"
	[ -s "$T/a" ] && same "$1" "$T/a" "$T/b" || fail "$1" "empty source listing"
}
clear_dst() {
	ceph-load -q -c "$dst_conf" -p btrdbhot -p btrdbcold -p restore_hot -p restore_cold -p scratch_hot --clear-only
	etcd-load -q --endpoints "$dst_etcd" --clear-only
}

# -- etcd only
etcd-dump --endpoints "$src_etcd" | btr-seal | btr-split -d etcd-2026-11-24 2>/dev/null
check "etcd only: dump | seal | split" test -f etcd-2026-11-24/MANIFEST
btr-split --join -d etcd-2026-11-24 | btr-unseal | etcd-load --endpoints "$dst_etcd" 2>/dev/null
keys "$src_etcd" >"$T/k1"; keys "$dst_etcd" >"$T/k2"
same "etcd only: join | unseal | load restores every key" "$T/k1" "$T/k2"
clear_dst

# -- etcd and Ceph in one stream, loaded twice, and once through a fifo
{ etcd-dump --endpoints "$src_etcd"
  ceph-dump -c "$src_conf" -p btrdbhot -p btrdbcold
} 2>/dev/null | btr-seal | btr-split -d full 2>/dev/null
check "etcd + Ceph: one stream" test -f full/MANIFEST
btr-split --join -d full | btr-unseal | etcd-load --endpoints "$dst_etcd" 2>/dev/null
btr-split --join -d full | btr-unseal |
    ceph-load -c "$dst_conf" -p btrdbhot:restore_hot -p btrdbcold:restore_cold 2>/dev/null
same_pool "etcd + Ceph: btrdbhot restored as restore_hot" btrdbhot restore_hot
same_pool "etcd + Ceph: btrdbcold restored as restore_cold" btrdbcold restore_cold
keys "$dst_etcd" >"$T/k2"; same "etcd + Ceph: the keys too" "$T/k1" "$T/k2"
clear_dst
mkfifo ceph.fifo
ceph-load -c "$dst_conf" -p btrdbhot -p btrdbcold < ceph.fifo 2>/dev/null &
btr-split --join -d full | btr-unseal | tee ceph.fifo | etcd-load --endpoints "$dst_etcd" 2>/dev/null
PS=$?
wait $!
PS="$PS $?"; pipe_status "one pass through a fifo: both loads succeed" "0 0"
same_pool "one pass through a fifo: btrdbhot" btrdbhot btrdbhot
keys "$dst_etcd" >"$T/k2"; same "one pass through a fifo: the keys" "$T/k1" "$T/k2"
clear_dst

# -- to another host over ssh (sh -c stands in for ssh vault)
mkdir vault
vault() { (cd "$T/vault" && sh -c "$1"); }
{ etcd-dump --endpoints "$src_etcd"; ceph-dump -p btrdbhot; } 2>/dev/null | btr-seal | vault 'cat > btrdb-full.btr'
vault 'cat btrdb-full.btr' | btr-unseal | btr-inspect >"$T/report" 2>/dev/null
grep -q '^archive contains 3 ceph objects and 5 etcd records$' "$T/report"
outcome $? "over ssh: the copy inspects" "$(head -1 "$T/report")"
vault 'head -c 1000 btrdb-full.btr' | btr-unseal >/dev/null 2>"$T/err"
[ $? = 1 ]
outcome $? "over ssh: a copy cut short fails in btr-unseal with 1" "$(cat "$T/err")"

# -- to object storage with --filter/--fetch (a directory stands in for the bucket)
mkdir -p bucket/full
{ etcd-dump --endpoints "$src_etcd"; ceph-dump; } 2>/dev/null | btr-seal |
    btr-split -b 20K -d s3full --filter "cat > '$T/bucket/full/'\"\$FILE\"" 2>/dev/null
[ -f bucket/full/MANIFEST ] && [ -f bucket/full/ARCHIVE00001.bin ] && [ ! -e s3full/ARCHIVE00000.bin ] && [ -f s3full/MANIFEST ]
outcome $? "--filter: pieces and manifest uploaded, the manifest kept" "$(ls bucket/full s3full | tr '\n' ' ')"
mkdir fetched && cp bucket/full/MANIFEST fetched/
btr-split --join -d fetched --fetch "cat '$T/bucket/full/'\"\$FILE\"" | btr-unseal | ceph-load -c "$dst_conf" -p btrdbhot -p btrdbcold 2>/dev/null
same_pool "--fetch: restored from the bucket" btrdbcold btrdbcold
clear_dst

# -- public-key backups
btr-keygen -o backup.key
{ etcd-dump --endpoints "$src_etcd"; ceph-dump; } 2>/dev/null | env -u BTR_PASSPHRASE btr-seal -r backup.key.pub | btr-split -d pkfull 2>/dev/null
check "public key: sealed without a passphrase" test -f pkfull/MANIFEST
btr-split --join -d pkfull | env -u BTR_PASSPHRASE btr-unseal -k backup.key | btr-inspect >"$T/report" 2>/dev/null
grep -q '^archive contains 9 ceph objects and 5 etcd records$' "$T/report"
outcome $? "public key: the secret key opens it" "$(head -1 "$T/report")"
btr-keygen -o other.key
btr-split --join -d pkfull | env -u BTR_PASSPHRASE btr-unseal -k other.key >/dev/null 2>&1
[ $? = 1 ]
outcome $? "public key: another key does not" "status $?"
# signed by the backup host, and only its backups read
btr-keygen --sign -o host 2>/dev/null
{ etcd-dump --endpoints "$src_etcd"; ceph-dump; } 2>/dev/null | env -u BTR_PASSPHRASE btr-seal -r backup.key.pub -s host.sign | btr-split -d sfull 2>/dev/null
btr-split --join -d sfull | env -u BTR_PASSPHRASE btr-unseal -k backup.key --signer host.sign.pub | btr-inspect >"$T/report" 2>/dev/null
grep -q '^archive contains 9 ceph objects and 5 etcd records$' "$T/report"
outcome $? "signed: the host's backup is read with --signer" "$(head -1 "$T/report")"
btr-split --join -d pkfull 2>/dev/null | env -u BTR_PASSPHRASE btr-unseal -k backup.key --signer host.sign.pub >"$T/o" 2>/dev/null
rc=$?
[ $rc = 1 ] && [ ! -s "$T/o" ]
outcome $? "signed: an unsigned backup is refused" "status $rc"

# -- incrementals by hand, as in the manual
umask 077
pw="--passphrase-file $T/pass"; echo "$BTR_PASSPHRASE" >"$T/pass"
ceph-dump -p btrdbhot -p btrdbcold --index full.index 2>/dev/null | btr-seal $pw | btr-split -d ifull 2>/dev/null &&
    btr-seal $pw < full.index > full.index.btr && rm full.index
check "incremental: the full backup's index is sealed" test -s full.index.btr
head -c 500 /dev/urandom | rados -c "$src_conf" -p btrdbcold put 555ab4f9cold1 -
rados -c "$src_conf" -p btrdbcold rm 555ab4f9cold2
btr-unseal $pw < full.index.btr > full.index &&
ceph-dump -p btrdbhot -p btrdbcold --since full.index --index incr1.index 2>"$T/err" |
    btr-seal $pw | btr-split -d incr1 2>/dev/null &&
    btr-seal $pw < incr1.index > incr1.index.btr && rm full.index incr1.index
PS=$?; [ "$PS" = 0 ]
outcome $? "incremental: the commands succeed" "status $PS"
grep -q 'CEPH DONE; included 1 ceph objects (skipped 7 unchanged)' "$T/err"
outcome $? "incremental: only the change" "$(cat "$T/err")"
for b in ifull incr1; do btr-split --join -d $b | btr-unseal $pw | ceph-load -c "$dst_conf" -p btrdbhot -p btrdbcold 2>/dev/null; done
same_pool "incremental: full + incremental = the source, deletion included" btrdbcold btrdbcold
clear_dst

# -- a partial restore of one pool, and --verify
# (The key derivation of each unseal takes seconds: the sections below read the
# full backup's plain stream, unsealed once, where the manual has the join and
# unseal of the sections above.)
btr-split --join -d full | btr-unseal >"$T/full.stream" 2>/dev/null
unsealed() { cat "$T/full.stream"; }
unsealed |
    btr-filter --pool btrdbhot | ceph-load -c "$dst_conf" -p btrdbhot:scratch_hot 2>/dev/null
same_pool "one pool: btrdbhot into scratch_hot" btrdbhot scratch_hot
[ "$(rados -c "$dst_conf" -p restore_cold ls | wc -l)" = 0 ]
outcome $? "one pool: nothing else restored" "objects elsewhere"
unsealed | ceph-load --verify -p btrdbhot 2>/dev/null
PS=$?; [ "$PS" = 0 ]
outcome $? "--verify: the live pool matches" "status $PS"
echo changed | rados -c "$src_conf" -p btrdbhot put meta2 -
unsealed | ceph-load --verify -p btrdbhot >/dev/null 2>&1
PS=$?; [ "$PS" = 1 ]
outcome $? "--verify: a changed object is found (exit 1)" "status $PS"
clear_dst

# -- one BTrDB stream by its UUID prefix
unsealed | btr-inspect -l | grep 555ab4f9 > list
unsealed | btr-filter --from-list list |
    ceph-load -c "$dst_conf" -p btrdbhot -p btrdbcold 2>/dev/null
n=$(rados -c "$dst_conf" -p btrdbcold ls | grep -c 555ab4f9)
[ "$n" = 6 ] && [ "$(rados -c "$dst_conf" -p btrdbhot ls | wc -l)" = 0 ]
outcome $? "one stream: its objects and nothing else" "$n objects"
clear_dst

# -- a parallel sliced dump, restored in parallel
for i in 0 1 2 3; do
    ceph-dump -p btrdbcold --slice $i/4 2>/dev/null | btr-seal -r backup.key.pub |
        btr-split -d cold-$i 2>/dev/null &
done
wait
for i in 0 1 2 3; do
    btr-split --join -d cold-$i | btr-unseal -k backup.key | ceph-load -c "$dst_conf" -p btrdbcold 2>/dev/null &
done
wait
same_pool "sliced: four slices restored in parallel = the pool" btrdbcold btrdbcold
total=0
for i in 0 1 2 3; do
	n=$(btr-split --join -d cold-$i | btr-unseal -k backup.key | btr-inspect --json | jq .ceph_objects)
	total=$((total + n))
done
[ "$total" = "$(rados -c "$src_conf" -p btrdbcold ls | wc -l)" ]
outcome $? "sliced: no object twice" "$total objects in the slices"

# -- a consistent dump from snapshots
ceph-dump --snapshot -p btrdbhot -p btrdbcold 2>/dev/null | btr-seal | btr-split -d snap 2>/dev/null
check "--snapshot: the dump completes" test -f snap/MANIFEST
[ -z "$(rados -c "$src_conf" -p btrdbhot lssnap | grep -v '^0 snaps')" ] && pass "--snapshot: no snapshot left" || fail "--snapshot: no snapshot left" "$(rados -c "$src_conf" -p btrdbhot lssnap)"
