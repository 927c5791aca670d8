// reporter.mjs: a reporter's visit in a real browser, Debian's chromium
// driven headless by playwright-core, with JavaScript turned off as in Tor
// Browser's Safest level. Started by run.sh, which runs the daemon and the
// loopback bridge to its socket.
//
//   node reporter.mjs report   for fr, ar and en: landing, form, errors,
//                              submission, receipt, status, safety, 404,
//                              320 px; screenshots; writes WORK/typed.json
//   node reporter.mjs taken    after the export: each receipt's status
//                              page now says the analysts took the report
//
// Environment: BASE (http://127.0.0.1:PORT), WORK (a scratch directory),
// SHOTS (where the screenshots go), SOURCE_ROOT (for the po files),
// CHROMIUM (default /usr/bin/chromium).
//
// Each language gets a browser of its own whose interface speaks it (as a
// reporter's Tor Browser would), so the file input's own button reads
// "Sélect. fichiers", «اختيار الملفات» or "Choose Files" in the shots. On
// Linux chromium takes its language from LANGUAGE, and needs Debian's
// chromium-l10n for any but English.
//
// Output: one line per check, "ok - ..." or "not ok - ...", and "# ..."
// comments; run.sh numbers them into its TAP stream.
import { chromium } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const BASE = process.env.BASE;
const WORK = process.env.WORK;
const SHOTS = process.env.SHOTS;
const SOURCE_ROOT = process.env.SOURCE_ROOT;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LANGS = ['fr', 'ar', 'en'];
const NAMES = { fr: 'Français', ar: 'العربية', en: 'English' };
const DESKTOP = { width: 1000, height: 800 };
const NARROW = { width: 320, height: 640 };

let failures = 0;
function say(line) { process.stdout.write(line + '\n'); }
function check(desc, cond, detail) {
	if (cond) {
		say(`ok - ${desc}`);
	} else {
		failures++;
		say(`not ok - ${desc}`);
		if (detail !== undefined)
			for (const l of String(JSON.stringify(detail)).split('\n'))
				say(`#   ${l}`);
	}
	return cond;
}

// The translations, read from the po files the daemon is built from, so
// that the checks compare what is shown with what translators wrote.
function readPo(lang) {
	const map = new Map();
	const unq = (s) => JSON.parse('"' + s + '"');
	let state = null, id = '', str = '';
	const text = readFileSync(join(SOURCE_ROOT, 'po', lang + '.po'), 'utf8');
	for (const line of text.split('\n')) {
		let m;
		if ((m = line.match(/^msgid "(.*)"$/))) {
			if (state === 'str') map.set(id, str);
			id = unq(m[1]); str = ''; state = 'id';
		} else if ((m = line.match(/^msgstr "(.*)"$/))) {
			str = unq(m[1]); state = 'str';
		} else if ((m = line.match(/^"(.*)"$/))) {
			if (state === 'id') id += unq(m[1]);
			else if (state === 'str') str += unq(m[1]);
		}
	}
	if (state === 'str') map.set(id, str);
	return map;
}
const po = Object.fromEntries(LANGS.map((l) => [l, readPo(l)]));
const tr = (lang, msgid) => po[lang].get(msgid) || msgid;
const text = async (loc) => ((await loc.textContent()) ?? '').trim();
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// What each language's reporter types: mixed scripts, punctuation, markup
// that must come back as text, a tab, an emoji; an .onion address each.
const ONION = 'http://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz2345.onion';
function typedFor(lang, marker) {
	const t = {
		fr: {
			urls: [`http://exemple.fr/forum/fil-${marker}?page=2&tri=date`,
				`${ONION}/fr/${marker}`],
			category: 'csam_images', seen_on: 'website',
			description: `Vu sur un forum — élève ${marker}\n` +
				'مرحبا، رأيت هذا\n« guillemets » & <b>pas du HTML</b>',
			file: 'relevé-été.txt',
		},
		ar: {
			urls: [`https://example.com/ar/${marker}`,
				`${ONION}/ar/${marker}`],
			category: 'self_generated', seen_on: 'messaging_app',
			description: `مرحبا، رأيت هذا ${marker}\n` +
				'Vu sur un forum — élève\nالسطر الثالث: ١٢٣ <script>x</script>',
			file: 'ملاحظة.txt',
		},
		en: {
			urls: [`https://example.net/en/${marker}`,
				`${ONION}/en/${marker}`],
			category: 'other', seen_on: 'file_sharing',
			description: `Seen on a forum ${marker}\n\tindented, "quoted" ` +
				"& it's 👀\nمرحبا، رأيت هذا — Vu sur un forum — élève",
			file: 'notes.bin',
		},
	}[lang];
	const bytes = Buffer.concat([Buffer.from(`${lang} ${marker}\n`), randomBytes(3000)]);
	const path = join(WORK, `attach-${lang}`);
	mkdirSync(path, { recursive: true });
	writeFileSync(join(path, t.file), bytes);
	return { lang, ...t, attachment: { path: join(path, t.file), name: t.file,
		size: bytes.length, sha256: sha256(bytes) } };
}

