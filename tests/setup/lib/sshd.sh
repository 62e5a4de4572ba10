# shellcheck shell=bash
# One real OpenSSH server on 127.0.0.1, for 20-sshd.sh and 23-sshd-hosts.sh (sourced, not run):
#   ig_start_sshd USER DIR PUBKEY...
# makes DIR/host_ed25519, a free high port, this run's own authorized_keys (/run/ig-sshd-<port>: public,
# root-owned, readable by the user — test runs on one machine share the users, and a shared ~/.ssh/authorized_keys
# would be overwritten by the next run's setup) holding the PUBKEY files, and a key-only sshd for USER alone.
# Sets ig_sshd_port, ig_sshd_keys (the authorized_keys folder) and ig_sshd_fp (SHA256:… as ssh-keygen -lf prints).
ig_start_sshd() {
  local user=$1 dir=$2; shift 2
  mkdir -p "$dir" /run/sshd
  chmod 0755 /run/sshd
  rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
  ig_sshd_port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  ig_sshd_keys="/run/ig-sshd-$ig_sshd_port"
  install -d -m 0755 "$ig_sshd_keys"
  cat "$@" > "$ig_sshd_keys/authorized_keys"; chmod 0644 "$ig_sshd_keys/authorized_keys"
  cat > "$dir/sshd_config" <<CONF
Port $ig_sshd_port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers $user
AuthorizedKeysFile $ig_sshd_keys/authorized_keys
StrictModes yes
MaxStartups 50:30:100
MaxSessions 50
Subsystem sftp internal-sftp
CONF
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  for _ in $(seq 50); do [ -s "$dir/sshd.pid" ] && break; sleep 0.1; done
  ig_sshd_fp=$(ssh-keygen -lf "$dir/host_ed25519.pub" | awk '{print $2}')
}
