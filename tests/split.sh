# btr-split: pieces and back; every damage caught by --check and --join; faults.
. "$(dirname "$0")/lib.sh"
cd "$T"
S=65536
for n in 0 1 $((S - 1)) $S $((S + 1)) $((5 * S + 7)); do
	random_file in.$n $n $n
	btr-split -q -d d.$n -b 64K <in.$n; btr-split --join -d d.$n >out.$n
	same "split | join, $n bytes" in.$n out.$n
	cat d.$n/ARCHIVE*.bin >cat.$n
	same "cat of the pieces, $n bytes" in.$n cat.$n
done
[ "$(ls d.$S | grep -c ARCHIVE)" = 1 ]
outcome $? "exactly SIZE bytes make one piece" "$(ls d.$S)"
[ "$(stat -c %a d.1)" = 700 ]
outcome $? "directory is created 0700" "$(stat -c %a d.1)"

random_file big 300000000 3
btr-split -q -d dbig -b 64M <big && btr-split --join -d dbig | cmp -s - big
outcome $? "300 MB split | join" ""
rm -f big

btr-split -d msg -b 64K <in.$((5 * S + 7)) 2>err >/dev/null
grep -q '^creating new file ARCHIVE00000.bin$' err && [ "$(grep -c 'creating new file' err)" = 6 ]
outcome $? "one 'creating new file' message per piece" "$(cat err)"

btr-split -q --progress -d prog -b 64K <in.$((5 * S + 7)) 2>err
grep -Eq '^split: 6 pieces, 320\.0 KiB, .*/s$' err
outcome $? "--progress: a final line on stderr" "$(cat err)"
btr-split --check --progress -d prog 2>err
grep -Eq '^check: 6 pieces, 320\.0 KiB' err
outcome $? "--check --progress" "$(cat err)"
expect_exit 2 "a directory with files is refused" btr-split -d msg <in.1
expect_err "refusal names the directory" "msg already holds files"
expect_exit 0 "--force writes into it" btr-split -q --force -d msg -b 64K <in.1
btr-split --join -d msg >o; same "--force leaves a consistent split" o in.1
[ "$(ls msg | grep -c ARCHIVE)" = 1 ]
outcome $? "--force removes the earlier split's pieces" "$(ls msg | tr '\n' ' ')"
echo keep >msg/notes.txt
btr-split -q --force -d msg -b 64K <in.1
[ -f msg/notes.txt ]
outcome $? "--force leaves other files alone" "$(ls msg)"

# The manifest's checksums, as an independent tool computes them.
if command -v xxhsum >/dev/null; then
	(cd d.$((5 * S + 7)) && xxhsum -H2 ARCHIVE*.bin | awk '{print $2, $1}') >sums.xxh
	(cd d.$((5 * S + 7)) && awk '/^ARCHIVE/ {print $1, $3}' MANIFEST) >sums.man
	same "manifest checksums are what xxhsum -H2 prints" sums.xxh sums.man
else
	skip "manifest checksums against xxhsum" "xxhsum not installed (Debian package xxhash)"
fi

