# Who sealed this backup: btr-keygen --sign, btr-seal -s, btr-unseal --signer.
# A holder of the recipients' public keys (every backup host) can seal; only a
# holder of the signing key can make a stream that --signer accepts.
. "$(dirname "$0")/lib.sh"
export BTR_KDF=interactive   # keep key derivation fast in tests
cd "$T"
printf 'correct horse\n' >pf
printf 'wrong\n' >wrong
chmod 600 pf wrong   # secret files that others can read are refused
btr-keygen -o a.key 2>/dev/null

# ---- keys ----
expect_exit 0 "keygen --sign -o h" btr-keygen --sign -o h
expect_err "keygen names the files and the fingerprint" \
	'^btr-keygen: signing key in h\.sign, public key in h\.sign\.pub \(fingerprint [0-9a-f]{32}\)$'
fp=$(sed -n 's/.*(fingerprint \([0-9a-f]*\)).*/\1/p' "$T/last.err")
{ [ -f h.sign ] && [ -f h.sign.pub ] && [ "$(stat -c %a h.sign)" = 600 ]; } &&
	pass "the secret signing key is h.sign (0600), the public one h.sign.pub" ||
	fail "the secret signing key is h.sign (0600), the public one h.sign.pub" "$(ls -l h*)"
btr-keygen --sign -o h2.sign 2>/dev/null
{ [ -f h2.sign ] && [ -f h2.sign.pub ] && [ ! -e h2.sign.sign ]; } &&
	pass "a name that ends in .sign is kept" || fail "a name that ends in .sign is kept" "$(ls h2*)"
expect_exit 2 "keygen --sign refuses to overwrite" btr-keygen --sign -o h
{ grep -q '^btr-sign-secret-key-1 ' h.sign && grep -q '^btr-sign-public-key-1 ' h.sign.pub && ! grep -q secret h.sign.pub; } &&
	pass "signing key files have their own first words" || fail "signing key files have their own first words" "$(head -c 30 h.sign)"
expect_exit 0 "--fingerprint of a public signing key" btr-keygen --fingerprint h.sign.pub
[ "$(cat "$T/last.out")" = "$fp" ] && pass "--fingerprint prints the fingerprint keygen reported" ||
	fail "--fingerprint prints the fingerprint keygen reported" "$(cat "$T/last.out") != $fp"
btr-keygen --fingerprint h.sign >o 2>/dev/null
[ "$(cat o)" = "$fp" ] && pass "--fingerprint of the secret key is the same" || fail "--fingerprint of the secret key is the same" "$(cat o)"
btr-keygen --fingerprint h.sign.pub >/dev/full 2>err; rc=$?
[ $rc = 3 ] && [ "$(wc -l <err)" = 1 ] && pass "--fingerprint to a full disk: exit 3, one line" || fail "--fingerprint to a full disk: exit 3, one line" "rc=$rc $(cat err)"
fp2=$(btr-keygen --fingerprint h2.sign.pub)
[ -n "$fp2" ] && [ "$fp2" != "$fp" ] && pass "two signing keys, two fingerprints" || fail "two signing keys, two fingerprints" "$fp2"

# A signing key is never taken for an X25519 key, nor the other way round.
expect_exit 2 "a signing public key is not a recipient" btr-seal -q -r h.sign.pub </dev/null
expect_err "a signing public key as -r: named" 'h\.sign\.pub is a signing public key, not a public key'
expect_exit 2 "a signing secret key is not an identity" btr-unseal -q -k h.sign </dev/null
expect_exit 2 "an X25519 secret key is not a signing key" btr-seal -q -r a.key.pub -s a.key </dev/null
expect_err "an X25519 secret key as -s: named" 'a\.key is a secret key, not a signing secret key'
expect_exit 2 "a public signing key cannot sign" btr-seal -q -r a.key.pub -s h.sign.pub </dev/null
expect_exit 2 "an X25519 public key is not a signer" btr-unseal -q -k a.key --signer a.key.pub </dev/null
expect_exit 2 "a secret signing key is not a --signer" btr-unseal -q -k a.key --signer h.sign </dev/null
expect_exit 2 "a missing signing key" btr-seal -q -r a.key.pub -s nosuch.sign </dev/null
expect_exit 2 "two -s keys are refused" btr-seal -q -r a.key.pub -s h.sign -s h2.sign </dev/null
expect_exit 2 "two --signer keys are refused, not the last one taken" btr-unseal -q -k a.key --signer h.sign.pub --signer h2.sign.pub </dev/null

