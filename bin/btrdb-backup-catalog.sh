# btrdb-backup-catalog.sh: the catalog of a repository of backups (--repo DIR:
# one backup per DIR/NAME), sourced by btrdb-backup.  Each backup carries a plain
# INFO file (key=value lines, no key needed to read it); list prints them, prune
# removes what a retention policy no longer keeps, never a base of a kept one.
# shellcheck shell=sh disable=SC2086

# now_epoch: seconds since 1970; BTR_NOW (any date(1) -d string) fakes the clock
# for tests, so a month of backups can be made in a minute.
now_epoch() {
	if [ -n "${BTR_NOW:-}" ]; then
		date -u -d "$BTR_NOW" +%s 2>/dev/null || die 2 "BTR_NOW: not a date: '$BTR_NOW'"
	else date -u +%s; fi
}
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# repo_lock shared|exclusive: flock on REPO/.lock for as long as this shell runs
# (fd 8), so a prune never removes what a create is writing, nor two prunes race.
repo_lock() {
	[ -d "$repo" ] || die 2 "$repo: no such repository directory"
	command -v flock >/dev/null 2>&1 || die 3 "flock not found (util-linux)"
	exec 8>>"$repo/.lock" || die 3 "cannot open $repo/.lock"
	if [ "$1" = shared ]; then
		flock -s -w 600 8 || die 3 "$repo is locked by a prune (waited 10 minutes)"
	else
		flock -x -n 8 || die 3 "$repo is in use by another create or prune (lock $repo/.lock); try again later"
	fi
}

# key_fingerprint PUBFILE: the first 16 hex digits of the SHA-256 of the public key file.
key_fingerprint() { sha256sum <"$1" | cut -c 1-16; }

# write_info DIR NAME START_EPOCH: the INFO file of a finished create, written
# into DIR (still NAME.partial) before it is renamed into place.
write_info() {
	_end=$(now_epoch)
	[ "$_end" -ge "$3" ] || _end=$3
	_pieces=0 _bytes=0
	set +f	# create runs with globbing off
	for f in "$1"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in INFO|INFO.tmp) continue ;; esac
		_pieces=$((_pieces + 1))
		_bytes=$((_bytes + $(stat -c %s "$f")))
	done
	set -f
	_type=full _parent=''
	if [ -n "$over" ]; then _type=incremental; _parent=$(basename "$over"); fi
	_fps=''
	for r in $recipients; do _fps="$_fps${_fps:+,}$(key_fingerprint "$r")"; done
	{
		echo "format=1"
		echo "name=$2"
		echo "type=$_type"
		echo "parent=$_parent"
		echo "start=$(iso "$3")"
		echo "end=$(iso "$_end")"
		echo "pieces=$_pieces"
		echo "bytes=$_bytes"
		# What the dumps said they wrote (their --summary-fd lines); empty: not dumped.
		echo "objects=$([ $skip_ceph = 0 ] && summary_value ceph-dump objects '')"
		echo "etcd_keys=$([ $skip_etcd = 0 ] && summary_value etcd-dump keys '')"
		if [ -n "$recipients" ]; then echo "sealing=recipients"; else echo "sealing=passphrase"; fi
		echo "recipients=$_fps"
		echo "ceph=$([ $skip_ceph = 0 ] && echo yes || echo no)"
		echo "etcd=$([ $skip_etcd = 0 ] && echo yes || echo no)"
		echo "version=$version"
		echo "complete=yes"
	} >"$1/INFO.tmp" && mv "$1/INFO.tmp" "$1/INFO" || die 3 "cannot write $1/INFO"
}