# Damage: each must fail --check and --join with exit 1, naming the piece.
D=d.$((5 * S + 7))
damage() { # name, command to damage copy c/
	local name=$1 cmd=$2 want=$3
	rm -rf c; cp -a $D c; (cd c && eval "$cmd")
	expect_exit 1 "$name: --check" btr-split --check -d c
	expect_err "$name: --check names it" "$want"
	expect_exit 1 "$name: --join" btr-split --join -d c
}
damage "missing piece" "rm ARCHIVE00002.bin" "ARCHIVE00002.bin is missing"
damage "extra piece" "cp ARCHIVE00001.bin ARCHIVE00009.bin" "extra piece ARCHIVE00009.bin"
damage "swapped pieces" "mv ARCHIVE00001.bin x; mv ARCHIVE00002.bin ARCHIVE00001.bin; mv x ARCHIVE00002.bin" "ARCHIVE00001.bin does not match"
damage "resized piece" "truncate -s 1000 ARCHIVE00003.bin" "ARCHIVE00003.bin has 1000 bytes"
damage "grown piece" "printf x >> ARCHIVE00005.bin" "ARCHIVE00005.bin has"
damage "altered piece" "printf x | dd of=ARCHIVE00004.bin bs=1 seek=777 conv=notrunc status=none" "ARCHIVE00004.bin does not match"
damage "no manifest (unfinished split)" "rm MANIFEST" "not a finished split"
damage "truncated manifest" "head -n 3 MANIFEST > m; mv m MANIFEST" "incomplete"
damage "altered manifest" "sed -i '2s/ 65536 / 65535 /' MANIFEST" "ARCHIVE00000.bin has 65536 bytes, the manifest says 65535|end line|add up"
damage "dropped manifest line" "sed -i 3d MANIFEST" "out of sequence"
damage "hostile manifest name" "sed -i '2s/ARCHIVE00000.bin/..\/..\/etc\/passwd/' MANIFEST" "malformed"
expect_exit 0 "undamaged copy passes --check" btr-split --check -d $D

# --filter: each piece and the manifest through a command; the pieces land elsewhere.
mkdir up
btr-split -q -d f -b 64K --filter 'cat > "$PWD/up/$FILE"' <in.$((5 * S + 7))
[ "$(ls up | grep -c ARCHIVE)" = 6 ] && [ -f up/MANIFEST ] && [ -z "$(ls f | grep ARCHIVE)" ] && [ -f f/MANIFEST ]
outcome $? "--filter sends every piece and the manifest" "$(ls up f)"
btr-split --join -d f --fetch 'cat "$PWD/up/$FILE"' >o; same "--join --fetch reads pieces back through a command" o in.$((5 * S + 7))
# A filter (an upload command) must not inherit our secrets from the environment.
BTR_PASSPHRASE=hunter2 btr-split -q -d e -b 64K --filter 'env > "$PWD/env.$FILE"; cat >/dev/null' <in.1
[ -s env.ARCHIVE00000.bin ] && ! grep -q hunter2 env.* && grep -q '^FILE=ARCHIVE00000.bin$' env.ARCHIVE00000.bin &&
	pass "the filter gets \$FILE but not BTR_PASSPHRASE" || fail "the filter gets \$FILE but not BTR_PASSPHRASE" "$(grep -h 'FILE\|BTR' env.* 2>&1)"
BTR_PASSPHRASE=hunter2 btr-split --check -d e --fetch 'env > "$PWD/fenv"; cat "$PWD/e/$FILE"' 2>/dev/null
[ -s fenv ] && ! grep -q hunter2 fenv
outcome $? "the fetch command does not get BTR_PASSPHRASE" "$(grep BTR fenv)"
expect_exit 3 "a failing filter stops the split with exit 3" btr-split -q -d g -b 64K --filter 'cat >/dev/null; [ "$FILE" != ARCHIVE00002.bin ]' <in.$((5 * S + 7))
expect_err "the failing filter's piece is named" "ARCHIVE00002.bin"
[ ! -e g/MANIFEST ]
outcome $? "no manifest after a failed filter" ""
expect_exit 3 "a filter failing on the manifest: exit 3" btr-split -q -d g2 -b 64K --filter 'cat >/dev/null; [ "$FILE" != MANIFEST ]' <in.1
expect_err "the manifest is named" "filter for MANIFEST failed"
[ ! -e g2/MANIFEST ]
outcome $? "no local manifest when the remote one failed" ""

# Full disk: exit 3 naming the piece, no manifest.
mkdir small
if mount -t tmpfs -o size=200k tmpfs small 2>/dev/null; then
	at_exit "umount '$T/small'"
	btr-split -q -d small/d -b 64K <in.$((5 * S + 7)) 2>err; rc=$?
	[ $rc = 3 ] && grep -q 'ARCHIVE0000[0-9].bin.*No space left' err && [ ! -e small/d/MANIFEST ] &&
		pass "disk full: exit 3, piece named, no manifest" || fail "disk full" "rc=$rc $(cat err)"
