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
mkdir -p "$dir" /run/sshd
chmod 0755 /run/sshd
rm -f "$dir/host_ed25519" "$dir/client_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C ig-deploy-test -f "$dir/client_ed25519"
# A second client key with a passphrase, for the secret-leak test.
ssh-keygen -q -t ed25519 -N 'ig-test-key-passphrase-5e1f' -C ig-deploy-test-pass -f "$dir/client_pass_ed25519"
install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
install -d -m 0755 -o "$user" -g "$user" "$home/bin"
port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
# This run's own authorized keys (public, root-owned, readable by the user): several test runs on one machine
# share the user, and a shared ~/.ssh/authorized_keys would be overwritten by the next run's setup.
keys="/run/ig-sshd-$port"
install -d -m 0755 "$keys"
cat "$dir/client_ed25519.pub" "$dir/client_pass_ed25519.pub" > "$keys/authorized_keys"; chmod 0644 "$keys/authorized_keys"
cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers $user
AuthorizedKeysFile $keys/authorized_keys
StrictModes yes
MaxStartups 50:30:100
MaxSessions 50
Subsystem sftp internal-sftp
CONF
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
for _ in $(seq 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
fp=$(ssh-keygen -lf "$dir/host_ed25519.pub" | awk '{print $2}')
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