# catalog: one tab-separated line per entry of the repository, oldest first:
# NAME STATE TYPE PARENT START END PIECES BYTES SEALING LAST_VERIFIED VERIFY_RESULT
# VERIFY_SAMPLE LAST_DRILL DRILL_RESULT DRILL_ESTIMATE_SECONDS
# STATE is ok, broken (INFO missing or unreadable) or partial (NAME.partial).
catalog() {
	for d in "$repo"/*; do
		[ -d "$d" ] || continue
		n=${d##*/}
		case $n in .deleting-*) continue ;; esac
		case $n in
		*.partial) printf '%s\tpartial\t\t\t\t\t\t\t\t\t\t\t\t\t\n' "$n"; continue ;;
		esac
		if [ ! -r "$d/INFO" ] || ! grep -q '^format=1$' "$d/INFO" 2>/dev/null; then
			printf '%s\tbroken\t\t\t\t\t\t\t\t\t\t\t\t\t\n' "$n"; continue
		fi
		awk -F= -v n="$n" '{ k = $1; sub(/^[^=]*=/, ""); v[k] = $0; gsub(/\t/, " ", v[k]) }
			END {
				st = (v["complete"] == "yes" && v["name"] == n) ? "ok" : "broken"
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, st, v["type"], v["parent"],
					v["start"], v["end"], v["pieces"], v["bytes"], v["sealing"], v["last_verified"], v["verify_result"],
					v["verify_sample"], v["last_drill"], v["drill_result"], v["drill_estimate_seconds"]
			}' "$d/INFO"
	done | sort -t "$tab" -k 5,5 -k 1,1
}

cmd_list() {
	[ -d "$repo" ] || die 2 "$repo: no such repository directory"
	catalog >"$tmp/cat" || die 3 "cannot read $repo"
	if [ "$json" = 1 ]; then
		awk -F '\t' -v repo="$repo" '
		function js(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/[\001-\037]/, "?", s); return "\"" s "\"" }
		function jn(s) { return s == "" ? "null" : js(s) }
		function num(s) { return s ~ /^[0-9]+$/ ? s : "null" }
		BEGIN { printf "{\"format\":1,\"repo\":%s,\"backups\":[", js(repo) }
		{
			printf "%s\n{\"name\":%s,\"state\":%s,\"type\":%s,\"parent\":%s,\"start\":%s,\"end\":%s,\"pieces\":%s,\"bytes\":%s,\"sealing\":%s,\"last_verified\":%s,\"verify_result\":%s,\"verify_sample\":%s,\"last_drill\":%s,\"drill_result\":%s,\"drill_estimate_seconds\":%s}",
				(NR > 1 ? "," : ""), js($1), js($2), jn($3), jn($4), jn($5), jn($6), num($7), num($8), jn($9), jn($10), jn($11),
				num($12), jn($13), jn($14), num($15)
		}
		END { printf "\n]}\n" }' "$tmp/cat"
		return
	fi
	# The table: oldest first, each incremental indented under the backup it is over.
	awk -F '\t' '
	{ n[NR] = $1; line[$1] = $0; par[$1] = $4; kids[$4] = kids[$4] (kids[$4] == "" ? "" : " ") $1 }
	# The last drill: when, its result, and its estimate of a full restore (h:mm:ss).
	function drilled(when, res, est) {
		if (when == "") return "-"
		return when " " res (est ~ /^[0-9]+$/ ? sprintf(" %d:%02d:%02d", est / 3600, est / 60 % 60, est % 60) : "")
	}
	function show(name, depth,   f, k, i, m) {
		if (done[name]++) return
		split(line[name], f, "\t")
		printf "%-*s%-*s %-11s %-8s %-20s %6s %12s  %-10s %-27s %s\n", depth * 2, "", 28 - depth * 2, name,
			f[3] == "" ? "-" : f[3], f[2], f[5] == "" ? "-" : f[5], f[7] == "" ? "-" : f[7], f[8] == "" ? "-" : f[8],
			f[9] == "" ? "-" : f[9], f[10] == "" ? "-" : f[10] " " f[11] (f[12] == "" || f[12] == 100 ? "" : " (" f[12] "% sample)"),
			drilled(f[13], f[14], f[15])
		m = split(kids[name], k, " ")
		for (i = 1; i <= m; i++) show(k[i], depth + 1)
	}
	END {
		printf "%-28s %-11s %-8s %-20s %6s %12s  %-10s %-27s %s\n", "NAME", "TYPE", "STATE", "START", "PIECES", "BYTES", "SEALING", "VERIFIED", "DRILLED"
		for (i = 1; i <= NR; i++) if (par[n[i]] == "" || !(par[n[i]] in line)) show(n[i], 0)
	}' "$tmp/cat"
}

