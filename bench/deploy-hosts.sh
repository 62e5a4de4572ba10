#!/usr/bin/env bash
# Benchmark: Deploy-InfluenceGen to an environment with ONE Odoo server against the same deploy to FOUR
# (OdooSshHost/Hosts a list), on real servers: four real sshd "hosts" on 127.0.0.1 (tests/setup/20-sshd.sh and
# 23-sshd-hosts.sh: own port, user, home and host key each), the real PostgreSQL (one shared database per
# environment), the stand-in odoo and its web server on each host. 20 generated addons: first deploy (installs),
# one addon changed (upgrades), unchanged redeploy. Prints each time, the time without Odoo's -i/-u (it runs once
# whatever the number of hosts) and the ratio four/one in one run. The brief: four hosts <= 1.5x one host.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export IG_TEST_STATE="$(mktemp -d /tmp/ig-bench-hosts.XXXXXX)"; export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
mkdir -p "$IG_TEST_STATE/cleanup"; : > "$IG_TEST_ENV"
dirs=()
cleanup() {
  # the stand-in web servers the restarts started on each host, then the test servers
  for d in "${dirs[@]}"; do { [ -s "$d/state/http.pid" ] && kill "$(cat "$d/state/http.pid")" 2>/dev/null; } || true; rm -rf "$d"; done
  for s in $(ls -r "$IG_TEST_STATE/cleanup/" 2>/dev/null); do bash "$IG_TEST_STATE/cleanup/$s" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
bash tests/setup/20-sshd.sh >/dev/null 2>&1; bash tests/setup/21-postgres.sh >/dev/null 2>&1
IG_SSH_EXTRA_HOSTS=3 bash tests/setup/23-sshd-hosts.sh >/dev/null 2>&1
# shellcheck disable=SC1090
source "$IG_TEST_ENV"
pwsh=$(bash build.sh)
export PSModulePath="$PWD/out${PSModulePath:+:$PSModulePath}"

work="$IG_TEST_STATE/work"; bash bench/deploy-addons.sh "$work/addons"
freeport() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# host n: user, port, fingerprint, a folder in its home with the stand-in and a deploy root per environment
declare -a users ports fps homes
users[1]=$SSH_TEST_USER; ports[1]=$SSH_TEST_PORT; fps[1]=$SSH_TEST_HOST_KEY_FINGERPRINT; homes[1]=$SSH_TEST_HOME
for n in 2 3 4; do
  u="SSH_TEST_HOST${n}_USER"; p="SSH_TEST_HOST${n}_PORT"; f="SSH_TEST_HOST${n}_HOST_KEY_FINGERPRINT"; h="SSH_TEST_HOST${n}_HOME"
  users[n]=${!u}; ports[n]=${!p}; fps[n]=${!f}; homes[n]=${!h}
done
hostdir() { # $1 = env, $2 = host n: a folder with the stand-in, owned by the host's user (in $dir; the cleanup removes it)
  dir="${homes[$2]}/bench-$1-$$"; mkdir -p "$dir/state"
  cp tests/unit/Deploy/standin/odoo tests/unit/Deploy/standin/odoo-http tests/unit/Deploy/standin/odoo-restart tests/unit/Deploy/standin/odoo-stop "$dir/"
  chown -R "${users[$2]}" "$dir"; dirs+=("$dir")
}
bash bench/odoo-databases.sh bench_one bench_four
common="\"OdooDatabaseHost\": \"127.0.0.1\", \"OdooDatabasePort\": $PG_TEST_PORT, \"OdooDatabaseUser\": \"$PG_TEST_USER\", \"OdooRuntime\": \"command\", \"BackupBeforeUpgrade\": true,
  \"OdooCommand\": \"IG_STANDIN_STATE={root}/../state {root}/../odoo --addons-path={current}\",
  \"RestartCommand\": \"IG_STANDIN_STATE={root}/../state {root}/../odoo-restart {port} --addons-path={current}\",
  \"StopCommand\": \"IG_STANDIN_STATE={root}/../state {root}/../odoo-stop\""
hostdir one 1; d1=$dir; p1=$(freeport)
hosts=""
for n in 1 2 3 4; do
  hostdir four "$n"; d=$dir; hp=$(freeport)
  hosts+="${hosts:+, }{ \"Host\": \"127.0.0.1\", \"Port\": ${ports[$n]}, \"User\": \"${users[$n]}\", \"HostKey\": \"${fps[$n]}\", \"DeployRoot\": \"$d/root\", \"HttpPort\": $hp }"
done
cat > "$work/environments.json" <<JSON
{ "environments": {
  "one": { "OdooSshHost": "127.0.0.1", "OdooSshPort": ${ports[1]}, "OdooSshUser": "${users[1]}", "OdooSshHostKey": "${fps[1]}",
    "DeployRoot": "$d1/root", "OdooDatabase": "bench_one", "OdooHttpPort": $p1, "HealthUrl": "http://127.0.0.1:$p1", $common },
  "four": { "Hosts": [ $hosts ], "OdooSshUser": "${users[1]}",
    "DeployRoot": "/unused", "OdooDatabase": "bench_four", "HealthUrl": "http://127.0.0.1:9", $common } } }
JSON
export ONE_ODOO_SERVER_SSH_PRIVATE_KEY="$(cat "$SSH_TEST_KEY")" FOUR_ODOO_SERVER_SSH_PRIVATE_KEY="$(cat "$SSH_TEST_KEY")"
export ONE_ODOO_DB_PASSWORD="$PG_TEST_PASSWORD" FOUR_ODOO_DB_PASSWORD="$PG_TEST_PASSWORD"

deploy() { # $1 = environment, $2 = zip name; prints "total_s odoo_s status" (package build excluded)
  "$pwsh" -NoProfile -c "\$p = New-OdooAddonPackage -Path '$work/addons' -OutFile '$work/$1-$2'; \$w = [Diagnostics.Stopwatch]::StartNew();
    \$r = Deploy-InfluenceGen -Environment $1 -Package \$p -ConfigurationPath '$work/environments.json' -ErrorAction Stop; \$w.Stop();
    \$o = (\$r.Steps | Where-Object Name -eq 'odoo' | Select-Object -First 1).Seconds; if (-not \$o) { \$o = 0 }
    '{0:0.00} {1:0.00} {2}' -f \$w.Elapsed.TotalSeconds, \$o, \$r.Status" | tail -n1
}
run() { # $1 = scenario label: one host then four
  read -r t1 o1 s1 <<< "$(deploy one "$2")"; read -r t4 o4 s4 <<< "$(deploy four "$2")"
  local e1 e4; e1=$(echo "$t1 - $o1" | bc -l); e4=$(echo "$t4 - $o4" | bc -l)
  printf '%-28s %7.2f %7.2f %7.2f %7.2f %8.2f  (%s/%s)\n' "$1" "$t1" "$t4" "$e1" "$e4" "$(echo "$e4 / $e1" | bc -l)" "$s1" "$s4"
}
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
printf '%-28s %7s %7s %7s %7s %8s\n' scenario one_s four_s one-odoo four-odoo ratio
run "first deploy (20 addons)" v1.zip
echo "# changed" >> "$work/addons/ig_bench_07/models/m1.py"
run "one addon changed" v2.zip
# The unchanged redeploy is ~0.3-0.5 s, where one run's noise is a tenth of it: the median of 5 alternating runs.
median() { sort -n | sed -n 3p; }
u1=(); u4=(); us1=""; us4=""
for _ in 1 2 3 4 5; do
  read -r t1 _ s1 <<< "$(deploy one v2.zip)"; read -r t4 _ s4 <<< "$(deploy four v2.zip)"
  u1+=("$t1"); u4+=("$t4"); us1=$s1; us4=$s4
done
m1=$(printf '%s\n' "${u1[@]}" | median); m4=$(printf '%s\n' "${u4[@]}" | median)
printf '%-28s %7.2f %7.2f %7.2f %7.2f %8.2f  (%s/%s; median of 5: one %s, four %s)\n' "unchanged redeploy" "$m1" "$m4" "$m1" "$m4" "$(echo "$m4 / $m1" | bc -l)" "$us1" "$us4" "${u1[*]}" "${u4[*]}"
echo "(ratio = four hosts / one host, Odoo's -i/-u excluded (it runs once, on the primary). Stand-in odoo and web server on each host;"
echo " after a maintenance window the primary restarts first (canary), then the other three at once; without one, one host at a time.)"
