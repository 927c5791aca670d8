# lib.sh: sourced by every scenario. TAP output, a temporary directory
# removed at exit, and the paths of the built programs.
set -euo pipefail

KEYS="$BUILD_ROOT/client-keys/oniondrop-keys"
MKBUNDLE="$BUILD_ROOT/tests/od-mkbundle"
DAEMON="$BUILD_ROOT/daemon/oniondropd"
T=$(mktemp -d "${TMPDIR:-/tmp}/oniondrop-test.XXXXXX")
tap_n=0
tap_failed=0
cleanup_hooks=()

on_exit() {
	local rc=$? h
	if [ "$rc" -ne 0 ]; then
		tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - the scenario stopped early (exit $rc at line ${BASH_LINENO[0]})"
	fi
	for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
	rm -rf "$T"
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
trap on_exit EXIT

# ok CONDITION-EXIT-STATUS DESCRIPTION: one TAP line from the last test.
pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
check() {  # check DESCRIPTION COMMAND...: pass if the command succeeds
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# reports_in DIR: the report folders decrypt wrote in DIR (not cases.db),
# one name a line, sorted.
reports_in() { ls "$1" 2>/dev/null | grep -E '^[0-9a-f]{32}$' | sort || true; }
# run_status VAR COMMAND...: run, store the exit status in VAR, keep going.
run_status() {
	local __var=$1
	shift
	set +e
	"$@"
	printf -v "$__var" '%d' $?
	set -e
}
