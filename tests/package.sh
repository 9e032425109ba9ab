# The Debian package and `make install` (no servers; `make fresh` builds, lints and
# installs the real package): every bin/*.c tool is installed with its manual page
# and a completion link without debian/ naming it, debian/control builds with what
# contrib/install-deps installs, and the versions agree.
. "$(dirname "$0")/lib.sh"
D=$BTR_TOP/debian

# Every library and generator the build installs is a build dependency of the package.
build_pkgs=$(sed -n '/^PKGS="/,/"$/p' "$BTR_TOP/contrib/install-deps" | tr ' "' '\n\n' |
	grep -E '^(lib.*-dev|pkg-config|protobuf-c-compiler)$' | grep -v '^libclang')
miss=''
for p in $build_pkgs; do grep -Eq "^ +$p,?\$|Build-Depends:.* $p(,|\$)" "$D/control" || miss="$miss $p"; done
[ -n "$build_pkgs" ] && [ -z "$miss" ] && pass "debian/control Build-Depends has every build package of install-deps" ||
	fail "debian/control Build-Depends has every build package of install-deps" "missing:${miss:- (none found in install-deps)}"

v_make=$(sed -n 's/^VERSION *:= *//p' "$BTR_TOP/Makefile")
v_deb=$(sed -n '1s/^btrdb-backup (\([^)]*\)).*/\1/p' "$D/changelog")
v_sh=$(sed -n 's/^version=//p' "$BTR_TOP/bin/btrdb-backup")
[ -n "$v_make" ] && [ "$v_make" = "$v_deb" ] && [ "$v_make" = "$v_sh" ] && pass "one version in Makefile, debian/changelog, btrdb-backup" ||
	fail "one version in Makefile, debian/changelog, btrdb-backup" "Makefile $v_make, changelog $v_deb, script $v_sh"
grep -q '^Depends: .*\${shlibs:Depends}' "$D/control" && grep -q '^Suggests: .*ceph-common' "$D/control" &&
	grep -q '^Suggests: .*etcd-client' "$D/control" && pass "Depends from shlibs, ceph-common and etcd-client suggested" ||
	fail "Depends from shlibs, ceph-common and etcd-client suggested" "$(grep -E '^(Depends|Suggests):' "$D/control" | tr '\n' ' ')"
grep -q -- '--no-enable --no-start' "$D/rules" && pass "systemd units are installed, not enabled" ||
	fail "systemd units are installed, not enabled" "dh_installsystemd without --no-enable --no-start"

# make install into a scratch root, as the package does (from the normal build only:
# a sanitizer build's tools are not for installing).
if [ "$BTR_BIN" != "$BTR_TOP/bin" ]; then
	skip "make install" "BTR_BIN is $BTR_BIN, not the normal build"
