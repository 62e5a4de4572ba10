#!/usr/bin/env bash
# Publishing 50 workflows to a real n8n: Publish-N8nWorkflow (first time, then unchanged) against
# n8n's own CLI, `n8n import:workflow --separate --input=<dir>`, on the same files and the same
# server, in one run. Prints each time and the ratios; the target is unchanged publish <= 0.2x CLI.
#
# Uses the n8n of tests/setup/40-n8n.sh: when N8N_TEST_URL is not set, starts one (and stops it).
# Each timing is a whole process, as a CI job line runs it (ig-pwsh -c '...' vs node n8n import).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
count="${BENCH_WORKFLOWS:-50}"

if [ -z "${N8N_TEST_URL:-}" ]; then
  export IG_CACHE="${IG_CACHE:-/var/cache/influencegen-tests}"
  export IG_TEST_STATE="$(mktemp -d /tmp/ig-bench-state.XXXXXX)"
  export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
  mkdir -p "$IG_TEST_STATE/cleanup" && : > "$IG_TEST_ENV"
  trap 'bash "$IG_TEST_STATE/cleanup/40-n8n.sh" >/dev/null 2>&1 || true' EXIT
  bash tests/setup/40-n8n.sh >&2
  # shellcheck disable=SC1090
  source "$IG_TEST_ENV"
fi

host=""
for c in Release Debug; do
  [ -x "src/InfluenceGen.Deploy.Host/bin/$c/net10.0/ig-pwsh" ] && [ -d out/InfluenceGen.Deploy ] && { host="src/InfluenceGen.Deploy.Host/bin/$c/net10.0/ig-pwsh"; break; }
done
if [ -z "$host" ]; then
  dotnet build Deploy.sln -c Release -nologo -v quiet >&2
  host="src/InfluenceGen.Deploy.Host/bin/Release/net10.0/ig-pwsh"
fi

work="$(mktemp -d /tmp/ig-bench-n8n.XXXXXX)"
run="b$(date +%s | tail -c 7)"
python3 - "$repo/samples/workflows" "$work/ours" "$work/cli" "$count" "$run" <<'PY'
import json, os, sys, uuid, glob
src, ours, cli, count, run = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
samples = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(src, "*.json")))]
os.makedirs(ours); os.makedirs(cli)
for i in range(count):
    for folder, who in ((ours, "ig"), (cli, "cli")):
        wf = json.loads(json.dumps(samples[i % len(samples)]))
        wf["name"] = f"{run}-{who} {i:02d} {wf['name']}"
        wf.pop("id", None)
        wf["active"] = False  # the CLI imports inactive; compare like with like
        for n in wf["nodes"]:
            if n["type"] == "n8n-nodes-base.webhook":
                n["parameters"]["path"] = f"{run}-{who}-{i}-{n['parameters']['path']}"
                n["webhookId"] = str(uuid.uuid4())
        json.dump(wf, open(os.path.join(folder, f"wf-{i:02d}.json"), "w"), indent=2)
PY

now() { date +%s.%N; }
# As a CI job passes them: the URL and key in the environment's variables, not on the command line.
publish() {
  STAGING_N8N_API_URL="$N8N_TEST_URL" STAGING_N8N_API_KEY="$N8N_TEST_API_KEY" "$host" -NoProfile -c "
    \$r = Publish-N8nWorkflow -Path '$work/ours' -Environment staging -ManagedTag 'ig-bench-$run'
    \$n = 0; foreach (\$x in \$r) { if (\$x.Action -eq '$1') { \$n++ } }
    if (\$n -ne $count) { throw \"expected $count x $1, got \$n\" }
  " >"$work/publish-$1.log" 2>&1 || { tail -n 30 "$work/publish-$1.log" >&2; exit 1; }
}

t0=$(now); publish Create; t1=$(now); publish Unchanged; t2=$(now)
# shellcheck disable=SC1090
( source "$N8N_TEST_ENV_FILE"; "$N8N_TEST_NODE" "$N8N_TEST_BIN" import:workflow --separate --input="$work/cli" ) >"$work/cli.log" 2>&1 \
  || { cat "$work/cli.log" >&2; exit 1; }
t3=$(now)
rm -rf "$work"

python3 - "$t0" "$t1" "$t2" "$t3" "$count" "${N8N_TEST_VERSION:-?}" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5]); n = sys.argv[5]; v = sys.argv[6]
first, unchanged, cli = t1 - t0, t2 - t1, t3 - t2
print(f"n8n {v}, {n} workflows, each a whole process:")
print(f"  Publish-N8nWorkflow, first publish : {first:7.2f} s   ratio to CLI {first / cli:5.2f}x")
print(f"  Publish-N8nWorkflow, unchanged     : {unchanged:7.2f} s   ratio to CLI {unchanged / cli:5.2f}x  (target <= 0.20x)")
print(f"  n8n import:workflow --separate     : {cli:7.2f} s")
sys.exit(0 if unchanged / cli <= 0.2 else 1)
PY
