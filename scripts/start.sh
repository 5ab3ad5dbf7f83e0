#!/bin/sh
# `npm start`: installs the workspace if needed, builds the gateway and starts it on the
# embedded default (SQLite in $CAIRN_HOME, else ~/.cairn). Extra arguments go to `cairn serve`.
# CAIRN_START_NO_BUILD=1 skips the install and the build (the tree must be built already; the
# e2e test of `npm start` uses it to stay within seconds).
#
# Stopping: npm runs this as `sh -c 'exec sh scripts/start.sh'` (package.json), and both
# shells exec, so the gateway is npm's own child and gets the SIGTERM/SIGINT npm forwards.
# Without the execs npm signals only its `sh -c`, which dies and leaves node holding the port.
# `--exit-with-parent` covers a parent that cannot forward anything (npm SIGKILLed).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
sh scripts/pnpm.sh --version >/dev/null
PATH="$root/.cache/pnpm/$(node -p "require('./package.json').packageManager.split('@')[1]")/node_modules/.bin:$PATH"
export PATH
if [ "${CAIRN_START_NO_BUILD:-}" != 1 ]; then
  # Always: a no-op in seconds when nothing changed, and right after a pull that did.
  pnpm install --frozen-lockfile --reporter=silent
  pnpm exec turbo run build --filter=@cairn/cli... --output-logs=errors-only
fi
exec node apps/cli/dist/main.js serve --exit-with-parent "$@"
