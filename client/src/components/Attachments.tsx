// A message's files: images as thumbnails (sized before they load, so the list does not
// jump) that open full size in a lightbox; anything else as a chip that downloads it.

import { useRef, useState, type MouseEvent } from 'react';
import { createPortal } from 'react-dom';
import type { Attachment } from '../api/types';
import { useModal } from '../hooks/useModal';
import { fileUrl, fitWithin, formatSize, isImage, thumbnailUrl } from '../state/uploads';
import { CloseIcon, DownloadIcon, FileIcon } from './icons';

export function Attachments({ attachments }: { attachments: readonly Attachment[] }) {
  const [shown, setShown] = useState<Attachment | null>(null);
  const images = attachments.filter(isImage);
  const files = attachments.filter((a) => !isImage(a));
  if (attachments.length === 0) return null;
  return (
    <div className="attachments">
      {images.length > 0 && (
        <div className="attachment-images">
          {images.map((a) => (
            <Thumbnail key={a.id} image={a} onOpen={() => setShown(a)} />
          ))}
        </div>
      )}
      {files.length > 0 && (
        <ul className="attachment-files" aria-label="Files">
          {files.map((a) => (
            <li key={a.id}>
              <a className="file-chip" href={fileUrl(a)} download={a.name} title={`Download ${a.name}`}>
                <FileIcon />
                <span className="file-name">{a.name}</span>
                <span className="file-size">{formatSize(a.size)}</span>
                <DownloadIcon />
              </a>
            </li>
          ))}
        </ul>
      )}
      {shown && <Lightbox image={shown} onClose={() => setShown(null)} />}
    </div>
  );
}

/** The thumbnail links to the full image: a plain click opens the lightbox, a modified one the browser's way. */
function Thumbnail({ image, onOpen }: { image: Attachment; onOpen(): void }) {
  const { width, height } = fitWithin(image.width ?? 0, image.height ?? 0);
  function onClick(e: MouseEvent<HTMLAnchorElement>) {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onOpen();
  }
  return (
    <a className="attachment-image" href={fileUrl(image)} onClick={onClick} title="Show full size">
      <img src={thumbnailUrl(image)} alt={image.name} width={width} height={height} loading="lazy" decoding="async" />
    </a>
  );
}

/** The full image over the page; Escape, the close button or a click beside it closes it. */
function Lightbox({ image, onClose }: { image: Attachment; onClose(): void }) {
  const close = useRef<HTMLButtonElement>(null);
  const { dialog, onKeyDown } = useModal(onClose, close);
  return createPortal(
    <div className="backdrop lightbox-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="lightbox" role="dialog" aria-modal="true" aria-label={image.name} ref={dialog} onKeyDown={onKeyDown}>
        <div className="lightbox-head">
          <span className="lightbox-name" title={image.name}>
            {image.name}
          </span>
          <span className="lightbox-size">
            {image.width} × {image.height} · {formatSize(image.size)}
          </span>
          <a className="btn-link" href={fileUrl(image)} target="_blank" rel="noopener noreferrer">
            Open in new tab
          </a>
          <a className="btn-link" href={fileUrl(image)} download={image.name}>
            Download
          </a>
          <button type="button" className="icon-btn" ref={close} onClick={onClose} aria-label="Close">
            <CloseIcon />
          </button>
        </div>
        <img className="lightbox-image" src={fileUrl(image)} alt={image.name} width={image.width} height={image.height} />
      </div>
    </div>,
    document.body,
  );
}
