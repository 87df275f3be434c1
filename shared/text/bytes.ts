/**
 * Byte and count formatting, kept as an import path for the CLI, the report exports and older call
 * sites. The functions live in ./format (the one formatting standard); this file only re-exports them.
 */
export { formatBytes, formatCompact, formatCount, formatInt, formatShare } from './format';
