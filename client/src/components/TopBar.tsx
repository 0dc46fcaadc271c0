export function TopBar() {
  return (
    <header className="topbar">
      <span className="brand">Redis chat demo</span>
      <a className="topbar-link" href="/docs" target="_blank" rel="noreferrer">
        API docs
      </a>
    </header>
  );
}
