import type { Page } from 'playwright-core';

/** The frame around every screen: sidebar navigation and the current-connection picker. */
export class AppShell {
  constructor(readonly page: Page) {}

  async goto(screen: 'connections' | 'activity' | 'purge'): Promise<void> {
    await this.page.getByTestId(`nav-${screen}`).click();
  }

  /** Name of the connection shown as current in the sidebar (waits until one is). */
  async currentConnection(): Promise<string> {
    return (await this.page.getByTestId('current-connection').innerText()).trim();
  }
}
