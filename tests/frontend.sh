# btrdb-backup: the original tool's commands with their flags and messages, tried
# as a user would (a passphrase typed at a terminal, driven through tmux), against
# real etcd and Ceph; every failing stage fails the command with its status, and a
# failed create leaves no directory behind.
. "$(dirname "$0")/lib.sh"

PP='fe-Pass phrase 4711'
printf '%s\n' "$PP" >"$T/pass"
chmod 600 "$T/pass"
export TMPDIR=$T
cd "$T" || exit 1

# lines NAME REGEX...: each REGEX matches a line of the last command's stderr.
lines() {
	local name=$1 r miss=''; shift
	for r in "$@"; do grep -Eq -- "$r" "$T/last.err" || miss="$miss /$r/"; done
	[ -z "$miss" ]
	outcome $? "$name" "missing$miss in: $(head -c 400 "$T/last.err" | tr '\n' '|')"
}
# gone NAME DIR: neither DIR nor DIR.partial exists.
gone() {
	if [ -e "$2" ] || [ -e "$2.partial" ]; then fail "$1" "$(ls -d "$2"* 2>/dev/null | tr '\n' ' ')left behind"
	else pass "$1"; fi
}
# The last line of stderr is the front end's own, naming the failing stage.
last_line() {
	tail -1 "$T/last.err" | grep -Eq -- "$2"
	outcome $? "$1" "last line: $(tail -1 "$T/last.err")"
}

# ---- usage, without servers
expect_exit 0 "--help exits 0" btrdb-backup --help
grep -q 'btrdb-backup create' "$T/last.out"
outcome $? "--help on stdout" "$(head -2 "$T/last.out")"
expect_exit 0 "--version exits 0" btrdb-backup --version
expect_exit 2 "no command exits 2" btrdb-backup
expect_exit 2 "unknown command exits 2" btrdb-backup backup
expect_err "unknown command message" "^btrdb-backup: unknown command 'backup'"
expect_exit 2 "unknown option exits 2" btrdb-backup create --kdf interactive --outdir x
expect_err "unknown option message" "unknown option '--outdir' for create"
expect_exit 2 "missing argument exits 2" btrdb-backup create --kdf interactive --outputdir
expect_err "missing argument message" "option --outputdir needs an argument"
expect_exit 2 "skipping both exits 2" btrdb-backup create --kdf interactive --skip-ceph --skip-etcd --outputdir x
expect_err "skipping both message" "you can't skip both ceph and etcd"
expect_exit 2 "bad --restore-pool exits 2" btrdb-backup restore --restore-pool btrdbhot --outputdir x
expect_err "bad --restore-pool message" "--restore-pool wants OLD:NEW"
expect_exit 2 "--kdf is for create only" btrdb-backup inspect --kdf interactive --outputdir x
expect_err "--kdf with inspect message" "--kdf does not apply to inspect"
expect_exit 2 "an option of another command exits 2" btrdb-backup restore --include-pool p --outputdir x
mkdir "$T/exists"
expect_exit 2 "create into an existing directory exits 2" btrdb-backup create --kdf interactive --outputdir "$T/exists" --skip-ceph
expect_err "existing directory message" "already exists"
expect_exit 2 "restore from a missing directory exits 2" btrdb-backup restore --outputdir "$T/nope" --skip-ceph
expect_err "missing directory message" "nope: no such backup directory"
expect_exit 1 "restore from a directory without MANIFEST exits 1" btrdb-backup restore --outputdir "$T/exists" --skip-ceph
expect_err "incomplete directory message" "no MANIFEST: not a complete backup"
# No terminal (a new session has none) and no passphrase: a clear refusal, no hang.
expect_exit 2 "no terminal and no passphrase exits 2" setsid -w btrdb-backup create --kdf interactive --outputdir "$T/nt" --skip-ceph
expect_err "no terminal message" "no passphrase: no terminal to ask on"
gone "no terminal leaves nothing" "$T/nt"
# The original tool's spellings: -flag and --flag=value.
expect_exit 2 "-flag=value spelling is understood" btrdb-backup create --kdf interactive -outputdir="$T/exists" --skip-ceph
expect_err "-flag=value reaches the check" "exists already|already exists"

