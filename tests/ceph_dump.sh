# ceph-dump against a real Ceph sandbox: everything rados sees is in the stream, exactly;
# bad pools, dead OSDs, snapshots, slices.
. "$(dirname "$0")/lib.sh"
. "$BTR_TOP/tests/ceph/seed.bash"

sandbox_up src --no-etcd
C=$src_conf
export CEPH_CONF=$C
seed_small "$C" p1 p2 2>"$T/seed.err" || { fail "seed" "could not seed the sandbox: $(tail -3 "$T/seed.err")"; exit 1; }

# ---- a full dump, checked against rados ----
ceph-dump -c "$C" -p p1 -p p2 >"$T/full" 2>"$T/full.err"
rc=$?
[ $rc = 0 ]
outcome $? "dump exits 0" "exit $rc: $(cat "$T/full.err")"
expect_exit 0 "the dump verifies" btr-inspect <"$T/full"
grep -q '^this backup will include 2 pools:$' "$T/full.err" && grep -q '^ - p1$' "$T/full.err"
outcome $? "pool summary" "$(head -3 "$T/full.err")"
n=$(rados -c "$C" -p p1 ls --all | wc -l)
m=$(rados -c "$C" -p p2 ls --all | wc -l)
grep -q "^CEPH DONE; included $((n + m)) ceph objects (skipped 0 unchanged)$" "$T/full.err"
outcome $? "done line counts every object" "$(tail -1 "$T/full.err"), rados: $((n + m))"
expected_list "$C" p1 p2 >"$T/want"
dumped_list <"$T/full" >"$T/got"
same "every object with its namespace and size" "$T/want" "$T/got"

# A pool name is the cluster's: its control bytes reach the terminal escaped.
evil=$'ev\033]0;x\007il'
if ceph -c "$C" osd pool create "$evil" 8 >/dev/null 2>&1; then
	ceph-dump -c "$C" -p "$evil" >/dev/null 2>"$T/evil.err"
	grep -q '^ - ev\\x1b\]0;x\\x07il$' "$T/evil.err" && ! grep -q $'\033' "$T/evil.err"
	outcome $? "a pool name's control bytes are escaped in the pool list" "$(head -3 "$T/evil.err" | od -c | head -3)"
	ceph -c "$C" osd pool rm "$evil" "$evil" --yes-i-really-really-mean-it >/dev/null 2>&1
else
	skip "a pool name's control bytes are escaped in the pool list" "ceph refused the pool name"
fi

# --index never follows a symlink or writes into another user's file.
echo "root's file" >"$T/victim"
ln -s "$T/victim" "$T/idx.link"
expect_exit 2 "--index: a symlink is refused" ceph-dump -c "$C" -p p1 --index "$T/idx.link"
expect_err "--index: the symlink is named" "idx.link is a symbolic link"
echo "nobody's file" >"$T/idx.theirs"; chown nobody "$T/idx.theirs" 2>/dev/null
if [ "$(stat -c %U "$T/idx.theirs")" = nobody ]; then
	expect_exit 2 "--index: a file of another user is refused" ceph-dump -c "$C" -p p1 --index "$T/idx.theirs"
	grep -q "nobody's file" "$T/idx.theirs" && [ "$(cat "$T/victim")" = "root's file" ] &&
		pass "--index: neither file was touched" || fail "--index: neither file was touched" "$(cat "$T/idx.theirs")"
else
	skip "--index: a file of another user" "cannot chown (not root?)"
fi