# prune_plan: "keep|remove NAME WHY" per entry, from the catalog and the policy
# (restic's meaning: --keep-last N newest; --keep-daily N: the newest backup of
# each of the N newest days that have one; weekly by ISO week, monthly likewise).
# Then every base of a kept incremental is kept, to the full at the chain's root.
prune_plan() {
	now=$(now_epoch)
	while IFS="$tab" read -r n st ty par start rest; do
		case $st in
		ok) printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$st" "$par" \
			"$(date -u -d "$start" +%Y-%m-%d 2>/dev/null)" "$(date -u -d "$start" +%G-%V 2>/dev/null)" \
			"$(date -u -d "$start" +%Y-%m 2>/dev/null)" 0 ;;
		partial) printf '%s\t%s\t\t\t\t\t%s\n' "$n" "$st" "$(stat -c %Y "$repo/$n")" ;;
		*) printf '%s\t%s\t\t\t\t\t0\n' "$n" "$st" ;;
		esac
	done <"$tmp/cat" | awk -F '\t' -v last="${keep_last:-0}" -v daily="${keep_daily:-0}" \
		-v weekly="${keep_weekly:-0}" -v monthly="${keep_monthly:-0}" -v rb="$remove_broken" -v now="$now" '
	{ n[NR] = $1; st[$1] = $2; par[$1] = $3; d[$1] = $4; w[$1] = $5; m[$1] = $6; mt[$1] = $7 }
	function bucket(name, b, lim, label,   key) {
		key = label SUBSEP b
		if (cnt[label] < lim && !(key in seen)) { seen[key] = 1; cnt[label]++; why[name] = why[name] (why[name] == "" ? "" : ",") label }
	}
	END {
		for (i = NR; i >= 1; i--) {
			x = n[i]
			if (st[x] != "ok") continue
			if (cnt["last"] < last) { cnt["last"]++; why[x] = "last" }
			bucket(x, d[x], daily, "daily"); bucket(x, w[x], weekly, "weekly"); bucket(x, m[x], monthly, "monthly")
		}
		# A kept incremental keeps its base, and so on down the chain.
		for (i = 1; i <= NR; i++) {
			x = n[i]
			if (why[x] == "" || st[x] != "ok") continue
			# Each base is named with the backup right over it.
			for (c = x; par[c] != "" && (par[c] in st); c = par[c]) {
				p = par[c]
				if (why[p] == "") why[p] = "base of " c
				else if (why[p] !~ /base of/) why[p] = why[p] ",base of " c
			}
		}
		for (i = 1; i <= NR; i++) {
			x = n[i]
			if (st[x] == "partial") {
				if (now - mt[x] > 86400) print "remove\t" x "\tpartial, older than a day"
				else print "keep\t" x "\tpartial, newer than a day (a create may be writing it)"
			} else if (st[x] == "broken" && why[x] == "") {
				if (rb) print "remove\t" x "\tbroken (INFO missing or unreadable), --remove-broken"
				else print "keep\t" x "\tbroken (INFO missing or unreadable); --remove-broken removes it"
			} else if (why[x] != "") print "keep\t" x "\t" why[x]
			else print "remove\t" x "\tnot kept by the policy"
		}
	}'
}

cmd_prune() {
	[ -n "$keep_last$keep_daily$keep_weekly$keep_monthly" ] ||
		die 2 "prune needs a policy: --keep-last, --keep-daily, --keep-weekly or --keep-monthly"
	repo_lock exclusive
	catalog >"$tmp/cat" || die 3 "cannot read $repo"
	prune_plan >"$tmp/plan" || die 3 "cannot compute the prune plan"
	# -q (cron, timers): errors only, so a scheduled prune mails nothing when it works.
	[ "$quiet" = 1 ] || awk -F '\t' '{ printf "%-6s %-28s %s\n", $1, $2, $3 }' "$tmp/plan"
	nrm=$(grep -c '^remove' "$tmp/plan")
	if [ "$yes" != 1 ]; then
		say "prune: dry run: $nrm to remove; nothing removed (add --yes)"
		return 0
	fi
	# Leftovers of an interrupted prune first: they were already out of the catalog.
	for d in "$repo"/.deleting-*; do
		[ -d "$d" ] && { rm -rf "$d" || die 3 "cannot remove $d"; }
	done
	grep '^remove' "$tmp/plan" | cut -f 2 >"$tmp/rm"
	while IFS= read -r n; do
		# Renamed aside first: an interrupted prune leaves no half backup in the catalog.
		mv "$repo/$n" "$repo/.deleting-$n" || die 3 "cannot rename $repo/$n aside"
		sync "$repo" 2>/dev/null
		rm -rf "$repo/.deleting-$n" || die 3 "cannot remove $repo/.deleting-$n"
	done <"$tmp/rm"
	say "prune: removed $nrm"
}

