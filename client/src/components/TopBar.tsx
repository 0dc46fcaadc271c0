import type { ReactNode } from 'react';

/** The page's top bar; `children` are controls shown at its right end (signed in only). */
export function TopBar({ children }: { children?: ReactNode }) {
  return (
    <header className="topbar">
      <span className="brand">Redis chat demo</span>
      <a className="topbar-link" href="/docs" target="_blank" rel="noreferrer">
        API docs
      </a>
      <span className="topbar-actions">{children}</span>
    </header>
  );
}
