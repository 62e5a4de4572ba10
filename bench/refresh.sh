#!/usr/bin/env bash
# Benchmark: Copy-OdooDatabase (staging refreshed from production) against what one does by hand,
#   ssh prod 'pg_dump -Fc DB' | ssh staging 'pg_restore -d NEWDB'
# with the real sshd and two real PostgreSQL clusters on 127.0.0.1 (the second plays production), on a
# database of about 200 MB. Prints both times and the ratio in one run.
#
# What ours does on top of the hand-made pipe: a free-space check, the dump landed (0600) on the destination
# and its sha256 checked, pg_restore -j from that file into a NEW database, the catalog verified against the
# dump's TOC, odoo-bin neutralize (the stand-in), a fresh uuid/secret + web.base.url, Odoo stopped, the swap
# by rename, restart + health check, the old database dropped, the ledger. The hand-made pipe does none of it
# (and restores into a fresh database nobody uses yet).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export IG_TEST_STATE="$(mktemp -d /tmp/ig-bench.XXXXXX)"; export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
mkdir -p "$IG_TEST_STATE/cleanup"; : > "$IG_TEST_ENV"
cleanup() {
  [ -s "${t:-/nonexistent}/state/http.pid" ] && kill "$(cat "$t/state/http.pid")" 2>/dev/null || true
  for s in $(ls -r "$IG_TEST_STATE/cleanup/" 2>/dev/null); do bash "$IG_TEST_STATE/cleanup/$s" >/dev/null 2>&1 || true; done
  [ -n "${t:-}" ] && rm -rf "$t"
}
trap cleanup EXIT
bash tests/setup/20-sshd.sh >/dev/null 2>&1; bash tests/setup/21-postgres.sh >/dev/null 2>&1; bash tests/setup/22-postgres-production.sh >/dev/null 2>&1
# shellcheck disable=SC1090
source "$IG_TEST_ENV"
pwsh=$(bash build.sh)
export PSModulePath="$PWD/out${PSModulePath:+:$PSModulePath}"
command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
mb=${BENCH_REFRESH_MB:-200}

