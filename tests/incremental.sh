# Incremental dumps: full -> mutate -> incremental -> mutate -> incremental over the
# incremental; unchanged objects skipped, changes and deletions recorded, every index
# complete; a base index of another pool set refused.
. "$(dirname "$0")/lib.sh"
. "$BTR_TOP/tests/ceph/seed.bash"

sandbox_up src --no-etcd
C=$src_conf
export CEPH_CONF=$C
seed_small "$C" p1 p2 2>"$T/seed.err" || { fail "seed" "could not seed the sandbox: $(tail -3 "$T/seed.err")"; exit 1; }
R="rados -c $C -p p1"
total() { echo $(($(rados -c "$C" -p p1 ls --all | wc -l) + $(rados -c "$C" -p p2 ls --all | wc -l))); }
# entries FILE: the sorted "pool ns name size" of an index (or of a stream's objects)
entries() { btr-inspect -l <"$1" | awk '$1 == "index" || $1 == "object" { print $2, $3, $4, $5 }' | LC_ALL=C sort; }

# ---- full ----
mkfifo "$T/idx.fifo"
cat "$T/idx.fifo" >"$T/idx0" &
ceph-dump -c "$C" -p p1 -p p2 --index "$T/idx.fifo" >"$T/full" 2>"$T/full.err"
rc=$?
wait
[ $rc = 0 ]
outcome $? "full dump with --index into a fifo" "exit $rc: $(cat "$T/full.err")"
expect_exit 0 "the index verifies" btr-inspect <"$T/idx0"
n0=$(total)
[ "$(btr-inspect -l <"$T/idx0" | grep -c '^index ')" = "$n0" ] && pass "index has every object" || fail "index has every object" "$(btr-inspect -l <"$T/idx0" | grep -c '^index ') of $n0"
entries "$T/full" >"$T/e.full"
entries "$T/idx0" >"$T/e.idx0"
same "index entries match the dump" "$T/e.full" "$T/e.idx0"

# ---- more objects than one listing batch (1024): stats go in batches ----
ceph -c "$C" osd pool create many 8 >/dev/null 2>&1 && ceph -c "$C" osd pool set many size 1 --yes-i-really-mean-it >/dev/null 2>&1
mkstream -o 1500 -s 2K -k 0 -S 9 -p many | ceph-load -c "$C" -p many -q 2>"$T/many.err" || fail "load 1500 objects" "$(cat "$T/many.err")"
ceph-dump -c "$C" -p many -q --index "$T/many.idx" >/dev/null || fail "many: full dump" "exit $?"
nm=$(rados -c "$C" -p many ls --all | wc -l)
rados -c "$C" -p many ls | LC_ALL=C sort | head -5 >"$T/many.names"
i=0
while read -r o; do
	i=$((i + 1))
	if [ $i -le 3 ]; then printf 'changed %d' $i | rados -c "$C" -p many put "$o" -; else rados -c "$C" -p many rm "$o"; fi
done <"$T/many.names"
expect_exit 0 "many: incremental over 1500 objects" ceph-dump -c "$C" -p many --since "$T/many.idx"
grep -q "^CEPH DONE; included 3 ceph objects (skipped $((nm - 5)) unchanged)$" "$T/last.err" && grep -q '^recorded 2 deletions$' "$T/last.err" &&
	pass "many: only the 3 rewritten objects are read, 2 deletions recorded" ||
	fail "many: only the 3 rewritten objects are read, 2 deletions recorded" "$(tr '\n' '|' <"$T/last.err"), $nm objects"
ceph -c "$C" osd pool rm many many --yes-i-really-really-mean-it >/dev/null 2>&1

# ---- mutate: rewrite (same size), xattr change, delete, create ----
random_file "$T/new2k" 2048 77
$R put 555ab4f9aa0000001008 "$T/new2k"
$R setxattr hot_allocator lock.hot_alloc_lock 'held by node2'
$R rm meta777
printf 'fresh' | $R put created.after.full -
$R -N journalprovider rm node/a
expect_exit 0 "incremental dump" ceph-dump -c "$C" -p p1 -p p2 --since "$T/idx0" --index "$T/idx1"
cp "$T/last.out" "$T/inc1"; cp "$T/last.err" "$T/inc1.err"
n1=$(total)
# changed: the rewrite, the xattr change, the new object (3); deleted: 2
grep -q "^CEPH DONE; included 3 ceph objects (skipped $((n1 - 3)) unchanged)$" "$T/inc1.err"
outcome $? "incremental includes only the changes" "$(grep DONE "$T/inc1.err"), $n1 objects now"
grep -q '^recorded 2 deletions$' "$T/inc1.err"
outcome $? "deletions counted" "$(cat "$T/inc1.err")"
btr-inspect -l <"$T/inc1" >"$T/inc1.l"
grep -q '^delete p1 - meta777 ' "$T/inc1.l" && grep -q '^delete p1 journalprovider node/a ' "$T/inc1.l"
outcome $? "deletion records for both" "$(grep '^delete' "$T/inc1.l")"
for o in 555ab4f9aa0000001008 hot_allocator created.after.full; do
	grep -q "^object p1 - $o " "$T/inc1.l" || fail "incremental has $o" "missing"
