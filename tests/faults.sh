# The fault campaign: real servers killed (-9), hung (SIGSTOP), a full disk, a full
# cluster, a reader that goes away, SIGINT/SIGTERM, each at a random moment of a dump
# or a load.  Every case must end with a non-zero exit within its bound (a watchdog
# kill is a hang, a failure), one clear line on stderr, no output that looks complete,
# no snapshot left behind, and a re-run that succeeds once the server is back.  The
# faults a replicated cluster survives (one OSD of three, one etcd member of three)
# must be survived: exit 0 and a copy the comparer finds identical.
# Prints "N cases, N passed, N failed".  Quick by default (every cell of the matrix
# once); BTR_FAULTS_LONG=1 (make torture) runs BTR_FAULTS_ROUNDS rounds (default 5)
# with new random moments.  BTR_FAULTS_SEED=N replays the moments of an earlier run.
# BTR_FAULTS_ONLY=GLOB runs only the groups of cases whose name matches (signal, pipe,
# disk, server, mon, victim, full, osd, replica), to work on one.
# The tools' own tests cover single cases in depth (ceph_dump.sh: SIGTERM with
# --snapshot, OSD killed; ceph_load.sh: OSD killed, no monitor; etcd.sh: etcd killed;
# split.sh, seal.sh, filter.sh: full disk, closed stdout); this is the whole matrix.
. "$(dirname "$0")/lib.sh"

rounds=1
[ "${BTR_FAULTS_LONG:-0}" = 1 ] && rounds=${BTR_FAULTS_ROUNDS:-5}
seed=${BTR_FAULTS_SEED:-$((($$ * 7919 + $(date +%s)) % 32768))}
RANDOM=$seed
echo "faults: seed $seed, $rounds round(s) (BTR_FAULTS_SEED=$seed replays them)" >&2

ncases=0 npassed=0 nfailed=0
why=()
# bad WHY: one more reason the current case fails.
bad() { why+=("$1"); }
# verdict NAME: the case passes when nothing went wrong in it.
verdict() {
	ncases=$((ncases + 1))
	if [ ${#why[@]} = 0 ]; then npassed=$((npassed + 1)); pass "$1"
	else nfailed=$((nfailed + 1)); fail "$1" "$(IFS='; '; echo "${why[*]}")"; fi
	why=()
}
# rand MS_LO MS_HI: a random delay in seconds between the two (milliseconds).
rand() { local ms=$(($1 + RANDOM % ($2 - $1 + 1))); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }

# slowcat BYTES_PER_SECOND: cat at a bounded rate, so that a fault lands mid-run.
cat >"$T/slowcat" <<'EOF'
import os, sys, time
rate = float(sys.argv[1]); n = 0; t0 = time.monotonic()
while True:
    b = os.read(0, 65536)
    if not b:
        break
    v = memoryview(b)
    try:
        while v:
            v = v[os.write(1, v):]
    except BrokenPipeError:
        sys.exit(1)
    n += len(b)
    d = n / rate - (time.monotonic() - t0)
    if d > 0:
        time.sleep(d)
EOF
PY=$(command -v /usr/bin/python3 || command -v python3)
slowcat() { "$PY" "$T/slowcat" "$@"; }

alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]; }

# launch IN OUT CMD...: runs CMD in the background with stdin from IN (through
# slowcat at $IN_RATE when set) and stdout to OUT (through slowcat at $OUT_RATE when
# set), stderr to $T/err.  Sets TP, the pid of CMD itself (to signal it).
launch() {
	local in=$1 out=$2
	shift 2
	HELPERS=()
	FIFOS=$((${FIFOS:-0} + 1))
	if [ -n "${IN_RATE:-}" ]; then
		mkfifo "$T/fin.$FIFOS"
		slowcat "$IN_RATE" <"$in" >"$T/fin.$FIFOS" 2>/dev/null &
		HELPERS+=($!)
		in=$T/fin.$FIFOS
	fi
	if [ -n "${OUT_RATE:-}" ]; then
		mkfifo "$T/fout.$FIFOS"
		slowcat "$OUT_RATE" <"$T/fout.$FIFOS" >"$out" 2>/dev/null &
		HELPERS+=($!)
		out=$T/fout.$FIFOS
	fi
	# Background jobs of a non-interactive shell start with SIGINT ignored: restore it.
	env --default-signal=INT,TERM "$@" <"$in" >"$out" 2>"${ERR:-$T/err}" &
	TP=$!
}

