import type { Page } from 'playwright-core';

/** The Purge screen: filter, preview, confirm by typing the count, watch, result. */
export class PurgePage {
  constructor(readonly page: Page) {}

  async selectDeployments(names: string[]): Promise<void> {
    const select = this.page.getByTestId('purge-deployments');
    await select.waitFor();
    // Options load with the deployment list; wait for ours.
    for (const n of names) await select.locator('option', { hasText: n }).first().waitFor({ state: 'attached' });
    const values = await select.locator('option').evaluateAll(
      (opts, wanted) => opts.map((o) => (o as unknown as { value: string }).value).filter((v) => (wanted as string[]).includes(v)),
      names,
    );
    await select.selectOption(values);
  }

  async setOlderThan(v: string): Promise<void> {
    await this.page.getByTestId('purge-older-than').fill(v);
  }

  async preview(): Promise<number> {
    await this.page.getByTestId('purge-preview').click();
    const count = this.page.getByTestId('purge-plan-count');
    await count.waitFor();
    return Number((await count.innerText()).replace(/[^0-9]/g, ''));
  }

  async confirmAndDelete(count: number): Promise<void> {
    await this.page.getByTestId('purge-confirm-input').fill(String(count));
    await this.page.getByTestId('purge-execute').click();
  }

  async deleteButtonEnabled(): Promise<boolean> {
    return this.page.getByTestId('purge-execute').isEnabled();
  }

  async waitForResult(): Promise<number> {
    const deleted = this.page.getByTestId('purge-deleted');
    await deleted.waitFor({ timeout: 120_000 });
    return Number((await deleted.innerText()).replace(/[^0-9]/g, ''));
  }
}
