# Sourced by tests/etcd.sh and tests/bench/etcd.sh (after tests/lib.sh): an etcd of
# our own, for what the sandbox does not offer (TLS, authentication, small limits).
# Not a test itself: tests/run only runs tests/*.sh.

# A port no socket uses, above the sandbox's range (10000-32000).
free_port() {
	local p
	while :; do
		p=$((33000 + RANDOM % 27000))
		ss -tanH "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

# etcd_start NAME [--tls DIR] [etcd options...]: an etcd of our own (TLS, auth, small
# limits: what the sandbox does not offer), on free ports, data under $T/NAME, killed
# at exit.  Sets NAME_etcd (host:port) and NAME_pid.
etcd_start() {
	local name=$1 scheme=http tlsdir='' cp pp i try pid
	shift
	[ "${1:-}" = --tls ] && { scheme=https; tlsdir=$2; shift 2; }
	local tls=()
	[ -n "$tlsdir" ] && tls=(--cacert "$tlsdir/ca.pem" --cert "$tlsdir/client.pem" --key "$tlsdir/client.key")
	# A port found free may be taken before etcd binds it: then other ports.
	for ((try = 0; try < 3; try++)); do
		cp=$(free_port) pp=$(free_port)
		rm -rf "${T:?}/${name:?}"
		mkdir -p "$T/$name"
		etcd --name "$name" --data-dir "$T/$name/data" \
			--listen-client-urls "$scheme://127.0.0.1:$cp" --advertise-client-urls "$scheme://127.0.0.1:$cp" \
			--listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
			--initial-cluster "$name=http://127.0.0.1:$pp" "$@" >"$T/$name/etcd.log" 2>&1 &
		pid=$!
		at_exit "kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null"
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			etcdctl --endpoints "127.0.0.1:$cp" "${tls[@]}" --dial-timeout 1s endpoint health >/dev/null 2>&1 &&
				{ eval "${name}_etcd=127.0.0.1:$cp ${name}_pid=$pid"; return 0; }
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		grep -q 'address already in use' "$T/$name/etcd.log" || break
	done
	fail "etcd $name" "did not start: $(tail -3 "$T/$name/etcd.log")"
	exit 1
}

# etcd_cluster3 NAME: three members of one cluster.  Sets NAME_eps (h:p,h:p,h:p) and
# NAME_pids (three pids, in the order of NAME_eps).
etcd_cluster3() {
	local name=$1 i cps=() pps=() pids=() init='' eps=''
	local all=' ' p
	# Six distinct ports: free_port does not hold the ones it hands out.
	while [ ${#pps[@]} -lt 3 ]; do
		p=$(free_port)
		case $all in *" $p "*) continue ;; esac
		all+="$p "
		if [ ${#cps[@]} = ${#pps[@]} ]; then cps+=("$p"); else pps+=("$p"); fi
	done
	for i in 0 1 2; do
		init+="${init:+,}$name$i=http://127.0.0.1:${pps[$i]}"
		eps+="${eps:+,}127.0.0.1:${cps[$i]}"
	done
	for i in 0 1 2; do
		mkdir -p "$T/$name$i"
		etcd --name "$name$i" --data-dir "$T/$name$i/data" \
			--listen-client-urls "http://127.0.0.1:${cps[$i]}" --advertise-client-urls "http://127.0.0.1:${cps[$i]}" \
			--listen-peer-urls "http://127.0.0.1:${pps[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${pps[$i]}" \
			--initial-cluster "$init" --initial-cluster-token "$name-$$" >"$T/$name$i/etcd.log" 2>&1 &
		pids+=($!)
		at_exit "kill -9 $! 2>/dev/null; wait $! 2>/dev/null"
	done
	for ((i = 0; i < 100; i++)); do
		kill -0 "${pids[0]}" 2>/dev/null && kill -0 "${pids[1]}" 2>/dev/null && kill -0 "${pids[2]}" 2>/dev/null || { i=100; break; }
		etcdctl --endpoints "$eps" --dial-timeout 1s --command-timeout 2s endpoint health >/dev/null 2>&1 && break
		sleep 0.2
	done
	[ $i = 100 ] && { fail "etcd cluster $name" "did not start: $(tail -qn 1 "$T/$name"?/etcd.log | cut -c1-200)"; exit 1; }
	eval "${name}_eps=$eps ${name}_pids='${pids[*]}'"
}