# sample_ok: verify's --sample is a whole percentage from 1 to 100 (exit 2 otherwise).
sample_ok() {
	case ${sample:-100} in
	[1-9]|[1-9][0-9]|100) ;;
	*) die 2 "--sample wants a whole percentage from 1 to 100, not '$sample'" ;;
	esac
}

# record_verify DIR RESULT: last_verified, verify_result and verify_sample (the
# percentage of object digests checked, 100 without --sample) in DIR/INFO (replaced
# atomically); a backup made before INFO existed gets none.
record_verify() {
	[ -f "$1/INFO" ] || { say "verify: $1 has no INFO: the result is not recorded"; return 0; }
	info_update "$1" "last_verified=$(iso "$(now_epoch)")" "verify_result=$2" "verify_sample=${sample:-100}" ||
		die 3 "cannot record the result in $1/INFO"
}

# info_update DIR KEY=VALUE...: those keys of DIR/INFO set, the others kept; the new
# INFO is written beside it and renamed (a reader never sees half of it).
info_update() {
	_d=$1; shift
	cp "$_d/INFO" "$_d/INFO.tmp" || return 1
	for _kv in "$@"; do
		grep -v "^${_kv%%=*}=" "$_d/INFO.tmp" >"$_d/INFO.tmp2"
		mv "$_d/INFO.tmp2" "$_d/INFO.tmp" || return 1
	done
	printf '%s\n' "$@" >>"$_d/INFO.tmp" && mv "$_d/INFO.tmp" "$_d/INFO"
}

# drill_record STATUS: the last drill in INFO: last_drill, drill_result (passed, or
# failed: damage, a wrong key, a difference) and drill_estimate_seconds.  A drill that
# could not run (exit 2, 3, a signal) says nothing about the backup: not recorded.
# Called at exit, so a failure to write is said, not made the exit status.
drill_record() {
	[ "$cmd" = drill ] || return 0
	case $1 in 0) _r=passed ;; 1) _r=failed ;; *) return 0 ;; esac
	[ -f "$outdir/INFO" ] || { say "drill: $outdir has no INFO: the result is not recorded"; return 0; }
	info_update "$outdir" "last_drill=$(iso "$(now_epoch)")" "drill_result=$_r" \
		"drill_estimate_seconds=$([ "$1" != 0 ] || echo "$d_est")" ||
		printf '%s: drill: cannot record the result in %s/INFO\n' "$prog" "$outdir" >&2
}

# drill_facts: what a drill restored, for run_facts (nothing before the restore ended).
drill_facts() {
	[ "$d_restored" = 1 ] || return 0
	_objs=$objs _keys=$nkeys
}

# json_drill: drill's fields of the --json summary (null: not measured).
json_drill() {
	[ "$cmd" = drill ] || return 0
	if [ "$d_restored" = 1 ]; then
		printf ',"restored":{"objects":%s,"bytes":%s,"etcd_keys":%s,"sample_percent":%s,"seconds":%s}' \
			"$objs" "$bytes" "$nkeys" "$sample" "$d_secs"
	else
		printf ',"restored":null'
	fi
	printf ',"identical":%s,"throughput_bytes_per_second":%s,"estimated_restore_seconds":%s' \
		"${d_identical:-null}" "${d_rate:-null}" "${d_est:-null}"
}

