# syntax=docker/dockerfile:1
# ARES production image. CI replays these steps without Docker (.ci/docker-steps) so they stay honest.

FROM node:24-bookworm-slim AS base
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app

# Dependencies first, so a source change does not reinstall them.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
# The commit error reports name as the release (`docker build --build-arg ARES_COMMIT=$(git rev-parse HEAD)`).
ARG ARES_COMMIT=""
COPY . .
# patches/ (dependency fixes, as npm install's postinstall applies them), the app bundle and the compiled
# process entry (build/server.js): production runs plain JavaScript.
RUN npx patch-package --error-on-fail --error-on-warn \
 && npx tsx scripts/prisma-cli.ts generate \
 && node scripts/build.ts \
 && npm prune --omit=dev --no-audit --no-fund

FROM base AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 ARES_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
# Only what runs: no app/ sources, no tsconfig.json. The code belongs to root, so the runtime user
# cannot change what the next start runs; /data is the one place it writes.
COPY --from=build /app/package.json /app/prisma.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/prisma ./prisma
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health/live').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Pending migrations are applied on start (the Prisma CLI, with prisma.config.ts), guarded against concurrent starts.
# The same environment and node flags as `npm start` (runtime.test.ts holds them together; ADR 012).
# --max-semi-space-size=8 caps V8's young generation: by default it grows far larger under many open
# streams and RSS never gives it back (bench/runtime.ts: peak RSS with 200 streams ~314 MB without it,
# ~225 MB with it). --heap-growing-percent=30 lets the old generation grow 30% past the live heap between
# full collections instead of up to 4×; MALLOC_ARENA_MAX=2 and a fixed MALLOC_TRIM_THRESHOLD_ keep glibc
# from holding freed memory in per-thread arenas (bench/memory.ts: ADR 012).
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=30", "build/server.js"]
