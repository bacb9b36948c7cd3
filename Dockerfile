# syntax=docker/dockerfile:1
# neoengine-operator image: the operator (entrypoint), the reference network server
# (`neoengine-network`) and the kubectl plugin (`kubectl-neo`), on Node 20 LTS slim.
#
#   docker build -t neoengine-operator:dev .
#   kind load docker-image neoengine-operator:dev
#   helm install neoengine-operator helm/neoengine-operator \
#     --set image.repository=neoengine-operator --set image.tag=dev --set image.pullPolicy=Never
#
# Three stages: production dependencies (native better-sqlite3 included), the TypeScript build,
# and the runtime, which gets only dist/, the production node_modules and the CRDs.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- production dependencies ---------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Toolchain only as a fallback: better-sqlite3 downloads a prebuilt binary when one matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund
# Trim what never runs: source maps, type declarations, docs, and better-sqlite3's C sources and
# build intermediates (only the compiled addon is loaded). 139 MB -> 68 MB of node_modules.
RUN cp -r node_modules /tmp/prod-node_modules \
 && cd /tmp/prod-node_modules \
 && find . \( -name "*.map" -o -name "*.d.ts" -o -name "*.d.mts" -o -name "*.d.cts" -o -name "*.md" \) -type f -delete \
 && rm -rf better-sqlite3/deps better-sqlite3/src \
 && mv better-sqlite3/build/Release/better_sqlite3.node /tmp/better_sqlite3.node \
 && rm -rf better-sqlite3/build && mkdir -p better-sqlite3/build/Release \
 && mv /tmp/better_sqlite3.node better-sqlite3/build/Release/better_sqlite3.node

# --- build ---------------------------------------------------------------------------------
FROM deps AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime -------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="neoengine-operator" \
      org.opencontainers.image.description="Kubernetes operator for the NeoEngine compute network, and the reference network server" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /tmp/prod-node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json ./
COPY crds ./crds
# Small wrappers so the chart can run `neoengine-network serve ...` and `kubectl exec ... neoengine-network`;
# `exec` keeps node as PID 1 so it receives SIGTERM and shuts down gracefully.
# The operator's runtime settings are src/operator/runtime.ts (memory: see there).
RUN for bin in neoengine-operator:cli/operator.js neoengine-network:network/cli/main.js kubectl-neo:cli/kubectl-neo/main.js; do \
      name="${bin%%:*}"; path="${bin#*:}"; \
      printf '#!/bin/sh\nexec node /app/dist/src/%s "$@"\n' "$path" > "/usr/local/bin/$name"; \
      chmod 0755 "/usr/local/bin/$name"; \
    done \
 && printf '#!/bin/sh\nexport MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"\nexec node --max-semi-space-size=4 --heap-growing-percent=25 /app/dist/src/cli/operator.js "$@"\n' > /usr/local/bin/neoengine-operator \
 && mkdir -p /data && chown 65532:65532 /data
# A fixed non-root UID (distroless "nonroot"): the chart sets runAsNonRoot and a read-only root filesystem.
USER 65532:65532
EXPOSE 8080 8081 8787
ENTRYPOINT ["neoengine-operator"]
