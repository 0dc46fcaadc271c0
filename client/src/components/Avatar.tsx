import { ChatBubbleIcon, HashIcon } from './icons';

const palette = ['#556ee6', '#34c38f', '#f1b44c', '#f46a6a', '#50a5f1', '#8e6ee6', '#e0679b', '#2fb1a4'];

function colorFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return palette[h % palette.length] ?? '#556ee6';
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0] ?? '?';
  const chars = [...first];
  if (parts.length > 1) return `${chars[0] ?? ''}${[...(parts[1] ?? '')][0] ?? ''}`.toUpperCase();
  return chars.slice(0, 2).join('').replace(/^(.)(.)$/, (_m, a: string, b: string) => a.toUpperCase() + b.toLowerCase());
}

interface AvatarProps {
  name: string;
  size?: number;
  /** Shows a presence dot: true online, false offline, undefined none. */
  online?: boolean;
}

export function Avatar({ name, size = 36, online }: AvatarProps) {
  return (
    <span className="avatar" style={{ width: size, height: size, background: colorFor(name), fontSize: size * 0.38 }} aria-hidden="true">
      {initials(name)}
      {online !== undefined && <span className={online ? 'presence presence-on' : 'presence presence-off'} />}
    </span>
  );
}

export function RoomAvatar({ kind, name, online }: { kind: 'general' | 'direct' | 'named'; name: string; online?: boolean }) {
  if (kind === 'general')
    return (
      <span className="avatar avatar-icon" aria-hidden="true">
        <ChatBubbleIcon />
      </span>
    );
  if (kind === 'named')
    return (
      <span className="avatar avatar-icon avatar-hash" aria-hidden="true">
        <HashIcon />
      </span>
    );
  return <Avatar name={name} online={online ?? false} />;
}
