import type { Page } from 'playwright-core';

/** The Schedules screen and its backlog reset wizard, as a person uses them. */
export class SchedulesPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-schedules').click();
    // schedules.list reads every deployment's runs through the API: seconds to minutes on a busy box.
    await this.page.getByTestId('schedules-table').waitFor({ timeout: 180_000 });
  }

  /** Deployment names in the table, in the order shown (rows on screen: the list is virtualised). */
  async deployments(): Promise<string[]> {
    return this.page.getByTestId('schedules-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-deployment') ?? ''));
  }

  /** Types into the list's search box and returns the count line ("1 of 40 deployments shown"). */
  async search(text: string): Promise<string> {
    await this.page.getByTestId('schedules-table-search').fill(text);
    return (await this.page.getByTestId('schedules-table-count').innerText()).trim();
  }

  async filter(id: 'state' | 'kind' | 'flag', value: string): Promise<string> {
    await this.page.getByTestId(`schedules-table-filter-${id}`).selectOption(value);
    return (await this.page.getByTestId('schedules-table-count').innerText()).trim();
  }

  async sortBy(column: 'deployment' | 'pastDue' | 'flags' | 'held'): Promise<void> {
    await this.page.getByTestId(`schedules-table-sort-${column}`).click();
  }

  /** Flags shown in a deployment's row. */
  async flags(deployment: string): Promise<string[]> {
    return this.page.locator(`[data-testid="schedules-row"][data-deployment="${deployment}"] [data-testid="schedule-flags"] .badge`).allInnerTexts();
  }

  async selectAllShown(): Promise<string> {
    await this.page.getByTestId('schedules-table-select-all').click();
    return (await this.page.getByTestId('schedules-table-selected').innerText()).trim();
  }

  async selectNone(): Promise<string> {
    await this.page.getByTestId('schedules-table-select-none').click();
    return (await this.page.getByTestId('schedules-table-selected').innerText()).trim();
  }

  async backlogAlert(): Promise<string> {
    return (await this.page.getByTestId('backlog-alert').innerText()).trim();
  }

  async openReset(): Promise<void> {
    await this.page.getByTestId('open-reset').click();
    await this.page.getByTestId('reset-choose').waitFor();
  }

  /** Names checked in the wizard's first step. */
  async preselected(): Promise<string[]> {
    return this.page
      .getByTestId('reset-choose')
      .locator('input[type=checkbox]:checked')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? '').filter((l) => l.startsWith('Reset ')).map((l) => l.replace(/^Reset /, '')));
  }

  async preview(): Promise<{ count: number; text: string }> {
    await this.page.getByTestId('reset-preview').click();
    const review = this.page.getByTestId('change-review');
    await review.waitFor();
    const text = await review.innerText();
    const count = Number((await review.locator('.sched-review__count').innerText()).replace(/\D/g, ''));
    return { count, text };
  }

  async backlogText(): Promise<string> {
    return (await this.page.getByTestId('reset-backlog').innerText()).trim();
  }

  /** Types the count, applies, and waits for the outcome (which includes the check of the new runs). */
  async confirmAndApply(count: number): Promise<{ status: string; text: string; verify: string[] }> {
    const button = this.page.getByTestId('change-apply');
    if (!(await button.isDisabled())) throw new Error('the apply button should be disabled until the count is typed');
    await this.page.getByTestId('change-confirm-input').fill(String(count));
    await button.click();
    const outcome = this.page.getByTestId('change-outcome');
    await outcome.waitFor({ timeout: 120_000 });
    const verify = await outcome.locator('[data-verify]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verify') ?? ''));
    return { status: (await outcome.getAttribute('data-status')) ?? '', text: await outcome.innerText(), verify };
  }

  async simulate(overrides: Record<string, string>): Promise<string> {
    await this.page.getByTestId('schedules-tab-simulate').click();
    for (const [k, v] of Object.entries(overrides)) await this.page.getByTestId(`sim-${k}`).fill(v);
    await this.page.getByTestId('simulate-run').click();
    const sim = this.page.getByTestId('simulation');
    await sim.waitFor();
    return sim.innerText();
  }
}
