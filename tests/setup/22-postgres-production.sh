#!/usr/bin/env bash
# A second real PostgreSQL cluster that plays the production server in the environment tests (a refresh of
# staging from production crosses clusters, as it crosses servers in real life): 21-postgres.sh again, its
# variables named PG_PROD_TEST_PORT/USER/PASSWORD/DATA.
set -euo pipefail
exec bash "$(dirname "$0")/21-postgres.sh" PROD_TEST