# finish BOUND: waits for CMD at most BOUND seconds (then SIGKILLs it: a hang).  Sets
# RC (its status), HUNG (1 when the watchdog had to kill it) and TOOK (seconds).
finish() {
	local end=$((SECONDS + $1)) h
	HUNG=0
	while alive "$TP"; do
		if [ $SECONDS -ge $end ]; then HUNG=1; kill -KILL "$TP" 2>/dev/null; break; fi
		sleep 0.1
	done
	wait "$TP"
	RC=$?
	TOOK=$((SECONDS - end + $1))
	# The tool is gone: a slowcat copying its output ends by itself once it has drained
	# the pipe (killing it at once cut complete outputs short when the tool finished
	# with up to 1 MiB still in its pipe), one feeding it ends on EPIPE; 10 s at most.
	local until=$((SECONDS + 10))
	for h in "${HELPERS[@]}"; do
		while alive "$h" && [ $SECONDS -lt $until ]; do sleep 0.1; done
		kill "$h" 2>/dev/null; wait "$h" 2>/dev/null
	done
	HELPERS=()
	return 0
}

# The checks every case makes of the faulted run.
# failed_fast TOOL: non-zero exit, no hang, and (unless it died of the signal it was
# sent) exactly one line on stderr naming the tool.
failed_fast() {
	[ "$HUNG" = 1 ] && { bad "hung (watchdog killed it after ${TOOK}s)"; return; }
	[ "$RC" = 0 ] && bad "exit 0 after the fault"
	[ "$RC" -gt 128 ] && [ "${SENT:-0}" != $((RC - 128)) ] && bad "died of signal $((RC - 128))"
	if [ "$RC" -le 128 ]; then
		local lines
		local e=${ERR:-$T/err}
		# A snapshot that cannot be removed (the monitor is gone) is named on a line
		# of its own, with how to remove it: that line is wanted, not noise.
		lines=$(grep -vc 'cannot remove snapshot .*--cleanup-snapshots' "$e")
		[ "$lines" = 1 ] || bad "stderr has $lines lines, wanted one: $(head -c 300 "$e" | tr '\n' '|')"
		grep -q "^$1: " "$e" || bad "no message from $1: $(head -c 200 "$e")"
	fi
}
# not_complete KIND FILE: FILE (a record stream, a sealed stream, a split directory)
# must not pass its verifier.
not_complete() {
	case $1 in
	stream) btr-inspect -q <"$2" >/dev/null 2>&1 && bad "the partial stream verifies" ;;
	sealed) btr-unseal --check -q --passphrase-file "$T/pass" <"$2" >/dev/null 2>&1 && bad "the partial sealed stream authenticates" ;;
	split) [ -e "$2/MANIFEST" ] && bad "a MANIFEST was written"
	       btr-split --check -q -d "$2" >/dev/null 2>&1 && bad "the partial split checks" ;;
	esac
}

# ---------------------------------------------------------------- the servers
sandbox_up s
C=$s_conf E=$s_etcd S=$T/s
"$BTR_TOP/contrib/sandbox" seed "$S" --small >/dev/null 2>"$T/seed.err" || { fail "seed" "$(tail -3 "$T/seed.err")"; exit 1; }
# More etcd keys than the seed's 100, so that a dump or load takes a while; under zz/,
# after the seed's 1 MiB value, so that many pages remain to fetch once it is written.
mkstream -o 0 -k 30000 -S 5 | btr-filter -q -R btrdb/:zz/ | etcd-load --endpoints "$E" -q ||
	{ fail "etcd keys" "could not load"; exit 1; }
POOLS="btrdbhot btrdbcold btrdbjournal staging"
MAP="-p btrdbhot:f_hot -p btrdbcold:f_cold -p btrdbjournal:f_journal -p staging:f_staging"
"$BTR_TOP/contrib/sandbox" pool "$S" f_hot f_cold f_journal staging f_staging >/dev/null 2>&1

pid_of() { awk -v n="$2" '$1 == n { p = $2 } END { print p }' "$1/pids"; }
# restart DIR NAME [ENDPOINTS]: start again the server NAME of sandbox DIR with the
# command line it had (same ports, same data), and wait until it answers (an etcd
# member: the cluster at ENDPOINTS, default the main sandbox's).
declare -A cmdline
remember() { cmdline[$1/$2]=$(tr '\0' '\037' <"/proc/$(pid_of "$1" "$2")/cmdline"); }
restart() {
	local dir=$1 name=$2 args i
	IFS=$'\037' read -r -a args <<<"${cmdline[$dir/$name]}"
	setsid "${args[@]}" </dev/null >>"$dir/$name.restart.log" 2>&1 &
	echo "$name $!" >>"$dir/pids"
	for ((i = 0; i < 300; i++)); do
		case $name in
		etcd*) etcdctl --endpoints "${3:-$E}" --dial-timeout 1s endpoint health >/dev/null 2>&1 && return 0 ;;
		mon) timeout 10 ceph -c "$dir/ceph.conf" --connect-timeout 5 osd stat >/dev/null 2>&1 && return 0 ;;
		esac
		sleep 0.2
	done
	echo "faults: could not restart $name of $dir" >&2
	return 1
}
remember "$S" etcd
remember "$S" mon

