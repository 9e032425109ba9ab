# contrib/kubernetes: every manifest parses (python3-yaml) and agrees with what
# entrypoint.sh reads; the entrypoint runs 4 times as the Indexed Job's pods would
# (JOB_COMPLETION_INDEX=0..3) against a real Ceph, its uploads going to a local
# directory standing in for object storage, and the 4 slices restored into clean
# pools of another cluster are identical to the source; the etcd and incremental
# modes run too.  Kubernetes itself is not reachable here (see its README).
. "$(dirname "$0")/lib.sh"

K=$BTR_TOP/contrib/kubernetes
EP=$K/entrypoint.sh

# ---- the manifests
/usr/bin/python3 - "$K" <<'PY' >"$T/yaml.out" 2>&1
import glob, os, re, sys, yaml
k = sys.argv[1]
ep = open(os.path.join(k, "entrypoint.sh")).read()
docs = []
for f in sorted(glob.glob(os.path.join(k, "*.yaml"))):
    for d in yaml.safe_load_all(open(f)):
        if d:
            docs.append((os.path.basename(f), d))
by_kind = {}
for f, d in docs:
    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
def check(name, cond, why=""):
    print(("PASS: " if cond else "FAIL: ") + name + ("" if cond else ": " + str(why)))
check("every manifest parses, with the kinds wanted", sorted(by_kind) == ["ConfigMap", "CronJob", "Job", "PersistentVolumeClaim", "Secret"], sorted(by_kind))
check("the secrets and the configmap", set(by_kind["Secret"]) == {"btrdb-backup-ceph-keyring", "btrdb-backup-recipient", "btrdb-backup-host-key"}
      and set(by_kind["ConfigMap"]) == {"btrdb-backup-ceph-conf"} and "ceph.conf" in by_kind["ConfigMap"]["btrdb-backup-ceph-conf"]["data"], by_kind["Secret"].keys())
# The variables the entrypoint reads (and those librados and the upload command read).
reads = set(re.findall(r"\$\{?!?([A-Z][A-Z0-9_]+)", ep)) | set(re.findall(r"need ([A-Z_]+)", ep)) | {"CEPH_ARGS"}
defaults = dict(re.findall(r"^([A-Z_]+)=\$\{[A-Z_]+:-(/[^}]*)\}$", ep, re.M))
pods = {}
for n, cj in by_kind["CronJob"].items():
    pods[n] = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
for n, j in by_kind["Job"].items():
    pods[n] = j["spec"]["template"]["spec"]
modes = {}
for n, spec in pods.items():
    c = spec["containers"][0]
    env = {e["name"]: e for e in c.get("env", [])}
    modes[n] = env["BTR_MODE"]["value"]
    val = {k: e.get("value", "") for k, e in env.items()}
    for name in env:
        used = name in reads or any("$" + name in v for v in val.values())
        check("%s: env %s is read by the entrypoint" % (n, name), used)
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    for m in c["volumeMounts"]:
        check("%s: volume %s exists" % (n, m["name"]), m["name"] in vols)
    for v in vols.values():
        if "secret" in v:
            check("%s: secret %s is defined" % (n, v["secret"]["secretName"]), v["secret"]["secretName"] in by_kind["Secret"])
        if "configMap" in v:
            check("%s: configmap %s is defined" % (n, v["configMap"]["name"]), v["configMap"]["name"] in by_kind["ConfigMap"])
        if "persistentVolumeClaim" in v:
            check("%s: claim %s is defined" % (n, v["persistentVolumeClaim"]["claimName"]), v["persistentVolumeClaim"]["claimName"] in by_kind["PersistentVolumeClaim"])
    # Every file the entrypoint opens by default is where a mount puts it, with the key the Secret has.
    need = {"etcd": ["BTR_RECIPIENT", "BTR_REPO"], "incremental": ["CEPH_CONF", "BTR_RECIPIENT", "BTR_IDENTITY", "BTR_REPO"],
            "slice": ["CEPH_CONF", "BTR_RECIPIENT", "BTR_WORK"]}[modes[n]]
    for var in need:
        path = val.get(var) or defaults[var]
        d, base = os.path.split(path)
        vol = vols.get(mounts.get(path) or mounts.get(d))
        ok = vol is not None
        if ok and "secret" in vol and mounts.get(d):
            ok = base in by_kind["Secret"][vol["secret"]["secretName"]]["stringData"]
        if ok and "configMap" in vol and mounts.get(d):
            ok = base in by_kind["ConfigMap"][vol["configMap"]["name"]]["data"]
        check("%s: %s (%s) is on a mounted volume" % (n, var, path), ok, mounts)
    if modes[n] == "incremental":
        check("%s: the identity's .pub is in its Secret" % n, "host.key.pub" in by_kind["Secret"]["btrdb-backup-host-key"]["stringData"])
    conf = by_kind["ConfigMap"]["btrdb-backup-ceph-conf"]["data"]["ceph.conf"]
    kr = re.search(r"keyring = (\S+)", conf).group(1)
    if "CEPH_CONF" in need:
        check("%s: the keyring ceph.conf names is mounted" % n, os.path.dirname(kr) in mounts and os.path.basename(kr) in by_kind["Secret"][vols[mounts[os.path.dirname(kr)]]["secret"]["secretName"]]["stringData"], kr)
