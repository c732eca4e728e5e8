#!/usr/bin/env bash
# Installs npm dependencies in a folder (default: the repository root) when they are missing or out of date.
# `npm install` rather than `npm ci`: the npm 11 on these machines writes lock files without other platforms'
# optional packages and then refuses them in `npm ci` ("Missing: @rollup/rollup-... from lock file"); `npm install`
# keeps every version the lock file pins and adds only those entries.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${1:-$ROOT}"
stamp=node_modules/.mbs-installed
wanted="$(cat package.json package-lock.json | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "[setup] installing npm dependencies in $(basename "$PWD")"
  npm install --no-audit --no-fund --loglevel=error
  cat package.json package-lock.json | sha256sum | cut -c1-16 >"$stamp"
fi