printf 'fault campaign passphrase\n' >"$T/pass"
chmod 600 "$T/pass"
SEAL="btr-seal -q --kdf interactive --passphrase-file $T/pass"
UNSEAL="btr-unseal -q --passphrase-file $T/pass"
ceph-dump -c "$C" -q $(printf -- "-p %s " $POOLS) >"$T/ceph.s" || { fail "first dump" "ceph-dump failed"; exit 1; }
etcd-dump --endpoints "$E" -q >"$T/etcd.s" || { fail "first dump" "etcd-dump failed"; exit 1; }
cat "$T/etcd.s" "$T/ceph.s" >"$T/both.s"
$SEAL <"$T/both.s" >"$T/both.sealed" || { fail "seal" "btr-seal failed"; exit 1; }
btr-split -q -d "$T/split" -b 4M <"$T/both.sealed" || { fail "split" "btr-split failed"; exit 1; }
CEPH_BYTES=$(stat -c %s "$T/ceph.s") ETCD_BYTES=$(stat -c %s "$T/etcd.s")
echo "faults: ceph stream $CEPH_BYTES bytes, etcd stream $ETCD_BYTES bytes" >&2
# Rates that make each run last ~3-4 s, so a fault at 0.2-1.5 s lands mid-run.  A dump
# is done with its server 1 MiB early (our tools ask for 1 MiB pipes): the small etcd
# stream goes slower so that etcd-dump still reads from etcd after 1.5 s.
CRATE=$((CEPH_BYTES / 3)) ERATE=$((ETCD_BYTES / 4))
DUMP="ceph-dump -c $C -q --timeout 5 -j 1 --buffer 0 --chunk 256K"
LOAD="ceph-load -c $C -q --timeout 5 $MAP"
EDUMP="etcd-dump --endpoints $E -q --dial-timeout 1s --command-timeout 2s --page-size 100 --max-recv-bytes 4M"
ELOAD="etcd-load --endpoints $E -q --dial-timeout 1s --command-timeout 2s --txn-ops 64"
CHECK_LOAD="ceph-load -c $C -q --verify $MAP"

# ---------------------------------------------------------------- the cases
# kill -9 or SIGSTOP a server of the main sandbox mid dump/load.
#   server_case HOW SERVER TOOL
server_case() {
	local how=$1 srv=$2 tool=$3 pid name d out=$T/out
	name="$how $srv during $tool"
	pid=$(pid_of "$S" "$srv")
	d=$(rand 200 1500)
	rm -f "$out"
	IN_RATE='' OUT_RATE=''
	case $tool in
	ceph-dump) OUT_RATE=$CRATE launch /dev/null "$out" $DUMP ;;
	ceph-load) IN_RATE=$CRATE launch "$T/ceph.s" "$out" $LOAD ;;
	etcd-dump) OUT_RATE=$ERATE launch /dev/null "$out" $EDUMP ;;
	etcd-load) IN_RATE=$ERATE launch "$T/etcd.s" "$out" $ELOAD ;;
	esac
	sleep "$d"
	if [ "$how" = kill ]; then kill -KILL "$pid"; else kill -STOP "$pid"; fi
	finish 45
	local lost=0
	if [ "$srv" = mon ] && [ "$RC" = 0 ]; then
		# An OSD serves reads and writes without its monitor: finishing is right then,
		# as long as what was written is complete.
		lost=1
		case $tool in
		ceph-dump) btr-inspect -q <"$out" >/dev/null 2>&1 || bad "exit 0 but the stream does not verify" ;;
		esac
	else
		failed_fast "$tool"
		case $tool in ceph-dump | etcd-dump) not_complete stream "$out" ;; esac
	fi
	if [ "$how" = kill ]; then restart "$S" "$srv" || bad "server did not come back"
	else kill -CONT "$pid"; fi
	# The re-run asks whether we work once the cluster serves again, so it waits until
	# an independent client (rados) lists every pool: an OSD that was stopped, or a
	# monitor restarted, may take a few seconds to serve.  If rados can and we cannot,
	# the re-run still fails.
	case $tool in ceph-*) cluster_serves || bad "rados could not list the pools within 60 s of the fault" ;; esac
	case $tool in
	ceph-dump) rerun "$tool" $DUMP && { btr-inspect -q <"$T/rerun.out" >/dev/null 2>&1 || bad "re-run output does not verify"; } ;;
	ceph-load) rerun "$tool" $LOAD <"$T/ceph.s"
	           $CHECK_LOAD <"$T/ceph.s" >/dev/null 2>"$T/v.err" || bad "--verify after the re-run: $(head -c 200 "$T/v.err")" ;;
	etcd-dump) rerun "$tool" $EDUMP && { btr-inspect -q <"$T/rerun.out" >/dev/null 2>&1 || bad "re-run output does not verify"; } ;;
	etcd-load) rerun "$tool" $ELOAD <"$T/etcd.s"
	           etcd-load --endpoints "$E" -q --verify <"$T/etcd.s" 2>"$T/v.err" || bad "--verify after the re-run: $(head -c 200 "$T/v.err")" ;;
	esac
	[ $lost = 1 ] && name="$name (finished without the monitor, output complete)"
	[ "${served_after:-0}" -gt 0 ] && name="$name (rados served again after ${served_after} s)"
	served_after=0
	verdict "$name at ${d}s: exit $RC in ${TOOK}s"
}
# cluster_serves: rados lists every pool within 60 s (each try bounded by 10 s).
cluster_serves() {
	local i p ok
	for ((i = 0; i < 30; i++)); do
		ok=1
		for p in $POOLS; do timeout 10 rados -c "$C" -p "$p" ls >/dev/null 2>&1 || { ok=0; break; }; done
		[ $ok = 1 ] && { served_after=$i; return 0; }
		sleep 1
	done
	return 1
}
# rerun NAME CMD...: the same work without the fault succeeds (stdin: the caller's).
rerun() { local n=$1; shift; "$@" >"$T/rerun.out" 2>"$T/rerun.err" || { bad "re-run ($n) failed: $(head -c 300 "$T/rerun.err" | tr '\n' ' ')"; return 1; }; }

