/**
 * The built renderer as files, for both ways the UI is served (Electron's app:// protocol and the
 * local web server): the content type of each file, and the one path check that keeps a request
 * inside the renderer folder (SECURITY: no path traversal).
 */
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function contentType(file: string): string {
  return MIME[path.extname(file)] ?? 'application/octet-stream';
}

/**
 * A URL path decoded, or null when it is malformed (bad percent-encoding) or decodes to a control
 * character (NUL makes fs calls throw; CR/LF have no business in a file name). Callers answer 400.
 */
export function decodeRequestPath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(decoded) ? null : decoded;
}

/** The file a URL path names inside `root` ("/" is index.html), or null when it would leave `root`. */
export function resolveInside(root: string, urlPath: string): string | null {
  const decoded = urlPath === '/' ? '/index.html' : decodeRequestPath(urlPath);
  if (decoded === null) return null;
  const rel = decoded.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  const inside = path.relative(root, file);
  return inside.startsWith('..') || path.isAbsolute(inside) ? null : file;
}
