import type { Page } from 'playwright-core';
import { TestReportPanel } from './TestReportPanel';

export interface PostgresValues {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslmode?: 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
}

export interface ConnectionValues {
  name: string;
  apiUrl: string;
  auth?: { kind: 'none' } | { kind: 'basic'; authString: string } | { kind: 'apiKey'; apiKey: string };
  db?: { kind: 'none' } | ({ kind: 'postgres' } & PostgresValues) | { kind: 'sqlite'; path: string };
  readOnly?: boolean;
}

/** The Add / Edit connection form. */
export class ConnectionFormPage {
  constructor(readonly page: Page) {}

  private field(name: string) {
    return this.page.getByTestId(`field-${name}`);
  }

  async waitUntilShown(): Promise<this> {
    await this.page.getByTestId('connection-form').waitFor();
    return this;
  }

  async fill(v: ConnectionValues): Promise<void> {
    await this.field('name').fill(v.name);
    await this.field('apiUrl').fill(v.apiUrl);

    const auth = v.auth ?? { kind: 'none' };
    await this.field(`authKind-${auth.kind}`).click();
    if (auth.kind === 'basic') await this.field('authString').fill(auth.authString);
    if (auth.kind === 'apiKey') await this.field('apiKey').fill(auth.apiKey);

    const db = v.db ?? { kind: 'none' };
    await this.field(`dbKind-${db.kind}`).click();
    if (db.kind === 'postgres') {
      await this.field('pgHost').fill(db.host);
      await this.field('pgPort').fill(String(db.port));
      await this.field('pgDatabase').fill(db.database);
      await this.field('pgUser').fill(db.user);
      if (db.password !== undefined) await this.field('pgPassword').fill(db.password);
      if (db.sslmode) await this.field('pgSslmode').selectOption(db.sslmode);
    }
    if (db.kind === 'sqlite') await this.field('sqlitePath').fill(db.path);

    const readOnly = this.page.getByRole('switch', { name: /read-only/i });
    if ((await readOnly.isChecked()) !== (v.readOnly ?? false)) await this.field('readOnly').click();
  }

  /** Fills the Postgres fields from a pasted URL, as a user would. */
  async pastePostgresUrl(url: string): Promise<string> {
    await this.field('dbKind-postgres').click();
    await this.field('pgUrl').fill(url);
    await this.page.getByTestId('fill-from-url').click();
    return (await this.page.getByTestId('pg-url-result').innerText()).trim();
  }

  /** Presses Test and waits for every check to report. */
  async test(): Promise<TestReportPanel> {
    await this.page.getByTestId('test-button').click();
    return new TestReportPanel(this.page).waitUntilDone();
  }

  /** Presses Save and waits for the list to show the saved connection. */
  async save(name: string): Promise<void> {
    await this.page.getByTestId('save-button').click();
    await this.page.locator(`[data-testid="connection-row"][data-name="${name}"]`).waitFor();
  }

  /** The error shown after a refused save or test (message, hint and code). */
  async errorText(): Promise<string> {
    return (await this.page.getByTestId('error').first().innerText()).trim();
  }
}
