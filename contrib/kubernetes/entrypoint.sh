#!/bin/bash
# entrypoint.sh: the container's one command, for the manifests beside it.  BTR_MODE
# chooses what one run (one pod) does:
#
#   etcd         the nightly etcd backup: btrdb-backup create --skip-ceph into BTR_REPO
#                (then prune it with BTR_PRUNE)
#   incremental  the daily Ceph backup: an incremental over the newest complete Ceph
#                backup of BTR_REPO (a full when there is none, or on BTR_FULL_WEEKDAY)
#   slice        one slice of a full Ceph dump, for an Indexed Job: slice
#                JOB_COMPLETION_INDEX of BTR_SLICES, sealed to BTR_RECIPIENT and handed
#                piece by piece to BTR_UPLOAD (btr-split --filter), under
#                BTR_BACKUP_NAME/slice-I/
#
# Environment (defaults are the mount paths of the manifests):
#   BTR_MODE          etcd | incremental | slice (required)
#   ETCD_ENDPOINTS    etcd host:port (etcd)
#   CEPH_CONF         /etc/ceph/ceph.conf (the ConfigMap); CEPH_ARGS as for rados
#                     (e.g. "--id backup"; ceph.conf names the keyring)
#   BTR_RECIPIENT     /etc/btrdb-backup/recipient/backup.pub (the Secret)
#   BTR_IDENTITY      /etc/btrdb-backup/identity/host.key (incremental: reads the
#                     earlier index; its .pub beside it)
#   BTR_REPO          /backups (etcd, incremental: the repository, made if missing; give
#                     each mode its own, so a prune policy applies to one kind)
#   BTR_POOLS         pools to back up, separated by spaces (default: every pool)
#   BTR_FULL_WEEKDAY  1-7 (date +%u) on which incremental takes a full; empty: never
#   BTR_METRICS_FILE  --metrics-file for etcd and incremental (optional; its directory
#                     is made)
#   BTR_PRUNE         etcd, incremental: after the backup, btrdb-backup prune --yes
#                     with this policy (e.g. "--keep-daily 7 --keep-weekly 5"); empty: none
#   BTR_SLICES        N, the Job's completions (slice)
#   JOB_COMPLETION_INDEX  set by Kubernetes in an Indexed Job (slice)
#   BTR_BACKUP_NAME   the name the slices share (slice; the manifest gives the Job name)
#   BTR_UPLOAD        sh -c command run per piece with $FILE (the piece's name: pieces,
#                     then MANIFEST last) and $BTR_SLICE_PREFIX (NAME/slice-I) set,
#                     reading the piece on stdin (slice)
#   BTR_WORK          scratch directory, /work (slice)
#
# Exit status: that of the failing tool (0 ok, 1 data, 2 usage, 3 server or system),
# so the Job's backoff and alerts see what btrdb-backup(1) documents.  The dump's
# --summary-fd line (btr-stream(5)) is printed on stdout for the pod's log.
set -u -o pipefail
prog=btrdb-backup-entrypoint
die() { echo "$prog: $2" >&2; exit "$1"; }
need() { [ -n "${!1:-}" ] || die 2 "$1 is not set (BTR_MODE=$BTR_MODE needs it)"; }
readable() { [ -r "$2" ] || die 2 "$1: $2 is not readable (is its Secret or ConfigMap mounted?)"; }

BTR_MODE=${BTR_MODE:-}
CEPH_CONF=${CEPH_CONF:-/etc/ceph/ceph.conf}
BTR_RECIPIENT=${BTR_RECIPIENT:-/etc/btrdb-backup/recipient/backup.pub}
BTR_IDENTITY=${BTR_IDENTITY:-/etc/btrdb-backup/identity/host.key}
BTR_REPO=${BTR_REPO:-/backups}
BTR_WORK=${BTR_WORK:-/work}
BTR_POOLS=${BTR_POOLS:-}
BTR_METRICS_FILE=${BTR_METRICS_FILE:-}
BTR_PRUNE=${BTR_PRUNE:-}
export CEPH_CONF

pools=()
for p in $BTR_POOLS; do pools+=("$p"); done
metrics=()
if [ -n "$BTR_METRICS_FILE" ]; then
	mkdir -p "$(dirname "$BTR_METRICS_FILE")" || die 3 "cannot create the directory of $BTR_METRICS_FILE"
	metrics=(--metrics-file "$BTR_METRICS_FILE")
fi
now=$(date -u +%Y%m%dT%H%M%SZ)

