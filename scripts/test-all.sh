#!/bin/sh
# Installs everything from scratch and runs every check: build (tsc -b, which also
# type-checks the tests), a type check of the benchmarks, lint, the dependency-direction check and all tests. Needs only
# Node >= 20.19 and npm. Ends with the line `tests: N passed, N failed`.
set -u
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$root"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
sh scripts/pnpm.sh --version >/dev/null || exit 1
# turbo runs each package's scripts through pnpm, so the pinned pnpm must be on PATH.
PATH="$root/.cache/pnpm/$(node -p "require('./package.json').packageManager.split('@')[1]")/node_modules/.bin:$PATH"
export PATH

step() { printf '\n== %s\n' "$*"; }

step "install"
pnpm install --frozen-lockfile || exit 1

step "build + typecheck"
pnpm exec turbo run build --output-logs=errors-only || exit 1

step "typecheck benchmarks and tooling"
# Benchmarks run through tsx, which strips types without checking them: check them here so
# a bench cannot rot unnoticed between `pnpm bench` runs.
pnpm exec tsc --noEmit -p tooling/tsconfig/tsx.json || exit 1

step "lint"
pnpm exec turbo run lint --output-logs=errors-only || exit 1

step "dependency direction"
node tooling/depcheck/cli.mjs || exit 1

step "test"
find . -name .jest-results.json -not -path '*/node_modules/*' -delete
pnpm exec turbo run test --continue --concurrency=2 --output-logs=new-only
turbo_status=$?

step "summary"
node tooling/test-summary.mjs "$root"
summary_status=$?
[ "$turbo_status" -eq 0 ] && [ "$summary_status" -eq 0 ]
