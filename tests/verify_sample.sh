# verify --sample PERCENT: every piece by size and checksum, every byte unsealed and
# decoded, the object digests of PERCENT% of the objects (btr-inspect
# --sample-digests); the result and the sample recorded in INFO and shown by list.
. "$(dirname "$0")/lib.sh"

printf 'vs-Pass phrase 5\n' >"$T/pass"
chmod 600 "$T/pass"
export TMPDIR=$T

# ---- usage, without servers
for p in 0 101 abc 1.5 -3; do
	expect_exit 2 "verify --sample $p exits 2" btrdb-backup verify --sample "$p" --outputdir "$T/none" --passphrase-file "$T/pass"
	expect_err "verify --sample $p message" "--sample wants a whole percentage from 1 to 100, not '$p'"
done
expect_exit 2 "--sample does not apply to list" btrdb-backup list --repo "$T" --sample 5
expect_exit 2 "btr-inspect --sample-digests 0 exits 2" btr-inspect --sample-digests 0 </dev/null
grep -q "^btr-inspect: --sample-digests wants a whole percentage from 1 to 100, not '0'$" "$T/last.err"
outcome $? "btr-inspect --sample-digests 0 message" "$(cat "$T/last.err")"

if ! command -v ceph-dump >/dev/null; then skip "verify --sample with Ceph" "ceph-dump is not built"; exit 0; fi
sandbox_up vs --no-etcd
"$BTR_TOP/contrib/sandbox" pool "$T/vs" src >/dev/null 2>&1 || fail "pools" "cannot create"
# 300 small objects and one marker object whose data the tampering below finds.
/usr/bin/python3 - "$vs_conf" <<'PY' || fail "objects" "python3-rados could not write them"
import rados, sys
c = rados.Rados(conffile=sys.argv[1]); c.connect()
io = c.open_ioctx("src")
for i in range(300):
	io.write_full("obj%03d" % i, (b"payload %d " % i) * (i + 1))
io.write_full("marker", b"MARKER-0123456789" * 64)
io.close(); c.shutdown()
PY
R=$T/repo
mkdir "$R"
expect_exit 0 "create" btrdb-backup create -q --repo "$R" --name b1 --skip-etcd --cephconf "$vs_conf" --include-pool src \
	--passphrase-file "$T/pass" --kdf interactive

# ---- btr-inspect --sample-digests itself
btr-split -q --join -d "$R/b1" | btr-unseal -q --passphrase-file "$T/pass" >"$T/plain"
checked() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["object_digests_checked"], d["ceph_objects"])'; }
[ "$(btr-inspect -q --json <"$T/plain" | checked)" = "301 301" ]
outcome $? "btr-inspect: every object digest checked by default"
[ "$(btr-inspect -q --json --sample-digests 100 <"$T/plain" | checked)" = "301 301" ]
outcome $? "--sample-digests 100 checks every object digest"
set -- $(btr-inspect -q --json --sample-digests 10 <"$T/plain" | checked)
[ "$2" = 301 ] && [ "$1" -ge 5 ] && [ "$1" -le 70 ]
outcome $? "--sample-digests 10 checks about a tenth ($1 of $2)"
btr-inspect -q --sample-digests 10 <"$T/plain" | grep -Eq '^object digests verified for [0-9]+ of 301 objects \(a 10% sample\); all trailers and segment digests verified$'
outcome $? "the report says what was sampled"

