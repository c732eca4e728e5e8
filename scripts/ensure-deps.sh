#!/usr/bin/env bash
# Installs npm dependencies in a folder (default: the repository root) when they are missing or out of date.
# `npm install --no-save`: installs every version the lock file pins and never rewrites a tracked file (package.json,
# package-lock.json), even when this npm would write the lock differently. Change dependencies with a plain
# `npm install <package>` and commit the lock it writes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${1:-$ROOT}"
stamp=node_modules/.mbs-installed
wanted="$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "[setup] installing npm dependencies in $(basename "$PWD")"
  npm install --no-save --no-audit --no-fund --loglevel=error
  cat package.json package-lock.json | sha256sum | cut -c1-16 >"$stamp"
fi
