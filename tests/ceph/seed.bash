# Sourced by the ceph-dump tests: a small BTrDB-like dataset written with the rados CLI
# (and tests/tools/ceph-omapset for the 5,000-entry omap).  seed_small CONF POOL...
# creates the pools (size 1) and fills the first; the second (if any) gets a few objects.
seed_small() {
	local conf=$1 p=$2 q=${3:-} f=$T/seed
	mkdir -p "$f"
	for pool in "$@"; do
		[ "$pool" = "$conf" ] && continue
		ceph -c "$conf" osd pool create "$pool" 8 >/dev/null 2>&1 &&
			ceph -c "$conf" osd pool set "$pool" size 1 --yes-i-really-mean-it >/dev/null 2>&1 || return 1
	done
	: >"$f/empty"
	printf '\001\002\003\004\005\006\007\010' >"$f/ver8"
	random_file "$f/r2k" 2048 1
	random_file "$f/r100k" 102400 2
	random_file "$f/r2m" 2500000 3
	random_file "$f/r20m" 20971520 4
	local R="rados -c $conf -p $p"
	$R put meta555ab4f9aa "$f/empty" && $R setxattr meta555ab4f9aa version "$(cat "$f/ver8")" &&
	$R put meta777 "$f/empty" &&
	$R put 555ab4f9aa0000001008 "$f/r2k" &&
	$R put 555ab4f9aa0000002008 "$f/r100k" &&
	$R put sb555ab4f9aa00000000001 "$f/r2m" &&
	$R put staging.big "$f/r20m" &&
	$R put hot_allocator "$f/ver8" && $R setxattr hot_allocator lock.hot_alloc_lock 'held by node1' &&
	$R put 'name with space' "$f/r2k" &&
	$R put 'ünïcödé/päth' "$f/r2k" &&
	$R --object-locator loc1 put locobj "$f/r100k" &&
	$R -N journalprovider put node/a "$f/ver8" &&
	$R -N journalprovider put jo/a/0000000000000001 "$f/r100k" &&
	$R -N journalprovider setxattr jo/a/0000000000000001 range '0-100' &&
	$R -N journalprovider setxattr jo/a/0000000000000001 relrange '' &&
	$R -N other --object-locator loc2 put nsloc "$f/r2k" &&
	CEPH_CONF=$conf ceph-omapset "$p" meta.master 5000 || return 1
	if [ -n "$q" ]; then
		rados -c "$conf" -p "$q" put cold_allocator "$f/ver8" &&
			rados -c "$conf" -p "$q" put 555ab4f9aa0000003008 "$f/r2k" || return 1
	fi
}

# expected_list CONF POOL...: "pool<TAB>ns<TAB>name<TAB>size" for every object, sorted, from rados.
expected_list() {
	python3 - "$@" <<'PY' | LC_ALL=C sort
import json, subprocess, sys
conf = sys.argv[1]
for pool in sys.argv[2:]:
    objs = json.loads(subprocess.check_output(["rados", "-c", conf, "-p", pool, "ls", "--all", "--format", "json"]))
    for o in objs:
        cmd = ["rados", "-c", conf, "-p", pool, "-N", o["namespace"]]
        if o.get("locator"):
            cmd += ["--object-locator", o["locator"]]
        out = subprocess.check_output(cmd + ["stat", o["name"]]).decode()
        print("%s\t%s\t%s\t%s" % (pool, o["namespace"] or "-", o["name"], out.rsplit("size ", 1)[1].strip()))
PY
}

# dumped_list < STREAM: the same from a stream's objects or an index's entries.
dumped_list() {
	btr-inspect -l --json | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    u = lambda s: s.encode("latin-1").decode("utf-8", "replace")
    if o["kind"] in ("object", "index"):
        print("%s\t%s\t%s\t%d" % (o["pool"], u(o["namespace"]) or "-", u(o["name"]), o["size"]))' | LC_ALL=C sort
}
