# Sourced by the benchmarks (not a .sh, so tests/bench/run does not run it).
# Needs $W, a scratch directory.
# measure NAME CMD: runs CMD once; keeps NAME's shortest wall-clock time (seconds)
# in wall_NAME and the CPU seconds (user + system, children included) of that run in
# cpu_NAME.  Callers alternate ours and the peer's, so both see the same machine load.
measure() {
	local r w c
	/usr/bin/time -o "$W/time" -f '%e %U %S' bash -c "$2" >/dev/null 2>&1
	r=$(tail -1 "$W/time")
	w=${r%% *}
	c=$(echo "$r" | awk '{print $2 + $3}')
	local cur
	eval "cur=\${wall_$1:-}"
	if [ -z "$cur" ] || [ "$(echo "$w < $cur" | bc)" = 1 ]; then
		eval "wall_$1=$w cpu_$1=$c"
	fi
}