# cmd_verify: every piece against the manifest, then the whole stream unsealed and
# every digest and trailer checked (btr-inspect), and the index; the outcome goes
# into INFO so list shows when each backup was last known good.  --sample P: the
# object digests of P% of the objects only (btr-inspect --sample-digests); all the
# rest is checked as without it: the pieces are slices of one sealed stream, so each
# one is unsealed, authenticated and decoded anyway.
cmd_verify() {
	check_backup_dir
	keying unseal
	_sample_opt=''
	[ -z "$sample" ] || _sample_opt="--sample-digests$nl$sample"
	btr-split -q --check -d "$outdir" 2>"$tmp/check.err"
	rc=$?
	if [ $rc != 0 ]; then
		[ $rc = 1 ] && record_verify "$outdir" failed
		die $rc "verify: the pieces of $outdir do not match its manifest ($(tail -n 1 "$tmp/check.err" | sed 's/^btr-split: //'))"
	fi
	join_unseal "$outdir" | logged btr-inspect btr-inspect -q --json $_sample_opt >"$tmp/inspect.json"
	if ! verdict btr-split btr-unseal btr-inspect; then
		[ "$worst" = 1 ] && record_verify "$outdir" failed
		die "$worst" "verify: the backup in $outdir did not verify ($failed)"
	fi
	if [ -f "$outdir/INDEX.btr" ]; then
		if ! run_unseal -q --check <"$outdir/INDEX.btr"; then
			rc=$?
			[ $rc = 1 ] && record_verify "$outdir" failed
			die $rc "verify: the index $outdir/INDEX.btr did not verify"
		fi
	fi
	[ "$against" = 0 ] || verify_against_cluster
	record_verify "$outdir" ok
	if [ -n "$sample" ]; then
		say "verify: $outdir is intact (object digests checked for $(json_number object_digests_checked "$tmp/inspect.json" '?') of $(json_number ceph_objects "$tmp/inspect.json" '?') objects, a $sample% sample; every piece, byte and trailer checked)"
	else
		say "verify: $outdir is intact"
	fi
}

# metrics_write STATUS: --metrics-file, the Prometheus text format for
# node_exporter's textfile collector, written to a temporary file beside it and
# renamed (the collector never reads half a file).  A failed run keeps the last
# success time of the file it replaces.  What a command did not count is NaN.
metrics_write() {
	[ -n "$metrics" ] || return 0
	run_facts
	_last=0
	if [ "$1" = 0 ]; then _last=$(now_epoch)
	elif [ -f "$metrics" ]; then
		_last=$(grep -F "btrdb_backup_last_success_timestamp_seconds{$_l}" "$metrics" | awk '{ print $2 }' | head -n 1)
		[ -n "$_last" ] || _last=0
	fi
	{
		m() { printf '# HELP btrdb_backup_%s %s\n# TYPE btrdb_backup_%s gauge\nbtrdb_backup_%s{%s} %s\n' "$1" "$2" "$1" "$1" "$_l" "$3"; }
		m last_success_timestamp_seconds "Unix time of the last run that exited 0." "$_last"
		m duration_seconds "Wall time of the last run." "$_dur"
		m bytes "Bytes of the backup's pieces." "$_bytes"
		m objects "Ceph objects restored or counted in the backup (NaN: not counted by this command)." "$_objs"
		m etcd_keys "etcd keys restored or counted in the backup (NaN: not counted by this command)." "$_keys"
		m exit_status "Exit status of the last run." "$1"
		[ "$cmd" != drill ] || m drill_estimated_restore_seconds \
			"A full restore's time estimated by the last drill (NaN: not measured)." "${d_est:-NaN}"
	} >"$metrics.tmp.$$" && mv "$metrics.tmp.$$" "$metrics" ||
		{ rm -f "$metrics.tmp.$$"; printf '%s: cannot write the metrics file %s\n' "$prog" "$metrics" >&2; }
}

# json_summary STATUS: --json on create, restore and verify: one object on stdout.
json_summary() {
	[ "$json" = 1 ] && [ "$cmd" != list ] || return 0
	run_facts
	j() { case $1 in NaN) echo null ;; *) echo "$1" ;; esac; }
	printf '{"command":"%s","kind":"%s","dir":"%s","exit_status":%s,"duration_seconds":%s,"bytes":%s,"objects":%s,"etcd_keys":%s%s}\n' \
		"$cmd" "$_kind" "$(printf '%s' "$outdir" | sed 's/\\/\\\\/g; s/"/\\"/g')" "$1" "$_dur" "$(j "$_bytes")" "$(j "$_objs")" "$(j "$_keys")" \
		"$(json_drill)"
}

