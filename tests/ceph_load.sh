# ceph-load against a real Ceph sandbox: exact restores (renamed pools, any bytes in
# names, empty and large objects, stale metadata replaced), deletions, clear, verify,
# and every failure with its exit status and nothing half-done left looking restored.
. "$(dirname "$0")/lib.sh"

sandbox_up dst --no-etcd
R() { rados -c "$dst_conf" "$@"; }
contrib/sandbox pool "$T/dst" hot cold other >/dev/null 2>&1 || "$BTR_TOP/contrib/sandbox" pool "$T/dst" hot cold other >/dev/null ||
	{ fail "pools" "cannot create pools"; exit 1; }
L() { ceph-load -c "$dst_conf" --timeout 30 "$@"; }
# Names may hold newlines: count JSON entries, not lines.
count() { R -p "$1" ls --all --format=json 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }
mk() { mkobjs >"$T/$1" || { fail "mkobjs $1" "could not generate"; exit 1; }; }

# ---- usage and pool checks ----
mk s0 <<<'object btrdbhot a data=x'
expect_exit 2 "no pool named is a usage error" L <"$T/s0"
grep -q 'no pool is restored unless named' "$T/last.err"
outcome $? "no pool named message" "$(cat "$T/last.err")"

expect_exit 2 "missing target pool exits 2" L -p btrdbhot:hot -p btrdbcold:restore_hot <"$T/s0"
expect_err "missing target pool message" '^ceph-load: pool "restore_hot" does not exist \(create it first\)$'
[ "$(count hot)" = 0 ] && pass "missing target pool: nothing written" || fail "missing target pool: nothing written" "$(count hot) objects in hot"
expect_exit 2 "--clear with --all-pools is refused" L --all-pools --clear <"$T/s0"
expect_exit 2 "an empty SRC in -p :DST is refused" L -p :hot <"$T/s0"
expect_exit 2 "-v without --clear is refused" L -p a -v <"$T/s0"
expect_exit 0 "--help" ceph-load --help
grep -q -- '--clear-only' "$T/last.out"
outcome $? "--help on stdout" "$(head -2 "$T/last.out")"
expect_exit 0 "--version" ceph-load --version
expect_exit 2 "--window below --atomic-max is refused" L -p a --window 1M <"$T/s0"

# ---- a restore with every awkward case, into renamed pools ----
cat >"$T/spec1" <<'EOF2'
object btrdbhot meta0001 x=version=\x01\x00\x00\x00\x00\x00\x00\x00
object btrdbhot sb0001 size=300K seed=2 x=a=1 x=b=\x00\xff
object btrdbhot weird\x01\xff\x0a\x20name\x7f ns=n\x02s loc=l\x03\x20 size=5000 seed=3 x=k\x01=v omap=3
object btrdbcold 555ab4f90000001008 size=2M seed=4 loc=555ab4f9
object btrdbcold staged ns=journalprovider size=100 seed=5 omap=5000
object btrdbjournal node/a size=8 seed=6
kv btrdb/g/x 1
EOF2
mk s1 <"$T/spec1"
expect_exit 0 "restore into renamed pools" L -p btrdbhot:hot -p btrdbcold:cold <"$T/s1"
expect_err "summary counts restored and skipped" '^Restore complete: restored 5 ceph objects, skipped 1 ceph objects; skipped 1 records of other kinds$'
[ "$(count hot)" = 3 ] && [ "$(count cold)" = 2 ] && pass "objects land in the renamed pools" || fail "objects land in the renamed pools" "hot $(count hot), cold $(count cold)"
sz=$(R -p hot stat meta0001 2>&1)
[[ "$sz" == *"size 0"* ]]
outcome $? "empty object created" "$sz"
[ "$(R -p hot getxattr meta0001 version | od -An -tx1 | tr -d ' \n')" = 0100000000000000 ] && pass "binary xattr value exact" || fail "binary xattr value exact" "$(R -p hot getxattr meta0001 version | od -An -tx1)"
[[ "$(R -p hot stat sb0001 2>&1)" == *"size 307200"* ]] && pass "data size exact" || fail "data size exact" "$(R -p hot stat sb0001 2>&1)"
wname=$'weird\x01\xff\n name\x7f'
[[ "$(R -p hot -N $'n\x02s' --object-locator $'l\x03 ' stat "$wname" 2>&1)" == *"size 5000"* ]] && pass "name, namespace and locator with any bytes" ||
	fail "name, namespace and locator with any bytes" "$(R -p hot -N $'n\x02s' --object-locator $'l\x03 ' stat "$wname" 2>&1)"
