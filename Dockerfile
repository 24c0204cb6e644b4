# Keel in a container: `docker compose up` (compose.yaml) or
#   docker build -t keel . && docker run -p 127.0.0.1:3000:3000 -e WEB_CHAT_TOKEN=… -v keel-data:/data keel
# The database, stored files, the e-mail outbox and backups all live in the /data volume.

# Dependencies, installed once from the lockfile; the native libSQL binary comes with them (glibc, as below).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The running image: no build tools, no dev dependencies, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/data/keel.db \
    FILES_DIR=/data/files \
    OUTBOX_DIR=/data/outbox \
    BACKUP_DIR=/data/backups
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "src/main.ts"]
