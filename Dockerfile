# vault-kms-doctor: a small non-root image whose entrypoint is the CLI.
#   docker build -t vault-kms-doctor .
#   docker run --rm -v /etc/vault.d:/vault/config:ro vault-kms-doctor gate --config /vault/config --wait 5m
# Node 24, the Active LTS release (maintained to April 2028), on Debian slim; package.json "engines" asks for >=22
# and CI runs the suite on 22 and 24. The tag pins the exact Node release: bump it deliberately. Debian slim has
# /usr/bin/env for the CLI's "#!/usr/bin/env node" line and the unprivileged "node" user (uid 1000).

FROM node:24.21.0-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
# Install scripts stay off for every package but one: pkcs11js (the optional PKCS#11 binding behind the pkcs11 seal
# checks) is a native addon compiled by node-gyp, so the build stage gets a compiler and rebuilds just it. The runtime
# stage is the same image (same glibc, same Node ABI), so the compiled addon loads there. The HSM vendor's PKCS#11
# library is not in the image: mount it and point the seal's `lib` at it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild pkcs11js
COPY src ./src
COPY checks ./checks
COPY scripts ./scripts
# The image runs what npm publishes: tsc's output bundled by esbuild into dist/bundle (scripts/bundle.mjs); the
# dependencies left are those the bundle leaves out (Google SDK, gRPC, the HCL parser, the optional pkcs11 binding).
RUN npx tsc -p tsconfig.json \
 && node scripts/bundle.mjs \
 && npm prune --omit=dev --ignore-scripts

FROM node:24.21.0-trixie-slim AS runtime
ENV NODE_ENV=production
WORKDIR /opt/vault-kms-doctor
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/bundle ./dist/bundle
COPY schema ./schema
# The package's bin (package.json "bin"), on PATH under its own name.
RUN chmod 0755 dist/bundle/cli.js \
 && ln -s /opt/vault-kms-doctor/dist/bundle/cli.js /usr/local/bin/vault-kms-doctor
# The image's unprivileged "node" user (uid 1000); Kubernetes can enforce runAsNonRoot with this numeric id.
USER 1000:1000
ENTRYPOINT ["vault-kms-doctor"]
CMD ["--help"]
