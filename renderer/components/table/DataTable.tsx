/**
 * Every long list of the app (deployments, schedules, runs, tables, audit entries) is this one
 * component: search, sort by any column with a value, drop-down filters, a header that stays put,
 * select all / none of what is shown, a selection bar that stays in view, and rows rendered only
 * while they are on screen, so 1,000 deployments scroll like 10 (issue #13, item 10).
 *
 * TanStack Table (headless: sorting, global and column filtering) and TanStack Virtual (windowing)
 * do the work; the markup is ours (`<table class="table">`, tables.css + data-table.css). Screens
 * import only this file and ./types, never the libraries.
 *
 * Layout: the table scrolls inside its own box, at most about a viewport high, so the header and the
 * action bar under it are on screen whatever the length of the list. Columns have fixed widths
 * (table-layout: fixed): rows that come and go while scrolling never make the columns jump.
 */
import {
  columnFilteringFeature,
  createFilteredRowModel,
  createSortedRowModel,
  globalFilteringFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type ColumnFiltersState,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { formatInt, plural } from '../../lib/format';
import type { Column, Filter, Selection, SortState, SortValue } from './types';
import '../../styles/data-table.css';

const features = tableFeatures({
  rowSortingFeature,
  columnFilteringFeature,
  globalFilteringFeature,
  sortedRowModel: createSortedRowModel(),
  filteredRowModel: createFilteredRowModel(),
});
type Features = typeof features;

const SEARCH_COLUMN = '__search';
const FILTER_PREFIX = '__filter_';

function compare(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

export interface DataTableProps<T extends object> {
  rows: readonly T[];
  rowId: (row: T) => string;
  columns: Array<Column<T>>;
  /** What a row is called: "deployment" -> "12 of 80 deployments shown". */
  noun: string;
  /** Its plural when not noun + "s" ("entries"). */
  nouns?: string;
  /** Text the search box matches (case-insensitive, every word must appear); no search box without it. */
  searchText?: (row: T) => string;
  searchPlaceholder?: string;
  filters?: Array<Filter<T>>;
  /** Starting filter choices by filter id. */
  initialFilters?: Record<string, string>;
  initialSort?: SortState;
  selection?: Selection;
  /** Buttons for the selection bar (what to do with the selected rows). */
  actions?: ReactNode;
  /** Extra content at the right of the toolbar. */
  toolbarExtra?: ReactNode;
  /** A second row under a row, shown when the row is opened (ctx.toggleOpen in a cell). */
  detail?: (row: T) => ReactNode;
  /** Estimated row height in px, or per row (rows are measured once drawn; a close guess keeps the scrollbar still). */
  rowHeight?: number | ((row: T) => number);
  /** 'page': the box takes most of the viewport; 'short': at most ~360 px (lists inside forms). */
  height?: 'page' | 'short';
  rowClassName?: (row: T, selected: boolean) => string | undefined;
  rowAttributes?: (row: T) => Record<string, string | undefined>;
  testId: string;
  rowTestId?: string;
  /** Shown when there are no rows at all (before any filter). */
  empty?: ReactNode;
  compact?: boolean;
  caption?: string;
  /** Extra class on the outer box (screen-specific CSS). */
  className?: string;
}

interface RowHandlers<T> {
  toggle: (id: string) => void;
  flip: (id: string) => void;
  measure: (el: HTMLTableSectionElement | null) => void;
  label: (id: string) => string;
  detail: (row: T) => ReactNode;
  rowClassName: (row: T, selected: boolean) => string | undefined;
  rowAttributes: (row: T) => Record<string, string | undefined>;
  rowTestId: string | undefined;
}

interface DataRowProps<T> {
  index: number;
  id: string;
  row: T;
  columns: Array<Column<T>>;
  selected: boolean;
  open: boolean;
  selectable: boolean;
  span: number;
  handlers: RowHandlers<T>;
}

/** One row (and its detail row when open), in its own <tbody> so the virtualiser measures both. */
function DataRowInner<T>({ index, id, row, columns, selected, open, selectable, span, handlers: h }: DataRowProps<T>) {
  const ctx = { open, toggleOpen: () => h.flip(id), selected };
  const extra = h.rowClassName(row, selected);
  return (
    <tbody ref={h.measure} data-index={index} className="dt__group">
      <tr className={`row${selected ? ' dt__row--selected' : ''}${extra ? ` ${extra}` : ''}`} data-testid={h.rowTestId} data-row-id={id} {...h.rowAttributes(row)}>
        {selectable && (
          <td className="dt__check">
            <input type="checkbox" aria-label={h.label(id)} checked={selected} onChange={() => h.toggle(id)} />
          </td>
        )}
        {columns.map((c) => (
          <td key={c.id} className={`${c.numeric ? 'num' : ''}${c.className ? ` ${c.className}` : ''}`}>
            {c.cell(row, ctx)}
          </td>
        ))}
      </tr>
      {open && (
        <tr className="row-detail">
          <td colSpan={span}>{h.detail(row)}</td>
        </tr>
      )}
    </tbody>
  );
}
const DataRow = memo(DataRowInner) as typeof DataRowInner;

/** The window's width, updated on resize (for columns that give way on narrow windows). */
function useWindowWidth(): number {
  const [w, setW] = useState(() => window.innerWidth);
  useEffect(() => {
    const on = () => setW(window.innerWidth);
    window.addEventListener('resize', on);
    return () => window.removeEventListener('resize', on);
  }, []);
  return w;
}

export function DataTable<T extends object>(props: DataTableProps<T>) {
  const { rows, rowId, noun, searchText, filters = [], selection, testId } = props;
  const nouns = props.nouns ?? `${noun}s`;
  const width = useWindowWidth();
  const columns = useMemo(() => props.columns.filter((c) => !c.hideBelow || width >= c.hideBelow), [props.columns, width]);
  const [query, setQuery] = useState('');
  const [sorting, setSorting] = useState<SortingState>(props.initialSort ? [props.initialSort] : []);
  const [choices, setChoices] = useState<Record<string, string>>(props.initialFilters ?? {});
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const scrollRef = useRef<HTMLDivElement>(null);

  // Lower-cased search text once per row, not once per keystroke and row.
  const haystack = useMemo(() => {
    const m = new Map<string, string>();
    if (searchText) for (const r of rows) m.set(rowId(r), searchText(r).toLowerCase());
    return m;
  }, [rows, rowId, searchText]);

  const tableColumns = useMemo<Array<ColumnDef<Features, T>>>(() => {
    const defs: Array<ColumnDef<Features, T>> = props.columns.map((c) => ({
      id: c.id,
      accessorFn: c.sortValue ? (r: T) => c.sortValue!(r) : () => null,
      enableSorting: !!c.sortValue,
      enableColumnFilter: false,
      enableGlobalFilter: false,
      sortDescFirst: c.descFirst ?? false,
      sortUndefined: 'last',
      sortFn: (a, b, id) => compare(a.getValue(id) as SortValue, b.getValue(id) as SortValue),
    }));
    defs.push({
      id: SEARCH_COLUMN,
      accessorFn: (r: T) => haystack.get(rowId(r)) ?? '',
      enableSorting: false,
      enableColumnFilter: false,
      enableGlobalFilter: true,
    });
    for (const f of filters) {
      defs.push({
        id: FILTER_PREFIX + f.id,
        accessorFn: () => null,
        enableSorting: false,
        enableGlobalFilter: false,
        filterFn: (row, _id, value: string) => {
          const opt = f.options.find((o) => o.value === value);
          return opt ? opt.test(row.original) : true;
        },
      });
    }
    return defs;
  }, [props.columns, filters, haystack, rowId]);

  const terms = useMemo(() => query.toLowerCase().split(/\s+/).filter(Boolean), [query]);
  const columnFilters = useMemo<ColumnFiltersState>(
    () => Object.entries(choices).filter(([id, v]) => v && filters.some((f) => f.id === id)).map(([id, value]) => ({ id: FILTER_PREFIX + id, value })),
    [choices, filters],
  );

  const table = useTable({
    features,
    columns: tableColumns,
    data: rows,
    getRowId: (r: T) => rowId(r),
    state: { sorting, globalFilter: terms.length ? terms : undefined, columnFilters },
    onSortingChange: setSorting,
    globalFilterFn: (row, columnId, value: string[]) => {
      const text = row.getValue(columnId) as string;
      return value.every((t) => text.includes(t));
    },
    getColumnCanGlobalFilter: (c) => c.id === SEARCH_COLUMN,
  });
  const shown = table.getRowModel().rows;

  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => {
      const h = props.rowHeight ?? 40;
      const r = shown[i];
      return typeof h === 'function' ? (r ? h(r.original) : 40) : h;
    },
    overscan: 4,
    getItemKey: (i) => shown[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const top = items.length ? items[0]!.start : 0;
  const bottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;

  // Marks the UI benchmark (test/bench/ui-lists.ts) reads: when this table first committed rows, and
  // the frame after, when they were on screen.
  const marked = useRef(false);
  useEffect(() => {
    if (!marked.current && shown.length > 0) {
      marked.current = true;
      performance.mark(`hk-table:${testId}`);
      requestAnimationFrame(() => setTimeout(() => performance.mark(`hk-table:${testId}:painted`), 0));
    }
  }, [shown.length, testId]);

  const shownIds = useMemo(() => shown.map((r) => r.id), [shown]);
  const sel = selection?.selected;
  const shownSelected = sel ? shownIds.filter((id) => sel.has(id)).length : 0;
  const hiddenSelected = sel ? sel.size - shownSelected : 0;
  const setShown = (on: boolean) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    for (const id of shownIds) {
      if (on) next.add(id);
      else next.delete(id);
    }
    selection.onChange(next);
  };
  const toggle = (id: string) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selection.onChange(next);
  };
  const flip = (id: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  // Rows are memoised (a scroll step re-renders only the rows that came into view), so what they
  // call back goes through one stable object reading the latest props.
  const latest = useRef({ toggle, flip, props });
  latest.current = { toggle, flip, props };
  const handlers = useMemo<RowHandlers<T>>(
    () => ({
      toggle: (id) => latest.current.toggle(id),
      flip: (id) => latest.current.flip(id),
      measure: (el) => virtualizer.measureElement(el),
      label: (id) => latest.current.props.selection?.label?.(id) ?? `Select ${id}`,
      detail: (row) => latest.current.props.detail?.(row) ?? null,
      rowClassName: (row, selected) => latest.current.props.rowClassName?.(row, selected),
      rowAttributes: (row) => latest.current.props.rowAttributes?.(row) ?? {},
      rowTestId: props.rowTestId,
    }),
    [virtualizer, props.rowTestId],
  );

  const filtered = terms.length > 0 || columnFilters.length > 0;
  const span = columns.length + (selection ? 1 : 0);
  const headerBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerBox.current) headerBox.current.indeterminate = shownSelected > 0 && shownSelected < shownIds.length;
  }, [shownSelected, shownIds.length]);

  return (
    <div className={`dt${props.compact ? ' dt--compact' : ''}${props.className ? ` ${props.className}` : ''}`} data-testid={testId}>
      {(searchText || filters.length > 0 || props.toolbarExtra) && (
        <div className="dt__toolbar" role="search">
          {searchText && (
            <input
              type="search"
              className="input dt__search"
              placeholder={props.searchPlaceholder ?? `Search ${nouns}`}
              aria-label={props.searchPlaceholder ?? `Search ${nouns}`}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              data-testid={`${testId}-search`}
            />
          )}
          {filters.map((f) => (
            <label key={f.id} className="dt__filter">
              <span className="dt__filter-label">{f.label}</span>
              <select className="input" value={choices[f.id] ?? ''} onChange={(e) => setChoices((c) => ({ ...c, [f.id]: e.target.value }))} data-testid={`${testId}-filter-${f.id}`}>
                <option value="">{f.allLabel ?? 'All'}</option>
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <span className="dt__count muted" data-testid={`${testId}-count`} aria-live="polite">
            {filtered ? `${formatInt(shown.length)} of ${plural(rows.length, noun, nouns)} shown` : plural(rows.length, noun, nouns)}
          </span>
          {filtered && (
            <button type="button" className="btn btn--small btn--quiet" onClick={() => { setQuery(''); setChoices({}); }}>
              Clear filters
            </button>
          )}
          {props.toolbarExtra}
        </div>
      )}
      <div ref={scrollRef} className={`dt__scroll dt__scroll--${props.height ?? 'page'}`} data-testid={`${testId}-scroll`}>
        <table className={`table dt__table${props.compact ? ' table--compact' : ''}`}>
          {props.caption && <caption className="sr-only">{props.caption}</caption>}
          <colgroup>
            {selection && <col className="dt__col-check" />}
            {columns.map((c) => (
              <col key={c.id} style={c.width ? { width: c.width } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr>
              {selection && (
                <th className="dt__check">
                  <input
                    ref={headerBox}
                    type="checkbox"
                    aria-label={`Select all ${plural(shownIds.length, noun, nouns)} shown`}
                    checked={shownIds.length > 0 && shownSelected === shownIds.length}
                    disabled={shownIds.length === 0}
                    onChange={(e) => setShown(e.target.checked)}
                    data-testid={`${testId}-select-shown`}
                  />
                </th>
              )}
              {columns.map((c) => {
                const col = table.getColumn(c.id);
                const dir = col?.getIsSorted() ?? false;
                return (
                  <th key={c.id} className={`${c.numeric ? 'num' : ''}${c.className ? ` ${c.className}` : ''}`} title={c.title} aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}>
                    {c.sortValue ? (
                      <button type="button" className="dt__sort" onClick={() => col?.toggleSorting(undefined, false)} data-testid={`${testId}-sort-${c.id}`}>
                        {c.header}
                        <span className={`dt__arrow${dir ? ' dt__arrow--on' : ''}`} aria-hidden="true">
                          {dir === 'desc' ? '▼' : dir === 'asc' ? '▲' : '↕'}
                        </span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          {top > 0 && (
            <tbody aria-hidden="true">
              <tr className="dt__spacer" style={{ height: top }} />
            </tbody>
          )}
          {items.map((vi) => {
            const r = shown[vi.index]!;
            return (
              <DataRow
                key={vi.key}
                index={vi.index}
                id={r.id}
                row={r.original}
                columns={columns}
                selected={!!sel?.has(r.id)}
                open={open.has(r.id)}
                selectable={!!selection}
                span={span}
                handlers={handlers}
              />
            );
          })}
          {bottom > 0 && (
            <tbody aria-hidden="true">
              <tr className="dt__spacer" style={{ height: bottom }} />
            </tbody>
          )}
          {shown.length === 0 && (
            <tbody>
              <tr>
                <td colSpan={span} className="dt__empty muted" data-testid={`${testId}-empty`}>
                  {rows.length === 0 ? (props.empty ?? `No ${nouns}.`) : `No ${nouns} match the search or filters.`}
                </td>
              </tr>
            </tbody>
          )}
        </table>
      </div>
      {selection && (
        <div className="dt__bar" data-testid={`${testId}-bar`}>
          <span className="dt__bar-count" data-testid={`${testId}-selected`}>
            {selection.selected.size === 0 ? `No ${nouns} selected` : `${plural(selection.selected.size, noun, nouns)} selected`}
            {hiddenSelected > 0 && <span className="muted"> ({formatInt(hiddenSelected)} not shown by the filter)</span>}
          </span>
          <button type="button" className="btn btn--small" onClick={() => setShown(true)} disabled={shownIds.length === 0 || shownSelected === shownIds.length} data-testid={`${testId}-select-all`}>
            {filtered ? `Select the ${formatInt(shownIds.length)} shown` : `Select all ${formatInt(shownIds.length)}`}
          </button>
          <button type="button" className="btn btn--small" onClick={() => selection.onChange(new Set())} disabled={selection.selected.size === 0} data-testid={`${testId}-select-none`}>
            Select none
          </button>
          {props.actions && <span className="dt__actions">{props.actions}</span>}
        </div>
      )}
    </div>
  );
}
