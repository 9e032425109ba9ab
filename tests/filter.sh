# btr-filter: each criterion keeps exactly what it should (checked on the listing of
# the output, which must verify), renames, invert, --from-list round trips, binary
# names, an empty result, damaged input, bad patterns, concatenated segments.
. "$(dirname "$0")/lib.sh"

S=$T/s
mkstream -o 30 -k 20 -x -S 5 -p btrdbhot -p btrdbcold -p journal >"$S" || { fail "mkstream" "could not generate"; exit 1; }
L=$T/all.list
btr-inspect -l <"$S" >"$L" || { fail "listing" "btr-inspect -l failed on the input"; exit 1; }

# want AWK: the expected listing, the lines of the input's listing that AWK selects.
want() { awk "$1" "$L" >"$T/want"; }

# keeps NAME ARGS...: btr-filter ARGS keeps exactly the lines in $T/want, in order,
# and its output verifies.
keeps() {
	local name=$1; shift
	if [ ! -s "$T/want" ]; then fail "$name" "the expected listing is empty (test bug)"; return; fi
	if ! btr-filter "$@" <"$S" >"$T/out" 2>"$T/err"; then fail "$name" "exit $? ($(head -c 200 "$T/err"))"; return; fi
	if ! btr-inspect -l <"$T/out" >"$T/got" 2>"$T/ierr"; then fail "$name" "output does not verify: $(head -c 200 "$T/ierr")"; return; fi
	if cmp -s "$T/want" "$T/got"; then pass "$name"
	else fail "$name" "kept $(wc -l <"$T/got") entries, wanted $(wc -l <"$T/want"): $(diff "$T/want" "$T/got" | head -4 | tr '\n' '|')"; fi
}

# header FILE: the payload of the stream's first header record.
header() { tail -c +14 "$1" | head -c "$(od -An -tu4 -j8 -N4 "$1" | tr -d ' ')"; }

# ---- keeping everything ----
want '1'
keeps "no criteria keeps every entry" 
btr-inspect <"$S" >"$T/sum.in"; btr-inspect <"$T/out" >"$T/sum.out"
same "no criteria: same summary" "$T/sum.in" "$T/sum.out"
grep -aq 'mkstream | btr-filter [0-9]' "$T/out"
outcome $? "producer notes the filter" "not in the header"

# ---- Ceph criteria ----
want '$1!="kv" && $2=="btrdbhot"'
keeps "--pool" --pool btrdbhot
want '$1!="kv" && ($2=="btrdbhot" || $2=="journal")'
keeps "--pool twice: either" -p btrdbhot --pool journal
want '$1!="kv" && $3=="journalprovider"'
keeps "--namespace" --namespace journalprovider
want '$1!="kv" && $3=="-"'
keeps "--namespace - is the default namespace" -N -
want '$1!="kv" && $3=="\\x2d"'
keeps "--namespace \\x2d is a namespace named -" --namespace '\x2d'
want '$1!="kv" && $3=="ns\\x20two"'
keeps "--namespace with an escaped space" --namespace 'ns\x20two'
want '$1!="kv" && $4 ~ /^meta/'
keeps "--object glob" --object 'meta*'
want '$1!="kv" && $4 ~ /space/'
keeps "--object glob on names with spaces (deletions too)" --object '*space*'
want '$1!="kv" && $4=="nul\\x00inside"'
keeps "--object with a NUL byte escape" --object 'nul\0inside'
keeps "--object-hex with a NUL byte" --object-hex 6E756c00696e73696465
keeps "--object-regex matches across a NUL byte" --object-regex '^nul[[:cntrl:]]inside$'
keeps "--object-regex: \$ is the end of the name, past a NUL" --object-regex 'inside$'
want '$1!="kv" && $4=="\\x2d"'
keeps "--object - is the name -" --object -
want '$1!="kv" && $4=="star*name"'
keeps "--object with an escaped star" --object 'star\*name'
want '$1!="kv" && $4=="q?mark"'
keeps "--object with an escaped question mark" --object 'q\?mark'
want '$1!="kv" && $4=="[br]acket"'
keeps "--object with escaped brackets" --object '\[br\]acket'
keeps "--object with a bracket set" --object '[[]br[]]acket'
want '$1!="kv" && $4 ~ /^\\xff/'
keeps "--object with a high byte" --object '\xff*'
want '$1!="kv" && $4=="nl\\x0aname"'
keeps "--object with a newline" --object 'nl\nname'
keeps "--object with ? for the newline" --object 'nl?name'
want '$1!="kv" && $4=="tab\\x09name"'
keeps "--object with a class" --object 'tab[[:space:]]name'
want '$1!="kv" && $4=="back\\\\slash"'
keeps "--object with a backslash" --object 'back\\slash'
want '$1!="kv" && $4 ~ /\//'
keeps "--object: * matches /" --object '*/*'
grep -E '^(object|delete|index) [^ ]+ [^ ]+ [0-9a-f]{32}0000001' "$L" >"$T/want"
keeps "--object-regex" --object-regex '^[0-9a-f]{32}0000001'
want '$1!="kv" && ($4 ~ /^meta/ || $4 ~ /^idx/)'
keeps "--object and --object-regex: either" --object 'meta*' -E '^idx'
want '$1!="kv" && $2=="btrdbhot" && $4 ~ /^meta/'
keeps "--pool and --object: both" --pool btrdbhot --object 'meta*'
want '$1!="kv" && $2=="btrdbcold" && $3=="journalprovider"'
keeps "--pool and --namespace: both" --pool btrdbcold --namespace journalprovider
want '$1=="delete"'
keeps "deletions are filtered like objects" --object 'deleted1' --object 'gone*' --object '*deleted'
want '$1=="object" && $4=="located" && /locator=loc2/'
keeps "--from-list tells locators apart" --from-list <(grep 'locator=loc2' "$L")

