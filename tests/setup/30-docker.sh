#!/usr/bin/env bash
# A private Docker engine for the container runner tests of Invoke-OdooUnitTest.
# - installs Debian's docker.io (dockerd, containerd, runc) and busybox-static if missing;
# - starts dockerd on a private unix socket with its own data/exec roots and pidfile under
#   $IG_TEST_STATE, ALWAYS without a bridge and without iptables rules (nothing is left behind);
# - builds a FROM-scratch image (busybox + the stand-in odoo script + fixture logs): nothing can be pulled;
# - exports DOCKER_TEST_HOST=unix://... and IG_TEST_IMAGE for the tests.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

d="$IG_TEST_STATE/docker"
mkdir -p "$d/data" "$d/exec"
sock="$d/docker.sock"
dockerd --host "unix://$sock" --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
  --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
  --containerd-namespace ig-test --containerd-plugins-namespace ig-test-plugins \
  >"$d/dockerd.log" 2>&1 &
pid=$!
cat > "$IG_TEST_STATE/cleanup/30-docker.sh" <<CLEAN
DOCKER_HOST=unix://$sock docker rm -f \$(DOCKER_HOST=unix://$sock docker ps -aq) 2>/dev/null || true
kill $pid 2>/dev/null || true
for i in \$(seq 1 30); do kill -0 $pid 2>/dev/null || break; sleep 1; done
kill -9 $pid 2>/dev/null || true
umount -R "$d/exec" 2>/dev/null || true
umount -R "$d/data" 2>/dev/null || true
rm -rf "$d"
CLEAN
for i in $(seq 1 60); do
  DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$d/dockerd.log" >&2; echo "dockerd died" >&2; exit 1; }
  sleep 1
done
DOCKER_HOST="unix://$sock" docker version >/dev/null

# The image: busybox, the stand-in odoo (replays a fixture log) and the fixture logs.
ctx="$d/image"
mkdir -p "$ctx/bin" "$ctx/fixtures"
cp /bin/busybox "$ctx/bin/busybox"
cp "$repo/tests/unit/Odoo/Testing/testdata/fake-odoo.sh" "$ctx/bin/fake-odoo"
chmod +x "$ctx/bin/fake-odoo"
cp -r "$repo/../shared/fixtures/odoo/." "$ctx/fixtures/"
cat > "$ctx/Dockerfile" <<'DF'
FROM scratch
COPY bin/ /bin/
COPY fixtures/ /fixtures/
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp && chmod 1777 /tmp"]
CMD ["/bin/sleep", "3600"]
DF
DOCKER_HOST="unix://$sock" DOCKER_BUILDKIT=0 docker build --network none -q -t ig-fake-odoo:test "$ctx" >"$d/build.log" 2>&1 || { cat "$d/build.log" >&2; exit 1; }
echo "export DOCKER_TEST_HOST=unix://$sock" >> "$IG_TEST_ENV"
echo "export IG_TEST_IMAGE=ig-fake-odoo:test" >> "$IG_TEST_ENV"
