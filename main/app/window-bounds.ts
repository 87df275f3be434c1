/**
 * Where the window reopens: the size, position and screen it had when it last closed, checked
 * against the displays that exist NOW (a laptop undocked from its external monitor must not open a
 * window off-screen). Pure: the Electron side (window-state.ts) feeds it displays and saved JSON.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayInfo {
  id: number;
  workArea: Rect;
}

export interface SavedWindowState {
  bounds: Rect;
  maximized: boolean;
  fullScreen: boolean;
  displayId: number | null;
}

export interface WindowPlacement {
  /** x/y absent: let the OS centre the window on the primary display. */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
  fullScreen: boolean;
}

export const DEFAULT_SIZE = { width: 1320, height: 860 } as const;
export const MIN_SIZE = { width: 960, height: 600 } as const;
/** At least this much of the window's top strip (where the title bar is) must be on a display. */
const GRAB = { width: 120, height: 40 } as const;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The saved JSON, or null when it is missing, damaged or from another format. */
export function parseSavedState(raw: unknown): SavedWindowState | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const b = r.bounds as Record<string, unknown> | undefined;
  if (!b || !finite(b.x) || !finite(b.y) || !finite(b.width) || !finite(b.height)) return null;
  if (b.width <= 0 || b.height <= 0) return null;
  return {
    bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
    maximized: r.maximized === true,
    fullScreen: r.fullScreen === true,
    displayId: finite(r.displayId) ? r.displayId : null,
  };
}

function overlap(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const w = Math.min(a.x + a.width, b.x + b.width) - x;
  const h = Math.min(a.y + a.height, b.y + b.height) - y;
  return w > 0 && h > 0 ? { x, y, width: w, height: h } : null;
}

/** Whether the top strip of the window is on this display enough to grab and move it. */
function grabbable(bounds: Rect, display: DisplayInfo): boolean {
  const strip = { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(bounds.height, GRAB.height) };
  const o = overlap(strip, display.workArea);
  return !!o && o.width >= Math.min(GRAB.width, bounds.width) && o.height >= Math.min(GRAB.height, strip.height) / 2;
}

/** Moves and shrinks `bounds` so it lies inside `area` (never below the minimum size the area allows). */
function fitInside(bounds: Rect, area: Rect): Rect {
  const width = Math.max(Math.min(bounds.width, area.width), Math.min(MIN_SIZE.width, area.width));
  const height = Math.max(Math.min(bounds.height, area.height), Math.min(MIN_SIZE.height, area.height));
  const x = Math.min(Math.max(bounds.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(bounds.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

export function placeWindow(saved: SavedWindowState | null, displays: readonly DisplayInfo[]): WindowPlacement {
  const fresh: WindowPlacement = { bounds: { ...DEFAULT_SIZE }, maximized: false, fullScreen: false };
  if (!saved || displays.length === 0) return fresh;
  const size = { width: Math.max(saved.bounds.width, MIN_SIZE.width), height: Math.max(saved.bounds.height, MIN_SIZE.height) };
  const wanted = { ...saved.bounds, ...size };
  const keep = { maximized: saved.maximized, fullScreen: saved.fullScreen };

  // 1. The screen it was on is still there: reopen there, pulled inside if that screen changed size.
  const same = saved.displayId === null ? undefined : displays.find((d) => d.id === saved.displayId);
  if (same) return { bounds: grabbable(wanted, same) ? fitIfTooBig(wanted, same.workArea) : fitInside(wanted, same.workArea), ...keep };
  // 2. That screen is gone but the position is still reachable on another one (ids can change).
  const reachable = displays.find((d) => grabbable(wanted, d));
  if (reachable) return { bounds: fitIfTooBig(wanted, reachable.workArea), ...keep };
  // 3. Off every screen: the saved size, centred by the OS on the primary display.
  const primary = displays[0]!.workArea;
  return { bounds: { width: Math.min(size.width, primary.width), height: Math.min(size.height, primary.height) }, ...keep };
}

/** Keeps the position of a reachable window; only a window larger than the screen is pulled in. */
function fitIfTooBig(bounds: Rect, area: Rect): Rect {
  return bounds.width > area.width || bounds.height > area.height ? fitInside(bounds, area) : bounds;
}