# newest_ceph: the newest complete backup of the repository with Ceph data (its INFO
# says so), for the next incremental; nothing when there is none.
newest_ceph() {
	local d last=''
	for d in "$BTR_REPO"/*/INFO; do
		[ -f "$d" ] || continue
		if ! grep -qx 'complete=yes' "$d" || ! grep -qx 'ceph=yes' "$d"; then continue; fi
		last=$(sed -n 's/^start=//p' "$d")$'\t'$(basename "$(dirname "$d")")$'\n'$last
	done
	printf '%s' "$last" | sort | tail -n 1 | cut -f 2
}

# backup ARGS...: btrdb-backup create ARGS into the repository (made if missing), then
# the BTR_PRUNE policy; the first failure's status is the pod's.
backup() {
	local policy=()
	mkdir -p "$BTR_REPO" || die 3 "cannot create $BTR_REPO"
	btrdb-backup create -q "$@" --repo "$BTR_REPO" "${metrics[@]}" || exit
	[ -n "$BTR_PRUNE" ] || exit 0
	for p in $BTR_PRUNE; do policy+=("$p"); done
	exec btrdb-backup prune -q --repo "$BTR_REPO" "${policy[@]}" --yes
}

case $BTR_MODE in
etcd)
	need ETCD_ENDPOINTS
	readable BTR_RECIPIENT "$BTR_RECIPIENT"
	backup --skip-ceph --etcd "$ETCD_ENDPOINTS" --recipient "$BTR_RECIPIENT" --name "etcd-$now"
	;;
incremental)
	readable CEPH_CONF "$CEPH_CONF"
	readable BTR_RECIPIENT "$BTR_RECIPIENT"
	readable BTR_IDENTITY "$BTR_IDENTITY"
	set -- --skip-etcd --cephconf "$CEPH_CONF" --recipient "$BTR_RECIPIENT" --identity "$BTR_IDENTITY"
	for p in "${pools[@]}"; do set -- "$@" --include-pool "$p"; done
	base=$(newest_ceph)
	if [ -n "$base" ] && [ "$(date -u +%u)" != "${BTR_FULL_WEEKDAY:-}" ]; then
		set -- "$@" --incremental-over "$base"
	fi
	backup "$@" --name "ceph-$now"
	;;
slice)
	need BTR_SLICES
	need JOB_COMPLETION_INDEX
	need BTR_BACKUP_NAME
	need BTR_UPLOAD
	case $BTR_SLICES in [1-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;; *) die 2 "BTR_SLICES wants a number from 1 to 999, not '$BTR_SLICES'" ;; esac
	case $JOB_COMPLETION_INDEX in [0-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;; *) die 2 "JOB_COMPLETION_INDEX is not a number: '$JOB_COMPLETION_INDEX'" ;; esac
	[ "$JOB_COMPLETION_INDEX" -lt "$BTR_SLICES" ] || die 2 "JOB_COMPLETION_INDEX $JOB_COMPLETION_INDEX is not below BTR_SLICES $BTR_SLICES (completions and BTR_SLICES must agree)"
	case $BTR_BACKUP_NAME in ''|*/*|.*) die 2 "BTR_BACKUP_NAME wants a plain name, not '$BTR_BACKUP_NAME'" ;; esac
	readable CEPH_CONF "$CEPH_CONF"
	readable BTR_RECIPIENT "$BTR_RECIPIENT"
	i=$JOB_COMPLETION_INDEX
	export BTR_SLICE_PREFIX="$BTR_BACKUP_NAME/slice-$i"
	dir=$BTR_WORK/slice-$i
	# A retried pod starts over: its earlier pieces are overwritten by the upload.
	rm -rf "$dir"
	mkdir -p "$BTR_WORK" || die 3 "cannot create $BTR_WORK"
	set -- -q --slice "$i/$BTR_SLICES"
	for p in "${pools[@]}"; do set -- "$@" -p "$p"; done
	ceph-dump "$@" --summary-fd 3 3>"$BTR_WORK/summary.$i" |
		btr-seal -q -r "$BTR_RECIPIENT" |
		btr-split -q -d "$dir" --filter "$BTR_UPLOAD"
	st=("${PIPESTATUS[@]}")
	cat "$BTR_WORK/summary.$i" 2>/dev/null
	# The first stage that failed is where it started (a later one only saw its input end).
	for s in "${st[@]}"; do
		case $s in 0) continue ;; 1|2|3) ;; *) s=3 ;; esac	# a signal: a system failure
		die "$s" "slice $i/$BTR_SLICES failed (ceph-dump, btr-seal, btr-split exit status: ${st[*]})"
	done
	echo "$prog: slice $i/$BTR_SLICES of $BTR_BACKUP_NAME uploaded" >&2
	;;
'') die 2 "BTR_MODE is not set (etcd, incremental or slice)" ;;
*) die 2 "BTR_MODE '$BTR_MODE' is not etcd, incremental or slice" ;;
esac