# ---- signing and checking ----
random_file in 300000 7
# refused NAME REGEX FILE ARGS...: btr-unseal ARGS < FILE exits 1, writes nothing, says one line.
refused() {
	local name=$1 re=$2 f=$3 rc; shift 3
	btr-unseal "$@" <"$f" >"$T/last.out" 2>"$T/last.err"; rc=$?
	if [ $rc != 1 ]; then fail "$name" "exit $rc, wanted 1: $(head -c 300 "$T/last.err")"
	elif [ -s "$T/last.out" ]; then fail "$name" "$(stat -c %s "$T/last.out") bytes written"
	else expect_err "$name" "$re"; fi
}

printf x | btr-seal -q -r a.key.pub | btr-unseal -q -k a.key --signer h.sign.pub >o 2>err
PS="${PIPESTATUS[*]}"   # (btr-seal may see its reader go away: exit 3)
[ "${PS##* }" = 1 ] && [ ! -s o ] && [ "$(wc -l <err)" = 1 ] && pass "an unsigned stream with --signer: exit 1, no output" ||
	fail "an unsigned stream with --signer: exit 1, no output" "statuses $PS, $(stat -c %s o) bytes, $(cat err)"
btr-seal -q -r a.key.pub <in >u.s
refused "unsigned: refused, named" 'not signed' u.s -k a.key --signer h.sign.pub
btr-seal -q -r a.key.pub -s h2.sign <in >s2.s
refused "signed by another key: refused" "signed by another key \($fp2\), not $fp" s2.s -k a.key --signer h.sign.pub
btr-seal -q -r a.key.pub -s h.sign <in >s1.s
btr-unseal -q -k a.key --signer h.sign.pub <s1.s >o; rc=$?
[ $rc = 0 ] && cmp -s o in && pass "signed by the --signer: unseals byte-identical" || fail "signed by the --signer: unseals byte-identical" "rc=$rc"
btr-unseal -k a.key <s1.s >o 2>err; rc=$?
now=$(date -u +%s)
when=$(sed -n "s/^btr-unseal: signed by $fp at \(.*\) UTC\$/\1/p" err)
[ $rc = 0 ] && cmp -s o in && [ -n "$when" ] && [ $((now - $(date -u -d "$when" +%s))) -lt 120 ] &&
	pass "without --signer: unseals, and says who signed it and when" ||
	fail "without --signer: unseals, and says who signed it and when" "rc=$rc $(cat err)"
btr-unseal -q -k a.key <s1.s >o 2>err
[ ! -s err ] && cmp -s o in && pass "-q: no signer message" || fail "-q: no signer message" "$(cat err)"
btr-unseal -k a.key <u.s >o 2>err
cmp -s o in && ! grep -q 'signed' err && pass "an unsigned stream without --signer unseals as before" || fail "an unsigned stream without --signer unseals as before" "$(cat err)"
btr-seal -q -r a.key.pub -s h.sign --no-compress --chunk 4K <in >s1n.s
btr-unseal -q -k a.key --signer h.sign.pub <s1n.s >o
same "signed, uncompressed, 4K chunks" o in

# --check honours --signer.
expect_exit 1 "--check --signer: unsigned" btr-unseal -q --check -k a.key --signer h.sign.pub <u.s
expect_exit 1 "--check --signer: another signer" btr-unseal -q --check -k a.key --signer h.sign.pub <s2.s
expect_exit 0 "--check --signer: the signer" btr-unseal -q --check -k a.key --signer h.sign.pub <s1.s
[ ! -s "$T/last.out" ] && pass "--check writes nothing" || fail "--check writes nothing" ""

# Passphrase mode: signed the same way; an unsigned stream is refused before the passphrase is used.
btr-seal -q --passphrase-file pf -s h.sign <in >p1.s
btr-unseal -q --passphrase-file pf --signer h.sign.pub <p1.s >o
same "passphrase mode, signed: unseals with --signer" o in
btr-seal -q --passphrase-file pf <in >pu.s
refused "passphrase mode, unsigned: refused before the passphrase" 'not signed' pu.s --passphrase-file wrong --signer h.sign.pub
btr-seal -q --passphrase-file pf -s h2.sign <in >p2.s
refused "passphrase mode, another signer: refused" 'signed by another key' p2.s --passphrase-file pf --signer h.sign.pub
btr-unseal --passphrase-file pf <p1.s 2>err >o
cmp -s o in && grep -q "^btr-unseal: signed by $fp at " err && pass "passphrase mode: the signer is reported" || fail "passphrase mode: the signer is reported" "$(cat err)"