# ---- etcd only: two etcds, a backup, an inspection, a clear and a restore
sandbox_up es --no-ceph
sandbox_up ed --no-ceph
export ETCDCTL_API=3
ectl() { local ep=$1; shift; etcdctl --endpoints "$ep" "$@"; }
for i in $(seq 1 40); do ectl "$es_etcd" put "btrdb/n/node$i/conf" "value $i" >/dev/null; done
head -c 70000 /dev/urandom | ectl "$es_etcd" put btrdb/g/big >/dev/null
lease=$(ectl "$es_etcd" lease grant 600 | awk '{print $2}')
ectl "$es_etcd" put --lease="$lease" btrdb/x/m/node1/active yes >/dev/null
count() { ectl "$1" get --prefix '' --keys-only -w json | jq '.count // 0'; }
nkeys=$(count "$es_etcd")
ectl "$ed_etcd" put stale/key gone >/dev/null

expect_exit 0 "create --skip-ceph" env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive --outputdir "$T/e1" --etcd "$es_etcd" --skip-ceph
lines "create messages" '^skipping incremental metadata$' '^skipping ceph backup$' \
	'^creating new file ARCHIVE00000\.bin$' "^ETCD DONE; included $nkeys etcd records\$" "^backup complete: $T/e1\$"
[ -f "$T/e1/ARCHIVE00000.bin" ] && [ -f "$T/e1/MANIFEST" ] && [ ! -e "$T/e1.partial" ] && [ ! -e "$T/e1/INDEX.btr" ]
outcome $? "the backup directory holds pieces and a manifest" "$(ls "$T/e1" 2>&1)"
! grep -aq 'btrdb/n/node1' "$T/e1/ARCHIVE00000.bin"
outcome $? "the pieces are sealed" "a key is readable"

expect_exit 0 "inspect" btrdb-backup inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
grep -q "^archive contains 0 ceph objects and $nkeys etcd records\$" "$T/last.out"
outcome $? "inspect prints the original summary on stdout" "$(head -2 "$T/last.out")"
echo 'wrong passphrase' >"$T/wrong"; chmod 600 "$T/wrong"
expect_exit 1 "inspect with a wrong passphrase exits 1" btrdb-backup inspect --outputdir "$T/e1" --passphrase-file "$T/wrong"
last_line "wrong passphrase names btr-unseal" '^btrdb-backup: the backup in .* did not verify \(.*btr-unseal exited 1'
[ ! -s "$T/last.out" ]
outcome $? "nothing reported from a backup that did not verify" "$(head -1 "$T/last.out")"

# ---- the tools beside the script come first (also through a symlink), then PATH;
# a missing one is named before anything starts.  PATH holds no tool of ours here.
nopath=/usr/sbin:/usr/bin:/sbin:/bin
fe=$(command -v btrdb-backup)	# the checkout's (bin/, or build/san/bin under SAN=1)
if PATH=$nopath command -v btr-seal >/dev/null; then
	skip "tools found beside the script" "btr-seal is installed in $nopath"
else
	expect_exit 0 "from the checkout with no tool on PATH" env PATH=$nopath "$fe" inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	mkdir "$T/kit" "$T/links" "$T/other" "$T/src"
	for t in btrdb-backup etcd-dump etcd-load ceph-dump ceph-load btr-seal btr-unseal btr-split btr-inspect; do
		cp "$(command -v "$t")" "$T/kit/"
	done
	cp "$(dirname "$fe")/btrdb-backup-catalog.sh" "$T/kit/"
	ln -s "$T/kit/btrdb-backup" "$T/links/bb"
	expect_exit 0 "through a symlink, the tools beside its target" env PATH=$nopath "$T/links/bb" inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	expect_exit 0 "a symlink found on PATH" env PATH="$T/links:$nopath" bb inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	mv "$T/kit/btr-unseal" "$T/other/"
	expect_exit 3 "a missing tool exits 3" env PATH=$nopath "$T/kit/btrdb-backup" inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	expect_err "a missing tool is named, with how to get it" "^btrdb-backup: btr-unseal not found beside $T/kit or on PATH \\(install them: 'make install' .*\\)$"
	expect_exit 3 "create with a missing tool exits 3" env PATH=$nopath BTR_PASSPHRASE="$PP" "$T/links/bb" create --outputdir "$T/m1" --etcd "$es_etcd" --skip-ceph
	gone "create with a missing tool starts nothing" "$T/m1"
	expect_exit 0 "then the tool from PATH" env PATH="$nopath:$T/other" "$T/kit/btrdb-backup" inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	# A checkout that was never built says so.
	cp "$BTR_TOP/bin/btrdb-backup" "$BTR_TOP/bin/btr-seal.c" "$T/src/"
	expect_exit 3 "without its catalog helper exits 3" env PATH=$nopath "$T/src/btrdb-backup" inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	expect_err "the missing helper is named" "btrdb-backup-catalog.sh not found beside $T/src nor in"
	cp "$BTR_TOP/bin/btrdb-backup-catalog.sh" "$T/src/"
	expect_exit 3 "an unbuilt checkout exits 3" env PATH=$nopath "$T/src/btrdb-backup" inspect --outputdir "$T/e1" --passphrase-file "$T/pass"
	expect_err "an unbuilt checkout says to run make" "^btrdb-backup: etcd-dump, etcd-load, ceph-dump, ceph-load, btr-seal, btr-unseal, btr-split, btr-inspect not found beside $T/src or on PATH \\(run 'make' in $T\\)$"
