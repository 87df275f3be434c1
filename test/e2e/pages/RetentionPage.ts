import type { Page } from 'playwright-core';

/** The Retention screen as an admin uses it: form, plan, typed confirmation, execution, maintenance. */
export class RetentionPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-retention').click();
    await this.page.getByTestId('retention-form').waitFor();
  }

  /** Checks deployments in the picker, each found through its search box (the list is virtualised). */
  async selectDeployments(names: string[]): Promise<void> {
    const search = this.page.getByTestId('retention-deployments-search');
    await search.waitFor();
    for (const n of names) {
      await search.fill(n);
      await this.page.locator(`[data-testid="retention-deployment-row"][data-deployment="${n}"] input[type=checkbox]`).check();
    }
    await search.fill('');
  }

  async setOlderThan(v: string): Promise<void> {
    await this.page.getByTestId('retention-older-than').fill(v);
  }

  async setEventsOlderThan(v: string): Promise<void> {
    await this.page.getByTestId('retention-events-older-than').fill(v);
  }

  /** Plans and returns the headline run count. */
  async plan(): Promise<number> {
    await this.page.getByTestId('retention-plan-button').click();
    const count = this.page.getByTestId('retention-plan-count');
    await count.waitFor({ timeout: 120_000 });
    return Number((await count.innerText()).replace(/[^0-9]/g, ''));
  }

  /** Plans expecting a refusal; returns the error's message. */
  async planRefused(): Promise<string> {
    await this.page.getByTestId('retention-plan-button').click();
    const err = this.page.getByTestId('retention-plan-error').getByTestId('error-message');
    await err.waitFor({ timeout: 60_000 });
    return (await err.innerText()).trim();
  }

  /** Row count the impact table shows for one table and line ("flow_run_state", "states"). */
  async impact(table: string, nth = 0): Promise<string> {
    return (await this.page.locator(`[data-testid="retention-impact"] tr[data-table="${table}"]`).nth(nth).locator('td.num').innerText()).trim();
  }

  confirmInput() {
    return this.page.getByTestId('retention-confirm-input');
  }

  async executeEnabled(): Promise<boolean> {
    return this.page.getByTestId('retention-execute').isEnabled();
  }

  /** The plan id of the execution page the screen navigated to. */
  async planIdFromUrl(): Promise<string> {
    await this.page.waitForURL(/#\/retention\/run\/[0-9a-f-]+$/, { timeout: 30_000 });
    return /#\/retention\/run\/([0-9a-f-]+)$/.exec(this.page.url())![1]!;
  }

  async waitForResult(): Promise<{ runs: number; rows: number }> {
    const runs = this.page.getByTestId('retention-deleted-runs');
    await runs.waitFor({ timeout: 150_000 });
    const n = async (id: string) => Number((await this.page.getByTestId(id).innerText()).replace(/[^0-9]/g, ''));
    return { runs: await n('retention-deleted-runs'), rows: await n('retention-deleted-rows') };
  }
}