# ---- the front end: a sample of a good backup
expect_exit 0 "verify --sample 1" env BTR_NOW="2026-11-28 10:00Z" btrdb-backup verify --repo "$R" --name b1 --sample 1 --passphrase-file "$T/pass"
grep -Eq '^verify: .*b1 is intact \(object digests checked for [0-9]+ of 301 objects, a 1% sample; every piece, byte and trailer checked\)$' "$T/last.err"
outcome $? "verify --sample says what it checked" "$(cat "$T/last.err")"
grep -qx verify_result=ok "$R/b1/INFO" && grep -qx verify_sample=1 "$R/b1/INFO" && grep -qx last_verified=2026-11-28T10:00:00Z "$R/b1/INFO"
outcome $? "INFO records the result, the time and the sample" "$(tr '\n' ' ' <"$R/b1/INFO")"
btrdb-backup list --repo "$R" | grep -q '^b1 .* 2026-11-28T10:00:00Z ok (1% sample) -$'
outcome $? "list shows the sample" "$(btrdb-backup list --repo "$R" | tr '\n' '|')"
btrdb-backup list --repo "$R" --json | python3 -c 'import json,sys; b=json.load(sys.stdin)["backups"][0]; assert (b["verify_result"], b["verify_sample"]) == ("ok", 1), b' 2>"$T/e"
outcome $? "list --json has verify_sample" "$(tail -1 "$T/e")"
expect_exit 0 "a full verify" btrdb-backup verify -q --repo "$R" --name b1 --passphrase-file "$T/pass"
grep -qx verify_sample=100 "$R/b1/INFO"
outcome $? "a full verify records verify_sample=100" "$(tr '\n' ' ' <"$R/b1/INFO")"

# ---- a damaged piece: found by size and checksum, whatever the sample
cp -r "$R/b1" "$R/b2"
sed -i 's/^name=b1$/name=b2/' "$R/b2/INFO"
p=$(ls "$R"/b2/ARCHIVE*.bin | head -1)
printf 'Z' | dd of="$p" bs=1 seek=$(($(stat -c %s "$p") / 3)) conv=notrunc 2>/dev/null
expect_exit 1 "verify --sample 1 of a damaged piece exits 1" btrdb-backup verify --repo "$R" --name b2 --sample 1 --passphrase-file "$T/pass"
expect_err "the damaged piece is named" "verify: the pieces of .*b2 do not match its manifest \(.*ARCHIVE00000.bin.*\)"
grep -qx verify_result=failed "$R/b2/INFO" && grep -qx verify_sample=1 "$R/b2/INFO"
outcome $? "the failure is recorded with its sample" "$(tr '\n' ' ' <"$R/b2/INFO")"

# ---- an altered object in an authentic stream (re-sealed after the change, as a bug
# between reading and sealing would leave it): a 100% sample reports exactly what a
# full verify does.
python3 - "$T/plain" "$T/bad.plain" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"MARKER-0123456789")
open(sys.argv[2], "wb").write(d[:i] + b"MARKER-9" + d[i + 8:])
PY
btr-seal -q --kdf interactive --passphrase-file "$T/pass" <"$T/bad.plain" | btr-split -q -d "$R/b3" || fail "reseal" "btr-seal | btr-split failed"
sed 's/^name=b1$/name=b3/' "$R/b1/INFO" >"$R/b3/INFO"
expect_exit 1 "a full verify of an altered object exits 1" btrdb-backup verify --repo "$R" --name b3 --passphrase-file "$T/pass"
full=$(grep -o 'object digest mismatch for [^ ]*' "$T/last.err")
case $full in *src*marker*) true ;; *) false ;; esac
outcome $? "the full verify names the object" "$(cat "$T/last.err")"
expect_exit 1 "verify --sample 100 of it exits 1" btrdb-backup verify --repo "$R" --name b3 --sample 100 --passphrase-file "$T/pass"
[ "$(grep -o 'object digest mismatch for [^ ]*' "$T/last.err")" = "$full" ]
outcome $? "--sample 100 fails exactly as the full verify" "$(cat "$T/last.err")"
grep -qx verify_result=failed "$R/b3/INFO" && grep -qx verify_sample=100 "$R/b3/INFO"
outcome $? "recorded as failed" "$(tr '\n' ' ' <"$R/b3/INFO")"
# What a sample gives up (btrdb-backup(1)): an object altered before it was sealed
# is found only when it is drawn, so a 1% sample of b3 may pass; it must never fail
# for another reason.
btrdb-backup verify -q --repo "$R" --name b3 --sample 1 --passphrase-file "$T/pass" 2>"$T/s1.err"
rc=$?
{ [ $rc = 0 ] && [ ! -s "$T/s1.err" ]; } || { [ $rc = 1 ] && grep -q 'object digest mismatch for src.*marker' "$T/s1.err"; }
outcome $? "--sample 1 of it: intact unless the marker was drawn (exit $rc)" "$(cat "$T/s1.err")"
