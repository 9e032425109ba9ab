# The catalog of a repository (--repo): INFO per backup, list [--json], prune with
# a chain-aware policy.  A month of daily backups (a full on Sundays, an incremental
# over the day before otherwise) is made against a real Ceph with BTR_NOW faking the
# dates, pruned, and what remains is checked exactly and restored.
. "$(dirname "$0")/lib.sh"

printf 'cat-Pass phrase 99\n' >"$T/pass"
chmod 600 "$T/pass"
export TMPDIR=$T
R=$T/repo
mkdir "$R"

# ---- usage, without servers
expect_exit 2 "prune without a policy exits 2" btrdb-backup prune --repo "$R"
expect_err "prune without a policy message" "prune needs a policy"
expect_exit 2 "list without --repo exits 2" btrdb-backup list
expect_err "list without --repo message" "list needs --repo DIR"
expect_exit 2 "a bad count exits 2" btrdb-backup prune --repo "$R" --keep-daily x3
expect_err "a bad count message" "--keep-daily wants a count"
expect_exit 2 "--repo with --outputdir exits 2" btrdb-backup create --repo "$R" --outputdir "$T/x" --skip-ceph
expect_err "--repo with --outputdir message" "--repo and --outputdir exclude each other"
expect_exit 2 "--keep-last with list exits 2" btrdb-backup list --repo "$R" --keep-last 1
expect_err "--keep-last with list message" "--keep-last does not apply to list"
expect_exit 2 "list of a missing repository exits 2" btrdb-backup list --repo "$T/nope"
expect_err "missing repository message" "nope: no such repository directory"

# Completion offers the new commands and their options.
comp() { # comp WORD...: the completions of the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _f=$(complete -p "$1" | sed "s/.*-F \([^ ]*\).*/\1/"); $_f; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$BTR_TOP/contrib/completion/btrdb-backup.bash" "$@"
}
got=$(comp btrdb-backup l; comp btrdb-backup p; comp btrdb-backup prune --keep-w)
[ "$(echo $got)" = "list prune --keep-weekly" ] && pass "completion: list, prune and their options" || fail "completion" "$(echo $got)"

# ---- a month of backups
if ! command -v ceph-dump >/dev/null; then skip "catalog with Ceph" "ceph-dump is not built"; exit 0; fi
sandbox_up cs --no-etcd
"$BTR_TOP/contrib/sandbox" pool "$T/cs" src dst >/dev/null 2>&1 || fail "pools" "cannot create"
mkdir "$T/src"
day() { printf '2026-11-%02dT1200Z' "$1"; }
ok=1 prev=''
for i in $(seq 1 28); do
	head -c $((500 + i)) /dev/urandom >"$T/src/d$i"
	head -c 700 /dev/urandom >"$T/src/common"
	rados -c "$cs_conf" -p src put "d$i" "$T/src/d$i" && rados -c "$cs_conf" -p src put common "$T/src/common" || ok=0
	(cd "$T/src" && md5sum -- * | sort -k 2) >"$T/state.$(day "$i")"
	set -- btrdb-backup create -q --kdf interactive --passphrase-file "$T/pass" --cephconf "$cs_conf" --include-pool src --skip-etcd --repo "$R"
	# 2026-11-01 is a Sunday.
	[ $(((i - 1) % 7)) = 0 ] || set -- "$@" --incremental-over "$prev"
	BTR_NOW="2026-11-$(printf %02d "$i") 12:00:30Z" "$@" >"$T/last.out" 2>"$T/last.err" || { ok=0; fail "create day $i" "$(head -c 300 "$T/last.err")"; break; }
	prev=$(day "$i")
done
[ $ok = 1 ] && [ -d "$R/$(day 28)" ] && pass "28 daily backups in the repository, named by their time" || fail "28 daily backups" "$(ls "$R" | tr '\n' ' ')"
grep -qx 'type=full' "$R/$(day 8)/INFO" && grep -qx 'parent=' "$R/$(day 8)/INFO" && grep -qx 'complete=yes' "$R/$(day 8)/INFO" &&
	grep -qx 'start=2026-11-08T12:00:30Z' "$R/$(day 8)/INFO" && grep -qx 'sealing=passphrase' "$R/$(day 8)/INFO" &&
	pass "INFO of a full" || fail "INFO of a full" "$(tr '\n' ' ' <"$R/$(day 8)/INFO")"
