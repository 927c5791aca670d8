#!/usr/bin/env bash
# debs: the Debian packages (debian/, issue 14).
#   1. Two builds (dpkg-buildpackage -us -uc -b) of one snapshot of the
#      tree, in two directories of different depth; the second under
#      faketime a year and a day later, in another time zone, locale and
#      umask; the first's files dated 1970, the second's when unpacked
#      (after debian/changelog's date): every .deb is byte-identical
#      (sha256).
#   2. Each package's files, modes and owners are those of
#      tests/packaging/*.contents; the packaged unit is deploy/'s, pointed
#      at /usr/sbin; its systemd-analyze security exposure is at most 1.0;
#      the analyst's package depends on no daemon or network library;
#      the packaged oniondropd has no compromise route (a test build's).
#   3. lintian: no error and no warning.
#   4. The maintainer scripts, run by dpkg in a chroot of the same Debian
#      release (debootstrap --variant=minbase with the packages'
#      dependencies, cached as a tarball in /var/cache/oniondrop-test;
#      unshare gives each command its own mount and PID namespace): an
#      install makes the users, the store (0700) and the tor instance,
#      enables and starts nothing, and check-config refuses the shipped
#      configuration; a purge right after removes all of that but the
#      users; then with a store in place and an analyst configured:
#      reinstall, remove, purge and install again leave the store byte
#      for byte, with its owner and mode, and the admin's key file.
#      Needs root; without it, or without the archive, that part is a skip.
. "$SOURCE_ROOT/tests/scenarios/lib.sh"
cd "$T"
for tool in dpkg-buildpackage dh lintian faketime; do
	if ! command -v $tool > /dev/null; then	# scripts/packages.sh, PACKAGING_PACKAGES
		pass "# SKIP $tool is not installed (debhelper, lintian, faketime)"
		exit 0
	fi
done
export DEB_BUILD_OPTIONS="parallel=$(nproc)"

# --- 1. two builds ---------------------------------------------------------
# The files git tracks or would add (not ignored), as they are now.
if [ -e "$SOURCE_ROOT/.git" ] && command -v git > /dev/null; then
	git -C "$SOURCE_ROOT" ls-files -z -co --exclude-standard |
		tar -C "$SOURCE_ROOT" --null -T - --ignore-failed-read -cf src.tar 2> /dev/null
else
	tar -C "$SOURCE_ROOT" --exclude='./build*' --exclude='./obj-*' -cf src.tar .
fi
# unpack DIR DATE: the snapshot in DIR/oniondrop, its files dated DATE
# (touch -d; outside faketime, which would date them in the future).
unpack() {
	mkdir -p "$1/oniondrop" && tar -C "$1/oniondrop" -xf src.tar &&
		find "$1/oniondrop" -exec touch -h -d "$2" {} +
}
# build DIR: DIR/oniondrop built; the .debs in DIR.
build() {
	(cd "$1/oniondrop" && dpkg-buildpackage -us -uc -b) > "$1/build.log" 2>&1 ||
		{ tail -30 "$1/build.log" | sed 's/^/# /'; return 1; }
}
export -f build
b=$T/b/a/deeper/directory
unpack "$T/a" @86400
unpack "$b" now
start=$SECONDS
check "a first build" build "$T/a"
echo "# built in $((SECONDS - start)) s"
start=$SECONDS
check "a second build: elsewhere, 366 days later, TZ=Pacific/Chatham, LC_ALL=C.UTF-8, umask 0002, files dated anew" \
	env TZ=Pacific/Chatham LC_ALL=C.UTF-8 faketime -f +366d \
	bash -c 'umask 0002 && build "$1"' _ "$b"
