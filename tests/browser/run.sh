#!/usr/bin/env bash
# tests/browser/run.sh: the reporter's pages in a real browser. Debian's
# chromium, headless, JavaScript off, driven by playwright-core (pinned in
# package-lock.json, installed here by `npm ci` when missing), reaches the
# real oniondropd through a loopback bridge (socat, 127.0.0.1 only) to its
# Unix socket. For fr, ar and en it visits every page, submits a report with
# an attachment and checks its status (reporter.mjs); then the reports are
# exported, decrypted by each of two analysts and compared with what was
# typed (check-export.mjs); then the status pages say "taken".
#
#   BUILD_ROOT=build-dir tests/browser/run.sh     (meson test --suite browser)
#   SCREENSHOTS=docs/screenshots ...              to refresh the docs' images
# By default the screenshots go to BUILD_ROOT/tests/browser/screenshots.
# TAP on stdout. Skipped (TAP "1..0 # SKIP") when node, npm or chromium is
# missing; scripts/test installs them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SOURCE_ROOT=${SOURCE_ROOT:-$(cd "$here/../.." && pwd)}
BUILD_ROOT=$(cd "${BUILD_ROOT:?BUILD_ROOT: the meson build directory}" && pwd)
export BUILD_ROOT
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
for tool in node npm socat curl python3 "$CHROMIUM"; do
	if ! command -v "$tool" > /dev/null; then
		echo "1..0 # SKIP $tool is missing"
		exit 0
	fi
done
shots=${SCREENSHOTS:-$BUILD_ROOT/tests/browser/screenshots}
mkdir -p "$shots"
shots=$(cd "$shots" && pwd)
started=$SECONDS

. "$SOURCE_ROOT/tests/scenarios/lib.sh"
. "$SOURCE_ROOT/tests/scenarios/daemon-lib.sh"
cd "$T"
export TMPDIR=$T	# the browser's profile too

# relay FILE: a checker's "ok - " / "not ok - " lines into this TAP stream.
relay() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) fail "${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < "$1"
}
# node_step NAME ARGS...: run node ARGS, relay its lines, fail if it failed
# without saying why.
node_step() {
	local name=$1 rc before=$tap_failed
	shift
	run_status rc env -C "$here" node "$@" > "$T/$name.out" 2>&1
	relay "$T/$name.out"
	if [ "$rc" -ne 0 ] && [ "$tap_failed" -eq "$before" ]; then
		fail "$name: node exited $rc"
	fi
}

# playwright-core, as the lock file has it; one npm ci at a time (build
# directories share tests/browser/node_modules).
exec 9> /tmp/oniondrop-browser-npm.lock
flock 9
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
	[ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
	if (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) > "$T/npm.log" 2>&1; then
		pass "npm ci: playwright-core $(node -p "require('$here/node_modules/playwright-core/package.json').version")"
	else
		sed 's/^/# /' "$T/npm.log"
		fail "npm ci"
		exit 1
	fi
fi
flock -u 9

make_analysts alice bob
"$KEYS" keygen --sign --out desk --no-passphrase > /dev/null
write_config s "alice bob" "attachments = on" "desk_key = $T/desk.pub"
start_daemon s
sock=$T/s.sock

# The bridge: a free port on 127.0.0.1 to the daemon's socket.
bridge_pid=""
for _ in 1 2 3 4 5; do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$sock" 2>> "$T/socat.log" &
	bridge_pid=$!
	for _ in $(seq 50); do
		curl -sS --noproxy '*' --max-time 5 -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break 2
		kill -0 "$bridge_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$bridge_pid" 2>/dev/null || true
	bridge_pid=""
done
[ -n "$bridge_pid" ] || { sed 's/^/# /' "$T/socat.log"; fail "socat bridge on 127.0.0.1"; exit 1; }
cleanup_hooks+=("pkill -P $bridge_pid 2>/dev/null; kill $bridge_pid 2>/dev/null")
pass "bridge 127.0.0.1:$port -> the daemon's socket"
export BASE="http://127.0.0.1:$port" WORK="$T" SHOTS="$shots" CHROMIUM

node_step reporter "$here/reporter.mjs" report
[ -f typed.json ] || { fail "the browser run left no record of what it typed"; exit 1; }

"$DAEMON" export --config s.conf --out browser.bundle > export.out
check "export: the 3 browser reports ($(cat export.out))" grep -q "exported 3 reports" export.out
"$KEYS" decrypt --key alice.sec --out alice browser.bundle > /dev/null
"$KEYS" decrypt --key bob.sec --out bob browser.bundle > /dev/null
check "both analysts decrypt the same reports" diff -r -x "cases.db*" alice bob
node_step check-export "$here/check-export.mjs" "$T/typed.json" "$T/alice" "$T/bob"
marker=$(node -p "require('$T/typed.json').marker")
check "nothing typed is readable in data_dir or the bundle" test -z "$(grep -rl "$marker" s.data browser.bundle || true)"

node_step taken "$here/reporter.mjs" taken

# Replies: an outcome with a message for each report (markup in it, shown
# as text), signed and imported; then the browser reads them and sends a
# follow-up through the status page, which decrypts with follow_up_of.
printf '%s' "Merci. Le lien ne répond plus : où l'avez-vous vu ? <b>gras</b> $marker" > message-fr.txt
printf '%s' "شكرا. الرابط لا يعمل: أين رأيته؟ <i>مائل</i> $marker" > message-ar.txt
printf '%s' "Thank you. The link is dead: where else did you see it? <script>x</script> $marker" > message-en.txt
declare -A first
for lang in fr ar en; do
	first[$lang]=$(grep -l "/$lang/$marker" alice/*/report.json | xargs dirname | xargs basename)
	"$KEYS" outcome alice "${first[$lang]}" --status need-information --message-file "message-$lang.txt" > /dev/null
done
"$KEYS" outcomes alice --sign-key desk.sec --out replies.odoc > /dev/null
run_status rc "$DAEMON" import-outcomes --config s.conf replies.odoc > import.out 2>&1
check "import-outcomes: the 3 outcomes (exit $rc: $(tr '\n' ' ' < import.out))" grep -qx 'imported: 3' import.out
node_step replies "$here/reporter.mjs" replies
"$DAEMON" export --config s.conf --out follow.bundle > /dev/null
"$KEYS" decrypt --key alice.sec --out alice follow.bundle > /dev/null
for lang in fr ar en; do
	check "$lang follow-up: decrypted, follow_up_of its first report" \
		grep -q "\"follow_up_of\": *\"${first[$lang]}\"" $(grep -l "follow-up $lang $marker" alice/*/report.json)
done
check "the messages are not readable in data_dir" test -z "$(grep -rl "$marker" s.data || true)"

stop_daemon
check "the daemon stops cleanly (exit 0)" test "$STOP_STATUS" = 0
echo "# screenshots in $shots ($(find "$shots" -name '*.png' | wc -l) files); $((SECONDS - started)) s"
