#!/bin/sh
# Runs the pinned pnpm (the root package.json's packageManager field) without a global
# install: it is fetched once from the npm registry into .cache/pnpm. corepack is not used
# because its signature check fails on machines without network access to its key server.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
version=$(node -p "require('$root/package.json').packageManager.split('@')[1]")
dir="$root/.cache/pnpm/$version"
if [ ! -x "$dir/node_modules/.bin/pnpm" ]; then
  echo "cairn: installing pnpm $version into .cache/pnpm" >&2
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" "pnpm@$version" >&2
fi
exec "$dir/node_modules/.bin/pnpm" "$@"
