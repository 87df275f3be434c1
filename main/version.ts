// Injected by the build (scripts/build-main.mjs); falls back to package.json when run from source.
declare const __HK_VERSION__: string | undefined;
export const APP_VERSION: string = typeof __HK_VERSION__ === 'string' ? __HK_VERSION__ : '0.0.0-dev';