echo "# built in $((SECONDS - start)) s"
debs=$(cd a && ls ./*.deb | sed 's|^\./||')
check "four .debs from each build (the two packages and their dbgsym)" \
	test "$(wc -w <<< "$debs")" = 4 -a "$(cd "$b" && ls ./*.deb | wc -l)" = 4
# members DEB: each file of DEB's data with its sha256 (to say what differs)
members() {
	local x
	x=$(mktemp -d "$T/x.XXXXXX")
	dpkg-deb -x "$1" "$x" && (cd "$x" && find . -type f -exec sha256sum {} +) | sort -k2
	dpkg-deb -c "$1" | sort -k6
}
for deb in $debs; do
	sa=$(sha256sum < "a/$deb" | cut -c1-64)
	sb=$(sha256sum < "$b/$deb" | cut -c1-64)
	echo "# $deb $sa $sb"
	check "$deb: the two builds are byte-identical" test "$sa" = "$sb"
	[ "$sa" = "$sb" ] || diff <(members "a/$deb") <(members "$b/$deb") | sed 's/^/#   /' || true
done

# --- 2. what the packages hold ------------------------------------------------
server=a/oniondrop-server_*.deb
analyst=a/oniondrop-analyst_*.deb
# contents DEB: "mode owner/group path[ -> target]", one line a file
contents() {
	dpkg-deb -c "$1" | awk '{ s = $1 " " $2; for (i = 6; i <= NF; i++) s = s " " $i; print s }'
}
for p in oniondrop-server oniondrop-analyst; do
	contents a/${p}_*.deb > $p.contents
	check "$p: files, modes and owners as in tests/packaging/$p.contents" \
		diff -u "$SOURCE_ROOT/tests/packaging/$p.contents" $p.contents
	check "$p-dbgsym: only debug files and its doc link, all root's" \
		test -z "$(contents a/$p-dbgsym_*.deb | grep -vE "^(d|-|l)rw.r..r.. root/root \./(usr/|usr/lib/|usr/share/|usr/share/doc/|usr/share/doc/$p-dbgsym -> $p|usr/lib/debug/.*)?$")"
done
mkdir unit
dpkg-deb --fsys-tarfile $server | tar -xOf - ./lib/systemd/system/oniondropd.service \
	> unit/oniondropd.service
check "the packaged unit is deploy/oniondropd.service with /usr/sbin for /usr/local/sbin" \
	diff -u <(sed 's|/usr/local/sbin/|/usr/sbin/|g' "$SOURCE_ROOT/deploy/oniondropd.service") \
	unit/oniondropd.service
check "the packaged configuration is deploy/oniondropd.conf" \
	cmp <(dpkg-deb --fsys-tarfile $server | tar -xOf - ./etc/oniondrop/oniondropd.conf) \
	"$SOURCE_ROOT/deploy/oniondropd.conf"
check "the packaged tor instance's torrc is torrc.example" \
	cmp <(dpkg-deb --fsys-tarfile $server | tar -xOf - ./etc/tor/instances/oniondrop/torrc) \
	"$SOURCE_ROOT/torrc.example"
# The test builds' hidden attacker route (daemon/compromise.h) is not in it.
check "the packaged oniondropd has no compromise route (no \"/compromise\" in it)" \
	test "$(dpkg-deb --fsys-tarfile $server | tar -xOf - ./usr/sbin/oniondropd |
		grep -ac /compromise || true)" = 0
if command -v systemd-analyze > /dev/null; then
	run_status rc systemd-analyze security --offline=true --threshold=10 --no-pager \
		unit/oniondropd.service > security.out 2>&1
	check "systemd-analyze security, the packaged unit: $(tail -1 security.out | sed 's/.*: //'), at most 1.0" \
		test "$rc" = 0
else
	pass "# SKIP systemd-analyze is not installed (systemd, in scripts/packages.sh)"
fi
check "oniondrop-analyst depends on no daemon, tor or network library ($(dpkg-deb -f $analyst Depends))" \
	test -z "$(dpkg-deb -f $analyst Depends | grep -E 'libevent|liblmdb|tor|curl|systemd' || true)"

# --- 3. lintian ----------------------------------------------------------------
run_status rc lintian --fail-on error,warning --tag-display-limit 0 a/*.changes \
	> lintian.out 2> lintian.err
sed 's/^/# /' lintian.out
check "lintian: no error, no warning" test "$rc" = 0 -a -z "$(grep -E '^[EW]: ' lintian.out || true)"

# --- 4. the maintainer scripts in a chroot ------------------------------------
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
# depends: the first choice of every dependency of the two packages
depends() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g'
}
# make_root: the chroot's tarball, made once per release and dependency set
make_root() {
	local cache=${ONIONDROP_TEST_CACHE:-/var/cache/oniondrop-test} key mirror
	# init-system-helpers: what a real system has, so that debhelper's
	# systemd snippets run (deb-systemd-helper) rather than do nothing.
	include=$( (depends $server; depends $analyst; echo init-system-helpers) |
		sort -u | paste -sd, -)
	key=$(echo "$codename $include" | sha256sum | cut -c1-16)
	ROOT_TAR=$cache/root-$codename-$key.tar
	[ -f "$ROOT_TAR" ] && return 0
	mkdir -p "$cache"
	# The archive this machine's apt uses for that release.
	mirror=$(apt-get indextargets --format '$(CODENAME) $(REPO_URI)' 'Identifier: Packages' |
		awk -v c="$codename" '$1 == c { print $2; exit }')
	echo "# debootstrap --variant=minbase --include=$include $codename ${mirror:-(its default)}"
	debootstrap --variant=minbase --include="$include" "$codename" boot $mirror \
		> debootstrap.log 2>&1 || { tail -5 debootstrap.log | sed 's/^/# /'; return 1; }
	rm -f "$cache"/root-*.tar
	tar -C boot -cf "$ROOT_TAR.new" . && mv "$ROOT_TAR.new" "$ROOT_TAR"
	rm -rf boot
}
root=$T/root
quiet() { "$@" > /dev/null; }
in_root() { unshare --mount --pid --fork --kill-child chroot "$root" "$@"; }
# mode PATH: "mode owner:group" of PATH, names from the chroot's passwd
mode() { in_root stat -c '%a %U:%G' "$1"; }
installed_not_enabled() {  # UNIT: debhelper's snippets ran, no link made
	local helper=(env DPKG_MAINTSCRIPT_PACKAGE=oniondrop-server deb-systemd-helper)
	in_root "${helper[@]}" debian-installed "$1" &&
		! in_root "${helper[@]}" --quiet was-enabled "$1" &&
		test -z "$(find "$root/etc/systemd/system" -name "$1")"
}
dpkg_in() { in_root dpkg "$@" > dpkg.out 2>&1 || { sed 's/^/# /' dpkg.out; return 1; }; }
store_digest() { (cd "$root/var/lib/oniondrop" && find . -type f -exec sha256sum {} + | sort -k2); }

start=$SECONDS
if [ "$(id -u)" != 0 ]; then
	pass "# SKIP the maintainer scripts: a chroot needs root"
elif [ -z "$codename" ] || ! command -v debootstrap > /dev/null; then
	pass "# SKIP the maintainer scripts: no debootstrap or no release name"
elif ! make_root; then
	pass "# SKIP the maintainer scripts: debootstrap could not reach the archive"
else
	mkdir "$root" && tar -C "$root" -xf "$ROOT_TAR"
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	mkdir "$root/debs" && cp a/*.deb "$root/debs/"
	echo "# the chroot ready in $((SECONDS - start)) s"
	server=/$(cd "$root" && echo debs/oniondrop-server_*.deb)
	conf=/etc/oniondrop/oniondropd.conf
	check "chroot: oniondrop-analyst installs with its dependencies only" \
		dpkg_in -i "/$(cd "$root" && echo debs/oniondrop-analyst_*.deb)"
	check "... and oniondrop-keys runs: a key pair" \
		quiet in_root oniondrop-keys keygen --no-passphrase --out /root/alice

	check "install: dpkg -i oniondrop-server" dpkg_in -i $server
	check "... conffiles: the configuration and the tor instance's torrc" \
		test "$(in_root dpkg-query -W -f='${Conffiles}' oniondrop-server | awk '{ print $1 }' | paste -sd' ')" = \
		"$conf /etc/tor/instances/oniondrop/torrc"
	check "... system users oniondrop and _tor-oniondrop, without a login shell" \
		test "$(in_root getent passwd oniondrop _tor-oniondrop | cut -d: -f1,6,7 | paste -sd' ')" = \
		"oniondrop:/var/lib/oniondrop:/usr/sbin/nologin _tor-oniondrop:/var/lib/tor-instances/oniondrop:/bin/false"
	check "... /var/lib/oniondrop: 700 oniondrop:oniondrop ($(mode /var/lib/oniondrop))" \
		test "$(mode /var/lib/oniondrop)" = "700 oniondrop:oniondrop"
	check "... /etc/oniondrop and analysts/: 750 root:oniondrop, the configuration 640" \
		test "$(mode /etc/oniondrop; mode /etc/oniondrop/analysts; mode $conf)" = \
		"$(printf '750 root:oniondrop\n750 root:oniondrop\n640 root:oniondrop')"
	check "... tor's instance directory, as tor-instance-create makes it ($(mode /var/lib/tor-instances/oniondrop))" \
		test "$(mode /var/lib/tor-instances/oniondrop)" = "2700 _tor-oniondrop:_tor-oniondrop"
	check "... the unit is known to deb-systemd-helper, and not enabled" \
		installed_not_enabled oniondropd.service
	# As tor@.service starts the instance: Debian's defaults, then our torrc.
	check "... the tor instance's configuration is valid under Debian's instance defaults" \
		in_root sh -c 'sed "s/@@NAME@@/oniondrop/g" /usr/share/tor/tor-service-defaults-torrc-instances \
			> /tmp/defaults && tor --defaults-torrc /tmp/defaults \
			-f /etc/tor/instances/oniondrop/torrc --verify-config > /tmp/verify.out'
	run_status rc in_root runuser -u oniondrop -- oniondropd check-config --config $conf \
		> check.out 2>&1
	check "... check-config, as the unit runs it, refuses the shipped configuration: no analyst" \
		test "$rc" != 0 -a "$(grep -c 'analyst_key is required' check.out)" = 1
	check "purge, nothing stored: dpkg -P" dpkg_in -P oniondrop-server
	check "... the store, the configuration and tor's instance directory are gone" \
		bash -c 'for d; do ! test -e "$d" || exit 1; done' _ "$root/var/lib/oniondrop" \
		"$root/etc/oniondrop" "$root/etc/tor/instances/oniondrop" "$root/var/lib/tor-instances/oniondrop"
	check "... the users are left (adduser(8))" \
		quiet in_root getent passwd oniondrop _tor-oniondrop

	check "install again" dpkg_in -i $server
	in_root install -m 0644 /root/alice.pub /etc/oniondrop/analysts/alice.pub
	echo "analyst_key = /etc/oniondrop/analysts/alice.pub" >> "$root$conf"
	check "... with an analyst named, check-config passes as the daemon's user" \
		quiet in_root runuser -u oniondrop -- oniondropd check-config --config $conf
	head -c 200000 /dev/urandom > "$root/var/lib/oniondrop/data.mdb"
	mkdir "$root/var/lib/oniondrop/envelopes"
	head -c 70000 /dev/urandom > "$root/var/lib/oniondrop/envelopes/0123456789abcdef"
	in_root chown -R oniondrop:oniondrop /var/lib/oniondrop
	chmod 0600 "$root/var/lib/oniondrop/data.mdb" "$root/var/lib/oniondrop/envelopes/"*
	store_digest > store.before
	for step in "reinstall:-i $server" "remove:-r oniondrop-server" \
		"purge:-P oniondrop-server" "install over the kept store:-i $server"; do
		# shellcheck disable=SC2086
		check "${step%%:*}: dpkg ${step#*:}" dpkg_in ${step#*:}
		[ "${step%%:*}" = purge ] && cp dpkg.out purge.out
		check "... the store is unchanged, 700 oniondrop:oniondrop" \
			test "$(store_digest)" = "$(cat store.before)" -a \
			"$(mode /var/lib/oniondrop; mode /var/lib/oniondrop/data.mdb)" = \
			"$(printf '700 oniondrop:oniondrop\n600 oniondrop:oniondrop')"
		case ${step%%:*} in
		reinstall)
			check "... the admin's analyst_key line is kept" \
				grep -qx 'analyst_key = .*alice.pub' "$root$conf" ;;
		remove)
			check "... the daemon is gone, its configuration kept" \
				test ! -e "$root/usr/sbin/oniondropd" -a -f "$root$conf" ;;
		purge)
			check "... the configuration is gone, the admin's key file and the store kept (and said)" \
				test ! -e "$root$conf" -a -f "$root/etc/oniondrop/analysts/alice.pub" -a \
				"$(grep -c '/var/lib/oniondrop (the report store) was kept' purge.out)" = 1 ;;
		esac
	done
	echo "# the maintainer scripts' part took $((SECONDS - start)) s"
fi
