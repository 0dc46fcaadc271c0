// The room settings panel's "Reports" tab, for moderators and up: the open reports, live
// (`report.created` adds, `report.updated` takes away), each with what the moderator can do
// (delete the message, resolve, dismiss); and the closed ones, on demand.

import { useEffect, useRef, useState } from 'react';
import { REPORTS_PAGE_SIZE } from '../controller/ChatController';
import { openReports, userName } from '../state/chat';
import { fullTime } from '../state/format';
import { closedLine, closeErrorText, type ReportItem } from '../state/reports';
import { moderationErrorText } from '../state/roles';
import { InlineConfirm, useLive, useLoader, type TabProps } from './panelParts';

type Queue = 'open' | 'closed';

export function ReportsTab({ state, room, controller }: TabProps) {
  const [queue, setQueue] = useState<Queue>('open');
  return (
    <div className="settings-tab reports-tab">
      <div className="queue-switch" role="group" aria-label="Which reports">
        {(['open', 'closed'] as const).map((q) => (
          <button
            key={q}
            type="button"
            className={queue === q ? 'chip active' : 'chip'}
            aria-pressed={queue === q}
            onClick={() => setQueue(q)}
          >
            {q === 'open' ? 'Open' : 'Closed'}
          </button>
        ))}
      </div>
      {queue === 'open' ? (
        <OpenReports key="open" state={state} room={room} controller={controller} />
      ) : (
        <ClosedReports key="closed" state={state} room={room} controller={controller} />
      )}
    </div>
  );
}

function when(date: number) {
  return <time dateTime={new Date(date * 1000).toISOString()}>{fullTime(date)}</time>;
}

/** Who reported whose message, when; what it said; why. */
function ReportBody({ report, nameOf }: { report: ReportItem; nameOf(id: string): string }) {
  return (
    <>
      <p className="report-head">
        <strong>{nameOf(report.reporterId)}</strong> reported a message by <strong>{nameOf(report.authorId)}</strong> · {when(report.date)}
      </p>
      <blockquote className="report-excerpt">{report.excerpt}</blockquote>
      <p className="report-reason">Reason: {report.reason}</p>
    </>
  );
}

function OpenReports({ state, room, controller }: TabProps) {
  const list = openReports(state, room.id);
  const [more, setMore] = useState(false);
  const { loading, error, run, live } = useLoader();

  // The newest page again: the list may have been filled by live events only.
  useEffect(() => {
    void run(async () => {
      const page = await controller.reports(room.id, 'open');
      if (live.current) setMore(page.length >= REPORTS_PAGE_SIZE);
    }, 'Could not load the reports.');
  }, [controller, room.id]);

  function older() {
    const last = list.items[list.items.length - 1];
    if (!last) return;
    void run(async () => {
      const page = await controller.reports(room.id, 'open', last.date);
      if (live.current) setMore(page.length >= REPORTS_PAGE_SIZE);
    }, 'Could not load older reports.');
  }

  const nameOf = (id: string) => userName(state, id);
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="report-list" aria-label="Open reports" aria-busy={loading}>
        {list.items.map((r) => (
          <OpenReport
            key={r.id}
            report={r}
            nameOf={nameOf}
            deleted={room.messages.find((m) => m.id === r.messageId)?.deleted ?? false}
            state={state}
            room={room}
            controller={controller}
          />
        ))}
      </ul>
      {loading && !list.loaded && (
        <p className="section-empty" role="status">
          Loading reports…
        </p>
      )}
      {list.loaded && list.items.length === 0 && <p className="section-empty">No open reports.</p>}
      {more && (
        <button type="button" className="btn btn-ghost load-more" onClick={older} disabled={loading}>
          {loading ? 'Loading…' : 'Load older reports'}
        </button>
      )}
    </>
  );
}

type Busy = null | 'delete' | 'resolved' | 'dismissed';

