/**
 * Chromium through playwright-core (no bundled browsers: the system's /usr/bin/chromium, or
 * CHROMIUM_PATH). Collects page errors and CSP violations so a test can assert there were none.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Uncaught exceptions and console errors seen so far. */
  problems: string[];
  close: () => Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  return { browser, page, problems, close: () => browser.close() };
}

/**
 * A full-page screenshot from the top of the page: the sidebar and the test panel are sticky, and
 * a capture taken while scrolled would draw them mid-page.
 */
export async function screenshot(page: Page, file: string): Promise<void> {
  // A string, because test code is type-checked without the DOM library.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: true });
}

/** Where the README's screenshots live; `npm run screenshots` (HK_DOCS_SCREENSHOTS=1) rewrites them. */
export const DOCS_DIR = new URL('../../../docs/', import.meta.url).pathname;

/**
 * A screenshot the README shows (docs/<name>.png), taken only under `npm run screenshots`: at the
 * README's width, of what is on screen (or the whole page), from the top.
 */
export async function docShot(page: Page, name: string, opts: { fullPage?: boolean; width?: number; height?: number } = {}): Promise<void> {
  if (process.env.HK_DOCS_SCREENSHOTS !== '1') return;
  const before = page.viewportSize();
  await page.setViewportSize({ width: opts.width ?? 1440, height: opts.height ?? 900 });
  await page.waitForTimeout(300);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: `${DOCS_DIR}${name}.png`, fullPage: opts.fullPage ?? false });
  if (before) await page.setViewportSize(before);
}