rados -c "$C" -p p1 get staging.big "$T/big.rados"
btr-cat p1 "" staging.big <"$T/full" >"$T/big.dump"
same "a 20 MiB object (streamed) byte for byte" "$T/big.rados" "$T/big.dump"
rados -c "$C" -p p1 get 'ünïcödé/päth' "$T/u.rados"
btr-cat p1 "" 'ünïcödé/päth' <"$T/full" >"$T/u.dump"
same "a non-ASCII name byte for byte" "$T/u.rados" "$T/u.dump"
rados -c "$C" -p p1 -N journalprovider get jo/a/0000000000000001 "$T/jo.rados"
btr-cat p1 journalprovider jo/a/0000000000000001 <"$T/full" >"$T/jo.dump"
same "an object in a namespace byte for byte" "$T/jo.rados" "$T/jo.dump"
btr-cat -m p1 journalprovider jo/a/0000000000000001 <"$T/full" >"$T/jo.meta"
printf 'xattr range 0-100\nxattr relrange \nomap_entries 0\n' >"$T/jo.want"
same "xattrs, including an empty one" "$T/jo.want" "$T/jo.meta"
btr-cat -m p1 "" hot_allocator <"$T/full" | grep -q '^xattr lock.hot_alloc_lock held\\x20by\\x20node1$'
outcome $? "cls_lock-style xattr" "missing"
btr-cat -m p1 "" meta555ab4f9aa <"$T/full" | grep -q '^xattr version \\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08$' &&
	pass "binary xattr of an empty object" || fail "binary xattr of an empty object" "$(btr-cat -m p1 "" meta555ab4f9aa <"$T/full")"
btr-cat -m p1 "" meta.master <"$T/full" >"$T/om"
[ "$(tail -1 "$T/om")" = "omap_entries 5000" ] && [ "$(rados -c "$C" -p p1 listomapkeys meta.master | wc -l)" = 5000 ]
outcome $? "the 5,000-entry omap is complete" "$(tail -1 "$T/om")"
grep -q '^omap key\\x0000705 val705$' "$T/om"
outcome $? "omap key with a NUL byte" "missing"
[ "$(grep '^omap ' "$T/om" | grep -v 'x00' | LC_ALL=C sort -c 2>&1 | wc -l)" = 0 ]
outcome $? "omap in key order" "not sorted"
btr-inspect -l <"$T/full" | grep -q '^object p1 - locobj 102400 locator=loc1 ' &&
	pass "locator key recorded" || fail "locator key recorded" "$(btr-inspect -l <"$T/full" | grep locobj)"
btr-inspect -l <"$T/full" | grep -q '^object p1 other nsloc 2048 locator=loc2 ' &&
	pass "namespace and locator together" || fail "namespace and locator together" "$(btr-inspect -l <"$T/full" | grep nsloc)"
btr-inspect -l <"$T/full" | grep -q '^object p1 - meta777 0 '
outcome $? "empty object present" "missing"

# Small buffers and one job: every object streams, same content.
ceph-dump -c "$C" -p p1 -p p2 -j 1 --buffer 0 --chunk 4096 -q >"$T/small" 2>"$T/small.err"
dumped_list <"$T/small" >"$T/got.small"
same "streamed with 4 KiB reads: same objects" "$T/want" "$T/got.small"
btr-cat p1 "" staging.big <"$T/small" | cmp -s - "$T/big.rados" && pass "streamed with 4 KiB reads: same bytes" ||
	fail "streamed with 4 KiB reads: same bytes" "differs"
[ ! -s "$T/small.err" ]
outcome $? "-q is quiet" "$(cat "$T/small.err")"
# A ring of 16 extents in flight (--buffer / --chunk), delivered in order however the
# reads end: the 20 MiB object in 64 KiB extents, and the digests verify.
ceph-dump -c "$C" -p p1 -j 1 --buffer 1M --chunk 64K -q >"$T/ring"
btr-cat p1 "" staging.big <"$T/ring" | cmp -s - "$T/big.rados"
outcome $? "16 extents in flight: same bytes" "differs"
expect_exit 0 "16 extents in flight: the stream verifies" btr-inspect <"$T/ring"

# All pools by default, minus --skip-pool.
ceph-dump -c "$C" --skip-pool p2 -q >"$T/skip" && btr-inspect <"$T/skip" >"$T/skip.i"
grep -q ' - p1: ' "$T/skip.i" && ! grep -q ' - p2: ' "$T/skip.i"
outcome $? "--skip-pool" "$(cat "$T/skip.i")"

