# --summary-fd: the one key=value line of ceph-dump, etcd-dump, ceph-load and
# etcd-load, checked against independent counts (rados, etcdctl, btr-inspect --json),
# also on failure (the status and the counts so far).
. "$(dirname "$0")/lib.sh"

# field FILE KEY: the value of KEY in the one line of FILE
field() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }
one_line() { [ "$(wc -l <"$1")" = 1 ] && [ -z "$(tail -c1 "$1" | tr -d '\n')" ]; }

# ---- usage, without servers
for t in ceph-dump etcd-dump ceph-load etcd-load; do
	expect_exit 2 "$t --summary-fd 1 exits 2" $t --summary-fd 1 </dev/null
	grep -q "^$t: --summary-fd wants a descriptor number from 3 to 1023, not '1'$" "$T/last.err"; outcome $? "$t --summary-fd 1 message" "$(cat "$T/last.err")"
	expect_exit 2 "$t --summary-fd abc exits 2" $t --summary-fd abc </dev/null
	expect_exit 2 "$t --summary-fd of a closed descriptor exits 2" $t --summary-fd 9 </dev/null
	grep -q "^$t: --summary-fd 9: descriptor is not open" "$T/last.err"; outcome $? "$t closed descriptor message" "$(cat "$T/last.err")"
	expect_exit 2 "$t --summary-fd read-only exits 2" $t --summary-fd 3 3</dev/null </dev/null
	grep -q "^$t: --summary-fd 3: descriptor is not open for writing$" "$T/last.err"; outcome $? "$t read-only descriptor message" "$(cat "$T/last.err")"
done
# A usage error after --summary-fd still writes the line, with status 2.
ceph-load --summary-fd 3 --jobs 0 3>"$T/use.sum" </dev/null 2>/dev/null
one_line "$T/use.sum" && [ "$(field "$T/use.sum" status)" = 2 ] && [ "$(field "$T/use.sum" tool)" = ceph-load ]
outcome $? "a usage error writes status=2" "$(cat "$T/use.sum")"

if ! command -v ceph-dump >/dev/null; then skip "summary with servers" "ceph-dump is not built"; exit 0; fi
sandbox_up s
"$BTR_TOP/contrib/sandbox" seed "$T/s" --small >/dev/null 2>&1 || fail "seed" "sandbox seed failed"
"$BTR_TOP/contrib/sandbox" pool "$T/s" dst >/dev/null 2>&1 || fail "pools" "cannot create dst"
export ETCDCTL_API=3

