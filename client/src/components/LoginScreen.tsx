import { useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, isApiError } from '../api/client';
import type { Account } from '../api/types';
import { fieldErrors, type FieldErrors } from '../state/auth';
import { DeskIllustration, RedisLogo } from './icons';
import { TopBar } from './TopBar';

export const DEMO_USERS = ['Pablo', 'Joe', 'Mary', 'Alex'] as const;
export const DEMO_PASSWORD = 'password123';

type Mode = 'signin' | 'register';

interface Props {
  /** A problem to show at once (the session ended, the server is unreachable). */
  notice?: string;
  /** News to show at once (signed out everywhere, account deleted). */
  info?: string;
  onSignedIn(account: Account): void;
}

export function LoginScreen({ notice, info, onSignedIn }: Props) {
  const [mode, setMode] = useState<Mode>('signin');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>(notice ? { form: notice } : {});
  const [busy, setBusy] = useState(false);
  const [news, setNews] = useState(info);
  const userRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);
  const ids = { user: useId(), pass: useId(), userErr: useId(), passErr: useId(), title: useId() };

  async function signIn(name: string, pass: string, register: boolean) {
    setBusy(true);
    setErrors({});
    setNews(undefined);
    try {
      if (register) await api.register(name, pass);
      const res = await api.login(name, pass);
      onSignedIn({ id: res.id, username: res.username });
    } catch (e) {
      const errs = fieldErrors(isApiError(e) ? e : new ApiError(0, 'network', 'Something went wrong.'));
      setErrors(errs);
      setBusy(false);
      if (errs.username) userRef.current?.focus();
      else if (errs.password) passRef.current?.focus();
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const local: FieldErrors = {};
    if (!username.trim()) local.username = 'Enter a name.';
    if (!password) local.password = 'Enter a password.';
    if (local.username || local.password) {
      setErrors(local);
      (local.username ? userRef : passRef).current?.focus();
      return;
    }
    void signIn(username.trim(), password, mode === 'register');
  }

  function switchMode(next: Mode) {
    setMode(next);
    setErrors({});
    setNews(undefined);
  }

  const registering = mode === 'register';
  return (
    <div className="page page-light">
      <TopBar />
      <main className="login-wrap">
        <section className="login-card" aria-labelledby={ids.title}>
          <div className="login-hero">
            <div>
              <h1 id={ids.title}>{registering ? 'Create an account' : 'Welcome back!'}</h1>
              <p>{registering ? 'Pick a name and a password' : 'Sign in to continue'}</p>
            </div>
            <DeskIllustration />
          </div>
          <span className="login-logo">
            <RedisLogo size={34} />
          </span>
          <div className="login-tabs" role="group" aria-label="Sign in or create an account">
            <button type="button" aria-pressed={!registering} onClick={() => switchMode('signin')}>
              Sign in
            </button>
            <button type="button" aria-pressed={registering} onClick={() => switchMode('register')}>
              Create account
            </button>
          </div>
          <form className="login-form" onSubmit={submit} noValidate>
            <label htmlFor={ids.user}>Name</label>
            <input
              id={ids.user}
              ref={userRef}
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={errors.username ? true : undefined}
              aria-describedby={errors.username ? ids.userErr : undefined}
              maxLength={64}
            />
            {errors.username && (
              <p className="field-error" id={ids.userErr} role="alert">
                {errors.username}
              </p>
            )}
            <label htmlFor={ids.pass}>Password</label>
            <input
              id={ids.pass}
              ref={passRef}
              name="password"
              type="password"
              autoComplete={registering ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={errors.password ? ids.passErr : undefined}
            />
            {errors.password && (
              <p className="field-error" id={ids.passErr} role="alert">
                {errors.password}
              </p>
            )}
            {errors.form && (
              <p className="form-error" role="alert">
                {errors.form}
              </p>
            )}
            {news && !errors.form && (
              <p className="form-info" role="status">
                {news}
              </p>
            )}
            <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
              {busy ? 'Please wait…' : registering ? 'Create account' : 'Sign in'}
            </button>
          </form>
          <div className="demo-users">
            <p id="demo-users-label">Or try a demo user:</p>
            <div className="demo-list" role="group" aria-labelledby="demo-users-label">
              {DEMO_USERS.map((name) => (
                <button
                  key={name}
                  type="button"
                  className="chip"
                  disabled={busy}
                  aria-label={`Sign in as ${name}`}
                  onClick={() => {
                    setMode('signin');
                    setUsername(name);
                    setPassword(DEMO_PASSWORD);
                    void signIn(name, DEMO_PASSWORD, false);
                  }}
                >
                  {name}
                </button>
              ))}
            </div>
          </div>
        </section>
      </main>
    </div>
  );
}