# ---- refusals ----
expect_exit 2 "a missing pool exits 2" ceph-dump -c "$C" -p p1 -p nosuchpool
expect_err "a missing pool is named" 'pool "nosuchpool" does not exist'
[ ! -s "$T/last.out" ]
outcome $? "a missing pool writes nothing" "$(wc -c <"$T/last.out") bytes"
expect_exit 2 "bad --slice" ceph-dump -c "$C" --slice 3/3
expect_exit 2 "--slice with a sign refused" ceph-dump -c "$C" --slice -1/3
expect_exit 2 "--timeout 0 refused" ceph-dump -c "$C" --timeout 0
expect_exit 2 "bad -j" ceph-dump -c "$C" -j 0
expect_exit 2 "unknown option" ceph-dump --bogus
expect_exit 3 "unreadable conf exits 3" ceph-dump -c "$T/nonexistent.conf" -p p1
if script -qc true /dev/null >/dev/null 2>&1; then
	script -qc "ceph-dump -c '$C' -p p1" /dev/null >"$T/tty.out" 2>&1
	grep -q 'terminal' "$T/tty.out"
	outcome $? "refuses a terminal" "$(head -c 200 "$T/tty.out")"
fi

# A client whose caps do not allow reading: a clear message, exit 3.
ceph -c "$C" auth get-or-create client.nord mon 'allow r' osd 'allow r pool=p2' >"$T/nord.keyring" 2>/dev/null
expect_exit 3 "cephx refusal exits 3" ceph-dump -c "$C" --id nord --keyring "$T/nord.keyring" -p p1
grep -q 'cephx caps' "$T/last.err"
outcome $? "cephx refusal names the caps" "$(cat "$T/last.err")"

# ---- slices: N = 1, 3, 7 each cover the pools exactly once ----
for N in 1 3 7; do
	: >"$T/sl"
	for ((i = 0; i < N; i++)); do
		ceph-dump -c "$C" -p p1 -p p2 --slice "$i/$N" -q >"$T/slice.$i" || fail "slice $i/$N" "exit $?"
		dumped_list <"$T/slice.$i" >>"$T/sl"
	done
	LC_ALL=C sort "$T/sl" >"$T/sl.sorted"
	same "slices of $N: union is the pool, nothing twice" "$T/want" "$T/sl.sorted"
done
btr-inspect --json <"$T/slice.6" | grep -q . && btr-inspect -l --json <"$T/slice.6" >/dev/null
outcome $? "a slice is a valid stream" ""

# contrib/slice-dump: 3 slices in parallel, restored in parallel into other pools
for p in s1 s2; do
	ceph -c "$C" osd pool create $p 8 >/dev/null 2>&1 && ceph -c "$C" osd pool set $p size 1 --yes-i-really-mean-it >/dev/null 2>&1
done
expect_exit 0 "slice-dump dump 3" "$BTR_TOP/contrib/slice-dump" dump 3 "$T/slices" -c "$C" -p p1 -p p2
ls "$T/slices" >"$T/slices.ls"
printf 'slice.0.btr\nslice.1.btr\nslice.2.btr\n' | same "slice-dump leaves exactly the three slices" - "$T/slices.ls"
cat "$T"/slices/slice.*.btr | dumped_list >"$T/sd.list"
same "slice-dump: the slices together are the pools" "$T/want" "$T/sd.list"
if command -v ceph-load >/dev/null; then
	expect_exit 0 "slice-dump restore" "$BTR_TOP/contrib/slice-dump" restore "$T/slices" -c "$C" -p p1:s1 -p p2:s2
	"$BTR_TOP/tests/tools/rados-describe" "$C" p1 >"$T/d.p1" 2>&1
	"$BTR_TOP/tests/tools/rados-describe" "$C" s1 >"$T/d.s1" 2>&1
	same "slices restored in parallel: identical pool" "$T/d.p1" "$T/d.s1"
