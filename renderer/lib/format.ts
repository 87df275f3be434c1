/**
 * The renderer's formatters: the one standard of shared/text/format.ts (counts with separators,
 * plurals, sizes, shares, rates, durations, times with their zone), re-exported so every screen
 * imports from one place. Screens never format numbers or times by hand (test/unit/format-usage.test.ts
 * greps for it).
 */
export {
  formatBytes,
  formatCompact,
  formatCount,
  formatDate,
  formatDateTime,
  formatDuration,
  formatEta,
  formatInt,
  formatIsoWall,
  formatList,
  formatNumber,
  formatOffset,
  formatPerHour,
  formatProgress,
  formatRate,
  formatRelative,
  formatShare,
  formatShortDateTime,
  formatSpan,
  localZoneLabel,
  plural,
  pluralWord,
  splitIsoWall,
} from '../../shared/text/format';
