-- A case file of schema version 1, as oniondrop-keys wrote it before replies
-- (the schema is migrations[0] of client-keys/cases.c at f8297ba, verbatim):
-- two reports, one of them naming http://example.com/b, with one verdict
-- whose chain hash follows docs/cases.md. test_cases loads it with plain
-- SQLite and checks that cases_open brings it to the current version with
-- every row intact and the verdict log still verifying.
CREATE TABLE reports (  id TEXT PRIMARY KEY, received TEXT NOT NULL,  language TEXT NOT NULL, category TEXT NOT NULL,  seen_on TEXT NOT NULL, description TEXT NOT NULL,  recorded TEXT NOT NULL, purged TEXT);
CREATE TABLE urls (  id TEXT PRIMARY KEY, canonical TEXT NOT NULL UNIQUE,  host TEXT NOT NULL);
CREATE TABLE report_lines (  report_id TEXT NOT NULL REFERENCES reports(id),  pos INTEGER NOT NULL, as_typed BLOB NOT NULL,  url_id TEXT REFERENCES urls(id),  PRIMARY KEY (report_id, pos));
CREATE TABLE attachments (  report_id TEXT NOT NULL REFERENCES reports(id),  pos INTEGER NOT NULL, name TEXT NOT NULL,  size INTEGER NOT NULL, sha256 TEXT NOT NULL,  PRIMARY KEY (report_id, pos));
CREATE TABLE verdicts (  seq INTEGER PRIMARY KEY,  url_id TEXT NOT NULL REFERENCES urls(id),  at TEXT NOT NULL, verdict TEXT NOT NULL,  severity TEXT, age_band TEXT, sex TEXT,  self_generated INTEGER NOT NULL, ai_generated INTEGER NOT NULL,  site_type TEXT, hosting_country TEXT, referred_to TEXT,  note TEXT, analyst TEXT, hash BLOB NOT NULL);
CREATE INDEX report_lines_url ON report_lines(url_id);
CREATE INDEX verdicts_url ON verdicts(url_id, seq);
CREATE INDEX reports_received ON reports(received);
CREATE VIRTUAL TABLE search USING fts5(  report_id UNINDEXED, description, urls,  tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('verdicts_count', '0'),  ('verdicts_head', '0000000000000000000000000000000000000000000000000000000000000000');

INSERT INTO reports VALUES ('11111111111111111111111111111111', '2026-11-01',
  'fr', 'csam', '', 'une description', '2026-11-02', NULL);
INSERT INTO reports VALUES ('22222222222222222222222222222222', '2026-11-02',
  'en', 'other', 'forum', 'second', '2026-11-03', '2026-12-01');
INSERT INTO urls VALUES ('ufu5jsyb7rr', 'http://example.com/b', 'example.com');
INSERT INTO report_lines VALUES ('11111111111111111111111111111111', 0,
  CAST('hxxp://example[.]com/b' AS BLOB), 'ufu5jsyb7rr');
INSERT INTO report_lines VALUES ('11111111111111111111111111111111', 1,
  CAST('not a url' AS BLOB), NULL);
INSERT INTO attachments VALUES ('11111111111111111111111111111111', 0,
  'photo.jpg', 1234,
  'ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd');
INSERT INTO search VALUES ('11111111111111111111111111111111',
  'une description', 'hxxp://example[.]com/b
not a url');
INSERT INTO search VALUES ('22222222222222222222222222222222', 'second', '');
INSERT INTO verdicts VALUES (1, 'ufu5jsyb7rr', '2026-11-20T10:00:00Z',
  'actioned', 'A', NULL, NULL, 0, 0, 'image-host', NULL, 'host', NULL,
  'alice', x'45a23ac21240fdeac5d91b5bc0ffd5cd21a4a4454e222ac0803050a1f3dd7047');
UPDATE meta SET value = '1' WHERE key = 'verdicts_count';
UPDATE meta SET value = '45a23ac21240fdeac5d91b5bc0ffd5cd21a4a4454e222ac0803050a1f3dd7047' WHERE key = 'verdicts_head';
PRAGMA user_version = 1;
