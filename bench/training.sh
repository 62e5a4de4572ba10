#!/usr/bin/env bash
# Publishing a generated training portal (1,000 files, ~200 MB: many small pages and assets, some
# multi-MB PDFs and videos) with Publish-TrainingMaterial against the public tools the old script used,
# on the same servers, in one run:
#   S3   (fauxqs on 127.0.0.1)  vs Debian's `aws s3 sync --delete` (awscli 2.9.19, /usr/bin/aws):
#        first publish (target <= 1.0x), one file changed (<= 0.5x), nothing changed (<= 0.3x);
#   SSH  (the real sshd)        vs `rsync -a --delete -e ssh`: one file changed (<= 1.0x).
# Each tool runs as a process, as a CI job line runs it (pwsh -c '…' vs aws / rsync); the cmdlet's own
# time inside its session (an admin's warm shell) is printed too. Steady-state cases: median of 3 runs.
#
# Uses the servers of tests/setup/25-fauxqs.sh and 20-sshd.sh: when S3_TEST_ENDPOINT / SSH_TEST_HOST are
# not set, starts them (and stops them). Installs awscli and rsync with apt when missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

if [ -z "${S3_TEST_ENDPOINT:-}" ] || [ -z "${SSH_TEST_HOST:-}" ]; then
  export IG_CACHE="${IG_CACHE:-/var/cache/influencegen-tests}"
  export IG_TEST_STATE="$(mktemp -d /tmp/ig-bench-state.XXXXXX)"
  export IG_TEST_ENV="$IG_TEST_STATE/env.sh"
  mkdir -p "$IG_TEST_STATE/cleanup" && : > "$IG_TEST_ENV"
  [ -n "${S3_TEST_ENDPOINT:-}" ] || bash tests/setup/25-fauxqs.sh >&2
  [ -n "${SSH_TEST_HOST:-}" ] || bash tests/setup/20-sshd.sh >&2
  # shellcheck disable=SC1090
  source "$IG_TEST_ENV"
fi
if [ ! -x /usr/bin/aws ] || ! command -v rsync >/dev/null 2>&1; then
  for _ in 1 2 3 4 5; do
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli rsync >/dev/null; } && break
    sleep 10   # the dpkg lock may be held by another install
  done
fi
aws=/usr/bin/aws   # Debian's awscli 2.x (an older v1 may come first on PATH)

# The PowerShell that runs the CI job line: the pinned pwsh 7.6.9, the module on PSModulePath.
pwsh=("$(bash build.sh)"); host_name="pwsh $("${pwsh[0]}" -NoProfile -c '$PSVersionTable.PSVersion.ToString()')"
export PSModulePath="$repo/out${PSModulePath:+:$PSModulePath}" POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off
# PowerShell's module analysis cache, as the build image ships it (dockerfiles/pwsh-module-cache.sh: without it
# every fresh pwsh sleeps 75 ms and analyses the modules again; ~14 s, not timed).
bash dockerfiles/pwsh-module-cache.sh "${pwsh[0]}" 2>/dev/null

work="$(mktemp -d /tmp/ig-bench-training.XXXXXX)"
cleanup_work() { rm -rf "$work"; [ -n "${remote_dirs:-}" ] && rm -rf $remote_dirs; true; }
trap 'cleanup_work; [ -n "${IG_TEST_STATE:-}" ] && for s in "$IG_TEST_STATE"/cleanup/*.sh; do bash "$s" >/dev/null 2>&1 || true; done' EXIT

# ---- the portal: 1,000 files, ~200 MB (deterministic) -------------------------------------------
python3 - "$work/site" <<'PY'
import os, random, sys
root = sys.argv[1]; rnd = random.Random(14)
def write(rel, data):
    p = os.path.join(root, rel); os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data)
def text(n): return ("".join(rnd.choice("abcdefghij klmnop\n") for _ in range(n))).encode()
n = 0
write("index.html", b"<html>" + text(4000) + b"</html>"); n += 1
for s in range(20):                                            # 20 sections x 30 pages
    write(f"s{s:02d}/index.html", b"<html>" + text(3000) + b"</html>"); n += 1
    for p in range(29):
        write(f"s{s:02d}/page-{p:02d}.html", b"<html>" + text(rnd.randint(4000, 24000)) + b"</html>"); n += 1