# A monitor down (stopped) before the tool starts: it must give up within --timeout.
mon_down_case() {
	local tool=$1 pid
	pid=$(pid_of "$S" mon)
	kill -STOP "$pid"
	case $tool in
	ceph-dump) launch /dev/null "$T/out" $DUMP ;;
	ceph-load) launch "$T/ceph.s" "$T/out" $LOAD ;;
	esac
	finish 45
	kill -CONT "$pid"
	failed_fast "$tool"
	[ "$tool" = ceph-dump ] && [ -s "$T/out" ] && bad "wrote $(stat -c %s "$T/out") bytes"
	[ "$TOOK" -le 30 ] || bad "took ${TOOK}s with --timeout 5"
	verdict "monitor hung before $tool starts: exit $RC in ${TOOK}s"
}

# SIGINT / SIGTERM to each tool mid-run.
#   signal_case SIG TOOL
signal_case() {
	local sig=$1 tool=$2 d out=$T/out kind='' in=/dev/null
	local -a cmd
	d=$(rand 200 1200)
	rm -rf "$out" "$T/sp"
	IN_RATE='' OUT_RATE=''
	case $tool in
	ceph-dump) cmd=($DUMP); OUT_RATE=$CRATE; kind=stream ;;
	ceph-dump--snapshot) cmd=($DUMP --snapshot); OUT_RATE=$CRATE; kind=stream ;;
	ceph-load) cmd=($LOAD); IN_RATE=$CRATE; in=$T/ceph.s ;;
	etcd-dump) cmd=($EDUMP); OUT_RATE=$ERATE; kind=stream ;;
	etcd-load) cmd=($ELOAD); IN_RATE=$ERATE; in=$T/etcd.s ;;
	btr-seal) cmd=($SEAL); IN_RATE=$CRATE; in=$T/both.s; kind=sealed ;;
	btr-unseal) cmd=($UNSEAL); IN_RATE=$CRATE; in=$T/both.sealed; kind=stream ;;
	btr-split) cmd=(btr-split -q -d "$T/sp" -b 1M); IN_RATE=$CRATE; in=$T/both.sealed; kind=split ;;
	btr-split--join) cmd=(btr-split -q --join -d "$T/split"); OUT_RATE=$CRATE; kind=sealed ;;
	btr-filter) cmd=(btr-filter -q -p btrdbhot -p staging); IN_RATE=$CRATE; in=$T/both.s; kind=stream ;;
	btr-inspect) cmd=(btr-inspect -q -l); IN_RATE=$CRATE; in=$T/both.s ;;
	esac
	launch "$in" "$out" "${cmd[@]}"
	sleep "$d"
	if ! alive "$TP"; then finish 1; bad "finished before the signal (${d}s): rate too high"; verdict "SIG$sig $tool"; return; fi
	kill -"$sig" "$TP"
	SENT=$(kill -l "$sig")
	finish 30
	failed_fast "${tool%%--*}"
	SENT=0
	case $kind in
	split) not_complete split "$T/sp" ;;
	?*) not_complete "$kind" "$out" ;;
	esac
	if [ "$tool" = ceph-dump--snapshot ]; then
		local p left=''
		for p in $POOLS; do
			rados -c "$C" -p "$p" lssnap 2>/dev/null | grep -q 'btr-dump-' && left="$left $p"
		done
		[ -z "$left" ] || bad "snapshots left in:$left"
	fi
	case $tool in
	ceph-load | etcd-load | btr-seal | btr-unseal | btr-filter | btr-inspect) rerun "$tool" "${cmd[@]}" <"$in" ;;
	btr-split) rm -rf "$T/sp"; rerun "$tool" "${cmd[@]}" <"$in" ;;
	*) rerun "$tool" "${cmd[@]}" ;;
	esac
	verdict "SIG$sig $tool at ${d}s: exit $RC in ${TOOK}s"
}

