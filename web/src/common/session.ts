// The signed-in user's tokens, kept in this browser between visits.

export interface Session {
  token: string;
  refreshToken: string;
  userId: string;
  username: string;
}

const KEY = 'gambit.session';

export function currentSession(): Session | null {
  const stored = localStorage.getItem(KEY);
  return stored ? (JSON.parse(stored) as Session) : null;
}

export function keepSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  localStorage.removeItem(KEY);
}
