#!/usr/bin/env bash
# Benchmark: Deploy-InfluenceGen against the seed's way (to_production.sh: scp + unzip + `odoo -u all`
# + restart) on the same real servers (own sshd + PostgreSQL on 127.0.0.1, stand-in odoo on the target),
# with 20 generated addons: first deploy, unchanged redeploy, one-addon-changed redeploy.
# Prints the seconds of each and the ratio seed/ours in one run.
#
# Caveat: the target runs the STAND-IN odoo, whose `-u all` costs ~0.3 s. A real Odoo `-u all` of 20
# addons takes minutes, so on real servers the ratios for the redeploys are far larger than shown here.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export IG_TEST_STATE="$(mktemp -d /tmp/ig-bench.XXXXXX)"; export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
mkdir -p "$IG_TEST_STATE/cleanup"; : > "$IG_TEST_ENV"
cleanup() {
  # The stand-in Odoo HTTP servers the restarts started on the target, then the test servers.
  [ -n "${t:-}" ] && pkill -f "$t/odoo-http" 2>/dev/null || true
  for s in $(ls -r "$IG_TEST_STATE/cleanup/" 2>/dev/null); do bash "$IG_TEST_STATE/cleanup/$s" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
bash tests/setup/20-sshd.sh >/dev/null 2>&1; bash tests/setup/21-postgres.sh >/dev/null 2>&1
# shellcheck disable=SC1090
source "$IG_TEST_ENV"
pwsh=$(bash build.sh)   # the pinned pwsh 7.6.9 (.config/dotnet-tools.json)
export PSModulePath="$PWD/out${PSModulePath:+:$PSModulePath}"

work="$IG_TEST_STATE/work"; bash bench/deploy-addons.sh "$work/addons"

home="$SSH_TEST_HOME"; t="$home/bench-$$"; mkdir -p "$t/state"
cp tests/unit/Deploy/standin/odoo tests/unit/Deploy/standin/odoo-http tests/unit/Deploy/standin/odoo-restart tests/unit/Deploy/standin/odoo-stop "$t/"
chown -R "$SSH_TEST_USER" "$t"
port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
port2=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
bash bench/odoo-databases.sh bench_ours bench_seed
cat > "$work/environments.json" <<JSON
{ "environments": { "bench": {
  "OdooSshHost": "127.0.0.1", "OdooSshPort": $SSH_TEST_PORT, "OdooSshUser": "$SSH_TEST_USER", "OdooSshHostKey": "$SSH_TEST_HOST_KEY_FINGERPRINT",
  "DeployRoot": "$t/ours", "OdooDatabase": "bench_ours", "OdooDatabaseHost": "127.0.0.1", "OdooDatabasePort": $PG_TEST_PORT, "OdooDatabaseUser": "$PG_TEST_USER",
  "OdooRuntime": "command", "OdooCommand": "IG_STANDIN_STATE=$t/state $t/odoo --addons-path={current}",
  "RestartCommand": "IG_STANDIN_STATE=$t/state $t/odoo-restart $port --addons-path={current}", "StopCommand": "IG_STANDIN_STATE=$t/state $t/odoo-stop", "HealthUrl": "http://127.0.0.1:$port", "BackupBeforeUpgrade": true } } }
JSON
export BENCH_ODOO_SERVER_SSH_PRIVATE_KEY="$(cat "$SSH_TEST_KEY")" BENCH_ODOO_DB_PASSWORD="$PG_TEST_PASSWORD"

ours() { # $1 = zip name; prints seconds of Deploy-InfluenceGen (package build excluded)
  "$pwsh" -c "\$p = New-OdooAddonPackage -Path '$work/addons' -OutFile '$work/$1'; \$w = [Diagnostics.Stopwatch]::StartNew();
    \$r = Deploy-InfluenceGen -Environment bench -Package \$p -ConfigurationPath '$work/environments.json' -ErrorAction Stop; \$w.Stop();
    [Console]::Error.WriteLine('ours ' + \$r.Status + ' installed=' + \$r.Installed.Count + ' upgraded=' + \$r.Upgraded.Count);
    [Math]::Round(\$w.Elapsed.TotalSeconds, 2)" | tail -n1
}
ssh_=(ssh -q -o BatchMode=yes -o UserKnownHostsFile="$SSH_TEST_KNOWN_HOSTS" -i "$SSH_TEST_KEY" -p "$SSH_TEST_PORT" "$SSH_TEST_USER@127.0.0.1")
seed() { # $1 = zip, $2 = odoo args; the seed's to_production.sh: scp, unzip, odoo, restart
  local s e
  s=$(date +%s.%N)
  scp -q -o BatchMode=yes -o UserKnownHostsFile="$SSH_TEST_KNOWN_HOSTS" -i "$SSH_TEST_KEY" -P "$SSH_TEST_PORT" "$work/$1" "$SSH_TEST_USER@127.0.0.1:$t/seed.zip"
  "${ssh_[@]}" "mkdir -p $t/seed && cd $t/seed && unzip -q -o ../seed.zip"
  printf '%s\n' "*:*:*:*:$PG_TEST_PASSWORD" | "${ssh_[@]}" "umask 077; cat > $t/seed.pgpass"
  "${ssh_[@]}" "PGPASSFILE=$t/seed.pgpass PGHOST=127.0.0.1 PGPORT=$PG_TEST_PORT PGUSER=$PG_TEST_USER IG_STANDIN_STATE=$t/state-seed $t/odoo --addons-path=$t/seed -d bench_seed $2 --stop-after-init >/dev/null"
  "${ssh_[@]}" "PGPASSFILE=$t/seed.pgpass PGHOST=127.0.0.1 PGPORT=$PG_TEST_PORT PGUSER=$PG_TEST_USER IG_STANDIN_STATE=$t/state-seed $t/odoo-restart $port2 && sleep 0 && curl -sf http://127.0.0.1:$port2/web/health >/dev/null"
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l | xargs printf '%.2f\n'
}
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
all=$(cd "$work/addons" && ls | paste -sd,)

# The maintenance window: a poller asks GET /web/health every 50 ms while our deploy runs and sums the time
# between a failed answer and the next good one (seconds Odoo does not serve).
poll_start() {
  /usr/bin/python3 - "$port" "$work/poll.out" <<'PY' &
import sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
down, last, start_down = 0.0, None, None
stop = out + ".stop"
import os
while not os.path.exists(stop):
    t = time.monotonic()
    try:
        ok = urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=0.5).status == 200
    except Exception:
        ok = False
    if not ok and start_down is None: start_down = t
    if ok and start_down is not None: down += t - start_down; start_down = None
    time.sleep(0.05)
if start_down is not None: down += time.monotonic() - start_down
open(out, "w").write(f"{down:.2f}\n")
PY
  poller=$!
}
poll_stop() { touch "$work/poll.out.stop"; wait "$poller"; rm -f "$work/poll.out.stop"; window=$(cat "$work/poll.out"); }
# Odoo serves before our first deploy (on its own addons, as on a real server).
"${ssh_[@]}" "IG_STANDIN_STATE=$t/state $t/odoo-restart $port" >/dev/null