else
	skip "disk full on a small tmpfs" "cannot mount tmpfs (not root?)"
fi
# The same through a file size limit (EFBIG), which needs no privilege.
( trap "" XFSZ; ulimit -f 150; btr-split -q -d fsz -b 256K <in.$((5 * S + 7)) 2>err ); rc=$?
[ $rc = 3 ] && grep -q 'write ARCHIVE00000.bin: File too large' err && [ ! -e fsz/MANIFEST ] &&
	pass "file size limit: exit 3, piece named, no manifest" || fail "file size limit" "rc=$rc $(cat err)"
if false; then
	( trap '' XFSZ; ulimit -f 150; btr-split -q -d small/d -b 64K <in.$((5 * S + 7)) 2>err ); rc=$?
	[ $rc = 3 ] && grep -q 'ARCHIVE0000[0-9].bin' err && [ ! -e small/d/MANIFEST ] &&
		pass "file size limit: exit 3, piece named, no manifest" || fail "file size limit" "rc=$rc $(cat err)"
fi

# A reader that goes away is a non-zero exit.
btr-split --join -d dbig 2>err | head -c 10 >/dev/null
PS=${PIPESTATUS[0]}
[ "$PS" = 3 ] && grep -q 'broken pipe' err
outcome $? "closed stdout on join: exit 3" "status $PS $(cat err)"
btr-split --join -d $D >&- 2>err; rc=$?
[ $rc = 3 ] && grep -q 'stdout' err
outcome $? "closed stdout on join: exit 3" "rc=$rc $(cat err)"
btr-split --join -d $D >/dev/full 2>err; rc=$?
[ $rc = 3 ] && grep -q 'No space left' err
outcome $? "full stdout on join: exit 3" "rc=$rc $(cat err)"
script -qec "btr-split --join -d $D; echo rc=\$?" /dev/null >typed 2>&1
grep -q 'refusing to write binary data to a terminal' typed && grep -q rc=2 typed
outcome $? "join refuses a terminal" "$(cat typed)"
expect_exit 2 "-d is required" btr-split --join
expect_exit 2 "bad size" btr-split -d x -b 12Q

