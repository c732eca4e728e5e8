#!/usr/bin/env bash
# The README's first command: set everything up on a fresh machine, then run the demo (scripts/demo.mjs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/ensure-deps.sh
bash scripts/install-tools.sh
npx tsup --silent
node scripts/demo.mjs
