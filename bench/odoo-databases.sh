#!/usr/bin/env bash
# The databases both deploy benchmarks deploy into (bench/deploy.sh, bench/deploy-hosts.sh): on the tests' PostgreSQL
# ($PG_TEST_PORT/_USER/_PASSWORD), each with the tables of Odoo's that the stand-in odoo and the deploy read.
#   bash bench/odoo-databases.sh DB [DB …]
set -euo pipefail
export PGPASSWORD="$PG_TEST_PASSWORD"
for db in "$@"; do
  createdb -h 127.0.0.1 -p "$PG_TEST_PORT" -U "$PG_TEST_USER" "$db"
  psql -X -q -h 127.0.0.1 -p "$PG_TEST_PORT" -U "$PG_TEST_USER" -d "$db" -c "
    create table ir_module_module (id serial primary key, name varchar unique, state varchar, latest_version varchar);
    create table ir_config_parameter (id serial primary key, key varchar unique, value text);
    create table res_lang (id serial primary key, code varchar unique, active boolean);
    insert into res_lang (code, active) values ('en_US', true);"
done