# ---- --filter-timeout, --retries, --limit-rate ----
IN=in.$((5 * S + 7))
# filter_group PID: the process group of PID's filter, once the filter is started
# (by then the watch is set up, so the signal cannot come too early).
filter_group() {
	local i c
	for ((i = 0; i < 300; i++)); do
		c=$(pgrep -P "$1" | head -1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.1
	done
	return 1
}
# group_gone PGID: no live process left in it (a zombie is dead: the init here reaps
# orphans only after a second or so).
group_gone() {
	local i p
	for ((i = 0; i < 50; i++)); do
		p=$(pgrep -d, -g "$1") || return 0
		ps -o stat= -p "$p" | grep -qv '^Z' || return 0
		sleep 0.1
	done
	return 1
}
# A filter that hangs (and never reads) is killed with its whole process group.
mark=hang$$
t0=$(date +%s)
btr-split -q -d hang -b 64K --filter-timeout 2s --filter "echo \$\$ >$T/hang.pg; sleep 1000; : $mark \$FILE" <$IN 2>err; rc=$?
t1=$(date +%s)
[ $rc = 3 ] && [ $((t1 - t0)) -lt 10 ] && pass "a hanging filter with --filter-timeout 2s: exit 3 in $((t1 - t0)) s" ||
	fail "a hanging filter with --filter-timeout 2s: exit 3 in under 10 s" "rc=$rc after $((t1 - t0)) s: $(cat err)"
grep -q '^btr-split: the filter for ARCHIVE00000.bin did not finish within 2 s (--filter-timeout): killed it and its process group$' err &&
	[ "$(wc -l <err)" = 1 ] && pass "the timeout is one line naming the piece" || fail "the timeout is one line naming the piece" "$(cat err)"
[ ! -e hang/MANIFEST ] && pass "no manifest after a timeout" || fail "no manifest after a timeout" "$(ls hang)"
# The sleep too, not only the sh that carries the mark: the filter's $$ leads its group.
group_gone "$(cat hang.pg)" && pass "the hung filter's process group is gone" ||
	fail "the hung filter's process group is gone" "$(pgrep -ag "$(cat hang.pg)")"
# Killed while it waits on a watched filter, btr-split takes the filter's group along
# and dies of the signal.  env --default-signal: this suite may itself run as a
# background job, whose SIGINT and SIGQUIT are ignored (and stay so, see below).
for sig in TERM INT HUP QUIT; do
	env --default-signal=$sig btr-split -q -d hangsig$sig -b 64K --filter-timeout 60s --filter "sleep 1000; : $mark" <$IN 2>err &
	pid=$!
	pg=$(filter_group $pid) || { fail "SIG$sig to btr-split kills its filter's group too" "no filter started: $(cat err)"; kill -KILL $pid; continue; }
	kill -$sig $pid
	wait $pid
	rc=$?
	[ $rc = $((128 + $(kill -l $sig))) ] && group_gone $pg && [ ! -e hangsig$sig/MANIFEST ] &&
		pass "SIG$sig to btr-split kills its filter's group too" ||
		fail "SIG$sig to btr-split kills its filter's group too" "rc=$rc: $(pgrep -ag $pg) $(cat err)"
	pkill -KILL -g $pg 2>/dev/null
done
# Started with SIGINT and SIGHUP ignored (a background job of a script, nohup), it
# keeps them ignored, as any command would, and SIGTERM still takes the group along.
# An ignored signal is dropped when sent, so btr-split dies of the TERM sent after
# them, unless it caught one of them.
env --ignore-signal=INT,HUP btr-split -q -d hangign -b 64K --filter-timeout 60s --filter "sleep 1000; : $mark" <$IN 2>err &
pid=$!
if pg=$(filter_group $pid); then
	kill -INT $pid
	kill -HUP $pid
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc = 143 ] && group_gone $pg && pass "SIGINT and SIGHUP ignored from the start stay ignored; SIGTERM kills the group" ||
		fail "SIGINT and SIGHUP ignored from the start stay ignored; SIGTERM kills the group" "rc=$rc: $(pgrep -ag $pg) $(cat err)"
	pkill -KILL -g $pg 2>/dev/null
else
	fail "SIGINT and SIGHUP ignored from the start stay ignored; SIGTERM kills the group" "no filter started: $(cat err)"
	kill -KILL $pid
fi
# A filter that reads everything but then hangs: the same, with the data fitting the pipe.
btr-split -q -d hang2 -b 64K --filter-timeout 500ms --filter "cat >/dev/null; sleep 1000; : $mark" <in.1 2>err; rc=$?
[ $rc = 3 ] && grep -q 'within 500 ms' err && [ ! -e hang2/MANIFEST ] && pass "a filter hanging after reading: killed, exit 3" ||
	fail "a filter hanging after reading: killed, exit 3" "rc=$rc $(cat err)"
# A slow but working filter is within its time: the timeout counts per piece.
mkdir upslow
btr-split -q -d slow -b 64K --filter-timeout 2s --filter 'sleep 0.5; cat > "$PWD/upslow/$FILE"' <$IN; rc=$?
[ $rc = 0 ] && [ -f upslow/MANIFEST ] && pass "six pieces of 0.5 s each within a 2 s timeout" || fail "six pieces of 0.5 s each within a 2 s timeout" "rc=$rc"
expect_exit 2 "--filter-timeout 0 is a usage error" btr-split -d x --filter cat --filter-timeout 0
expect_exit 2 "--filter-timeout without --filter is a usage error" btr-split -d x --filter-timeout 5s
expect_exit 2 "--retries without --filter is a usage error" btr-split -d x --retries 3
expect_exit 2 "--retries -1 is a usage error" btr-split -d x --filter cat --retries -1