for i in range(150): write(f"assets/css/c{i:03d}.{rnd.getrandbits(40):010x}.css", text(rnd.randint(2000, 12000))); n += 1
for i in range(100): write(f"assets/js/m{i:03d}.{rnd.getrandbits(40):010x}.js", text(rnd.randint(3000, 30000))); n += 1
for i in range(110): write(f"img/fig-{i:03d}.webp", rnd.randbytes(rnd.randint(50_000, 250_000))); n += 1
for i in range(10): write(f"docs/handbook-{i:02d}.pdf", rnd.randbytes(rnd.randint(4_000_000, 7_000_000))); n += 1
for i in range(6): write(f"video/lesson-{i:02d}.mp4", rnd.randbytes(rnd.randint(18_000_000, 24_000_000))); n += 1
while n < 1000: write(f"assets/icons/i{n:04d}.svg", b"<svg xmlns='http://www.w3.org/2000/svg'>" + text(600) + b"</svg>"); n += 1
PY
files=$(find "$work/site" -type f | wc -l); mb=$(du -sm "$work/site" | cut -f1)

now() { date +%s.%N; }
elapsed() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$1" "$2"; }
change_one() { printf '<p>edit %s</p>\n' "$(date +%s%N)" >> "$work/site/s07/page-11.html"; }

# ---- S3 -------------------------------------------------------------------------------------------
export AWS_ACCESS_KEY_ID="$S3_TEST_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$S3_TEST_SECRET_ACCESS_KEY" AWS_DEFAULT_REGION="$S3_TEST_REGION" AWS_REGION="$S3_TEST_REGION"
export AWS_ENDPOINT_URL_S3="$S3_TEST_ENDPOINT" AWS_PAGER="" AWS_CONFIG_FILE=/dev/null
run="b$(date +%s)"
"$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3api create-bucket --bucket "$run-ours" >/dev/null
"$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3api create-bucket --bucket "$run-aws" >/dev/null

