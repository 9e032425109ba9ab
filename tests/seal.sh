# btr-seal / btr-unseal / btr-keygen: round trips, every tampering case, key modes,
# passphrase sources.  Chunk-exact cases use --no-compress so chunk boundaries are known.
. "$(dirname "$0")/lib.sh"
export BTR_KDF=interactive   # keep key derivation fast in tests
cd "$T"
umask 077   # secret files readable by others are refused (see below)
printf 'correct horse\n' >pf
export BTR_PASSPHRASE_FILE=pf
seal() { btr-seal -q --passphrase-file pf "$@"; }
unseal() { btr-unseal -q --passphrase-file pf "$@"; }
C=4096   # chunk size used below (--chunk 4K)
F=$((C + 17))
H=$((8 + 6 + 1 + 16 + 16 + 24 + 32))   # passphrase-mode header bytes

for n in 0 1 $((C - 1)) $C $((C + 1)) $((3 * C)); do
	random_file in.$n $n $n
	seal --chunk 4K --no-compress <in.$n >s.$n; unseal <s.$n >out.$n
	same "round trip $n bytes, uncompressed" in.$n out.$n
	seal --chunk 4K <in.$n >z.$n; unseal <z.$n >zout.$n
	same "round trip $n bytes, compressed" in.$n zout.$n
done
sz=$(stat -c %s s.$C)
[ "$sz" = $((H + F)) ] && pass "exactly one chunk seals to one full final chunk" ||
	fail "exactly one chunk seals to one full final chunk" "size $sz"

# 200 MB, compressible like real data (text + random blocks), default settings.
{ random_file r 50000000 9; cat r; seq 1 20000000; cat r; } | head -c 200000000 >big
seal <big >big.s; unseal <big.s >big.out
same "round trip 200 MB" big big.out
rm -f big.out r

# Wrong passphrase: detected from the header, nothing written.
printf 'wrong\n' >wrong
btr-unseal -q --passphrase-file wrong <s.$((3 * C)) >o 2>err
rc=$?
[ $rc = 1 ] && [ ! -s o ] && grep -q 'wrong passphrase' err && pass "wrong passphrase: exit 1, no output" ||
	fail "wrong passphrase: exit 1, no output" "rc=$rc bytes=$(stat -c %s o) $(cat err)"

# flip FILE OFFSET: xor one byte.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
S=s.$((3 * C))   # header and 3 full chunks, the last one FINAL
# Every header byte: exit 1 and no output.
bad=0
for off in $(seq 0 $((H - 1))); do
	cp $S t; flip t "$off"
	unseal <t >o 2>/dev/null; rc=$?
	{ [ $rc = 1 ] && [ ! -s o ]; } || bad=$((bad + 1))
done
[ $bad = 0 ] && pass "every flipped header byte ($H): exit 1, no output" || fail "every flipped header byte: exit 1, no output" "$bad missed"

# A flipped byte in chunk k: exit 1, output is exactly the chunks before it.
for k in 0 1 2; do
	cp $S t; flip t $((H + k * F + 100))
	unseal <t >o 2>err; rc=$?
	head -c $((k * C)) in.$((3 * C)) >want
	if [ $rc = 1 ] && cmp -s o want && grep -q "chunk $k" err; then pass "flip in chunk $k: exit 1, only earlier chunks out"
	else fail "flip in chunk $k: exit 1, only earlier chunks out" "rc=$rc out=$(stat -c %s o) $(cat err)"; fi
done

# Truncation anywhere: exit 1.
bad=0
for cut in 0 5 $((H - 1)) $H $((H + 1)) $((H + F)) $((H + F + 1)) $((H + 2 * F)) $((H + 3 * F - 1)); do
	head -c $cut $S >t
	unseal <t >o 2>/dev/null
	[ $? = 1 ] || bad=$((bad + 1))
done
[ $bad = 0 ]
outcome $? "truncations exit 1" "$bad missed"
head -c $((H + 2 * F)) $S >t
unseal <t >o 2>err
grep -q 'without its final chunk' err
outcome $? "truncation at a chunk boundary is named" "$(cat err)"