[ "$(R -p cold -N journalprovider listomapkeys staged | wc -l)" = 5000 ] && pass "5000-entry omap restored" || fail "5000-entry omap restored" "$(R -p cold -N journalprovider listomapkeys staged | wc -l) keys"
[[ "$(R -p cold --object-locator 555ab4f9 stat 555ab4f90000001008 2>&1)" == *"size 2097152"* ]] && pass "object with locator key" || fail "object with locator key" "$(R -p cold stat 555ab4f90000001008 2>&1)"
expect_exit 0 "verify passes on the copy" L -p btrdbhot:hot -p btrdbcold:cold --verify <"$T/s1"
expect_err "verify summary" '^Verify complete: 5 ceph objects identical, skipped 1 ceph objects'

# Exact bytes, read back by an independent client.
mk sknown <<<'object btrdbhot known data=hello\x00world\xff'
L -q -p btrdbhot:other <"$T/sknown" && R -p other get known "$T/known" && printf 'hello\0world\377' >"$T/known.want"
same "exact bytes read back with rados get" "$T/known" "$T/known.want"
R -p other rm known
# ---- stale metadata on the target is replaced, not merged ----
R -p hot setxattr sb0001 stale yes
R -p hot setomapval sb0001 oldkey oldval
R -p hot setxattr sb0001 a changed
R -p hot put extra1 /etc/hostname
expect_exit 1 "verify sees stale xattrs" L -p btrdbhot:hot -p btrdbcold:cold --verify <"$T/s1"
grep -q 'verify: hot/sb0001: xattrs differ' "$T/last.err"
outcome $? "verify names the changed object" "$(cat "$T/last.err")"
grep -q 'verify: hot/extra1: on the cluster but not in the stream' "$T/last.err"
outcome $? "verify reports extra objects of a full dump" "$(cat "$T/last.err")"
expect_exit 0 "restore over stale metadata" L -p btrdbhot:hot -p btrdbcold:cold <"$T/s1"
[ "$(R -p hot listxattr sb0001 | sort | tr '\n' ' ')" = "a b " ] && pass "stale xattrs removed" || fail "stale xattrs removed" "$(R -p hot listxattr sb0001 | tr '\n' ' ')"
[ "$(R -p hot getxattr sb0001 a)" = 1 ] && pass "changed xattr restored" || fail "changed xattr restored" "$(R -p hot getxattr sb0001 a)"
[ -z "$(R -p hot listomapkeys sb0001)" ] && pass "stale omap removed" || fail "stale omap removed" "$(R -p hot listomapkeys sb0001)"
{ echo header since; cat "$T/spec1"; } | mkobjs >"$T/s1i"
L -p btrdbhot:hot -p btrdbcold:cold --verify <"$T/s1i" >/dev/null 2>"$T/err"
[ $? = 0 ] && ! grep -q extra1 "$T/err"
outcome $? "an incremental stream does not report extras" "$(cat "$T/err")"
R -p hot get sb0001 "$T/obj"
printf 'X' | dd of="$T/obj" bs=1 seek=1000 conv=notrunc status=none
R -p hot put sb0001 "$T/obj"
expect_exit 1 "verify fails after one byte changed with rados put" L -p btrdbhot:hot -p btrdbcold:cold --verify <"$T/s1i"
grep -q 'verify: hot/sb0001: data differs' "$T/last.err"
outcome $? "verify names the object with the changed byte" "$(cat "$T/last.err")"

