# contrib/: the systemd units, the cron example and the bash completion say what
# they do: their commands run (with the paths pointed into the test directory)
# against real servers and make the backups they promise.
. "$(dirname "$0")/lib.sh"

C=$BTR_TOP/contrib
mkdir -p "$T/etc" "$T/bk" "$T/metrics"
export METRICS_DIR=$T/metrics
printf 'contrib test passphrase\n' >"$T/etc/passphrase"
chmod 600 "$T/etc/passphrase"
btr-keygen -o "$T/etc/backup.key" >/dev/null 2>&1 && cp "$T/etc/backup.key.pub" "$T/etc/backup.pub"
btr-keygen -o "$T/etc/host.key" >/dev/null 2>&1 || fail "btr-keygen" "cannot make keys"

if command -v systemd-analyze >/dev/null; then
	out=$(cd "$C/systemd" && systemd-analyze verify ./*.service ./*.timer 2>&1)
	[ -z "$out" ]
	outcome $? "systemd-analyze verify accepts the units" "$(printf '%s' "$out" | head -3 | tr '\n' '|')"
else
	skip "systemd-analyze verify accepts the units" "systemd-analyze not installed"
fi
for u in etcd ceph; do
	grep -q "^Unit=\|^\[Timer\]" "$C/systemd/btrdb-backup-$u.timer" && grep -q '^OnCalendar=' "$C/systemd/btrdb-backup-$u.timer"
	outcome $? "btrdb-backup-$u.timer has a schedule" "no OnCalendar"
done

# unit_cmd UNIT: the shell script of its ExecStart as systemd would hand it to sh
# (continuations joined, $$ and %% unescaped), with /etc/btrdb-backup pointing here.
unit_cmd() {
	awk '/^ExecStart=/ {on=1; sub(/^ExecStart=\/bin\/sh -c /, "")} on {l=$0; c=sub(/\\$/, "", l); s=s l; if (!c) {on=0}} END {print s}' "$1" |
		sed -e "s/^'//" -e "s/'\$//" -e 's/\$\$/$/g' -e 's/%%/%/g' -e "s|/etc/btrdb-backup|$T/etc|g"
}
# cron_cmd N: the command of the Nth job line of the cron example, as cron runs it.
cron_cmd() {
	grep -E '^[0-9*]' "$C/cron.example" | sed -n "${1}p" | awk '{for (i = 7; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "\n")}' |
		sed -e 's/\\%/%/g' -e "s|/etc/btrdb-backup|$T/etc|g" -e "s|/var/backups/btrdb|$T/bk|g" \
			-e "s|/var/lib/prometheus/node-exporter|$T/metrics|g"
}

sandbox_up s --no-ceph
export ETCDCTL_API=3
for i in 1 2 3; do etcdctl --endpoints "$s_etcd" put "btrdb/g/k$i" "v$i" >/dev/null; done
env BACKUP_ROOT="$T/bk" ETCD="$s_etcd" sh -c "$(unit_cmd "$C/systemd/btrdb-backup-etcd.service")" >"$T/last.out" 2>"$T/last.err"
rc=$?
d=$(ls -1d "$T"/bk/etcd/*Z 2>/dev/null | tail -n 1)
[ "$rc" = 0 ] && [ -n "$d" ]
outcome $? "the etcd unit's command makes a backup" "exit $rc: $(tail -2 "$T/last.err")"
[ ! -s "$T/last.out" ] && [ ! -s "$T/last.err" ]
outcome $? "the etcd unit is silent on success (prune -q too)" "$(cat "$T/last.out" "$T/last.err" | head -3 | tr '\n' '|')"
/usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as p
v = {s.name: s.value for f in p(open(sys.argv[1]).read()) for s in f.samples}
assert v["btrdb_backup_exit_status"] == 0 and v["btrdb_backup_etcd_keys"] == 3, v
v = {(s.name, s.labels["command"]) for f in p(open(sys.argv[2]).read()) for s in f.samples}
assert ("btrdb_backup_exit_status", "prune") in v, v' "$T/metrics/btrdb_backup_etcd.prom" "$T/metrics/btrdb_backup_etcd_prune.prom" 2>"$T/m.err"
outcome $? "the etcd unit writes the create and prune metrics" "$(tail -1 "$T/m.err")"
if [ -n "$d" ]; then
	expect_exit 0 "the etcd unit's backup inspects" btrdb-backup inspect --outputdir "$d" --passphrase-file "$T/etc/passphrase"
	grep -q 'and 3 etcd records' "$T/last.out"
	outcome $? "the etcd unit's backup holds the keys" "$(head -1 "$T/last.out")"
	rm -rf "$d"
fi
cmd=$(cron_cmd 1 | sed "s/127.0.0.1:2379/$s_etcd/")
sh -c "$cmd" >"$T/last.out" 2>"$T/last.err"
rc=$?
d=$(ls -1d "$T"/bk/etcd/*Z 2>/dev/null | tail -n 1)
[ "$rc" = 0 ] && [ -n "$d" ]
outcome $? "the cron etcd job makes a backup" "exit $rc: $(tail -2 "$T/last.err")"
[ ! -s "$T/last.out" ] && [ ! -s "$T/last.err" ] && pass "the cron etcd job is silent on success (no mail)" ||
	fail "the cron etcd job is silent on success (no mail)" "$(cat "$T/last.out" "$T/last.err" | head -3 | tr '\n' '|')"

# The Ceph jobs: full, then incremental over the newest complete backup (never a
# .partial one).
if command -v ceph-dump >/dev/null; then
	sandbox_up c --no-etcd
	"$C/sandbox" pool "$T/c" btrdbhot btrdbcold btrdbjournal >/dev/null 2>&1
	echo data | rados -c "$c_conf" -p btrdbhot put a -
	rm -rf "$T/bk"; mkdir "$T/bk"
	CEPH_CONF=$c_conf sh -c "$(cron_cmd 2)" >"$T/last.out" 2>"$T/last.err"
	rc=$?
	full=$(ls -1d "$T"/bk/ceph/*Z 2>/dev/null | tail -n 1)
	[ "$rc" = 0 ] && [ -n "$full" ]
	outcome $? "the cron full Ceph job makes a backup" "exit $rc: $(tail -2 "$T/last.err")"
	[ -n "$full" ] && mkdir "$full.partial"	# a killed run must not become the base
	echo more | rados -c "$c_conf" -p btrdbhot put b -
	sleep 1	# a new name (the time in seconds)
	CEPH_CONF=$c_conf sh -c "$(cron_cmd 3)" >"$T/last.out" 2>"$T/last.err"
	rc=$?
	incr=$(ls -1d "$T"/bk/ceph/*Z 2>/dev/null | tail -n 1)
	[ "$rc" = 0 ] && [ "$incr" != "$full" ]
	outcome $? "the cron incremental Ceph job makes a backup" "exit $rc: $(tail -2 "$T/last.err")"
	expect_exit 0 "the host cannot read it but the offline key can" btrdb-backup inspect --outputdir "$incr" --identity "$T/etc/backup.key"
	grep -q '^archive contains 1 ceph objects' "$T/last.out"
	outcome $? "the cron incremental holds only the change" "$(head -1 "$T/last.out")"
	expect_exit 1 "the host key cannot read the backup" btrdb-backup inspect --outputdir "$incr" --identity "$T/etc/host.key"
	grep -qx "parent=$(basename "$full")" "$incr/INFO"
	outcome $? "the cron incremental is over the full in the repository" "$(tr '\n' ' ' <"$incr/INFO")"
	sh -c "$(cron_cmd 4)" >"$T/last.out" 2>"$T/last.err"
	rc=$?
	[ "$rc" = 0 ] && [ ! -s "$T/last.out" ] && [ ! -s "$T/last.err" ] && grep -qx verify_result=ok "$incr/INFO" && grep -qx verify_sample=10 "$incr/INFO"
	outcome $? "the cron verify job verifies the newest with a 10% sample, silently" "exit $rc: $(cat "$T/last.err" | head -2) $(tr '\n' ' ' <"$incr/INFO")"
	rm -rf "$T/bk"; mkdir "$T/bk"
	env BACKUP_ROOT="$T/bk" CEPHCONF="$c_conf" sh -c "$(unit_cmd "$C/systemd/btrdb-backup-ceph.service")" >"$T/last.out" 2>"$T/last.err"
	rc=$?
	[ "$rc" = 0 ] && [ -n "$(ls -1d "$T"/bk/ceph/*Z 2>/dev/null)" ]
	outcome $? "the Ceph unit's command makes a backup" "exit $rc: $(tail -2 "$T/last.err")"
	sleep 1
	env BACKUP_ROOT="$T/bk" CEPHCONF="$c_conf" sh -c "$(unit_cmd "$C/systemd/btrdb-backup-ceph.service")" >"$T/last.out" 2>"$T/last.err"
	rc=$?
	if [ "$(date -u +%u)" = 7 ]; then want='skipping incremental metadata'; else want='skipped 2 unchanged'; fi
	[ "$rc" = 0 ] && grep -q "$want" "$T/last.err" && pass "the Ceph unit's second run is full on Sundays, else incremental" ||
		fail "the Ceph unit's second run is full on Sundays, else incremental" "exit $rc: $(tail -3 "$T/last.err" | tr '\n' '|')"
	env BACKUP_ROOT="$T/bk" sh -c "$(unit_cmd "$C/systemd/btrdb-backup-verify.service")" >"$T/last.out" 2>"$T/last.err"
	rc=$?
	newest=$(ls -1d "$T"/bk/ceph/*Z | tail -n 1)
	[ "$rc" = 0 ] && grep -qx verify_result=ok "$newest/INFO" && grep -qx verify_sample=10 "$newest/INFO" &&
		grep -q '^btrdb_backup_exit_status{command="verify",.*} 0$' "$T/metrics/btrdb_backup_verify.prom"
	outcome $? "the verify unit verifies the newest Ceph backup (10% sample), recorded and in the metrics" "exit $rc: $(tail -2 "$T/last.err")"
	btrdb-backup list --repo "$T/bk/ceph" | grep -q ' ok (10% sample) -$'
	outcome $? "list shows the unit's verification" "$(btrdb-backup list --repo "$T/bk/ceph" | tr '\n' '|')"
	# node_exporter's textfile collector refuses a series written by two files.
	/usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as p
seen = {}
for f in sys.argv[1:]:
	for fam in p(open(f).read()):
		for s in fam.samples:
			k = (s.name, tuple(sorted(s.labels.items())))
			assert k not in seen, (k, seen.get(k), f)
			seen[k] = f
assert len(sys.argv) > 4, sys.argv' "$T"/metrics/*.prom 2>"$T/m.err"
	outcome $? "the units' metrics files never write the same series" "$(tail -1 "$T/m.err")"
else
	skip "the Ceph jobs of the units and the cron example" "ceph-dump is not built on this branch"
fi

# Bash completion: commands, each tool's options from its --help, pools.
comp() { # comp WORD...: the completions of the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _f=$(complete -p "$1" | sed "s/.*-F \([^ ]*\).*/\1/"); $_f; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$C/completion/btrdb-backup.bash" "$@"
}
[ "$(comp btrdb-backup cr)" = create ] && pass "completion: commands" || fail "completion: commands" "$(comp btrdb-backup cr | tr '\n' ' ')"
got=$(comp btrdb-backup create --inc | tr '\n' ' ')
[ "$got" = "--include-pool --incremental-over " ]
outcome $? "completion: btrdb-backup options" "$got"
for t in btr-seal btr-unseal btr-split btr-inspect btr-keygen etcd-dump etcd-load ceph-load ceph-dump btr-filter legacy-dump; do
	command -v "$t" >/dev/null || continue
	n=$(comp "$t" -- | grep -c '^--')
	[ "$n" -ge 1 ] && pass "completion: $t options ($n)" || fail "completion: $t options" "$n"
done
[ "$(comp btrdb-backup conv)" = convert ] && pass "completion: convert" || fail "completion: convert" "$(comp btrdb-backup conv | tr '\n' ' ')"
got=$(comp btrdb-backup convert --old | tr '\n' ' ')
[ "$got" = "--old-passphrase-file " ] && pass "completion: convert's options" || fail "completion: convert's options" "$got"
mkdir -p "$T/dirs/backup_one"
got=$(cd "$T/dirs" && comp btrdb-backup inspect --outputdir back)
[ "$got" = backup_one ]
outcome $? "completion: directories for --outputdir" "$got"