fi
expect_exit 2 "slice-dump: bad N" "$BTR_TOP/contrib/slice-dump" dump x "$T/nope"
expect_exit 2 "slice-dump: a missing pool fails the run" "$BTR_TOP/contrib/slice-dump" dump 2 "$T/bad" -c "$C" -p nosuchpool
[ -z "$(ls "$T/bad" | grep -v partial)" ]
outcome $? "slice-dump: failed slices are not renamed" "$(ls "$T/bad")"

# ---- --snapshot: the dump is the pool at the snapshot, and no snapshot is left ----
lssnaps() { rados -c "$C" -p "$1" lssnap | grep -c 'btr-dump-'; }
wait_snap() { # wait_snap POOL: until a btr-dump snapshot exists (10 s at most)
	local i
	for ((i = 0; i < 100; i++)); do [ "$(lssnaps "$1")" -gt 0 ] && return 0; sleep 0.1; done
	return 1
}
# The reader sleeps before draining, so the dump is blocked on its output while we change things.
mkfifo "$T/go"
{ ceph-dump -c "$C" -p p1 --snapshot -j 1 2>"$T/snap.err"; echo $? >"$T/snap.rc"; } | { read -r _ <"$T/go"; cat >"$T/snap"; } &
bg=$!
if wait_snap p1; then
	printf 'changed' | rados -c "$C" -p p1 put staging.big - &&
		rados -c "$C" -p p1 rm meta777 &&
		printf 'new' | rados -c "$C" -p p1 put born.after.snapshot - &&
		rados -c "$C" -p p1 -N journalprovider setxattr jo/a/0000000000000001 range 'changed'
	echo go >"$T/go"
	wait $bg
	[ "$(cat "$T/snap.rc")" = 0 ]
	outcome $? "--snapshot dump exits 0" "$(cat "$T/snap.err")"
	btr-cat p1 "" staging.big <"$T/snap" | cmp -s - "$T/big.rados" && pass "--snapshot: an object overwritten after it is read as it was" ||
		fail "--snapshot: an object overwritten after it is read as it was" "differs"
	btr-inspect -l <"$T/snap" | grep -q '^object p1 - meta777 ' && pass "--snapshot: an object deleted after it is in the dump" ||
		fail "--snapshot: an object deleted after it is in the dump" "missing"
	btr-inspect -l <"$T/snap" | grep -q 'born.after.snapshot' && fail "--snapshot: an object created after it is not in the dump" "present" ||
		pass "--snapshot: an object created after it is not in the dump"
	btr-cat -m p1 journalprovider jo/a/0000000000000001 <"$T/snap" | grep -q '^xattr range 0-100$' &&
		pass "--snapshot: xattrs as they were" || fail "--snapshot: xattrs as they were" "$(btr-cat -m p1 journalprovider jo/a/0000000000000001 <"$T/snap")"
	btr-inspect --json <"$T/snap" >/dev/null
	outcome $? "--snapshot stream verifies" ""
	[ "$(lssnaps p1)" = 0 ] && pass "--snapshot: no snapshot left" || fail "--snapshot: no snapshot left" "$(rados -c "$C" -p p1 lssnap)"
else
	echo go >"$T/go"; wait $bg
	fail "--snapshot creates a snapshot" "none seen: $(cat "$T/snap.err")"
fi

# SIGTERM mid-dump: the snapshot is removed, the dump dies of the signal.
{ ceph-dump -c "$C" -p p1 --snapshot -j 1 2>"$T/term.err" & echo $! >"$T/term.pid"; wait $!; echo $? >"$T/term.rc"; } |
	{ read -r _ <"$T/go"; cat >/dev/null; } &