# A filter that fails twice, then succeeds: --retries 3 gets everything there.
mkdir upr
cat >flaky <<'EOS'
n=$(cat "$PWD/tries" 2>/dev/null || echo 0); echo $((n + 1)) >"$PWD/tries"
[ "$n" -ge 2 ] || { head -c 100 >/dev/null; exit 1; }
cat >"$PWD/upr/$FILE"
EOS
btr-split -d r -b 128K --retries 3 --filter 'sh "$PWD/flaky"' <$IN 2>err; rc=$?
[ $rc = 0 ] && pass "--retries 3 with a filter failing twice: exit 0" || fail "--retries 3 with a filter failing twice: exit 0" "rc=$rc $(tail -3 err)"
[ "$(cat tries)" = 6 ] && pass "three pieces and the manifest in six runs of the filter" ||
	fail "three pieces and the manifest in six runs of the filter" "$(cat tries) runs"
grep -q '^btr-split: the filter for ARCHIVE00000.bin failed (exit status 1); retry 2 of 3 in 2 s$' err && pass "each retry is announced" ||
	fail "each retry is announced" "$(cat err)"
[ -z "$(ls r | grep ARCHIVE)" ] && [ -f r/MANIFEST ] && pass "sent pieces are removed from DIR" || fail "sent pieces are removed from DIR" "$(ls r)"
btr-split --check -d r --fetch 'cat "$PWD/upr/$FILE"' && btr-split --join -d upr >o && cmp -s o $IN &&
	pass "the retried upload checks and joins to the input" || fail "the retried upload checks and joins to the input" ""
# --keep keeps them; a filter that always fails fails the split after 1 + N attempts.
btr-split -q -d rk -b 128K --retries 1 --keep --filter 'cat >/dev/null' <$IN &&
	[ "$(ls rk | grep -c ARCHIVE)" = 3 ] && btr-split --check -d rk && pass "--retries --keep keeps checkable pieces" ||
	fail "--retries --keep keeps checkable pieces" "$(ls rk)"
btr-split -q -d rf -b 128K --retries 2 --filter 'cat >/dev/null; exit 4' <$IN 2>err; rc=$?
[ $rc = 3 ] && grep -q '^btr-split: the filter for ARCHIVE00000.bin failed (exit status 4) (gave up after 3 attempts)$' err &&
	[ ! -e rf/MANIFEST ] && pass "a piece failing every retry: exit 3, no manifest" ||
	fail "a piece failing every retry: exit 3, no manifest" "rc=$rc $(cat err)"
# Retries and a timeout together: each attempt has its own time.
btr-split -q -d rt -b 1M --retries 1 --filter-timeout 300ms --filter "sleep 1000; : $mark" <in.1 2>err; rc=$?
[ $rc = 3 ] && grep -q 'did not finish within 300 ms.*gave up after 2 attempts' err && pass "a hanging filter times out on every retry" ||
	fail "a hanging filter times out on every retry" "rc=$rc $(cat err)"

# --limit-rate: 1 MiB at 512K/s takes about 2 s, to the pieces or to the filter.
random_file in.1m $((1 << 20)) 7
t0=$(date +%s.%N)
btr-split -q -d lim -b 256K --limit-rate 512K <in.1m; rc=$?
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
[ $rc = 0 ] && awk -v s="$secs" 'BEGIN { exit !(s >= 1.8 && s <= 2.4) }' && pass "--limit-rate 512K: 1 MiB in $secs s" ||
	fail "--limit-rate 512K: 1 MiB in about 2 s" "rc=$rc, $secs s"
t0=$(date +%s.%N)
btr-split -q -d limf -b 256K --limit-rate 1M --retries 0 --filter 'cat >/dev/null' <in.1m; rc=$?
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
[ $rc = 0 ] && awk -v s="$secs" 'BEGIN { exit !(s >= 0.9 && s <= 1.4) }' && pass "--limit-rate 1M to a spooled filter: 1 MiB in $secs s" ||
	fail "--limit-rate 1M to a spooled filter: 1 MiB in about 1 s" "rc=$rc, $secs s"
