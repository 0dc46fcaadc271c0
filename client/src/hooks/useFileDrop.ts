// Files dragged onto an element: whether some are over it now (to show a drop zone), and
// the files dropped. Only drags that carry files count (not text or a link being moved).

import { useEffect, useRef, useState, type DragEvent } from 'react';

function carriesFiles(e: { dataTransfer: DataTransfer | null }): boolean {
  return e.dataTransfer?.types.includes('Files') ?? false;
}

export interface FileDrop {
  dragging: boolean;
  handlers: {
    onDragEnter(e: DragEvent<HTMLElement>): void;
    onDragOver(e: DragEvent<HTMLElement>): void;
    onDragLeave(e: DragEvent<HTMLElement>): void;
    onDrop(e: DragEvent<HTMLElement>): void;
  };
}

/** `enabled` false: drops are refused (the user may not send here). */
export function useFileDrop(onFiles: (files: File[]) => void, enabled = true): FileDrop {
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when the drag left.
  const depth = useRef(0);

  // A file dropped beside the drop zone must not make the browser leave the chat to show it.
  useEffect(() => {
    const keep = (e: globalThis.DragEvent) => {
      if (carriesFiles(e)) e.preventDefault();
    };
    window.addEventListener('dragover', keep);
    window.addEventListener('drop', keep);
    return () => {
      window.removeEventListener('dragover', keep);
      window.removeEventListener('drop', keep);
    };
  }, []);

  useEffect(() => {
    if (!enabled) {
      depth.current = 0;
      setDragging(false);
    }
  }, [enabled]);

  return {
    dragging: dragging && enabled,
    handlers: {
      onDragEnter(e) {
        if (!enabled || !carriesFiles(e)) return;
        e.preventDefault();
        depth.current += 1;
        setDragging(true);
      },
      onDragOver(e) {
        if (!enabled || !carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      },
      onDragLeave(e) {
        if (!enabled || !carriesFiles(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      },
      onDrop(e) {
        if (!enabled || !carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        const files = [...e.dataTransfer.files];
        if (files.length) onFiles(files);
      },
    },
  };
}
