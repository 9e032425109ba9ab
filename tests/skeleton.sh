# One skeleton for every tool (lib/tool.c): -h/--help, -V/--version, -q/--quiet and
# --progress behave the same in each, and a bad option is one line naming it, a hint
# to --help, and exit 2.
. "$(dirname "$0")/lib.sh"

version=$(sed -n 's/^VERSION *:*= *//p' "$BTR_TOP/Makefile")
for src in "$BTR_TOP"/bin/*.c; do
	t=$(basename "$src" .c)
	command -v "$t" >/dev/null || { skip "$t" "not built"; continue; }

	expect_exit 0 "$t --help exits 0" "$t" --help
	grep -qi '^usage: ' "$T/last.out" && [ ! -s "$T/last.err" ]
	outcome $? "$t --help: a usage line on stdout, nothing on stderr" "$(head -c 200 "$T/last.err")"
	cp "$T/last.out" "$T/help"
	grep -q -- '--progress' "$T/help" && grep -q -- '-V, --version' "$T/help"
	outcome $? "$t --help lists the common options" "$(tail -3 "$T/help" | tr '\n' '|')"
	"$t" -h >"$T/h" 2>&1
	same "$t -h is --help" "$T/help" "$T/h"

	expect_exit 0 "$t --version exits 0" "$t" --version
	[ "$(cat "$T/last.out")" = "$t $version" ]
	outcome $? "$t --version prints '$t $version'" "$(head -c 200 "$T/last.out")"
	"$t" -V >"$T/v" 2>&1
	same "$t -V is --version" "$T/last.out" "$T/v"

	# The common options are parsed before --help ends the run: each is accepted.
	expect_exit 0 "$t accepts -q" "$t" -q --help
	expect_exit 0 "$t accepts --quiet and --progress" "$t" --quiet --progress --help

	expect_exit 2 "$t: an unknown long option exits 2" "$t" --no-such-option </dev/null
	head -1 "$T/last.err" | grep -qx "$t: unknown option '--no-such-option'" &&
		[ "$(wc -l <"$T/last.err")" = 2 ] && grep -q "Try '$t --help'" "$T/last.err"
	outcome $? "$t: it is named in one line, then the --help hint" "$(tr '\n' '|' <"$T/last.err")"
	expect_exit 2 "$t: an unknown short option exits 2" "$t" -@ </dev/null
	head -1 "$T/last.err" | grep -qx "$t: unknown option '-@'"
	outcome $? "$t: the short one is named" "$(tr '\n' '|' <"$T/last.err")"
	expect_exit 2 "$t: an operand exits 2" "$t" stray-word </dev/null
	head -1 "$T/last.err" | grep -q "^$t: unexpected argument 'stray-word'"
	outcome $? "$t: the operand is named" "$(tr '\n' '|' <"$T/last.err")"
	expect_exit 2 "$t: a value for a flag exits 2" "$t" --quiet=yes </dev/null
	head -1 "$T/last.err" | grep -qx "$t: no value allowed for option '--quiet'"
	outcome $? "$t: the flag is named" "$(tr '\n' '|' <"$T/last.err")"
done

# A missing argument names the option as it was written.
expect_exit 2 "a missing argument exits 2" btr-split --dir
head -1 "$T/last.err" | grep -qx "btr-split: missing argument for option '--dir'"
outcome $? "a missing long argument is named" "$(tr '\n' '|' <"$T/last.err")"
expect_exit 2 "a missing short argument exits 2" btr-split -d
head -1 "$T/last.err" | grep -qx "btr-split: missing argument for option '-d'"
outcome $? "a missing short argument is named" "$(tr '\n' '|' <"$T/last.err")"

# One meaning per letter: across every tool (and the front end), a short option stands
# for one long option.  The letters come from each --help ("-p, --pool"); a letter a
# tool takes without documenting it is caught by asking for it.
: >"$T/letters"
for src in "$BTR_TOP"/bin/*.c "$BTR_TOP"/bin/btrdb-backup; do
	t=$(basename "$src" .c)
	command -v "$t" >/dev/null || continue
	"$t" --help 2>/dev/null | grep -oE '(^|[[:space:]])-[A-Za-z], --[a-z0-9-]+' |
		sed "s/^[[:space:]]*-\(.\), --\(.*\)/\1 \2 $t/" >>"$T/letters"
	[ "$t" = btrdb-backup ] && continue
	# Undocumented letters must be unknown.  Nothing here may reach a server or a
	# terminal: no ceph.conf, an etcd port that refuses, stdin empty.
	undocumented=''
	for l in {a..z} {A..Z}; do
		grep -q "^$l [^ ]* $t\$" "$T/letters" && continue
		CEPH_CONF=/nonexistent ETCDCTL_ENDPOINTS=127.0.0.1:1 BTR_PASSPHRASE= \
			timeout 20 "$t" "-$l" </dev/null >/dev/null 2>"$T/probe"
		grep -qx "$t: unknown option '-$l'" "$T/probe" || undocumented="$undocumented -$l"
	done
	[ -z "$undocumented" ]
	outcome $? "$t takes no letter its --help does not show" "takes:$undocumented"
done
conflicts=$(sort -u "$T/letters" | awk '{ long[$1] = long[$1] " " $2 "(" $3 ")"; if (seen[$1 " " $2]++ == 0) n[$1]++ }
	END { for (l in n) if (n[l] > 1) print "-" l ":" long[l] }' | sort)
[ -z "$conflicts" ]
outcome $? "each letter means one long option in every tool" "$(echo "$conflicts" | tr '\n' ';')"
[ "$(wc -l <"$T/letters")" -gt 30 ]
outcome $? "the letters were found in the --help texts" "$(wc -l <"$T/letters") found"
