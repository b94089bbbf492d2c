"use client";
// Catches render errors (and errors React Query throws to the boundary) so one failing widget
// does not blank the page; "Try again" resets the failed queries too.
import { QueryErrorResetBoundary } from "@tanstack/react-query";
import { Component, type ErrorInfo, type ReactNode } from "react";

import { ApiError } from "../lib/api/client";

type Props = { children: ReactNode; onReset?: () => void };
type State = { error: Error | null };

class Boundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("render error", error, info.componentStack);
  }

  reset = () => {
    this.props.onReset?.();
    this.setState({ error: null });
  };

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" style={{ border: "1px solid #e33", padding: 12 }}>
        <p>Something went wrong: {error.message}</p>
        {error instanceof ApiError && error.correlationId ? (
          <p>
            Reference: <code>{error.correlationId}</code>
          </p>
        ) : null}
        <button onClick={this.reset}>Try again</button>
      </div>
    );
  }
}

export function ErrorBoundary({ children }: { children: ReactNode }) {
  return (
    <QueryErrorResetBoundary>
      {({ reset }) => <Boundary onReset={reset}>{children}</Boundary>}
    </QueryErrorResetBoundary>
  );
}

export function ErrorMessage({ error }: { error: Error }) {
  return (
    <p role="alert" style={{ color: "#b00" }}>
      {error.message}
      {error instanceof ApiError && error.correlationId ? ` (ref ${error.correlationId})` : ""}
    </p>
  );
}