# The reader goes away: TOOL | head -c 100.
pipe_case() {
	local tool=$1 in=/dev/null
	local -a cmd
	case $tool in
	ceph-dump) cmd=($DUMP) ;;
	etcd-dump) cmd=($EDUMP) ;;
	btr-seal) cmd=($SEAL); in=$T/both.s ;;
	btr-unseal) cmd=($UNSEAL); in=$T/both.sealed ;;
	btr-split--join) cmd=(btr-split -q --join -d "$T/split") ;;
	btr-filter) cmd=(btr-filter -q); in=$T/both.s ;;
	btr-inspect) cmd=(btr-inspect -q -l); in=$T/both.s ;;
	esac
	HUNG=0
	timeout -s KILL 60 "${cmd[@]}" <"$in" 2>"$T/err" | head -c 100 >/dev/null
	RC=${PIPESTATUS[0]}
	[ "$RC" = 137 ] && HUNG=1
	TOOK=0
	failed_fast "${tool%%--*}"
	verdict "$tool | head -c 100: exit $RC"
}

# btr-split onto a disk that fills up.
disk_case() {
	local size=$1 m=$T/disk
	mkdir -p "$m"
	if ! mount -t tmpfs -o size="$size" tmpfs "$m" 2>"$T/mount.err"; then
		skip "disk full under btr-split" "cannot mount a tmpfs: $(cat "$T/mount.err")"
		return
	fi
	launch "$T/both.sealed" "$T/out" btr-split -q -d "$m/b" -b 1M
	finish 60
	failed_fast btr-split
	grep -q 'No space left' "$T/err" || bad "the message does not say the disk is full: $(cat "$T/err")"
	not_complete split "$m/b"
	umount "$m"
	# More room: the same split succeeds (over what the failed one left), and joins back.
	mount -t tmpfs -o size=200M tmpfs "$m" 2>/dev/null || bad "remount"
	mkdir -p "$m/b" && : >"$m/b/ARCHIVE00000.bin"
	rerun btr-split btr-split -q --force -d "$m/b" -b 1M <"$T/both.sealed" &&
		{ btr-split -q --join -d "$m/b" | cmp -s - "$T/both.sealed" || bad "the re-run does not join back to the input"; }
	umount "$m"
	verdict "disk full ($size) under btr-split: exit $RC in ${TOOK}s"
}
at_exit "mountpoint -q '$T/disk' && umount '$T/disk'"

