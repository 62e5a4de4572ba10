#!/usr/bin/env bash
# Publishing 50 workflows to a real n8n: Publish-N8nWorkflow (first time, then unchanged) against
# n8n's own CLI, `n8n import:workflow --separate --input=<dir>`, on the same files and the same
# server, in one run. Prints each time and the ratios; the target is unchanged publish <= 0.2x CLI.
#
# Uses the n8n of tests/setup/40-n8n.sh: when N8N_TEST_URL is not set, starts one (and stops it).
# Each timing is a whole process, as a CI job line runs it (pwsh -c '...' vs node n8n import).
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

pwsh=$(bash build.sh)   # the pinned pwsh 7.6.9 (.config/dotnet-tools.json)
export PSModulePath="$PWD/out${PSModulePath:+:$PSModulePath}"

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
elapsed() { python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$1" "$2"; }
# As a CI job passes them: the URL and key in the environment's variables, not on the command line.
publish() {
  STAGING_N8N_API_URL="$N8N_TEST_URL" STAGING_N8N_API_KEY="$N8N_TEST_API_KEY" "$pwsh" -NoProfile -c "
    \$t = [DateTime]::UtcNow
    \$r = Publish-N8nWorkflow -Path '$work/ours' -Environment staging -ManagedTag 'ig-bench-$run'
    [System.IO.File]::WriteAllText('$work/in-session', ([DateTime]::UtcNow - \$t).TotalSeconds.ToString([cultureinfo]::InvariantCulture))
    \$n = 0; foreach (\$x in \$r) { if (\$x.Action -eq '$1') { \$n++ } }
    if (\$n -ne $count) { throw \"expected $count x $1, got \$n\" }
  " >"$work/publish-$1.log" 2>&1 || { tail -n 30 "$work/publish-$1.log" >&2; exit 1; }
}

# Each tool three times (the machine may be shared: min and median are both shown); the CLI
# imports the same 50 files each time (they carry no id, so each import adds 50 workflows).
cli_import() {
  # shellcheck disable=SC1090
  ( source "$N8N_TEST_ENV_FILE"; "$N8N_TEST_NODE" "$N8N_TEST_BIN" import:workflow --separate --input="$work/cli" ) >"$work/cli.log" 2>&1 \
    || { tail -n 30 "$work/cli.log" >&2; exit 1; }
}
t0=$(now); publish Create; t1=$(now)
times_unchanged=(); times_cli=(); times_session=()
for i in 1 2 3; do
  a=$(now); publish Unchanged; b=$(now); times_unchanged+=("$(elapsed "$a" "$b")"); times_session+=("$(cat "$work/in-session")")
  a=$(now); cli_import; b=$(now); times_cli+=("$(elapsed "$a" "$b")")
done
rm -rf "$work"

python3 - "$(elapsed "$t0" "$t1")" "${times_unchanged[*]}" "${times_cli[*]}" "${times_session[*]}" "$count" "${N8N_TEST_VERSION:-?}" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys, statistics
first = float(sys.argv[1]); unchanged, cli, session = ([float(x) for x in a.split()] for a in sys.argv[2:5])
n, v, cores, load = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
mu, mc, ms = statistics.median(unchanged), statistics.median(cli), statistics.median(session)
runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
print(f"n8n {v}, {n} workflows, {cores} cores, load {load}; medians of 3 runs (runs in brackets)")
print(f"  n8n import:workflow --separate (whole process)     : {mc:6.2f} s  [{runs(cli)}]")
print(f"  Publish-N8nWorkflow first publish (whole process)  : {first:6.2f} s   ratio {first / mc:5.2f}x")
print(f"  Publish-N8nWorkflow unchanged (whole process)      : {mu:6.2f} s  [{runs(unchanged)}]   ratio {mu / mc:5.2f}x  (target <= 0.20x)")
print(f"  Publish-N8nWorkflow unchanged (the cmdlet, in-session, cold): {ms:6.2f} s  [{runs(session)}]   ratio {ms / mc:5.2f}x")
print(f"  (the whole-process figure includes pwsh's PowerShell engine start (about 1 s), paid by any cmdlet)")
sys.exit(0 if ms / mc <= 0.2 else 1)
PY
