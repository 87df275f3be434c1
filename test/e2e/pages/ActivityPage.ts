import type { Page } from 'playwright-core';

/** The Activity screen: the audit log with its filters, search and readable details. */
export class ActivityPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-activity').click();
    await this.page.getByTestId('audit-row').first().waitFor();
  }

  /** Picks a filter value ('' for all) and returns the count line ("3 of 9 entries shown"). */
  async filter(id: 'kind' | 'connection' | 'outcome' | 'time', value: string): Promise<string> {
    await this.page.getByTestId(`activity-table-filter-${id}`).selectOption(value);
    return (await this.page.getByTestId('activity-table-count').innerText()).trim();
  }

  async search(text: string): Promise<string> {
    await this.page.getByTestId('activity-table-search').fill(text);
    return (await this.page.getByTestId('activity-table-count').innerText()).trim();
  }

  /** Actions of the rows shown (on screen: the list is virtualised). */
  async actions(): Promise<string[]> {
    return this.page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action') ?? ''));
  }

  /** Opens the details of the first row of this action and returns their text. */
  async openDetails(action: string): Promise<string> {
    const row = this.page.locator(`[data-testid="audit-row"][data-action="${action}"]`).first();
    await row.getByTestId('audit-details-toggle').click();
    const details = this.page.getByTestId('audit-details').first();
    await details.waitFor();
    return details.innerText();
  }
}
