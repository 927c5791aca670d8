// check-export.mjs TYPED.json DIR...: each DIR is an analyst's decryption
// of the export; it must hold exactly the reports typed in the browser,
// each field as typed (newlines as \n: the browser sends CRLF, the daemon
// stores LF), each attachment's bytes unchanged. Same output as
// reporter.mjs: "ok - ..." / "not ok - ..." lines.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

let failures = 0;
function check(desc, cond, detail) {
	process.stdout.write(`${cond ? 'ok' : 'not ok'} - ${desc}\n`);
	if (!cond) {
		failures++;
		if (detail !== undefined)
			process.stdout.write(`#   ${JSON.stringify(detail)}\n`);
	}
}
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

const [typedPath, ...dirs] = process.argv.slice(2);
const { reports: typed } = JSON.parse(readFileSync(typedPath, 'utf8'));
for (const dir of dirs) {
	const who = dir.split('/').at(-1);
	// Report folders only: the directory also holds the case file (cases.db).
	const got = readdirSync(dir).filter((id) => /^[0-9a-f]{32}$/.test(id)).map((id) => ({ id,
		json: JSON.parse(readFileSync(join(dir, id, 'report.json'), 'utf8')) }));
	check(`${who}: ${typed.length} reports decrypted, as many as were sent`,
		got.length === typed.length && typed.length === 3, got.map((r) => r.id));
	for (const t of typed) {
		const mine = got.filter((r) => r.json.language === t.lang);
		if (!mine.length) {
			check(`${who} ${t.lang}: the report is in the export`, false);
			continue;
		}
		const r = mine[0].json;
		check(`${who} ${t.lang}: urls are the lines typed, in order`,
			isDeepStrictEqual(r.urls, t.urls), { got: r.urls, typed: t.urls });
		check(`${who} ${t.lang}: the description is byte for byte what was typed`,
			Buffer.from(r.description ?? '', 'utf8').equals(Buffer.from(t.description, 'utf8')),
			{ got: r.description, typed: t.description });
		check(`${who} ${t.lang}: category ${t.category}, seen on ${t.seen_on}`,
			r.category === t.category && r.seen_on === t.seen_on, { category: r.category, seen_on: r.seen_on });
		const a = r.attachments ?? [];
		const bytes = a.length === 1 ? readFileSync(join(dir, mine[0].id, 'attachments', a[0].name)) : null;
		check(`${who} ${t.lang}: the attachment ${t.attachment.name}: its name, size and sha256`,
			a.length === 1 && a[0].submitted_name === t.attachment.name &&
			a[0].size === t.attachment.size && a[0].sha256 === t.attachment.sha256 &&
			sha256(bytes) === t.attachment.sha256, { got: a, typed: t.attachment });
	}
}
process.exitCode = failures ? 1 : 0;
