# legacy-dump: the original tool's backups (../shared/legacy) restore into renamed
# pools and a fresh etcd exactly as NAME.contents lists them, read back by clients
# independent of ours; every kind of damage made from a copy of a fixture exits 1
# with one line naming the piece and the frame, before any output where it can.
. "$(dirname "$0")/lib.sh"

if ! L=$("$BTR_TOP/tests/tools/legacy-fixtures"); then skip "legacy fixtures" "no ../shared/legacy (set BTR_LEGACY)"; exit 0; fi
# The fixtures' passphrase files are readable by all (shared/ is read-only): private copies.
{ P=$T/legacy-pass; mkdir -p "$P" && for f in basic pieces; do install -m 0600 "$L/$f.passphrase" "$P/"; done; }
W=$BTR_TOP/tests/tools/legacy-write
C=$BTR_TOP/tests/tools/legacy-contents

# frame FILE N: "OFFSET LENGTH" of the Nth frame (header included).
frame() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read(); o = 0
for i in range(int(sys.argv[2])):
    s = o; o += 32 + struct.unpack(">Q", d[o + 8:o + 16])[0]
print(s, o - s)
PY
}
# cut FILE OFF LEN: removes LEN bytes at OFF.
cut_bytes() { { head -c "$2" "$1"; tail -c +$(($2 + $3 + 1)) "$1"; } >"$1.new" && mv "$1.new" "$1"; }
# poke FILE OFF HEXBYTES: overwrites bytes at OFF.
poke() { printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
# damaged NAME: a fresh writable copy of the pieces fixture in $T/NAME.
damaged() { rm -rf "$T/$1"; cp -r "$L/pieces" "$T/$1"; chmod -R u+w "$T/$1"; D=$T/$1; }
dump() { legacy-dump --passphrase-file "$P/pieces.passphrase" "$@"; }
# empty NAME: the last command wrote nothing on stdout.
empty() { [ ! -s "$T/last.out" ] && pass "$1" || fail "$1" "$(wc -c <"$T/last.out") bytes written"; }

# ---- usage
expect_exit 2 "no -d exits 2" legacy-dump --passphrase-file "$P/basic.passphrase"
grep -q '^legacy-dump: no backup directory' "$T/last.err" && pass "no -d message" || fail "no -d message" "$(head -1 "$T/last.err")"
expect_exit 2 "a missing directory exits 2" dump -d "$T/nope"
expect_err "missing directory message" "nope: no such backup directory"
expect_exit 2 "no passphrase source exits 2" setsid -w legacy-dump -d "$L/basic"
empty "no passphrase writes nothing"
mkdir "$T/notold"
expect_exit 1 "a directory without METADATA.bin exits 1" dump -d "$T/notold"
expect_err "no METADATA.bin message" "notold/METADATA.bin is missing"

# ---- the fixtures, through our loaders, compared with what NAME.contents lists
sandbox_up s
sandbox_up e2 --no-ceph
"$BTR_TOP/contrib/sandbox" pool "$T/s" basic_hot basic_cold basic_journal pieces_hot pieces_cold pieces_journal >/dev/null
for fx in basic pieces; do
	etcd=$s_etcd
	[ $fx = pieces ] && etcd=$e2_etcd
	check "$fx: legacy-dump exits 0" sh -c 'legacy-dump -d "$1" --passphrase-file "$2" >"$3"' _ \
		"$L/$fx" "$P/$fx.passphrase" "$T/$fx.btr"
	check "$fx: the stream verifies" btr-inspect -q <"$T/$fx.btr"
	check "$fx: ceph-load restores into renamed pools" ceph-load -q -c "$s_conf" -p "btrdbhot:${fx}_hot" \
		-p "btrdbcold:${fx}_cold" -p "btrdbjournal:${fx}_journal" <"$T/$fx.btr"
	check "$fx: etcd-load restores into a fresh etcd" etcd-load -q --endpoints "$etcd" <"$T/$fx.btr"
	"$C" "$s_conf" "$etcd" "${fx}_hot:btrdbhot" "${fx}_cold:btrdbcold" "${fx}_journal:btrdbjournal" >"$T/$fx.got"
	LC_ALL=C sort "$L/$fx.contents" >"$T/$fx.want"
	same "$fx: rados and etcdctl find exactly $fx.contents" "$T/$fx.want" "$T/$fx.got"
done
# The other passphrase sources, and btr-filter on the stream.
BTR_PASSPHRASE=$(head -1 "$P/basic.passphrase") legacy-dump -q -d "$L/basic" | cmp -s - "$T/basic.btr" &&
	pass "BTR_PASSPHRASE gives the same stream" || fail "BTR_PASSPHRASE gives the same stream" "differs"
legacy-dump -q -d "$L/basic" --passphrase-fd 5 5<"$P/basic.passphrase" | cmp -s - "$T/basic.btr" &&
	pass "--passphrase-fd gives the same stream" || fail "--passphrase-fd gives the same stream" "differs"
n=$(btr-filter -q -p btrdbhot <"$T/basic.btr" | btr-inspect -q -l | grep -c '^object btrdbhot ')
want=$(awk -F'\t' '$1 == "obj" && $2 == "btrdbhot"' "$L/basic.contents" | wc -l)
[ "$n" = "$want" ] && pass "btr-filter keeps the $want objects of one pool" || fail "btr-filter on legacy-dump's stream" "$n objects, wanted $want"
n=$(awk -F'\t' '$1 == "obj" && $5 == 0 && $7 == 0 && $8 == 0' "$T/basic.got" | wc -l)
[ "$n" -gt 0 ] && pass "empty objects without xattrs or omap are restored ($n)" || fail "empty objects restored" "none found"

# ---- memory: a few times the largest frame, however many frames there are
rss() { /usr/bin/time -f %M -o "$T/rss" "$@" >/dev/null 2>&1; tail -1 "$T/rss"; }
bash -c 'ulimit -v 300000; legacy-dump --version' >/dev/null 2>&1 && plain_build=1 || plain_build=0
one=$(rss legacy-dump -q -d "$L/basic" --passphrase-file "$P/basic.passphrase")
set -- ; for i in $(seq 20); do set -- "$@" -d "$L/basic"; done
many=$(rss legacy-dump -q "$@" --passphrase-file "$P/basic.passphrase")
set --
printf 'big pass\n' >"$T/big.pass"; chmod 600 "$T/big.pass"
/usr/bin/python3 -c 'import json; print(json.dumps({"objects": [{"Pool": "btrdbcold", "Name": "big", "Content": "x" * (40 << 20)}]}))' |
	"$W" backup "$T/big.pass" "$T/big" 3333333333333333
big=$(rss legacy-dump -q -d "$T/big" --passphrase-file "$T/big.pass")
legacy-dump -q -d "$T/big" --passphrase-file "$T/big.pass" | btr-inspect -l 2>/dev/null | grep -q '^object btrdbcold - big 41943040 ' &&
	pass "a 40 MiB object (a 40 MiB frame) comes through whole" || fail "a 40 MiB object comes through" "not listed"
if [ $plain_build = 1 ]; then
	[ $((many - one)) -lt 4096 ] && pass "20 passes over basic need no more memory than one ($one KB, $many KB)" ||
		fail "memory does not grow with the frames" "$one KB for one pass, $many KB for 20"
	[ "$big" -lt $((5 * 40 * 1024 + one)) ] && pass "a 40 MiB frame needs less than five times its size ($big KB)" ||
		fail "memory bounded by the largest frame" "$big KB for a 40 MiB frame"
else
	skip "memory bounds" "a sanitizer build"
fi

# ---- a full backup and its incremental, in that order (written by an independent encoder)
printf 'inc pass\n' >"$T/inc.pass"; chmod 600 "$T/inc.pass"
"$W" backup "$T/inc.pass" "$T/full" 1111111111111111 <<'JS'
{"objects": [{"Pool": "btrdbhot", "Name": "a", "Content": "old a"}, {"Pool": "btrdbhot", "Name": "b", "Content": "b", "XATTRData": {"version": "1"}}], "kvs": {"inc/k1": "v1"}}
JS
"$W" backup "$T/inc.pass" "$T/incr" 2222222222222222 <<'JS'
{"objects": [{"Pool": "btrdbhot", "Name": "a", "Content": "new a", "OMAPData": {"k": "v"}}, {"Pool": "btrdbhot", "Namespace": "ns", "Name": "c", "Content": ""}], "kvs": {"inc/k2": "v2"}}
JS
"$BTR_TOP/contrib/sandbox" pool "$T/s" inc_hot >/dev/null
legacy-dump -q -d "$T/full" -d "$T/incr" --passphrase-file "$T/inc.pass" | ceph-load -q -c "$s_conf" -p btrdbhot:inc_hot
PS="${PIPESTATUS[*]}"; pipe_status "full then incremental restore" "0 0"
"$C" "$s_conf" "" inc_hot:btrdbhot >"$T/inc.got"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
printf 'obj\tbtrdbhot\t""\t"a"\t5\t%s\t0\t1\nobj\tbtrdbhot\t""\t"b"\t1\t%s\t1\t0\nobj\tbtrdbhot\t"ns"\t"c"\t0\t%s\t0\t0\n' \
	"$(sha 'new a')" "$(sha b)" "$(sha '')" >"$T/inc.want"
same "the incremental's objects win over the full backup's" "$T/inc.want" "$T/inc.got"

# ---- damage, each from a copy of the pieces fixture
expect_exit 1 "wrong passphrase exits 1" legacy-dump -d "$L/pieces" --passphrase-file "$P/basic.passphrase"
expect_err "wrong passphrase message" "pieces/METADATA.bin: frame 1 \(counter 33\): authentication failed"
empty "wrong passphrase writes 0 bytes"

damaged missing; rm "$D/ARCHIVE00001.bin"
expect_exit 1 "a missing piece exits 1" dump -d "$D"
expect_err "missing piece message" "missing/ARCHIVE00001.bin is missing \(METADATA.bin counts 3 pieces\)"
empty "a missing piece writes nothing"

damaged extra; cp "$D/ARCHIVE00002.bin" "$D/ARCHIVE00003.bin"
expect_exit 1 "an extra piece exits 1" dump -d "$D"
expect_err "extra piece message" "extra/ARCHIVE00003.bin: an extra piece \(METADATA.bin counts 3\)"
empty "an extra piece writes nothing"

damaged dropped; read -r off len < <(frame "$D/ARCHIVE00000.bin" 2); cut_bytes "$D/ARCHIVE00000.bin" "$off" "$len"
expect_exit 1 "a dropped frame exits 1" dump -d "$D"
expect_err "dropped frame message" "ARCHIVE00000.bin: frame 2 \(counter 3\): counter 3, wanted 2 \(a dropped or reordered frame\)"

damaged repeated; read -r off len < <(frame "$D/ARCHIVE00001.bin" 1)
{ head -c $((off + len)) "$L/pieces/ARCHIVE00001.bin"; tail -c +1 "$L/pieces/ARCHIVE00001.bin"; } >"$D/ARCHIVE00001.bin"
expect_exit 1 "a repeated frame exits 1" dump -d "$D"
expect_err "repeated frame message" "ARCHIVE00001.bin: frame 2 \(counter 14\): counter 14 again or too early, wanted 15 \(a repeated or reordered frame\)"
[ -s "$T/last.out" ] && btr-inspect -q <"$T/last.out" 2>"$T/inspect.err"
[ $? = 1 ] && grep -q 'truncat\|ends\|trailer' "$T/inspect.err" && pass "a frame failing midway leaves a stream without its trailer" ||
	fail "midway failure leaves no trailer" "$(head -c 300 "$T/inspect.err")"

damaged reordered; read -r o1 l1 < <(frame "$D/ARCHIVE00002.bin" 1); read -r o2 l2 < <(frame "$D/ARCHIVE00002.bin" 2)
{ tail -c +$((o2 + 1)) "$L/pieces/ARCHIVE00002.bin" | head -c "$l2"; head -c "$l1" "$L/pieces/ARCHIVE00002.bin"; tail -c +$((o2 + l2 + 1)) "$L/pieces/ARCHIVE00002.bin"; } >"$D/ARCHIVE00002.bin"
expect_exit 1 "reordered frames exit 1" dump -d "$D"
expect_err "reordered frames message" "ARCHIVE00002.bin: frame 1 \(counter 27\): counter 27, wanted 26"

# A frame of another backup (same passphrase, other nonce prefix) in place of one of ours.
damaged foreign; read -r off len < <(frame "$D/ARCHIVE00000.bin" 1)
printf 'x' | "$W" frame "$P/pieces.passphrase" 99999999999999990000000000000001 20 >"$T/foreign.frame"
{ cat "$T/foreign.frame"; tail -c +$((len + 1)) "$L/pieces/ARCHIVE00000.bin"; } >"$D/ARCHIVE00000.bin"
expect_exit 1 "a foreign frame exits 1" dump -d "$D"
expect_err "foreign frame message" "ARCHIVE00000.bin: frame 1 \(counter 1\): a foreign frame"

damaged cut; read -r off len < <(frame "$D/ARCHIVE00002.bin" 7); truncate -s "$off" "$D/ARCHIVE00002.bin"
expect_exit 1 "a backup cut at a frame boundary exits 1" dump -d "$D"
expect_err "cut message" "ARCHIVE00002.bin: frame 6 \(counter 31\) is the last, but METADATA.bin's counter is 33"

damaged tag; read -r off len < <(frame "$D/ARCHIVE00001.bin" 3); poke "$D/ARCHIVE00001.bin" $((off + 1000)) ff
expect_exit 1 "damaged bytes (GCM tag) exit 1" dump -d "$D"
expect_err "damaged bytes message" "ARCHIVE00001.bin: frame 3 \(counter 16\): authentication failed"
btr-inspect -q <"$T/last.out" 2>/dev/null
[ $? = 1 ] && pass "what came before the damaged frame has no trailer" || fail "damaged frame: no trailer" "btr-inspect accepted it"

# Lengths are refused before any allocation: under a 300 MB address-space limit a
# claim of 1 GiB past the end still gets its own message, not "out of memory".
damaged huge; read -r off len < <(frame "$D/ARCHIVE00001.bin" 2); poke "$D/ARCHIVE00001.bin" $((off + 8)) 0000000040000001
expect_exit 1 "a frame over 1 GiB exits 1" dump -d "$D"
expect_err "over 1 GiB message" "ARCHIVE00001.bin: frame 2: declared length 1073741825 is over the 1 GiB limit"
damaged past; poke "$D/ARCHIVE00000.bin" 8 000000003ff00000
# (A sanitizer build cannot start under the limit: it is then left out.)
limit='ulimit -v 300000;'
bash -c "$limit legacy-dump --version" >/dev/null 2>&1 || { limit=''; skip "the 300 MB limit" "legacy-dump cannot start under it (a sanitizer build?)"; }
expect_exit 1 "a frame past the end exits 1" bash -c "$limit"' legacy-dump --passphrase-file "$1" -d "$2"' _ "$P/pieces.passphrase" "$D"
expect_err "past the end message" "ARCHIVE00000.bin: frame 1: declared length 1072693248 runs past the end of the file"
empty "a length past the end writes nothing"

damaged type; read -r off len < <(frame "$D/ARCHIVE00002.bin" 3); poke "$D/ARCHIVE00002.bin" $((off + 4)) 00000063
expect_exit 1 "an unknown frame type exits 1" dump -d "$D"
expect_err "unknown type message" "ARCHIVE00002.bin: frame 3 \(counter 28\): unknown frame type 99"

# Bad MessagePack in a frame that authenticates: an array that claims more entries
# than the payload holds, and a payload that is not a map.
for bad in 'dd7fffffff' '93010203'; do
	damaged msgpack; read -r off len < <(frame "$D/ARCHIVE00002.bin" 6)
	nonce=$(tail -c +$((off + 17)) "$D/ARCHIVE00002.bin" | head -c 16 | od -An -tx1 | tr -d ' \n')
	printf "$(echo "$bad" | sed 's/../\\x&/g')" | "$W" frame "$P/pieces.passphrase" "$nonce" 10 >"$T/badmp"
	{ head -c "$off" "$L/pieces/ARCHIVE00002.bin"; cat "$T/badmp"; tail -c +$((off + len + 1)) "$L/pieces/ARCHIVE00002.bin"; } >"$D/ARCHIVE00002.bin"
	expect_exit 1 "bad MessagePack ($bad) exits 1" dump -d "$D"
	expect_err "bad MessagePack ($bad) message" "ARCHIVE00002.bin: frame 6 \(counter 31\): bad MessagePack"
done

# ---- btrdb-backup: inspect, restore and convert recognise an old backup
export TMPDIR=$T
expect_exit 0 "btrdb-backup inspect of an old backup exits 0" btrdb-backup inspect --outputdir "$L/pieces" \
	--passphrase-file "$P/pieces.passphrase"
grep -q '^archive contains 30 ceph objects and 120 etcd records$' "$T/last.out" &&
	grep -q '^the following 3 pools are referenced:$' "$T/last.out" && grep -q '^ - btrdbhot' "$T/last.out" &&
	pass "inspect prints the original tool's lines" || fail "inspect prints the original tool's lines" "$(head -3 "$T/last.out")"
expect_exit 1 "inspect with a wrong passphrase exits 1" btrdb-backup inspect --outputdir "$L/pieces" \
	--passphrase-file "$P/basic.passphrase"
expect_exit 2 "--identity with an old backup exits 2" btrdb-backup inspect --outputdir "$L/pieces" --identity "$T/none"

sandbox_up e3 --no-ceph
"$BTR_TOP/contrib/sandbox" pool "$T/s" fe_hot fe_cold fe_journal cv_hot cv_cold cv_journal >/dev/null
expect_exit 0 "btrdb-backup restore of an old backup exits 0" btrdb-backup restore --outputdir "$L/pieces" \
	--passphrase-file "$P/pieces.passphrase" --cephconf "$s_conf" --etcd "$e3_etcd" \
	--restore-pool btrdbhot:fe_hot --restore-pool btrdbcold:fe_cold --restore-pool btrdbjournal:fe_journal
grep -q '^archive contains 30 ceph objects and 120 etcd records$' "$T/last.err" &&
	grep -q '^ - btrdbjournal$' "$T/last.err" &&
	grep -q '^Restore complete: restored 30 ceph objects, skipped 0 ceph objects and restored 120 etcd records$' "$T/last.err" &&
	pass "restore prints the original tool's lines" || fail "restore prints the original tool's lines" "$(tr '\n' '|' <"$T/last.err")"
"$C" "$s_conf" "$e3_etcd" fe_hot:btrdbhot fe_cold:btrdbcold fe_journal:btrdbjournal >"$T/fe.got"
same "btrdb-backup restore: rados and etcdctl find exactly pieces.contents" "$T/pieces.want" "$T/fe.got"
# A frame damaged midway: the loaders see a stream without its trailer; the command fails with 1.
expect_exit 1 "restore of a damaged old backup exits 1" btrdb-backup restore --outputdir "$T/tag" \
	--passphrase-file "$P/pieces.passphrase" --cephconf "$s_conf" --skip-etcd --restore-pool btrdbhot:fe_hot
grep -q 'ARCHIVE00001.bin: frame 3 (counter 16): authentication failed' "$T/last.err" &&
	tail -1 "$T/last.err" | grep -q 'did not complete (legacy-dump exited 1' &&
	pass "restore names the damaged frame and the stage" || fail "restore of a damaged old backup" "$(tr '\n' '|' <"$T/last.err")"

printf 'the new passphrase\n' >"$T/new.pass"; chmod 600 "$T/new.pass"
expect_exit 1 "convert with a wrong old passphrase exits 1" btrdb-backup convert --outputdir "$L/pieces" \
	--old-passphrase-file "$P/basic.passphrase" --to "$T/conv" --passphrase-file "$T/new.pass" --kdf interactive
[ ! -e "$T/conv" ] && [ ! -e "$T/conv.partial" ] && pass "a failed convert leaves nothing" || fail "a failed convert leaves nothing" "$(ls -d "$T"/conv*)"
expect_exit 2 "convert without --to exits 2" btrdb-backup convert --outputdir "$L/pieces"
expect_exit 2 "convert of one of our backups exits 2" btrdb-backup convert --outputdir "$T/notold" --to "$T/x"
expect_exit 0 "convert exits 0" btrdb-backup convert --outputdir "$L/pieces" --old-passphrase-file "$P/pieces.passphrase" \
	--to "$T/conv" --passphrase-file "$T/new.pass" --kdf interactive
grep -q '^conversion complete and checked: .*conv (150 entries)$' "$T/last.err" && pass "convert says it checked the result" ||
	fail "convert says it checked the result" "$(tail -2 "$T/last.err")"
[ -f "$T/conv/MANIFEST" ] && [ ! -e "$T/conv/METADATA.bin" ] && pass "the converted backup is one of ours" || fail "converted backup" "$(ls "$T/conv")"
sandbox_up e4 --no-ceph
expect_exit 0 "the converted backup restores" btrdb-backup restore --outputdir "$T/conv" --passphrase-file "$T/new.pass" \
	--cephconf "$s_conf" --etcd "$e4_etcd" \
	--restore-pool btrdbhot:cv_hot --restore-pool btrdbcold:cv_cold --restore-pool btrdbjournal:cv_journal
"$C" "$s_conf" "$e4_etcd" cv_hot:btrdbhot cv_cold:btrdbcold cv_journal:btrdbjournal >"$T/cv.got"
same "the converted backup restores identically to the old one" "$T/fe.got" "$T/cv.got"
expect_exit 2 "convert onto an existing directory exits 2" btrdb-backup convert --outputdir "$L/pieces" \
	--old-passphrase-file "$P/pieces.passphrase" --to "$T/conv" --passphrase-file "$T/new.pass"
# Sealed to a recipient: with --identity the contents are checked too.
btr-keygen -o "$T/k" >/dev/null 2>&1
if [ -f "$T/k.pub" ]; then
	expect_exit 0 "convert to a recipient exits 0" btrdb-backup convert --outputdir "$L/pieces" \
		--old-passphrase-file "$P/pieces.passphrase" --to "$T/convr" --recipient "$T/k.pub" --identity "$T/k"
	grep -q 'conversion complete and checked' "$T/last.err" && pass "convert to a recipient checks with --identity" ||
		fail "convert to a recipient checks with --identity" "$(tail -2 "$T/last.err")"
else
	fail "btr-keygen makes a key pair" "no $T/k.pub"
fi

# Both passphrases typed at a terminal (tmux): the old once, the new twice; neither
# ever in a process's argv.
if command -v tmux >/dev/null; then
	OLD=$(head -1 "$P/pieces.passphrase") NEW='typed new Pass 42'
	tmux_up lg "env -u BTR_PASSPHRASE PATH='$PATH' TMPDIR='$T' sh" 2>"$T/tmux.err" || fail "tmux starts" "$(cat "$T/tmux.err")"
	{ while [ ! -e "$T/spy.stop" ]; do ps -eo args= >>"$T/spy"; sleep 0.05; done; } &
	spid=$!
	type_line "btrdb-backup convert --outputdir $L/pieces --to $T/convt --kdf interactive; echo EXIT=\$?"
	wait_for 'please enter the passphrase of the old backup: ' && type_line "$OLD"
	wait_for 'please enter the encryption passphrase: ' && type_line "$NEW"
	wait_for 'same again: ' && type_line "$NEW"
	wait_for '^EXIT=[0-9]+' 120
	touch "$T/spy.stop"; wait "$spid"
	screen >"$T/screen.convert"
	grep -q '^EXIT=0' "$T/screen.convert" && grep -q 'conversion complete and checked' "$T/screen.convert" &&
		pass "convert with both passphrases typed" || fail "convert with both passphrases typed" "$(tail -5 "$T/screen.convert")"
	! grep -qF -e "$OLD" -e "$NEW" "$T/spy" "$T/screen.convert" && pass "typed passphrases are in no argv and not echoed" ||
		fail "typed passphrases are in no argv and not echoed" "$(grep -F -e "$OLD" -e "$NEW" "$T/spy" "$T/screen.convert" | head -2)"
	printf '%s\n' "$NEW" >"$T/typed.pass"; chmod 600 "$T/typed.pass"
	check "the typed new passphrase opens the converted backup" btrdb-backup inspect --outputdir "$T/convt" --passphrase-file "$T/typed.pass"
else
	skip "passphrases typed at a terminal" "tmux is not installed"
fi