check("one CronJob per schedule: etcd and incremental", sorted(modes[n] for n in by_kind["CronJob"]) == ["etcd", "incremental"], modes)
for n, j in by_kind["Job"].items():
    s = j["spec"]
    env = {e["name"]: e for e in s["template"]["spec"]["containers"][0]["env"]}
    check("%s: completionMode Indexed" % n, s.get("completionMode") == "Indexed", s.get("completionMode"))
    check("%s: completions == parallelism == BTR_SLICES" % n, s["completions"] == s["parallelism"] == int(env["BTR_SLICES"]["value"]), (s["completions"], s["parallelism"], env["BTR_SLICES"]))
    check("%s: the slices are named after the Job" % n, env["BTR_BACKUP_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['job-name']")
    check("%s: mode slice" % n, modes[n] == "slice")
PY
rc=$?
grep -E '^(PASS|FAIL): ' "$T/yaml.out"
[ $rc = 0 ] && grep -qE '^(PASS|FAIL): ' "$T/yaml.out"
outcome $? "the manifest checks ran to the end" "$(tail -3 "$T/yaml.out" | tr '\n' '|')"
grep -q 'FROM debian:bookworm-slim' "$K/Dockerfile" && grep -q 'btrdb-backup_\*.deb' "$K/Dockerfile" && grep -q 'entrypoint.sh' "$K/Dockerfile"
outcome $? "the Dockerfile installs our .deb on bookworm-slim"

# ---- the entrypoint's usage errors
expect_exit 2 "no BTR_MODE exits 2" env -u BTR_MODE "$EP"
expect_err "no BTR_MODE message" "BTR_MODE is not set"
expect_exit 2 "an index not below BTR_SLICES exits 2" env BTR_MODE=slice BTR_SLICES=4 JOB_COMPLETION_INDEX=4 BTR_BACKUP_NAME=x BTR_UPLOAD=true "$EP"
expect_err "index message" "JOB_COMPLETION_INDEX 4 is not below BTR_SLICES 4"
expect_exit 2 "a missing recipient exits 2" env BTR_MODE=slice BTR_SLICES=4 JOB_COMPLETION_INDEX=0 BTR_BACKUP_NAME=x BTR_UPLOAD=true CEPH_CONF=/dev/null BTR_RECIPIENT="$T/none.pub" "$EP"
expect_err "missing recipient message" "BTR_RECIPIENT: .*none.pub is not readable \(is its Secret or ConfigMap mounted\?\)"

if ! command -v ceph-dump >/dev/null; then skip "entrypoint against Ceph" "ceph-dump is not built"; exit 0; fi
sandbox_up src
sandbox_up dst --no-etcd
"$BTR_TOP/contrib/sandbox" seed "$T/src" --small >/dev/null 2>&1 || fail "seed" "sandbox seed failed"
pools="btrdbhot btrdbcold btrdbjournal staging"
"$BTR_TOP/contrib/sandbox" pool "$T/dst" $pools >/dev/null 2>&1 || fail "pools" "cannot create the clean pools"
btr-keygen -o "$T/backup.key" >/dev/null 2>&1 && btr-keygen -o "$T/host.key" >/dev/null 2>&1 || fail "keys" "btr-keygen failed"

# ---- the Indexed Job: 4 pods
export TMPDIR=$T
store=$T/store
mkdir "$store"
ok=1
for i in 0 1 2 3; do
	env BTR_MODE=slice BTR_SLICES=4 JOB_COMPLETION_INDEX=$i BTR_BACKUP_NAME=full BTR_POOLS="$pools" \
		CEPH_CONF="$src_conf" BTR_RECIPIENT="$T/backup.key.pub" BTR_WORK="$T/work" STORE="$store" \
		BTR_UPLOAD='mkdir -p "$STORE/$BTR_SLICE_PREFIX" && cat > "$STORE/$BTR_SLICE_PREFIX/$FILE"' \
		"$EP" >"$T/slice.$i.out" 2>"$T/slice.$i.err" || { ok=0; fail "slice $i" "$(cat "$T/slice.$i.err")"; }
done
[ $ok = 1 ] && pass "4 pods of the Indexed Job exit 0"
n=0
for i in 0 1 2 3; do
	grep -Eq '^tool=ceph-dump status=0 objects=[0-9]+ ' "$T/slice.$i.out" || n=x
	[ $n = x ] || n=$((n + $(tr ' ' '\n' <"$T/slice.$i.out" | sed -n 's/^objects=//p')))
done
want=0
for p in $pools; do want=$((want + $(rados -c "$src_conf" -p "$p" --all ls | wc -l))); done
[ "$n" = "$want" ] && [ "$want" -gt 10 ]
outcome $? "the slices' summary lines add up to every object ($n of $want)" "$(cat "$T"/slice.*.out)"
[ "$(ls "$store/full")" = "$(printf 'slice-0\nslice-1\nslice-2\nslice-3')" ] && for i in 0 1 2 3; do [ -f "$store/full/slice-$i/MANIFEST" ] || exit 1; done
outcome $? "each slice uploaded under NAME/slice-I with its MANIFEST" "$(find "$store" | head -20)"
[ ! -e "$T/work/slice-0/ARCHIVE00000.bin" ]
outcome $? "no piece is kept in the pod's scratch directory"

# Restore the union into the clean pools, one slice after the other.
ok=1
for i in 0 1 2 3; do
	btr-split -q --join -d "$store/full/slice-$i" | btr-unseal -q -k "$T/backup.key" |
		ceph-load -q -c "$dst_conf" $(for p in $pools; do printf -- '-p\n%s\n' "$p"; done)
	ps="${PIPESTATUS[*]}"
	[ "$ps" = "0 0 0" ] || { ok=0; fail "restore slice $i" "$ps"; }
done
[ $ok = 1 ] && pass "the 4 slices restore"
"$BTR_TOP/contrib/sandbox" compare --no-etcd --reader python "$T/src" "$T/dst" >"$T/cmp.out" 2>&1
outcome $? "the union of the slices is identical to the source (python3-rados)" "$(head -5 "$T/cmp.out")"

# A failing upload fails the pod with the system status, naming the stages.
expect_exit 3 "a failing upload exits 3" env BTR_MODE=slice BTR_SLICES=4 JOB_COMPLETION_INDEX=1 BTR_BACKUP_NAME=bad \
	BTR_POOLS="$pools" CEPH_CONF="$src_conf" BTR_RECIPIENT="$T/backup.key.pub" BTR_WORK="$T/work" BTR_UPLOAD='cat >/dev/null; exit 1' "$EP"
grep -q 'slice 1/4 failed (ceph-dump, btr-seal, btr-split exit status: ' "$T/last.err"
outcome $? "the failure names the stages" "$(cat "$T/last.err")"

# ---- the CronJobs' modes
R=$T/repo
ep_etcd() { env BTR_MODE=etcd ETCD_ENDPOINTS="$src_etcd" BTR_RECIPIENT="$T/backup.key.pub" BTR_REPO="$R/etcd" \
	BTR_METRICS_FILE="$T/metrics/etcd.prom" BTR_PRUNE="--keep-last 1" "$EP"; }
expect_exit 0 "BTR_MODE=etcd" ep_etcd
sleep 1	# the names have a one-second resolution
expect_exit 0 "BTR_MODE=etcd again (the repository and metrics directory exist now)" ep_etcd
[ ! -s "$T/last.out" ] && [ ! -s "$T/last.err" ]
outcome $? "the etcd mode is silent on success" "$(cat "$T/last.out" "$T/last.err" | head -3)"
keys=$(etcdctl --endpoints "$src_etcd" get "" --prefix --keys-only --limit 1 -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
e=$(ls -d "$R"/etcd/etcd-*Z)
[ "$(echo "$e" | wc -l)" = 1 ]
outcome $? "BTR_PRUNE=--keep-last 1 keeps one" "$e"
grep -qx "etcd_keys=$keys" "$e/INFO" && grep -qx ceph=no "$e/INFO" && grep -q "^btrdb_backup_etcd_keys{.*} $keys$" "$T/metrics/etcd.prom"
outcome $? "the etcd backup holds every key, in INFO and the metrics" "$(cat "$e/INFO")"
inc() { env BTR_MODE=incremental CEPH_CONF="$src_conf" BTR_POOLS="btrdbhot btrdbcold" BTR_RECIPIENT="$T/backup.key.pub" \
	BTR_IDENTITY="$T/host.key" BTR_REPO="$R/ceph" BTR_FULL_WEEKDAY= "$EP"; }
expect_exit 0 "BTR_MODE=incremental, the first: a full" inc
sleep 1	# the names have a one-second resolution
"$BTR_TOP/contrib/sandbox" mutate "$T/src" >/dev/null 2>&1
expect_exit 0 "BTR_MODE=incremental, the second" inc
set -- $(ls -d "$R"/ceph/ceph-*Z)
[ $# = 2 ] && grep -qx type=full "$1/INFO" && grep -qx type=incremental "$2/INFO" && grep -qx "parent=$(basename "$1")" "$2/INFO"
outcome $? "the second is an incremental over the first" "$(ls "$R") $(cat "$2/INFO" 2>/dev/null | tr '\n' ' ')"
