# btrdb-backup drill: a backup restored into a throwaway sandbox and read back; exit 1
# before any server starts on damage or a wrong key; nothing left behind, even after
# SIGINT or SIGTERM mid-drill.
. "$(dirname "$0")/lib.sh"
# A sanitizer build runs a copy of the script in build/san/bin, far from contrib/.
export BTR_SANDBOX=${BTR_SANDBOX:-$BTR_TOP/contrib/sandbox}

sandbox_up src
"$BTR_TOP/contrib/sandbox" seed "$T/src" --small >/dev/null 2>"$T/seed.err" || { fail "seed" "$(tail -2 "$T/seed.err")"; exit 1; }
echo "drill passphrase" >"$T/pass"; chmod 600 "$T/pass"
btrdb-backup create -q --kdf interactive --passphrase-file "$T/pass" --outputdir "$T/bk" --etcd "$src_etcd" \
	--cephconf "$src_conf" 2>"$T/create.err" || { fail "create" "$(tail -2 "$T/create.err")"; exit 1; }
nobj=$(for p in $(rados -c "$src_conf" lspools); do rados -c "$src_conf" -p "$p" ls --all; done | wc -l)

# The drill's temporary directory (and so its sandbox) lives under TMPDIR: empty after.
export TMPDIR=$T/dt
mkdir "$TMPDIR"
left_behind() { # nothing in TMPDIR, no process running from it
	local procs
	procs=$(pgrep -af -- "$TMPDIR" | grep -v pgrep)
	if [ -n "$(ls -A "$TMPDIR")" ] || [ -n "$procs" ]; then
		fail "$1: nothing left behind" "$(ls -A "$TMPDIR") $procs"
	else
		pass "$1: nothing left behind"
	fi
}

# The first drill watched while it runs: its OSD keeps the objects in a file in the
# sandbox's directory (bluestore), of the size the drill announces.
btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/bk" >"$T/last.out" 2>"$T/last.err" &
pid=$! blk=0 used=0
while kill -0 $pid 2>/dev/null; do
	for f in "$TMPDIR"/*/sandbox/ceph/osd/block; do
		[ -f "$f" ] || continue
		blk=$(stat -c %s "$f" 2>/dev/null || echo "$blk")
		u=$(du -B1 "$f" 2>/dev/null | cut -f 1)
		[ "${u:-0}" -gt "$used" ] && used=$u
	done
	sleep 0.2
done
wait $pid
outcome $? "drill of a good backup passes" "$(tail -3 "$T/last.err")"
announced=$(sed -n 's/^drill: starting a sandbox .*, its OSD on a file of \([0-9]*\) bytes$/\1/p' "$T/last.err")
[ -n "$announced" ] && [ "$blk" = "$announced" ]
outcome $? "the OSD's block file in the sandbox is $announced bytes, as announced" "block file $blk bytes; $(grep starting "$T/last.err")"
sample_bytes=$(sed -n 's/^drill: starting a sandbox for [0-9]* of [0-9]* objects (\([0-9]*\) of.*/\1/p' "$T/last.err")
[ "$used" -ge "${sample_bytes:-1}" ]
outcome $? "the objects went into that file ($used bytes used, $sample_bytes of objects)" "$used bytes used"
grep -q "^drill: identical: $nobj objects and 100 etcd keys" "$T/last.err" && pass "every object and key read back identical" ||
	fail "every object and key read back identical" "$(grep identical "$T/last.err") ($nobj objects in the source)"
grep -Eq '^drill: throughput [0-9.]+ MiB/s; a full restore of .* would take about [0-9]+:[0-9]{2}:[0-9]{2} at this rate$' "$T/last.err" &&
	pass "drill reports throughput and an estimate" || fail "drill reports throughput and an estimate" "$(tail -3 "$T/last.err")"
grep -q '^drill passed$' "$T/last.err" && pass "drill says it passed" || fail "drill says it passed" "$(tail -1 "$T/last.err")"
left_behind "a passed drill"

