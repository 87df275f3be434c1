import type { Locator, Page } from 'playwright-core';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip' | 'pending';

export interface CheckRow {
  id: string;
  status: CheckStatus;
  text: string;
}

/** A connection test's checklist, in the form or under a row of the list. */
export class TestReportPanel {
  readonly root: Locator;

  constructor(
    readonly page: Page,
    scope?: Locator,
  ) {
    this.root = (scope ?? page.locator('body')).getByTestId('test-report');
  }

  /** Waits until the test has finished (all checks reported) or could not run; throws on the latter. */
  async waitUntilDone(timeoutMs = 90_000): Promise<this> {
    const settled = this.root.and(this.page.locator('[data-state="done"], [data-state="error"]'));
    await settled.waitFor({ state: 'visible', timeout: timeoutMs });
    if ((await this.root.getAttribute('data-state')) === 'error') {
      throw new Error(`The connection test could not run: ${await this.root.innerText()}`);
    }
    return this;
  }

  async serverVersion(): Promise<string> {
    return (await this.root.getByTestId('test-server-version').innerText()).trim();
  }

  async dbKind(): Promise<string> {
    return (await this.root.getByTestId('test-db-kind').innerText()).trim();
  }

  async verdict(): Promise<string> {
    return (await this.root.getByTestId('test-verdict').innerText()).trim();
  }

  async checkStatus(id: string): Promise<CheckStatus> {
    return (await this.root.getByTestId(`check-${id}`).getAttribute('data-status')) as CheckStatus;
  }

  async checks(): Promise<CheckRow[]> {
    const rows = this.root.locator('[data-testid^="check-"]');
    const out: CheckRow[] = [];
    for (const row of await rows.all()) {
      const testId = (await row.getAttribute('data-testid')) ?? '';
      out.push({
        id: testId.replace(/^check-/, ''),
        status: (await row.getAttribute('data-status')) as CheckStatus,
        text: (await row.innerText()).replace(/\s+/g, ' ').trim(),
      });
    }
    return out;
  }
}