# ---- etcd criteria ----
want '$1=="kv" && $4 ~ /^btrdb\/g\//'
keeps "--key-prefix" --key-prefix btrdb/g/
want '$1=="kv" && $4 ~ /^\\x00/'
keeps "--key-prefix with a NUL byte" --key-prefix '\x00'
want '$1=="kv" && $4 ~ /^btrdb\/[a-z]\/node1\//'
keeps "--key glob" --key 'btrdb/?/node1/*'
want '$1=="kv" && $4 ~ /\\x00/'
keeps "--key glob on NUL bytes" --key '*\x00*'
want '$1=="kv" && $4=="\\x2d"'
keeps "--key-hex" --key-hex 2d
want '$1=="kv" && $4 ~ /^btrdb\/[gn]\//'
keeps "--key-regex" --key-regex '^btrdb/(g|n)/'
want '$1=="kv" && ($4 ~ /^btrdb\/g\// || $4=="\\x2d")'
keeps "--key-prefix and --key-hex: either" --key-prefix btrdb/g/ --key-hex 2d

# The recipe of the man page: one BTrDB stream by its UUID, objects and keys.
u=555a0001ff102030405060708090a0b0
x=$(echo $u | sed 's/../\\x&/g')
want '($1!="kv" && $4 ~ /555a0001ff102030405060708090a0b0/) || ($1=="kv" && $4 ~ /UZ\\x00\\x01\\xff\\x10\\x200@P`p\\x80\\x90\\xa0\\xb0/)'
[ "$(wc -l <"$T/want")" = 4 ]
outcome $? "the UUID's entries are in the test stream" "$(wc -l <"$T/want") of 4"
keeps "one BTrDB stream by its UUID" --object "*$u*" --key "*$x*"

# ---- kinds, union, invert ----
want '$1!="kv"'
keeps "--only ceph" --only ceph
want '$1=="kv"'
keeps "--only etcd" --only etcd
want '($1!="kv" && $2=="btrdbhot") || ($1=="kv" && $4 ~ /^btrdb\/g\//)'
keeps "Ceph and etcd criteria: each kind by its own" --pool btrdbhot --key-prefix btrdb/g/
want '!($1!="kv" && $2=="btrdbhot")'
keeps "--invert --pool drops the pool, keeps the rest" --invert --pool btrdbhot
grep -aq btrdbhot "$T/out" && fail "--invert --pool: pool gone from the header" "btrdbhot still in the output" || pass "--invert --pool: pool gone from the header"
want '!($1=="kv" && $4 ~ /^btrdb\//)'
keeps "--invert --key-prefix" --invert --key-prefix btrdb/
want '$1!="kv" && $2!="btrdbhot"'
keeps "--only ceph --invert --pool" --only ceph --invert --pool btrdbhot
want '$1=="kv" && $4 !~ /^btrdb\/u\//'
keeps "--only etcd --invert --key-prefix" --only etcd --invert --key-prefix btrdb/u/

