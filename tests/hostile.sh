# A hostile neighbour (uid nobody) plants symlinks and files where btr-split and
# btr-keygen write (issue 19's reproductions); we run as root, so the kernel would
# let us follow anything: only the tools' own care stops it.
. "$(dirname "$0")/lib.sh"
cd "$T"
if [ "$(id -u)" != 0 ] || ! runuser -u nobody -- true 2>/dev/null; then
	skip "hostile neighbour" "needs root and runuser to act as nobody"
	exit 0
fi
as_nobody() { runuser -u nobody -- "$@"; }
chmod 0711 "$T" # nobody may reach the shared directories below, nothing else
random_file in 300000 19
echo "root's file" >victim
cp victim victim.orig

# midrun DIR PLANT...: btr-split -d DIR -b 100K reads 50 KB, then PLANT runs, then
# the rest arrives; $rc is the split's status, its stderr in err.DIR.
mkfifo in.fifo
midrun() {
	local dir=$1 pid
	shift
	btr-split -q -d "$dir" -b 100K <in.fifo 2>"err.$dir" &
	pid=$!
	exec 7>in.fifo
	head -c 50000 in >&7
	sleep 0.3
	"$@" 2>/dev/null
	(trap '' PIPE; tail -c +50001 in >&7) 2>/dev/null
	exec 7>&-
	wait $pid
	rc=$?
}

# The issue's reproduction: a shared 0777 directory, a symlink planted mid-run.
mkdir -m 0777 d4
midrun d4 as_nobody ln -s "$T/victim" d4/ARCHIVE00001.bin
same "planted symlink: the file it points to is untouched" victim victim.orig
[ $rc = 2 ] && grep -q "d4 is writable by group or others" err.d4 && [ "$(wc -l <err.d4)" = 1 ] &&
	pass "a directory others can write to is refused: exit 2, named" || fail "shared directory refused" "rc=$rc $(cat err.d4)"
cp victim.orig victim

# A piece pre-created 0666 by nobody would keep its owner and mode: nobody reads the backup.
mkdir -m 0777 d5
midrun d5 as_nobody sh -c 'umask 0; : >d5/ARCHIVE00001.bin'
[ $rc = 2 ] && [ ! -s d5/ARCHIVE00001.bin ] && pass "nobody's pre-created piece gets no backup data" ||
	fail "nobody's pre-created piece" "rc=$rc $(ls -l d5)"
mkdir -m 0777 d5b
midrun d5b as_nobody sh -c 'umask 0; ln -s ../victim d5b/.MANIFEST.tmp'
[ $rc = 2 ] && pass "planted .MANIFEST.tmp in a shared directory: refused" || fail "planted .MANIFEST.tmp" "rc=$rc $(cat err.d5b)"
same "planted .MANIFEST.tmp: its target is untouched" victim victim.orig
cp victim.orig victim

# A directory owned by someone else (even with a safe mode), or a symlink to ours.
mkdir -m 0755 theirs
chown nobody theirs
expect_exit 2 "a directory owned by nobody is refused" btr-split -q -d theirs <in
expect_err "the refusal names the owner" "theirs is owned by uid $(id -u nobody), not by us"
mkdir -m 0700 mine
mkdir -m 0777 pub
as_nobody ln -s "$T/mine" pub/d
expect_exit 2 "a symlink planted for the directory is refused" btr-split -q -d pub/d <in
expect_err "the refusal says symlink" "pub/d is a symbolic link"
[ -z "$(ls mine)" ] && pass "nothing written through the directory symlink" || fail "directory symlink followed" "$(ls mine)"
chmod 0775 mine
expect_exit 2 "a group-writable directory of ours is refused" btr-split -q -d mine <in
expect_err "the refusal gives the mode" "mine is writable by group or others \(mode 0775\)"
chmod 0700 mine