# run_facts: what a run did, for the metrics and the summary (_kind, _l, _dur,
# _bytes, _objs, _keys).
run_facts() {
	_kind=none
	if [ "$cmd" = create ]; then
		if [ -n "$over" ]; then _kind=incremental; else _kind=full; fi
	elif [ -f "$outdir/INFO" ]; then
		_kind=$(sed -n 's/^type=//p' "$outdir/INFO" | head -n 1)
	fi
	# repo: two jobs writing into one textfile directory (an etcd and a Ceph full, say)
	# must not make the same series; a backup's repository is the directory holding it.
	_r=${repo:-$(dirname -- "$outdir")}
	_r=$(printf '%s' "$_r" | tr '\n' ' ' | sed 's/\\/\\\\/g; s/"/\\"/g')
	_l="command=\"$cmd\",kind=\"${_kind:-none}\",repo=\"$_r\""
	_dur=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	_bytes=NaN _objs=NaN _keys=NaN
	set +f	# the commands run with globbing off
	if [ -d "$outdir" ] && [ -f "$outdir/MANIFEST" ]; then
		# the pieces' sizes, not their bytes: a backup may be terabytes
		_bytes=$(stat -c %s "$outdir"/ARCHIVE*.bin 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }')
	fi
	set -f
	# The counts, from the tools' --summary-fd lines (what create dumped, what restore
	# loaded) or verify's btr-inspect --json; a tool that did not run leaves NaN.
	case $cmd in
	create) _objs=$(summary_value ceph-dump objects NaN); _keys=$(summary_value etcd-dump keys NaN) ;;
	restore) _objs=$(summary_value ceph-load objects NaN); _keys=$(summary_value etcd-load keys NaN) ;;
	verify)
		_objs=$(json_number ceph_objects "$tmp/inspect.json" NaN)
		_keys=$(json_number etcd_records "$tmp/inspect.json" NaN) ;;
	drill) drill_facts ;;
	esac
}

# summary_value TOOL KEY DEFAULT: KEY's value in TOOL's --summary-fd line
# ($tmp/sum.TOOL, btr-stream(5) SUMMARY LINE), or DEFAULT when there is none.
summary_value() {
	_v=''
	[ ! -f "$tmp/sum.$1" ] || _v=$(tr ' ' '\n' <"$tmp/sum.$1" | sed -n "s/^$2=\([0-9][0-9]*\)\$/\1/p" | head -n 1)
	echo "${_v:-$3}"
}
# json_number KEY FILE DEFAULT: a top-level number of btr-inspect --json's one object.
json_number() {
	_v=$(sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" "$2" 2>/dev/null | head -n 1)
	echo "${_v:-$3}"
}

# verify_against_cluster: the stream compared with the live cluster by the loaders'
# --verify (they write nothing); the pools under their own names unless
# --restore-pool maps them.  An incremental holds only what changed, so only that
# is compared.
verify_against_cluster() {
	rm -f "$tmp"/st.*
	stages=''
	if [ $skip_ceph = 0 ]; then
		mkfifo "$tmp/vceph" || die 3 "cannot create a fifo in $tmp"
		set -- --verify -q
		[ -n "$restore" ] || set -- "$@" --all-pools
		{ exec 9>&-; logged ceph-load ceph_load "$@" <"$tmp/vceph"; } &
		bg=$!
		stages=ceph-load
	fi
	join_unseal "$outdir" | {
		if [ $skip_ceph = 0 ] && [ $skip_etcd = 0 ]; then
			tee "$tmp/vceph" | logged etcd-load etcd_load --verify -q
		elif [ $skip_ceph = 0 ]; then cat >"$tmp/vceph"
		else logged etcd-load etcd_load --verify -q; fi
	}
	[ -z "$bg" ] || wait $bg
	bg=''
	[ $skip_etcd = 1 ] || stages="$stages${stages:+$nl}etcd-load"
	if ! verdict btr-split btr-unseal $stages; then
		[ "$worst" = 1 ] && record_verify "$outdir" differs-from-cluster
		die "$worst" "verify: the cluster differs from the backup in $outdir ($failed)"
	fi
	say "verify: the cluster holds what $outdir holds"
}