# ---- --json, --metrics-file and the catalog: the backup in a repository
mkdir "$T/repo"
cp -r "$T/bk" "$T/repo/bk"
M=$T/drill.prom
expect_exit 0 "drill --repo --json --metrics-file passes" env BTR_NOW="2026-11-28 14:00Z" \
	btrdb-backup drill -q --json --metrics-file "$M" --passphrase-file "$T/pass" --repo "$T/repo" --name bk
/usr/bin/python3 - "$T/last.out" "$nobj" >"$T/est" 2>"$T/json.err" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["command"] == "drill" and d["exit_status"] == 0 and d["dir"].endswith("/repo/bk"), d
r = d["restored"]
assert r["objects"] == int(sys.argv[2]) and r["etcd_keys"] == 100 and r["bytes"] > 0 and r["sample_percent"] == 100, r
assert r["seconds"] > 0 and d["identical"] is True and d["throughput_bytes_per_second"] > 0, d
assert isinstance(d["estimated_restore_seconds"], int) and d["estimated_restore_seconds"] >= 0, d
assert d["objects"] == r["objects"] and d["etcd_keys"] == 100, d
print(d["estimated_restore_seconds"])
PY
outcome $? "drill --json: one object with restored, identical, throughput and the estimate" "$(cat "$T/json.err") $(cat "$T/last.out")"
est=$(cat "$T/est")
# metrics WANT_STATUS WANT_EST: the file parses with the Prometheus client's own parser.
metrics() {
	/usr/bin/python3 - "$M" "$1" "$2" "$nobj" <<'PY'
import math, sys
from prometheus_client.parser import text_string_to_metric_families
v = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
	for s in fam.samples:
		assert {k: s.labels[k] for k in ("command", "kind")} == {"command": "drill", "kind": "full"} and s.labels.get("repo"), s.labels
		v[s.name] = s.value
names = ["last_success_timestamp_seconds", "duration_seconds", "bytes", "objects", "etcd_keys", "exit_status",
	 "drill_estimated_restore_seconds"]
assert sorted(v) == sorted("btrdb_backup_" + n for n in names), sorted(v)
assert v["btrdb_backup_exit_status"] == float(sys.argv[2]), v
assert v["btrdb_backup_duration_seconds"] > 0 and v["btrdb_backup_bytes"] > 0, v
if sys.argv[3] == "NaN":
	assert math.isnan(v["btrdb_backup_drill_estimated_restore_seconds"]), v
else:
	assert v["btrdb_backup_drill_estimated_restore_seconds"] == float(sys.argv[3]), v
	assert v["btrdb_backup_objects"] == float(sys.argv[4]) and v["btrdb_backup_etcd_keys"] == 100, v
PY
}
metrics 0 "$est" 2>"$T/m.err"
outcome $? "the metrics file parses, with the drill's values and its estimate ($est s)" "$(tail -1 "$T/m.err") $(cat "$M")"
grep -qx 'last_drill=2026-11-28T14:00:00Z' "$T/repo/bk/INFO" && grep -qx 'drill_result=passed' "$T/repo/bk/INFO" &&
	grep -qx "drill_estimate_seconds=$est" "$T/repo/bk/INFO"
outcome $? "the drill is recorded in INFO" "$(tr '\n' ' ' <"$T/repo/bk/INFO")"
expect_exit 0 "list --json after a drill" btrdb-backup list --repo "$T/repo" --json
/usr/bin/python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["backups"][0]; assert (b["last_drill"], b["drill_result"], b["drill_estimate_seconds"]) == ("2026-11-28T14:00:00Z", "passed", int(sys.argv[2])), b' \
	"$T/last.out" "$est"
