#!/usr/bin/env bash
# The linters Invoke-OdooLint runs: OCA's pylint-odoo (with the pylint it pins) and flake8 from PyPI, in a venv
# cached under $IG_CACHE (module/lint/requirements.txt), put first on PATH for the tests, the Pester run and the
# gitlab-ci-local pipeline. Where PyPI cannot be reached, a per-run venv over Debian's pylint and flake8 (apt) with
# the TEST STAND-IN for pylint-odoo (tests/unit/Quality/testdata/standin, the few checks the tests use) instead;
# IG_PYLINT_ODOO says which: the pinned version, or "standin".
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
requirements="$repo/module/lint/requirements.txt"
cache="${IG_CACHE:-/var/cache/influencegen-tests}"
key=$(sha256sum "$requirements" | cut -c1-12)
venv="$cache/lint-venv-$key"

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  for try in 1 2 3 4 5; do
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then return 0; fi
    echo "apt-get failed (dpkg lock?), retry $try" >&2; sleep 5
  done
  return 1
}

apt_install python3-venv
if [ ! -f "$venv/.complete" ]; then
  # venvs are not relocatable: built in place, marked complete last, rebuilt when the marker is missing.
  rm -rf "$venv"
  mkdir -p "$cache"
  /usr/bin/python3 -m venv "$venv"
  if "$venv/bin/pip" install -q --disable-pip-version-check --no-input --retries 1 --timeout 20 -r "$requirements" >"$venv.log" 2>&1; then
    "$venv/bin/pip" freeze > "$venv/.complete"
  else
    echo "PyPI not reachable ($(tail -n 1 "$venv.log")): linting with Debian's pylint and flake8 and the TEST STAND-IN for pylint-odoo" >&2
    rm -rf "$venv"
  fi
fi

if [ -f "$venv/.complete" ]; then
  bin="$venv/bin"
  pylint_odoo=$(sed -n 's/^pylint-odoo==//p' "$venv/.complete")
else
  apt_install pylint flake8 python3-pylint-plugin-utils
  standin="$IG_TEST_STATE/lint-standin"
  rm -rf "$standin"
  /usr/bin/python3 -m venv --system-site-packages --without-pip "$standin"
  site=$("$standin/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$repo/tests/unit/Quality/testdata/standin" > "$site/ig-pylint-odoo-standin.pth"
  printf '#!%s\nimport sys\nfrom pylint import run_pylint\nsys.exit(run_pylint())\n' "$standin/bin/python" > "$standin/bin/pylint"
  printf '#!%s\nimport sys\nfrom flake8.main.cli import main\nsys.exit(main())\n' "$standin/bin/python" > "$standin/bin/flake8"
  chmod +x "$standin/bin/pylint" "$standin/bin/flake8"
  bin="$standin/bin"
  pylint_odoo=standin
fi
# (read whole: `| head -n 1` would close the pipe on pylint, whose BrokenPipeError fails the script under pipefail)
pylint_version=$("$bin/pylint" --version)
flake8_version=$("$bin/flake8" --version)
echo "lint: pylint-odoo $pylint_odoo, ${pylint_version%%$'\n'*}; flake8 ${flake8_version%%$'\n'*}"
# Only the two linters go on PATH, not the venv's python.
onpath="$IG_TEST_STATE/lint-bin"
mkdir -p "$onpath"
ln -sfn "$bin/pylint" "$onpath/pylint"
ln -sfn "$bin/flake8" "$onpath/flake8"
{
  echo "export IG_FLAKE8=$bin/flake8"
  echo "export IG_PYLINT=$bin/pylint"
  echo "export IG_PYLINT_ODOO=$pylint_odoo"
  echo "export PATH=$onpath:\$PATH"
} >> "$IG_TEST_ENV"