fi

expect_exit 0 "clear --skip-ceph" btrdb-backup clear --etcd "$ed_etcd" --skip-ceph
lines "clear messages" '^deleted [0-9]+ etcd keys$' '^done$'
[ "$(count "$ed_etcd")" = 0 ]
outcome $? "clear empties etcd" "keys remain"

expect_exit 0 "restore --skip-ceph" env BTR_PASSPHRASE="$PP" btrdb-backup restore --outputdir "$T/e1" --etcd "$ed_etcd" --skip-ceph
lines "restore messages" "^Restore complete: restored 0 ceph objects, skipped 0 ceph objects and restored $((nkeys - 1)) etcd records\$"
ectl "$es_etcd" get --prefix '' -w json | jq -c '[.kvs[] | select(.lease == null) | [.key, .value]]' >"$T/es.kv"
ectl "$ed_etcd" get --prefix '' -w json | jq -c '[.kvs[] | [.key, .value]]' >"$T/ed.kv"
same "restored keys and values equal the source's, lease-bound ones aside" "$T/es.kv" "$T/ed.kv"
[ -z "$(ectl "$ed_etcd" get btrdb/x/m/node1/active)" ]
outcome $? "the lease-bound key is not restored" "it is"

# ---- failures: every stage's status reaches the exit status; nothing is kept
expect_exit 3 "create with etcd unreachable exits 3" btrdb-backup create --kdf interactive --outputdir "$T/f1" --etcd 127.0.0.1:1 --skip-ceph --passphrase-file "$T/pass"
last_line "unreachable etcd names etcd-dump" '^btrdb-backup: create failed \(etcd-dump exited 3\); nothing was kept$'
gone "a failed create leaves no directory" "$T/f1"
# A full disk: the pieces cannot be written (file size limit), btr-split fails.
( ulimit -f 2; exec btrdb-backup create --kdf interactive --outputdir "$T/f2" --etcd "$es_etcd" --skip-ceph --passphrase-file "$T/pass" ) >"$T/last.out" 2>"$T/last.err"
rc=$?
[ "$rc" = 3 ]
outcome $? "create onto a full disk exits 3" "exit $rc: $(tail -2 "$T/last.err")"
last_line "full disk names btr-split" 'create failed \(.*btr-split exited'
gone "a create that ran out of space leaves no directory" "$T/f2"
# Killed outright: DIR.partial may stay, never DIR, and the next create refuses.
mkdir "$T/f3.partial"
expect_exit 2 "create over a left-over DIR.partial exits 2" btrdb-backup create --kdf interactive --outputdir "$T/f3" --skip-ceph --passphrase-file "$T/pass"
expect_err "left-over DIR.partial message" "f3.partial exists"
[ -d "$T/f3.partial" ]
outcome $? "someone else's DIR.partial is left alone" "removed"
# A dangling symlink planted for DIR.partial: refused, never followed or removed.
ln -s "$T/elsewhere" "$T/f5.partial"
expect_exit 2 "create over a planted DIR.partial symlink exits 2" btrdb-backup create --kdf interactive --outputdir "$T/f5" --skip-ceph --passphrase-file "$T/pass"
last_line "the planted DIR.partial is named" "cannot create .*f5.partial"
[ -L "$T/f5.partial" ] && [ ! -e "$T/elsewhere" ]
outcome $? "the planted symlink is left alone, nothing made through it" "$(ls -ld "$T/f5.partial" "$T/elsewhere" 2>&1)"
# A passphrase file others can read: refused by the sealing stage, unless --insecure-key-file.
cp "$T/pass" "$T/pass.open"; chmod 0644 "$T/pass.open"
expect_exit 2 "create with a passphrase file others can read exits 2" btrdb-backup create --kdf interactive --outputdir "$T/f6" --etcd "$es_etcd" --skip-ceph --passphrase-file "$T/pass.open"
grep -q 'pass.open is readable by group or others' "$T/last.err"
outcome $? "the readable passphrase file is named" "$(cat "$T/last.err")"
gone "the refused create leaves no directory" "$T/f6"
expect_exit 0 "create --insecure-key-file takes it" btrdb-backup create -q --insecure-key-file --kdf interactive --outputdir "$T/f6" --etcd "$es_etcd" --skip-ceph --passphrase-file "$T/pass.open"
expect_exit 0 "inspect --insecure-key-file takes it" btrdb-backup inspect -q --insecure-key-file --outputdir "$T/f6" --passphrase-file "$T/pass.open"
# Interrupted: SIGTERM while the pipeline runs removes DIR.partial.
ectl "$es_etcd" put btrdb/g/filler "$(head -c 100000 /dev/zero | tr '\0' x)" >/dev/null
btrdb-backup create --kdf interactive --outputdir "$T/f4" --etcd "$es_etcd" --skip-ceph --passphrase-file "$T/pass" >/dev/null 2>"$T/last.err" &
pid=$!
for _ in $(seq 1 100); do [ -e "$T/f4.partial" ] && break; sleep 0.05; done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 143 ]
outcome $? "SIGTERM ends create with 143" "exit $rc"
gone "an interrupted create leaves no directory" "$T/f4"
ectl "$es_etcd" del btrdb/g/filler >/dev/null
# A damaged piece: restore exits 1, naming the stages.
cp -r "$T/e1" "$T/dmg"
printf 'X' | dd of="$T/dmg/ARCHIVE00000.bin" bs=1 seek=2000 conv=notrunc status=none
expect_exit 1 "restore of a damaged backup exits 1" btrdb-backup restore --outputdir "$T/dmg" --etcd "$ed_etcd" --skip-ceph --passphrase-file "$T/pass"
last_line "damage is reported by the front end" '^btrdb-backup: restore from .* did not complete \(.*btr-unseal exited 1'
expect_exit 1 "inspect of a damaged backup exits 1" btrdb-backup inspect --outputdir "$T/dmg" --passphrase-file "$T/pass"
# A removed piece is a truncation: exit 1.
rm "$T/dmg/ARCHIVE00000.bin"
expect_exit 1 "restore of a backup with a missing piece exits 1" btrdb-backup restore --outputdir "$T/dmg" --etcd "$ed_etcd" --skip-ceph --passphrase-file "$T/pass"
last_line "missing piece names btr-split" 'btr-split exited 1'
expect_exit 3 "restore into an unreachable etcd exits 3" btrdb-backup restore --outputdir "$T/e1" --etcd 127.0.0.1:1 --skip-ceph --passphrase-file "$T/pass"
last_line "unreachable target names etcd-load" 'etcd-load exited 3'