done
btr-cat p1 "" 555ab4f9aa0000001008 <"$T/inc1" | cmp -s - "$T/new2k"
outcome $? "the rewritten object's new bytes" "differ"
[ "$(btr-inspect -l <"$T/idx1" | grep -c '^index ')" = "$n1" ] && pass "the new index is complete" ||
	fail "the new index is complete" "$(btr-inspect -l <"$T/idx1" | grep -c '^index ') of $n1"
entries "$T/idx1" >"$T/e.idx1"
expected_list "$C" p1 p2 >"$T/e.now"
dumped_list <"$T/idx1" >"$T/e.idx1.t"
same "the new index lists what the cluster holds" "$T/e.now" "$T/e.idx1.t"
# unchanged objects keep the digest of their full copy
d0=$(btr-inspect -l <"$T/idx0" | awk '$4 == "staging.big" { print $7 }')
d1=$(btr-inspect -l <"$T/idx1" | awk '$4 == "staging.big" { print $7 }')
[ -n "$d0" ] && [ "$d0" = "$d1" ]
outcome $? "unchanged entry keeps its digest" "$d0 vs $d1"

# ---- mutate again; incremental over the incremental ----
$R rm created.after.full
$R -N journalprovider put node/b "$T/new2k"
$R rmomapkey meta.master key000001
expect_exit 0 "incremental over the incremental" ceph-dump -c "$C" -p p1 -p p2 --since "$T/idx1" --index "$T/idx2"
cp "$T/last.out" "$T/inc2"; cp "$T/last.err" "$T/inc2.err"
n2=$(total)
grep -q "^CEPH DONE; included 2 ceph objects (skipped $((n2 - 2)) unchanged)$" "$T/inc2.err"
outcome $? "second incremental includes only the new changes" "$(grep DONE "$T/inc2.err"), $n2 objects"
btr-inspect -l <"$T/inc2" >"$T/inc2.l"
grep -q '^delete p1 - created.after.full ' "$T/inc2.l" && [ "$(grep -c '^delete' "$T/inc2.l")" = 1 ] &&
	pass "second incremental deletes what was created and removed between" || fail "second incremental deletion" "$(grep '^delete' "$T/inc2.l")"
btr-cat -m p1 "" meta.master <"$T/inc2" | tail -1 | grep -q '^omap_entries 4999$'
outcome $? "omap change caught" ""
[ "$(btr-inspect -l <"$T/idx2" | grep -c '^index ')" = "$n2" ]
outcome $? "the second index is complete" ""
# nothing changed: nothing included, nothing deleted
# (the base index through a fifo, as the front end passes it)
mkfifo "$T/since.fifo"
cat "$T/idx2" >"$T/since.fifo" &
expect_exit 0 "incremental with no changes (--since a fifo)" ceph-dump -c "$C" -p p1 -p p2 --since "$T/since.fifo" --index "$T/idx3"
wait
grep -q "^CEPH DONE; included 0 ceph objects (skipped $n2 unchanged)$" "$T/last.err" && grep -q '^recorded 0 deletions$' "$T/last.err"
outcome $? "no changes: everything skipped" "$(cat "$T/last.err")"
same "no changes: same index entries" <(entries "$T/idx2") <(entries "$T/idx3")

# ---- an object rewritten twice within one second, same size: caught by its version ----
ceph -c "$C" osd pool create p3 8 >/dev/null 2>&1 && ceph -c "$C" osd pool set p3 size 1 --yes-i-really-mean-it >/dev/null 2>&1
caught=""
for try in 1 2 3 4 5; do
	s0=$(date +%s)
	printf 'AAAA' | rados -c "$C" -p p3 put x - &&
		ceph-dump -c "$C" -p p3 -q --index "$T/x.idx" >/dev/null &&
		printf 'BBBB' | rados -c "$C" -p p3 put x -
	s1=$(date +%s)
	[ "$s0" = "$s1" ] || continue
	ceph-dump -c "$C" -p p3 -q --since "$T/x.idx" >"$T/x.inc"
	caught=$(btr-cat p3 "" x <"$T/x.inc")
	m0=$(btr-inspect -l <"$T/x.idx" | awk '$4 == "x"')
	break
done
if [ -z "$caught$m0" ]; then
	skip "same-second rewrite" "could not fit the writes into one second"
else
	[ "$caught" = BBBB ] && pass "same size, same second: the rewrite is caught by its version" ||
		fail "same size, same second: the rewrite is caught" "got '$caught'"
fi

