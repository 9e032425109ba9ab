#!/bin/bash
# Runs every fuzz target for SECS seconds, JOBS at a time, each on its committed
# corpus plus a scratch one under build/; prints one line per target (executions,
# corpus size) and exits 1 on the first crash, with the end of its log.
# usage: tests/fuzz/run.sh SECS JOBS TARGET...
set -u
secs=$1 jobs=$2
shift 2
one() {
	local f=$1 n secs=$2
	n=$(basename "$f")
	mkdir -p "build/fuzz-corpus/$n"
	if ! "$f" -max_total_time="$secs" -max_len=1048576 -print_final_stats=1 -artifact_prefix=build/ \
		"build/fuzz-corpus/$n" "tests/fuzz/corpus/$n" >"build/fuzz-$n.log" 2>&1; then
		echo "fuzz $n: CRASH (build/fuzz-$n.log)"
		tail -40 "build/fuzz-$n.log"
		return 1
	fi
	printf 'fuzz %-16s %4ss  %12s runs  %6s inputs in build/fuzz-corpus\n' "$n" "$secs" \
		"$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz-$n.log")" \
		"$(ls "build/fuzz-corpus/$n" | wc -l)"
}
export -f one
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one "$@"' _ {} "$secs" || exit 1
echo "fuzz: no crash"
