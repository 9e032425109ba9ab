# create and restore with --json and --metrics-file: objects, etcd_keys and bytes are
# what the backup really holds, counted independently (rados ls, etcdctl, stat of the
# pieces) and parsed by real parsers (python3's json, prometheus_client's text parser).
. "$(dirname "$0")/lib.sh"

if ! command -v ceph-dump >/dev/null; then skip "create/restore metrics" "ceph-dump is not built"; exit 0; fi
printf 'met-Pass phrase 7\n' >"$T/pass"
chmod 600 "$T/pass"
export TMPDIR=$T ETCDCTL_API=3
R=$T/repo
mkdir "$R"
sandbox_up src
sandbox_up dst
"$BTR_TOP/contrib/sandbox" seed "$T/src" --small >/dev/null 2>&1 || fail "seed" "sandbox seed failed"
pools="btrdbhot btrdbcold btrdbjournal staging"
objs() { # objs CONF POOL...: objects of the pools, all namespaces, as rados lists them
	local c=$1 n=0 p; shift
	for p in "$@"; do n=$((n + $(rados -c "$c" -p "$p" --all ls | wc -l))); done
	echo $n
}
keys() { etcdctl --endpoints "$1" get "" --prefix --keys-only --limit 1 -w json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("count", 0))'; }
want_objs=$(objs "$src_conf" $pools) want_keys=$(keys "$src_etcd")
[ "$want_objs" -gt 10 ] && [ "$want_keys" -gt 10 ]
outcome $? "the source holds objects and keys ($want_objs, $want_keys)"

# metrics FILE COMMAND KIND STATUS OBJECTS KEYS BYTES REPO: the file parses with these values
metrics() {
	/usr/bin/python3 - "$@" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
f, cmd, kind, st, o, k, b, repo = sys.argv[1:]
v = {}
for fam in text_string_to_metric_families(open(f).read()):
	for s in fam.samples:
		assert s.labels == {"command": cmd, "kind": kind, "repo": repo}, s.labels
		v[s.name[len("btrdb_backup_"):]] = s.value
want = {"exit_status": float(st), "objects": float(o), "etcd_keys": float(k), "bytes": float(b)}
got = {n: v.get(n) for n in want}
assert got == want, (got, want)
assert v["duration_seconds"] > 0 and v["last_success_timestamp_seconds"] > 0, v
PY
}
# js FILE COMMAND KIND STATUS OBJECTS KEYS BYTES: the --json object has these values
js() {
	python3 - "$@" <<'PY'
import json, sys
f, cmd, kind, st, o, k, b = sys.argv[1:]
d = json.loads(open(f).read())
got = {n: d[n] for n in ("command", "kind", "exit_status", "objects", "etcd_keys", "bytes")}
want = {"command": cmd, "kind": kind, "exit_status": int(st), "objects": int(o), "etcd_keys": int(k), "bytes": int(b)}
assert got == want, (got, want)
PY
}

