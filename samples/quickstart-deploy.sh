#!/usr/bin/env bash
# Quick start of the deploy: packages samples/addons and deploys them to the `local` environment
# (.influencegen/local under the repository), then shows the ledger.
#
# There is no Odoo here: the `local` environment of samples/environments.json runs the STAND-IN odoo
# of tests/unit/Deploy/standin/ (a small python script that records installs/upgrades in PostgreSQL and
# answers /web/health), so the whole deploy path runs on a machine without Odoo. It needs PostgreSQL:
# give one with LOCAL_ODOO_DB_HOST/PORT/USER/PASSWORD, or run this as root and it starts a throwaway
# cluster with tests/setup/21-postgres.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
if [ -z "${LOCAL_ODOO_DB_PORT:-}" ]; then
  export IG_TEST_STATE="$(mktemp -d /tmp/ig-quickstart.XXXXXX)"; export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
  mkdir -p "$IG_TEST_STATE/cleanup"; : > "$IG_TEST_ENV"
  bash tests/setup/21-postgres.sh
  # shellcheck disable=SC1090
  source "$IG_TEST_ENV"
  echo "PostgreSQL for the quick start on 127.0.0.1:$PG_TEST_PORT (stop: bash $IG_TEST_STATE/cleanup/21-postgres.sh)"
  export LOCAL_ODOO_DB_HOST=127.0.0.1 LOCAL_ODOO_DB_PORT=$PG_TEST_PORT LOCAL_ODOO_DB_USER=$PG_TEST_USER LOCAL_ODOO_DB_PASSWORD=$PG_TEST_PASSWORD
fi
# The minimal Odoo tables the deploy reads (a real Odoo database has them already).
PGPASSWORD="$LOCAL_ODOO_DB_PASSWORD" psql -X -q -h "$LOCAL_ODOO_DB_HOST" -p "$LOCAL_ODOO_DB_PORT" -U "$LOCAL_ODOO_DB_USER" -d postgres \
  -tc "select 1 from pg_database where datname = 'influencegen_local'" | grep -q 1 || {
  PGPASSWORD="$LOCAL_ODOO_DB_PASSWORD" createdb -h "$LOCAL_ODOO_DB_HOST" -p "$LOCAL_ODOO_DB_PORT" -U "$LOCAL_ODOO_DB_USER" influencegen_local
  PGPASSWORD="$LOCAL_ODOO_DB_PASSWORD" psql -X -q -h "$LOCAL_ODOO_DB_HOST" -p "$LOCAL_ODOO_DB_PORT" -U "$LOCAL_ODOO_DB_USER" -d influencegen_local -c "
    create table ir_module_module (id serial primary key, name varchar unique, state varchar, latest_version varchar);
    create table ir_config_parameter (id serial primary key, key varchar unique, value text);
    create table res_lang (id serial primary key, code varchar unique, active boolean);
    insert into res_lang (code, active) values ('en_US', true);
    insert into ir_module_module (name, state, latest_version) values ('base', 'installed', '17.0.1.3'), ('mail', 'installed', '17.0.1.15'), ('contacts', 'installed', '17.0.1.0');"
}
# The stand-in listens on a port free right now, not a fixed one: with a fixed port another checkout's stand-in
# could answer the health check (the deploy now refuses that: HealthAnsweredByAnotherServer). The port reaches the
# deploy through the `local` environment's CI variables, which override samples/environments.json.
port=${IG_QUICKSTART_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export LOCAL_ODOO_RESTART_COMMAND="IG_STANDIN_STATE={root}/standin ../../tests/unit/Deploy/standin/odoo-restart $port --addons-path={current}"
export LOCAL_ODOO_HEALTH_URL="http://127.0.0.1:$port"
echo "The stand-in odoo listens on 127.0.0.1:$port (stop: IG_STANDIN_STATE=$repo/.influencegen/local/standin tests/unit/Deploy/standin/odoo-stop)"
pwsh="${IG_PWSH:-}"
[ -n "$pwsh" ] && [ -x "$pwsh" ] || pwsh=$(bash build.sh)
export PSModulePath="$repo/out${PSModulePath:+:$PSModulePath}"
mkdir -p samples/out
"$pwsh" -NoProfile -NonInteractive -c '
  "The deployment:"
  New-OdooAddonPackage -Path samples/addons -OutFile samples/out/addons.zip |
    Deploy-InfluenceGen -Environment local -ConfigurationPath samples/environments.json | Out-Default
  "The ledger (.influencegen/local/deployments.jsonl), verified:"
  Get-InfluenceGenDeployment -Environment local -ConfigurationPath samples/environments.json -Last 3 -Verify'
