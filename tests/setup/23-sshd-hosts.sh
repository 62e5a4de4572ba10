#!/usr/bin/env bash
# More Odoo "servers" for the several-hosts deploy tests: two more real OpenSSH servers on 127.0.0.1, each on its
# own port with its own host key and its own user and home (igdeploy2, igdeploy3), so their deploy roots differ,
# as on separate machines. The client key is 20-sshd.sh's (one SSH key per environment, as in CI).
# IG_SSH_EXTRA_HOSTS (default 2) sets how many (bench/deploy-hosts.sh asks for 3: four hosts with 20-sshd.sh's).
# Idempotent (users reused); the servers stop with this run's cleanup.
set -euo pipefail
src="$IG_TEST_STATE/sshd"
[ -f "$src/client_ed25519.pub" ] || { echo "23-sshd-hosts.sh needs 20-sshd.sh first" >&2; exit 1; }
mkdir -p /run/sshd && chmod 0755 /run/sshd
for n in $(seq 2 $(( ${IG_SSH_EXTRA_HOSTS:-2} + 1 ))); do
  user="igdeploy$n"
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
  usermod -p '*' "$user"
  home=$(getent passwd "$user" | cut -d: -f6)
  chmod 0755 "$home"
  dir="$IG_TEST_STATE/sshd-$user"
  mkdir -p "$dir"
  rm -f "$dir/host_ed25519"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  keys="/run/ig-sshd-$port"
  install -d -m 0755 "$keys"
  cat "$src/client_ed25519.pub" "$src/client_pass_ed25519.pub" > "$keys/authorized_keys"; chmod 0644 "$keys/authorized_keys"
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
  echo "host $n: $user@127.0.0.1:$port fingerprint $fp" >&2
  cat >> "$IG_TEST_ENV" <<ENV
export SSH_TEST_HOST${n}_PORT=$port
export SSH_TEST_HOST${n}_USER=$user
export SSH_TEST_HOST${n}_HOME=$home
export SSH_TEST_HOST${n}_HOST_KEY_FINGERPRINT=$fp
ENV
  cat >> "$IG_TEST_STATE/cleanup/23-sshd-hosts.sh" <<CLEAN
[ -s "$dir/sshd.pid" ] && kill \$(cat "$dir/sshd.pid") 2>/dev/null || true
rm -rf "$keys"
CLEAN
done