# Data after the final chunk: exit 1, and the final chunk's bytes are not released.
{ cat $S; printf x; } >t
unseal <t >o 2>err; rc=$?
[ $rc = 1 ] && grep -q 'data after the final chunk' err && [ "$(stat -c %s o)" = $((2 * C)) ] && pass "appended data after a full final chunk: exit 1" ||
	fail "appended data after a full final chunk: exit 1" "rc=$rc out=$(stat -c %s o) $(cat err)"
{ cat s.$((C + 1)); printf x; } >t
unseal <t >o 2>err; rc=$?
[ $rc = 1 ] && [ "$(stat -c %s o)" = $C ] && pass "appended data after a short final chunk: exit 1" ||
	fail "appended data after a short final chunk: exit 1" "rc=$rc out=$(stat -c %s o) $(cat err)"

# Reordered chunks: swap chunks 1 and 2.
{ head -c $((H + F)) $S; tail -c +$((H + 2 * F + 1)) $S | head -c $F; tail -c +$((H + F + 1)) $S | head -c $F; } >t
[ "$(stat -c %s t)" = "$(stat -c %s $S)" ] || fail "reorder setup" "size"
unseal <t >o 2>err; rc=$?
[ $rc = 1 ] && [ "$(stat -c %s o)" = $C ] && pass "reordered chunks: exit 1 at the first moved chunk" ||
	fail "reordered chunks: exit 1" "rc=$rc out=$(stat -c %s o) $(cat err)"

# A forged version, and KDF parameters above the ceiling: refused before deriving.
cp $S t; printf '\002' | dd of=t bs=1 seek=7 conv=notrunc status=none
expect_exit 1 "forged format version" unseal <t
expect_err "forged version message" "unsupported sealed format version 2"
cp $S t; printf '\000\000\000\000\001\000\000\000' | dd of=t bs=1 seek=23 conv=notrunc status=none   # mem = 4 GiB
start=$(date +%s%N)
# (a sanitizer build reserves terabytes of shadow address space: no limit there)
lim=400000; ldd "$(command -v btr-unseal)" | grep -q libasan && lim=unlimited
( ulimit -v $lim; unseal <t >o 2>err ); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc = 1 ] && grep -q 'out of bounds' err && [ $ms -lt 2000 ] && pass "KDF memory above the ceiling refused at once (${ms} ms, address space limit $lim KB)" ||
	fail "KDF memory above the ceiling refused" "rc=$rc ${ms}ms $(cat err)"
cp $S t; printf '\377\000\000\000\000\000\000\000' | dd of=t bs=1 seek=15 conv=notrunc status=none   # ops = 255
expect_exit 1 "KDF passes above the ceiling refused" unseal <t

# --check: authenticates everything, writes nothing.
unseal --check <$S >o; rc=$?
[ $rc = 0 ] && [ ! -s o ] && pass "--check passes a good stream silently" || fail "--check passes a good stream" "rc=$rc"
cp $S t; flip t $((H + 2 * F + 7))
expect_exit 1 "--check fails an altered stream" unseal --check <t

# Passphrase sources.
btr-unseal -q --passphrase-fd 3 <$S 3<pf >o; same "--passphrase-fd" o in.$((3 * C))
BTR_PASSPHRASE='correct horse' btr-unseal -q <$S >o; same "BTR_PASSPHRASE" o in.$((3 * C))
BTR_PASSPHRASE=wrong btr-unseal -q --passphrase-file pf <$S >o; same "--passphrase-file beats BTR_PASSPHRASE" o in.$((3 * C))
expect_exit 2 "no terminal and no source: exit 2, no hang" timeout 10 setsid -w btr-unseal -q <$S
expect_err "no terminal message" "no terminal to ask on"
expect_exit 2 "a passphrase in argv is not an option" btr-seal --passphrase 'correct horse' </dev/null

# The terminal prompt: asked twice when sealing, once when unsealing, no echo.
# (typed after the prompt appears, as a person would: type-ahead is echoed by the tty)
{ sleep 1; printf 'tty pass\n'; sleep 0.5; printf 'tty pass\n'; } | script -qec "btr-seal -q --chunk 4K < in.$C > tty.s" /dev/null >typed 2>&1
{ sleep 1; printf 'tty pass\n'; } | script -qec "btr-unseal -q < tty.s > tty.out" /dev/null >>typed 2>&1
same "passphrase typed at a terminal" tty.out in.$C
grep -q 'passphrase (again)' typed && ! grep -q 'tty pass' typed && pass "prompt asks twice and does not echo" ||
	fail "prompt asks twice and does not echo" "$(cat -v typed | head -5)"