const LOCALES = { fr: 'fr-FR', ar: 'ar-MA', en: 'en-US' };

async function launch(lang) {
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		env: { ...process.env, LANGUAGE: lang, LANG: 'C.UTF-8' },
		args: [`--lang=${lang}`, '--no-sandbox', '--disable-gpu', '--no-first-run',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync', '--disable-quic', '--no-proxy-server',
			// Nothing but the loopback bridge resolves.
			'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
	});
}

// A context as Tor Browser's Safest level: no JavaScript. Every request,
// console message and page error is recorded.
async function newContext(browser, log, lang) {
	const ctx = await browser.newContext({ javaScriptEnabled: false,
		viewport: DESKTOP, locale: LOCALES[lang] });
	ctx.on('request', (r) => log.requests.push(r.url()));
	ctx.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText}`));
	ctx.on('page', (p) => {
		p.on('console', (m) => {
			// Chromium logs every 4xx; those the test provokes (and
			// checks) are not errors of the page.
			if (/^Failed to load resource: the server responded with a status of (400|404) /.test(m.text()) &&
				/\/(report|no-such-page)$/.test(m.location().url ?? ''))
				return;
			if (m.type() === 'error' || m.type() === 'warning')
				log.console.push(`${p.url()}: ${m.type()}: ${m.text()} (${m.location().url})`);
		});
		p.on('pageerror', (e) => log.console.push(`${p.url()}: ${e.message}`));
		p.setDefaultTimeout(15000);
	});
	return ctx;
}

async function shot(page, lang, name) {
	if (!SHOTS)
		return;
	// As the page first shows: no focus ring left by the keyboard checks.
	await page.locator('body').evaluate(() => document.activeElement?.blur());
	await page.screenshot({ path: join(SHOTS, `${lang}-${name}.png`), fullPage: true });
}

// The computed writing direction of the elements matching sel, read twice:
// by playwright's evaluate (it runs through the DevTools protocol, which
// the page's "scripts off" does not stop) and by the DevTools CSS domain.
async function computedDirection(page, cdp, sel) {
	const viaEvaluate = await page.locator(sel).first()
		.evaluate((e) => getComputedStyle(e).direction);
	const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
	const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: sel });
	const { computedStyle } = await cdp.send('CSS.getComputedStyleForNode', { nodeId });
	const viaCss = computedStyle.find((p) => p.name === 'direction')?.value;
	return { viaEvaluate, viaCss };
}

// Press Tab from the top of the page until the element matching stop has
// the focus (or limit presses); the focused elements in order, and the
// page's focusable elements in document order.
async function tabWalk(page, stop, limit = 40) {
	await page.locator('body').evaluate((b) => {
		if (document.activeElement) document.activeElement.blur();
		window.scrollTo(0, 0);
	});
	const seen = [];
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press('Tab');
		const el = page.locator(':focus');
		const desc = await el.evaluate((e) => e.id || e.getAttribute('href') ||
			e.tagName.toLowerCase()).catch(() => '(nothing)');
		seen.push(desc);
		if (await el.evaluate((e, s) => e.matches(s), stop).catch(() => false))
			break;
	}
	const order = await page.locator('body').evaluate(() => Array.from(
		document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea'))
		.filter((e) => e.tabIndex >= 0 && e.getClientRects().length > 0)
		.map((e) => e.id || e.getAttribute('href') || e.tagName.toLowerCase()));
	return { seen, order };
}

// No horizontal scrolling at the page's current width.
async function fits(page) {
	return page.locator('html').evaluate((h) => ({ scroll: h.scrollWidth,
		client: h.clientWidth }));
}

async function visit(browser, lang, marker) {
	const log = { requests: [], failed: [], console: [] };
	const ctx = await newContext(browser, log, lang);
	const page = await ctx.newPage();
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('DOM.enable');
	await cdp.send('CSS.enable');
	const rtl = lang === 'ar';
	const L = (m) => tr(lang, m);
	const typed = typedFor(lang, marker);

	// Landing page.
	let resp = await page.goto(`${BASE}/${lang}/`);
	check(`${lang} landing: 200`, resp.status() === 200, resp.status());
	const h = resp.headers();
	check(`${lang} landing: CSP default-src 'none', no script allowed`,
		/default-src 'none'/.test(h['content-security-policy'] ?? '') &&
		!/script-src/.test(h['content-security-policy'] ?? ''), h['content-security-policy']);
	const html = page.locator('html');
	check(`${lang} landing: <html lang="${lang}" dir="${rtl ? 'rtl' : 'ltr'}">`,
		await html.getAttribute('lang') === lang &&
		await html.getAttribute('dir') === (rtl ? 'rtl' : 'ltr'));
	for (const sel of ['body', 'main', 'form, main h1']) {
		const d = await computedDirection(page, cdp, sel);
		check(`${lang} landing: computed direction of ${sel.split(',')[0]} is ${rtl ? 'rtl' : 'ltr'} (evaluate and DevTools CSS agree)`,
			d.viaEvaluate === (rtl ? 'rtl' : 'ltr') && d.viaCss === d.viaEvaluate, d);
	}
	// Laid out from the right: the brand at the right end of the bar, the
	// warning's start border on the right.
	const brand = await page.locator('a.brand').boundingBox();
	const langs = await page.locator('nav.langs').boundingBox();
	check(`${lang} landing: the site's name is at the ${rtl ? 'right' : 'left'}, the switcher at the ${rtl ? 'left' : 'right'}`,
		rtl ? brand.x > langs.x : brand.x < langs.x, { brand, langs });
	const border = await page.locator('.warning').evaluate((e) => {
		const s = getComputedStyle(e);
		return { left: parseFloat(s.borderLeftWidth), right: parseFloat(s.borderRightWidth) };
	});
	check(`${lang} landing: the warning's bar is on the ${rtl ? 'right' : 'left'}`,
		rtl ? border.right > 0 && border.left === 0 : border.left > 0 && border.right === 0, border);
	check(`${lang} landing: scripts are off (the <noscript> stylesheet was used, the Safest-level notice is hidden)`,
		log.requests.includes(`${BASE}/noscript.css`) &&
		!(await page.locator('.js-notice').isVisible()));
	check(`${lang} landing: the advice not to download or screenshot, in ${lang}`,
		await text(page.locator('.warning h2')) === L('Do not download, screenshot or share the material') &&
		(await text(page.locator('.warning p'))).startsWith(L('Do not download, screenshot, copy or forward the ' +
			'images or videos, not even to report them: it is illegal and it spreads the harm. Give the ' +
			'address (URL) where you saw them; that is enough.')),
		await text(page.locator('.warning')));
	const sw = page.locator('nav.langs a');
	const links = await sw.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'),
		lang: a.lang, text: a.textContent, current: a.getAttribute('aria-current') })));
	check(`${lang} landing: the switcher links to the landing page in each language, in its own name`,
		links.length === 3 && LANGS.every((l) => links.some((a) => a.href === `/${l}/` &&
			a.lang === l && a.text === NAMES[l] && (a.current === 'true') === (l === lang))), links);
	check(`${lang} landing: the page's own words are ${lang} (h1 from the po file)`,
		await text(page.locator('h1')) === L('Report images and videos of child sexual abuse found online'));
	let f = await fits(page);
	check(`${lang} landing: no horizontal scrolling at ${DESKTOP.width} px`, f.scroll <= f.client, f);
	await shot(page, lang, 'landing');

	// Keyboard: the skip link first, then the header, then the report
	// link, in document order.
	let walk = await tabWalk(page, `main a.button[href="/${lang}/report"]`);
	check(`${lang} landing: Tab goes skip link, site name, switcher, then the report link, in document order`,
		walk.seen[0] === '#main' && walk.seen.at(-1) === `/${lang}/report` &&
		walk.seen.join(' ') === walk.order.slice(0, walk.seen.length).join(' '), walk);

	// To the form: by the keyboard in Arabic, by a click otherwise.
	if (rtl)
		await Promise.all([page.waitForURL(`${BASE}/${lang}/report`), page.keyboard.press('Enter')]);
	else
		await page.locator(`main a.button[href="/${lang}/report"]`).click();
	await page.waitForLoadState();
	check(`${lang}: the report link opens /${lang}/report`, page.url() === `${BASE}/${lang}/report`, page.url());

	// The form.
	const fields = ['urls', 'category', 'seen_on', 'description', 'attachment'];
	const labelled = [];
	for (const id of fields)
		labelled.push(await page.locator(`label[for="${id}"]`).count() === 1 &&
			await page.locator(`#${id}[name="${id}"]`).count() === 1);
	check(`${lang} form: every field is there with its label (${fields.join(', ')})`,
		labelled.every(Boolean), labelled);
	check(`${lang} form: the address box is left-to-right, the description follows its text (dir=auto)`,
		await page.locator('#urls').getAttribute('dir') === 'ltr' &&
		await page.locator('#description').getAttribute('dir') === 'auto' &&
		(await computedDirection(page, cdp, '#urls')).viaCss === 'ltr');
	check(`${lang} form: the honeypot is hidden and out of the Tab order`,
		!(await page.locator('#homepage').isVisible()) &&
		await page.locator('#homepage').getAttribute('tabindex') === '-1');
	walk = await tabWalk(page, 'form button[type=submit]');
	const formOrder = walk.seen.filter((s) => fields.includes(s) || s === 'button' || s === 'homepage');
	check(`${lang} form: Tab order follows the document: ${fields.join(', ')}, then the button`,
		formOrder.join(' ') === [...fields, 'button'].join(' ') &&
		walk.seen.join(' ') === walk.order.slice(0, walk.seen.length).join(' '), walk);
	await shot(page, lang, 'form');

	// An empty form: 400, the errors listed and tied to the field.
	let posted = page.waitForResponse((r) => r.request().method() === 'POST');
	await page.locator('form button[type=submit]').click();
	resp = await posted;
	await page.waitForLoadState();
	check(`${lang} empty form: 400`, resp.status() === 400, resp.status());
	const nothing = L('Give at least one address or a description.');
	check(`${lang} empty form: the summary names the problem and links to the field`,
		await page.locator('.error-summary[role=alert] a[href="#urls"]').count() === 1 &&
		await text(page.locator('.error-summary a[href="#urls"]')) === nothing);
	check(`${lang} empty form: the address box is marked invalid and described by its error`,
		await page.locator('#urls').getAttribute('aria-invalid') === 'true' &&
		(await page.locator('#urls').getAttribute('aria-describedby')).split(' ').includes('urls-error') &&
		await text(page.locator('#urls-error')) === nothing);
	check(`${lang} empty form: the title says it is an error`,
		(await page.title()).startsWith(L('Error: {1}').split('{1}')[0]), await page.title());
	await shot(page, lang, 'form-errors');

	// A bad address: the form comes back with everything kept.
	const badUrls = `${typed.urls[0]}\nnot an address ${marker}`;
	await page.locator('#urls').fill(badUrls);
	await page.locator('#description').fill(typed.description);
	await page.locator('#category').selectOption(typed.category);
	await page.locator('#seen_on').selectOption(typed.seen_on);
	posted = page.waitForResponse((r) => r.request().method() === 'POST');
	await page.locator('form button[type=submit]').click();
	resp = await posted;
	await page.waitForLoadState();
	// The browser sends the textareas' newlines as CRLF; the daemon is to
	// store LF (check-export.mjs compares with what was typed). Chromium
	// shows the body of a post without a file only, so it is read here.
	const body = resp.request().postDataBuffer() ?? Buffer.alloc(0);
	check(`${lang} bad address: the browser sent multipart, the description's newlines as CRLF`,
		/^multipart\/form-data; boundary=/.test(await resp.request().headerValue('content-type')) &&
		body.includes(Buffer.from(typed.description.replaceAll('\n', '\r\n'))) &&
		!body.includes(Buffer.from(typed.description)), body.length);
	check(`${lang} bad address: 400 naming line 2`, resp.status() === 400 &&
		(await text(page.locator('#urls-error'))) === L('Line {1} is not a web address. Addresses start ' +
			'with http or https; onion addresses are accepted.').replace('{1}', '2'),
		await text(page.locator('#urls-error')).catch(() => null));
	check(`${lang} bad address: every value is kept exactly`,
		await page.locator('#urls').inputValue() === badUrls &&
		await page.locator('#description').inputValue() === typed.description &&
		await page.locator('#category').inputValue() === typed.category &&
		await page.locator('#seen_on').inputValue() === typed.seen_on);

	// The real report, from a fresh form reached by the footer's link.
	await page.locator(`footer a[href="/${lang}/report"]`).click();
	await page.waitForLoadState();
	await page.locator('#urls').fill(typed.urls.join('\n'));
	await page.locator('#category').selectOption(typed.category);
	await page.locator('#seen_on').selectOption(typed.seen_on);
	await page.locator('#description').fill(typed.description);
	await page.locator('#attachment').setInputFiles(typed.attachment.path);
	posted = page.waitForResponse((r) => r.request().method() === 'POST');
	await page.locator('form button[type=submit]').click();
	resp = await posted;
	await page.waitForLoadState();
	check(`${lang} report: 200`, resp.status() === 200, resp.status());
	const receipt = await text(page.locator('#receipt'));
	check(`${lang} receipt: five groups of five letters and digits`,
		/^[a-z2-7]{5}(-[a-z2-7]{5}){4}$/.test(receipt), receipt);
	check(`${lang} receipt page: its heading in ${lang}`,
		await text(page.locator('h1')) === L('Thank you: your report has been received'));
	check(`${lang} receipt page: the switcher opens other languages in a new tab (this page cannot be reloaded)`,
		await page.locator('nav.langs a[target=_blank]').count() === 2);
	await shot(page, lang, 'receipt');
	typed.receipt = receipt;

	// The status page, reached by the receipt page's link.
	await page.locator(`main a[href="/${lang}/status"]`).click();
	await page.waitForLoadState();
	await page.locator('#receipt-input').fill(receipt);
	await page.locator('form button[type=submit]').click();
	await page.waitForLoadState();
	check(`${lang} status: waiting for the analysts`,
		await page.locator('#status.waiting').count() === 1 &&
		await text(page.locator('#status h2')) === L('Received, waiting for the analysts'),
		await text(page.locator('#status')).catch(() => null));
	await shot(page, lang, 'status');

	// The safety page, by the footer's link.
	await page.locator(`footer a[href="/${lang}/safety"]`).click();
	await page.waitForLoadState();
	check(`${lang} safety page`, page.url() === `${BASE}/${lang}/safety` &&
		await text(page.locator('h1')) === L('How to stay safe'));
	await shot(page, lang, 'safety');

	// A page that does not exist: 404 in the same language.
	resp = await page.goto(`${BASE}/${lang}/no-such-page`);
	check(`${lang} 404: in ${lang}`, resp.status() === 404 &&
		await html.getAttribute('lang') === lang &&
		await text(page.locator('h1')) === L('Page not found'), resp.status());
	await shot(page, lang, '404');

	// 320 px wide.
	await page.setViewportSize(NARROW);
	for (const [path, name] of [['', 'landing'], ['report', 'form']]) {
		await page.goto(`${BASE}/${lang}/${path}`);
		f = await fits(page);
		check(`${lang} ${name}: no horizontal scrolling at ${NARROW.width} px`, f.scroll <= f.client, f);
	}
	await shot(page, lang, 'form-320');

	await ctx.close();
	check(`${lang}: every request went to the bridge (${log.requests.length} requests)`,
		log.requests.length > 0 && log.requests.every((u) => u.startsWith(BASE + '/')),
		log.requests.filter((u) => !u.startsWith(BASE + '/')));
	check(`${lang}: no request failed`, log.failed.length === 0, log.failed);
	check(`${lang}: no console error or warning, no page error`, log.console.length === 0, log.console);
	return typed;
}