# Streams of the format before signatures (made by the tools before this change) still unseal.
cp "$BTR_TOP/tests/sign/old.key" old.key && chmod 600 old.key
btr-unseal -q -k old.key <"$BTR_TOP/tests/sign/old-pk.btr" >o
same "an old public-key stream unseals" o "$BTR_TOP/tests/sign/old.txt"
btr-unseal -q --passphrase-file pf <"$BTR_TOP/tests/sign/old-pass.btr" >o
same "an old passphrase stream unseals" o "$BTR_TOP/tests/sign/old.txt"
refused "an old stream with --signer: refused" 'not signed' "$BTR_TOP/tests/sign/old-pk.btr" -k old.key --signer h.sign.pub

# ---- tampering ----
# Recipient header with one recipient: 16 + 88 bytes, then the secretstream header (24),
# then the signature block: signer key (32), time (8), signature (64); then the MAC.
SB=$((16 + 88 + 24))
flip() { # FILE OFFSET: xor one byte
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# Without the secret key, any change to the block fails the header MAC.
bad=0
for off in $(seq $SB $((SB + 103))); do
	cp s1.s t; flip t "$off"
	btr-unseal -q -k a.key --signer h.sign.pub <t >o 2>/dev/null; rc=$?
	{ [ $rc = 1 ] && [ ! -s o ]; } || bad=$((bad + 1))
done
[ $bad = 0 ] && pass "every flipped byte of the signature block (104): exit 1, no output" || fail "every flipped byte of the signature block" "$bad missed"

# A holder of the secret key can recompute the MAC: the signature itself must hold.
seal-remac a.key <s1.s >t
btr-unseal -q -k a.key --signer h.sign.pub <t >o
same "seal-remac alone changes nothing (the cases below test the signature)" o in
cp s1.s t; flip t $((SB + 40 + 5)); seal-remac a.key <t >t2
refused "a flipped signature byte: refused" 'signature .*does not verify' t2 -k a.key --signer h.sign.pub
refused "a flipped signature byte, without --signer: refused" 'signature .*does not verify' t2 -k a.key
cp s1.s t; flip t $((SB + 32)); seal-remac a.key <t >t2
refused "a changed timestamp: refused" 'signature .*does not verify' t2 -k a.key --signer h.sign.pub
btr-seal -q -r a.key.pub -s h.sign <in >s1b.s
{ head -c $SB s1.s; tail -c +$((SB + 1)) s1b.s | head -c 104; tail -c +$((SB + 105)) s1.s; } >t
seal-remac a.key <t >t2
refused "a signature block moved from another stream of the same signer: refused" 'signature .*does not verify' t2 -k a.key --signer h.sign.pub
# Into an unsigned stream: set the flag, insert the block.
{ head -c 9 u.s; printf '\003'; tail -c +11 u.s | head -c $((SB - 10)); tail -c +$((SB + 1)) s1.s | head -c 104; tail -c +$((SB + 1)) u.s; } >t
seal-remac a.key <t >t2
refused "a signature block moved into an unsigned stream: refused" 'signature .*does not verify' t2 -k a.key --signer h.sign.pub
# Another signer's key with this signature.
{ head -c $SB s1.s; tail -c +$((SB + 1)) s2.s | head -c 32; tail -c +$((SB + 33)) s1.s; } >t
seal-remac a.key <t >t2
refused "h2's key over h's signature: refused" 'signature .*does not verify' t2 -k a.key --signer h2.sign.pub
# Sealed to two recipients, signed: the block follows both entries.
btr-keygen -o b.key 2>/dev/null
btr-seal -q -r a.key.pub -r b.key.pub -s h.sign <in >ab.s
btr-unseal -q -k b.key --signer h.sign.pub <ab.s >o
same "two recipients, signed: the second unseals with --signer" o in

# ---- the secret signing key: a path in argv, wiped once the header is signed ----
mkfifo slow
(sleep 30) >slow &
holder=$!
cp h.sign sigkey-xyzzy.sign
btr-seal -q -r a.key.pub -s sigkey-xyzzy.sign <slow >held.s 2>/dev/null &
pid=$!
for ((i = 0; i < 100; i++)); do [ -s held.s ] && break; sleep 0.1; done
b64=$(sed -n 's/^btr-sign-secret-key-1 //p' h.sign)
tr '\0' ' ' </proc/$pid/cmdline >cmdline
grep -q 'sigkey-xyzzy.sign' cmdline && ! grep -qF "$b64" cmdline && pass "argv holds the signing key's path, not the key" ||
	fail "argv holds the signing key's path, not the key" "$(cat cmdline)"
found=$(python3 - "$pid" "$b64" <<'EOF'
import base64, re, sys
pid, b64 = sys.argv[1], sys.argv[2]
seed = base64.b64decode(b64)
hits = {"seed": 0, "base64": 0, "path": 0}
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        if perms[0] != "r":
            continue
        lo, hi = (int(x, 16) for x in addr.split("-"))
        if hi - lo > 1 << 28:   # a sanitizer's shadow memory, not the heap
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except (OSError, OverflowError, ValueError):
            continue
        hits["seed"] += data.count(seed)
        hits["base64"] += data.count(b64.encode())
        hits["path"] += data.count(b"sigkey-xyzzy.sign")
print(" ".join(f"{k}={v}" for k, v in hits.items()))
EOF
)
case $found in
*path=0*) skip "the signing key is wiped once the header is signed" "cannot read the process's memory ($found)" ;;
*"seed=0 base64=0"*) pass "the signing key is wiped once the header is signed ($found)" ;;
*) fail "the signing key is wiped once the header is signed" "$found" ;;
esac
kill $holder 2>/dev/null; wait $pid

