import type { Page } from 'playwright-core';

/** The Profiles screen: list, settings editor, history, export and drift tabs. */
export class ProfilesPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('nav-profiles').click();
    await this.page.getByTestId('new-profile-name').waitFor();
  }

  async create(name: string): Promise<void> {
    await this.page.getByTestId('new-profile-name').fill(name);
    await this.page.getByTestId('create-profile').click();
    await this.page.getByTestId('profile-name').filter({ hasText: name }).waitFor();
  }

  async tab(t: 'settings' | 'history' | 'export' | 'drift' | 'whatif'): Promise<void> {
    await this.page.getByTestId(`profile-tab-${t}`).click();
  }

  async group(id: string): Promise<void> {
    await this.page.getByTestId('settings-group').selectOption(id);
  }

  async set(env: string, value: string): Promise<void> {
    await this.page.getByTestId(`input-${env}`).fill(value);
  }

  issues(env: string) {
    return this.page.getByTestId(`issue-${env}`);
  }

  /** Saves the pending changes and waits for the new revision number in the header. */
  async save(message: string, rev: number): Promise<void> {
    await this.page.getByTestId('revision-message').fill(message);
    await this.page.getByTestId('save-profile').click();
    await this.page.getByText(`Revision ${rev} ·`).waitFor();
  }

  async revision(): Promise<number> {
    const meta = await this.page.locator('.profile__meta').innerText();
    return Number(/Revision (\d+)/.exec(meta)?.[1]);
  }
}