poll_start; o1=$(ours v1.zip); poll_stop; w1=$window; s1=$(seed v1.zip "-i $all")
poll_start; o2=$(ours v1b.zip); poll_stop; w2=$window; s2=$(seed v1b.zip "-u all")
echo "# changed" >> "$work/addons/ig_bench_07/models/m1.py"
poll_start; o3=$(ours v2.zip); poll_stop; w3=$window; s3=$(seed v2.zip "-u all")
printf '%-34s %8s %8s %8s\n' scenario ours_s seed_s seed/ours
printf '%-34s %8s %8s %8.2f\n' "first deploy (20 addons)" "$o1" "$s1" "$(echo "$s1 / $o1" | bc -l)"
printf '%-34s %8s %8s %8.2f\n' "unchanged redeploy" "$o2" "$s2" "$(echo "$s2 / $o2" | bc -l)"
printf '%-34s %8s %8s %8.2f\n' "one addon changed (of 20)" "$o3" "$s3" "$(echo "$s3 / $o3" | bc -l)"
printf 'maintenance window (s Odoo did not answer /web/health during our deploy): first %s, unchanged %s, one addon %s\n' "$w1" "$w2" "$w3"
echo "(ours: lock, sha256-verified upload, backup before upgrade, atomic switch, health gate, ledger; seed: none of those. Stand-in odoo on the target: real 'odoo -u all' is far slower.)"
rm -rf "$t"