function OpenReport({ report, nameOf, deleted, room, controller }: TabProps & { report: ReportItem; nameOf(id: string): string; deleted: boolean }) {
  const [busy, setBusy] = useState<Busy>(null);
  const [asking, setAsking] = useState(false);
  const [removed, setRemoved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const live = useLive();
  const gone = deleted || removed;

  async function remove() {
    setBusy('delete');
    setError(null);
    try {
      await controller.moderatorDelete(room.id, report.messageId);
      if (live.current) setRemoved(true);
    } catch (e) {
      if (live.current) setError(moderationErrorText(e, 'Could not delete the message.'));
    } finally {
      if (live.current) {
        setBusy(null);
        setAsking(false);
      }
    }
  }

  async function close(verdict: 'resolved' | 'dismissed') {
    setBusy(verdict);
    setError(null);
    try {
      // On success the report leaves the open list, and this row with it.
      await controller.closeReport(room.id, report.id, verdict);
    } catch (e) {
      if (live.current) setError(closeErrorText(e));
    } finally {
      if (live.current) setBusy(null);
    }
  }

  return (
    <li className="report-row" aria-label={`Report by ${nameOf(report.reporterId)} of a message by ${nameOf(report.authorId)}`}>
      <ReportBody report={report} nameOf={nameOf} />
      {gone && <p className="report-note">The message was deleted.</p>}
      {asking ? (
        <InlineConfirm
          question="Delete this message for everyone?"
          yes={busy === 'delete' ? 'Deleting…' : 'Yes, delete'}
          busy={busy !== null}
          onYes={() => void remove()}
          onNo={() => {
            setAsking(false);
            setTimeout(() => deleteButton.current?.focus(), 0);
          }}
        />
      ) : (
        <div className="report-actions">
          {!gone && (
            <button type="button" ref={deleteButton} className="btn-link danger" disabled={busy !== null} onClick={() => setAsking(true)}>
              Delete message
            </button>
          )}
          <button type="button" className="btn-link" disabled={busy !== null} onClick={() => void close('resolved')}>
            {busy === 'resolved' ? 'Resolving…' : 'Resolve'}
          </button>
          <button type="button" className="btn-link" disabled={busy !== null} onClick={() => void close('dismissed')}>
            {busy === 'dismissed' ? 'Dismissing…' : 'Dismiss'}
          </button>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

const closedAt = (r: ReportItem) => r.handledAt ?? r.date;

function ClosedReports({ state, room, controller }: TabProps) {
  const [items, setItems] = useState<ReportItem[]>([]);
  const [more, setMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const { loading, error, run, live } = useLoader();

  function merge(incoming: readonly ReportItem[]) {
    setItems((old) => {
      const byId = new Map(old.map((r) => [r.id, r]));
      for (const r of incoming) byId.set(r.id, r);
      // The closed queue is ordered by when each was closed.
      return [...byId.values()].sort((a, b) => closedAt(b) - closedAt(a) || (a.id < b.id ? 1 : -1));
    });
  }

  useEffect(() => {
    const newest = (first: boolean) =>
      run(async () => {
        const page = await controller.reports(room.id, 'closed');
        if (!live.current) return;
        merge(page);
        if (first) setMore(page.length >= REPORTS_PAGE_SIZE);
        setLoaded(true);
      }, 'Could not load the closed reports.');
    void newest(true);
    // Reports closed meanwhile (here or by another moderator) come in.
    return controller.onReportEvent((e) => {
      if (e.type === 'report.updated' && e.data.roomId === room.id) void newest(false);
    });
  }, [controller, room.id]);

  function older() {
    const last = items[items.length - 1];
    if (!last) return;
    void run(async () => {
      const page = await controller.reports(room.id, 'closed', closedAt(last));
      if (!live.current) return;
      merge(page);
      setMore(page.length >= REPORTS_PAGE_SIZE);
    }, 'Could not load older reports.');
  }

  const nameOf = (id: string) => userName(state, id);
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="report-list" aria-label="Closed reports" aria-busy={loading}>
        {items.map((r) => (
          <li key={r.id} className="report-row">
            <ReportBody report={r} nameOf={nameOf} />
            <p className="report-note">
              {closedLine(r, nameOf)}
              {r.handledAt != null && <> on {when(r.handledAt)}</>}
            </p>
          </li>
        ))}
      </ul>
      {loading && !loaded && (
        <p className="section-empty" role="status">
          Loading reports…
        </p>
      )}
      {loaded && items.length === 0 && <p className="section-empty">No closed reports.</p>}
      {more && (
        <button type="button" className="btn btn-ghost load-more" onClick={older} disabled={loading}>
          {loading ? 'Loading…' : 'Load older reports'}
        </button>
      )}
    </>
  );
}