# Our own directory: a name that appears mid-run (a race with another writer of
# ours) is never followed or reused.
midrun d6 ln -s "$T/victim" d6/ARCHIVE00001.bin
same "a symlink appearing in our own directory is not followed" victim victim.orig
[ $rc = 3 ] && grep -q "d6/ARCHIVE00001.bin appeared while splitting" err.d6 && [ ! -e d6/MANIFEST ] &&
	pass "a piece name taken mid-run: exit 3, named, no manifest" || fail "piece name taken mid-run" "rc=$rc $(cat err.d6)"
cp victim.orig victim

# Two splits into one directory: the second fails at once, even with --force.
btr-split -q -d d7 -b 100K <in.fifo 2>err.d7 &
pid=$!
exec 7>in.fifo
head -c 50000 in >&7
sleep 0.3
expect_exit 2 "a second split into a directory in use is refused" timeout 10 btr-split -q --force -d d7 -b 100K <in
expect_err "the refusal says it is in use" "d7 is in use by another btr-split"
(trap '' PIPE; tail -c +50001 in >&7) 2>/dev/null
exec 7>&-
wait $pid
rc=$?
btr-split --join -d d7 >o 2>/dev/null
[ $rc = 0 ] && cmp -s o in && pass "the first split is intact" || fail "the first split is intact" "rc=$rc $(cat err.d7)"

# --join / --check: a piece or manifest that is a symlink is refused, not followed.
btr-split -q -d good -b 100K <in
cp -a good j1
mv j1/ARCHIVE00001.bin piece1
ln -s "$T/piece1" j1/ARCHIVE00001.bin
expect_exit 1 "--check refuses a piece that is a symlink" btr-split --check -d j1
expect_err "the symlinked piece is named" "j1/ARCHIVE00001.bin is a symbolic link"
cp -a good j2
mv j2/MANIFEST manifest2
ln -s "$T/manifest2" j2/MANIFEST
expect_exit 1 "--join refuses a MANIFEST that is a symlink" btr-split --join -d j2

# btr-keygen -f in a shared directory: nobody's symlink for the .pub and 0666 file
# for the secret key are replaced, not followed or reused.
mkdir -m 0777 kd
as_nobody sh -c 'umask 0; : >kd/k; ln -s ../victim kd/k.pub'
expect_exit 0 "keygen -f over planted files" btr-keygen -f -o kd/k
same "keygen -f: the symlink's target is untouched" victim victim.orig
cp victim.orig victim
[ "$(stat -c '%U %a %F' kd/k)" = "root 600 regular file" ] && pass "keygen -f: the secret key is ours, 0600, a new file" ||
	fail "keygen -f: the secret key is ours" "$(stat -c '%U %a %F' kd/k)"
[ "$(stat -c '%U %F' kd/k.pub)" = "root regular file" ] && grep -q '^btr-public-key-1 ' kd/k.pub &&
	pass "keygen -f: the public key replaced the symlink" || fail "keygen -f: public key" "$(ls -l kd)"
[ -z "$(ls -A kd | grep -v '^k$\|^k.pub$')" ] && pass "keygen leaves no temporary files" || fail "keygen temporaries" "$(ls -A kd)"

# Atomic: when the .pub cannot be written, the old pair stays as it was.
btr-keygen -o pair 2>/dev/null
cp pair pair.orig
rm pair.pub
mkdir -p pair.pub/x
expect_exit 3 "keygen -f: a .pub that cannot be replaced fails" btr-keygen -f -o pair
same "keygen -f: the old secret key is intact after the failure" pair pair.orig
btr-keygen -o pair2 2>/dev/null
cp pair2 pair2.orig; cp pair2.pub pair2.pub.orig
(trap '' XFSZ; ulimit -f 0; btr-keygen -f -o pair2 2>err); rc=$?
[ $rc = 3 ] && cmp -s pair2 pair2.orig && cmp -s pair2.pub pair2.pub.orig &&
	pass "keygen -f: a failed write leaves the old pair intact" || fail "keygen -f atomic" "rc=$rc $(cat err)"
[ -z "$(ls -A | grep '^\.pair2')" ] && pass "keygen: a failed write leaves no temporary files" || fail "keygen temporaries after a failure" "$(ls -A)"
