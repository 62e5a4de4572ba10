#!/usr/bin/env bash
# More Odoo "servers" for the several-hosts deploy tests: two more real OpenSSH servers on 127.0.0.1, each on its
# own port with its own host key and its own user and home (igdeploy2, igdeploy3), so their deploy roots differ,
# as on separate machines. The client key is 20-sshd.sh's (one SSH key per environment, as in CI).
# IG_SSH_EXTRA_HOSTS (default 2) sets how many (bench/deploy-hosts.sh asks for 3: four hosts with 20-sshd.sh's).
# Idempotent (users reused); the servers stop with this run's cleanup.
set -euo pipefail
src="$IG_TEST_STATE/sshd"
[ -f "$src/client_ed25519.pub" ] || { echo "23-sshd-hosts.sh needs 20-sshd.sh first" >&2; exit 1; }
# shellcheck source=tests/setup/lib/sshd.sh
source "$(dirname "$0")/lib/sshd.sh"
for n in $(seq 2 $(( ${IG_SSH_EXTRA_HOSTS:-2} + 1 ))); do
  user="igdeploy$n"
  id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
  usermod -p '*' "$user"
  home=$(getent passwd "$user" | cut -d: -f6)
  chmod 0755 "$home"
  dir="$IG_TEST_STATE/sshd-$user"
  ig_start_sshd "$user" "$dir" "$src/client_ed25519.pub" "$src/client_pass_ed25519.pub"
  port=$ig_sshd_port; keys=$ig_sshd_keys; fp=$ig_sshd_fp
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
