#!/usr/bin/env bash
# admin-root: the admin commands started as root on a store the daemon's
# user owns (here: nobody) give up root for that user before they touch it,
# and follow no link that user could plant: lock.mdb or data.mdb linked to
# a file elsewhere, envelopes/ linked to another directory, data_dir itself
# a link. The bundle stays root's; nothing in data_dir becomes root's.
# backup and restore as root: the backup and the restored data_dir are the
# owner's, an --out or a data_dir that is a link refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/daemon-lib.sh"
cd "$T"

require_root_and_nobody
owner=nobody
group=$(id -gn nobody)

make_analysts alice
write_config s alice "attachments = on"
start_daemon s
python3 "$CLIENT" "$T/s.sock" submit --url http://example.org/small > /dev/null
head -c 3000000 /dev/urandom > big.bin
python3 "$CLIENT" "$T/s.sock" submit --url http://example.org/big --attach big.bin > /dev/null
stop_daemon
envfile=$(ls s.data/envelopes | grep -v '^spare-')
check "a store with one report in an envelope file" test -n "$envfile"

# The store now belongs to the daemon's user; the admin can reach it as any
# deployment's /var/lib would let it.
chown -R "$owner:$group" s.data
chmod 0711 "$T"
foreign() { find s.data ! -user "$owner" -printf '%p '; }

# lock.mdb: a link to a 76-byte file of root's.
head -c 76 /dev/urandom > victim
cp victim victim.orig
mv s.data/lock.mdb lock.mdb.real
ln -s "$T/victim" s.data/lock.mdb
chown -h "$owner:$group" s.data/lock.mdb
run_status rc "$DAEMON" stats --config s.conf > stats.out 2> stats.err
check "stats as root refuses a linked lock.mdb (exit $rc)" test "$rc" = 1
check "... and the link's target is unchanged" cmp -s victim victim.orig
check "... and says why" grep -q 'lock.mdb.*link' stats.err
rm s.data/lock.mdb

# data.mdb: a link to a copy of the store elsewhere.
mv s.data/data.mdb data.mdb.real
cp data.mdb.real elsewhere.mdb
ln -s "$T/elsewhere.mdb" s.data/data.mdb
chown -h "$owner:$group" s.data/data.mdb
run_status rc "$DAEMON" stats --config s.conf > /dev/null 2> stats2.err
check "stats as root refuses a linked data.mdb (exit $rc)" test "$rc" = 1
rm s.data/data.mdb
mv data.mdb.real s.data/data.mdb

# data_dir itself a link.
ln -s "$T/s.data" linked.data
sed "s|^data_dir = .*|data_dir = $T/linked.data|" s.conf > linked.conf
run_status rc "$DAEMON" stats --config linked.conf > /dev/null 2> linked.err
check "a data_dir that is a link is refused (exit $rc)" test "$rc" = 1
run_status rc "$DAEMON" check-config --config linked.conf > /dev/null 2>&1
check "... and check-config says so (exit $rc)" test "$rc" = 1

# A clean store: the commands work as the owner.
run_status rc "$DAEMON" stats --config s.conf > stats.out 2> stats.err
check "stats as root on a sound store (exit $rc)" test "$rc" = 0 -a "$(sed -n 's/^reports: //p' stats.out)" = 2
run_status rc "$DAEMON" export --config s.conf --out "$T/b1.odb" > /dev/null 2> export.err
check "export as root (exit $rc)" test "$rc" = 0
check "... the bundle is root's, mode 0600" test "$(stat -c '%U %a' b1.odb)" = "root 600"
check "... nothing in data_dir is anyone's but the owner's (lock.mdb remade as $owner)" test -z "$(foreign)" -a -f s.data/lock.mdb
"$KEYS" decrypt --key alice.sec --out out1 b1.odb > /dev/null
check "... and it decrypts: two reports" test "$(reports_in out1 | wc -l)" = 2

# envelopes/: a link to another directory holding a file of the same name.
mkdir other
cp "s.data/envelopes/$envfile" "other/$envfile"
cp "other/$envfile" other.orig
mv s.data/envelopes envelopes.real
ln -s "$T/other" s.data/envelopes
chown -h "$owner:$group" s.data/envelopes
run_status rc "$DAEMON" export --config s.conf --all --out "$T/b2.odb" > /dev/null 2> export2.err
check "export as root refuses a linked envelopes/ (exit $rc)" test "$rc" = 1
check "... and leaves no partial bundle" test ! -e b2.odb
run_status rc "$DAEMON" purge --config s.conf --exported-older-than 0 > /dev/null 2> purge.err
check "purge as root refuses a linked envelopes/ (exit $rc)" test "$rc" = 1
check "... and the other directory's file is untouched" cmp -s "other/$envfile" other.orig
check "... and the reports are still there" test "$("$DAEMON" stats --config s.conf | sed -n 's/^reports: //p')" = 2

# A file in envelopes/ that is not the owner's.
rm s.data/envelopes
mv envelopes.real s.data/envelopes
chown root "s.data/envelopes/$envfile"
run_status rc "$DAEMON" export --config s.conf --all --out "$T/b3.odb" > /dev/null 2> export3.err
check "export as root refuses an envelope file that is not the owner's (exit $rc)" test "$rc" = 1
run_status rc "$DAEMON" backup --config s.conf --out "$T/bk-root" > /dev/null 2> bkroot.err
check "backup as root refuses an envelope file that is not the owner's, and leaves no --out (exit $rc)" test "$rc" = 1 -a ! -e bk-root
chown "$owner" "s.data/envelopes/$envfile"
# backup and restore as root: the work done as the owner, the backup and
# the restored data_dir the owner's, no link followed.
run_status rc "$DAEMON" backup --config s.conf --out "$T/bk" > bk.out 2> bk.err
check "backup as root (exit $rc): 0700, the owner's, nothing of root's in it" test "$rc" = 0 -a "$(stat -c '%U %a' bk)" = "$owner 700" -a -z "$(find bk ! -user "$owner")"
mkdir elsewhere
ln -s elsewhere bklink
run_status rc "$DAEMON" backup --config s.conf --out "$T/bklink" 2> bklink.err
check "backup as root refuses an --out that is a link (exit $rc)" test "$rc" = 1 -a -z "$(ls elsewhere)"
write_config r alice
rmdir r.data
run_status rc "$DAEMON" restore --config r.conf --from "$T/bk" > rs.out 2> rs.err
check "restore as root into a missing data_dir (exit $rc): all of it the owner's" test "$rc" = 0 -a "$(stat -c %U r.data)" = "$owner" -a -z "$(find r.data ! -user "$owner")"
check "... and the restored store has both reports" test "$("$DAEMON" stats --config r.conf | sed -n 's/^reports: //p')" = 2
ln -s r.data rlink
sed "s|^data_dir = .*|data_dir = $T/rlink|" r.conf > rl.conf
run_status rc "$DAEMON" restore --config rl.conf --from "$T/bk" 2> rl.err
check "restore as root refuses a data_dir that is a link (exit $rc)" test "$rc" = 1
run_status rc "$DAEMON" purge --config s.conf --exported-older-than 0 > purge.out 2> purge.err
check "purge as root on the sound store (exit $rc)" test "$rc" = 0 -a "$(cat purge.out)" = "purged 2 reports"
check "... removed the envelope file" test ! -e "s.data/envelopes/$envfile"
check "... and left nothing of root's in data_dir" test -z "$(foreign)"
