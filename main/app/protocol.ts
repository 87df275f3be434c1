/**
 * The UI loads from app://housekeeper/, not file:// (which carries extra privileges and ambiguous
 * origins). Requests are confined to the built renderer folder and answered with the CSP header.
 * corsEnabled: Vite marks its script and style tags crossorigin, which needs CORS support on the scheme.
 */
import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { contentType, resolveInside } from '../transport/static-files';
import { APP_HOST, APP_SCHEME, CSP } from './security';

/** Must run before app 'ready'. */
export function registerSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const file = resolveInside(rendererDir, url.pathname);
    if (!file) return new Response('Forbidden', { status: 403 });
    try {
      const data = await fs.readFile(file);
      return new Response(data, {
        headers: {
          'content-type': contentType(file),
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