# ---- the front end: create --sign-key, inspect and restore --signer (etcd only)
sandbox_up es --no-ceph
sandbox_up ed --no-ceph
export ETCDCTL_API=3
nkeys() { etcdctl --endpoints "$1" get --prefix '' --keys-only -w json | jq '.count // 0'; }
for i in 1 2 3; do etcdctl --endpoints "$es_etcd" put "btrdb/n/node$i/conf" "value $i" >/dev/null; done
fe() { btrdb-backup "$@" --passphrase-file pf --skip-ceph; }
expect_exit 0 "btrdb-backup create --sign-key" fe create -q --outputdir fb --etcd "$es_etcd" --sign-key h.sign
expect_exit 0 "btrdb-backup create, unsigned" fe create -q --outputdir fu --etcd "$es_etcd"
expect_exit 0 "inspect --signer: signed by it" btrdb-backup inspect --passphrase-file pf --outputdir fb --signer h.sign.pub
grep -q "signed by $fp at " "$T/last.err" && pass "inspect shows who signed the backup" || fail "inspect shows who signed the backup" "$(head -c 300 "$T/last.err")"
expect_exit 1 "inspect --signer: signed by another key" btrdb-backup inspect --passphrase-file pf --outputdir fb --signer h2.sign.pub
grep -q 'signed by another key' "$T/last.err" && pass "inspect names the other signer" || fail "inspect names the other signer" "$(head -c 300 "$T/last.err")"
expect_exit 1 "inspect --signer: an unsigned backup" btrdb-backup inspect --passphrase-file pf --outputdir fu --signer h.sign.pub
expect_exit 1 "restore --signer: signed by another key" fe restore --outputdir fb --etcd "$ed_etcd" --signer h2.sign.pub
[ "$(nkeys "$ed_etcd")" = 0 ] && pass "a refused restore loads nothing" || fail "a refused restore loads nothing" "$(nkeys "$ed_etcd") keys"
expect_exit 0 "restore --signer: signed by it" fe restore -q --outputdir fb --etcd "$ed_etcd" --signer h.sign.pub
[ "$(nkeys "$ed_etcd")" = 3 ] && pass "the signed backup is restored" || fail "the signed backup is restored" "$(nkeys "$ed_etcd") keys"
expect_exit 2 "create --sign-key with an X25519 key: refused" fe create --outputdir fk --etcd "$es_etcd" --sign-key a.key
grep -q 'a\.key is a secret key, not a signing secret key' "$T/last.err" && [ ! -e fk ] && [ ! -e fk.partial ] &&
	pass "create --sign-key with an X25519 key: named, nothing kept" || fail "create --sign-key with an X25519 key: named, nothing kept" "$(head -c 300 "$T/last.err")"
expect_exit 2 "--signer does not apply to create" fe create --outputdir fx --etcd "$es_etcd" --signer h.sign.pub
expect_exit 2 "--sign-key does not apply to restore" fe restore --outputdir fb --etcd "$ed_etcd" --sign-key h.sign