bg=$!
if wait_snap p1; then
	kill -TERM "$(cat "$T/term.pid")"
	sleep 0.5
	echo go >"$T/go"
	wait $bg
	[ "$(cat "$T/term.rc")" = 143 ]
	outcome $? "SIGTERM: dies of the signal" "status $(cat "$T/term.rc"): $(cat "$T/term.err")"
	[ "$(lssnaps p1)" = 0 ] && pass "SIGTERM: no snapshot left" || fail "SIGTERM: no snapshot left" "$(rados -c "$C" -p p1 lssnap)"
else
	echo go >"$T/go"; wait $bg
	fail "SIGTERM mid-dump" "no snapshot seen"
fi

# Started with SIGHUP and SIGINT ignored (nohup, a background job of a script), it
# keeps them ignored, as any command would: a hangup or an interrupt does not stop it.
{ env --ignore-signal=HUP,INT ceph-dump -c "$C" -p p1 --snapshot -j 1 2>"$T/ign.err" & echo $! >"$T/ign.pid"; wait $!; echo $? >"$T/ign.rc"; } |
	{ read -r _ <"$T/go"; cat >"$T/ign.s"; } &
bg=$!
if wait_snap p1; then
	kill -HUP "$(cat "$T/ign.pid")"
	kill -INT "$(cat "$T/ign.pid")"
	sleep 0.5
	echo go >"$T/go"
	wait $bg
	[ "$(cat "$T/ign.rc")" = 0 ] && btr-inspect -q <"$T/ign.s" && [ "$(lssnaps p1)" = 0 ]
	outcome $? "SIGHUP and SIGINT ignored from the start (nohup): the dump goes on" "status $(cat "$T/ign.rc"): $(cat "$T/ign.err")"
else
	echo go >"$T/go"; wait $bg
	fail "SIGHUP and SIGINT ignored from the start (nohup): the dump goes on" "no snapshot seen"
fi

# A leftover (as after kill -9) is found by name and removed.
rados -c "$C" -p p2 mksnap btr-dump-otherhost-1-1 >/dev/null
rados -c "$C" -p p2 mksnap keep-me >/dev/null
expect_exit 0 "--cleanup-snapshots" ceph-dump -c "$C" -p p2 --cleanup-snapshots
[ "$(lssnaps p2)" = 0 ] && rados -c "$C" -p p2 lssnap | grep -q keep-me && pass "cleanup removes only ours" ||
	fail "cleanup removes only ours" "$(rados -c "$C" -p p2 lssnap)"
grep -q 'removed snapshot btr-dump-otherhost-1-1 of pool p2' "$T/last.err" && pass "cleanup names what it removed" ||
	fail "cleanup names what it removed" "$(cat "$T/last.err")"
rados -c "$C" -p p2 rmsnap keep-me >/dev/null

# A pool with self-managed snapshots (as RBD makes) is refused clearly.
ceph -c "$C" osd pool create selfsnap 8 >/dev/null 2>&1 && ceph -c "$C" osd pool set selfsnap size 1 --yes-i-really-mean-it >/dev/null 2>&1
if ceph -c "$C" osd pool application enable selfsnap rbd >/dev/null 2>&1 && rbd -c "$C" create -p selfsnap --size 1 img >/dev/null 2>&1 &&
	rbd -c "$C" snap create selfsnap/img@s >/dev/null 2>&1; then
	expect_exit 2 "self-managed snapshots refused" ceph-dump -c "$C" -p selfsnap --snapshot
	expect_err "self-managed snapshots message" 'self-managed snapshots'
else
	skip "self-managed snapshots refused" "could not make an rbd snapshot here"
fi

