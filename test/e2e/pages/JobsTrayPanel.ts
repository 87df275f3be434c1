import type { Locator, Page } from 'playwright-core';

/** Which tray entry: the newest job of a kind, or one job by its id. */
export type TrayJob = string | { jobId: string };

/** The jobs tray in the sidebar of every screen, as a person uses it. */
export class JobsTrayPanel {
  constructor(readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('jobs-tray');
  }

  private selector(which: TrayJob, status?: string): string {
    const base = typeof which === 'string' ? `[data-testid="tray-job"][data-kind="${which}"]` : `[data-testid="tray-job"][data-job-id="${which.jobId}"]`;
    return status ? `${base}[data-status="${status}"]` : base;
  }

  job(which: TrayJob): Locator {
    return this.root().locator(this.selector(which)).first();
  }

  async jobId(kind: string): Promise<string> {
    return (await this.job(kind).getAttribute('data-job-id')) ?? '';
  }

  async status(which: TrayJob): Promise<string> {
    return (await this.job(which).getAttribute('data-status')) ?? '';
  }

  async waitForStatus(which: TrayJob, status: string, timeoutMs = 120_000): Promise<void> {
    await this.root().locator(this.selector(which, status)).first().waitFor({ timeout: timeoutMs });
  }

  /** "216 of 2,017 (10%)". */
  async numbers(which: TrayJob): Promise<string> {
    return (await this.job(which).getByTestId('tray-job-numbers').innerText()).trim();
  }

  async pause(which: TrayJob): Promise<void> {
    await this.job(which).getByTestId('tray-pause').click();
  }

  async resume(which: TrayJob): Promise<void> {
    await this.job(which).getByTestId('tray-resume').click();
  }

  async open(which: TrayJob): Promise<void> {
    await this.job(which).getByTestId('tray-job-link').click();
  }
}
