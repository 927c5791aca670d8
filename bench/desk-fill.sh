#!/usr/bin/env bash
# bench/desk-fill: make a case directory for the desk's benchmarks. The
# case file is made by decrypt (one real report, so the schema is the
# tool's own) and filled with sqlite3: REPORTS reports over 365 days,
# URLS distinct URLs on URLS/15 hosts, each URL named by one report and a
# third of them by a second one (URLS * 4/3 lines, a report's lines
# together as decrypt records them, four per report at the default
# sizes), and a verdict log over a third of the URLs (its hashes
# chained as docs/cases.md says, by Python's hashlib, so verify passes).
#   bench/desk-fill.sh BUILD_DIR OUT_DIR [REPORTS] [URLS]
set -euo pipefail
build=$1
out=$2
reports=${3:-100000}
urls=${4:-300000}
keys=$build/client-keys/oniondrop-keys
mk=$build/tests/od-mkbundle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$keys" keygen --out "$work/a" --no-passphrase > /dev/null
printf 'report\nfield received 2025-01-01\nfield url http://seed.example/\nend\n' |
	"$mk" "$work/b.bundle" "$work/a.pub" > /dev/null
"$keys" decrypt --key "$work/a.sec" --out "$out" "$work/b.bundle" > /dev/null

hosts=$((urls / 15))
lines=$((urls + urls / 3))
sqlite3 "$out/cases.db" <<EOF
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $reports)
INSERT INTO reports (id, received, language, category, seen_on, description, recorded)
SELECT printf('%032x', i), date('2025-01-01', '+' || (i * 365 / $reports) || ' days'),
  substr('fraren', 1 + 2 * (i % 3), 2), 'cat' || (i % 7), '',
  'report ' || i || ' école مرحبا', '2026-01-01' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $urls - 1)
INSERT INTO urls (id, canonical, host)
SELECT printf('u%010d', i), 'http://h' || (i % $hosts) || '.example/p' || i,
  'h' || (i % $hosts) || '.example' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $lines - 1)
INSERT INTO report_lines (report_id, pos, as_typed, url_id)
SELECT printf('%032x', 1 + i * $reports / $lines), i,
  CAST('h/p' || i AS BLOB), printf('u%010d', (i * 7919) % $urls) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $urls / 3)
INSERT INTO verdicts (seq, url_id, at, verdict, severity, self_generated,
  ai_generated, site_type, hash)
SELECT i, printf('u%010d', (i * 3) % $urls), '2025-06-01T00:00:00Z',
  CASE i % 4 WHEN 0 THEN 'actioned' WHEN 1 THEN 'not-illegal'
  WHEN 2 THEN 'off-remit' ELSE 'unreachable' END,
  CASE i % 4 WHEN 0 THEN substr('ABC', 1 + i % 3, 1) END, 0, 0,
  'website', zeroblob(32) FROM n;
COMMIT;
EOF
python3 - "$out/cases.db" <<'EOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = ("seq, url_id, at, verdict, severity, age_band, sex, self_generated, "
        "ai_generated, site_type, hosting_country, referred_to, note, analyst")
prev, rows = bytes(32), []
for row in db.execute(f"SELECT {cols} FROM verdicts ORDER BY seq"):
    h = hashlib.blake2b(prev, digest_size=32)
    for v in row:
        b = None if v is None else str(v).encode()
        h.update(b"\xff\xff\xff\xff" if b is None else len(b).to_bytes(4, "big") + b)
    prev = h.digest()
    rows.append((prev, row[0]))
db.executemany("UPDATE verdicts SET hash = ? WHERE seq = ?", rows)
db.execute("UPDATE meta SET value = ? WHERE key = 'verdicts_count'", (str(len(rows)),))
db.execute("UPDATE meta SET value = ? WHERE key = 'verdicts_head'", (prev.hex(),))
db.commit()
EOF