# ---- clear ----
expect_exit 0 "--clear-only -v" L -p btrdbhot:hot --clear-only -v
grep -q '^removed hot/n\\x02s/weird' "$T/last.out" && grep -q '^removed hot/extra1$' "$T/last.out"
outcome $? "-v lists each removed object" "$(cat "$T/last.out")"
[ "$(count hot)" = 0 ] && pass "--clear-only empties every namespace" || fail "--clear-only empties every namespace" "$(count hot) left"
[ "$(count cold)" = 2 ] && pass "--clear-only leaves other pools alone" || fail "--clear-only leaves other pools alone" "$(count cold) in cold"
R -p hot put extra2 /etc/hostname
expect_exit 0 "--clear then restore" L -p btrdbhot:hot --clear <"$T/s1"
[ "$(count hot)" = 3 ] && ! R -p hot stat extra2 >/dev/null 2>&1 && pass "--clear removed the extra object first" || fail "--clear removed the extra object first" "$(count hot) in hot"
expect_exit 0 "--dry-run" L -p btrdbhot:hot -p btrdbcold:other --dry-run <"$T/s1"
[ "$(count other)" = 0 ] && pass "--dry-run writes nothing" || fail "--dry-run writes nothing" "$(count other) objects"

# ---- deletions ----
mk sdel <<'EOF2'
header since
delete btrdbhot sb0001
delete btrdbhot never-existed
delete btrdbcold staged ns=journalprovider
delete btrdbjournal node/a
EOF2
expect_exit 0 "--no-delete keeps objects" L -p btrdbhot:hot -p btrdbcold:cold --no-delete <"$T/sdel"
R -p hot stat sb0001 >/dev/null 2>&1
outcome $? "--no-delete kept the object" "gone"
expect_exit 0 "deletions applied" L -p btrdbhot:hot -p btrdbcold:cold <"$T/sdel"
expect_err "deletion summary" 'deleted 3 ceph objects, kept 0 \(--no-delete\), skipped 1 deletions'
! R -p hot stat sb0001 >/dev/null 2>&1 && ! R -p cold -N journalprovider stat staged >/dev/null 2>&1
outcome $? "deleted objects are gone" "still there"
expect_exit 0 "verify of deletions" L -p btrdbhot:hot -p btrdbcold:cold --verify <"$T/sdel"

# ---- a damaged stream: nothing written for the damaged object ----
L -p btrdbhot:hot --clear-only >/dev/null 2>&1
mk sbad <<'EOF2'
object btrdbhot first size=1000 seed=7
object btrdbhot second data=MARKERMARKERMARKER
object btrdbhot third size=10 seed=8
EOF2
off=$(grep -abo MARKERMARKER "$T/sbad" | head -1 | cut -d: -f1)
printf 'Y' | dd of="$T/sbad" bs=1 seek=$((off + 3)) conv=notrunc status=none
expect_exit 1 "digest mismatch exits 1" L -p btrdbhot:hot <"$T/sbad"
expect_err "digest mismatch names the object" 'object digest mismatch for btrdbhot/second.*nothing was written for this object'
R -p hot stat first >/dev/null 2>&1
outcome $? "objects before the damage are restored" "first missing"
! R -p hot stat second >/dev/null 2>&1
outcome $? "the damaged object is not written" "second exists"

# A large object (written in pieces) damaged at its end: the partial object is removed.
mk slarge <<'EOF2'
object btrdbhot big size=3M seed=9 x=k=v
EOF2
sz=$(stat -c %s "$T/slarge")
printf 'Y' | dd of="$T/slarge" bs=1 seek=$((sz - 200)) conv=notrunc status=none
expect_exit 1 "damaged large object exits 1" L -p btrdbhot:hot --atomic-max 64K --window 1M <"$T/slarge"
expect_err "damaged large object: partial object removed" 'the partially written object hot/big was removed'
! R -p hot stat big >/dev/null 2>&1 && pass "no torn large object left" || fail "no torn large object left" "$(R -p hot stat big 2>&1)"

# A truncated stream: what came before is applied, then exit 1.
mk strunc <<'EOF2'
object btrdbhot t1 size=10 seed=1
object btrdbhot t2 size=10 seed=2
cut
EOF2
expect_exit 1 "truncated stream exits 1" L -p btrdbhot:hot <"$T/strunc"
expect_err "truncated stream message" 'stream truncated.*2 objects restored before this'
R -p hot stat t1 >/dev/null 2>&1 && R -p hot stat t2 >/dev/null 2>&1
outcome $? "truncated stream: objects seen are applied" "missing"