# ---- a passphrase typed at a terminal (tmux), never in argv or a child's environment
if command -v tmux >/dev/null; then
	tmux_up fe "env -u BTR_PASSPHRASE PATH='$PATH' TMPDIR='$T' sh" 2>"$T/tmux.err" ||
		fail "tmux starts" "$(cat "$T/tmux.err")"
	sock=$tmux_sock
	# spy: while the command runs, record every process's argv and the environment of
	# our tools, to look for the passphrase in them afterwards.
	spy() {
		: >"$T/spy"
		while [ ! -e "$T/spy.stop" ]; do
			ps -eo pid=,args= >"$T/ps.now"
			cat "$T/ps.now" >>"$T/spy"
			# The environment of every tool the front end runs (its own shell
			# was given BTR_PASSPHRASE by the caller, in one test, and keeps it
			# in /proc/PID/environ: only what it exports reaches the tools).
			awk '$2 ~ /(^|\/)(btr-[a-z]+|etcd-(dump|load)|ceph-(dump|load)|tee)$/ {print $1}' "$T/ps.now" | while read -r pid; do
				tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" >>"$T/spy"
			done
			sleep 0.05
		done
	}
	run_typed() { # run_typed NAME COMMAND TIMES: types the passphrase TIMES times
		local name=$1 cmd=$2 n=$3 i
		tmux -L "$sock" send-keys -t fe 'clear' Enter
		sleep 0.2
		rm -f "$T/spy.stop"; spy & local spid=$!
		type_line "$cmd; echo EXIT=\$?"
		wait_for 'please enter the encryption passphrase: ' || fail "$name: prompt" "$(screen | tail -5)"
		type_line "$PP"
		if [ "$n" = 2 ]; then
			wait_for 'same again: ' || fail "$name: second prompt" "$(screen | tail -5)"
			type_line "$PP"
		fi
		wait_for '^EXIT=[0-9]+' 120 || fail "$name: finishes" "$(screen | tail -5)"
		touch "$T/spy.stop"; wait "$spid"
		screen >"$T/screen.$name"
	}
	run_typed create "btrdb-backup create --outputdir $T/tty1 --etcd $es_etcd --skip-ceph" 2
	grep -q '^EXIT=0' "$T/screen.create"
	outcome $? "create with a typed passphrase" "$(tail -5 "$T/screen.create")"
	grep -q '^ETCD DONE; included' "$T/screen.create" && grep -q '^creating new file ARCHIVE00000.bin' "$T/screen.create"
	outcome $? "create at a terminal prints the original messages" "$(tail -8 "$T/screen.create")"
	! grep -qF "$PP" "$T/screen.create"
	outcome $? "the typed passphrase is not echoed" "it is on the screen"
	grep -q 'btr-seal' "$T/spy" && pass "the spy saw btr-seal running" || skip "the spy saw btr-seal running" "too quick to see"
	! grep -qF "$PP" "$T/spy" && pass "the passphrase is in no argv and no child's environment (create)" ||
		fail "the passphrase is in no argv and no child's environment (create)" "$(grep -F "$PP" "$T/spy" | head -2)"
	btrdb-backup clear --etcd "$ed_etcd" --skip-ceph >/dev/null 2>&1
	run_typed restore "btrdb-backup restore --outputdir $T/tty1 --etcd $ed_etcd --skip-ceph" 1
	grep -q '^EXIT=0' "$T/screen.restore"
	outcome $? "restore with a passphrase typed once" "$(tail -5 "$T/screen.restore")"
	grep -q '^Restore complete: restored 0 ceph objects, skipped 0 ceph objects and restored ' "$T/screen.restore"
	outcome $? "restore at a terminal prints the original summary" "$(tail -4 "$T/screen.restore")"
	! grep -qF "$PP" "$T/spy" && pass "the passphrase is in no argv and no child's environment (restore)" ||
		fail "the passphrase is in no argv and no child's environment (restore)" "$(grep -F "$PP" "$T/spy" | head -2)"
	ectl "$ed_etcd" get --prefix '' -w json | jq -c '[.kvs[] | [.key, .value]]' >"$T/ed2.kv"
	ectl "$es_etcd" get --prefix '' -w json | jq -c '[.kvs[] | select(.lease == null) | [.key, .value]]' >"$T/es2.kv"
	same "the terminal restore equals the source" "$T/es2.kv" "$T/ed2.kv"
	# BTR_PASSPHRASE given to the front end: the tools never see it.
	rm -f "$T/spy.stop"; spy & spid=$!
	env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive --outputdir "$T/envpp" --etcd "$es_etcd" --skip-ceph >/dev/null 2>&1
	touch "$T/spy.stop"; wait "$spid"
	grep -q 'btr-seal' "$T/spy" && ! grep -qF "$PP" "$T/spy" && pass "BTR_PASSPHRASE reaches no tool's environment or argv" ||
		fail "BTR_PASSPHRASE reaches no tool's environment or argv" "$(grep -F "$PP" "$T/spy" | head -2) (btr-seal seen: $(grep -c btr-seal "$T/spy"))"
	# Mismatched passphrases: refused, nothing created.
	tmux -L "$sock" send-keys -t fe 'clear' Enter; sleep 0.2
	type_line "btrdb-backup create --outputdir $T/tty2 --etcd $es_etcd --skip-ceph; echo EXIT=\$?"
	wait_for 'please enter the encryption passphrase: ' && type_line "$PP"
	wait_for 'same again: ' && type_line "$PP-typo"
	wait_for '^EXIT=[0-9]+' 60
	screen | grep -q '^EXIT=2' && screen | grep -q 'passphrases did not match' &&
		pass "mismatched passphrases exit 2" || fail "mismatched passphrases exit 2" "$(screen | tail -3)"
	gone "mismatched passphrases create nothing" "$T/tty2"
	# The terminal is left sane (echo back on).
	type_line "stty -a | grep -o ' echo ' ; echo EXIT=\$?"
	sleep 0.5
	screen | grep -q '^ echo $' && pass "the terminal echoes again afterwards" || fail "the terminal echoes again afterwards" "$(screen | tail -3)"
	# Ctrl-Z at the prompt, then fg: echo is off again and the passphrase is asked anew.
	# Under bash, which (unlike dash) gives a job back the terminal as it left it.
	tmux -L "$sock" new-session -d -s fz -x 220 -y 50 \
		"env -u BTR_PASSPHRASE PATH='$PATH' TMPDIR='$T' PS1='$ ' bash --norc --noprofile -i"
	tz() { tmux -L "$sock" send-keys -t fz "$@"; sleep 0.7; }
	tz "btrdb-backup create -q --outputdir $T/tty3 --etcd $es_etcd --skip-ceph" Enter
	tz C-z
	tz fg Enter
	tz -l "$PP"; tz Enter
	tz -l "$PP"; tz Enter
	for _ in $(seq 1 300); do [ -d "$T/tty3" ] && break; sleep 0.2; done
	tmux -L "$sock" capture-pane -p -J -S -50 -t fz >"$T/screen.ctrlz"
	[ -d "$T/tty3" ] && ! grep -qF "$PP" "$T/screen.ctrlz" && pass "Ctrl-Z and fg at the prompt: no echo, the passphrase taken" ||
		fail "Ctrl-Z and fg at the prompt" "$(grep -v '^$' "$T/screen.ctrlz" | tail -6 | tr '\n' '|')"