printf 'one\ntwo\n' | script -qec "btr-seal -q < in.1 > mm.s; echo rc=\$?" /dev/null >typed 2>&1
grep -q 'do not match' typed && grep -q 'rc=2' typed
outcome $? "mismatched confirmation: exit 2" "$(cat -v typed)"
script -qec "btr-seal -q --passphrase-file pf < in.1; echo rc=\$?" /dev/null >typed 2>&1
grep -q 'refusing to write binary data to a terminal' typed && grep -q 'rc=2' typed && pass "refuses a terminal on stdout" ||
	fail "refuses a terminal on stdout" "$(cat -v typed)"

# While it runs: the passphrase is gone from its environment, and -T sets the
# compression threads (default: one per core; 0 means the same, as in zstd), beside
# the main thread and the encrypting writer.
mkfifo slow
tasks_of() { # WANT ARGS...: thread count of btr-seal once it has WANT (or 10 s passed)
	local want=$1 n=0 i; shift
	# compressible input: blocks that do not compress go out raw, without zstd's threads
	( yes 'a line that compresses' | head -c 3000000; exec sleep 60 ) >slow &
	local feeder=$!
	BTR_PASSPHRASE=hunter2 btr-seal -q "$@" <slow >/dev/null &
	local pid=$!
	for ((i = 0; i < 100; i++)); do
		n=$(ls /proc/$pid/task 2>/dev/null | wc -l)
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	sleep 0.3   # and no more than that
	n=$(ls /proc/$pid/task | wc -l)
	tr '\0' '\n' </proc/$pid/environ >environ.$pid
	grep -q hunter2 environ.$pid && echo LEAK >>leaks
	kill $feeder
	wait $pid
	echo "$n"
}
cores=$(nproc)
n=$(tasks_of $((cores + 2))); [ "$n" = $((cores + 2)) ] && pass "default: one compression thread per core ($cores)" || fail "default: one compression thread per core" "$n threads, $cores cores"
n=$(tasks_of $((cores + 2)) -T 0); [ "$n" = $((cores + 2)) ]
outcome $? "-T 0: one thread per core" "$n threads"
n=$(tasks_of 3 -T 1); [ "$n" = 3 ]
outcome $? "-T 1: one compression thread" "$n threads"
n=$(tasks_of 5 -T 3); [ "$n" = 5 ]
outcome $? "-T 3: three compression threads" "$n threads"
[ ! -e leaks ] && pass "BTR_PASSPHRASE is wiped from the running tool's environment" || fail "BTR_PASSPHRASE is wiped" "$(cat leaks)"
# The key derivation's duration is reported; no message ever holds the passphrase.
btr-seal --passphrase-file pf <in.1 >kd.s 2>err
grep -Eq '^btr-seal: key derivation took [0-9.]+ s$' err
outcome $? "key derivation time on stderr" "$(cat err)"
for t in kd.s t $S; do btr-unseal --passphrase-file pf <$t >/dev/null 2>>allerr; btr-unseal --passphrase-file wrong <$t >/dev/null 2>>allerr; done
btr-seal --passphrase-fd 3 3<wrong </dev/null >/dev/null 2>>allerr
! grep -q 'horse\|wrong$' allerr && pass "no message holds a passphrase" || fail "no message holds a passphrase" "$(grep 'horse\|wrong$' allerr)"

btr-seal -q --progress --passphrase-file pf <in.$((3 * C)) 2>err >/dev/null
grep -Eq '^seal: 12\.0 KiB, .*/s$' err && [ "$(wc -l <err)" = 1 ]
outcome $? "--progress after -q: one final line" "$(cat err)"

# A reader that goes away, a full disk: exit 3 with one line, from either stage.
seal <big.s 2>err | head -c 1000 >/dev/null
PS=${PIPESTATUS[0]}
[ "$PS" = 3 ] && [ "$(wc -l <err)" = 1 ] && grep -q 'stdout.*roken pipe' err
outcome $? "seal: closed pipe downstream: exit 3" "status $PS $(cat err)"
seal <big.s >/dev/full 2>err; rc=$?
[ $rc = 3 ] && [ "$(wc -l <err)" = 1 ] && grep -q 'No space left' err
outcome $? "seal: full disk: exit 3" "rc=$rc $(cat err)"
unseal <big.s 2>err | head -c 1000 >/dev/null
PS=${PIPESTATUS[0]}
[ "$PS" = 3 ] && grep -q 'roken pipe' err
outcome $? "unseal: closed pipe downstream: exit 3" "status $PS $(cat err)"

