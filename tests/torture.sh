# The corruption campaign (issue 10, part 1).  A real sealed, split backup of a
# BTrDB-like record stream is damaged in one way per case (tests/tools/mangle.c:
# a flipped byte, a truncation, a dropped, duplicated, swapped or resized piece,
# appended garbage, another backup's sealed header, reordered sealed chunks, a damaged
# manifest; half of them with the manifest rewritten to match, so btr-split cannot
# see it and btr-unseal must; and a record stream flipped or cut before it was
# sealed again, validly, which only btr-inspect can see), then restored through
#     btr-split --join -d D | btr-unseal -k KEY | btr-inspect
# Every case must end with: a non-zero exit of btr-inspect (no report of success, and
# nothing on its stdout), only documented exit statuses (1 or 3; never a signal), and
# a one-line reason from the stage that found it.  Prints "N cases, N detected, N
# missed"; fails on any miss.
#   BTR_TORTURE_CASES (default 300; 10000 with BTR_TORTURE_LONG=1), BTR_TORTURE_SEED
#   (default 1), BTR_TORTURE_JOBS (parallel workers, default 2).
. "$(dirname "$0")/lib.sh"
cd "$T"
if [ "${BTR_TORTURE_LONG:-0}" = 1 ]; then n=${BTR_TORTURE_CASES:-10000}; else n=${BTR_TORTURE_CASES:-300}; fi
seed=${BTR_TORTURE_SEED:-1}
jobs=${BTR_TORTURE_JOBS:-2}

# Two backups sealed to the same key (the second lends its header), 14 pieces of
# 16 KiB, 48 sealed chunks of 4 KiB; key files, so no key derivation per case.
# (Once the sandbox and ceph-dump exist, the source can be a seeded cluster's dump.)
mkstream -o 40 -s 30K -k 60 -S 1 >s1
mkstream -o 40 -s 30K -k 60 -S 2 >s2
btr-keygen -o key 2>/dev/null
btr-seal -q --chunk 4K -r key.pub <s1 | btr-split -q -d A -b 16K
btr-seal -q --chunk 4K -r key.pub <s2 | btr-split -q -d B -b 16K
btr-split --join -d A | btr-unseal -q -k key | btr-inspect -q >base.out 2>base.err
PS="${PIPESTATUS[*]}"
if [ "$PS" = "0 0 0" ] && grep -q . base.out; then pass "the undamaged backup restores (statuses $PS)"
else fail "the undamaged backup restores" "statuses $PS: $(cat base.err)"; exit 1; fi

# case I: one damaged copy, restored; prints one result line:
#   DET kind I stage=rc | damage | reason      or      MISS kind I | damage | why
one_case() {
	local i=$1 d=c$1 desc st f=-1 why="" k rs
	# (a one-shot helper that frees nothing: no leak reports from a sanitizer build)
	desc=$(ASAN_OPTIONS=detect_leaks=0 mangle A $d $((seed * 1000003 + i)) B s1 key.pub 2>&1) || { echo "MISS ? $i | ${desc%%$'\n'*} | mangle failed"; return; }
	btr-split --join -d $d 2>$d.e0 | btr-unseal -q -k key 2>$d.e1 | btr-inspect -q >$d.out 2>$d.e2
	st=("${PIPESTATUS[@]}")
	desc=${desc%%$'\n'*}
	# The reason: the first stage that found damage (exit 1), else the first that failed.
	for k in 0 1 2; do [ "${st[$k]}" = 1 ] && { f=$k; break; }; done
	[ $f = -1 ] && for k in 0 1 2; do [ "${st[$k]}" != 0 ] && { f=$k; break; }; done
	for k in 0 1 2; do
		case ${st[$k]} in 0 | 1 | 3) ;; *) why="stage $k exit ${st[$k]} (not a documented status)" ;; esac
	done
	if [ $f = -1 ]; then why="every stage exited 0"
	elif [ "${st[2]}" = 0 ]; then why="btr-inspect exited 0 (a report of success)"
	elif [ -s $d.out ]; then why="btr-inspect printed on stdout: $(head -c 100 $d.out)"
	elif [ "$(wc -l <$d.e$f)" != 1 ]; then why="stage $f gave $(wc -l <$d.e$f) lines of reason: $(head -c 200 $d.e$f | tr '\n' '|')"
	fi
	rs="${st[*]}"
	if [ -n "$why" ]; then echo "MISS ${desc%%:*} $i | ${desc#*: } | statuses ${rs// /,}: $why"
	else echo "DET ${desc%%:*} $i stage$f=${st[$f]} | ${desc#*: } | $(cat $d.e$f)"; fi
	rm -rf $d $d.*
}

start=$SECONDS
for ((w = 0; w < jobs; w++)); do
	( for ((i = w; i < n; i += jobs)); do one_case $i; done >res.$w ) &
done
wait
cat res.* >res
det=$(grep -c '^DET' res)
miss=$(grep -c '^MISS' res)
total=$(wc -l <res)
echo "torture: seed $seed, $((SECONDS - start)) s; detected, by kind and by the stage that found it:"
awk '/^DET/ {split($4, a, "="); c[$2 " " a[1]]++} END {for (k in c) printf "  %-20s %d\n", k, c[k]}' res | sort
echo "torture: one reason for each kind of damage:"
awk -F' [|] ' '/^DET/ {split($1, a, " "); if (!seen[a[2] ($2 ~ /rewritten/)]++) print "  " $2 " -> " $3}' res | sort
grep '^MISS' res | head -20 | sed 's/^/FAIL: torture: /'
echo "$total cases, $det detected, $miss missed"
[ "$total" = "$n" ] && [ "$det" = "$n" ] && [ "$miss" = 0 ] && pass "corruption campaign: $n cases, $det detected, 0 missed" ||
	fail "corruption campaign" "$total cases, $det detected, $miss missed"