# ---- renames ----
want '{ if ($1!="kv" && $2=="btrdbhot") $2="restore_hot"; print }'
keeps "--rename-pool" --rename-pool btrdbhot:restore_hot
[ "$(grep -ac btrdbhot "$T/out")" = 0 ]
outcome $? "--rename-pool renames the header's pool list too" "btrdbhot still in the output"
head -c 200 "$T/out" | grep -aq restore_hot
outcome $? "--rename-pool: new name in the header" "missing"
want '$1!="kv" && $2=="btrdbhot" { $2="x"; print }'
keeps "--pool with --rename-pool" --pool btrdbhot --rename-pool btrdbhot:x
header "$T/out" | grep -aq 'btrdbcold\|journal' && fail "the header lists only the kept pool" "other pools still named" || pass "the header lists only the kept pool"
want '$1!="kv" && ($2=="btrdbhot" || $2=="btrdbcold") { $2="merged"; print }'
keeps "two pools renamed into one" -p btrdbhot -p btrdbcold --rename-pool btrdbhot:merged --rename-pool btrdbcold:merged
want '{ if ($1=="kv" && $4 ~ /^btrdb\/g\//) sub(/^btrdb\/g\//, "restored/g/", $4); print }'
keeps "--rename-prefix" --rename-prefix btrdb/g/:restored/g/
want '{ if ($1=="kv" && $4 ~ /^\\x00/) $4="ZERO" substr($4, 5); print }'
keeps "--rename-prefix of a NUL byte" -R '\x00:ZERO'
want '$1=="kv" && $4 ~ /^btrdb\/g\// { sub(/^btrdb\//, "", $4); print }'
keeps "--rename-prefix to nothing, selection on the old names" --key-prefix btrdb/g/ -R btrdb/:

# ---- --from-list ----
awk '$1=="object" && length($4) > 5000 { n++ } END { exit n != 1 }' "$L" && pass "a listing never truncates a long binary name" \
	|| fail "a listing never truncates a long binary name" "no 5000+ character name field"
for pat in '' 'space' '\\x' '\\x01\\x02\\x03' '^kv' '^delete\|^index' 'journalprovider' 'located'; do
	grep -- "$pat" "$L" >"$T/want"
	keeps "--from-list round trip: lines matching '$pat'" --from-list "$T/want"
done
# The locator is part of an object's identity: a list cut from a listing keeps it.
grep -v '^kv' "$L" | awk '{ l = ""; for (i = 5; i <= NF; i++) if ($i ~ /^locator=/) l = "\t" $i
	print $1 "\t" $2 "\t" $3 "\t" $4 l }' >"$T/tabs"
grep -v '^kv' "$L" >"$T/want"
keeps "--from-list with tab-separated fields cut from the listing" --from-list "$T/tabs"
grep '^object btrdbhot' "$L" >"$T/want"
keeps "--from-list and --pool: both" --from-list <(grep '^object' "$L") --pool btrdbhot
{ grep '^kv' "$L" | head -3; echo 'object btrdbhot - not-in-the-stream 0'; } >"$T/list"
head -3 <(grep '^kv' "$L") >"$T/want"
keeps "--from-list keeps what is there" --from-list "$T/list"
grep -q 'note: 1 of the 4 listed entries are not in the stream' "$T/err"
outcome $? "--from-list names what is missing" "$(cat "$T/err")"
printf '# comment\n\n%s\n' "$(head -1 "$L")" >"$T/list"
head -1 "$L" >"$T/want"
keeps "--from-list skips comments and blank lines" --from-list "$T/list"
btr-inspect -l --json <"$S" >"$T/json.list"
expect_exit 2 "--from-list refuses a JSON listing" btr-filter --from-list "$T/json.list" <"$S"
expect_err "--from-list JSON message" "json.list:1: a JSON listing"
printf 'object a - b 0\nthing a b c\n' >"$T/bad.list"
expect_exit 2 "--from-list refuses an unknown kind" btr-filter --from-list "$T/bad.list" <"$S"
expect_err "--from-list names file and line" "bad.list:2: unknown kind 'thing'"
printf 'object a b\n' >"$T/bad.list"
expect_exit 2 "--from-list refuses a short line" btr-filter --from-list "$T/bad.list" <"$S"
printf 'object a - b\\q 0\n' >"$T/bad.list"
expect_exit 2 "--from-list refuses a bad escape" btr-filter --from-list "$T/bad.list" <"$S"
expect_exit 2 "--from-list of a missing file" btr-filter --from-list "$T/nonesuch" <"$S"
expect_err "--from-list missing file message" "nonesuch: No such file"

