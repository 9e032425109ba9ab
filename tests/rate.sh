# --limit-rate, --limit-ops, --limit-keys: refused when bad, and a limited dump keeps
# to its limit, measured from the pipe by pipe-rate (bytes, seconds, most bytes in any
# one second).  The quick version dumps 40 MiB at 20M; RATE_LONG=1 (make bench) the
# issue's 200 MiB at 50M.
. "$(dirname "$0")/lib.sh"

# ---- bad rates: exit 2, one line naming the option (no server needed) ----
for bad in 0 -5 5X 1.5M "" 20M/h 99999999999999999999; do
	expect_exit 2 "ceph-dump --limit-rate '$bad' is a usage error" ceph-dump --limit-rate "$bad"
	head -1 "$T/last.err" | grep -q "^ceph-dump: --limit-rate wants bytes per second above 0 .*, not '$bad'$" &&
		pass "ceph-dump --limit-rate '$bad' names the option and the value" ||
		fail "ceph-dump --limit-rate '$bad' names the option and the value" "$(head -1 "$T/last.err")"
done
for t in "ceph-dump --limit-ops" "ceph-load --limit-rate" "ceph-load --limit-ops" "etcd-dump --limit-keys" \
	"etcd-load --limit-keys" "btr-split -d $T/never --limit-rate"; do
	set -- $t
	opt=${*: -1}
	expect_exit 2 "$1 $opt 0 is a usage error" "$@" 0
	head -1 "$T/last.err" | grep -q "^$1: $opt wants .* per second above 0" &&
		pass "$1 $opt 0 names the option" || fail "$1 $opt 0 names the option" "$(head -1 "$T/last.err")"
	expect_exit 2 "$1 $opt 7Q is a usage error" "$@" 7Q
done
[ ! -e "$T/never" ] && pass "a refused btr-split creates nothing" || fail "a refused btr-split creates nothing" "$T/never exists"

# within PCT percent: within A B PCT
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }

sandbox_up rs
C=$rs_conf
"$BTR_TOP/contrib/sandbox" pool "$T/rs" big small >/dev/null || { fail "pools" "cannot create pools"; exit 1; }

MIB=${RATE_LONG:+200}; MIB=${MIB:-40}
RATE=${RATE_LONG:+50}; RATE=${RATE:-20}
# 1 MiB and 4 MiB objects: buffered whole (under --buffer) and written in bursts
for ((i = 0; i < MIB / 8; i++)); do
	echo "object big m$i size=$((1 << 20)) seed=$i"
	echo "object big q$i size=$((7 << 20)) seed=$((i + 1000))"
done | mkobjs | ceph-load -q -c "$C" -p big || { fail "seed big" "ceph-load failed"; exit 1; }
for ((i = 0; i < 200; i++)); do echo "object small s$i size=4096 seed=$i x=a=b omap=3"; done |
	mkobjs | ceph-load -q -c "$C" -p small || { fail "seed small" "ceph-load failed"; exit 1; }

# unlimited first: it must be much faster, or the limited run proves nothing
t0=$(date +%s.%N)
ceph-dump -q -c "$C" -p big | pipe-rate >"$T/free"
t1=$(date +%s.%N)
read -r fbytes fsecs fwin <"$T/free"
awk -v a="$t1" -v b="$t0" -v r="$RATE" -v n="$fbytes" 'BEGIN { exit !(a - b < n / (r * 1048576) / 2) }' &&
	pass "unlimited, the dump is more than twice as fast as the limit" ||
	fail "unlimited, the dump is more than twice as fast as the limit" "$fbytes bytes in $(awk -v a="$t1" -v b="$t0" 'BEGIN{print a-b}') s"

ceph-dump -q -c "$C" -p big --limit-rate ${RATE}M | pipe-rate >"$T/lim"
PS="${PIPESTATUS[*]}"
pipe_status "limited dump exits 0" "0 0"
read -r bytes secs win <"$T/lim"
want=$(awk -v n="$bytes" -v r="$RATE" 'BEGIN { printf "%.3f", n / (r * 1048576) }')
[ "$bytes" -ge $((MIB << 20)) ] && pass "the whole pool went through ($bytes bytes)" || fail "the whole pool went through" "$bytes bytes"
within "$secs" "$want" 10 && pass "--limit-rate ${RATE}M: $secs s for $bytes bytes, within 10% of $want s" ||
	fail "--limit-rate ${RATE}M takes within 10% of $want s" "took $secs s"
awk -v w="$win" -v r="$RATE" 'BEGIN { exit !(w <= r * 1048576 * 1.1) }' &&
	pass "--limit-rate ${RATE}M: no one-second window over the limit by 10% (most: $win bytes)" ||
	fail "--limit-rate ${RATE}M: no one-second window over the limit by 10%" "a window held $win bytes"

# --limit-ops: 200 small objects at 100/s take 2 s more than the unlimited dump.
# The unlimited dump's own time is the noisy part on a loaded machine: a miss is
# measured once more before it counts (a limiter that is wrong misses both times).
ops_extra() {
	local s0 s1 s2
	s0=$(date +%s.%N)
	ceph-dump -q -c "$C" -p small >/dev/null
	s1=$(date +%s.%N)
	ceph-dump -q -c "$C" -p small --limit-ops 100 --progress 2>"$T/ops.err" >"$T/ops"
	rc=$?
	s2=$(date +%s.%N)
	extra=$(awk -v a="$s0" -v b="$s1" -v c="$s2" 'BEGIN { printf "%.3f", (c - b) - (b - a) }')
}
ops_extra
first=$extra
within "$extra" 2 10 || ops_extra
[ $rc = 0 ] && pass "--limit-ops dump exits 0" || fail "--limit-ops dump exits 0" "exit $rc: $(tail -2 "$T/ops.err")"
within "$extra" 2 10 && pass "--limit-ops 100: 200 objects take $extra s longer, within 10% of 2 s" ||
	fail "--limit-ops 100: 200 objects take 2 s longer" "$first s, then $extra s longer"
