#!/usr/bin/env node
// The playwright-core peer of the browser workload: N loads of one URL in Debian's Chromium with
// P pages at a time, each load capturing the live DOM after the load event, as asyncscrape's
// browser jobs do. By default each load gets a fresh browser context (isolated cookies and
// storage, a new renderer), which is what asyncscrape does for every browser job; with
// --reuse-pages the P pages stay open and navigate from load to load (no isolation, less work).
// Prints one JSON line: {"loads", "ok", "seconds", "pages_per_second", "mode"}; the time runs
// from the browser's launch to the last capture, as asyncscrape-bench's includes Chromium's start.
//
//     node bench/peers/playwright_load.js --url http://127.0.0.1:8081/app.html --loads 200 \
//       --pages 4 [--chromium /usr/bin/chromium] [--expect 'item 199'] [--reuse-pages]
'use strict';

const { chromium } = require('playwright-core');

function parse(argv) {
  const options = { url: '', loads: 200, pages: 4, chromium: '/usr/bin/chromium', expect: '',
                    reusePages: false };
  for (let i = 2; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--reuse-pages') {
      options.reusePages = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--url') options.url = value;
    else if (flag === '--loads') options.loads = Number.parseInt(value, 10);
    else if (flag === '--pages') options.pages = Number.parseInt(value, 10);
    else if (flag === '--chromium') options.chromium = value;
    else if (flag === '--expect') options.expect = value;
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!options.url || !(options.loads > 0) || !(options.pages > 0)) {
    throw new Error('usage: playwright_load.js --url URL [--loads N] [--pages P] ' +
                    '[--chromium PATH] [--expect TEXT] [--reuse-pages]');
  }
  return options;
}

async function main() {
  const options = parse(process.argv);
  const started = process.hrtime.bigint();
  const browser = await chromium.launch({
    executablePath: options.chromium,
    headless: true,
    // As asyncscrape starts it: no sandbox as root (containers), no GPU, /dev/shm may be small.
    chromiumSandbox: process.getuid() !== 0,
    args: ['--disable-gpu', '--disable-dev-shm-usage'],
  });
  let next = 0;
  let ok = 0;
  let firstError = '';
  const check = (html) => {
    if (!options.expect || html.includes(options.expect)) ++ok;
    else if (!firstError) firstError = `the DOM lacks ${JSON.stringify(options.expect)}`;
  };
  // One worker per page: it takes the next load until none is left.
  const worker = async () => {
    const reused = options.reusePages ? await (await browser.newContext()).newPage() : null;
    while (next < options.loads) {
      ++next;
      try {
        if (reused) {
          await reused.goto(options.url, { waitUntil: 'load' });
          check(await reused.content());
        } else {
          const context = await browser.newContext();
          const page = await context.newPage();
          await page.goto(options.url, { waitUntil: 'load' });
          check(await page.content());
          await context.close();
        }
      } catch (error) {
        if (!firstError) firstError = String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.pages }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await browser.close();
  if (firstError) console.error(`first failure: ${firstError}`);
  console.log(JSON.stringify({
    loads: options.loads, ok, seconds, pages_per_second: options.loads / seconds,
    mode: options.reusePages ? 'reused pages' : 'a fresh context per load',
  }));
  process.exitCode = ok === options.loads ? 0 : 1;
}

main().catch((error) => {
  console.error(String(error && error.stack || error));
  process.exitCode = 2;
});