home="$SSH_TEST_HOME"; t="$home/bench-refresh-$$"; mkdir -p "$t/state"
cp tests/unit/Deploy/standin/odoo tests/unit/Deploy/standin/odoo-http tests/unit/Deploy/standin/odoo-restart tests/unit/Deploy/standin/odoo-stop "$t/"
printf '*:*:*:*:%s\n' "$PG_PROD_TEST_PASSWORD" > "$t/prod.pgpass"; printf '*:*:*:*:%s\n' "$PG_TEST_PASSWORD" > "$t/stg.pgpass"
chmod 600 "$t"/*.pgpass; chown -R "$SSH_TEST_USER" "$t"
port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')

schema="create table ir_config_parameter (id serial primary key, key varchar not null unique, value text);
  create table ir_module_module (id serial primary key, name varchar not null unique, state varchar, latest_version varchar);
  create table res_lang (id serial primary key, code varchar not null unique, active boolean);
  create table ir_cron (id serial primary key, name varchar, active boolean);"
# production: ~$mb MB (partners with an index, campaigns with a foreign key, a message table)
PGPASSFILE="$t/prod.pgpass" createdb -h 127.0.0.1 -p "$PG_PROD_TEST_PORT" -U "$PG_PROD_TEST_USER" bench_prod
rows=$(( mb * 4200 ))
PGPASSFILE="$t/prod.pgpass" psql -X -q -h 127.0.0.1 -p "$PG_PROD_TEST_PORT" -U "$PG_PROD_TEST_USER" -d bench_prod -c "$schema
  create table res_partner (id serial primary key, name varchar, email varchar, phone varchar);
  create table ig_campaign (id serial primary key, partner_id int references res_partner(id), name varchar, body text);
  insert into res_partner (name, email, phone) select 'influencer ' || g, 'i' || g || '@example.com', '+41 79 ' || g from generate_series(1, $rows / 4) g;
  insert into ig_campaign (partner_id, name, body) select 1 + g % ($rows / 4), 'campaign ' || g, md5(g::text) || md5((g+1)::text) || md5(random()::text) from generate_series(1, $rows) g;
  create index on res_partner (email); create index on ig_campaign (partner_id);
  insert into ir_cron (name, active) values ('mail', true);"
size=$(PGPASSFILE="$t/prod.pgpass" psql -X -A -t -h 127.0.0.1 -p "$PG_PROD_TEST_PORT" -U "$PG_PROD_TEST_USER" -d bench_prod -c "select pg_size_pretty(pg_database_size('bench_prod'))")
# staging: a small database, served by the stand-in
PGPASSFILE="$t/stg.pgpass" createdb -h 127.0.0.1 -p "$PG_TEST_PORT" -U "$PG_TEST_USER" bench_stg
PGPASSFILE="$t/stg.pgpass" psql -X -q -h 127.0.0.1 -p "$PG_TEST_PORT" -U "$PG_TEST_USER" -d bench_stg -c "$schema"
su "$SSH_TEST_USER" -c "PGPASSFILE=$t/stg.pgpass PGHOST=127.0.0.1 PGPORT=$PG_TEST_PORT PGUSER=$PG_TEST_USER IG_STANDIN_STATE=$t/state $t/odoo-restart $port" >/dev/null

env_of() { # $1 root, $2 db, $3 pg port, $4 extra
  printf '"OdooSshHost": "127.0.0.1", "OdooSshPort": %s, "OdooSshUser": "%s", "OdooSshHostKey": "%s", "DeployRoot": "%s", "OdooDatabase": "%s", "OdooDatabaseHost": "127.0.0.1", "OdooDatabasePort": %s, "OdooDatabaseUser": "%s", "OdooRuntime": "command"%s' \
    "$SSH_TEST_PORT" "$SSH_TEST_USER" "$SSH_TEST_HOST_KEY_FINGERPRINT" "$1" "$2" "$3" "$PG_TEST_USER" "$4"
}
cat > "$t/environments.json" <<JSON
{ "environments": {
  "live": { $(env_of "$t/live" bench_prod "$PG_PROD_TEST_PORT" "") },
  "stage": { $(env_of "$t/stage" bench_stg "$PG_TEST_PORT" ", \"OdooCommand\": \"IG_STANDIN_STATE=$t/state $t/odoo\", \"RestartCommand\": \"IG_STANDIN_STATE=$t/state $t/odoo-restart $port\", \"StopCommand\": \"IG_STANDIN_STATE=$t/state $t/odoo-stop\", \"OdooUrl\": \"http://127.0.0.1:$port\"") }
} }
JSON
export LIVE_ODOO_SERVER_SSH_PRIVATE_KEY="$(cat "$SSH_TEST_KEY")" LIVE_ODOO_DB_PASSWORD="$PG_PROD_TEST_PASSWORD"
export STAGE_ODOO_SERVER_SSH_PRIVATE_KEY="$(cat "$SSH_TEST_KEY")" STAGE_ODOO_DB_PASSWORD="$PG_TEST_PASSWORD"

ours=$("$pwsh" -NoProfile -NonInteractive -c "\$w = [Diagnostics.Stopwatch]::StartNew();
  \$r = Copy-OdooDatabase -From live -To stage -Neutralize -Force -ConfigurationPath '$t/environments.json' -ErrorAction Stop; \$w.Stop();
  [Console]::Error.WriteLine('ours: ' + \$r.Size + ' streamed, neutralized=' + \$r.Neutralized + ', ' + \$r.Objects);
  [Math]::Round(\$w.Elapsed.TotalSeconds, 2)" | tail -n1)

ssh_=(ssh -q -o BatchMode=yes -o UserKnownHostsFile="$SSH_TEST_KNOWN_HOSTS" -i "$SSH_TEST_KEY" -p "$SSH_TEST_PORT" "$SSH_TEST_USER@127.0.0.1")
s=$(date +%s.%N)
"${ssh_[@]}" "PGPASSFILE=$t/stg.pgpass createdb -h 127.0.0.1 -p $PG_TEST_PORT -U $PG_TEST_USER bench_hand"
"${ssh_[@]}" "PGPASSFILE=$t/prod.pgpass pg_dump -Fc -h 127.0.0.1 -p $PG_PROD_TEST_PORT -U $PG_PROD_TEST_USER bench_prod" \
  | "${ssh_[@]}" "PGPASSFILE=$t/stg.pgpass pg_restore --no-owner -h 127.0.0.1 -p $PG_TEST_PORT -U $PG_TEST_USER -d bench_hand"
e=$(date +%s.%N)
hand=$(echo "$e - $s" | bc -l | xargs printf '%.2f')
printf 'database: %s (production, second cluster) -> staging (first cluster), over the real sshd\n' "$size"
printf '%-44s %8s\n' "Copy-OdooDatabase -Neutralize (all steps)" "$ours"
printf '%-44s %8s\n' "by hand: ssh pg_dump -Fc | ssh pg_restore" "$hand"
printf '%-44s %8.2f\n' "ratio ours/by hand" "$(echo "$ours / $hand" | bc -l)"
