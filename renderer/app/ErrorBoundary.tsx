import { Component, type ReactNode } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';

/** Last line of defence: a rendering bug shows a message instead of a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="page">
          <ErrorNotice
            title="This screen failed to draw"
            error={{
              code: 'INTERNAL',
              message: this.state.error.message,
              hint: 'Reload the window. Nothing was changed on any server by this error.',
            }}
          />
        </div>
      );
    }
    return this.props.children;
  }
}
