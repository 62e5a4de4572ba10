#!/usr/bin/env bash
# A second real PostgreSQL cluster that plays the production server in the environment tests (a refresh of
# staging from production crosses clusters, as it crosses servers in real life). Same approach as
# 21-postgres.sh: our own cluster in a temp dir, run by the postgres system user, on its own high port of
# 127.0.0.1, its own data dir and its own password for the test role.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  for i in 1 2 3 4 5; do
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null && break
    sleep 5   # the dpkg lock of a concurrent install
  done
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
owner=postgres
id "$owner" >/dev/null 2>&1 || useradd -r -m -s /bin/bash "$owner"
data=$(mktemp -d /tmp/ig-pg-prod.XXXXXX)
chown "$owner" "$data"; chmod 0700 "$data"
port=$(/usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
role=igodoo
password="pg-prod-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pwfile="$data.pw"; printf '%s\n' "$password" > "$pwfile"; chown "$owner" "$pwfile"; chmod 0600 "$pwfile"
su "$owner" -c "$bin/initdb -D '$data/db' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null"
cat >> "$data/db/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
su "$owner" -c "$bin/pg_ctl -D '$data/db' -l '$data/server.log' -w start >/dev/null"
su "$owner" -c "psql -h '$data' -p $port -U postgres -qAt -c \"CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'\""
rm -f "$pwfile"
cat >> "$IG_TEST_ENV" <<ENV
export PG_PROD_TEST_PORT=$port
export PG_PROD_TEST_USER=$role
export PG_PROD_TEST_PASSWORD=$password
export PG_PROD_TEST_DATA=$data/db
ENV
cat > "$IG_TEST_STATE/cleanup/22-postgres-production.sh" <<CLEAN
su $owner -c "$bin/pg_ctl -D '$data/db' -m immediate stop" >/dev/null 2>&1 || true
rm -rf "$data"
CLEAN
