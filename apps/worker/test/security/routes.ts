import type { Express } from 'express';

export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/** A layer of Express 5's router, as far as walking it needs. */
interface Layer {
  readonly name: string;
  readonly rawPath?: string | string[];
  readonly route?: { readonly path: string | string[]; readonly methods: Record<string, boolean> };
  readonly handle: { readonly stack?: readonly Layer[] };
}

export interface WalkedStack {
  readonly routes: RouteEntry[];
  /** Sub-apps (such as Bull Board), which hide their routes: their mount paths. */
  readonly mountedApps: string[];
  /** Middleware mounted on a path list (the admin token guard): its paths, and where it sits. */
  readonly guards: { readonly paths: string[]; readonly index: number }[];
}

function join(prefix: string, path: string | undefined): string {
  const base = prefix.replace(/\/$/, '');
  if (!path || path === '/') return base;
  return `${base}${path}`;
}

/**
 * Every route registered on an Express app, with the mount paths of the routers it sits in,
 * in registration order, so a test can hold each one to the rules without listing them by hand.
 */
export function walkRoutes(app: Express): WalkedStack {
  const walked: WalkedStack = { routes: [], mountedApps: [], guards: [] };
  const visit = (stack: readonly Layer[], prefix: string) => {
    for (const layer of stack) {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : undefined;
      if (layer.route) {
        const paths = [layer.route.path].flat();
        for (const method of Object.keys(layer.route.methods)) {
          for (const path of paths) {
            walked.routes.push({ method: method.toUpperCase(), path: join(prefix, path) || '/' });
          }
        }
      } else if (layer.handle.stack) {
        visit(layer.handle.stack, join(prefix, mount));
      } else if (layer.name === 'mounted_app') {
        walked.mountedApps.push(join(prefix, mount));
      } else if (Array.isArray(layer.rawPath)) {
        walked.guards.push({ paths: layer.rawPath, index: walked.routes.length });
      }
    }
  };
  visit((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return walked;
}

/** A concrete path for a route pattern: every `:param` filled with a harmless value. */
export function concretePath(pattern: string): string {
  return pattern
    .replace(/:(\w+)/g, (_match, name: string) => `sample-${name}`)
    .replace(/\*\w*/g, 'x');
}