outcome $? "list --json shows the last drill" "$(head -c 400 "$T/last.out")"
expect_exit 0 "list after a drill" btrdb-backup list --repo "$T/repo"
grep -Eq '^bk .* 2026-11-28T14:00:00Z passed [0-9]+:[0-9]{2}:[0-9]{2}$' "$T/last.out" && head -n 1 "$T/last.out" | grep -q 'DRILLED$'
outcome $? "list shows the last drill, its result and estimate" "$(cat "$T/last.out")"
expect_exit 2 "drill --repo without --name" btrdb-backup drill --passphrase-file "$T/pass" --repo "$T/repo"
expect_exit 2 "drill --repo with a missing name" btrdb-backup drill --passphrase-file "$T/pass" --repo "$T/repo" --name nothere
left_behind "drill --json"

# ---- the independent reader: a difference left in the sandbox after our loaders' own
# verify passed (as a bug shared by our writer and our checker would leave it) fails it
victim=$(rados -c "$src_conf" -p btrdbcold ls | LC_ALL=C sort | head -n 1)
BTR_NOW="2026-11-28 15:00Z" BTR_DRILL_TAMPER=btrdbcold/$victim expect_exit 1 "drill: an object changed after our verify: exit 1" \
	btrdb-backup drill --json --metrics-file "$M" --passphrase-file "$T/pass" --repo "$T/repo" --name bk
/usr/bin/python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d["exit_status"] == 1 and d["identical"] is False and d["restored"]["objects"] > 0 and d["throughput_bytes_per_second"] > 0 and d["estimated_restore_seconds"] is None, d' \
	"$T/last.out"
outcome $? "--json of a drill that differs: identical false, no estimate" "$(cat "$T/last.out")"
metrics 1 NaN 2>"$T/m.err"
outcome $? "metrics of a drill that differs: exit_status 1, estimate NaN" "$(tail -1 "$T/m.err") $(cat "$M")"
grep -qx 'last_drill=2026-11-28T15:00:00Z' "$T/repo/bk/INFO" && grep -qx 'drill_result=failed' "$T/repo/bk/INFO" &&
	grep -qx 'drill_estimate_seconds=' "$T/repo/bk/INFO"
outcome $? "a drill that differs is recorded as failed" "$(tr '\n' ' ' <"$T/repo/bk/INFO")"
grep -q "^drill: object btrdbcold/$victim: data, xattrs or omap differ from the backup" "$T/last.err" &&
	pass "the independent reader names the changed object" ||
	fail "the independent reader names the changed object" "$(tail -3 "$T/last.err")"
grep -q '^btrdb-backup: drill: the sandbox differs from the backup: 1 difference(s) .*python3-rados and etcdctl' "$T/last.err" &&
	pass "exactly that difference, found by python3-rados and etcdctl" ||
	fail "exactly that difference, found by python3-rados and etcdctl" "$(tail -2 "$T/last.err")"
! grep -q '^drill passed' "$T/last.err" && pass "a changed object: the drill does not pass" ||
	fail "a changed object: the drill does not pass" "$(tail -2 "$T/last.err")"
left_behind "a changed object"

expect_exit 0 "drill --sample 30 passes" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/bk" --sample 30
n=$(sed -n 's/^drill: restored \([0-9]*\) of \([0-9]*\) objects.*a 30% sample.*/\1/p' "$T/last.err")
[ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt "$nobj" ] && pass "--sample 30 restores some of the objects ($n of $nobj)" ||
	fail "--sample 30 restores some of the objects" "$(grep restored "$T/last.err")"
grep -q "^drill: identical: $n objects and 100 etcd keys" "$T/last.err" && pass "the sample and every key identical" ||
	fail "the sample and every key identical" "$(grep identical "$T/last.err")"
left_behind "a sampled drill"

# ---- refusals: usage, wrong key, damage, no room; no server started ----
BTR_DRILL_FREE_BYTES=100000000 expect_exit 3 "drill with 100 MB free: exit 3" \
	btrdb-backup drill -q --passphrase-file "$T/pass" --outputdir "$T/bk"
expect_err "no room: one line naming the space needed and free" \
	'^btrdb-backup: drill: a sandbox for [0-9]+ bytes of objects and 100 keys needs [0-9]+ bytes of disk in .*, 100000000 are free: use --sample or another TMPDIR$'
