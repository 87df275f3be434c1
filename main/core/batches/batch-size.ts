/**
 * Adaptive batch size: aim each delete transaction at a target duration (default 200 ms) so the
 * purge never holds locks on Prefect's tables for long, whatever the row width or server load.
 * Multiplicative, damped, clamped; halves on a lock timeout.
 */
export class BatchSizer {
  #size: number;

  constructor(
    private readonly targetMs = 200,
    private readonly min = 10,
    private readonly max = 5000,
    initial = 200,
  ) {
    this.#size = Math.max(min, Math.min(max, initial));
  }

  get size(): number {
    return this.#size;
  }

  observe(batchRows: number, elapsedMs: number): void {
    if (batchRows < this.#size || elapsedMs <= 0) return; // a short last batch says little
    const ratio = this.targetMs / Math.max(elapsedMs, 1);
    // Asymmetric on purpose: a slow batch holds Prefect's rows locked, so shrink at once (to the
    // size that would have met the target, at most halving); a fast one grows cautiously (x1.5 at
    // most), so one lucky batch does not swing the next into a long one.
    const factor = ratio < 1 ? Math.max(0.5, ratio) : Math.min(1.5, 1 + 0.5 * (ratio - 1));
    this.#size = Math.round(Math.max(this.min, Math.min(this.max, this.#size * factor)));
  }

  backOff(): void {
    this.#size = Math.max(this.min, Math.floor(this.#size / 2));
  }
}

export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