# ---- headers: a segment that no longer holds all it claims says "filtered" ----
mkstream -o 10 -k 0 -x -c ceph >"$T/ceph"
mkstream -o 0 -k 10 -x -c etcd -e btrdb/ >"$T/etcd"
# content IN ARGS... -> "content/prefix" of the output's first header
content() {
	local in=$1; shift
	btr-filter -q "$@" <"$in" >"$T/h" || { echo "exit $?"; return; }
	header "$T/h" >"$T/hp"
	if grep -aq filtered "$T/hp"; then printf filtered; elif grep -aq etcd "$T/hp"; then printf etcd; else printf ceph; fi
	printf '/%s' "$(grep -ao 'btrdb/[a-z/]*\|new/[a-z/]*' "$T/hp" | head -1)"
}
for c in "ceph/ ceph:--pool btrdbhot" "ceph/ ceph:--invert --pool btrdbhot" "ceph/ ceph:--only etcd" \
	"filtered/ ceph:--object meta*" "filtered/ ceph:--namespace -" "filtered/ ceph:--from-list $L" \
	"etcd/btrdb/ etcd:" "etcd/btrdb/g/ etcd:--key-prefix btrdb/g/" "etcd/new/g/ etcd:--key-prefix btrdb/g/ -R btrdb/g/:new/g/" \
	"etcd/btrdb/ etcd:--key-prefix btr" "filtered/btrdb/ etcd:--key-prefix other/" "filtered/btrdb/ etcd:--key btrdb/g/*" \
	"filtered/btrdb/ etcd:--key-prefix btrdb/g/ --key-prefix btrdb/n/" "filtered/btrdb/ etcd:--invert --key-prefix btrdb/g/" "filtered/btrdb/ etcd:--pool btrdbhot" \
	"filtered/btrdb/ etcd:--only ceph"; do
	want=${c%% *} rest=${c#* } in=${rest%%:*} args=${rest#*:}
	# shellcheck disable=SC2086
	got=$(set -f; content "$T/$in" $args)
	name="header of a $in segment after '${args//$T\//}'"
	[ "$got" = "$want" ] && pass "$name: $want" || fail "$name" "got $got, wanted $want"
done

# ---- nothing matches ----
expect_exit 0 "no match exits 0" btr-filter --pool nonesuch <"$S"
expect_err "no match says so on stderr" "note: nothing matched .* 1 empty segment"
cp "$T/last.out" "$T/empty"
expect_exit 0 "no match: the output is a valid stream" btr-inspect <"$T/empty"
grep -q 'archive contains 0 ceph objects and 0 etcd records' "$T/last.out" && grep -q 'segments: 1' "$T/last.out" \
	&& pass "no match: one empty segment" || fail "no match: one empty segment" "$(head -3 "$T/last.out" | tr '\n' '|')"
[ "$(grep -ac btrdb "$T/empty")" = 0 ]
outcome $? "no match: the header lists no pool" "pool names in the output"
expect_exit 0 "no match with -q" btr-filter -q --key nonesuch <"$S"
[ ! -s "$T/last.err" ]
outcome $? "-q: no note" "$(cat "$T/last.err")"
expect_exit 0 "--verbose summary" btr-filter --verbose --pool journal <"$S"
expect_err "--verbose counts what was kept" "kept 16 of 51 objects .*, 0 of 31 keys, 1 of 3 deletions, 1 of 2 index entries, in 1 segments"

# ---- concatenated segments ----
mkstream -o 7 -k 5 -x -S 9 -n 3 -p btrdbhot -p btrdbcold >"$T/s3"
cat "$S" "$T/s3" >"$T/cat"
btr-inspect -l <"$T/cat" | awk '$1!="kv" && $2=="btrdbhot"' >"$T/want"
btr-filter --pool btrdbhot <"$T/cat" >"$T/out" 2>"$T/err" && btr-inspect -l <"$T/out" >"$T/got" && cmp -s "$T/want" "$T/got" \
	&& pass "concatenated segments filtered alike" || fail "concatenated segments filtered alike" "$(head -c 200 "$T/err")"
btr-inspect <"$T/out" | grep -q 'segments: 4' && pass "every segment kept" || fail "every segment kept" "$(btr-inspect <"$T/out" 2>&1 | grep segments)"
btr-filter --only etcd <"$T/s3" | btr-filter --only ceph | btr-inspect >"$T/sum" 2>&1
PS="${PIPESTATUS[*]}"; pipe_status "filters chain into an empty valid stream" "0 0 0"
grep -q 'segments: 3' "$T/sum"
outcome $? "a chain keeps the segments" "$(grep segments "$T/sum")"

# ---- damaged input: exit 1, and the output never verifies ----
size=$(stat -c %s "$S")
missed=0 downstream=0
for cut in 0 1 8 20 100 5000 $((size / 3)) $((size / 2)) $((size - 40)) $((size - 1)); do
	head -c "$cut" "$S" | btr-filter >"$T/out" 2>"$T/err"
	[ "${PIPESTATUS[1]}" = 1 ] || missed=$((missed + 1))
	btr-inspect <"$T/out" >/dev/null 2>&1 && downstream=$((downstream + 1))
done
[ "$missed" = 0 ]
outcome $? "every truncation exits 1" "$missed missed"
[ "$downstream" = 0 ]
outcome $? "no truncated output verifies downstream" "$downstream verified"
head -c $((size / 2)) "$S" | btr-filter 2>/dev/null | btr-inspect >/dev/null 2>&1
PS="${PIPESTATUS[*]}"; pipe_status "a truncated pipeline fails at the filter and after it" "0 1 1"
{ cat "$S"; printf 'garbage'; } | btr-filter >"$T/out" 2>"$T/err"
PS="${PIPESTATUS[1]}"; pipe_status "trailing garbage exits 1" "1"
expect_exit 1 "output after trailing garbage does not verify" btr-inspect <"$T/out"
expect_err "output after trailing garbage: an open segment" "truncated"
# A flipped data byte: caught here with --verify (exit 1); by default, caught by the next reader.
# (100 bytes after the name of a 200-byte object: inside its data in every format)
off=$(grep -abo $'tab\tname' "$S" | head -1 | cut -d: -f1)
cp "$S" "$T/flip"
printf 'X' | dd of="$T/flip" bs=1 seek=$((off + 100)) conv=notrunc status=none
btr-filter --verify <"$T/flip" >"$T/out" 2>"$T/err"
[ $? = 1 ] && grep -q 'digest mismatch' "$T/err"
outcome $? "--verify: a damaged object exits 1" "$(cat "$T/err")"
expect_exit 1 "--verify: output after a damaged object does not verify" btr-inspect <"$T/out"
btr-filter <"$T/flip" >"$T/out" 2>"$T/err"
expect_exit 1 "a damaged object is left to the next reader" btr-inspect <"$T/out"
expect_err "the next reader names the damaged object" "object digest mismatch for btrdb"
btr-filter <"$T/flip" | btr-filter --verify >/dev/null 2>"$T/last.err"
PS="${PIPESTATUS[*]}"; pipe_status "a second filter with --verify catches it: exits 0 1" "0 1"
expect_err "a second filter with --verify names it" "btr-filter: .*digest mismatch"
btr-filter --verify --pool btrdbhot <"$S" | btr-inspect -l >"$T/got"
awk '$1!="kv" && $2=="btrdbhot"' "$L" | cmp -s - "$T/got"
outcome $? "--verify filters alike" "listings differ"
printf 'BTRSEAL\001abcdefgh' >"$T/sealed"
expect_exit 1 "a sealed stream is refused" btr-filter <"$T/sealed"
expect_err "sealed stream message" "unseal it first"

# ---- --data: one object's bytes ----
mkstream -o 12 -s 3M -k 0 -S 4 >"$T/d"
name=$(btr-inspect -l <"$T/d" | awk '$1=="object" && $5 > 1500000 { print $2, $3, $4; exit }')
set -- $name
btr-cat "$1" "" "$3" <"$T/d" >"$T/want.data"
expect_exit 0 "--data of one object" btr-filter --data --pool "$1" --object "$3" <"$T/d"
same "--data writes exactly the object's bytes (${#3} char name, $(stat -c %s "$T/want.data") bytes)" "$T/want.data" "$T/last.out"
expect_exit 0 "--data of an object whose name has a NUL byte" btr-filter --data --object-hex 6e756c00696e73696465 <"$S"
[ "$(stat -c %s "$T/last.out")" = "$(awk '$4=="nul\\x00inside" { print $5 }' "$L")" ]
outcome $? "--data: the size of the listing" "$(stat -c %s "$T/last.out") bytes"
expect_exit 1 "--data with two matches exits 1" btr-filter --data --object located <"$S"
expect_err "--data names the second match" "a second object matches \(btrdb[a-z]*/located\)"
expect_exit 1 "--data with no match exits 1" btr-filter --data --object nonesuch <"$S"
expect_err "--data: no match message" "no object matches"
expect_exit 1 "--data of a damaged object exits 1" btr-filter --data --object 'tab*' <"$T/flip"
expect_exit 1 "--data with --verify: a damaged object exits 1" btr-filter --data --verify --object 'tab*' <"$T/flip"

# ---- usage errors: exit 2, one line ----
expect_exit 2 "a bad regex exits 2" btr-filter --object-regex '(' <"$S"
expect_err "bad regex message" "--object-regex '\(': bad regular expression"
expect_exit 2 "a bad key regex exits 2" btr-filter --key-regex 'a{2,1}' <"$S"
expect_exit 2 "an unterminated bracket exits 2" btr-filter --object '[abc' <"$S"
expect_err "unterminated bracket message" "--object: pattern '\[abc': unterminated \["
expect_exit 2 "a short \\x escape in a glob exits 2" btr-filter --key 'a\x4' <"$S"
expect_exit 2 "a trailing backslash exits 2" btr-filter --object 'a\' <"$S"
expect_exit 2 "an unknown class exits 2" btr-filter --object '[[:nope:]]' <"$S"
expect_exit 2 "odd hex exits 2" btr-filter --object-hex abc <"$S"
expect_exit 2 "non-hex exits 2" btr-filter --key-hex zz <"$S"
expect_exit 2 "a bad escape in --pool exits 2" btr-filter --pool 'a\q' <"$S"
expect_exit 2 "--only with another kind exits 2" btr-filter --only rados <"$S"
expect_exit 2 "--rename-pool without a colon exits 2" btr-filter --rename-pool btrdbhot <"$S"
expect_exit 2 "--rename-pool to an empty name exits 2" btr-filter --rename-pool btrdbhot: <"$S"
expect_exit 2 "--from-list twice exits 2" btr-filter --from-list "$L" --from-list "$L" <"$S"
expect_exit 2 "an unknown option exits 2" btr-filter --bogus <"$S"
expect_exit 2 "an argument exits 2" btr-filter file <"$S"
expect_exit 0 "--help" btr-filter --help
expect_exit 0 "--version" btr-filter --version

# ---- the output side ----
mkstream -o 40 -s 2M -k 5 >"$T/big"
btr-filter <"$T/big" 2>"$T/err" | head -c 1000 >/dev/null
PS="${PIPESTATUS[0]}"
[ "$PS" = 3 ] && grep -q 'broken pipe' "$T/err"
outcome $? "a closed stdout exits 3" "status $PS: $(cat "$T/err")"
# Memory does not grow with object size: a stream of objects up to 64 MiB.
if [ -x /usr/bin/time ]; then
	mkstream -o 4 -s 64M -k 0 -S 3 >"$T/huge"
	/usr/bin/time -f %M -o "$T/rss" btr-filter <"$T/huge" >/dev/null
	rss=$(tail -1 "$T/rss")
	[ "$rss" -lt 40000 ] && pass "memory stays small with 64 MiB objects (${rss} KiB)" || fail "memory stays small with 64 MiB objects" "max RSS ${rss} KiB"
else
	skip "memory stays small with 64 MiB objects" "/usr/bin/time not installed"
fi
