#!/usr/bin/env bash
# The whole test run, from a fresh clone: dependencies, the real server and reference tools, build, type check,
# lint, API docs, then unit, integration and interop tests. `npm test` runs this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

step "dependencies"; bash scripts/ensure-deps.sh
# `npm ci` must work from the committed lock files (every platform's optional packages listed); checked, not run.
step "lock files (npm ci --dry-run)"
for dir in . examples/express-integration; do
  (cd "$dir" && npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
done
step "FerretDB, the MongoDB Database Tools and versitygw"; bash scripts/install-tools.sh
step "build"; npx tsup --silent
step "example dependencies"; bash scripts/ensure-deps.sh examples/express-integration
step "type check"; npm run --silent typecheck && (cd examples/express-integration && npm run --silent typecheck)
step "lint"; npm run --silent lint
step "API docs"; npx typedoc --logLevel Warn
step "tests"; npx vitest run "$@"
step "done"