# Public-key mode.
btr-keygen -o id1 2>/dev/null && btr-keygen -o id2 2>/dev/null && btr-keygen -o id3 2>/dev/null
[ "$(stat -c %a id1)" = 600 ]
outcome $? "secret key file is 0600" "$(stat -c %a id1)"
expect_exit 2 "keygen refuses to overwrite" btr-keygen -o id1
btr-seal -q -r id1.pub -r id2.pub <in.$((3 * C)) >pk.s
btr-unseal -q -k id1 <pk.s >o; same "first recipient unseals" o in.$((3 * C))
btr-unseal -q -k id2 <pk.s >o; same "second recipient unseals" o in.$((3 * C))
btr-unseal -q -k id3 <pk.s >o 2>err; rc=$?
[ $rc = 1 ] && [ ! -s o ] && grep -q 'not one of' err && pass "a key that is not a recipient: exit 1, no output" ||
	fail "a key that is not a recipient" "rc=$rc $(cat err)"
expect_exit 2 "a public key is not a secret key" btr-unseal -q -k id1.pub <pk.s
expect_exit 2 "no -k for a recipient stream" btr-unseal -q --passphrase-file pf <pk.s
expect_exit 2 "-k for a passphrase stream" btr-unseal -q -k id1 <$S
cp pk.s t; flip t 20
expect_exit 1 "altered recipient header" btr-unseal -q -k id1 <t

# A backup host with only the public key cannot read what it sealed.
grep -q 'btr-secret-key' id1.pub && fail "public key file holds no secret" "" || pass "public key file holds no secret"

# Issue 19: secret files others can read, fds 0-2, the -LEVEL rewrite, a newline in
# BTR_PASSPHRASE, Ctrl-Z at the prompt.
usage_err() { # NAME REGEX: a usage error's first line (the second says --help)
	head -1 "$T/last.err" | grep -Eq -- "$2" && pass "$1" || fail "$1" "$(head -c 300 "$T/last.err")"
}
(umask 022; printf 'correct horse\n' >pf.open; cp id1 id1.open; chmod 0644 id1.open)
expect_exit 2 "seal: a passphrase file readable by others is refused" btr-seal -q --passphrase-file pf.open <in.1
expect_err "the refusal names the file and the way out" "passphrase file pf.open is readable by group or others \(mode 0644\).*--insecure-key-file"
expect_exit 2 "unseal: a passphrase file readable by others is refused" btr-unseal -q --passphrase-file pf.open <$S
btr-unseal -q --insecure-key-file --passphrase-file pf.open <$S >o; same "--insecure-key-file takes it" o in.$((3 * C))
expect_exit 2 "unseal: a secret key readable by others is refused" btr-unseal -q -k id1.open <pk.s
expect_err "the refusal names the key file" "secret key file id1.open is readable by group or others"
btr-unseal -q --insecure-key-file -k id1.open <pk.s >o; same "--insecure-key-file takes the key" o in.$((3 * C))
for fd in 0 1 2; do
	expect_exit 2 "seal --passphrase-fd $fd is refused" btr-seal -q --passphrase-fd $fd <in.1
	usage_err "--passphrase-fd $fd: why" "--passphrase-fd $fd is (stdin|stdout|stderr)"
done
expect_exit 2 "unseal --passphrase-fd 0 is refused" btr-unseal -q --passphrase-fd 0 <$S
expect_exit 2 "--passphrase-fd -1: a usage error" btr-seal -q --passphrase-fd -1 <in.1
usage_err "--passphrase-fd -1 is named as given" "bad file descriptor '-1'"
expect_exit 2 "-T -3 is not a level" btr-seal -q -T -3 --passphrase-file pf <in.1
usage_err "-T -3 is named as given" "bad thread count '-3'"
btr-seal -q -3 --passphrase-file pf <in.$((3 * C)) | unseal >o; same "-3 is still a level" o in.$((3 * C))
# Only words where an option stands are levels: never the argument of an option that
# takes one (short, long, or a long one abbreviated as getopt_long allows), never
# after "--", wherever they stand.
btr-keygen --sign -o lv3 2>/dev/null && mv lv3.sign ./-3
cp pf ./-5
chmod 600 ./-5
for how in "-s -3" "-qs -3" "--sign-key -3" "--sign -3"; do
	btr-seal -q $how --passphrase-file pf <in.$((3 * C)) >lv.s 2>err
	btr-unseal -q --passphrase-file pf --signer lv3.sign.pub <lv.s >o 2>>err
	same "btr-seal $how: the signing key file is named -3" o in.$((3 * C))
done
for how in "--passphrase-file -5" "--passphrase-fi -5"; do
	btr-seal -q $how <in.$((3 * C)) 2>err | unseal >o
	same "btr-seal $how: the passphrase file is named -5" o in.$((3 * C))
