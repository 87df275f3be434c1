import type { Page } from 'playwright-core';

/** The Purge screen: filter, preview, confirm by typing the count, watch, result. */
export class PurgePage {
  constructor(readonly page: Page) {}

  /** Checks deployments in the picker, finding each through its search box (the list is virtualised). */
  async selectDeployments(names: string[]): Promise<void> {
    const search = this.page.getByTestId('purge-deployments-search');
    await search.waitFor();
    for (const n of names) {
      await search.fill(n);
      const box = this.page.locator(`[data-testid="purge-deployment-row"][data-deployment="${n}"] input[type=checkbox]`);
      await box.check();
    }
    await search.fill('');
  }

  /** "2 deployments selected" from the picker's selection bar. */
  async selectedText(): Promise<string> {
    return (await this.page.getByTestId('purge-deployments-selected').innerText()).trim();
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
