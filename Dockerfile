# The service as compiled JavaScript on Node 20: built in one stage, run from a second that holds only
# what is read at run time. test/deploy/ checks this file; test/deploy/built.test.ts runs the same
# build and starts its output the way CMD does.

# ---- build: all dependencies, compile src/ to dist/, then drop the development dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: our postinstall prepares an empty embedded database for a fast first `npm start`
# from a checkout (scripts/prepare-embedded-database.ts); scripts/ is not here yet, and the image does not use it.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY src/ src/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
# package.json: its name marks the project's root, where the files below are found (platform/project-root).
# tsx is still among the production dependencies (for `npm start` from a checkout); nothing in dist/ imports it.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
COPY migrations/ migrations/
COPY src/views/ src/views/
# Of openapi/, only the OCDS extension is read at run time (served at /ocds-extension/); /openapi.json is built from the routes.
COPY openapi/ocds-extension/ openapi/ocds-extension/
# The embedded database, the lock on it and uploaded files (BLOB_STORAGE=files) live in DATA_DIR. Made
# here and owned by `node`, so a new named volume mounted on it starts owned by `node` too.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# Ready means the database answers and every migration is applied; the first start migrates, hence start_period.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (npm would not pass it on). PID 1 ignores signals
# it has no handler for, and reaps no orphans: run with an init (`docker run --init`, compose `init: true`).
CMD ["node", "dist/server.mjs"]
