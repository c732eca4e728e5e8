#!/usr/bin/env bash
# Downloads the third-party fixtures (test/fixtures/SOURCES.md: real dumps we may not redistribute) from their public
# repositories, at pinned commits, into the folder the tests read them from: the first argument, else
# $MONGO_BACKUP_FIXTURES, else ../shared/fixtures beside the clone. Every file's SHA-256 is checked; a file already
# there with the right checksum is kept. Needs curl and access to raw.githubusercontent.com.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEST="${1:-${MONGO_BACKUP_FIXTURES:-../shared/fixtures}}"
RAW=https://raw.githubusercontent.com

# path under DEST | source (owner/repo/commit/path) | SHA-256
FILES=(
  "real-archives/BenSauerlaender_gipfel-server-2.backup.archive|BenSauerlaender/gipfel-server-2/5de7c3f3ecbc423988d7bc76b1f2d039cb0cab1d/backup.archive|4850552aba7575fa7dd07880a0193fb914ab45066842c681412fecb95283d213"
  "real-archives/rnadigital_agentcloud.dump.gz|rnadigital/agentcloud/40d25f93900fc249e5f4d3467f220edb9372c6ff/dump.gz|59d51d2f3c27757fb350dc3e0c4724055cce0ad1dd171df12fd24d35a6d7e9b5"
  "real-archives/uRuiz_Kenjo_Code_Challenge.dump.gz|uRuiz/Kenjo_Code_Challenge/87479636cd032ae7be4d3fc4f6cdc3695f4d898b/dump.gz|7e4c8a886f0fed7bd8e5b01af099c4a7f356ddbf51e43c562939c50e7c310423"
  "real-dirs/youtube-sharing-gzip/resources.bson.gz|hungnmZ/youtube-sharing/66e1582e1de0d98b0ea5c1fad249476ff1d45d9a/testData/resources.bson.gz|d224cf8d73da4b0d31167627864547b179d4d208b90c449b12a05cb200acf7a5"
  "real-dirs/youtube-sharing-gzip/resources.metadata.json.gz|hungnmZ/youtube-sharing/66e1582e1de0d98b0ea5c1fad249476ff1d45d9a/testData/resources.metadata.json.gz|d5e41ef77e80de73f8a5b5edffd48534f9ee6517c6adb460f488eeab018bd8e1"
)

matches() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

for entry in "${FILES[@]}"; do
  IFS='|' read -r path source sha <<<"$entry"
  target="$DEST/$path"
  if matches "$target" "$sha"; then
    echo "[fixtures] $path: present"
    continue
  fi
  mkdir -p "$(dirname "$target")"
  partial="$(mktemp "$(dirname "$target")/.download.XXXXXX")"
  trap 'rm -f "$partial"' EXIT
  curl -fsSL --retry 3 -o "$partial" "$RAW/$source"
  if ! matches "$partial" "$sha"; then
    echo "[fixtures] $path: SHA-256 of $RAW/$source is not $sha" >&2
    exit 1
  fi
  mv "$partial" "$target"
  trap - EXIT
  echo "[fixtures] $path: downloaded"
done
