/**
 * Builds the renderer once for both faces: the Electron window loads it from app:// and
 * `housekeeper serve` serves it from http://127.0.0.1:<port>/. `base: './'` keeps every asset URL
 * relative so the same files work under either origin.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts and styles: never inline assets as data: modules or <style>.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