# ---- refusals ----
expect_exit 2 "a base index of another pool set is refused" ceph-dump -c "$C" -p p1 --since "$T/idx2"
expect_err "pool set refusal message" 'index of another set of pools.*--force'
[ ! -s "$T/last.out" ]
outcome $? "refusal writes nothing" "$(wc -c <"$T/last.out") bytes"
expect_exit 0 "--force accepts it" ceph-dump -c "$C" -p p1 --since "$T/idx2" --force -q
expect_exit 2 "a stream that is not an index is refused" ceph-dump -c "$C" -p p1 -p p2 --since "$T/full"
expect_err "not-an-index message" 'not an index'
expect_exit 2 "a base index of another slice is refused" ceph-dump -c "$C" -p p1 -p p2 --slice 0/2 --since "$T/idx2"
head -c $(($(stat -c %s "$T/idx2") - 10)) "$T/idx2" >"$T/idx.cut"
expect_exit 1 "a truncated base index is refused" ceph-dump -c "$C" -p p1 -p p2 --since "$T/idx.cut"
expect_err "truncated base index message" 'since.*truncated'
expect_exit 2 "a missing base index" ceph-dump -c "$C" -p p1 -p p2 --since "$T/nonexistent"
amp_stream pools "$T/amp" || fail "amplification stream" "could not generate"
expect_exit 1 "a base index that decodes to millions of allocations is refused" ceph-dump -c "$C" -p p1 -p p2 --since "$T/amp"
expect_err "amplified base index message" "byte $(cat "$T/amp.off"): .*memory budget"

# another cluster (same pool names): its fsid differs
sandbox_up other --no-etcd
for p in p1 p2; do
	ceph -c "$other_conf" osd pool create $p 8 >/dev/null 2>&1 && ceph -c "$other_conf" osd pool set $p size 1 --yes-i-really-mean-it >/dev/null 2>&1
done
expect_exit 2 "a base index of another cluster is refused" ceph-dump -c "$other_conf" -p p1 -p p2 --since "$T/idx2"
expect_err "other cluster message" 'index of cluster .*, this is cluster .*--force'

# ---- restore full + both incrementals in order into the other cluster: identical ----
for s in full inc1 inc2; do
	ceph-load -c "$other_conf" -p p1 -p p2 -q <"$T/$s" 2>"$T/load.err" || fail "ceph-load of $s" "exit $?: $(cat "$T/load.err")"
done
for p in p1 p2; do
	"$BTR_TOP/tests/tools/rados-describe" "$C" $p >"$T/desc.src.$p" 2>&1
	"$BTR_TOP/tests/tools/rados-describe" "$other_conf" $p >"$T/desc.dst.$p" 2>&1
	cmp -s "$T/desc.src.$p" "$T/desc.dst.$p" && pass "full + incremental + incremental restores $p exactly" ||
		fail "full + incremental + incremental restores $p exactly" "$(diff "$T/desc.src.$p" "$T/desc.dst.$p" | head -5)"
done
rados -c "$other_conf" -p p1 stat meta777 >/dev/null 2>&1 && fail "deleted objects are gone after the restore" "meta777 is there" ||
	pass "deleted objects are gone after the restore"
rados -c "$other_conf" -p p1 stat created.after.full >/dev/null 2>&1 && fail "created-and-deleted object is gone" "still there" ||
	pass "created-and-deleted object is gone"

# ---- the sandbox's BTrDB-shaped data: full, mutate, incremental, mutate, incremental
# over it; restored in order into a fresh sandbox, contrib/sandbox compare says identical ----
SB=$BTR_TOP/contrib/sandbox
BP="-p btrdbhot -p btrdbcold -p btrdbjournal -p staging"
if "$SB" seed "$T/src" --small >"$T/seed.out" 2>&1; then
	ceph-dump -c "$C" $BP -q --index "$T/s.idx0" >"$T/s.full" || fail "seeded: full dump" "exit $?"
	"$SB" mutate "$T/src" >/dev/null 2>&1
	ceph-dump -c "$C" $BP --since "$T/s.idx0" --index "$T/s.idx1" >"$T/s.inc1" 2>"$T/s.inc1.err" || fail "seeded: first incremental" "exit $?"
	"$SB" mutate "$T/src" >/dev/null 2>&1
	ceph-dump -c "$C" $BP --since "$T/s.idx1" --index "$T/s.idx2" >"$T/s.inc2" 2>"$T/s.inc2.err" || fail "seeded: second incremental" "exit $?"
	grep -q 'skipped [1-9][0-9]* unchanged' "$T/s.inc2.err" && ! grep -q '^recorded 0 deletions' "$T/s.inc2.err"
	outcome $? "seeded: the incremental skips and deletes" "$(cat "$T/s.inc2.err")"
	sandbox_up fresh --no-etcd
	"$SB" pool "$T/fresh" btrdbhot btrdbcold btrdbjournal staging >/dev/null 2>&1
	for s in full inc1 inc2; do
		ceph-load -c "$fresh_conf" $BP -q <"$T/s.$s" 2>"$T/s.load.err" || fail "seeded: restoring $s" "exit $?: $(cat "$T/s.load.err")"
	done
	if "$SB" compare "$T/src" "$T/fresh" --no-etcd --pool btrdbhot --pool btrdbcold --pool btrdbjournal --pool staging >"$T/s.cmp" 2>&1; then
		pass "seeded: full + two incrementals restore identical pools (contrib/sandbox compare)"
	else
		fail "seeded: full + two incrementals restore identical pools" "$(head -5 "$T/s.cmp")"
	fi
else
	fail "seeded: contrib/sandbox seed" "$(tail -2 "$T/seed.out")"
fi
