import type { Download, Locator, Page } from 'playwright-core';

/** The Overview screen: summary tiles, space bars, runs by state, backlog, retention, maintenance, growth. */
export class OverviewPage {
  constructor(readonly page: Page) {}

  report(): Locator {
    return this.page.getByTestId('overview-report');
  }

  /** Waits until a report is shown and returns its id. */
  async waitForReport(): Promise<string> {
    await this.report().waitFor();
    return (await this.report().getAttribute('data-report-id')) ?? '';
  }

  /** Presses "Inspect now" and waits for a report other than `previousId`. */
  async inspectNow(previousId: string): Promise<string> {
    await this.page.getByTestId('inspect-now').click();
    await this.page.waitForFunction(
      (prev) => {
        const el = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document.querySelector('[data-testid="overview-report"]');
        const id = el?.getAttribute('data-report-id');
        return Boolean(id && id !== prev);
      },
      previousId,
      { timeout: 60_000 },
    );
    return this.waitForReport();
  }

  async tile(name: 'size' | 'reclaimable' | 'late' | 'xid'): Promise<string> {
    return (await this.page.getByTestId(`tile-${name}`).innerText()).replace(/\s+/g, ' ').trim();
  }

  async spaceTables(): Promise<string[]> {
    return this.page.getByTestId('space-bars-row').evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(a: string): string }).getAttribute('data-key')));
  }

  async stateLegend(): Promise<string> {
    return (await this.page.getByTestId('runs-by-state').innerText()).replace(/\s+/g, ' ');
  }

  lateRows(): Locator {
    return this.page.getByTestId('late-row');
  }

  async showSpaceDetails(): Promise<void> {
    await this.page.getByTestId('space-details-toggle').click();
    await this.page.getByTestId('space-table').waitFor();
  }

  async exportAs(format: 'json' | 'md' | 'csv'): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId(`export-${format}`).click()]);
    return download;
  }
}
