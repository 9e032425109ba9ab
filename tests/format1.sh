# Format 1 (BLAKE2b digests) forever: a stream written by the tools of 2026-11-28
# (tests/fixtures/make-format1.sh) is checked, filtered and restored by today's tools,
# and an independent reader (python librados, etcdctl) sees what the source held.
. "$(dirname "$0")/lib.sh"

fx=$BTR_TOP/tests/fixtures
zstd -dcq "$fx/format1.btr.zst" >"$T/f1" || { fail "fixture" "cannot decompress format1.btr.zst"; exit 1; }
[ "$(head -c 8 "$T/f1" | od -An -tx1 | tr -d ' ')" = 4254525354524d01 ] && pass "fixture starts with the stream magic" ||
	fail "fixture starts with the stream magic" "$(head -c 8 "$T/f1" | od -An -tx1)"

expect_exit 0 "btr-inspect verifies the format-1 fixture" btr-inspect <"$T/f1"
grep -q '^segments: 4$' "$T/last.out" &&
	pass "btr-inspect counts its 4 segments" || fail "btr-inspect counts its 4 segments" "$(cat "$T/last.out" "$T/last.err" | head -5)"
expect_exit 0 "btr-inspect -l lists the format-1 fixture" btr-inspect -l <"$T/f1"
[ "$(grep -c '^object ' "$T/last.out")" = 7 ] && pass "7 objects listed" || fail "7 objects listed" "$(grep -c '^object ' "$T/last.out")"
grep -q 'digest=3999678a3293d551873c9c3184e91b7ca02e011e136f100ad60ef3a3bd3117c2' "$T/last.out" &&
	pass "a 32-byte BLAKE2b index digest is listed whole" || fail "a 32-byte BLAKE2b index digest is listed whole" "$(grep '^index' "$T/last.out" | head -2)"

# damage is still found in format 1: flip one byte inside the 6 MiB object's data
python3 - "$T/f1" "$T/f1bad" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'btrdb fixture line') + 3 * 1000003 % (6 << 20)
b[i] ^= 1
open(sys.argv[2], 'wb').write(b)
PY
expect_exit 1 "a damaged format-1 object is refused" btr-inspect <"$T/f1bad"
expect_err "its message names the object digest" 'object digest mismatch for fixpool/big'

# btr-filter passes format 1 through as format 1 (object digests kept, trailers redone)
btr-filter --pool fixpool <"$T/f1" >"$T/f1filtered" 2>"$T/filter.err"
expect_exit 0 "btr-filter's output of the fixture verifies" btr-inspect <"$T/f1filtered"

sandbox_up dst
. "$T/dst/env"
"$BTR_TOP/contrib/sandbox" pool "$T/dst" fixpool >/dev/null || { fail "pool" "cannot create fixpool"; exit 1; }
expect_exit 0 "ceph-load restores the format-1 fixture" ceph-load -c "$dst_conf" -p fixpool <"$T/f1"
"$BTR_TOP/tests/tools/rados-describe" "$dst_conf" fixpool >"$T/objects"
same "the restored pool is the source's (python librados)" "$fx/format1.objects" "$T/objects"
# the full segment alone still matches objects the incremental did not touch
expect_exit 1 "ceph-load --verify of full + incremental finds the changed ones" ceph-load -c "$dst_conf" --verify -p fixpool <"$T/f1"
grep -q 'verify failed: 2 objects differ' "$T/last.err" && pass "...exactly the 2 the incremental changed" ||
	fail "...exactly the 2 the incremental changed" "$(tail -1 "$T/last.err")"
# btrdb-backup drill's independent reader recomputes the BLAKE2b object digests from
# what python librados reads back: the last state of full + incremental, deletions too
btr-inspect -l <"$T/f1" | grep -v '^kv ' >"$T/f1.list"
expect_exit 0 "drill-reader: the restored pool matches the format-1 listing's digests" \
	/usr/bin/python3 "$BTR_TOP/contrib/drill-reader.py" "$T/f1.list" --ceph "$dst_conf"
