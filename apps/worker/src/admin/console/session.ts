import { randomBytes } from 'node:crypto';
import { sha256, tokenMatcher } from '../auth';
import type { RedisClient } from '@tracksync/queue';

/** A console login lasts a working day; after that the operator signs in again. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface Session {
  /** Sent in every form and checked on every POST (CSRF). */
  readonly csrf: string;
  readonly createdAt: string;
}

export interface SessionStore {
  /** A new session; returns its id (the cookie's value) and the session. */
  create(): Promise<{ id: string; session: Session }>;
  read(id: string): Promise<Session | null>;
  destroy(id: string): Promise<void>;
}

export type SessionRedis = Pick<RedisClient, 'set' | 'get' | 'del'>;

/**
 * Sessions live in Redis under the queue prefix, so every worker replica behind a load
 * balancer knows them, and Redis expires them. The key holds a hash of the id, not the id:
 * someone reading Redis (a dump, MONITOR) cannot lift a live session from it.
 */
export function createSessionStore(redis: SessionRedis, queuePrefix: string): SessionStore {
  const keyOf = (id: string) => `${queuePrefix}:console:session:${sha256(id).toString('hex')}`;
  return {
    async create() {
      const id = randomToken();
      const session: Session = { csrf: randomToken(), createdAt: new Date().toISOString() };
      await redis.set(keyOf(id), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
      return { id, session };
    },
    async read(id) {
      // Ids are 43 base64url characters; anything else is not worth a round trip.
      if (!/^[\w-]{43}$/.test(id)) return null;
      const stored = await redis.get(keyOf(id));
      return stored ? (JSON.parse(stored) as Session) : null;
    },
    async destroy(id) {
      await redis.del(keyOf(id));
    },
  };
}

/** 256 random bits, URL- and cookie-safe. */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a form's CSRF token with the session's. */
export function csrfMatches(session: Session, presented: unknown): boolean {
  return typeof presented === 'string' && tokenMatcher(session.csrf)(presented);
}
