import type { Locator, Page } from 'playwright-core';

/** The jobs tray in the sidebar of every screen, as a person uses it. */
export class JobsTrayPanel {
  constructor(readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('jobs-tray');
  }

  /** The tray entry of a job of `kind` (the newest one when several). */
  job(kind: string): Locator {
    return this.root().locator(`[data-testid="tray-job"][data-kind="${kind}"]`).first();
  }

  async status(kind: string): Promise<string> {
    return (await this.job(kind).getAttribute('data-status')) ?? '';
  }

  async waitForStatus(kind: string, status: string, timeoutMs = 120_000): Promise<void> {
    await this.root().locator(`[data-testid="tray-job"][data-kind="${kind}"][data-status="${status}"]`).first().waitFor({ timeout: timeoutMs });
  }

  /** "216 of 2,017 (10%)". */
  async numbers(kind: string): Promise<string> {
    return (await this.job(kind).getByTestId('tray-job-numbers').innerText()).trim();
  }

  async pause(kind: string): Promise<void> {
    await this.job(kind).getByTestId('tray-pause').click();
  }

  async resume(kind: string): Promise<void> {
    await this.job(kind).getByTestId('tray-resume').click();
  }

  async open(kind: string): Promise<void> {
    await this.job(kind).getByTestId('tray-job-link').click();
  }
}