else
	expect_exit 0 "make install DESTDIR PREFIX=/usr" make -s -C "$BTR_TOP" install DESTDIR="$T/root" PREFIX=/usr
	miss=''
	for c in "$BTR_TOP"/bin/*.c; do
		t=$(basename "$c" .c)
		[ -x "$T/root/usr/bin/$t" ] || miss="$miss bin:$t"
		[ -f "$T/root/usr/share/man/man1/$t.1" ] || miss="$miss man:$t"
		[ -L "$T/root/usr/share/bash-completion/completions/$t" ] || miss="$miss completion:$t"
	done
	[ -z "$miss" ] && pass "every bin/*.c tool installed with its manual page and completion" ||
		fail "every bin/*.c tool installed with its manual page and completion" "missing:$miss"
	[ -x "$T/root/usr/bin/btrdb-backup" ] && [ -f "$T/root/usr/share/bash-completion/completions/btrdb-backup" ] &&
		pass "btrdb-backup and the completion file installed" || fail "btrdb-backup and the completion file installed" "$(ls "$T/root/usr/bin")"
	# The installed front end finds the installed tools beside it, whatever PATH says.
	expect_exit 2 "the installed btrdb-backup finds its tools beside it" env PATH=/usr/bin:/bin "$T/root/usr/bin/btrdb-backup" inspect --outputdir "$T/none"
	expect_err "and goes on to its own checks" "none: no such backup directory"
	# Every file an installed script looks for at run time is installed where it looks:
	# $here/NAME and $here/../lib/btrdb-backup/NAME (here: the script's directory),
	# ${sandbox%/*}/NAME (beside the sandbox script btrdb-backup found), and our own
	# modules that a Python script imports (from beside itself).  A name looked for in
	# several places needs one of them; ../contrib/ and *.c are the source tree's.
	R=$T/root/usr sbdir=$T/root/usr/lib/btrdb-backup
	declare -A found=()
	for s in "$R"/bin/* "$sbdir"/*; do
		[ -f "$s" ] && { [ "$(head -c 2 "$s")" = '#!' ] || [[ $s == *.sh ]]; } || continue
		{
			grep -oE '(\$here|\$\{here\}|\$\{sandbox%/\*\})/[A-Za-z0-9_./-]+' "$s" |
				sed -e 's|^\${sandbox%/\*}|@SB@|' -e 's|^\(\$here\|\${here}\)|@HERE@|'
			for m in $(sed -nE 's/^[[:space:]]*(import|from) ([A-Za-z_][A-Za-z0-9_]*).*/\2/p' "$s"); do
				[ -f "$BTR_TOP/contrib/$m.py" ] && echo "@HERE@/$m.py"
			done
		} | sort -u >"$T/refs"
		while read -r ref; do
			rel=${ref#*/}
			case $rel in ../contrib/* | *.c | */ | '') continue ;; esac
			case $ref in @SB@/*) p=$sbdir/$rel ;; *) p=${s%/*}/$rel ;; esac
			[ -d "$p" ] && continue # a directory named in a message
			[ -e "$p" ] && found[${rel##*/}]=${s##*/} || found[${rel##*/}]=${found[${rel##*/}]:-missing (${s##*/})}
		done <"$T/refs"
	done
	miss=''
	for f in "${!found[@]}"; do case ${found[$f]} in missing*) miss="$miss $f: ${found[$f]};" ;; esac; done
	[ ${#found[@]} -ge 5 ] && [ -z "$miss" ] &&
		pass "every file the installed scripts look for is installed where they look (${#found[@]}: $(echo "${!found[@]}" | tr ' ' '\n' | sort | tr '\n' ' '))" ||
		fail "every file the installed scripts look for is installed where they look" "${#found[@]} looked for;${miss:- none missing}"
	# ... and each installed Python program starts there (its imports are found): run
	# without arguments, it says how to use it, not a traceback.
	if /usr/bin/python3 -c 'import rados, xxhash' 2>/dev/null; then
		for py in "$sbdir"/*.py; do
			[ -x "$py" ] || continue
			/usr/bin/python3 "$py" >/dev/null 2>"$T/py.err"
			! grep -qE 'Traceback|No module named' "$T/py.err" && grep -q 'usage' "$T/py.err"
			outcome $? "the installed ${py##*/} starts: a usage line, no traceback" "$(tail -n 2 "$T/py.err")"
		done
	else
		skip "the installed Python programs start" "python3-rados or python3-xxhash not installed"
	fi
	expect_exit 0 "make uninstall" make -s -C "$BTR_TOP" uninstall DESTDIR="$T/root" PREFIX=/usr
	left=$(find "$T/root" ! -type d)
	[ -z "$left" ] && pass "make uninstall removes everything make install put there" ||
		fail "make uninstall removes everything make install put there" "$(echo $left | head -c 300)"
fi
miss=''
for f in $(sed 's/ .*//' "$D/btrdb-backup.install" "$D/btrdb-backup.examples"); do
	# shellcheck disable=SC2086
	set -- "$BTR_TOP"/$f
	[ -e "$1" ] || miss="$miss $f"
done
[ -z "$miss" ] && pass "debian/ installs files that exist" || fail "debian/ installs files that exist" "nothing matches$miss"