expect_exit 0 "--limit-ops dump verifies" sh -c "btr-inspect <\"$T/ops\""
grep -q "(limit 100 objects/s)" "$T/ops.err" && pass "progress shows the ops limit" ||
	fail "progress shows the ops limit" "$(tail -1 "$T/ops.err")"

# ceph-load: writes limited, same objects restored
"$BTR_TOP/contrib/sandbox" pool "$T/rs" back >/dev/null
l0=$(date +%s.%N)
ceph-load -q -c "$C" -p small:back --limit-ops 100 <"$T/ops"
rc=$?
l1=$(date +%s.%N)
[ $rc = 0 ] && pass "--limit-ops load exits 0" || fail "--limit-ops load exits 0" "exit $rc"
awk -v a="$l0" -v b="$l1" 'BEGIN { exit !(b - a >= 1.8) }' && pass "ceph-load --limit-ops 100: 200 objects take 2 s or more" ||
	fail "ceph-load --limit-ops 100: 200 objects take 2 s or more" "$(awk -v a="$l0" -v b="$l1" 'BEGIN{print b-a}') s"
check "the limited load restored every object" ceph-load -q -c "$C" -p small:back --verify <"$T/ops"

# ---- btrdb-backup create and restore pass the limits on ----
export BTR_PASSPHRASE=rate-test
for ((i = 0; i < 60; i++)); do echo "kv rk$i v$i"; done | mkobjs | etcd-load -q --endpoints "$rs_etcd" ||
	{ fail "seed etcd" "etcd-load failed"; exit 1; }
expect_exit 2 "create --limit-rate 0: exit 2" btrdb-backup create --outputdir "$T/never2" --limit-rate 0
expect_err "create --limit-rate 0 names the option" "^btrdb-backup: --limit-rate wants bytes per second above 0"
expect_exit 2 "restore --limit-keys 1X: exit 2" btrdb-backup restore --outputdir "$T/never2" --limit-keys 1X
expect_exit 2 "inspect --limit-ops: does not apply" btrdb-backup inspect --outputdir "$T/never2" --limit-ops 5
[ ! -e "$T/never2" ] && [ ! -e "$T/never2.partial" ] && pass "refused limits create nothing" || fail "refused limits create nothing" ""
c0=$(date +%s.%N)
btrdb-backup create -q --kdf interactive --outputdir "$T/bk" --etcd "$rs_etcd" --cephconf "$C" --include-pool big \
	--limit-rate ${RATE}M --limit-keys 30 2>"$T/create.err"
rc=$?
c1=$(date +%s.%N)
secs=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
# keys: 60 at 30/s = 2 s, then the pool at the rate
want=$(awk -v r="$RATE" -v m="$MIB" 'BEGIN { printf "%.2f", 2 + m / r }')
[ $rc = 0 ] && awk -v s="$secs" -v w="$want" 'BEGIN { exit !(s >= w * 0.95) }' &&
	pass "create --limit-keys 30 --limit-rate ${RATE}M: $secs s (at least $want s)" ||
	fail "create --limit-keys 30 --limit-rate ${RATE}M takes at least $want s" "rc=$rc after $secs s: $(tail -2 "$T/create.err")"
"$BTR_TOP/contrib/sandbox" pool "$T/rs" back2 >/dev/null
r0=$(date +%s.%N)
btrdb-backup restore -q --outputdir "$T/bk" --etcd "$rs_etcd" --cephconf "$C" --restore-pool big:back2 --limit-ops 4 \
	--limit-keys 60 2>"$T/restore.err"
rc=$?
r1=$(date +%s.%N)
secs=$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.2f", b - a }')
n=$((MIB / 8 * 2))
want=$(awk -v n="$n" 'BEGIN { printf "%.2f", n / 4 }')
[ $rc = 0 ] && awk -v s="$secs" -v w="$want" 'BEGIN { exit !(s >= w * 0.95) }' &&
	pass "restore --limit-ops 4: $n objects in $secs s (at least $want s)" ||
	fail "restore --limit-ops 4 takes at least $want s" "rc=$rc after $secs s: $(tail -2 "$T/restore.err")"

# etcd-dump and etcd-load on their own: 60 keys at 30/s take 2 s each
k0=$(date +%s.%N)
etcd-dump -q --endpoints "$rs_etcd" --prefix rk --limit-keys 30 >"$T/keys"
rc=$?
k1=$(date +%s.%N)
etcd-load -q --endpoints "$rs_etcd" --limit-keys 30 <"$T/keys"
rc2=$?
k2=$(date +%s.%N)
awk -v a="$k0" -v b="$k1" -v c="$k2" 'BEGIN { exit !(b - a >= 1.9 && b - a < 3 && c - b >= 1.9 && c - b < 3) }' && [ $rc$rc2 = 00 ] &&
	pass "etcd-dump and etcd-load --limit-keys 30: 60 keys in about 2 s each" ||
	fail "etcd-dump and etcd-load --limit-keys 30: 60 keys in about 2 s each" \
		"exit $rc/$rc2, $(awk -v a="$k0" -v b="$k1" -v c="$k2" 'BEGIN { print b - a, c - b }') s"