# kill -9 the OSD: a memstore OSD comes back empty, so this runs on a victim sandbox
# that is made anew for the re-runs.  One kill fails a dump from it and a load into it.
# victim_up: a new victim sandbox, its pools filled from the dump, empty l_* pools.
# Its memstore is small (256 MiB) so that the full case below can fill it for real.
victim_up() {
	"$BTR_TOP/contrib/sandbox" down "$T/v" >/dev/null 2>&1
	SANDBOX_OSD_BYTES=$((256 << 20)) sandbox_up v --no-etcd
	"$BTR_TOP/contrib/sandbox" pool "$T/v" $POOLS $(printf 'l_%s ' $POOLS) >/dev/null 2>&1 || return 1
	ceph-load -c "$v_conf" -q --all-pools <"$T/ceph.s"
}
osd_case() {
	local d pid lmap
	local -a dump load
	d=$(rand 200 1500)
	dump=(${DUMP//$C/$v_conf})
	lmap=$(for p in $POOLS; do printf -- '-p %s:l_%s ' "$p" "$p"; done)
	load=(ceph-load -c "$v_conf" -q --timeout 5 $lmap)
	rm -f "$T/out"
	ERR=$T/err.d OUT_RATE=$CRATE IN_RATE='' launch /dev/null "$T/out" "${dump[@]}"
	local tp_d=$TP h_d=("${HELPERS[@]}")
	ERR=$T/err.l IN_RATE=$CRATE OUT_RATE='' launch "$T/ceph.s" /dev/null "${load[@]}"
	local tp_l=$TP h_l=("${HELPERS[@]}")
	pid=$(pid_of "$T/v" osd)
	sleep "$d"
	kill -KILL "$pid"
	TP=$tp_d HELPERS=("${h_d[@]}")
	finish 45
	ERR=$T/err.d failed_fast ceph-dump
	not_complete stream "$T/out"
	local rc_d=$RC took_d=$TOOK why_d=("${why[@]}")
	why=()
	TP=$tp_l HELPERS=("${h_l[@]}")
	finish 45
	ERR=$T/err.l failed_fast ceph-load
	victim_up || { bad "victim sandbox did not come back"; why_d+=("victim sandbox did not come back"); }
	rerun ceph-load "${load[@]}" <"$T/ceph.s"
	ceph-load -c "$v_conf" -q --verify $lmap <"$T/ceph.s" 2>"$T/v.err" || bad "--verify after the re-run: $(head -c 200 "$T/v.err")"
	verdict "kill OSD during ceph-load at ${d}s: exit $RC in ${TOOK}s"
	why=("${why_d[@]}")
	rerun ceph-dump "${dump[@]}" && { btr-inspect -q <"$T/rerun.out" >/dev/null 2>&1 || bad "re-run output does not verify"; }
	verdict "kill OSD during ceph-dump at ${d}s: exit $rc_d in ${took_d}s"
}

# A full cluster: the victim's full ratio lowered below what its OSD holds (nearfull,
# backfillfull, full, in that order).  ceph-load must say so at once (librados would
# otherwise wait for space, and ceph-load time out saying the cluster looks dead),
# still clear pools (removals make room), and succeed once there is room again.
# ratios full|normal: sets the victim's ratios below what it holds (or back to Ceph's
# defaults, in the reverse order) and waits until health says so.
ratios() {
	local c=(ceph -c "$v_conf" --connect-timeout 10) i h
	if [ "$1" = full ]; then
		"${c[@]}" osd set-nearfull-ratio 0.01 && "${c[@]}" osd set-backfillfull-ratio 0.02 &&
			"${c[@]}" osd set-full-ratio 0.03
	else
		"${c[@]}" osd set-full-ratio 0.95 && "${c[@]}" osd set-backfillfull-ratio 0.90 &&
			"${c[@]}" osd set-nearfull-ratio 0.85
	fi >/dev/null 2>&1 || return 1
	for ((i = 0; i < 60; i++)); do
		h=$("${c[@]}" health 2>/dev/null)
		case $h in
		*[0-9]' full osd'*) [ "$1" = full ] && return 0 ;;
		?*) [ "$1" = normal ] && return 0 ;;
		esac
		sleep 0.5
	done
	return 1
}
full_case() {
	local lmap p
	lmap=$(for p in $POOLS; do printf -- '-p %s:l_%s ' "$p" "$p"; done)
	ceph-load -c "$v_conf" -q $lmap <"$T/ceph.s" || bad "could not fill the l_ pools first"
	ratios full || { bad "the victim's OSD did not become full"; verdict "full cluster under ceph-load"; return; }
	ERR=$T/err IN_RATE='' OUT_RATE='' launch "$T/ceph.s" /dev/null ceph-load -c "$v_conf" -q --timeout 30 $lmap
	finish 45
	failed_fast ceph-load
	grep -Eq '^ceph-load: cannot write [^ ]+/[^ ]+: the cluster is full \([0-9]+ objects restored before this\)$' "$T/err" ||
		bad "the message does not say the cluster is full: $(head -c 300 "$T/err")"
	[ "$TOOK" -le 5 ] || bad "took ${TOOK}s: it waited for space"
	# Removals still go through on a full cluster: clearing is how an operator makes room.
	timeout 30 ceph-load -c "$v_conf" -q --timeout 20 $(printf -- '-p l_%s ' $POOLS) --clear-only 2>"$T/v.err" ||
		bad "--clear-only on the full cluster: $(head -c 200 "$T/v.err")"
	for p in $POOLS; do
		[ -z "$(rados -c "$v_conf" -p "l_$p" ls --all 2>/dev/null | head -1)" ] || bad "l_$p not empty after --clear-only"
	done
	ratios normal || bad "the victim's OSD did not stop being full"
	rerun ceph-load ceph-load -c "$v_conf" -q $lmap <"$T/ceph.s"
	ceph-load -c "$v_conf" -q --verify $lmap <"$T/ceph.s" 2>"$T/v.err" || bad "--verify after the re-run: $(head -c 200 "$T/v.err")"
	verdict "full cluster under ceph-load: exit $RC in ${TOOK}s"
}

