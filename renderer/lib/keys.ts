/**
 * Keyboard conventions shared by the inline plan panels (issue #13 item 13): Escape closes the panel
 * that is open (the same as its Back button), wherever the focus is. A handler that consumed the key
 * first (an open menu) calls preventDefault, and the panel leaves it alone.
 */
import { useEffect, useRef } from 'react';

export function useEscape(onEscape: () => void, enabled = true): void {
  const ref = useRef(onEscape);
  ref.current = onEscape;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing) return;
      e.preventDefault();
      ref.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}
