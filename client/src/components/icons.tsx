// Small inline icons; all are decorative (aria-hidden), the controls carry the labels.

interface IconProps {
  size?: number;
}

export function RedisLogo({ size = 32 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M4 19l12 6 12-6v3l-12 6-12-6z" fill="#a41e11" />
      <path d="M4 13l12 6 12-6v3l-12 6-12-6z" fill="#c6302b" />
      <path d="M4 10l12-6 12 6-12 6z" fill="#d82c20" />
      <path d="M13 9.5l3-1.5 3 1.5-3 1.5z" fill="#fff" />
    </svg>
  );
}

export function ChatBubbleIcon({ size = 22 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="bubble" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#556ee6" />
          <stop offset="1" stopColor="#e83e8c" />
        </linearGradient>
      </defs>
      <path
        d="M12 3C6.9 3 3 6.5 3 10.8c0 2.3 1.1 4.3 2.9 5.7L5 21l4.3-2.5c.9.2 1.8.3 2.7.3 5.1 0 9-3.5 9-7.9S17.1 3 12 3z"
        fill="none"
        stroke="url(#bubble)"
        strokeWidth="2"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function HashIcon({ size = 18 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M9 3L7 21M17 3l-2 18M4 8.5h17M3 15.5h17" stroke="currentColor" strokeWidth="2" strokeLinecap="round" fill="none" />
    </svg>
  );
}

export function SendIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M3 20.5l18-8.5L3 3.5l2.5 8.5zM5.5 12H13" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" />
    </svg>
  );
}

export function PowerIcon({ size = 14 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 3v8M7.1 6.3a7.5 7.5 0 1 0 9.8 0" stroke="currentColor" strokeWidth="2.2" fill="none" strokeLinecap="round" />
    </svg>
  );
}

export function ClockIcon({ size = 12 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeWidth="2.2" fill="none" />
      <path d="M12 7v5l3 2" stroke="currentColor" strokeWidth="2.2" fill="none" strokeLinecap="round" />
    </svg>
  );
}

export function PlusIcon({ size = 18 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 5v14M5 12h14" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
    </svg>
  );
}

export function BackIcon({ size = 18 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M15 5l-7 7 7 7" stroke="currentColor" strokeWidth="2.2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function ReplyIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M10 5L4 11l6 6M4.5 11H14a6 6 0 0 1 6 6v2" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function SmileIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9" stroke="currentColor" strokeWidth="2" fill="none" />
      <path d="M8.5 14.5c1.8 2 5.2 2 7 0" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" />
      <circle cx="9" cy="9.5" r="1.2" fill="currentColor" />
      <circle cx="15" cy="9.5" r="1.2" fill="currentColor" />
    </svg>
  );
}

export function EditIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" />
    </svg>
  );
}

export function TrashIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M4 7h16M9 7V4h6v3M6.5 7l1 13h9l1-13M10 11v5M14 11v5" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function BellIcon({ size = 18 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2.2 2.2 0 0 0 4 0" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

export function BellOffIcon({ size = 18 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2.2 2.2 0 0 0 4 0M4 4l16 16" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

export function PeopleIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6M16 4.3a3.5 3.5 0 0 1 0 6.4M18 14.4c2.1.8 3.5 2.9 3.5 5.6"
        stroke="currentColor"
        strokeWidth="2"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function LockIcon({ size = 14 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

export function FlagIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M5 21V4M5 4h11l-2 4 2 4H5" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}

export function CloseIcon({ size = 14 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />
    </svg>
  );
}

export function PaperclipIcon({ size = 18 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.1-8.1a3.4 3.4 0 0 1 4.8 4.8l-8.1 8.1a1.7 1.7 0 0 1-2.4-2.4l7.4-7.4"
        stroke="currentColor"
        strokeWidth="2"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function FileIcon({ size = 20 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" stroke="currentColor" strokeWidth="2" fill="none" strokeLinejoin="round" />
      <path d="M14 3v5h5M9 13h6M9 17h4" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

export function DownloadIcon({ size = 16 }: IconProps) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M12 4v11M7 10l5 5 5-5M5 20h14" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** The sign-in card's picture: a desk, a screen, a plant and chat bubbles. */
export function DeskIllustration() {
  return (
    <svg className="illustration" viewBox="0 0 180 100" aria-hidden="true" focusable="false">
      <rect x="20" y="78" width="150" height="3" rx="1.5" fill="#fff" />
      <rect x="30" y="81" width="3" height="17" fill="#c3cbe4" />
      <rect x="150" y="81" width="3" height="17" fill="#c3cbe4" />
      <path d="M34 78c-2-10 0-20 4-24M38 78c3-8 8-14 12-15M36 78c-6-6-8-14-6-20" stroke="#4d7a5a" strokeWidth="3" fill="none" strokeLinecap="round" />
      <rect x="30" y="70" width="12" height="8" rx="2" fill="#9c5a3c" />
      <rect x="70" y="40" width="42" height="28" rx="3" fill="#7c8fd8" />
      <rect x="74" y="44" width="34" height="20" rx="1" fill="#dfe5fb" />
      <rect x="88" y="68" width="6" height="10" fill="#7c8fd8" />
      <circle cx="140" cy="38" r="9" fill="#f2c9a5" />
      <path d="M131 36c0-8 6-12 11-11 6 1 9 6 8 13-3-4-9-6-19-2z" fill="#7a3b2e" />
      <path d="M128 78c0-14 4-26 12-28 9 2 13 14 12 28z" fill="#f8e3c4" />
      <rect x="120" y="66" width="18" height="4" rx="2" fill="#f2c9a5" />
      <circle cx="84" cy="18" r="7" fill="#fff" />
      <path d="M84 14v4l3 2" stroke="#556ee6" strokeWidth="1.5" fill="none" />
      <path d="M150 10h18a4 4 0 0 1 4 4v6a4 4 0 0 1-4 4h-12l-5 4v-4a4 4 0 0 1-5-4v-6a4 4 0 0 1 4-4z" fill="#fff" />
      <circle cx="155" cy="17" r="1.3" fill="#556ee6" />
      <circle cx="159.5" cy="17" r="1.3" fill="#556ee6" />
      <circle cx="164" cy="17" r="1.3" fill="#556ee6" />
    </svg>
  );
}