# ---- ceph-dump
ceph-dump -q -c "$s_conf" -p btrdbhot --summary-fd 3 3>"$T/cd.sum" >"$T/hot.st"
outcome $? "ceph-dump with --summary-fd exits 0"
want=$(rados -c "$s_conf" -p btrdbhot --all ls | wc -l)
bytes=$(rados -c "$s_conf" -p btrdbhot --all ls --format json | python3 -c '
import json, sys, subprocess
n = 0
for o in json.load(sys.stdin):
    out = subprocess.run(["rados", "-c", sys.argv[1], "-p", "btrdbhot", "-N", o["namespace"], "stat", o["name"]], capture_output=True, text=True, check=True).stdout
    n += int(out.rsplit("size ", 1)[1])
print(n)' "$s_conf")
one_line "$T/cd.sum" && [ "$(field "$T/cd.sum" tool)" = ceph-dump ] && [ "$(field "$T/cd.sum" status)" = 0 ] &&
	[ "$(field "$T/cd.sum" objects)" = "$want" ] && [ "$(field "$T/cd.sum" bytes)" = "$bytes" ] && [ "$want" -gt 5 ] &&
	grep -Eq ' seconds=[0-9]+\.[0-9]{3}$' "$T/cd.sum"
outcome $? "ceph-dump's line: objects and bytes as rados counts them ($want, $bytes)" "$(cat "$T/cd.sum")"
[ "$(btr-inspect --json <"$T/hot.st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ceph_objects"])' 2>/dev/null)" = "$want" ]
outcome $? "btr-inspect counts the same objects" "$(btr-inspect --json <"$T/hot.st" | head -c 300)"

# ---- etcd-dump
etcd-dump -q --endpoints "$s_etcd" --summary-fd 3 3>"$T/ed.sum" >"$T/etcd.st"
outcome $? "etcd-dump with --summary-fd exits 0"
keys=$(etcdctl --endpoints "$s_etcd" get "" --prefix --keys-only --limit 1 --write-out json | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
one_line "$T/ed.sum" && [ "$(field "$T/ed.sum" tool)" = etcd-dump ] && [ "$(field "$T/ed.sum" status)" = 0 ] &&
	[ "$(field "$T/ed.sum" keys)" = "$keys" ] && [ "$keys" -gt 5 ]
outcome $? "etcd-dump's line: keys as etcdctl counts them ($keys)" "$(cat "$T/ed.sum")"

# ---- ceph-load
ceph-load -q -c "$s_conf" -p btrdbhot:dst --summary-fd 3 3>"$T/cl.sum" <"$T/hot.st"
outcome $? "ceph-load with --summary-fd exits 0"
got=$(rados -c "$s_conf" -p dst --all ls | wc -l)
one_line "$T/cl.sum" && [ "$(field "$T/cl.sum" tool)" = ceph-load ] && [ "$(field "$T/cl.sum" status)" = 0 ] &&
	[ "$(field "$T/cl.sum" objects)" = "$got" ] && [ "$got" = "$want" ] && [ "$(field "$T/cl.sum" bytes)" = "$bytes" ] &&
	[ "$(field "$T/cl.sum" skipped)" = 0 ] && [ "$(field "$T/cl.sum" deleted)" = 0 ]
outcome $? "ceph-load's line: objects as rados counts them in the target" "$(cat "$T/cl.sum")"
# A mixed stream: the etcd records are counted as other.
cat "$T/etcd.st" "$T/hot.st" | ceph-load -q -c "$s_conf" -p btrdbhot:dst --summary-fd 3 3>"$T/cl2.sum"
[ "$(field "$T/cl2.sum" other)" -ge "$keys" ] && [ "$(field "$T/cl2.sum" objects)" = "$want" ]
outcome $? "ceph-load counts the other records" "$(cat "$T/cl2.sum")"

# Failure: a whole segment, then a truncated one.  The line carries status 1 and the
# objects restored before (at least the first segment's).
{ cat "$T/hot.st"; head -c $(($(stat -c %s "$T/hot.st") * 2 / 3)) "$T/hot.st"; } >"$T/cut.st"
expect_exit 1 "ceph-load of a cut stream exits 1" ceph-load -q -c "$s_conf" -p btrdbhot:dst --summary-fd 3 3>"$T/cut.sum" <"$T/cut.st"
one_line "$T/cut.sum" && [ "$(field "$T/cut.sum" status)" = 1 ] && n=$(field "$T/cut.sum" objects) && [ "$n" -ge "$want" ] && [ "$n" -lt $((2 * want)) ]
outcome $? "a failed ceph-load writes status=1 and the count so far" "$(cat "$T/cut.sum")"

# ---- etcd-load (over the same keys: a put of each)
etcd-load -q --endpoints "$s_etcd" --summary-fd 3 3>"$T/el.sum" <"$T/etcd.st"
outcome $? "etcd-load with --summary-fd exits 0"
r=$(field "$T/el.sum" keys) l=$(field "$T/el.sum" leased)
one_line "$T/el.sum" && [ "$(field "$T/el.sum" tool)" = etcd-load ] && [ "$(field "$T/el.sum" status)" = 0 ] &&
	[ $((r + l)) = "$keys" ] && [ "$r" -gt 0 ]
outcome $? "etcd-load's line: restored + lease-bound = etcdctl's count" "$(cat "$T/el.sum")"

# ---- failure to reach the server: status 3, counts 0
expect_exit 3 "etcd-dump of a dead endpoint exits 3" etcd-dump -q --endpoints 127.0.0.1:1 --dial-timeout 1s --summary-fd 3 3>"$T/dead.sum" >/dev/null
one_line "$T/dead.sum" && [ "$(field "$T/dead.sum" status)" = 3 ] && [ "$(field "$T/dead.sum" keys)" = 0 ]
outcome $? "etcd-dump that cannot connect writes status=3" "$(cat "$T/dead.sum")"
etcd-load -q --endpoints 127.0.0.1:1 --dial-timeout 1s --summary-fd 3 3>"$T/dead2.sum" <"$T/etcd.st" 2>/dev/null
[ "$(field "$T/dead2.sum" status)" = 3 ] && one_line "$T/dead2.sum"
outcome $? "etcd-load that cannot connect writes status=3" "$(cat "$T/dead2.sum")"

# ---- stopped by a signal: the line still comes, with 128 + the signal
ceph-dump -q -c "$s_conf" -p btrdbhot --limit-rate 2M --summary-fd 3 3>"$T/sig.sum" >"$T/sig.st" &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 143 ] && one_line "$T/sig.sum" && [ "$(field "$T/sig.sum" status)" = 143 ] && [ -n "$(field "$T/sig.sum" objects)" ]
outcome $? "a ceph-dump stopped by SIGTERM writes status=143 (exit $rc)" "$(cat "$T/sig.sum")"
