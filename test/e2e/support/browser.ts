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
