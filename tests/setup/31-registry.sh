#!/usr/bin/env bash
# A real container registry for Build-InfluenceGenImage -Push: Debian's docker-registry (distribution
# 2.8) on 127.0.0.1 (a free port; 127.0.0.0/8 is an insecure registry for dockerd by default, so plain
# http), with htpasswd (bcrypt, `htpasswd -B`) auth for one test user, storage in a temp dir.
# Exports REGISTRY_TEST_HOST (127.0.0.1:port), REGISTRY_TEST_USER, REGISTRY_TEST_PASSWORD.
set -euo pipefail
missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  for i in 1 2 3 4 5; do
    # policy-rc.d 101: the package must not start its own service on :5000.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      rm -f /usr/sbin/policy-rc.d; break
    fi
    rm -f /usr/sbin/policy-rc.d; sleep 5   # dpkg lock held by a concurrent install
  done
fi
command -v docker-registry >/dev/null && command -v htpasswd >/dev/null

d=$(mktemp -d /tmp/ig-registry.XXXXXX)
port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
user=igpush
password="reg-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
htpasswd -B -b -c "$d/htpasswd" "$user" "$password" 2>/dev/null
cat > "$d/config.yml" <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: ig-test-registry
    path: $d/htpasswd
CONF
docker-registry serve "$d/config.yml" >"$d/registry.log" 2>&1 &
pid=$!
cat > "$IG_TEST_STATE/cleanup/31-registry.sh" <<CLEAN
kill $pid 2>/dev/null || true
rm -rf "$d"
CLEAN
for i in $(seq 1 30); do
  code=$(/usr/bin/python3 - "$port" <<'PY' 2>/dev/null || true
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v2/", timeout=1); print(200)
except urllib.error.HTTPError as e: print(e.code)
PY
)
  [ "$code" = "401" ] && break
  kill -0 $pid 2>/dev/null || { cat "$d/registry.log" >&2; echo "docker-registry died" >&2; exit 1; }
  sleep 0.5
done
[ "$code" = "401" ] || { cat "$d/registry.log" >&2; echo "docker-registry did not answer 401 on /v2/" >&2; exit 1; }
cat >> "$IG_TEST_ENV" <<ENV
export REGISTRY_TEST_HOST=127.0.0.1:$port
export REGISTRY_TEST_USER=$user
export REGISTRY_TEST_PASSWORD=$password
export REGISTRY_TEST_DATA=$d/data
ENV
