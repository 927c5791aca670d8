# packages.sh: sourced by scripts/test and scripts/demo. Installs the Debian
# packages a step needs, and only those that are missing.

# The image decoders are the desk's (client-keys/imgcodec.c); libseccomp
# is lib/sysfilter.c's, for the desk's decoder and the daemon's sandbox.
BUILD_PACKAGES="gcc libc6-dev pkg-config meson ninja-build libsodium-dev libssl-dev
  libevent-dev liblmdb-dev gettext libsqlite3-dev libidn2-dev
  libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev libseccomp-dev"
# imagemagick makes the PDQ test images (tests/scenarios/desk-pdq.sh);
# fonts-urw-base35 is its default font (Helvetica), the one the reference
# hash of the text image was made with (only recommended by imagemagick).
# libimage-exiftool-perl tags images for test_metadata and desk-referral;
# mat2 is what referral runs to clean attachments (oniondrop-keys(1)).
TEST_PACKAGES="clang libclang-rt-14-dev tor curl socat procps iproute2 xxd python3
  lmdb-utils bsdutils cppcheck valgrind systemd strace util-linux sqlite3 faketime
  imagemagick fonts-urw-base35 libimage-exiftool-perl mat2"
# The Debian packages' suite (tests/packaging): build them, lint them, and a
# chroot for their maintainer scripts.
PACKAGING_PACKAGES="debhelper dpkg-dev lintian debootstrap faketime"
# The real-browser suite (tests/browser): node and npm for playwright-core;
# chromium-l10n so that each language's browser speaks it (the file input's
# own button, in the screenshots).
BROWSER_PACKAGES="nodejs npm chromium chromium-l10n ca-certificates fonts-dejavu-core"

# ensure_packages PKG...: apt-get install whatever of PKG is not installed.
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
