/**
 * Duplicate indexes, pure: an index is redundant when another btree on the same table has the same
 * leading key columns (same expressions, operator classes and ordering) and the same predicate, so
 * every lookup it serves the other serves too, while both cost space and write time. A unique index
 * is never called redundant to a non-unique one: it enforces something. pghero's rule, minus the
 * cases that would tell people to drop an index Prefect relies on for a constraint.
 */
export interface IndexShape {
  name: string;
  table: string;
  amname: string;
  unique: boolean;
  /** pg_index.indkey of the key columns (0 = an expression). */
  keys: string[];
  opclasses: string[];
  options: string[];
  /** pg_get_expr of the expressions, '' when none. */
  exprs: string;
  /** pg_get_expr of the predicate, '' when none. */
  pred: string;
}

/** Map: redundant index name -> the index that covers it. */
export function findDuplicateIndexes(indexes: readonly IndexShape[]): Map<string, string> {
  const out = new Map<string, string>();
  const byTable = new Map<string, IndexShape[]>();
  for (const i of indexes) byTable.set(i.table, [...(byTable.get(i.table) ?? []), i]);
  for (const list of byTable.values()) {
    for (const a of list) {
      if (a.amname !== 'btree') continue;
      for (const b of list) {
        if (a === b || b.amname !== 'btree' || a.pred !== b.pred) continue;
        if (a.keys.length > b.keys.length) continue;
        if (a.unique && !(b.unique && b.keys.length === a.keys.length)) continue;
        const prefix = a.keys.every((k, i) => k === b.keys[i] && a.opclasses[i] === b.opclasses[i] && a.options[i] === b.options[i]);
        if (!prefix) continue;
        // Expression keys compare by their text (both listed in key order, so a prefix shows as a prefix).
        if (a.keys.includes('0') && !b.exprs.startsWith(a.exprs)) continue;
        const identical = a.keys.length === b.keys.length;
        // Of two identical indexes, flag one (the later name), not both.
        if (identical && a.name < b.name) continue;
        if (!out.has(a.name)) out.set(a.name, b.name);
      }
    }
  }
  return out;
}
