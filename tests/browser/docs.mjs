// Browser test of GET /docs (scripts/test.d/30-browser-docs.sh): Debian's Chromium, driven by
// playwright-core, loads the page from the local API and checks that
//   - the page is served with a strict CSP (no 'unsafe-eval', scripts only by hash),
//   - nothing is requested from any other origin and no request fails,
//   - there are no console errors, page errors or CSP violations,
//   - every operation of the served spec is listed (its summary and its section),
//   - the guide (the spec's description) is shown, and its lifecycle picture, served by the API
//     as image/svg+xml, is loaded and drawn with every status of the spec's `Status` enum.
// A second screenshot shows the picture in the guide (<SCREENSHOT>-lifecycle.png).
// Usage: node tests/browser/docs.mjs BASE_URL SCREENSHOT_PATH
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
if (!base || !screenshot) {
  console.error('usage: node tests/browser/docs.mjs BASE_URL SCREENSHOT_PATH');
  process.exit(2);
}
const origin = new URL(base).origin;
const failures = [];
const fail = (message) => failures.push(message);

const spec = await (await fetch(`${base}/openapi.json`)).json();
const operations = [];
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (['get', 'put', 'post', 'delete', 'patch'].includes(method)) {
      operations.push({ method, path, id: op.operationId, summary: op.summary });
    }
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  // This machine's network is closed: keep Chromium from calling home (see the toolchain notes).
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Registered before any page script runs; CDP-injected, so the page's CSP does not block it.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => fail(`page error: ${err.message}`));
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (!['data:', 'blob:', 'about:'].includes(url.protocol) && url.origin !== origin) {
      fail(`request to another origin: ${req.url()}`);
    }
  });
  page.on('requestfailed', (req) => fail(`request failed: ${req.url()} ${req.failure()?.errorText}`));

  const response = await page.goto(`${base}/docs`, { waitUntil: 'networkidle' });
  if (response.status() !== 200) fail(`GET /docs answered ${response.status()}`);
  const csp = response.headers()['content-security-policy'] ?? '';
  const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
  if (!/^script-src( 'sha256-[A-Za-z0-9+/=]+')+$/.test(scriptSrc)) fail(`script-src is not hash-only: "${scriptSrc}"`);
  if (csp.includes('unsafe-eval')) fail(`CSP allows eval: ${csp}`);

  // Redoc renders one section per operation, id "operation/<operationId>".
  await page.waitForSelector(`[data-section-id="operation/${operations[0].id}"]`, { timeout: 30000 });
  // HTML rendering collapses whitespace, so a multi-line summary is compared collapsed.
  const squash = (s) => s.replace(/\s+/g, ' ').trim();
  const text = squash(await page.evaluate(() => document.body.innerText));
  for (const op of operations) {
    const section = await page.$(`[data-section-id="operation/${op.id}"]`);
    if (!section) fail(`no section for ${op.id} (${op.method.toUpperCase()} ${op.path})`);
    if (!op.summary) fail(`${op.id} has no summary in the spec`);
    else if (!text.includes(squash(op.summary))) fail(`summary of ${op.id} not on the page: "${op.summary}"`);
  }
  // The guide and its lifecycle picture.
  for (const heading of ['Getting started', 'The proposal lifecycle', 'Retries and concurrent edits', 'Errors', 'Pagination', 'Caching and conditional reads']) {
    if (!text.includes(heading)) fail(`the guide's "${heading}" is not on the page`);
  }
  const picture = await page.$('img[src$="docs/lifecycle.svg"]');
  if (!picture) {
    fail('the guide has no lifecycle picture (img docs/lifecycle.svg)');
  } else {
    await picture.scrollIntoViewIfNeeded();
    await page.waitForFunction((img) => img.complete, picture, { timeout: 10000 });
    const size = await picture.evaluate((img) => ({ w: img.naturalWidth, h: img.naturalHeight, shown: img.getBoundingClientRect().width }));
    if (!(size.w > 300 && size.h > 150 && size.shown > 100)) fail(`the lifecycle picture is not drawn: ${JSON.stringify(size)}`);
    const src = await picture.evaluate((img) => img.src);
    const svg = await page.evaluate(async (url) => {
      const r = await fetch(url);
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    }, src);
    if (svg.status !== 200 || svg.type !== 'image/svg+xml') fail(`${src}: ${svg.status} ${svg.type}`);
    for (const status of spec.components.schemas.Status.enum) {
      if (!svg.text.includes(`id="status-${status}"`)) fail(`the lifecycle picture lacks status ${status}`);
    }
    await page.screenshot({ path: screenshot.replace(/\.png$/, '-lifecycle.png') });
    await page.evaluate(() => window.scrollTo(0, 0));
  }

  const violations = await page.evaluate(() => window.__cspViolations);
  for (const v of violations) fail(`CSP violation: ${v}`);

  await page.screenshot({ path: screenshot });
  if (failures.length) {
    console.error(`/docs browser test FAILED (screenshot: ${screenshot}):\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.error(`/docs lists all ${operations.length} operations and the guide with its lifecycle picture, no console errors, no CSP violations (screenshots: ${screenshot}, ${screenshot.replace(/\.png$/, '-lifecycle.png')})`);
  }
} finally {
  await browser.close();
}
