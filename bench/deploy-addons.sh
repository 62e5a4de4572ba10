#!/usr/bin/env bash
# The 20 generated addons both deploy benchmarks deploy (bench/deploy.sh, bench/deploy-hosts.sh):
#   bash bench/deploy-addons.sh DIR    -> DIR/ig_bench_01 … ig_bench_20 (~150 KB of random Python, XML and PO each)
set -euo pipefail
dir="${1:?DIR}"; mkdir -p "$dir"
for i in $(seq -w 1 20); do
  d="$dir/ig_bench_$i"; mkdir -p "$d/models" "$d/views" "$d/i18n"
  printf "{'name': 'ig_bench_%s', 'version': '17.0.1.0.0', 'depends': ['base'], 'license': 'LGPL-3'}\n" "$i" > "$d/__manifest__.py"
  echo "from . import models" > "$d/__init__.py"
  for m in 1 2 3 4 5; do head -c 20000 /dev/urandom | base64 > "$d/models/m$m.py"; done
  head -c 30000 /dev/urandom | base64 > "$d/views/views.xml"; head -c 10000 /dev/urandom | base64 > "$d/i18n/fr.po"
done
