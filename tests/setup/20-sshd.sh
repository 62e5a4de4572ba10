#!/usr/bin/env bash
# A real OpenSSH server on 127.0.0.1 for the deploy tests: our own sshd (Debian openssh-server) on a
# high port, own host keys and sshd_config under $IG_TEST_STATE, key-only login for a dedicated user.
set -euo pipefail
if [ ! -x /usr/sbin/sshd ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null
fi
command -v ssh-keygen >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client >/dev/null; }
user=igdeploy
if ! id "$user" >/dev/null 2>&1; then
  useradd -m -s /bin/bash "$user"
fi
# With PAM off, a user without a password counts as locked: '*' = no password, but not locked.
usermod -p '*' "$user"
home=$(getent passwd "$user" | cut -d: -f6)
dir="$IG_TEST_STATE/sshd"
rm -f "$dir/client_ed25519"
mkdir -p "$dir"
ssh-keygen -q -t ed25519 -N '' -C ig-deploy-test -f "$dir/client_ed25519"
# A second client key with a passphrase, for the secret-leak test.
ssh-keygen -q -t ed25519 -N 'ig-test-key-passphrase-5e1f' -C ig-deploy-test-pass -f "$dir/client_pass_ed25519"
install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
install -d -m 0755 -o "$user" -g "$user" "$home/bin"
# shellcheck source=tests/setup/lib/sshd.sh
source "$(dirname "$0")/lib/sshd.sh"
ig_start_sshd "$user" "$dir" "$dir/client_ed25519.pub" "$dir/client_pass_ed25519.pub"
port=$ig_sshd_port; keys=$ig_sshd_keys; fp=$ig_sshd_fp
echo "127.0.0.1:$port fingerprint $fp" >&2
printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" > "$dir/known_hosts"
cat >> "$IG_TEST_ENV" <<ENV
export SSH_TEST_HOST=127.0.0.1
export SSH_TEST_PORT=$port
export SSH_TEST_USER=$user
export SSH_TEST_HOME=$home
export SSH_TEST_KEY=$dir/client_ed25519
export SSH_TEST_KEY_PASS=$dir/client_pass_ed25519
export SSH_TEST_KEY_PASSPHRASE=ig-test-key-passphrase-5e1f
export SSH_TEST_HOST_KEY_FINGERPRINT=$fp
export SSH_TEST_KNOWN_HOSTS=$dir/known_hosts
export SSH_TEST_SSHD_CONFIG=$dir/sshd_config
ENV
cat > "$IG_TEST_STATE/cleanup/20-sshd.sh" <<CLEAN
[ -s "$dir/sshd.pid" ] && kill \$(cat "$dir/sshd.pid") 2>/dev/null || true
rm -rf "$keys"
CLEAN