grep -qx 'type=incremental' "$R/$(day 9)/INFO" && grep -qx "parent=$(day 8)" "$R/$(day 9)/INFO" &&
	grep -qx "bytes=$(cat "$R/$(day 9)"/* | wc -c | awk -v i="$(wc -c <"$R/$(day 9)/INFO")" '{ print $1 - i }')" "$R/$(day 9)/INFO" &&
	pass "INFO of an incremental: its parent and bytes" || fail "INFO of an incremental" "$(tr '\n' ' ' <"$R/$(day 9)/INFO")"
expect_exit 2 "create into an existing name exits 2" env BTR_NOW="2026-11-28 12:00:59Z" btrdb-backup create -q --passphrase-file "$T/pass" --cephconf "$cs_conf" --include-pool src --skip-etcd --repo "$R"
expect_err "existing name message" "already exists"

# Damage: an entry without INFO, an old and a fresh leftover of a failed create.
mkdir "$R/junk" "$R/old.partial" "$R/fresh.partial"
touch -d '2026-11-26 12:00Z' "$R/old.partial"
touch -d '2026-11-28 12:30Z' "$R/fresh.partial"
expect_exit 0 "list" btrdb-backup list --repo "$R"
grep -Eq "^  $(day 2) +incremental +ok " "$T/last.out" && grep -Eq "^junk +- +broken " "$T/last.out" &&
	pass "list: the incremental under its parent, the broken entry shown" || fail "list table" "$(head -c 600 "$T/last.out")"
expect_exit 0 "list --json" btrdb-backup list --repo "$R" --json
python3 - "$T/last.out" <<'PY' && pass "list --json parses: 28 ok backups newest last, junk broken, partials" || fail "list --json" "$(head -c 300 "$T/last.out")"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["backups"]
ok = [x for x in b if x["state"] == "ok"]
assert d["format"] == 1 and len(ok) == 28, len(ok)
assert ok[-1]["name"] == "2026-11-28T1200Z" and ok[0]["name"] == "2026-11-01T1200Z"
assert [x["start"] for x in ok] == sorted(x["start"] for x in ok)
assert ok[1]["type"] == "incremental" and ok[1]["parent"] == "2026-11-01T1200Z"
assert ok[0]["parent"] is None and isinstance(ok[0]["bytes"], int) and ok[0]["pieces"] >= 1
st = {x["name"]: x["state"] for x in b}
assert st["junk"] == "broken" and st["old.partial"] == "partial"
PY

POLICY="--keep-last 2 --keep-daily 4 --keep-weekly 3 --keep-monthly 2"
ls "$R" >"$T/before"
expect_exit 0 "prune dry run" env BTR_NOW="2026-11-28 13:00Z" btrdb-backup prune --repo "$R" $POLICY
ls "$R" >"$T/after"
same "a dry run removes nothing" "$T/before" "$T/after"
grep -Eq "^remove +$(day 21) " "$T/last.out" && grep -Eq "^keep +$(day 23) +base of $(day 24)" "$T/last.out" &&
	pass "the plan names removals and bases kept" || fail "the plan" "$(tr '\n' '|' <"$T/last.out")"
# A create (shared lock) in progress: prune refuses, removes nothing.
( exec 7>>"$R/.lock" && flock -s 7 && exec sleep 30 ) &
holder=$!
sleep 0.3
expect_exit 3 "prune during a create exits 3" env BTR_NOW="2026-11-28 13:00Z" btrdb-backup prune --repo "$R" $POLICY --yes
expect_err "prune during a create message" "in use by another create or prune"
kill "$holder"; wait "$holder" 2>/dev/null
ls "$R" >"$T/after"
same "a locked prune removes nothing" "$T/before" "$T/after"