# Issue 19's smaller holes.
# A directory path near PATH_MAX: piece paths past it were cut to one file "ARCHIVE000".
long=$T/$(printf 'x%.0s' {1..200})
while [ ${#long} -lt 3900 ]; do long=$long/$(printf 'y%.0s' {1..200}); done
mkdir -p "$long"
long=$long/$(printf 'z%.0s' $(seq $((4080 - ${#long}))))
btr-split -q -d "$long" -b 64K <in.$((5 * S + 7)) 2>err; rc=$?
[ $rc = 0 ] && [ "$(ls "$long" | grep -c '^ARCHIVE0000[0-5]\.bin$')" = 6 ] && btr-split --join -d "$long" 2>/dev/null | cmp -s - in.$((5 * S + 7)) &&
	pass "a directory of 4080 bytes: every piece under its own name, joined back" || fail "directory near PATH_MAX" "rc=$rc $(ls "$long" | head -3) $(head -c 200 err)"
# fd 2 closed: a piece must never become fd 2 (--progress would write into it).
mkfifo slowfifo
btr-split --progress -d nostderr -b 1M <slowfifo 2>&- &
pid=$!
exec 7>slowfifo
head -c 1000 in.$((5 * S + 7)) >&7
sleep 0.3
fd2=$(readlink /proc/$pid/fd/2)
exec 7>&-
wait $pid
[ "$fd2" = /dev/null ] && pass "stderr closed: fd 2 is /dev/null, never a piece" || fail "stderr closed" "fd 2 is $fd2"
# Control bytes from names reach the terminal escaped.
cp -a $D esc
: >esc/$'ARCHIVE\e]0;owned\a.bin'
btr-split --check -d esc 2>err
! grep -q $'\e' err && grep -q 'extra piece ARCHIVE\\x1b' err && pass "a control byte in a piece name is escaped in the message" ||
	fail "control bytes escaped" "$(cat -v err)"
# A fifo named MANIFEST must not hang --check, a huge sparse one costs no memory.
cp -a $D ff; rm ff/MANIFEST; mkfifo ff/MANIFEST
expect_exit 1 "a fifo for MANIFEST is refused, not waited on" timeout 10 btr-split --check -d ff
expect_err "the fifo is named" "ff/MANIFEST is not a regular file"
cp -a $D sparse; truncate -s 900M sparse/MANIFEST
/usr/bin/time -f %M -o mem btr-split --check -d sparse 2>err; rc=$?
[ $rc = 1 ] && grep -q 'MANIFEST has 943718400 bytes, more than' err && [ "$(tail -1 mem)" -lt 50000 ] &&
	pass "a 900 MB sparse manifest: refused by size, $(tail -1 mem) KB" || fail "sparse manifest" "rc=$rc $(tail -1 mem) KB $(cat err)"
cp -a $D sparse2; truncate -s 600M sparse2/MANIFEST
/usr/bin/time -f %M -o mem btr-split --check -d sparse2 2>err; rc=$?
[ $rc = 1 ] && grep -q 'sparse2/MANIFEST: manifest line 9 is too long' err && [ "$(tail -1 mem)" -lt 50000 ] &&
	pass "a manifest padded to 600 MB: refused at its first bad line, $(tail -1 mem) KB" || fail "sparse manifest under the cap" "rc=$rc $(tail -1 mem) KB $(cat err)"
# A --filter that never mentions FILE sends every piece to one place: warn.
btr-split -q -d nofile -b 64K --filter 'cat >/dev/null' <in.1 2>err; rc=$?
[ $rc = 0 ] && grep -q "warning: the --filter command never mentions FILE" err && pass "--filter without FILE: a warning" || fail "--filter without FILE" "rc=$rc $(cat err)"
btr-split -q -d withfile -b 64K --filter 'cat >"$PWD/up2.$FILE"' <in.1 2>err
[ ! -s err ] && pass "--filter with \$FILE: no warning" || fail "--filter with \$FILE: no warning" "$(cat err)"