// After the export: each receipt's status says the analysts took it; a
// made-up receipt says none was found. Each lookup in its language's
// browser (browserFor).
async function taken(browserFor, reports) {
	const log = { requests: [], failed: [], console: [] };
	const ctxs = {};
	const lookups = reports.map((r) => [r.lang, r.receipt, 'taken', 'Taken by the analysts'])
		.concat([['en', 'aaaaa-bbbbb-ccccc-ddddd-eeeee', 'unknown', 'No report found']]);
	for (const [lang, receipt, cls, title] of lookups) {
		ctxs[lang] ??= await newContext(await browserFor(lang), log, lang);
		const page = ctxs[lang].pages()[0] ?? await ctxs[lang].newPage();
		await page.goto(`${BASE}/${lang}/status`);
		await page.locator('#receipt-input').fill(receipt);
		await page.locator('form button[type=submit]').click();
		await page.waitForLoadState();
		check(`${lang} status after the export: ${cls} (${receipt})`,
			await page.locator(`#status.${cls}`).count() === 1 &&
			await text(page.locator('#status h2')) === tr(lang, title),
			await text(page.locator('#status')).catch(() => null));
		if (cls === 'taken')
			await shot(page, lang, 'status-taken');
	}
	for (const ctx of Object.values(ctxs))
		await ctx.close();
	check('status lookups: every request went to the bridge, none failed, no console error',
		log.requests.every((u) => u.startsWith(BASE + '/')) && !log.failed.length &&
		!log.console.length, log);
}

