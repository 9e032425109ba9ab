# Sourced by every integration test.  Reporting, temporary directory, and the
# assertions that most tests need.  Tests run with the built tools first in PATH.
set -u
BTR_TOP=${BTR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BTR_BIN=${BTR_BIN:-$BTR_TOP/bin}
BTR_TOOLS=${BTR_TOOLS:-$BTR_TOP/build/norm/tools}
PATH="$BTR_BIN:$BTR_TOOLS:$BTR_TOP/bin:$PATH"
export PATH BTR_TOP BTR_BIN BTR_TOOLS

T=$(mktemp -d "${TMPDIR:-/tmp}/btr-test.XXXXXX")
_cleanups=()
# at_exit CMD: run CMD when the test ends, however it ends (last registered, first run).
at_exit() { _cleanups+=("$1"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" || true; done
	rm -rf "$T"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-}"; }
skip() { echo "SKIP: $1: ${2:-}"; }

# outcome STATUS NAME [WHY]: PASS when STATUS is 0, else FAIL with WHY, so a check is
# named once:  grep -q x "$T/out"; outcome $? "x is there" "$(cat "$T/out")"
# ($? goes first: it is expanded before WHY's command substitutions change it; WHY is
# expanded on success too, so keep it cheap.)
outcome() {
	if [ "$1" = 0 ]; then pass "$2"; else fail "$2" "${3:-}"; fi
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	local name=$1; shift
	if "$@" >"$T/last.out" 2>"$T/last.err"; then pass "$name"
	else fail "$name" "exit $? from: $* ($(head -c 300 "$T/last.err" | tr '\n' ' '))"; fi
}

# expect_exit CODE NAME CMD...: passes when CMD exits with CODE; stdout in $T/last.out,
# stderr in $T/last.err for further checks.
expect_exit() {
	local want=$1 name=$2; shift 2
	"$@" >"$T/last.out" 2>"$T/last.err"
	local rc=$?
	if [ "$rc" = "$want" ]; then pass "$name"
	else fail "$name" "exit $rc, wanted $want, from: $* ($(head -c 300 "$T/last.err" | tr '\n' ' '))"; fi
}

# to_closed_pipe CMD...: runs CMD with its stdout a pipe whose reader is already
# gone, so its first write fails whatever the size of its output (a `| head` races
# a small output into the pipe buffer).  Exit status: CMD's.
to_closed_pipe() {
	python3 -c 'import os, subprocess, sys
r, w = os.pipe(); os.close(r)
sys.exit(subprocess.run(sys.argv[1:], stdout=w).returncode)' "$@"
}

# expect_err NAME REGEX: the last command's stderr matches REGEX (grep -E) and
# is exactly one line.
expect_err() {
	local lines
	lines=$(wc -l <"$T/last.err")
	if ! grep -Eq -- "$2" "$T/last.err"; then fail "$1" "stderr does not match /$2/: $(head -c 300 "$T/last.err")"
	elif [ "$lines" != 1 ]; then fail "$1" "stderr has $lines lines, wanted one: $(head -c 300 "$T/last.err" | tr '\n' '|')"
	else pass "$1"; fi
}

# same NAME FILE_A FILE_B: byte-identical files.
same() {
	if cmp -s -- "$2" "$3"; then pass "$1"
	else fail "$1" "$2 and $3 differ ($(cmp -- "$2" "$3" 2>&1 | head -1))"; fi
}

# pipe_status NAME WANT... : compare ${PIPESTATUS[@]} saved in $PS with the wanted codes.
# Usage:  a | b | c; PS="${PIPESTATUS[*]}"; pipe_status name "0 0 1"
pipe_status() {
	if [ "$PS" = "$2" ]; then pass "$1"; else fail "$1" "pipeline statuses $PS, wanted $2"; fi
}

# random_file PATH BYTES [SEED]: deterministic pseudo-random bytes.
random_file() {
	local seed=${3:-1}
	openssl enc -aes-128-ctr -nosalt -pass "pass:$seed" -pbkdf2 -iter 1 </dev/zero 2>/dev/null | head -c "$2" >"$1"
}

# contrib/sandbox compare reads through Ceph's Python binding in tests: ~2 s instead of
# ~35 s with a rados CLI run per object (tests/sandbox.sh checks that both agree).
export SANDBOX_READER=${SANDBOX_READER:-python}

# sandbox_up NAME [contrib/sandbox up options]: a real etcd + Ceph in $T/NAME, stopped
# when the test ends however it ends (and by the sandbox itself if this shell is killed).
# Sets NAME_conf (its ceph.conf) and NAME_etcd (its etcd host:port), empty for a server
# not started.  If it cannot start (no Ceph or etcd here, no free port, no memory):
# "SKIP: sandbox NAME: why" and the test ends there, as a skip, not a failure.
sandbox_up() {
	local name=$1 dir=$T/$1 why
	shift
	at_exit "'$BTR_TOP/contrib/sandbox' down '$dir' >/dev/null 2>&1"
	if ! "$BTR_TOP/contrib/sandbox" up "$dir" --owner $$ "$@" 2>"$T/sandbox-$name.err"; then
		why=$(grep '^sandbox: ' "$T/sandbox-$name.err" | tail -1)
		skip "sandbox $name" "${why:-contrib/sandbox up failed}"
		cat "$T/sandbox-$name.err" >&2
		exit 0
	fi
	local conf="" etcd=""
	[ -f "$dir/ceph.conf" ] && conf=$dir/ceph.conf
	etcd=$(sed -n 's/^export ETCD_ENDPOINTS=//p' "$dir/env")
	printf -v "${name}_conf" '%s' "$conf"
	printf -v "${name}_etcd" '%s' "$etcd"
}

# amp_stream SHAPE FILE: a legal stream whose one 32 MiB frame decodes to millions of
# tiny allocations (issue 19: 1.7 GB before the reader's decoding budget), in FILE;
# the hostile frame's byte offset in FILE.off.  SHAPE: omap (empty repeated entries),
# xattrs (in an object begin), pools (empty pool names in a header), unknown (unknown
# fields in a key-value).
amp_stream() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
shape, out = sys.argv[1], sys.argv[2]
f = lambda t, p: struct.pack('<I', len(p)) + bytes([t]) + p
N = (32 << 20) // 2 - 16
hdr = f(1, b'\x08\x01')
begin = f(3, b'\x0a\x03p00\x1a\x01x')
if shape == 'omap':
	pre, bad = hdr + begin, f(5, b'\x0a\x00' * N)
elif shape == 'xattrs':
	pre, bad = hdr, f(3, b'\x0a\x03p00\x1a\x01x' + b'\x42\x00' * (N - 8))
elif shape == 'pools':
	pre, bad = b'', f(1, b'\x08\x01' + b'\x42\x00' * (N - 2))
elif shape == 'unknown':
	pre, bad = hdr, f(7, b'\x0a\x01k' + b'\x78\x00' * (N - 2))
head = b'BTRSTRM\x01' + pre
open(out + '.off', 'w').write(str(len(head)))
open(out, 'wb').write(head + bad)
PY
}

# A terminal for typed input: tmux_up SESSION CMD starts CMD in a detached tmux
# session (stopped when the test ends); screen, wait_for REGEX [SECONDS] and
# type_line TEXT then act on it.
tmux_up() {
	tmux_session=$1 tmux_sock=btr-$1-$$
	at_exit "tmux -L $tmux_sock kill-server 2>/dev/null"
	tmux -L "$tmux_sock" -f /dev/null new-session -d -s "$1" -x 220 -y 50 "$2"
}
screen() { tmux -L "$tmux_sock" capture-pane -p -J -S -200 -t "$tmux_session"; }
# wait_for REGEX [SECONDS]: until the screen shows REGEX.
wait_for() {
	local i
	for i in $(seq 1 $((${2:-30} * 10))); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done
	return 1
}
type_line() { tmux -L "$tmux_sock" send-keys -t "$tmux_session" -l -- "$1"; tmux -L "$tmux_sock" send-keys -t "$tmux_session" Enter; }