# Faults Ceph and etcd survive, so must we: a sandbox of three OSDs (pools of size 2)
# and three etcd members.  One OSD killed during a ceph-dump and a ceph-load running
# at once, one etcd member during an etcd-dump, another during an etcd-load: every run
# finishes with exit 0, and the comparer (rados and etcdctl, not our tools) finds each
# copy identical to its source.  --timeout 30: librados resends once the map marks the
# OSD down (seconds, with the sandbox's heartbeat grace), the tool must not give up first.
replica_up() {
	sandbox_up r --osds 3 --etcd-members 3
	"$BTR_TOP/contrib/sandbox" pool "$T/r" $POOLS $(printf 'l_%s ' $POOLS) >/dev/null 2>&1 || return 1
	ceph-load -c "$r_conf" -q --all-pools <"$T/ceph.s" || return 1
	etcd-load --endpoints "$r_etcd" -q <"$T/etcd.s" || return 1
	remember "$T/r" etcd && remember "$T/r" etcd1 && remember "$T/r" etcd2
}
# compare_same WHAT COMPARE-ARGS...: contrib/sandbox compare finds no difference.
compare_same() {
	local what=$1
	shift
	"$BTR_TOP/contrib/sandbox" compare "$@" >"$T/cmp.out" 2>"$T/cmp.err" ||
		bad "$what: the comparer finds differences: $(head -c 300 "$T/cmp.out" "$T/cmp.err" | tr '\n' ' ')"
}
replica_osd_case() {
	local d victim p lmap fmap='' keep=()
	d=$(rand 200 1500)
	victim=$(( RANDOM % 3 ))
	lmap=$(for p in $POOLS; do printf -- '-p %s:l_%s ' "$p" "$p"; done)
	for p in $POOLS; do keep+=(--pool "$p"); done
	ERR=$T/err.d OUT_RATE=$CRATE IN_RATE='' launch /dev/null "$T/out" ${DUMP//$C/$r_conf} --timeout 30
	local tp_d=$TP h_d=("${HELPERS[@]}")
	ERR=$T/err.l IN_RATE=$CRATE OUT_RATE='' launch "$T/ceph.s" /dev/null ceph-load -c "$r_conf" -q --timeout 30 $lmap
	local tp_l=$TP h_l=("${HELPERS[@]}")
	sleep "$d"
	alive "$tp_d" && alive "$tp_l" || bad "a run finished before the kill (${d}s): rate too high"
	kill -KILL "$(pid_of "$T/r" "$( [ $victim = 0 ] && echo osd || echo osd$victim)")"
	TP=$tp_d HELPERS=("${h_d[@]}")
	finish 90
	local rc_d=$RC took_d=$TOOK hung_d=$HUNG
	TP=$tp_l HELPERS=("${h_l[@]}")
	finish 90
	[ "$HUNG" = 1 ] && bad "ceph-load hung"
	[ "$RC" = 0 ] || bad "ceph-load exit $RC: $(head -c 300 "$T/err.l")"
	# The load: the source pools of the same cluster against their restored copies.
	compare_same "ceph-load" --no-etcd $(printf -- '--pool %s ' $POOLS) "$T/r" $(for p in $POOLS; do printf '%s:l_%s ' "$p" "$p"; done) "$T/r"
	local why_l=("${why[@]}")
	why=()
	[ "$hung_d" = 1 ] && bad "ceph-dump hung"
	[ "$rc_d" = 0 ] || bad "ceph-dump exit $rc_d: $(head -c 300 "$T/err.d")"
	# The dump: restored (cleared first) into the main sandbox, compared with its source.
	if [ "$rc_d" = 0 ]; then
		ceph-load -c "$C" -q --clear $MAP <"$T/out" 2>"$T/v.err" || bad "restoring the dump: $(head -c 200 "$T/v.err")"
		for p in $POOLS; do fmap="$fmap $p:f_${p#btrdb}"; done
		compare_same "ceph-dump" --no-etcd $(printf -- '--pool %s ' $POOLS) "$T/r" $fmap "$S"
	fi
	verdict "kill osd.$victim of 3 during ceph-dump at ${d}s: exit $rc_d in ${took_d}s"
	why=("${why_l[@]}")
	verdict "kill osd.$victim of 3 during ceph-load at ${d}s: exit $RC"
}
# replica_etcd_case TOOL: one member (at random) of the three killed mid-run, then
# started again (same data) for the next case.
replica_etcd_case() {
	local tool=$1 d m name
	d=$(rand 200 1500)
	m=$(( RANDOM % 3 ))
	name=etcd$([ $m = 0 ] || echo $m)
	rm -f "$T/out"
	if [ "$tool" = etcd-dump ]; then
		OUT_RATE=$ERATE IN_RATE='' launch /dev/null "$T/out" ${EDUMP//$E/$r_etcd} --command-timeout 5s
	else
		etcdctl --endpoints "$r_etcd" del --prefix "" >/dev/null 2>&1 || bad "could not empty the cluster first"
		IN_RATE=$ERATE OUT_RATE='' launch "$T/etcd.s" /dev/null ${ELOAD//$E/$r_etcd} --command-timeout 5s
	fi
	sleep "$d"
	alive "$TP" || bad "finished before the kill (${d}s): rate too high"
	kill -KILL "$(pid_of "$T/r" "$name")"
	finish 90
	[ "$HUNG" = 1 ] && bad "hung"
	[ "$RC" = 0 ] || bad "exit $RC: $(head -c 300 "$T/err")"
	restart "$T/r" "$name" "$r_etcd" || bad "member $name did not come back"
	# The source of the stream (the main sandbox's etcd) against the copy: for a load,
	# the cluster loaded; for a dump, a fresh etcd loaded from it.
	if [ "$RC" = 0 ] && [ "$tool" = etcd-dump ]; then
		"$BTR_TOP/contrib/sandbox" down "$T/c" >/dev/null 2>&1
		sandbox_up c --no-ceph
		etcd-load --endpoints "$c_etcd" -q <"$T/out" 2>"$T/v.err" || bad "loading the dump: $(head -c 200 "$T/v.err")"
		compare_same "etcd-dump" --no-ceph --skip-leased "$S" "$T/c"
	elif [ "$RC" = 0 ]; then
		compare_same "etcd-load" --no-ceph --skip-leased "$S" "$T/r"
	fi
	verdict "kill etcd member $m of 3 during $tool at ${d}s: exit $RC in ${TOOK}s"
}

# A mon killed during ceph-dump --snapshot: whatever the dump does, once the monitor
# is back, --cleanup-snapshots leaves no snapshot of ours.
mon_snapshot_case() {
	local d p left=''
	d=$(rand 200 1500)
	OUT_RATE=$CRATE IN_RATE='' launch /dev/null "$T/out" $DUMP --snapshot
	sleep "$d"
	kill -KILL "$(pid_of "$S" mon)"
	finish 60
	[ "$HUNG" = 1 ] && bad "hung"
	[ "$RC" = 0 ] || failed_fast ceph-dump
	[ "$RC" = 0 ] && { btr-inspect -q <"$T/out" >/dev/null 2>&1 || bad "exit 0 but the stream does not verify"; }
	[ "$RC" != 0 ] && not_complete stream "$T/out"
	restart "$S" mon || bad "monitor did not come back"
	rerun "cleanup" ceph-dump -c "$C" -q --timeout 10 --cleanup-snapshots
	for p in $POOLS; do rados -c "$C" -p "$p" lssnap 2>/dev/null | grep -q 'btr-dump-' && left="$left $p"; done
	[ -z "$left" ] || bad "snapshots left in:$left"
	verdict "kill monitor during ceph-dump --snapshot at ${d}s: exit $RC in ${TOOK}s"
}

# want GROUP: BTR_FAULTS_ONLY allows it.
want() { [[ $1 == ${BTR_FAULTS_ONLY:-*} ]]; }
for ((round = 1; round <= rounds; round++)); do
	want signal && for tool in ceph-dump ceph-load etcd-dump etcd-load btr-seal btr-unseal btr-split btr-split--join btr-filter btr-inspect ceph-dump--snapshot; do
		for sig in INT TERM; do signal_case "$sig" "$tool"; done
	done
	want pipe && for tool in ceph-dump etcd-dump btr-seal btr-unseal btr-split--join btr-filter btr-inspect; do
		pipe_case "$tool"
	done
	want disk && disk_case $((1 + RANDOM % 8))M
	want server && for tool in etcd-dump etcd-load; do server_case kill etcd "$tool"; server_case stop etcd "$tool"; done
	want server && for tool in ceph-dump ceph-load; do server_case stop osd "$tool"; server_case kill mon "$tool"; mon_down_case "$tool"; done
	want mon && mon_snapshot_case
	if want victim || want full || want osd; then
		[ $round = 1 ] && { victim_up 2>"$T/victim.err" || { fail "victim sandbox" "could not start: $(tail -2 "$T/victim.err")"; exit 1; }; }
		want full && full_case
		want osd && osd_case
	fi
	if want replica; then
		# A new sandbox each round: a second OSD killed could take both copies of a PG.
		"$BTR_TOP/contrib/sandbox" down "$T/r" >/dev/null 2>&1
		replica_up 2>"$T/replica.err" || { fail "replica sandbox" "could not start: $(tail -2 "$T/replica.err")"; exit 1; }
		replica_osd_case
		replica_etcd_case etcd-dump
		replica_etcd_case etcd-load
	fi
done

echo "faults: $ncases cases, $npassed passed, $nfailed failed in ${SECONDS}s (sandboxes and seeding included)" >&2
echo "$ncases cases, $npassed passed, $nfailed failed"