ours_s3() {   # $1 = expected uploads; writes the in-session seconds to $work/session
  TRAINING_S3_BUCKET_URL="s3://$run-ours/portal" TRAINING_PORTAL_TARGET_TYPE=S3 "${pwsh[@]}" -NoProfile -NonInteractive -c "
    \$r = Publish-TrainingMaterial -Path '$work/site' -Environment production -Delete
    [System.IO.File]::WriteAllText('$work/session', \$r.Duration.TotalSeconds.ToString([cultureinfo]::InvariantCulture))
    if (\$r.FilesUploaded -ne $1) { throw \"expected $1 uploads, got \$(\$r.FilesUploaded)\" }
  " >"$work/ours.log" 2>&1 || { tail -n 30 "$work/ours.log" >&2; exit 1; }
}
aws_s3() { "$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3 sync --delete --only-show-errors "$work/site/" "s3://$run-aws/portal/" >"$work/aws.log" 2>&1 || { tail -n 30 "$work/aws.log" >&2; exit 1; }; }

a=$(now); ours_s3 "$files"; b=$(now); first_ours=$(elapsed "$a" "$b"); first_session=$(cat "$work/session")
a=$(now); aws_s3; b=$(now); first_aws=$(elapsed "$a" "$b")
none_ours=(); none_aws=(); none_session=(); one_ours=(); one_aws=(); one_session=()
for _ in 1 2 3; do
  a=$(now); ours_s3 0; b=$(now); none_ours+=("$(elapsed "$a" "$b")"); none_session+=("$(cat "$work/session")")
  a=$(now); aws_s3; b=$(now); none_aws+=("$(elapsed "$a" "$b")")
  change_one
  a=$(now); ours_s3 1; b=$(now); one_ours+=("$(elapsed "$a" "$b")"); one_session+=("$(cat "$work/session")")
  a=$(now); aws_s3; b=$(now); one_aws+=("$(elapsed "$a" "$b")")
done
# both buckets hold the same portal
"$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3api list-objects-v2 --bucket "$run-ours" --query 'Contents[].[Key,Size]' --output text | sed 's/\t/ /' | sort > "$work/ours.list"
"$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3api list-objects-v2 --bucket "$run-aws" --query 'Contents[].[Key,Size]' --output text | sed 's/\t/ /' | sort > "$work/aws.list"
cmp -s "$work/ours.list" "$work/aws.list" || { echo "the two buckets differ" >&2; diff "$work/ours.list" "$work/aws.list" | head >&2; exit 1; }
"$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3 rm --recursive --only-show-errors "s3://$run-ours" || true
"$aws" --endpoint-url "$S3_TEST_ENDPOINT" s3 rm --recursive --only-show-errors "s3://$run-aws" || true

# ---- SSH ------------------------------------------------------------------------------------------
remote_ours="$SSH_TEST_HOME/bench-portal-$run"; remote_rsync="$SSH_TEST_HOME/bench-rsync-$run"
remote_dirs="$remote_ours $remote_rsync"
ssh_cmd="ssh -i $SSH_TEST_KEY -p $SSH_TEST_PORT -o UserKnownHostsFile=$SSH_TEST_KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes"
export TRAINING_PORTAL_SSH_HOST="$SSH_TEST_HOST" TRAINING_PORTAL_SSH_PORT="$SSH_TEST_PORT" TRAINING_PORTAL_SSH_USER="$SSH_TEST_USER"
export TRAINING_PORTAL_SSH_KEY_SECRET="$(cat "$SSH_TEST_KEY")" TRAINING_PORTAL_SSH_HOST_KEY="$SSH_TEST_HOST_KEY_FINGERPRINT"
ours_ssh() {
  TRAINING_PORTAL_TARGET_TYPE=WEBSERVER_SSH TRAINING_PORTAL_TARGET_DIR="$remote_ours" "${pwsh[@]}" -NoProfile -NonInteractive -c "
    \$r = Publish-TrainingMaterial -Path '$work/site' -Environment production -Delete
    [System.IO.File]::WriteAllText('$work/session', \$r.Duration.TotalSeconds.ToString([cultureinfo]::InvariantCulture))
    if (\$r.FilesUploaded -ne $1) { throw \"expected $1 uploads, got \$(\$r.FilesUploaded)\" }
  " >"$work/ours.log" 2>&1 || { tail -n 30 "$work/ours.log" >&2; exit 1; }
}
rsync_ssh() { rsync -a --delete -e "$ssh_cmd" "$work/site/" "$SSH_TEST_USER@$SSH_TEST_HOST:$remote_rsync/" >"$work/rsync.log" 2>&1 || { tail -n 30 "$work/rsync.log" >&2; exit 1; }; }
a=$(now); ours_ssh "$files"; b=$(now); ssh_first_ours=$(elapsed "$a" "$b")
a=$(now); rsync_ssh; b=$(now); ssh_first_rsync=$(elapsed "$a" "$b")
ssh_one_ours=(); ssh_one_rsync=(); ssh_one_session=(); ssh_cold_ours=(); ssh_cold_session=()
releases_record="${XDG_CACHE_HOME:-$HOME/.cache}/influencegen/training-releases"
for _ in 1 2 3; do
  change_one
  a=$(now); ours_ssh 1; b=$(now); ssh_one_ours+=("$(elapsed "$a" "$b")"); ssh_one_session+=("$(cat "$work/session")")
  a=$(now); rsync_ssh; b=$(now); ssh_one_rsync+=("$(elapsed "$a" "$b")")
  # the same without this machine's record of the served release (a fresh runner): reads the target first
  change_one; rsync_ssh; rm -rf "$releases_record"
  a=$(now); ours_ssh 1; b=$(now); ssh_cold_ours+=("$(elapsed "$a" "$b")"); ssh_cold_session+=("$(cat "$work/session")")
done
diff -r "$work/site" "$remote_ours/current" >/dev/null || { echo "the published release differs from the source" >&2; exit 1; }
awsv=$("$aws" --version 2>&1 | cut -d' ' -f1)
# What any cmdlet pays before it starts: PowerShell's engine and the module (median of 3).
start_times=(); bare_times=()
for _ in 1 2 3; do
  a=$(now); "${pwsh[@]}" -NoProfile -NonInteractive -c 'Import-Module InfluenceGen.Deploy' >/dev/null; b=$(now); start_times+=("$(elapsed "$a" "$b")")
  a=$(now); "${pwsh[@]}" -NoProfile -NonInteractive -c 1 >/dev/null; b=$(now); bare_times+=("$(elapsed "$a" "$b")")
done

python3 - "$files" "$mb" "$host_name" "$awsv" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" \
  "$first_ours" "$first_aws" "$first_session" "${none_ours[*]}" "${none_aws[*]}" "${none_session[*]}" \
  "${one_ours[*]}" "${one_aws[*]}" "${one_session[*]}" "$ssh_first_ours" "$ssh_first_rsync" \
  "${ssh_one_ours[*]}" "${ssh_one_rsync[*]}" "${ssh_one_session[*]}" "${start_times[*]}" "${bare_times[*]}" "${ssh_cold_ours[*]}" "${ssh_cold_session[*]}" <<'PY'
import sys, statistics as st
a = sys.argv[1:]
files, mb, host, awsv, cores, load = a[:6]
first_ours, first_aws, first_session = map(float, a[6:9])
lists = [[float(x) for x in s.split()] for s in a[9:15]]
none_ours, none_aws, none_session, one_ours, one_aws, one_session = lists
ssh_first_ours, ssh_first_rsync = float(a[15]), float(a[16])
ssh_one_ours, ssh_one_rsync, ssh_one_session = ([float(x) for x in s.split()] for s in a[17:20])
start = [float(x) for x in a[20].split()]
bare = [float(x) for x in a[21].split()]
ssh_cold_ours, ssh_cold_session = ([float(x) for x in s.split()] for s in a[22:24])
m = st.median
def row(name, ours, theirs, session, target):
    r, rs = ours / theirs, session / theirs
    ok = "ok" if r <= target else ("ok in session" if rs <= target else "MISSED")
    print(f"{name:<28} ours {ours:6.2f} s (in session {session:5.2f} s)  theirs {theirs:6.2f} s  ratio {r:4.2f}x (in session {rs:4.2f}x)  target <= {target}x  {ok}")
print(f"training portal: {files} files, {mb} MB; {host} vs {awsv} / rsync; {cores} cores, load {load}; medians of 3 where marked")
print("S3 (fauxqs 1.9.2 on 127.0.0.1), Publish-TrainingMaterial -Delete vs aws s3 sync --delete:")
row("  first publish", first_ours, first_aws, first_session, 1.0)
row("  one file changed (med 3)", m(one_ours), m(one_aws), m(one_session), 0.5)
row("  nothing changed (med 3)", m(none_ours), m(none_aws), m(none_session), 0.3)
print("web server over SSH (the real sshd), Publish-TrainingMaterial -Delete vs rsync -a --delete -e ssh:")
print(f"  first publish (info)        ours {ssh_first_ours:6.2f} s  rsync {ssh_first_rsync:6.2f} s  ratio {ssh_first_ours/ssh_first_rsync:4.2f}x")
row("  one file changed (med 3)", m(ssh_one_ours), m(ssh_one_rsync), m(ssh_one_session), 1.0)
print(f"  same, no release record     ours {m(ssh_cold_ours):6.2f} s (in session {m(ssh_cold_session):5.2f} s)  ratio {m(ssh_cold_ours)/m(ssh_one_rsync):4.2f}x (in session {m(ssh_cold_session)/m(ssh_one_rsync):4.2f}x)  (info: a runner without ~/.cache reads the target first)")
runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
print(f"pwsh start + Import-Module (paid by every job line, in 'ours'): {m(start):.2f} s (runs {', '.join(f'{x:.2f}' for x in start)})")
b = m(bare)
print(f"bare pwsh -c 1 (PowerShell's own start, no module): {b:.2f} s = {b/m(one_aws):.2f}x aws one-changed, {b/m(none_aws):.2f}x aws nothing-changed, {b/first_aws:.2f}x aws first, {b/m(ssh_one_rsync):.2f}x rsync one-changed")
print(f"runs: s3 none ours [{runs(none_ours)}] aws [{runs(none_aws)}]; s3 one ours [{runs(one_ours)}] aws [{runs(one_aws)}]; ssh one ours [{runs(ssh_one_ours)}] rsync [{runs(ssh_one_rsync)}] session [{runs(ssh_one_session)}]; pwsh -c 1 [{runs(bare)}]")
PY
