# etcd-dump and etcd-load against real etcd servers, checked with etcdctl.
. "$(dirname "$0")/lib.sh"

command -v etcd >/dev/null && command -v etcdctl >/dev/null || { skip "etcd" "etcd or etcdctl not installed"; exit 0; }
export ETCDCTL_API=3
unset ETCDCTL_ENDPOINTS ETCD_PASSWORD

. "$BTR_TOP/tests/tools/etcd.bash"

# A plain etcd: the sandbox's once it offers one, else our own.
plain_etcd() {
	if declare -F sandbox_up >/dev/null; then sandbox_up "$1" --no-ceph; else etcd_start "$1"; fi
}

ectl() { local ep=$1; shift; etcdctl --endpoints "$ep" --dial-timeout 2s "$@"; }
# Every key and value as "KEYHEX VALUEHEX" lines (etcdctl --hex), leased keys optional.
listing() { local ep=$1; shift; ectl "$ep" "$@" get "" --prefix --hex | paste -d' ' - - ; }
# gRPC gateway put: keys and values with any bytes (etcdctl takes keys from argv).
gw_put() { # endpoint, key printf-format, value file or printf-format
	local v
	if [ -f "$3" ]; then v=$(base64 -w0 <"$3"); else v=$(printf "$3" | base64 -w0); fi
	printf '{"key":"%s","value":"%s"}' "$(printf "$2" | base64 -w0)" "$v" >"$T/gw.json"
	curl -sf -X POST "http://$1/v3/kv/put" --data-binary @"$T/gw.json" >/dev/null
}
count_keys() {
	local n
	n=$(ectl "$1" get "" --prefix --keys-only -w json | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
	echo "${n:-0}"
}
# txn_puts ENDPOINT < "put K V" lines: one unconditional transaction.
txn_puts() { { echo; cat; echo; echo; } | ectl "$1" txn >/dev/null; }

plain_etcd src
plain_etcd dst

# ---- an empty keyspace is a valid empty dump
expect_exit 0 "empty keyspace dumps" etcd-dump --endpoints "$src_etcd" -q
cp "$T/last.out" "$T/empty.s"
expect_exit 0 "empty dump is a valid stream" btr-inspect <"$T/empty.s"
grep -q 'archive contains 0 ceph objects and 0 etcd records' "$T/last.out"
outcome $? "empty dump holds no record" "$(head -2 "$T/last.out")"
expect_exit 0 "empty dump loads" etcd-load --endpoints "$dst_etcd" <"$T/empty.s"
expect_err "empty load summary" '^restored 0 etcd records, skipped 0 lease-bound keys$'

# ---- seed the source: BTrDB-like keys, binary keys with NUL, a 1 MiB value, leased keys
random_file "$T/big" 1048576 7
for i in $(seq 1 30); do echo "put btrdb/n/node$i/cfg value-$i"; done >"$T/txn"
printf 'put btrdb/g/version 4.15\nput btrdb/x/mash/ranges "0-1024:node1"\n' >>"$T/txn"
sed -n 1,20p "$T/txn" | txn_puts "$src_etcd"
sed -n '21,$p' "$T/txn" | txn_puts "$src_etcd"
gw_put "$src_etcd" 'btrdb/u/\x00\x11\x22\x33\x00\xff\xfe\x80\x00\x01\x02\x03\x04\x05\x06\x07' 'uuid\x00value' &&
gw_put "$src_etcd" 'btrdb/t/\xff\xff\x00' '' &&
gw_put "$src_etcd" 'bin\x00key\nwith newline' '\x00\x01\x02' &&
gw_put "$src_etcd" 'btrdb/s/big' "$T/big" || fail "seed binary keys" "gateway put failed"
ectl "$src_etcd" put btrdb/s/big2 <"$T/big" >/dev/null
lease=$(ectl "$src_etcd" lease grant 600 | awk '{print $2}')
ectl "$src_etcd" put --lease="$lease" btrdb/x/m/node1/active 1 >/dev/null
ectl "$src_etcd" put --lease="$lease" btrdb/x/mash/leader node1 >/dev/null
ectl "$src_etcd" put --lease="$lease" manifestlocks/ingest1 1 >/dev/null
total=$(count_keys "$src_etcd")
[ "$total" = 40 ]
outcome $? "seeded 40 keys" "count $total"
leased_hex='\\x62\\x74\\x72\\x64\\x62\\x2f\\x78\\x2f\\x6d\\x2f|\\x62\\x74\\x72\\x64\\x62\\x2f\\x78\\x2f\\x6d\\x61\\x73\\x68\\x2f\\x6c|\\x6d\\x61\\x6e\\x69\\x66'
listing "$src_etcd" >"$T/src.all"
grep -Ev "^($leased_hex)" "$T/src.all" >"$T/src.plain"
[ "$(wc -l <"$T/src.plain")" = 37 ]
outcome $? "listing without leased keys" "$(wc -l <"$T/src.plain") lines"

# ---- dump, load, compare with etcdctl on both sides
expect_exit 0 "dump" etcd-dump --endpoints "$src_etcd"
cp "$T/last.out" "$T/src.s"
expect_err "dump summary" '^ETCD DONE; included 40 etcd records$'
expect_exit 0 "dump verifies with btr-inspect" btr-inspect <"$T/src.s"
grep -q 'etcd keys: 40 (3 lease-bound)' "$T/last.out"
outcome $? "lease ids kept in the dump" "$(grep etcd "$T/last.out")"
rev=$(ectl "$src_etcd" get x -w json | sed 's/.*"revision":\([0-9]*\).*/\1/')
grep -q "^etcd revision: $rev\$" "$T/last.out"
outcome $? "header carries the revision" "wanted $rev: $(grep revision "$T/last.out")"
expect_exit 0 "load" etcd-load --endpoints "$dst_etcd" <"$T/src.s"
expect_err "load summary" '^restored 37 etcd records, skipped 3 lease-bound keys$'
listing "$dst_etcd" >"$T/dst.all"
same "destination equals source, leased keys aside" "$T/src.plain" "$T/dst.all"
ectl "$dst_etcd" get btrdb/s/big2 --print-value-only | head -c 1048576 | cmp -s - "$T/big"
outcome $? "1 MiB value intact" "differs"

expect_exit 0 "verify passes on the copy" etcd-load --endpoints "$dst_etcd" --verify <"$T/src.s"
expect_err "verify summary" '^verified 37 etcd records: no difference, skipped 3 lease-bound keys$'
expect_exit 0 "verify passes on the source" etcd-load --endpoints "$src_etcd" --verify <"$T/src.s"
ectl "$dst_etcd" put btrdb/n/node7/cfg changed >/dev/null
expect_exit 1 "verify fails after one change" etcd-load --endpoints "$dst_etcd" --verify <"$T/src.s"
grep -q 'value differs: btrdb/n/node7/cfg' "$T/last.err" && grep -q 'verify: 1 differences' "$T/last.err"
outcome $? "verify names the changed key" "$(cat "$T/last.err")"
ectl "$dst_etcd" put btrdb/zz-extra 1 >/dev/null
ectl "$dst_etcd" del btrdb/g/version >/dev/null
expect_exit 1 "verify fails on extra and missing keys" etcd-load --endpoints "$dst_etcd" --verify <"$T/src.s"
grep -q 'only in the cluster: btrdb/zz-extra' "$T/last.err" && grep -q 'missing from the cluster: btrdb/g/version' "$T/last.err"
outcome $? "verify names extra and missing keys" "$(cat "$T/last.err")"

# ---- --clear, --clear-only, --with-leased, --prefix
expect_exit 0 "load --clear" etcd-load --endpoints "$dst_etcd" --clear <"$T/src.s"
grep -q '^deleted 37 etcd keys$' "$T/last.err"
outcome $? "clear counts deletions" "$(cat "$T/last.err")"
listing "$dst_etcd" >"$T/dst.all"
same "after --clear the copy equals the source" "$T/src.plain" "$T/dst.all"
expect_exit 0 "load --clear --with-leased" etcd-load --endpoints "$dst_etcd" --clear --with-leased <"$T/src.s"
grep -q '^restored 40 etcd records, skipped 0 lease-bound keys$' "$T/last.err"
outcome $? "with-leased restores all" "$(cat "$T/last.err")"
ectl "$dst_etcd" get btrdb/x/m/node1/active -w json | grep -q '"lease"' && fail "leased key restored as a plain key" "it has a lease" || pass "leased key restored as a plain key"
listing "$dst_etcd" >"$T/dst.all"
same "with-leased copy equals the source" "$T/src.all" "$T/dst.all"
expect_exit 0 "clear-only a prefix" etcd-load --endpoints "$dst_etcd" --clear-only --prefix btrdb/n/
expect_err "clear-only summary" '^deleted 30 etcd keys$'
[ "$(count_keys "$dst_etcd")" = 10 ] && pass "clear-only left the other keys" || fail "clear-only left the other keys" "$(count_keys "$dst_etcd") left"
expect_exit 0 "clear-only" etcd-load --endpoints "$dst_etcd" --clear-only </dev/null
[ "$(count_keys "$dst_etcd")" = 0 ] && pass "clear-only empties etcd" || fail "clear-only empties etcd" "$(count_keys "$dst_etcd") left"
expect_exit 0 "load --prefix twice" etcd-load --endpoints "$dst_etcd" --prefix btrdb/n/node1 --prefix btrdb/u/ --in-flight 1 <"$T/src.s"
expect_err "prefix summary" '^restored 12 etcd records, skipped 0 lease-bound keys, 28 keys outside the prefixes$'
expect_exit 0 "verify --prefix" etcd-load --endpoints "$dst_etcd" --verify --prefix btrdb/n/node1 --prefix btrdb/u/ <"$T/src.s"
expect_exit 1 "verify without --prefix sees the missing keys" etcd-load --endpoints "$dst_etcd" --verify <"$T/src.s"

# ---- a prefix dump
expect_exit 0 "dump --prefix" etcd-dump --endpoints "$src_etcd" --prefix btrdb/n/ --page-size 7
cp "$T/last.out" "$T/n.s"
expect_err "prefix dump summary" '^ETCD DONE; included 30 etcd records$'
expect_exit 1 "prefix dump verifies only its prefix" etcd-load --endpoints "$dst_etcd" --verify <"$T/n.s"
grep -q 'missing from the cluster: btrdb/n/node2/cfg' "$T/last.err" && ! grep -q 'only in the cluster: btrdb/u' "$T/last.err"
outcome $? "verify compares under the stream's prefix" "$(cat "$T/last.err")"

# ---- dry run, mixed streams, truncation
ectl "$dst_etcd" del "" --prefix >/dev/null
ectl "$dst_etcd" put btrdb/keep-me 1 >/dev/null
expect_exit 0 "dry run --clear" etcd-load --endpoints "$dst_etcd" --dry-run --clear <"$T/src.s"
grep -q '^would have deleted 1 etcd keys$' "$T/last.err" && [ "$(count_keys "$dst_etcd")" = 1 ]
outcome $? "dry run --clear counts and deletes nothing" "$(cat "$T/last.err")"
ectl "$dst_etcd" del btrdb/keep-me >/dev/null
expect_exit 0 "dry run" etcd-load --endpoints "$dst_etcd" --dry-run <"$T/src.s"
expect_err "dry run summary" '^would have restored 37 etcd records, skipped 3 lease-bound keys$'
[ "$(count_keys "$dst_etcd")" = 0 ] && pass "dry run writes nothing" || fail "dry run writes nothing" "$(count_keys "$dst_etcd") keys"
mkstream -o 6 -k 0 >"$T/ceph.s"
cat "$T/ceph.s" "$T/src.s" "$T/ceph.s" >"$T/mixed.s"
expect_exit 0 "mixed stream loads" etcd-load --endpoints "$dst_etcd" <"$T/mixed.s"
expect_err "other records counted" '^restored 37 etcd records, skipped 3 lease-bound keys, ignored 12 records of other kinds$'
expect_exit 0 "mixed stream verifies" etcd-load --endpoints "$dst_etcd" --verify <"$T/mixed.s"
# The same key in two concatenated dumps: the later value wins, in either order.
ectl "$src_etcd" put btrdb/g/version 5.0 >/dev/null
etcd-dump --endpoints "$src_etcd" -q >"$T/src2.s"
ectl "$src_etcd" put btrdb/g/version 4.15 >/dev/null
cat "$T/src.s" "$T/src2.s" | etcd-load --endpoints "$dst_etcd" --txn-ops 3 -q 2>"$T/err"
v1=$(ectl "$dst_etcd" get btrdb/g/version --print-value-only)
cat "$T/src2.s" "$T/src.s" | etcd-load --endpoints "$dst_etcd" --txn-ops 3 -q 2>"$T/err"
v2=$(ectl "$dst_etcd" get btrdb/g/version --print-value-only)
[ "$v1" = 5.0 ] && [ "$v2" = 4.15 ] && pass "a key repeated in a stream ends with its last value" ||
	fail "a key repeated in a stream ends with its last value" "got $v1 and $v2: $(cat "$T/err")"
ectl "$dst_etcd" del "" --prefix >/dev/null
size=$(stat -c %s "$T/src.s")
head -c $((size - 60)) "$T/src.s" >"$T/cut.s"
expect_exit 1 "truncated stream exits 1" etcd-load --endpoints "$dst_etcd" <"$T/cut.s"
expect_err "truncation named" 'stream truncated.*keys read before it were restored'
n=$(count_keys "$dst_etcd")
[ "$n" -gt 30 ] && [ "$n" -lt 40 ]
outcome $? "truncated stream: keys seen were applied" "$n keys"
printf 'not a stream' | etcd-load --endpoints "$dst_etcd" --clear >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(count_keys "$dst_etcd")" = "$n" ]
outcome $? "garbage input clears nothing" "$(cat "$T/err")"

amp_stream unknown "$T/amp" || fail "amplification stream" "could not generate"
expect_exit 1 "amplification: etcd-load exits 1" etcd-load --endpoints "$dst_etcd" <"$T/amp"
expect_err "amplification: etcd-load names the offset and the budget" "byte $(cat "$T/amp.off"): .*memory budget"

# ---- connections: unreachable, failover, usage
dead=127.0.0.1:$(free_port)
start=$SECONDS
expect_exit 3 "unreachable endpoint exits 3" etcd-dump --endpoints "$dead" --dial-timeout 1s
expect_err "unreachable endpoint named" "$dead not reachable within 1000 ms"
[ $((SECONDS - start)) -le 4 ]
outcome $? "gives up within the dial timeout" "$((SECONDS - start)) s"
expect_exit 0 "next endpoint used when the first is dead" etcd-dump --endpoints "$dead,$src_etcd" --dial-timeout 1s -q
cp "$T/last.out" "$T/failover.s"
etcd-dump --endpoints "$src_etcd" -q >"$T/direct.s"
cmp -s <(btr-inspect -l <"$T/failover.s") <(btr-inspect -l <"$T/direct.s")
outcome $? "failover dump is the same" "differs"
ETCDCTL_API=3 ETCDCTL_ENDPOINTS="$src_etcd" etcd-dump -q >"$T/env.s" 2>"$T/err"
outcome $? "ETCDCTL_ENDPOINTS honoured" "$(cat "$T/err")"
expect_exit 2 "--user name:password refused" etcd-dump --endpoints "$src_etcd" --user root:secret
grep -q 'takes a name only' "$T/last.err"
outcome $? "--user message" "$(cat "$T/last.err")"
expect_exit 2 "bad endpoint syntax" etcd-dump --endpoints nonsense
expect_exit 2 "unknown option" etcd-load --bogus
expect_exit 2 "verify with clear refused" etcd-load --verify --clear
expect_exit 2 "--in-flight 0 refused" etcd-load --in-flight 0
expect_exit 2 "--dial-timeout nan refused" etcd-dump --dial-timeout nan
expect_exit 2 "--command-timeout 25h refused" etcd-dump --command-timeout 25h
expect_exit 2 "--txn-ops with a sign refused" etcd-load --txn-ops +5
expect_exit 0 "help" etcd-dump --help
expect_exit 0 "version" etcd-load --version
ectl "$src_etcd" compact 5 >/dev/null
expect_exit 3 "compacted revision exits 3" etcd-dump --endpoints "$src_etcd" --revision 3 -q
expect_err "compaction named" 'revision 3 has been compacted'

# ---- limits: a txn too large is split, a key too large is an error
etcd_start small --max-request-bytes 65536
for i in $(seq 1 40); do printf 'put btrdb/c/%02d %s\n' "$i" "$(head -c 30000 /dev/zero | tr '\0' x)"; done >"$T/med.txt"
sed -n 1,20p "$T/med.txt" | txn_puts "$src_etcd"
sed -n '21,$p' "$T/med.txt" | txn_puts "$src_etcd"
etcd-dump --endpoints "$src_etcd" --prefix btrdb/c/ -q >"$T/med.s"
expect_exit 0 "batches too large for the server are split" etcd-load --endpoints "$small_etcd" <"$T/med.s"
[ "$(count_keys "$small_etcd")" = 40 ] && pass "every split batch landed" || fail "every split batch landed" "$(count_keys "$small_etcd")"
etcd-dump --endpoints "$src_etcd" --prefix btrdb/s/big2 -q >"$T/big.s"
expect_exit 1 "a key too large for the target exits 1" etcd-load --endpoints "$small_etcd" <"$T/big.s"
expect_err "too large named" "key 'btrdb/s/big2' \\(1048588 bytes with its value\\) is too large"

expect_exit 0 "pages shrink to fit the receive limit" etcd-dump --endpoints "$src_etcd" --prefix btrdb/c/ --max-recv-bytes 100K
expect_err "small pages hold every key" '^ETCD DONE; included 40 etcd records$'
expect_exit 3 "a key larger than the receive limit exits 3" etcd-dump --endpoints "$src_etcd" --prefix btrdb/s/big2 --max-recv-bytes 100K
expect_err "receive limit named" "'btrdb/s/big2' is larger than the receive limit \\(raise --max-recv-bytes\\)"

# ---- server killed mid-dump and mid-load: non-zero, no hang
# ---- 100,000 keys: both sides checked with etcdctl, memory bounded
# (not under the sanitizers: their quarantine keeps freed memory resident)
timer=''
[ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $T/rss"
echo 0 >"$T/rss"
rss_check() {
	[ -x /usr/bin/time ] || { skip "$1 peak RSS" "/usr/bin/time not installed (Debian: time)"; return; }
	case $BTR_BIN in
	*/san/*) skip "$1 peak RSS" "sanitizer build" ;;
	*) [ "$2" -lt 65536 ] && pass "$1 peak RSS $2 KiB < 64 MiB" || fail "$1 peak RSS" "$2 KiB" ;;
	esac
}
mkstream -o 0 -k 100000 -S 3 >"$T/100k.s"
etcd_start victim
etcd_start copy
$timer etcd-load --endpoints "$victim_etcd" --with-leased <"$T/100k.s" 2>"$T/err"
grep -q '^restored 100000 etcd records, skipped 0 lease-bound keys$' "$T/err"
outcome $? "100000 keys loaded" "$(cat "$T/err")"
rss=$(tail -1 "$T/rss")
rss_check "load" "$rss"
$timer etcd-dump --endpoints "$victim_etcd" >"$T/100k.d" 2>"$T/err"
grep -q '^ETCD DONE; included 100000 etcd records$' "$T/err"
outcome $? "100000 keys dumped" "$(cat "$T/err")"
rss=$(tail -1 "$T/rss")
rss_check "dump" "$rss"
expect_exit 0 "100000 keys restored" etcd-load --endpoints "$copy_etcd" --with-leased <"$T/100k.d"
listing "$victim_etcd" | md5sum >"$T/victim.sum"
listing "$copy_etcd" | md5sum >"$T/copy.sum"
[ "$(listing "$copy_etcd" | wc -l)" = 100000 ] && same "100000 keys: etcdctl sees the same on both sides" "$T/victim.sum" "$T/copy.sum" ||
	fail "100000 keys: etcdctl sees the same on both sides" "$(listing "$copy_etcd" | wc -l) keys"

# A compaction past the pinned revision while the dump pages through.
timeout 60 etcd-dump --endpoints "$victim_etcd" --page-size 5 -q >"$T/compact.s" 2>"$T/err" &
cpid=$!
sleep 1
ectl "$victim_etcd" put compact-trigger 1 >/dev/null
rev=$(ectl "$victim_etcd" get compact-trigger -w json | sed 's/.*"revision":\([0-9]*\).*/\1/')
ectl "$victim_etcd" compact "$rev" >/dev/null
wait $cpid
crc=$?
[ $crc = 3 ] && grep -q 'has been compacted while reading; the dump is incomplete' "$T/err"
outcome $? "compaction mid-dump is an error" "exit $crc: $(cat "$T/err")"
timeout 60 etcd-dump --endpoints "$victim_etcd" --page-size 2 --dial-timeout 1s -q >"$T/killed.s" 2>"$T/err" &
dpid=$!
sleep 1
{ sleep 0.5; kill -9 "$victim_pid"; } &
timeout 60 etcd-load --endpoints "$victim_etcd" --txn-ops 1 --dial-timeout 1s -q <"$T/100k.d" 2>"$T/lerr"
lrc=$?
wait $dpid
drc=$?
[ "$drc" = 3 ]
outcome $? "etcd killed mid-dump: exit 3" "exit $drc: $(cat "$T/err")"
grep -q 'the output is incomplete' "$T/err" && pass "mid-dump failure says the output is incomplete" || fail "mid-dump failure message" "$(cat "$T/err")"
[ "$lrc" = 3 ]
outcome $? "etcd killed mid-load: exit 3" "exit $lrc: $(cat "$T/lerr")"
grep -q 'KV/Txn: .*not reachable within 1000 ms ([0-9]* keys deleted, [1-9][0-9]* restored)$' "$T/lerr"
outcome $? "mid-load failure says how far it got" "$(cat "$T/lerr")"
btr-inspect <"$T/killed.s" >/dev/null 2>&1 && fail "partial dump does not look complete" "it verifies" || pass "partial dump does not look complete"

# ---- a member of a three-member cluster killed mid-dump and mid-load: the next
# endpoint carries on, at the same revision
# midway VICTIM IN OUT CMD...: runs CMD (stdin IN, stdout OUT, stderr $T/err, at most
# 120 s) and kills -9 the process VICTIM a second in; $running says whether CMD was
# still running then, $rc is its exit status.
midway() {
	local victim=$1 in=$2 out=$3 p
	shift 3
	timeout 120 "$@" <"$in" >"$out" 2>"$T/err" &
	p=$!
	sleep 1
	kill -0 $p 2>/dev/null && running=1 || running=0
	kill -9 "$victim"
	wait $p
	rc=$?
}
etcd_cluster3 trio
etcd-load --endpoints "$trio_eps" --with-leased -q <"$T/100k.s" || fail "trio load" "exit $?"
read -r first _ <<<"$trio_pids"
# --limit-keys keeps each run at over 3 s whatever the machine, so the kill at 1 s lands mid-run.
midway "$first" /dev/null "$T/trio.s" etcd-dump --endpoints "$trio_eps" --page-size 300 --dial-timeout 1s --limit-keys 30000
[ $running = 1 ] && [ $rc = 0 ] && grep -q '^ETCD DONE; included 100000 etcd records$' "$T/err"
outcome $? "member killed mid-dump: the next endpoint finishes it" "exit $rc: $(cat "$T/err")"
rest=${trio_eps#*,}
expect_exit 0 "dump across the failover verifies against the survivors" etcd-load --endpoints "$rest" --with-leased --verify <"$T/trio.s"
etcd-load --endpoints "$rest" --clear-only -q
read -r _ second _ <<<"$trio_pids"
midway "$second" "$T/100k.s" /dev/null etcd-load --endpoints "$rest" --with-leased --txn-ops 16 --dial-timeout 1s --limit-keys 30000
# Two of three members gone: no quorum, so the load must fail, not hang.
[ $running = 1 ] && [ $rc = 3 ]
outcome $? "quorum lost mid-load: exit 3, no hang" "exit $rc: $(cat "$T/err")"

# ---- TLS: a self-signed CA, server and client certificates
tlsd=$T/tls
mkdir -p "$tlsd"
(
	cd "$tlsd" &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca &&
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=etcd &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext &&
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=root &&
	openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=other-ca
) >/dev/null 2>&1 || fail "tls certificates" "openssl failed"
etcd_start secure --tls "$tlsd" --cert-file "$tlsd/server.pem" --key-file "$tlsd/server.key" \
	--trusted-ca-file "$tlsd/ca.pem" --client-cert-auth
topts=(--cacert "$tlsd/ca.pem" --cert "$tlsd/client.pem" --key "$tlsd/client.key")
expect_exit 0 "TLS load" etcd-load --endpoints "$secure_etcd" "${topts[@]}" <"$T/src.s"
expect_exit 0 "TLS dump" etcd-dump --endpoints "https://$secure_etcd" "${topts[@]}"
cp "$T/last.out" "$T/tls.s"
expect_err "TLS dump summary" '^ETCD DONE; included 37 etcd records$'
expect_exit 0 "TLS verify" etcd-load --endpoints "$secure_etcd" "${topts[@]}" --verify <"$T/src.s"
same "TLS copy equals the source" "$T/src.plain" <(listing "$secure_etcd" "${topts[@]}")
expect_exit 3 "wrong CA exits 3" etcd-dump --endpoints "$secure_etcd" --cacert "$tlsd/other.pem" --cert "$tlsd/client.pem" --key "$tlsd/client.key" --dial-timeout 1s
expect_err "wrong CA message" "not reachable within 1000 ms"
expect_exit 3 "no client certificate exits 3" etcd-dump --endpoints "$secure_etcd" --cacert "$tlsd/ca.pem" --dial-timeout 1s
expect_exit 3 "plain text to a TLS server exits 3" etcd-dump --endpoints "$secure_etcd" --dial-timeout 1s
expect_exit 2 "missing CA file exits 2" etcd-dump --endpoints "$secure_etcd" --cacert "$T/nonexistent.pem"

# ---- authentication
etcd_start authd --auth-token-ttl 1
ectl "$authd_etcd" user add root --new-user-password=s3cret --interactive=false >/dev/null &&
ectl "$authd_etcd" role add root >/dev/null && ectl "$authd_etcd" user grant-role root root >/dev/null &&
ectl "$authd_etcd" auth enable >/dev/null || fail "auth setup" "etcdctl failed"
printf 's3cret\n' >"$T/pw"
chmod 644 "$T/pw"
# A password file others can read is refused, as ssh refuses such a key, before any connection.
expect_exit 2 "auth: a password file others can read is refused" etcd-load --endpoints "$authd_etcd" --user root --password-file "$T/pw" <"$T/src.s"
expect_err "auth: the refusal names the file and the way out" "$T/pw.*(group|others).*--insecure-key-file"
expect_exit 0 "auth: --insecure-key-file takes it" etcd-dump --endpoints "$authd_etcd" --user root --password-file "$T/pw" --insecure-key-file -q
chmod 600 "$T/pw"
expect_exit 0 "auth: load with --password-file" etcd-load --endpoints "$authd_etcd" --user root --password-file "$T/pw" <"$T/src.s"
ETCD_PASSWORD=s3cret etcd-dump --endpoints "$authd_etcd" --user root >"$T/auth.s" 2>"$T/err"
outcome $? "auth: dump with ETCD_PASSWORD" "$(cat "$T/err")"
grep -q '^ETCD DONE; included 37 etcd records$' "$T/err"
outcome $? "auth dump summary" "$(cat "$T/err")"
expect_exit 0 "auth: verify" etcd-load --endpoints "$authd_etcd" --user root --password-file "$T/pw" --verify <"$T/src.s"
# The token expires while the input stalls: a fresh one is fetched, nothing fails.
{ head -c 3000 "$T/src.s"; sleep 3; tail -c +3001 "$T/src.s"; } |
	etcd-load --endpoints "$authd_etcd" --user root --password-file "$T/pw" --txn-ops 1 >/dev/null 2>"$T/err" &&
	grep -q '^restored 37 etcd records' "$T/err"
	outcome $? "auth: expired token renewed" "$(cat "$T/err")"
printf 'wrong\n' >"$T/badpw"
chmod 600 "$T/badpw"
expect_exit 1 "auth: wrong password exits 1" etcd-dump --endpoints "$authd_etcd" --user root --password-file "$T/badpw"
expect_err "auth: wrong password message" "authentication of user 'root' failed"
expect_exit 1 "auth: no user exits 1" etcd-dump --endpoints "$authd_etcd"
expect_err "auth: no user message" 'user name is empty'
if command -v script >/dev/null; then
	# The password typed at the prompt on /dev/tty (script(1) gives the tool a terminal).
	printf 's3cret\n' | timeout 30 script -qec "etcd-dump --endpoints $authd_etcd --user root -q >'$T/tty.s'" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -q 'etcd password for root: ' "$T/tty.out" && btr-inspect <"$T/tty.s" | grep -q 'and 37 etcd records'
	outcome $? "auth: password from the terminal" "exit $rc: $(tr '\r\n' '  ' <"$T/tty.out")"
	printf 'nope\n' | timeout 30 script -qec "etcd-dump --endpoints $authd_etcd --user root -q >/dev/null" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "authentication of user 'root' failed" "$T/tty.out"
	outcome $? "auth: wrong password at the terminal exits 1" "exit $rc: $(tr '\r\n' '  ' <"$T/tty.out")"
else
	skip "auth: password from the terminal" "script(1) not installed"
fi
expect_exit 2 "auth: no password source and no terminal exits 2" setsid etcd-dump --endpoints "$authd_etcd" --user root
grep -q s3cret "$T/auth.s" "$T/err" && fail "password not in output" "found" || pass "password not in output"