// After an outcome with a message was imported: each status page shows
// the translated status and the message as text, in its own direction;
// the follow-up form on it is sent, and the status page lists it. The
// messages are the files run.sh gave the desk (WORK/message-LANG.txt).
async function replies(browserFor, reports, marker) {
	const log = { requests: [], failed: [], console: [] };
	for (const { lang, receipt } of reports) {
		const ctx = await newContext(await browserFor(lang), log, lang);
		const page = await ctx.newPage();
		const cdp = await ctx.newCDPSession(page);
		await cdp.send('DOM.enable');
		await cdp.send('CSS.enable');
		const lookUp = async () => {
			await page.goto(`${BASE}/${lang}/status`);
			await page.locator('#receipt-input').fill(receipt);
			await page.locator('form[action$="/status"] button[type=submit]').click();
			await page.waitForLoadState();
		};
		await lookUp();
		const want = readFileSync(join(WORK, `message-${lang}.txt`), 'utf8');
		check(`${lang} reply: the status says the analysts need more information, in ${lang}`,
			await text(page.locator('#status h2')) === tr(lang, 'The analysts need more information'),
			await text(page.locator('#status')).catch(() => null));
		check(`${lang} reply: the message, as text (no element made of its markup)`,
			await text(page.locator('#message')) === want.trim() &&
			await page.locator('#message *').count() === 0,
			await page.locator('#message').innerHTML().catch(() => null));
		const dir = await computedDirection(page, cdp, '#message');
		const wantDir = lang === 'ar' ? 'rtl' : 'ltr';
		check(`${lang} reply: the message reads ${wantDir} (dir="auto")`,
			dir.viaEvaluate === wantDir && dir.viaCss === wantDir, dir);
		await shot(page, lang, 'status-message');
		const form = page.locator('form#follow-up');
		check(`${lang} reply: the follow-up form is offered`, await form.count() === 1);
		await form.locator('textarea[name=description]').fill(`follow-up ${lang} ${marker}`);
		await form.locator('textarea[name=urls]').fill(`http://${lang}.example/elsewhere/${marker}`);
		const [resp] = await Promise.all([page.waitForNavigation(),
			form.locator('button[type=submit]').click()]);
		check(`${lang} follow-up: 200, received, the receipt unchanged (no new one)`,
			resp.status() === 200 && await page.locator('#receipt').count() === 0 &&
			await text(page.locator('h1')) === tr(lang, 'Thank you: what you added has been received'),
			[resp.status(), await text(page.locator('h1')).catch(() => null)]);
		await lookUp();
		check(`${lang} follow-up: listed on the status page`,
			await page.locator('#follow-ups li').count() === 1,
			await page.locator('#follow-ups').innerHTML().catch(() => null));
		await shot(page, lang, 'status-follow-up');
		await ctx.close();
	}
	check('replies: every request went to the bridge, none failed, no console error',
		log.requests.every((u) => u.startsWith(BASE + '/')) && !log.failed.length &&
		!log.console.length, log);
}

