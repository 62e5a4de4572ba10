#!/usr/bin/env bash
# flake8 and pylint (Debian packages): Invoke-OdooLint's tests run the real linters.
set -euo pipefail
missing=()
command -v flake8 >/dev/null 2>&1 || missing+=(flake8)
command -v pylint >/dev/null 2>&1 || missing+=(pylint)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "export IG_FLAKE8=$(command -v flake8)" >> "$IG_TEST_ENV"
echo "export IG_PYLINT=$(command -v pylint)" >> "$IG_TEST_ENV"
