import type { Download, Locator, Page } from 'playwright-core';

/** The Diagnose screen: ranked findings, the session form, the plan, the run and the before/after. */
export class DiagnosePage {
  constructor(readonly page: Page) {}

  /** Waits for a diagnosis on screen (the first one runs by itself) and returns its id. */
  async waitForDiagnosis(timeoutMs = 120_000): Promise<string> {
    const d = this.page.getByTestId('diagnosis');
    await d.waitFor({ timeout: timeoutMs });
    return (await d.getAttribute('data-diagnosis-id')) ?? '';
  }

  /** Finding ids in the order shown. */
  async findingIds(): Promise<string[]> {
    return this.page.getByTestId('finding').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(a: string): string | null }).getAttribute('data-finding') ?? ''));
  }

  finding(id: string): Locator {
    return this.page.locator(`[data-testid="finding"][data-finding="${id}"]`);
  }

  /** The plan as shown: its steps in order, the number beside each, and its whole text. */
  async reviewPlan(): Promise<{ steps: string[]; counts: Record<string, number>; text: string }> {
    await this.page.getByTestId('review-plan').click();
    const plan = this.page.getByTestId('session-plan');
    await plan.waitFor();
    const rows = await this.page.getByTestId('plan-step').evaluateAll((els) =>
      els.map((e) => {
        const el = e as unknown as { getAttribute(a: string): string | null; querySelector(q: string): { textContent: string | null } | null };
        return [el.getAttribute('data-step') ?? '', el.querySelector('.dg-step__count')?.textContent ?? ''] as const;
      }),
    );
    const counts = Object.fromEntries(rows.map(([k, t]) => [k, Number(t.replace(/[^\d]/g, ''))]));
    return { steps: rows.map(([k]) => k), counts, text: await plan.innerText() };
  }

  async confirmAndRun(count: number): Promise<void> {
    const run = this.page.getByTestId('session-run');
    await this.page.getByTestId('session-confirm').fill(String(count + 1));
    if (await run.isEnabled()) throw new Error('The session could be started with a wrong count');
    await this.page.getByTestId('session-confirm').fill(String(count));
    await run.click();
  }

  async waitForResult(timeoutMs = 240_000): Promise<{ status: string; text: string }> {
    const r = this.page.getByTestId('session-result');
    await r.waitFor({ timeout: timeoutMs });
    return { status: (await r.getAttribute('data-status')) ?? '', text: await r.innerText() };
  }

  async metric(key: string): Promise<string[]> {
    return this.page.locator(`[data-testid="before-after"] tr[data-metric="${key}"] td`).allInnerTexts();
  }

  async saveReport(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('session-report').click()]);
    return download;
  }

  /** The settings file the session saved, downloaded from the result. */
  async saveSettings(): Promise<Download> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('session-settings-file').click()]);
    return download;
  }
}