# A name RADOS cannot store (NUL) is a data error naming the object.
mk snul <<<'object btrdbhot bad\x00name'
expect_exit 1 "NUL in a name exits 1" L -p btrdbhot:hot <"$T/snul"
expect_err "NUL in a name message" 'hot/bad.*contains a NUL byte'

# A frame that decodes to millions of allocations: refused within the reader's memory
# budget at its offset, the object before it restored (issue 19).
amp_stream omap "$T/amp" && printf 'object btrdbhot amp-before data=x\n' | mkobjs >"$T/amp0" &&
	cat "$T/amp0" "$T/amp" >"$T/amp2" || fail "amplification stream" "could not generate"
R -p hot rm amp-before 2>/dev/null
expect_exit 1 "amplification: ceph-load exits 1" L -p btrdbhot:hot -p p00:cold <"$T/amp2"
expect_err "amplification: ceph-load names the offset and the budget" "byte $(($(cat "$T/amp.off") + $(stat -c %s "$T/amp0"))): .*memory budget"
R -p hot stat amp-before >/dev/null 2>&1 && pass "amplification: the object before it is restored" ||
	fail "amplification: the object before it is restored" "missing"

# ---- a mixed stream (etcd keys + objects), and large objects through small ops ----
mkstream -o 30 -k 20 -p btrdbhot -S 3 >"$T/mixed" && cat "$T/s1" >>"$T/mixed"
expect_exit 0 "mixed etcd + ceph stream" L -p btrdbhot:other <"$T/mixed"
expect_err "mixed stream summary" 'restored 33 ceph objects, skipped 3 ceph objects; skipped 21 records'
mk sbig <<<'object btrdbhot staging size=75M seed=11 omap=2000 x=range=abc'
L -p btrdbhot:other -p btrdbcold:hot --clear-only >/dev/null 2>&1
expect_exit 0 "a 75 MB object with omap in 16 MiB ops" L -p btrdbhot:other <"$T/sbig"
[[ "$(R -p other stat staging 2>&1)" == *"size 78643200"* ]] && pass "75 MB object size" || fail "75 MB object size" "$(R -p other stat staging 2>&1)"
expect_exit 0 "75 MB object verifies" L -p btrdbhot:other --verify <"$T/sbig"
expect_exit 0 "small ops (--atomic-max 64K) restore the same" L -p btrdbhot:hot --atomic-max 64K --window 1M -j 4 <"$T/sbig"
expect_exit 0 "... and verify" L -p btrdbhot:hot --verify <"$T/sbig"

# An omap larger than --atomic-max goes out in several ops, and arrives whole.
printf 'header since\nobject btrdbhot bigomap size=100K seed=13 omap=5000 x=a=b\n' | mk somap
expect_exit 0 "omap larger than --atomic-max" L -p btrdbhot:hot --atomic-max 64K --window 1M <"$T/somap"
expect_exit 0 "... verifies" L -p btrdbhot:hot --verify <"$T/somap"

# Damage anywhere in a stream: exit 1, never a crash.
mkstream -o 12 -k 3 -p btrdbhot -S 5 >"$T/fz"
size=$(stat -c %s "$T/fz")
bad=0
for off in $(awk -v s="$size" 'BEGIN { srand(3); for (i = 0; i < 15; i++) print int(rand() * s) }'); do
	cp "$T/fz" "$T/fzb"
	b=$(od -An -tu1 -j "$off" -N1 "$T/fzb" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$T/fzb" bs=1 seek="$off" conv=notrunc status=none
	L -q -p btrdbhot:other <"$T/fzb" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 1 ] || { bad=$((bad + 1)); echo "offset $off: exit $rc: $(cat "$T/err")" >&2; }
done
[ $bad = 0 ]
outcome $? "15 damaged streams all exit 1" "$bad did not"

# ---- slices loaded by parallel processes ----
for i in 1 2 3; do
	for j in $(seq 1 20); do echo "object btrdbcold s$i-$j size=$((j * 1000)) seed=$j"; done | mkobjs >"$T/slice$i"