expect_exit 0 "prune --yes" env BTR_NOW="2026-11-28 13:00Z" btrdb-backup prune --repo "$R" $POLICY --yes
# Kept by policy: 28, 27 (last), 26, 25 (daily), 22, 15 (weekly); 23, 24 as bases; 15 and 22 are fulls.
{ day 15; echo; for i in 22 23 24 25 26 27 28; do day "$i"; echo; done; echo fresh.partial; echo junk; } | sort >"$T/want"
ls -A "$R" | grep -v '^\.lock$' | sort >"$T/have"
same "exactly the policy's backups and their bases remain" "$T/want" "$T/have"
expect_exit 0 "list --json after prune" btrdb-backup list --repo "$R" --json
python3 - "$T/last.out" >"$T/chains" <<'PY' && pass "every remaining incremental resolves to a full in the repository" || fail "chains" "$(cat "$T/chains")"
import json, sys
b = {x["name"]: x for x in json.load(open(sys.argv[1]))["backups"] if x["state"] == "ok"}
for n, x in sorted(b.items()):
	chain = [n]
	while b[chain[-1]]["type"] == "incremental":
		p = b[chain[-1]]["parent"]
		assert p in b, (n, p)
		chain.append(p)
	print(n, " ".join(reversed(chain)))
PY
expect_exit 0 "prune --remove-broken" env BTR_NOW="2026-11-28 13:00Z" btrdb-backup prune --repo "$R" $POLICY --yes --remove-broken
[ ! -e "$R/junk" ] && [ -d "$R/$(day 15)" ] && pass "--remove-broken removes the broken entry only" || fail "--remove-broken" "$(ls "$R" | tr '\n' ' ')"

# ---- verify: the result recorded in INFO and shown by list
expect_exit 2 "verify --repo without --name exits 2" btrdb-backup verify --repo "$R" --passphrase-file "$T/pass"
expect_err "verify --repo without --name message" "verify --repo needs --name"
expect_exit 0 "verify a backup of the repository" env BTR_NOW="2026-11-28 14:00Z" btrdb-backup verify -q --repo "$R" --name "$(day 28)" --passphrase-file "$T/pass"
grep -qx 'verify_result=ok' "$R/$(day 28)/INFO" && grep -qx 'last_verified=2026-11-28T14:00:00Z' "$R/$(day 28)/INFO" &&
	pass "verify records its result in INFO" || fail "verify records its result" "$(tr '\n' ' ' <"$R/$(day 28)/INFO")"
expect_exit 0 "list --json after verify" btrdb-backup list --repo "$R" --json
python3 -c 'import json,sys; b={x["name"]: x for x in json.load(open(sys.argv[1]))["backups"]}; x=b[sys.argv[2]]; assert (x["verify_result"], x["last_verified"]) == ("ok", "2026-11-28T14:00:00Z"); assert b[sys.argv[3]]["verify_result"] is None' \
	"$T/last.out" "$(day 28)" "$(day 27)" && pass "list shows the verification" || fail "list shows the verification" "$(head -c 300 "$T/last.out")"
# --metrics-file, read by the Prometheus client's own parser (Debian's python3).
M=$T/metrics.prom
expect_exit 0 "verify --metrics-file" env BTR_NOW="2026-11-28 14:30Z" btrdb-backup verify -q --repo "$R" --name "$(day 27)" --passphrase-file "$T/pass" --metrics-file "$M"
metrics() { # metrics WANT_STATUS WANT_LAST: the file parses; its values
	/usr/bin/python3 - "$M" "$1" "$2" "$R" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
v = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
	for s in fam.samples:
		assert s.labels == {"command": "verify", "kind": "incremental", "repo": sys.argv[4]}, s.labels
		v[s.name] = s.value
names = ["last_success_timestamp_seconds", "duration_seconds", "bytes", "objects", "etcd_keys", "exit_status"]
assert sorted(v) == sorted("btrdb_backup_" + n for n in names), sorted(v)
assert v["btrdb_backup_exit_status"] == float(sys.argv[2]), v
assert v["btrdb_backup_last_success_timestamp_seconds"] == float(sys.argv[3]), v
assert v["btrdb_backup_bytes"] > 0 and v["btrdb_backup_duration_seconds"] > 0, v
if sys.argv[2] == "0":
	assert v["btrdb_backup_objects"] == 2 and v["btrdb_backup_etcd_keys"] == 0, v
PY
}
when=$(date -u -d '2026-11-28 14:30Z' +%s)
metrics 0 "$when" 2>"$T/m.err" && pass "the metrics file parses, with the verify's values" || fail "metrics file" "$(tail -1 "$T/m.err") $(cat "$M")"
expect_exit 0 "verify --json" btrdb-backup verify -q --json --repo "$R" --name "$(day 27)" --passphrase-file "$T/pass"
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d["command"] == "verify" and d["kind"] == "incremental" and d["exit_status"] == 0 and d["objects"] == 2 and d["bytes"] > 0 and d["dir"].endswith(sys.argv[2]), d' \
	"$T/last.out" "$(day 27)" && pass "verify --json prints one summary object" || fail "verify --json" "$(head -c 300 "$T/last.out")"
