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

# together A CMD_A B CMD_B: runs both at the same time, so that they see the same
# load on a shared machine; keeps the shortest wall-clock time of each in both_A, both_B.
together() {
	/usr/bin/time -o "$W/time.a" -f '%e' bash -c "$2" >/dev/null 2>&1 &
	/usr/bin/time -o "$W/time.b" -f '%e' bash -c "$4" >/dev/null 2>&1 &
	wait
	local n v cur
	for n in a b; do
		v=$(tail -1 "$W/time.$n")
		if [ $n = a ]; then n=$1; else n=$3; fi
		eval "cur=\${both_$n:-}"
		if [ -z "$cur" ] || [ "$(echo "$v < $cur" | bc)" = 1 ]; then eval "both_$n=$v"; fi
	done
}