else
	skip "passphrase typed at a terminal" "tmux is not installed"
fi

# ---- Ceph: full, incremental, inspect, clear, restore into renamed pools
if ! command -v ceph-dump >/dev/null; then
	skip "create and restore with Ceph" "ceph-dump is not built on this branch"
	exit 0
fi
sandbox_up cs
sandbox_up cd
rad() { local c=$1; shift; rados -c "$c" "$@"; }
"$BTR_TOP/contrib/sandbox" pool "$T/cs" btrdbhot btrdbcold >/dev/null 2>&1 || fail "source pools" "cannot create"
"$BTR_TOP/contrib/sandbox" pool "$T/cd" restore_hot restore_cold >/dev/null 2>&1 || fail "target pools" "cannot create"
head -c 3000000 /dev/urandom >"$T/obj.big"
: >"$T/obj.empty"
for i in 1 2 3 4 5; do head -c $((i * 1000)) /dev/urandom >"$T/obj.$i"; rad "$cs_conf" -p btrdbcold put "cold$i" "$T/obj.$i"; done
rad "$cs_conf" -p btrdbhot put sbig "$T/obj.big"
rad "$cs_conf" -p btrdbhot put meta1 "$T/obj.empty"
rad "$cs_conf" -p btrdbhot setxattr meta1 version 12345678
rad "$cs_conf" -p btrdbhot -N journalprovider put node/a "$T/obj.1"
rad "$cs_conf" -p btrdbhot setomapval sbig k1 v1
ectl "$cs_etcd" put btrdb/g/conf one >/dev/null

