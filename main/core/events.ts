/**
 * Typed in-process event bus for the contract's events. Transports (IPC, web) subscribe and forward
 * to their clients; the CLI subscribes to print progress on stderr.
 */
import type { EventName, EventPayload } from '../../shared/contract';

type Listener = (event: EventName, payload: unknown) => void;

export class EventBus {
  #listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const l of this.#listeners) {
      try {
        l(event, payload);
      } catch {
        // A broken subscriber (e.g. a closed HTTP stream) must not break the job that emits.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
