# bash completion for btrdb-backup and its filters.
# Install: copy to /usr/share/bash-completion/completions/ (one link per tool name)
# or source it from ~/.bashrc.

_btr_longopts()
{
	# Every tool documents its options in --help; complete from that.
	"$1" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

_btr_tool()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-d|--dir|--outputdir|--incremental-over|--to|--repo) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-c|--conf|--cephconf|--keyring|--passphrase-file|--old-passphrase-file|--password-file|-r|--recipient|-k|--identity|--sign-key|--signer|--fingerprint|--key|--cert|--cacert|--index|--since|--from-list|-o)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-p|--pool|--include-pool|--skip-pool)
		COMPREPLY=($(compgen -W "$(rados lspools 2>/dev/null)" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_btr_longopts "${COMP_WORDS[0]}")" -- "$cur"))
	fi
}

_btrdb_backup()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" = 1 ]; then
		COMPREPLY=($(compgen -W "create inspect clear restore drill convert verify list prune --help --version" -- "$cur"))
		return
	fi
	_btr_tool
}

complete -F _btrdb_backup btrdb-backup
complete -F _btr_tool ceph-dump ceph-load etcd-dump etcd-load btr-seal btr-unseal btr-split btr-inspect btr-filter btr-keygen legacy-dump
