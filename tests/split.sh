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