left_behind "no room"
mkdir "$T/noreader"
cp "$BTR_SANDBOX" "$T/noreader/sandbox"
BTR_SANDBOX=$T/noreader/sandbox expect_exit 3 "drill without its independent reader: exit 3" \
	btrdb-backup drill -q --passphrase-file "$T/pass" --outputdir "$T/bk"
expect_err "no reader: one line naming it" "^btrdb-backup: drill needs its reader $T/noreader/drill-reader.py "
left_behind "no reader"
cp "$BTR_TOP/contrib/drill-reader.py" "$T/noreader/"
BTR_SANDBOX=$T/noreader/sandbox expect_exit 3 "drill with its reader but not the reader's module: exit 3" \
	btrdb-backup drill -q --passphrase-file "$T/pass" --outputdir "$T/bk"
expect_err "no module: one line naming it, before any server" \
	"^btrdb-backup: drill's reader needs $T/noreader/btr_rados_read.py beside it "
left_behind "no module"
for bad in 0 101 x 5.5 ""; do
	expect_exit 2 "--sample '$bad' is a usage error" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/bk" --sample "$bad"
done
expect_exit 2 "drill --etcd: does not apply" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/bk" --etcd 127.0.0.1:1
expect_exit 2 "drill --skip-ceph: does not apply" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/bk" --skip-ceph
expect_exit 2 "drill of a missing directory" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/nothere"
echo "not the passphrase" >"$T/wrong"; chmod 600 "$T/wrong"
expect_exit 1 "drill with a wrong passphrase: exit 1" btrdb-backup drill --passphrase-file "$T/wrong" --outputdir "$T/bk"
grep -q 'no sandbox was started' "$T/last.err" && ! grep -q 'starting a sandbox' "$T/last.err" &&
	pass "a wrong key stops the drill before any server" || fail "a wrong key stops the drill before any server" "$(cat "$T/last.err")"
left_behind "a wrong key"
cp -r "$T/bk" "$T/dmg"
printf 'X' | dd of="$T/dmg/ARCHIVE00000.bin" bs=1 seek=5000 conv=notrunc status=none
expect_exit 1 "drill of a damaged piece: exit 1" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/dmg"
grep -q 'no sandbox was started' "$T/last.err" && ! grep -q 'starting a sandbox' "$T/last.err" &&
	pass "damage stops the drill before any server" || fail "damage stops the drill before any server" "$(cat "$T/last.err")"
left_behind "a damaged backup"
rm "$T/dmg/MANIFEST"
expect_exit 1 "drill without a manifest: exit 1" btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/dmg"

# ---- a signal mid-drill (to the whole group, as a terminal or a service manager sends it) ----
for sig in INT TERM; do
	# job control: the drill leads its own group; env: with SIGINT not ignored, as it
	# is in a background job without job control, or in any job when this suite itself
	# runs as one (a shell cannot un-ignore a signal it was started ignoring)
	set -m
	env --default-signal=INT btrdb-backup drill --passphrase-file "$T/pass" --outputdir "$T/bk" 2>"$T/sig.err" &
	pid=$!
	set +m
	for ((i = 0; i < 300; i++)); do
		ls "$TMPDIR"/*/sandbox/env >/dev/null 2>&1 && break
		sleep 0.1
	done
	ls "$TMPDIR"/*/sandbox/env >/dev/null 2>&1 || fail "SIG$sig: the drill started a sandbox" "$(cat "$T/sig.err")"
	# At once: the pools are still being made, so the drill cannot have finished (half a
	# second later it sometimes had, on a small backup)
	kill -$sig -- -$pid
	wait $pid
	rc=$?
	[ $rc != 0 ] && ! grep -q '^drill passed' "$T/sig.err" && pass "SIG$sig mid-drill: stopped, exit $rc" ||
		fail "SIG$sig mid-drill: stopped" "exit $rc: $(tail -3 "$T/sig.err")"
	sleep 1
	left_behind "SIG$sig mid-drill"
done
