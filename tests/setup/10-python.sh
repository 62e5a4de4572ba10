#!/usr/bin/env bash
# python3: the reference implementation of module_auto_update's addon checksum runs in it.
set -euo pipefail
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
fi
echo "export IG_PYTHON=$(command -v python3)" >> "$IG_TEST_ENV"