expect_exit 0 "create with Ceph and etcd" env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive --outputdir "$T/full" \
	--cephconf "$cs_conf" --etcd "$cs_etcd" --include-pool btrdbhot --include-pool btrdbcold
lines "create messages with Ceph" '^this backup will include 2 pools:$' '^ - btrdbhot$' '^ - btrdbcold$' \
	'^CEPH DONE; included 8 ceph objects \(skipped 0 unchanged\)$' '^ETCD DONE; included 1 etcd records$'
[ -f "$T/full/INDEX.btr" ]
outcome $? "a Ceph backup holds a sealed index" "$(ls "$T/full")"
# Change: one object rewritten, one deleted, one added.
head -c 2000 /dev/urandom >"$T/obj.new"
rad "$cs_conf" -p btrdbcold put cold1 "$T/obj.new"
rad "$cs_conf" -p btrdbcold rm cold2
rad "$cs_conf" -p btrdbcold put cold9 "$T/obj.new"
expect_exit 0 "create --incremental-over" env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive --outputdir "$T/incr" \
	--cephconf "$cs_conf" --etcd "$cs_etcd" --include-pool btrdbhot --include-pool btrdbcold --incremental-over "$T/full"
lines "incremental messages" '^CEPH DONE; included 2 ceph objects \(skipped 6 unchanged\)$'
! grep -q '^skipping incremental metadata$' "$T/last.err"
outcome $? "an incremental does not skip the metadata" "it says it does"
expect_exit 0 "inspect the incremental" env BTR_PASSPHRASE="$PP" btrdb-backup inspect --outputdir "$T/incr"
grep -q '^archive contains 2 ceph objects and 1 etcd records$' "$T/last.out"
outcome $? "inspect counts the incremental" "$(head -1 "$T/last.out")"
lines "inspect verifies the index" '^index verified$'

