/**
 * What a screen declares for a list: its columns, its filters and what selecting does. Plain types,
 * so screens never import the table library (TanStack Table + Virtual stay inside DataTable).
 */
import type { ReactNode } from 'react';

export type SortValue = string | number | null | undefined;

export interface RowContext {
  /** The row's detail is shown (see `detail` on DataTable). */
  open: boolean;
  toggleOpen: () => void;
  selected: boolean;
}

export interface Column<T> {
  id: string;
  header: ReactNode;
  /** Tooltip of the header. */
  title?: string;
  cell: (row: T, ctx: RowContext) => ReactNode;
  /** The value sorted by; a column without one cannot be sorted. */
  sortValue?: (row: T) => SortValue;
  /** Sort descending on the first click (counts, sizes, times: the biggest or newest first). */
  descFirst?: boolean;
  /** Width in the column group ("22%", "96px"); the rest share what is left. */
  width?: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  className?: string;
  /** Leave the column out when the window is narrower than this many px (its facts must be elsewhere too). */
  hideBelow?: number;
}

export interface FilterOption<T> {
  value: string;
  label: string;
  test: (row: T) => boolean;
}

/** A drop-down above the table; "all" (no option chosen) keeps every row. */
export interface Filter<T> {
  id: string;
  label: string;
  /** Label of the "no filter" choice; "All" unless given. */
  allLabel?: string;
  options: Array<FilterOption<T>>;
}

export interface Selection {
  selected: ReadonlySet<string>;
  onChange: (next: ReadonlySet<string>) => void;
  /** aria-label of a row's checkbox. */
  label?: (id: string) => string;
}

export interface SortState {
  id: string;
  desc: boolean;
}