# ---- an object rewritten while it is read: re-read whole, or reported; never torn ----
"$BTR_TOP/contrib/sandbox" pool "$T/src" churn >/dev/null 2>&1 || ceph -c "$C" osd pool create churn 8 >/dev/null 2>&1
head -c 4194304 /dev/zero | tr '\0' A >"$T/A"
head -c 4194304 /dev/zero | tr '\0' B >"$T/B"
rados -c "$C" -p churn put hot "$T/A"
( while :; do rados -c "$C" -p churn put hot "$T/B"; rados -c "$C" -p churn put hot "$T/A"; done ) >/dev/null 2>&1 &
churn=$!
at_exit "kill $churn 2>/dev/null"
sleep 0.5
ceph-dump -c "$C" -p churn -q --chunk 4096 >"$T/churn" 2>"$T/churn.err"
rc=$?
if [ $rc = 0 ]; then
	btr-cat churn "" hot <"$T/churn" | tr -d A | wc -c >"$T/notA"
	btr-cat churn "" hot <"$T/churn" | tr -d B | wc -c >"$T/notB"
	[ "$(cat "$T/notA")" = 0 ] || [ "$(cat "$T/notB")" = 0 ] && pass "changing object: re-read, one version whole" ||
		fail "changing object: re-read, one version whole" "torn: $(cat "$T/notA") non-A and $(cat "$T/notB") non-B bytes"
else
	[ $rc = 1 ] && grep -q 'kept changing while being read (5 attempts).*--snapshot' "$T/churn.err" &&
		pass "changing object: reported after 5 reads" || fail "changing object: reported" "exit $rc: $(cat "$T/churn.err")"
fi
ceph-dump -c "$C" -p churn -q --chunk 4096 --buffer 0 >"$T/churn2" 2>"$T/churn2.err"
rc=$?
[ $rc = 1 ] && grep -q 'changed while being written out.*--snapshot' "$T/churn2.err"
outcome $? "changing streamed object: exit 1, named" "exit $rc: $(cat "$T/churn2.err")"
btr-inspect <"$T/churn2" >/dev/null 2>&1 && fail "changing streamed object: the stream is not complete" "it verifies" ||
	pass "changing streamed object: the stream is not complete"
expect_exit 0 "changing object under --snapshot" ceph-dump -c "$C" -p churn -q --chunk 4096 --buffer 0 --snapshot
kill $churn 2>/dev/null
wait $churn 2>/dev/null

# ---- the reader goes away: exit 3, and no snapshot left behind ----
ceph-dump -c "$C" -p p1 --snapshot -q 2>"$T/pipe.err" | head -c 100 >/dev/null
PS="${PIPESTATUS[0]}"
[ "$PS" = 3 ] && grep -q 'broken pipe' "$T/pipe.err"
outcome $? "closed stdout exits 3" "status $PS: $(cat "$T/pipe.err")"
[ "$(lssnaps p1)" = 0 ] && pass "closed stdout: no snapshot left" || fail "closed stdout: no snapshot left" "$(rados -c "$C" -p p1 lssnap)"

# ---- progress on request ----
ceph-dump -c "$C" -p p2 --progress >/dev/null 2>"$T/prog.err"
grep -q '^ceph-dump: 2 objects, ' "$T/prog.err"
outcome $? "--progress" "$(cat "$T/prog.err")"

# ---- an OSD that dies mid-dump: exit 3 within the timeout, no hang ----
osd=$(awk '$1 == "osd" { print $2 }' "$T/src/pids")
{ timeout 60 ceph-dump -c "$C" -p p1 -j 1 --timeout 5 2>"$T/osd.err"; echo $? >"$T/osd.rc"; } | { read -r _ <"$T/go"; cat >/dev/null; } &
bg=$!
sleep 1
kill -KILL "$osd"
start=$SECONDS
echo go >"$T/go"
wait $bg
took=$((SECONDS - start))
[ "$(cat "$T/osd.rc")" = 3 ]
outcome $? "OSD killed mid-dump: exit 3" "status $(cat "$T/osd.rc"): $(cat "$T/osd.err")"
[ $took -lt 40 ] && pass "OSD killed mid-dump: no hang (${took}s)" || fail "OSD killed mid-dump: no hang" "${took}s"
grep -q 'timed out' "$T/osd.err"
outcome $? "OSD killed: says it timed out" "$(cat "$T/osd.err")"
