#!/usr/bin/env bash
# Builds the real programs the test suite runs against, from the Go module proxy, into .cache/tools/:
#   - FerretDB (a real MongoDB-wire-compatible server, SQLite storage), the test server when no mongod is available;
#   - the MongoDB Database Tools mongodump, mongorestore and bsondump, the reference for archive compatibility;
#   - Versity S3 Gateway (versitygw, Apache-2.0), a real S3-compatible server over a folder, for the object-store tests.
# Idempotent: a tool whose stamp matches the pinned version is not rebuilt (a warm run takes well under a second).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
TOOLS="$CACHE/tools"
BUILD="$CACHE/build"

FERRETDB_MODULE="github.com/FerretDB/FerretDB"
FERRETDB_VERSION="v1.24.2"
# mongo-tools has no semver tags usable by Go; pin the commit just after 100.18.0 by its pseudo-version.
MONGO_TOOLS_MODULE="github.com/mongodb/mongo-tools"
MONGO_TOOLS_VERSION="v0.0.0-20260821190201-8fa3cfc8263b"
MONGO_TOOLS_LABEL="100.18.0-8-g8fa3cfc82"
VERSITYGW_MODULE="github.com/versity/versitygw"
VERSITYGW_VERSION="v1.8.0"

export GOPATH="$CACHE/gopath"
export GOMODCACHE="$CACHE/gopath/pkg/mod"
export GOFLAGS="-buildvcs=false -mod=mod"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0

log() { printf '[install-tools] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "Go is required to build FerretDB and the MongoDB Database Tools (https://go.dev/dl/)."
  exit 1
fi

mkdir -p "$TOOLS" "$BUILD"

is_current() { [ -x "$TOOLS/$1" ] && [ "$(cat "$TOOLS/$1.version" 2>/dev/null)" = "$2" ]; }

# A throwaway module that requires the pinned dependency, so `go build` resolves it from the proxy by exact version
# (the proxy serves .mod/.zip for these pins even where it refuses version listings).
write_module() { # dir require-line [replace-line]
  mkdir -p "$1"
  printf 'module localtools\n\ngo 1.24\n\nrequire %s\n%s\n' "$2" "${3:-}" >"$1/go.mod"
  rm -f "$1/go.sum"
}

build_ferretdb() {
  if is_current ferretdb "$FERRETDB_VERSION"; then return; fi
  log "building FerretDB $FERRETDB_VERSION (first time only, about a minute)"
  local src="$BUILD/ferretdb-src" mod="$BUILD/ferretdb"
  local dir
  dir="$(cd "$BUILD" && go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { log "could not download $FERRETDB_MODULE@$FERRETDB_VERSION"; exit 1; }
  # FerretDB refuses to start without build/version/version.txt, which its release process generates and the
  # module zip lacks: build from a writable copy with that one file added.
  rm -rf "$src" && cp -R "$dir" "$src" && chmod -R u+w "$src"
  printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  write_module "$mod" "$FERRETDB_MODULE $FERRETDB_VERSION" "replace $FERRETDB_MODULE => $src"
  (cd "$mod" && go build -trimpath -o "$TOOLS/ferretdb" "$FERRETDB_MODULE/cmd/ferretdb")
  printf '%s' "$FERRETDB_VERSION" >"$TOOLS/ferretdb.version"
}

build_mongo_tool() { # name
  if is_current "$1" "$MONGO_TOOLS_VERSION"; then return; fi
  log "building $1 ($MONGO_TOOLS_LABEL)"
  local mod="$BUILD/mongo-tools"
  write_module "$mod" "$MONGO_TOOLS_MODULE $MONGO_TOOLS_VERSION"
  (cd "$mod" && go build -trimpath -ldflags "-X main.VersionStr=$MONGO_TOOLS_LABEL" -o "$TOOLS/$1" "$MONGO_TOOLS_MODULE/$1/main")
  printf '%s' "$MONGO_TOOLS_VERSION" >"$TOOLS/$1.version"
}

build_versitygw() {
  if is_current versitygw "$VERSITYGW_VERSION"; then return; fi
  log "building versitygw $VERSITYGW_VERSION (first time only, about three minutes)"
  local mod="$BUILD/versitygw"
  write_module "$mod" "$VERSITYGW_MODULE $VERSITYGW_VERSION"
  (cd "$mod" && go build -trimpath -o "$TOOLS/versitygw" "$VERSITYGW_MODULE/cmd/versitygw")
  printf '%s' "$VERSITYGW_VERSION" >"$TOOLS/versitygw.version"
}

build_ferretdb
for tool in mongodump mongorestore bsondump; do build_mongo_tool "$tool"; done
build_versitygw
log "ready: $(cd "$TOOLS" && ls ferretdb mongodump mongorestore bsondump versitygw | tr '\n' ' ')"
