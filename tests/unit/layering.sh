#!/bin/sh
# layering: lib/ never includes a program's headers; oniondrop-keys never
# links libevent or LMDB (the air-gapped tool needs neither).
set -eu
fail=0
n=0
check() {  # check DESCRIPTION COMMAND...: "ok" if the command finds nothing
	n=$((n + 1))
	desc=$1
	shift
	if out=$("$@" 2>/dev/null) && [ -n "$out" ]; then
		echo "not ok $n - $desc"
		echo "$out" | sed 's/^/# /'
		fail=1
	else
		echo "ok $n - $desc"
	fi
}
cd "$SOURCE_ROOT"
for h in daemon/*.h client-keys/*.h; do
	[ -e "$h" ] || continue
	check "lib/ does not include $h" grep -n "#include \"$(basename "$h")\"" lib/*.c lib/*.h
done
check "lib/ includes no libevent or LMDB header" grep -nE '#include <(event2/|lmdb)' lib/*.c lib/*.h
check "client-keys/ includes no libevent or LMDB header" grep -nE '#include <(event2/|lmdb)' client-keys/*.c client-keys/*.h
check "oniondrop-keys links neither libevent nor LMDB" sh -c "ldd '$BUILD_ROOT/client-keys/oniondrop-keys' | grep -E 'libevent|liblmdb'"
echo "1..$n"
exit $fail
