#!/usr/bin/env bash
# Typechecks sst.config.ts and infra/ against SST's real types, offline except for
# the npm registry (no AWS account, no Pulumi download). Run after `npm ci`:
#   bash infra/check.sh
# The infra unit tests, the Dockerfile checks and the Lambda bundle tests are part
# of `npm test` (infra/*.test.ts, test/lambda-bundles.test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

# Without these, every sst command first downloads Pulumi and reports telemetry.
export SST_SKIP_DEPENDENCY_CHECK=1
export SST_TELEMETRY_DISABLED=1
# `sst install` installs the providers' npm packages with bun, taken from npm.
export SST_BUN_PATH="$PWD/node_modules/@oven/bun-linux-x64/bin/bun"

# Writes .sst/platform (SST's components and their types) and the pinned providers
# (sst.config.ts `providers`) into .sst/platform/node_modules. The stage is only a
# name here: install evaluates the app's settings and touches no AWS resource.
npx sst install --stage "${SST_STAGE:-ci}"

# bun nests older copies of @types/node (20.11) under a few packages beside SST's
# own (22.x); TypeScript loads both and their Buffer types clash inside SST's
# sources (anomalyco/sst#5130). One copy is the truth: drop the nested ones.
find .sst/platform/node_modules -mindepth 3 -type d -path '*/node_modules/@types/node' -prune -exec rm -rf {} +

npx tsc -p tsconfig.sst.json
echo "infra: sst.config.ts and infra/ typecheck against SST $(cat .sst/platform/version)"