# ---- create
set -- --cephconf "$src_conf" --etcd "$src_etcd" --passphrase-file "$T/pass" --kdf interactive
expect_exit 0 "create --json --metrics-file" btrdb-backup create -q --json --repo "$R" --name full "$@" --metrics-file "$T/create.prom"
pieces=$(cat "$R"/full/ARCHIVE*.bin | wc -c)
js "$T/last.out" create full 0 "$want_objs" "$want_keys" "$pieces" 2>"$T/e"
outcome $? "create --json: objects, etcd_keys and bytes as rados, etcdctl and the pieces say" "$(tail -1 "$T/e") $(cat "$T/last.out")"
metrics "$T/create.prom" create full 0 "$want_objs" "$want_keys" "$pieces" "$R" 2>"$T/e"
outcome $? "create's metrics file: the same values" "$(tail -1 "$T/e")"
grep -qx "objects=$want_objs" "$R/full/INFO" && grep -qx "etcd_keys=$want_keys" "$R/full/INFO"
outcome $? "INFO records the objects and keys" "$(tr '\n' ' ' <"$R/full/INFO")"
n=$(btr-split -q --join -d "$R/full" | btr-unseal -q --passphrase-file "$T/pass" | btr-inspect -q --json |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ceph_objects"], d["etcd_records"])')
[ "$n" = "$want_objs $want_keys" ]
outcome $? "btr-inspect counts the same in the backup" "$n"

# An etcd-only create: objects is not counted (null, NaN).
expect_exit 0 "create --skip-ceph --json" btrdb-backup create -q --json --repo "$R" --name etcdonly --skip-ceph \
	--etcd "$src_etcd" --passphrase-file "$T/pass" --kdf interactive --metrics-file "$T/etcd.prom"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["objects"] is None and d["etcd_keys"] == int(sys.argv[2]), d' \
	"$T/last.out" "$want_keys" 2>"$T/e"
outcome $? "--skip-ceph: objects null, etcd_keys counted" "$(tail -1 "$T/e") $(cat "$T/last.out")"
[ ! -s "$T/last.err" ]
outcome $? "--skip-ceph -q: nothing on stderr (no missing summary line is read)" "$(cat "$T/last.err")"
grep -qx "btrdb_backup_objects{command=\"create\",kind=\"full\",repo=\"$R\"} NaN" "$T/etcd.prom"
outcome $? "--skip-ceph: the objects metric is NaN" "$(grep objects "$T/etcd.prom")"

# ---- restore into another cluster, pools renamed
"$BTR_TOP/contrib/sandbox" pool "$T/dst" r_hot r_cold r_journal r_staging >/dev/null 2>&1 || fail "pools" "cannot create"
expect_exit 0 "restore --json --metrics-file" btrdb-backup restore -q --json --outputdir "$R/full" --passphrase-file "$T/pass" \
	--cephconf "$dst_conf" --etcd "$dst_etcd" --restore-pool btrdbhot:r_hot --restore-pool btrdbcold:r_cold \
	--restore-pool btrdbjournal:r_journal --restore-pool staging:r_staging --metrics-file "$T/restore.prom"
got_objs=$(objs "$dst_conf" r_hot r_cold r_journal r_staging) got_keys=$(keys "$dst_etcd")
[ "$got_objs" = "$want_objs" ] && [ "$got_keys" -gt 0 ] && [ "$got_keys" -le "$want_keys" ]
outcome $? "the restore holds every object, and the keys less the lease-bound ones ($got_objs, $got_keys)"
js "$T/last.out" restore full 0 "$got_objs" "$got_keys" "$pieces" 2>"$T/e"
outcome $? "restore --json: objects and etcd_keys as rados and etcdctl count the target" "$(tail -1 "$T/e") $(cat "$T/last.out")"
metrics "$T/restore.prom" restore full 0 "$got_objs" "$got_keys" "$pieces" "$R" 2>"$T/e"
outcome $? "restore's metrics file: the same values" "$(tail -1 "$T/e")"
grep -qx "Restore complete: restored $got_objs ceph objects, skipped 0 ceph objects and restored $got_keys etcd records" "$T/last.err" ||
	btrdb-backup restore --outputdir "$R/full" --passphrase-file "$T/pass" --cephconf "$dst_conf" --skip-etcd \
		--restore-pool btrdbhot:r_hot 2>&1 | grep -q "^Restore complete: restored $(objs "$src_conf" btrdbhot) ceph objects, skipped $((want_objs - $(objs "$src_conf" btrdbhot))) ceph objects and restored 0 etcd records$"
outcome $? "the Restore complete line counts from the loaders' summary lines"

# A restore that fails part way (a piece damaged): exit 1, the counts so far, exit_status 1.
cp -r "$R/full" "$T/bad"
last=$(ls "$T"/bad/ARCHIVE*.bin | tail -1)
printf 'X' | dd of="$last" bs=1 seek=$(($(stat -c %s "$last") / 2)) conv=notrunc 2>/dev/null
expect_exit 1 "restore of a damaged backup exits 1" btrdb-backup restore -q --json --outputdir "$T/bad" --passphrase-file "$T/pass" \
	--cephconf "$dst_conf" --skip-etcd --restore-pool btrdbhot:r_hot --metrics-file "$T/bad.prom"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["exit_status"] == 1 and d["etcd_keys"] is None and isinstance(d["objects"], int), d' \
	"$T/last.out" 2>"$T/e"
outcome $? "a failed restore's --json: exit_status 1, the objects counted so far" "$(tail -1 "$T/e") $(cat "$T/last.out")"
