/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server forwards the API and the WebSocket to a local redis-chat (PORT 4000), so the
// client always talks to its own origin, as it does when the server serves client/dist. The
// Host header is passed on unchanged: the server accepts a WebSocket only when its Origin
// matches the Host.
const backend = process.env.REDIS_CHAT_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: backend },
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
