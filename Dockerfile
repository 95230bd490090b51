# One image for every tracksync process (ingress, worker, migrations); docker-compose.yml picks
# the command per service. Node 24: the LTS line in maintenance the longest (to April 2028);
# package.json's engines and .nvmrc name the same lines, and CI runs the suite on it.
FROM node:24-bookworm-slim AS manifests
WORKDIR /app
# Manifests first, so editing source reuses the cached `npm ci` layers. npm ci needs every
# workspace's manifest to match the lock file; dockerfile.test.ts checks none is missing.
COPY package.json package-lock.json ./
COPY apps/ingress/package.json apps/ingress/
COPY apps/worker/package.json apps/worker/
COPY packages/adapters/package.json packages/adapters/
COPY packages/db/package.json packages/db/
COPY packages/domain/package.json packages/domain/
COPY packages/queue/package.json packages/queue/
COPY packages/runtime/package.json packages/runtime/
COPY packages/starshipit/package.json packages/starshipit/
COPY packages/test-support/package.json packages/test-support/

FROM manifests AS build
RUN npm ci
COPY . .
RUN npm run build

FROM manifests AS runtime
ENV NODE_ENV=production
# The bundles ship with source maps; this makes stack traces in logs point at the TypeScript.
ENV NODE_OPTIONS=--enable-source-maps
# The ingress listens on 3000; a worker container sets 3001 (its admin port).
ENV HEALTHCHECK_PORT=3000
# Workspace packages are bundled into the apps, so only their manifests are needed here: the
# lock file lists them, and their third-party dependencies are what the bundles import.
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/apps/ingress/dist apps/ingress/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
# The migration runner finds drizzle/ by walking up from apps/worker/dist.
COPY drizzle drizzle
COPY ops/healthcheck.mjs ops/healthcheck.mjs
# The node image's unprivileged user; the app writes nothing to disk, so root-owned files suffice.
USER node
EXPOSE 3000 3001
# /healthz only: a dependency outage must not mark the process unhealthy (see the script).
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "ops/healthcheck.mjs"]
# Exec form: node is the process that receives SIGTERM and runs the graceful shutdown. The
# heap limits keep RSS down under bursts (see docker-compose.yml).
CMD ["node", "--max-semi-space-size=2", "--max-old-space-size=128", "apps/ingress/dist/main.js"]
