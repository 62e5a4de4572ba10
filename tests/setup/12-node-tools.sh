#!/usr/bin/env bash
# ajv + js-yaml (npm, pinned by tests/tools/package-lock.json) to validate the GitLab pipeline
# against GitLab's CI schema. Cached under $IG_CACHE keyed by the lockfile's hash.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
command -v node >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
key=$(sha256sum "$repo/tests/tools/package-lock.json" | cut -c1-12)
dir="$IG_CACHE/node-tools-$key"
if [ ! -d "$dir/node_modules/ajv" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  cp "$repo/tests/tools/package.json" "$repo/tests/tools/package-lock.json" "$dir.tmp/"
  (cd "$dir.tmp" && npm ci --no-audit --no-fund --silent)
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
cp "$repo/tests/tools/validate-gitlab-ci.mjs" "$dir/validate-gitlab-ci.mjs"
echo "export IG_NODE_TOOLS=$dir/node_modules" >> "$IG_TEST_ENV"