done
expect_exit 2 "--thr -3 (--threads abbreviated) is not a level" btr-seal -q --thr -3 --passphrase-file pf <in.1
usage_err "--thr -3 is named as given" "bad thread count '-3'"
expect_exit 2 "-- -3: an operand, not a level" btr-seal -q --passphrase-file pf -- -3 <in.1
usage_err "-- -3: named as an unexpected argument" "unexpected argument '-3'"
set -- $(for i in $(seq 40); do echo -q; done)
btr-seal "$@" -7 --passphrase-file pf <in.$((3 * C)) | unseal >o; same "-7 after 40 words is still a level" o in.$((3 * C))
set --
btr-seal -q -19 --level 2 --passphrase-file pf <in.$((3 * C)) | unseal >o; same "-19 then --level 2: the last wins" o in.$((3 * C))
expect_exit 2 "-20 is refused like --level 20" btr-seal -q -20 --passphrase-file pf <in.1
usage_err "-20: named" "compression level must be 1 to 19, not '20'"
BTR_PASSPHRASE=$'correct horse\n' btr-seal -q <in.$((3 * C)) | unseal >o 2>err
same "BTR_PASSPHRASE: its trailing newline is stripped like a file's" o in.$((3 * C))

# Ctrl-Z at the prompt, then fg: the passphrase typed after must not echo.
if command -v tmux >/dev/null; then
	sock=$T/tmux.sock
	at_exit "tmux -S '$sock' kill-server 2>/dev/null"
	tmux -S "$sock" new-session -d -x 120 -y 30 "env -i PATH='$PATH' BTR_KDF=interactive HOME='$T' PS1='$ ' bash --norc --noprofile -i"
	tsend() { tmux -S "$sock" send-keys "$@"; sleep 0.7; }
	tsend "cd '$T' && btr-seal -q <in.1 >tstp.s" Enter
	tsend C-z
	tsend 'fg' Enter
	tsend 'secret2' Enter
	tsend 'secret2' Enter
	sleep 1.5
	tmux -S "$sock" capture-pane -p >pane
	printf 'secret2\n' >p2
	btr-unseal -q --passphrase-file p2 <tstp.s >o 2>/dev/null && cmp -s o in.1 && ! grep -q 'secret2' pane &&
		pass "Ctrl-Z and fg at the prompt: nothing echoed, the passphrase taken" ||
		fail "Ctrl-Z and fg at the prompt" "$(grep -v '^$' pane | tr '\n' '|')"
else
	skip "Ctrl-Z at the prompt" "tmux not installed"
fi

# Blocks that do not compress go out as raw zstd frames, the others through zstd: any
# order of the two, a raw last block, block-sized inputs, all come back whole; the
# random parts cost no more than their own size (plus headers), the rest compresses.
random_file r1 $((1 << 20)) 11
random_file r2 $(((1 << 20) + 5)) 12
head -c $((1 << 20)) /dev/zero >z1
{ cat r1 z1 r2; head -c 100 /dev/zero; } >mix1
{ cat z1 r1; } >mix2
{ cat r1 r1; } >mix3
cp r1 mix4
ok=1
for f in mix1 mix2 mix3 mix4; do
	btr-seal -q -r id1.pub <$f >$f.s && btr-unseal -q -k id1 <$f.s >$f.o && cmp -s $f $f.o || { ok=0; echo "$f" >>bad; }
done
[ $ok = 1 ] && pass "raw and compressed blocks in every order round-trip" || fail "raw and compressed blocks round-trip" "$(cat bad)"
sz=$(stat -c %s mix1.s)
[ "$sz" -lt $(((2 << 20) + 5 + 65536)) ] && pass "incompressible blocks cost their size plus headers, the zeros compress ($sz bytes)" ||
	fail "incompressible blocks cost their size plus headers" "$sz bytes for 2 MiB of random and 1 MiB of zeros"

# A stream that main's btr-seal wrote before this (OpenSSL cipher, raw frames) opens.
fx=$BTR_TOP/tests/fixtures
cp "$fx/sealed-main.key" fxkey && chmod 600 fxkey
{ zstd -dc "$fx/format1.btr.zst"; head -c 131072 < <(openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 -nosalt </dev/zero 2>/dev/null); } >fx.want
btr-unseal -q -k fxkey <"$fx/sealed-main.btr" >fx.got
same "a stream sealed by the earlier btr-seal (tests/fixtures/sealed-main.btr) opens" fx.want fx.got
