/**
 * The About panel: version and the Prefect lines Housekeeper supports (the compatibility table in
 * the README; the harness tests 3.0 through 3.9). Which field shows where differs (Electron's
 * AboutPanelOptionsOptions: `credits` on macOS and Windows only, `version` on macOS only), so the
 * Prefect line also goes into `copyright`, the one text field every platform shows.
 */
import { app } from 'electron';

export const SUPPORTED_PREFECT = 'Prefect 3.0 – 3.9';
export const ABOUT_CREDITS = `For self-hosted ${SUPPORTED_PREFECT} servers (PostgreSQL or SQLite) and Prefect Cloud`;

export function setAboutPanel(version: string): void {
  app.setAboutPanelOptions({
    applicationName: 'Housekeeper',
    applicationVersion: version,
    version: `Electron ${process.versions.electron ?? '?'}`,
    credits: ABOUT_CREDITS,
    copyright: `${ABOUT_CREDITS}.\nCopyright (c) Housekeeper contributors. Apache-2.0.`,
  });
}