async function main() {
	const mode = process.argv[2];
	if (SHOTS)
		mkdirSync(SHOTS, { recursive: true });
	// One browser per language, its interface in that language.
	const browsers = {};
	const browserFor = async (lang) => {
		if (!browsers[lang]) {
			browsers[lang] = await launch(lang);
			say(`# chromium ${browsers[lang].version()} in ${lang}, JavaScript off, ${BASE}`);
		}
		return browsers[lang];
	};
	try {
		if (mode === 'report') {
			const marker = 'M' + randomBytes(6).toString('hex');
			const reports = [];
			for (const lang of LANGS) {
				const t0 = Date.now();
				try {
					reports.push(await visit(await browserFor(lang), lang, marker));
				} catch (e) {
					check(`${lang}: the visit went to its end`, false, e.message.split('\n').slice(0, 3).join(' | '));
				}
				say(`# ${lang}: ${Date.now() - t0} ms`);
			}
			writeFileSync(join(WORK, 'typed.json'), JSON.stringify({ marker, reports }, null, 1));
		} else if (mode === 'replies') {
			const { reports, marker } = JSON.parse(readFileSync(join(WORK, 'typed.json'), 'utf8'));
			await replies(browserFor, reports, marker);
		} else if (mode === 'taken') {
			const { reports } = JSON.parse(readFileSync(join(WORK, 'typed.json'), 'utf8'));
			await taken(browserFor, reports);
		} else {
			throw new Error(`usage: reporter.mjs report|taken|replies (not ${mode})`);
		}
	} finally {
		for (const b of Object.values(browsers))
			await b.close();
	}
	process.exitCode = failures ? 1 : 0;
}

main().catch((e) => {
	say(`not ok - the browser run stopped: ${e.message.split('\n')[0]}`);
	process.exitCode = 1;
});