expect_exit 0 "clear the target pools" btrdb-backup clear --cephconf "$cd_conf" --include-pool restore_hot --include-pool restore_cold --skip-etcd
expect_exit 0 "restore the full backup into renamed pools" env BTR_PASSPHRASE="$PP" btrdb-backup restore --outputdir "$T/full" \
	--cephconf "$cd_conf" --etcd "$cd_etcd" --restore-pool btrdbhot:restore_hot --restore-pool btrdbcold:restore_cold
lines "restore summary" '^Restore complete: restored 8 ceph objects, skipped 0 ceph objects and restored 1 etcd records$'
[ "$(grep -c '^Restore complete: ' "$T/last.err")" = 1 ] && pass "one summary line, not the loaders' too" ||
	fail "one summary line, not the loaders' too" "$(grep '^Restore complete: ' "$T/last.err" | tr '\n' '|')"
expect_exit 0 "restore the incremental" env BTR_PASSPHRASE="$PP" btrdb-backup restore --outputdir "$T/incr" \
	--cephconf "$cd_conf" --skip-etcd --restore-pool btrdbhot:restore_hot --restore-pool btrdbcold:restore_cold
lines "incremental restore summary" '^Restore complete: restored 2 ceph objects, skipped 0 ceph objects and restored 0 etcd records$'
# Independently (rados), the target equals the source.
listing() { rad "$1" -p "$2" ls --all | sort; }
for p in hot cold; do
	listing "$cs_conf" "btrdb$p" >"$T/ls.s.$p"; listing "$cd_conf" "restore_$p" >"$T/ls.d.$p"
	same "restore_$p lists the objects of btrdb$p" "$T/ls.s.$p" "$T/ls.d.$p"
done
ok=1
for o in cold1 cold3 cold9; do
	rad "$cs_conf" -p btrdbcold get "$o" "$T/a"; rad "$cd_conf" -p restore_cold get "$o" "$T/b"
	cmp -s "$T/a" "$T/b" || ok=0
done
rad "$cs_conf" -p btrdbhot get sbig "$T/a"; rad "$cd_conf" -p restore_hot get sbig "$T/b"; cmp -s "$T/a" "$T/b" || ok=0
[ "$(rad "$cd_conf" -p restore_hot getxattr meta1 version)" = 12345678 ] || ok=0
[ "$(rad "$cd_conf" -p restore_hot getomapval sbig k1 /dev/stdout 2>/dev/null)" = v1 ] || ok=0
[ $ok = 1 ]
outcome $? "restored data, xattrs and omap equal the source's" "a difference"
ectl "$cd_etcd" del btrdb/g/conf >/dev/null
expect_exit 2 "restore into a pool that does not exist exits 2" env BTR_PASSPHRASE="$PP" btrdb-backup restore --outputdir "$T/full" \
	--cephconf "$cd_conf" --etcd "$cd_etcd" --restore-pool btrdbhot:nosuchpool
[ -z "$(ectl "$cd_etcd" get btrdb/g/conf)" ] && pass "a refused restore writes nothing to etcd first" ||
	fail "a refused restore writes nothing to etcd first" "etcd changed"
expect_exit 2 "create of a pool that does not exist exits 2" env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive --outputdir "$T/f5" \
	--cephconf "$cs_conf" --skip-etcd --include-pool nosuchpool
gone "create of a missing pool leaves no directory" "$T/f5"

# -q: silent on success; --progress: the dump's progress even without a terminal.
expect_exit 0 "create -q" env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive -q --outputdir "$T/quiet" --cephconf "$cs_conf" --skip-etcd --include-pool btrdbcold
[ ! -s "$T/last.err" ] && [ ! -s "$T/last.out" ]
outcome $? "create -q prints nothing" "$(head -3 "$T/last.err" | tr '\n' '|')"
expect_exit 0 "create --progress" env BTR_PASSPHRASE="$PP" btrdb-backup create --kdf interactive --progress --outputdir "$T/prog" --cephconf "$cs_conf" --skip-etcd
lines "--progress shows the dump's progress" '^ceph-dump: [0-9]+ objects' '^this backup will include 2 pools:$'
expect_exit 0 "restore --progress" env BTR_PASSPHRASE="$PP" btrdb-backup restore --progress --outputdir "$T/prog" --cephconf "$cd_conf" --skip-etcd
grep -Eq '^join: [0-9]+ pieces' "$T/last.err"
outcome $? "--progress shows the join's progress" "$(head -c 300 "$T/last.err")"
lines "no --restore-pool: no pool is restored, as before" '^no --restore-pool given: no pool is restored$'