printf 'wrong\n' >"$T/wrongpw"; chmod 600 "$T/wrongpw"
expect_exit 1 "a failed verify with --metrics-file exits 1" env BTR_NOW="2026-11-28 15:00Z" btrdb-backup verify -q --outputdir "$R/$(day 27)" --passphrase-file "$T/wrongpw" --metrics-file "$M"
metrics 1 "$when" 2>"$T/m.err" && pass "a failure keeps the last success time, exit_status 1" || fail "metrics after a failure" "$(tail -1 "$T/m.err") $(cat "$M")"
cp -r "$R/$(day 27)" "$T/bad"
printf 'X' | dd of="$T/bad/ARCHIVE00000.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit 1 "verify a damaged piece exits 1" btrdb-backup verify --outputdir "$T/bad" --passphrase-file "$T/pass"
expect_err "damaged piece message" "verify: the pieces of $T/bad do not match its manifest"
grep -qx 'verify_result=failed' "$T/bad/INFO" && pass "a failed verify is recorded" || fail "a failed verify is recorded" "$(tr '\n' ' ' <"$T/bad/INFO")"
printf 'wrong one\n' >"$T/wrong"; chmod 600 "$T/wrong"
expect_exit 1 "verify with a wrong passphrase exits 1" btrdb-backup verify -q --outputdir "$R/$(day 26)" --passphrase-file "$T/wrong"
grep -qx 'verify_result=failed' "$R/$(day 26)/INFO" && pass "a wrong key is recorded as failed" || fail "wrong key recorded" "$(tr '\n' ' ' <"$R/$(day 26)/INFO")"

# --against-cluster: the loaders' --verify against the live source.
expect_exit 2 "--cephconf without --against-cluster exits 2" btrdb-backup verify --repo "$R" --name "$(day 28)" --passphrase-file "$T/pass" --cephconf "$cs_conf"
expect_err "--cephconf without --against-cluster message" "go with --against-cluster"
expect_exit 0 "verify --against-cluster, unchanged" btrdb-backup verify -q --repo "$R" --name "$(day 28)" --passphrase-file "$T/pass" --against-cluster --cephconf "$cs_conf" --skip-etcd
head -c 700 /dev/urandom >"$T/changed"
rados -c "$cs_conf" -p src put common "$T/changed"
expect_exit 1 "verify --against-cluster after a change exits 1" btrdb-backup verify -q --repo "$R" --name "$(day 28)" --passphrase-file "$T/pass" --against-cluster --cephconf "$cs_conf" --skip-etcd
grep -q "verify: the cluster differs from the backup" "$T/last.err" && grep -qx 'verify_result=differs-from-cluster' "$R/$(day 28)/INFO" &&
	pass "the difference is reported and recorded" || fail "the difference is reported and recorded" "$(cat "$T/last.err") $(grep verify_ "$R/$(day 28)/INFO")"

# Restores: each chain, full first, into a cleared pool equals the source that day.
for d in "$(day 15)" "$(day 24)" "$(day 28)"; do
	btrdb-backup clear -q --cephconf "$cs_conf" --include-pool dst --skip-etcd || fail "clear dst" "exit $?"
	ok=1
	for b in $(awk -v d="$d" '$1 == d { $1 = ""; print }' "$T/chains"); do
		btrdb-backup restore -q --passphrase-file "$T/pass" --cephconf "$cs_conf" --skip-etcd --restore-pool src:dst --outputdir "$R/$b" 2>"$T/last.err" || { ok=0; fail "restore $b" "$(cat "$T/last.err")"; }
	done
	mkdir -p "$T/got.$d"
	for o in $(rados -c "$cs_conf" -p dst ls); do rados -c "$cs_conf" -p dst get "$o" "$T/got.$d/$o"; done
	(cd "$T/got.$d" && md5sum -- * | sort -k 2) >"$T/got.$d.md5"
	[ $ok = 1 ] && same "the chain of $d restores identically" "$T/state.$d" "$T/got.$d.md5"
done
