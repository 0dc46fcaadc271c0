// React's view of the controller's store.

import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ChatController } from '../controller/ChatController';
import type { ChatState } from '../state/chat';

export function useChatState(controller: ChatController): ChatState {
  return useSyncExternalStore(controller.store.subscribe, controller.store.getState);
}

/** The current time, refreshed every `everyMs` while `active`. */
export function useNow(everyMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, active]);
  return now;
}

/** Whether a media query matches, kept up to date. */
export function useMediaQuery(query: string): boolean {
  const get = () => typeof window !== 'undefined' && window.matchMedia(query).matches;
  const [matches, setMatches] = useState(get);
  useEffect(() => {
    const mq = window.matchMedia(query);
    const on = () => setMatches(mq.matches);
    on();
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, [query]);
  return matches;
}