done
L -p btrdbcold:other --clear-only >/dev/null 2>&1
pids=()
for i in 1 2 3; do L -q -p btrdbcold:other <"$T/slice$i" 2>"$T/slice$i.err" & pids+=($!); done
st=0
for p in "${pids[@]}"; do wait "$p" || st=1; done
[ $st = 0 ] && [ "$(count other)" = 60 ] && pass "three slice streams in parallel processes" || fail "three slice streams in parallel processes" "status $st, $(count other) objects: $(cat "$T"/slice*.err)"

# ---- SIGTERM inside a large object: in-flight writes settle, the partial object is removed ----
mk ssig <<'EOF2'
object btrdbhot before size=10 seed=1
object btrdbhot big2 size=4M seed=2
EOF2
half=$(($(stat -c %s "$T/ssig") / 2))
{ head -c $half "$T/ssig"; sleep 3; tail -c +$((half + 1)) "$T/ssig"; } |
	ceph-load -c "$dst_conf" -q -p btrdbhot:hot --atomic-max 64K --window 1M 2>"$T/sig.err" &
lp=$!
sleep 1.5
kill -TERM $lp
wait $lp
rc=$?
[ $rc = 3 ] && grep -q 'interrupted by signal 15; the partially written object hot/big2 was removed' "$T/sig.err"
outcome $? "SIGTERM mid-object exits 3 and says so" "exit $rc: $(cat "$T/sig.err")"
R -p hot stat before >/dev/null 2>&1 && ! R -p hot stat big2 >/dev/null 2>&1 &&
	pass "SIGTERM: earlier objects kept, no partial object left" || fail "SIGTERM: earlier objects kept, no partial object left" "$(R -p hot stat big2 2>&1)"

# ---- cephx caps ----
ceph -c "$dst_conf" auth get-or-create client.ro mon 'allow r' osd 'allow r' >"$T/ro.keyring" 2>/dev/null
expect_exit 3 "a read-only client cannot restore" L --id ro --keyring "$T/ro.keyring" -p btrdbhot:hot <"$T/s1"
expect_err "permission message names the caps" "cephx caps"

# ---- round trip through ceph-dump: dump, clear, load into renamed pools ----
sandbox_up src --no-etcd
# The sandbox's BTrDB-shaped data, plus awkward objects of our own below.
"$BTR_TOP/contrib/sandbox" seed "$T/src" --small >"$T/seed.out" 2>&1 &&
	"$BTR_TOP/contrib/sandbox" pool "$T/dst" restore_hot restore_cold restore_journal restore_staging >/dev/null ||
	{ fail "round trip seed" "$(cat "$T/seed.out")"; exit 1; }
S() { rados -c "$src_conf" "$@"; }
random_file "$T/r1" 3000000 1
random_file "$T/r75" 78643200 2
: >"$T/empty"
printf '\001\000\000\000\000\000\000\000' >"$T/ver"
for u in 0a1b2c3d 4e5f6a7b 8c9d0e1f; do
	S -p btrdbhot put "meta$u" "$T/empty" && S -p btrdbhot setxattr "meta$u" version <"$T/ver"
	S -p btrdbcold put "${u}0000001008" "$T/r1" --object-locator "$u"
done
S -p btrdbhot put hot_allocator "$T/ver" && S -p btrdbhot setxattr hot_allocator lock.hot_alloc_lock "$(printf 'x\ty')"
S -p btrdbjournal -N journalprovider put node/a "$T/ver"
S -p btrdbjournal -N journalprovider put "jo/a/00000000000000ff" "$T/r1" &&
	S -p btrdbjournal -N journalprovider setxattr "jo/a/00000000000000ff" range 0-10 &&
	S -p btrdbjournal -N journalprovider setxattr "jo/a/00000000000000ff" relrange 1-2
S -p btrdbcold put data.psl.pqube3.big "$T/r75"
S -p btrdbhot put $'odd\x01name with\nnewline' "$T/r1"
S -p btrdbhot setomapval "meta0a1b2c3d" k1 v1 && S -p btrdbhot setomapval "meta0a1b2c3d" k2 ''
mk smaster <<<'object btrdbcold meta.master omap=5000 x=v=1'
ceph-load -c "$src_conf" -q -p btrdbcold <"$T/smaster" || fail "seed meta.master" "ceph-load into src failed"
pools="-p btrdbhot:restore_hot -p btrdbcold:restore_cold -p btrdbjournal:restore_journal -p staging:restore_staging"
R -p restore_hot put stale "$T/ver"
ceph-dump -c "$src_conf" -q >"$T/dump" 2>"$T/dump.err" ||
	fail "ceph-dump of the seeded pools" "$(cat "$T/dump.err")"