grep -q '^drill-reader: identical: [1-9][0-9]* objects' "$T/last.err"
outcome $? "drill-reader: its count" "$(cat "$T/last.err")"
rados -c "$dst_conf" -p fixpool put big "$T/f1.list"
expect_exit 1 "drill-reader: a changed object differs" \
	/usr/bin/python3 "$BTR_TOP/contrib/drill-reader.py" "$T/f1.list" --ceph "$dst_conf"
grep -qx 'object fixpool/big: [0-9]* bytes in the sandbox, [0-9]* in the backup' "$T/last.out"
outcome $? "drill-reader: names it" "$(cat "$T/last.out")"
rados -c "$dst_conf" -p fixpool rm small
rados -c "$dst_conf" -p fixpool put extra "$T/f1.list"
expect_exit 1 "drill-reader: a missing and an extra object differ too" \
	/usr/bin/python3 "$BTR_TOP/contrib/drill-reader.py" "$T/f1.list" --ceph "$dst_conf"
sort "$T/last.out" >"$T/diffs"
printf '%s\n' 'object fixpool/extra: in the sandbox but not in the backup' \
	'object fixpool/small: in the backup but not in the sandbox' >"$T/diffs.want"
grep -v '^object fixpool/big: ' "$T/diffs" | same "drill-reader: names the missing and the extra object" "$T/diffs.want" /dev/stdin
grep -q '^drill-reader: 3 difference(s) between the sandbox and the backup$' "$T/last.err"
outcome $? "drill-reader: counts 3 differences" "$(cat "$T/last.err")"
rados -c "$dst_conf" -p fixpool rm extra
ceph-load -q -c "$dst_conf" -p fixpool <"$T/f1" 2>/dev/null
expect_exit 0 "etcd-load restores the format-1 fixture" etcd-load --endpoints "$dst_etcd" <"$T/f1"
etcdctl get --prefix btrdb/ >"$T/keys"
# the lease-bound key is skipped on restore, on purpose
grep -v -x -e 'btrdb/x/m/node1/active' -e up "$fx/format1.keys" >"$T/keys.want"
same "the restored keys are the source's but the leased one (etcdctl)" "$T/keys.want" "$T/keys"

# ---- the digests are what man/btr-stream.5 says, checked with independent tools ----
# segment-input FILE: for the first segment of FILE, writes the bytes the segment digest
# covers (magic, every frame but data and trailer) to FILE.seg and prints the
# trailer's digest in hex.
segment_input() {
	python3 - "$1" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
out, p = bytearray(b[:8]), 8
def varint(p):
    x = s = 0
    while True:
        c = b[p]; p += 1; x |= (c & 0x7f) << s; s += 7
        if not c & 0x80: return x, p
while True:
    n = int.from_bytes(b[p:p + 4], 'little'); t = b[p + 4]
    if t == 2:
        q, e = p + 5, p + 5 + n
        while q < e:
            k, q = varint(q)
            if k & 7 == 0: _, q = varint(q); continue
            l, q = varint(q)
            if k >> 3 == 9: print(b[q:q + l].hex())
            q += l
        break
    if t != 4: out += b[p:p + 5 + n]
    p += 5 + n
open(sys.argv[1] + '.seg', 'wb').write(out)
PY
}
want=$(segment_input "$T/f1")
got=$(b2sum -l 256 <"$T/f1.seg" | cut -d' ' -f1)
[ -n "$want" ] && [ "$want" = "$got" ] && pass "format 1: the segment digest is BLAKE2b-256 (b2sum agrees)" ||
	fail "format 1: the segment digest is BLAKE2b-256 (b2sum agrees)" "trailer $want, b2sum $got"
mkstream -o 5 -k 3 -x >"$T/f2" || fail "mkstream" "could not generate"
want=$(segment_input "$T/f2")
got=$(xxhsum -H2 <"$T/f2.seg" | cut -d' ' -f1)
[ ${#want} = 32 ] && [ "$want" = "$got" ] && pass "format 2: the segment digest is XXH3-128 (xxhsum -H2 agrees)" ||
	fail "format 2: the segment digest is XXH3-128 (xxhsum -H2 agrees)" "trailer $want, xxhsum $got"
