# The code's house rules that a grep can hold: library code returns errors and never
# prints or exits (only bin/ does; err.c is where printing lives, progress.c draws
# progress, tool.c is the skeleton of every tool's main: it dies at start-up, answers
# --help and --version and rejects bad options); callers outside an area include only
# its header.
. "$(dirname "$0")/lib.sh"

lib=$BTR_TOP/lib
# spawn.c's _exit(127) is the child after a failed exec; conn.c's atexit registers the
# shutdown of the last rados handle.
bad=$(cd "$lib" && grep -rnE 'exit\(|btr_die|btr_usage_error|btr_msg|fprintf\(stderr|(^|[^a-z_])printf\(' --include='*.c' . |
	grep -v '^\./err\.c:\|^\./progress\.c:\|^\./tool\.c:\|^\./spawn\.c:.*_exit(127)\|^\./ceph/conn\.c:.*atexit(')
[ -z "$bad" ]
outcome $? "lib/ neither prints nor exits" "$(echo "$bad" | head -5 | tr '\n' '|')"

# An area's private headers (seal/format.h, ceph/aio.h, ...) are included only inside it
# (and by the unit and fuzz tests of that private part, and tests/tools/seal-remac,
# which rewrites a sealed header's MAC to reach the signature check).
bad=$(cd "$BTR_TOP" && grep -rn '#include "[a-z]*/[a-z]*\.h"' bin lib tests/tools --include='*.c' --include='*.h' |
	awk -F'"' '{ split($2, h, "/"); area = h[1]; file = h[2]; sub(/\.h$/, "", file);
		if (file != area && index($0, "lib/" area "/") != 1 &&
		    !(file == "format" && index($0, "tests/tools/seal-remac.c:") == 1)) print }')
[ -z "$bad" ]
outcome $? "an area is entered only through its header" "$(echo "$bad" | head -5 | tr '\n' '|')"

# One exported prefix: every symbol libbtr.a defines for others starts with btr_, so a
# reader knows at a glance what is ours.  The protobuf-c code generated from proto/ is left
# out: its names follow the .proto packages (etcd's are wire names).
lib_a=${BTR_LIBA:-$BTR_TOP/build/norm/libbtr.a}
if [ -f "$lib_a" ]; then
	bad=$(nm -g --defined-only "$lib_a" | awk '/\.o:$/ { gen = /pb-c\.o:$/ } NF == 3 && !gen && $3 !~ /^btr_/ { print $3 }')
	[ -z "$bad" ]
	outcome $? "libbtr.a exports only btr_ names" "$(echo "$bad" | head -8 | tr '\n' ' ')"
	# Types cannot be seen by nm: the struct, union and enum tags that lib/'s headers
	# define or declare.
	bad=$(cd "$lib" && grep -rnE '(struct|union|enum) [a-zA-Z_][a-zA-Z_0-9]* *[{;]' --include='*.h' . |
		grep -vE '(struct|union|enum) btr_')
	[ -z "$bad" ]
	outcome $? "lib/'s headers name only btr_ types" "$(echo "$bad" | head -8 | tr '\n' ' ')"
	bad=$(cd "$lib" && grep -rnE '#define [A-Za-z_]' --include='*.h' . | grep -v '#define BTR_')
	[ -z "$bad" ]
	outcome $? "lib/'s headers define only BTR_ macros" "$(echo "$bad" | head -8 | tr '\n' ' ')"
else
	skip "libbtr.a exports only btr_ names" "$lib_a not built"
fi
