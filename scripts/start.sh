#!/bin/sh
# `npm start`: installs the workspace if needed, builds the gateway and starts it on the
# embedded default (SQLite in $CAIRN_HOME, else ~/.cairn). Extra arguments go to `cairn serve`.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
sh scripts/pnpm.sh --version >/dev/null
PATH="$root/.cache/pnpm/$(node -p "require('./package.json').packageManager.split('@')[1]")/node_modules/.bin:$PATH"
export PATH
# Always: a no-op in seconds when nothing changed, and right after a pull that did.
pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --filter=@cairn/cli... --output-logs=errors-only
exec node apps/cli/dist/main.js serve "$@"
