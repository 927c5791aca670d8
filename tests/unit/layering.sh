#!/bin/sh
# layering: lib/ never includes a program's headers; oniondrop-keys never
# links libevent or LMDB (the air-gapped tool needs neither); in daemon/,
# each file includes only the headers of its own group and of the groups
# it depends on, as daemon/meson.build declares them (its static libraries
# and their daemon_*_dep dependencies), and the cuts inside a group hold:
# conn knows nothing of what answers, struct server is server.c's own, the
# store's loop side touches no file or LMDB and its writer no event loop.
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

# ---- daemon/'s groups ----
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One line per group: "GROUP deps: D... files: F...", GROUP being
# daemon_GROUP's name (main for the oniondropd executable), D the groups
# of its daemon_*_dep dependencies, F its .c files.
awk '
/^daemon_[a-z]+ = static_library\(/ || /^oniondropd = executable\(/ {
	name = $1
	sub(/^daemon_/, "", name)
	if (name == "oniondropd")
		name = "main"
	text = ""
	depth = 0
	grab = 1
}
grab {
	text = text " " $0
	line = $0
	depth += gsub(/\(/, "(", line) - gsub(/\)/, ")", line)
	if (depth > 0)
		next
	grab = 0
	deps = ""
	files = ""
	n = split(text, w, /[^A-Za-z0-9_.]+/)
	for (i = 1; i <= n; i++) {
		if (w[i] ~ /^daemon_[a-z]+_dep$/) {
			d = w[i]
			sub(/^daemon_/, "", d)
			sub(/_dep$/, "", d)
			deps = deps " " d
		} else if (w[i] ~ /\.c$/)
			files = files " " w[i]
	}
	print name " deps:" deps " files:" files
}' daemon/meson.build > "$tmp/groups"

# Every file, "PATH", and every include of a daemon header, "PATH HEADER".
for f in daemon/*.c daemon/*.h; do
	echo "$f"
	sed -n 's/^#include "\(.*\)"$/\1/p' "$f" | while read -r h; do
		if [ -e "daemon/$h" ]; then echo "$f $h"; fi
	done
done > "$tmp/includes"

# "GROUP<tab>problem" for each include across the groups' lines, and
# "GROUP<tab>allowed G..." for each group. ALLOW lists the exceptions,
# "file:header" each.
# pages.h:store.h  the status page draws what the store found (struct
#                  store_case): the store's types, none of its code
awk -v allow="pages.h:store.h" '
function reach(from, to,    i) {
	if (from == to)
		return 1
	for (i = 1; i <= ndep[from]; i++)
		if (reach(dep[from, i], to))
			return 1
	return 0
}
FNR == NR {
	g = $1
	order[++ngroups] = g
	for (i = 3; $i != "files:"; i++)
		dep[g, ++ndep[g]] = $i
	for (i++; i <= NF; i++) {
		sub(/\.c$/, "", $i)
		owner[$i] = g
	}
	next
}
{
	base = $1
	sub(/^.*\//, "", base)
	f = base
	sub(/\.[ch]$/, "", f)
	h = $2
	sub(/\.h$/, "", h)
	if (NF == 1) {
		if (!(f in owner))
			print "none\t" $1 " is in no group"
	} else if (!(f in owner))
		next	# said once, for its own line
	else if (!(h in owner))
		print owner[f] "\t" $1 " includes " $2 ", which is in no group"
	else if (!reach(owner[f], owner[h]) &&
	    index(" " allow " ", " " base ":" $2 " ") == 0)
		print owner[f] "\t" $1 " includes " $2 " (" owner[h] ")"
}
END {
	for (i = 1; i <= ngroups; i++) {
		list = ""
		for (j = 1; j <= ngroups; j++)
			if (reach(order[i], order[j]))
				list = list " " order[j]
		print order[i] "\tallowed" list
	}
}' "$tmp/groups" "$tmp/includes" > "$tmp/report"

check "every daemon/ file is in a group of daemon/meson.build" \
	grep '^none	' "$tmp/report"
for g in $(cut -d ' ' -f 1 "$tmp/groups"); do
	allowed=$(sed -n "s/^$g	allowed //p" "$tmp/report")
	check "daemon/ $g includes only headers of: $allowed" \
		sh -c "grep '^$g	' '$tmp/report' | grep -v '	allowed '"
done

# ---- the cuts inside a group ----
inc() {  # inc HEADER-REGEX FILE...: lines of FILEs including a match
	re=$1
	shift
	grep -nE "#include [\"<]($re)[\">]" "$@" || true
}
check "conn includes no router, page, form, lookup, web, server or store header" \
	inc '(router|pages|form|lookup|web|server|store|i18n)\.h' daemon/conn.c daemon/conn.h
check "router, form, lookup and web include no server.h (struct web is their context)" \
	inc 'server\.h' daemon/router.[ch] daemon/form.[ch] daemon/lookup.[ch] daemon/web.[ch]
check "only supervisor.c and server.c include server.h" \
	sh -c "grep -ln '#include \"server.h\"' daemon/*.c daemon/*.h | grep -vE '^daemon/(supervisor|server)\.c$'"
check "struct server is defined in no header" \
	grep -n '^struct server {' daemon/*.h
check "the store's loop side touches no LMDB, envelope file or data_dir" \
	inc 'storedb\.h|envfile\.h|datadir\.h|lmdb\.h' daemon/store.[ch] daemon/storeq.[ch]
check "the store process's side (writer, channel end, process) never sees the event loop" \
	inc 'event2/.*' daemon/storewriter.[ch] daemon/storerecv.[ch] daemon/storeproc.[ch]
check "the network process's own files reach the store only through store.h" \
	inc 'storewriter\.h|storerecv\.h|storedb\.h|envfile\.h|datadir\.h|lmdb\.h|storeproc\.h' daemon/server.[ch] daemon/router.[ch] daemon/form.[ch] daemon/lookup.[ch] daemon/web.[ch] daemon/conn.[ch] daemon/keypool.[ch]
echo "1..$n"
exit $fail
