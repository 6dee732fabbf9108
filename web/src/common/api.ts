// gambit's public REST API, as the web face uses it: JSON in and out, errors worded by
// the server, an expired access token traded once for a fresh one with the refresh token.

import { currentSession, forgetSession, keepSession, type Session } from './session';

const PREFIX = '/api/v1';

/** An error answer of the API: `message` is the server's own wording. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string,
  ) {
    super(details ? `${message}: ${details}` : message);
  }
}

/** What to tell the reader when a request failed. */
export function failureText(exc: unknown): string {
  return exc instanceof ApiError ? exc.message : 'the server could not be reached';
}

interface AuthAnswer {
  token: string;
  refreshToken: string;
  userId: string;
  username: string;
}

/** A request to gambit's API (``path`` under ``/api/v1``). */
export function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return requestAt<T>(PREFIX + path, method, body);
}

/** A request to the lichess face (``path`` from ``/api``, as lichess has it). */
export function lichessRequest<T>(method: string, path: string, body?: unknown): Promise<T> {
  return requestAt<T>(path, method, body);
}

async function requestAt<T>(url: string, method: string, body?: unknown): Promise<T> {
  const answer = await send(method, url, body, currentSession());
  if (answer.status === 401 && currentSession()) {
    const renewed = await renew();
    if (renewed) return read<T>(await send(method, url, body, renewed));
  }
  return read<T>(answer);
}

export async function signUp(username: string, password: string): Promise<Session> {
  return start(await request<AuthAnswer>('POST', '/auth/register', { username, password }));
}

export async function signIn(identifier: string, password: string): Promise<Session> {
  return start(await request<AuthAnswer>('POST', '/auth/login', { identifier, password }));
}

export async function signOut(): Promise<void> {
  const session = currentSession();
  forgetSession();
  if (session) {
    await send('POST', `${PREFIX}/auth/logout`, { refreshToken: session.refreshToken }, session);
  }
}

function start(answer: AuthAnswer): Session {
  const session = {
    token: answer.token,
    refreshToken: answer.refreshToken,
    userId: answer.userId,
    username: answer.username,
  };
  keepSession(session);
  return session;
}

async function renew(): Promise<Session | null> {
  const session = currentSession();
  if (!session) return null;
  const answer = await send('POST', `${PREFIX}/auth/refresh`, { refreshToken: session.refreshToken }, null);
  if (!answer.ok) {
    forgetSession();
    return null;
  }
  return start((await answer.json()) as AuthAnswer);
}

function send(method: string, url: string, body: unknown, session: Session | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session) headers['Authorization'] = `Bearer ${session.token}`;
  return fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function read<T>(answer: Response): Promise<T> {
  if (answer.status === 204) return undefined as T;
  const data = await answer.json().catch(() => null);
  if (!answer.ok) {
    // gambit's envelope, or the lichess face's {error}.
    const error = (data ?? {}) as { code?: string; message?: string; details?: string; error?: string };
    throw new ApiError(
      answer.status,
      error.code ?? 'HTTP_ERROR',
      error.message ?? error.error ?? answer.statusText,
      error.details ?? '',
    );
  }
  return data as T;
}