expect_exit 0 "load the dump into renamed pools with --clear" L $pools --clear <"$T/dump"
n=$(btr-inspect <"$T/dump" | sed -n 's/^archive contains \([0-9]*\) ceph objects.*/\1/p')
grep -q "^Restore complete: restored $n ceph objects, skipped 0 ceph objects\$" "$T/last.err" && grep -q '^Clear complete: removed 1 objects$' "$T/last.err"
outcome $? "round trip summary" "$(cat "$T/last.err")"
"$BTR_TOP/contrib/sandbox" compare --no-etcd --pool btrdbhot --pool btrdbcold --pool btrdbjournal --pool staging "$T/src" btrdbhot:restore_hot btrdbcold:restore_cold \
	btrdbjournal:restore_journal staging:restore_staging "$T/dst" >"$T/cmp" 2>&1
	outcome $? "round trip: contrib/sandbox compare says identical" "$(head -c 600 "$T/cmp")"
for p in hot cold journal; do
	"$BTR_TOP/tests/tools/rados-describe" "$src_conf" btrdb$p >"$T/d-src-$p" 2>&1
	"$BTR_TOP/tests/tools/rados-describe" "$dst_conf" restore_$p >"$T/d-dst-$p" 2>&1
	same "round trip: btrdb$p equals restore_$p (python librados)" "$T/d-src-$p" "$T/d-dst-$p"
done
expect_exit 0 "verify passes on the copy" L $pools --verify <"$T/dump"
R -p restore_cold get --object-locator 4e5f6a7b 4e5f6a7b0000001008 "$T/obj"
printf 'Q' | dd of="$T/obj" bs=1 seek=123456 conv=notrunc status=none
R -p restore_cold put --object-locator 4e5f6a7b 4e5f6a7b0000001008 "$T/obj"
expect_exit 1 "verify fails after one byte changed with rados put" L $pools --verify <"$T/dump"
grep -q '^ceph-load: verify: restore_cold/4e5f6a7b0000001008: data differs$' "$T/last.err"
outcome $? "verify names the changed object" "$(cat "$T/last.err")"

# ---- three slices of a dump, loaded by three processes at once ----
L -q $pools --clear-only
for i in 0 1 2; do ceph-dump -c "$src_conf" -q --slice $i/3 >"$T/slice-d$i" 2>"$T/err" || fail "ceph-dump --slice $i/3" "$(cat "$T/err")"; done
pids=()
for i in 2 0 1; do L -q $pools <"$T/slice-d$i" 2>"$T/slice-d$i.err" & pids+=($!); done
st=0
for p in "${pids[@]}"; do wait "$p" || st=1; done
[ $st = 0 ]
outcome $? "slices loaded in parallel processes" "$(cat "$T"/slice-d*.err)"
"$BTR_TOP/contrib/sandbox" compare --no-etcd --pool btrdbhot --pool btrdbcold --pool btrdbjournal --pool staging "$T/src" \
	btrdbhot:restore_hot btrdbcold:restore_cold btrdbjournal:restore_journal staging:restore_staging "$T/dst" >"$T/cmp" 2>&1
	outcome $? "the union of the slices is the source" "$(head -c 600 "$T/cmp")"

