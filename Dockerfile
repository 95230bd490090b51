# One image for every tracksync process; docker-compose.yml picks the command per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/ingress/package.json apps/ingress/
COPY apps/worker/package.json apps/worker/
COPY packages/domain/package.json packages/domain/
COPY packages/db/package.json packages/db/
COPY packages/queue/package.json packages/queue/
COPY packages/runtime/package.json packages/runtime/
COPY packages/test-support/package.json packages/test-support/
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/apps/ingress/package.json apps/ingress/
COPY --from=build /app/apps/worker/package.json apps/worker/
COPY --from=build /app/packages packages
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/apps/ingress/dist apps/ingress/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
COPY --from=build /app/drizzle drizzle
USER node
CMD ["node", "apps/ingress/dist/main.js"]