# Public-key backups from a host that cannot read them: --recipient, with the
# host's own key for the index (--identity), an incremental over it, then read
# with the offline secret key only.
btr-keygen -o "$T/backup.key" >/dev/null 2>&1 && btr-keygen -o "$T/host.key" >/dev/null 2>&1 || fail "btr-keygen" "no keys"
expect_exit 0 "create --recipient --identity" env -u BTR_PASSPHRASE btrdb-backup create --outputdir "$T/pk1" --cephconf "$cs_conf" --skip-etcd \
	--include-pool btrdbcold --recipient "$T/backup.key.pub" --identity "$T/host.key"
echo changed | rados -c "$cs_conf" -p btrdbcold put cold3 -
expect_exit 0 "create --recipient --identity --incremental-over" env -u BTR_PASSPHRASE btrdb-backup create --outputdir "$T/pk2" --cephconf "$cs_conf" --skip-etcd \
	--include-pool btrdbcold --recipient "$T/backup.key.pub" --identity "$T/host.key" --incremental-over "$T/pk1"
lines "the public-key incremental holds only the change" '^CEPH DONE; included 1 ceph objects \(skipped [0-9]+ unchanged\)$'
expect_exit 2 "--incremental-over with --recipient alone is refused" env -u BTR_PASSPHRASE btrdb-backup create --outputdir "$T/pk3" --cephconf "$cs_conf" --skip-etcd \
	--include-pool btrdbcold --recipient "$T/backup.key.pub" --incremental-over "$T/pk1"
expect_err "--recipient alone message" 'needs --identity to read the earlier index'
expect_exit 1 "the backup host's key cannot read the backup" btrdb-backup inspect --outputdir "$T/pk2" --identity "$T/host.key"
expect_exit 0 "the offline key inspects it" btrdb-backup inspect --outputdir "$T/pk2" --identity "$T/backup.key"
grep -q '^archive contains 1 ceph objects and 0 etcd records$' "$T/last.out"
outcome $? "the offline key sees the change" "$(head -1 "$T/last.out")"
expect_exit 0 "restore with --identity" btrdb-backup restore --outputdir "$T/pk2" --identity "$T/backup.key" --cephconf "$cd_conf" --skip-etcd --restore-pool btrdbcold:restore_cold
rados -c "$cd_conf" -p restore_cold get cold3 "$T/b" && [ "$(cat "$T/b")" = changed ]
outcome $? "the public-key restore wrote the change" "$(cat "$T/b" 2>&1 | head -c 50)"

# The original tool's Ceph examples, typed as a new user would at a terminal.
if command -v tmux >/dev/null && [ -n "${sock:-}" ]; then
	run_typed ceph-create "btrdb-backup create --cephconf $cs_conf --outputdir $T/tty_full --include-pool btrdbhot --include-pool btrdbcold --etcd $cs_etcd" 2
	grep -q '^EXIT=0' "$T/screen.ceph-create" && grep -q '^this backup will include 2 pools:' "$T/screen.ceph-create" &&
		grep -q '^CEPH DONE; included [0-9]* ceph objects (skipped 0 unchanged)' "$T/screen.ceph-create"
	outcome $? "terminal: create with Ceph prints the original messages" "$(tail -6 "$T/screen.ceph-create")"
	run_typed ceph-inspect "btrdb-backup inspect --outputdir $T/tty_full" 1
	grep -q '^EXIT=0' "$T/screen.ceph-inspect" && grep -q '^archive contains [0-9]* ceph objects and 1 etcd records' "$T/screen.ceph-inspect" &&
		grep -q '^the following 2 pools are referenced:' "$T/screen.ceph-inspect"
	outcome $? "terminal: inspect prints the original report" "$(tail -6 "$T/screen.ceph-inspect")"
	run_typed ceph-restore "btrdb-backup restore --cephconf $cd_conf --outputdir $T/tty_full --restore-pool btrdbhot:restore_hot --restore-pool btrdbcold:restore_cold --skip-etcd" 1
	grep -q '^EXIT=0' "$T/screen.ceph-restore" && grep -q '^Restore complete: restored [0-9]* ceph objects, skipped 0 ceph objects and restored 0 etcd records' "$T/screen.ceph-restore"
	outcome $? "terminal: restore with Ceph prints the original summary" "$(tail -6 "$T/screen.ceph-restore")"
	! grep -qF "$PP" "$T/spy" && pass "terminal: the passphrase is in no argv and no tool's environment (Ceph)" ||
		fail "terminal: the passphrase is in no argv and no tool's environment (Ceph)" "$(grep -F "$PP" "$T/spy" | head -2)"
fi
