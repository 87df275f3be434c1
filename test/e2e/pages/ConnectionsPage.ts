import type { Locator, Page } from 'playwright-core';
import { ConnectionFormPage } from './ConnectionFormPage';
import { TestReportPanel } from './TestReportPanel';

/** The Connections screen: the first-run offer, or the list of saved connections. */
export class ConnectionsPage {
  constructor(readonly page: Page) {}

  async waitForFirstRun(): Promise<void> {
    await this.page.getByTestId('first-run').waitFor();
  }

  async addByHand(): Promise<ConnectionFormPage> {
    await this.page.getByTestId('add-connection').click();
    return new ConnectionFormPage(this.page).waitUntilShown();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="connection-row"][data-name="${name}"]`);
  }

  async rowFacts(name: string): Promise<{ apiUrl: string; db: string }> {
    const row = this.row(name);
    return {
      apiUrl: (await row.getByTestId('connection-api-url').innerText()).trim(),
      db: (await row.getByTestId('connection-db').innerText()).trim(),
    };
  }

  /** Presses Test on a saved connection's row; the report opens below the row. */
  async testRow(name: string): Promise<TestReportPanel> {
    await this.row(name).getByTestId('test-connection').click();
    return new TestReportPanel(this.page).waitUntilDone();
  }

  async edit(name: string): Promise<ConnectionFormPage> {
    await this.row(name).getByTestId('edit-connection').click();
    return new ConnectionFormPage(this.page).waitUntilShown();
  }
}
