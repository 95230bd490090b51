import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from 'pino';

/** How long an address's wrong tokens are remembered, and so how long it may be refused. */
const WRONG_TOKEN_WINDOW_MS = 60_000;

/** Addresses remembered at most; past it the expired go first, then the oldest half. */
const MAX_ADDRESSES = 10_000;

interface Tally {
  count: number;
  readonly resetAt: number;
}

export interface WrongTokenLimitOptions {
  readonly log: Logger;
  /** Wrong tokens one address may present within a window (ADMIN_WRONG_TOKENS_PER_MINUTE). */
  readonly allowed: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** Answers a refused request (JSON for the API, a page for the console); 429 is set. */
export type RefuseGuesser = (req: Request, res: Response, retryAfterS: number) => void;

/** One tally for the API, Bull Board and the console's sign-in: one allowance per address. */
export interface WrongTokenLimit {
  /** Refuses with 429, before any token is looked at, an address that guessed too often. */
  guard(refuse: RefuseGuesser): RequestHandler;
  /** Counts one wrong token presented from the request's address. */
  record(req: Request): void;
}

/**
 * Slows token guessing: an address that presented `allowed` wrong tokens within a window is
 * refused until the window ends, a right token included (else guessing would go on at full
 * speed, a refusal meaning "wrong"). Only wrong tokens count — not requests without any, as a
 * browser's first visit to Bull Board is, nor 404s — so Bull Board's bursts of parallel
 * requests or an ops script never lock anyone out. (express-rate-limit counts every request as
 * it starts, which would; its address keying is used here.)
 *
 * The tally is per process (each replica allows its own), and per address as Express sees it
 * (IPv6 per /56, as one host holds a whole prefix): behind a proxy not named in
 * ADMIN_TRUST_PROXY every client shares the proxy's address and its allowance.
 */
export function createWrongTokenLimit(options: WrongTokenLimitOptions): WrongTokenLimit {
  const { log, allowed } = options;
  const windowMs = options.windowMs ?? WRONG_TOKEN_WINDOW_MS;
  const now = options.now ?? Date.now;
  const tallies = new Map<string, Tally>();
  const addressOf = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

  return {
    guard: (refuse) => (req, res, next) => {
      const address = addressOf(req);
      const tally = tallies.get(address);
      const at = now();
      if (!tally || tally.resetAt <= at || tally.count < allowed) {
        next();
        return;
      }
      const retryAfterS = Math.ceil((tally.resetAt - at) / 1000);
      log.warn(
        { ip: address, path: req.baseUrl + req.path, retryAfterS },
        'admin: too many wrong tokens from this address, refused until its window ends',
      );
      res.status(429).set('Retry-After', String(retryAfterS));
      refuse(req, res, retryAfterS);
    },
    record(req) {
      const address = addressOf(req);
      const at = now();
      const tally = tallies.get(address);
      if (tally && tally.resetAt > at) {
        tally.count += 1;
        return;
      }
      tallies.delete(address);
      if (tallies.size >= MAX_ADDRESSES) forgetOldest(tallies, at);
      tallies.set(address, { count: 1, resetAt: at + windowMs });
    },
  };
}

/** Drops the expired tallies, and the oldest half too if that freed too little room. */
function forgetOldest(tallies: Map<string, Tally>, at: number): void {
  for (const [address, tally] of tallies) {
    if (tally.resetAt <= at) tallies.delete(address);
  }
  if (tallies.size < MAX_ADDRESSES) return;
  // A Map iterates in insertion order, so the first half is the oldest.
  let drop = Math.ceil(tallies.size / 2);
  for (const address of tallies.keys()) {
    if (drop-- === 0) break;
    tallies.delete(address);
  }
}