# ---- full + incremental (with deletions) restored in order equals the source ----
ceph-dump -c "$src_conf" -q -p btrdbhot -p btrdbjournal --index "$T/idx0" >"$T/full" 2>"$T/err" || fail "full dump with index" "$(cat "$T/err")"
S -p btrdbhot rm meta4e5f6a7b
S -p btrdbjournal -N journalprovider rm node/a
S -p btrdbhot put newobj "$T/ver"
S -p btrdbhot setxattr hot_allocator lock.hot_alloc_lock changed
ceph-dump -c "$src_conf" -q -p btrdbhot -p btrdbjournal --since "$T/idx0" >"$T/incr" 2>"$T/err" || fail "incremental dump" "$(cat "$T/err")"
L -q -p btrdbhot:restore_hot -p btrdbjournal:restore_journal --clear-only
expect_exit 0 "restore the full dump" L -p btrdbhot:restore_hot -p btrdbjournal:restore_journal <"$T/full"
expect_exit 0 "then the incremental" L -p btrdbhot:restore_hot -p btrdbjournal:restore_journal <"$T/incr"
grep -q 'deleted 2 ceph objects' "$T/last.err"
outcome $? "the incremental's deletions are applied" "$(cat "$T/last.err")"
for p in hot journal; do
	"$BTR_TOP/tests/tools/rados-describe" "$src_conf" btrdb$p >"$T/d-src-$p" 2>&1
	"$BTR_TOP/tests/tools/rados-describe" "$dst_conf" restore_$p >"$T/d-dst-$p" 2>&1
	same "full + incremental: btrdb$p equals restore_$p" "$T/d-src-$p" "$T/d-dst-$p"
done
expect_exit 0 "verify of the incremental (deletions gone, no extras reported)" L -p btrdbhot:restore_hot -p btrdbjournal:restore_journal --verify <"$T/incr"

# ---- --all-pools: every pool under its own name, each checked first ----
"$BTR_TOP/contrib/sandbox" pool "$T/dst" btrdbhot >/dev/null
expect_exit 2 "--all-pools with a missing pool exits 2" L --all-pools <"$T/full"
expect_err "--all-pools missing pool message" 'pool "btrdbjournal" does not exist \(create it first\)'
[ "$(count btrdbhot)" = 0 ] && pass "--all-pools: nothing written before the check" || fail "--all-pools: nothing written before the check" "$(count btrdbhot) objects"
"$BTR_TOP/contrib/sandbox" pool "$T/dst" btrdbjournal >/dev/null
expect_exit 0 "--all-pools restores every pool" L --all-pools --progress <"$T/full"
grep -q '^restore' "$T/last.err"
outcome $? "--progress draws progress on stderr" "$(head -3 "$T/last.err")"

# ---- an OSD that dies mid-load ----
# The stream stalls halfway (the first half is written by then), the OSD is killed in
# the pause, the second half cannot be written: exit 3 within --timeout, no hang.
for j in $(seq 1 40); do echo "object btrdbhot k$j size=1M seed=$j"; done | mkobjs >"$T/skill"
half=$(($(stat -c %s "$T/skill") / 2))
osd=$(awk '$1 == "osd" {print $2}' "$T/dst/pids")
start=$SECONDS
{ head -c $half "$T/skill"; sleep 4; tail -c +$((half + 1)) "$T/skill"; } |
	ceph-load -c "$dst_conf" --timeout 10 -q -p btrdbhot:hot 2>"$T/osd.err" &
lp=$!
sleep 2
kill -KILL "$osd"
wait $lp
rc=$?
took=$((SECONDS - start))
[ $rc = 3 ]
outcome $? "OSD killed mid-load exits 3" "exit $rc: $(cat "$T/osd.err")"
grep -q 'timed out' "$T/osd.err" && pass "OSD death message: $(head -c 160 "$T/osd.err")" || fail "OSD death message" "$(cat "$T/osd.err")"
[ $took -lt 45 ] && pass "no hang after the OSD died (${took}s)" || fail "no hang after the OSD died" "${took}s"

# ---- no monitor: exit 3 within --timeout ----
# (A monitor dying mid-load does not stop the writes: the OSDs take them without it.)
kill -KILL "$(awk '$1 == "mon" {print $2}' "$T/dst/pids")"
start=$SECONDS
expect_exit 3 "no monitor answering exits 3" ceph-load -c "$dst_conf" --timeout 5 -p btrdbhot:hot <"$T/s1"
expect_err "no monitor message" 'cannot connect to ceph as client.admin: timed out'
[ $((SECONDS - start)) -lt 30 ] && pass "no monitor: no hang ($((SECONDS - start))s)" || fail "no monitor: no hang" "$((SECONDS - start))s"
