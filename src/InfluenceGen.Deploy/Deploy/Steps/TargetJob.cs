using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>What the client learnt of a target job.</summary>
    internal sealed class JobOutcome
    {
        /// <summary>False when the client stopped following before the job ended (grace expired, connection lost).</summary>
        public bool Finished { get; set; }
        public DeploymentRecord? Entry { get; set; }
        public string? FailedStep { get; set; }
        public DeployException? Error { get; set; }
        public RollbackReport Rollback { get; } = new RollbackReport();
        public bool Cancelled { get; set; }
        public string? Why { get; set; }
    }

    /// <summary>
    /// The steps from the maintenance window to the end of the health check (and any rollback) as ONE detached job
    /// on the target, so that a cancelled CI job, a killed runner or a lost connection cannot leave the target
    /// half-deployed: the job runs to deployed or rolled back on its own, writes the ledger line (signed with a key
    /// derived for that one entry) and frees the lock. One script sent on stdin writes the job's files into
    /// &lt;root&gt;/jobs/&lt;id&gt; (0700; the database password in a 0600 file deleted at the end) and starts it with
    /// setsid/nohup; the client then follows its progress file (long polls) and relays it; on Ctrl+C/SIGTERM it asks
    /// the job to roll back (an <c>abort</c> file) and waits for it within <see cref="DeploySettings.CancelGrace"/>.
    /// The steps are the deploy's own (<see cref="DeployStep.TargetScript"/>, <see cref="DeployStep.JobUndo"/>).
    /// </summary>
    internal sealed class TargetJob
    {
        private readonly DeployRun _run;
        private readonly string _dir;          // relative to the root
        private readonly string _marker;

        public TargetJob(DeployRun run)
        {
            _run = run;
            _dir = "jobs/" + run.Record.Id;
            _marker = "IG_JOB_FILE_" + Guid.NewGuid().ToString("N").Substring(0, 12);
        }

        public string Id => _run.Record.Id;
        public string Dir => _run.Settings.Root + "/" + _dir;

        /// <summary>What the job needs besides its steps.</summary>
        internal sealed class Options
        {
            public string? LedgerTail { get; set; }
            public string? LedgerKey { get; set; }
            public IReadOnlyList<string> Keep { get; set; } = Array.Empty<string>();
            /// <summary>Wait, healthy, for the client's commit (n8n published) before the ledger line.</summary>
            public bool Hold { get; set; }
        }

        // ---- the job's files ------------------------------------------------------------------------

        /// <summary>The script that writes the job's files and starts it (prints <c>@@JOB_STARTED pid</c>).</summary>
        internal string StartScript(IReadOnlyList<DeployStep> steps, IReadOnlyList<DeployStep> doneBefore, Options o)
        {
            DeploySettings s = _run.Settings;
            TargetScripts withPassword = _run.Scripts;
            _run.Scripts = new TargetScripts(s.WithoutPassword());
            try
            {
                var files = new List<(string name, string content)>();
                string runner = Runner(steps, doneBefore, o, files);
                var b = new StringBuilder("umask 077\ncd \"$ROOT\" || exit 20\n");
                b.Append("mkdir -p jobs && chmod 700 jobs && mkdir ").Append(TargetScripts.Q(_dir)).Append(" || { echo '@@JOB_DIR_FAILED'; exit 21; }\n");
                b.Append("J=\"$ROOT\"/").Append(TargetScripts.Q(_dir)).Append('\n');
                if (!string.IsNullOrEmpty(s.DatabasePassword))
                    files.Add(("pgpass", "*:*:*:*:" + s.DatabasePassword!.Replace("\\", "\\\\").Replace(":", "\\:")));
                if (!string.IsNullOrEmpty(o.LedgerKey))
                    files.Add(("key", DeploymentLedger.JobKey(o.LedgerKey!, _run.Record.Id)));
                files.Add(("job.sh", runner));
                foreach (var (name, content) in files)
                    b.Append("cat > \"$J/").Append(name).Append("\" <<'").Append(_marker).Append("'\n").Append(content.TrimEnd('\n')).Append('\n').Append(_marker).Append('\n');
                b.Append("setsid nohup bash \"$J/job.sh\" > \"$J/job.out\" 2>&1 < /dev/null &\n");
                b.Append("for i in $(seq 100); do [ -s \"$J/pid\" ] && break; sleep 0.02; done\n");
                b.Append("echo \"@@JOB_STARTED $(cat \"$J/pid\" 2>/dev/null)\"\n");
                return withPassword.Wrap(b.ToString(), database: false);
            }
            finally { _run.Scripts = withPassword; }
        }

        private static string Js(string? text) => text == null ? "null" : JsonConvert.ToString(text);

        /// <summary>job.sh: the steps in order; on the first failure (or the client's abort) the completed ones undone in
        /// reverse; then the ledger line, the lock freed, pruning, <c>done</c>.</summary>
        private string Runner(IReadOnlyList<DeployStep> steps, IReadOnlyList<DeployStep> doneBefore, Options o, List<(string, string)> files)
        {
            DeploySettings s = _run.Settings;
            DeploymentRecord rec = _run.Record;
            var b = new StringBuilder("set -u\n");
            b.Append("ROOT=").Append(TargetScripts.Q(s.Root)).Append("\nJ=\"$ROOT\"/").Append(TargetScripts.Q(_dir)).Append("\ncd \"$ROOT\" || exit 20\n");
            b.Append("echo $$ > \"$J/pid.tmp\" && mv -f \"$J/pid.tmp\" \"$J/pid\"\n");
            b.Append("[ -f \"$J/pgpass\" ] && export PGPASSFILE=\"$J/pgpass\"\n");
            b.Append("P=\"$J/progress.log\"; : >> \"$P\"\n");
            b.Append("LOCK_TEXT=").Append(TargetScripts.Q(_run.LockText)).Append('\n');
            b.Append(Functions);
            // the record's variables (the client's view before the job; the steps change them)
            b.Append("ACTIVE=").Append(TargetScripts.Q(rec.ActiveRelease ?? string.Empty)).Append("\nBACKUP=; BACKUP_AT=; RESTORED=false; FAILED=; FAILED_RC=0; ERR=; ACTIVATED=; KILLED=\nWORKFLOWS='[]'\n");
            b.Append("DONE=' ").Append(string.Join(" ", doneBefore.Select((_, i) => "c" + i))).Append(" '\n");
            b.Append("say '@@JOB_BEGIN'\n");

            for (int i = 0; i < steps.Count; i++)
            {
                DeployStep step = steps[i];
                string? skip = step.SkipReason(_run);
                if (skip != null) { b.Append("[ -z \"$FAILED\" ] && note ").Append(step.Name).Append(" skipped ").Append(TargetScripts.Q(skip)).Append('\n'); continue; }
                string file = "s" + i + "-" + step.Name + ".sh";
                files.Add((file, step.TargetScript(_run)!));
                string? detail = step.JobDetail(_run);
                string onOk = step.JobOnOk(_run);
                b.Append("if [ -z \"$FAILED\" ]; then\n");
                b.Append("  if [ -e \"$J/abort\" ]; then FAILED=").Append(step.Name).Append("; ERR=\"DeployCancelled: cancelled before step '").Append(step.Name).Append("' (the client asked the target to roll back)\"; note ").Append(step.Name).Append(" failed DeployCancelled\n");
                b.Append("  elif run ").Append(step.Name).Append(' ').Append(file).Append(' ').Append(step.Interruptible ? 1 : 0).Append("; then\n");
                if (onOk.Length > 0) b.Append("    ").Append(onOk).Append('\n');
                b.Append("    note ").Append(step.Name).Append(" ok ").Append(TargetScripts.Q(detail ?? string.Empty)).Append("; DONE=\"${DONE}").Append("j").Append(i).Append(" \"");
                if (step.Activates) b.Append("; ACTIVATED=1");
                b.Append("\n  else\n");
                b.Append("    FAILED_RC=$RC; FAILED=").Append(step.Name).Append("\n");
                b.Append("    if [ -n \"$KILLED\" ]; then ERR=\"DeployCancelled: cancelled during step '").Append(step.Name).Append("' (the client asked the target to roll back)\"; note ").Append(step.Name).Append(" failed DeployCancelled\n");
                b.Append("    else ERR=\"").Append(step.JobErrorId).Append(": step '").Append(step.Name).Append("' failed (exit $RC): $(cause \"$J/").Append(step.Name).Append(".out\")\"; note ").Append(step.Name).Append(" failed ").Append(step.JobErrorId).Append("; fi\n");
                if (step.MayActOnFailure)
                {
                    b.Append("    DONE=\"${DONE}j").Append(i).Append(" \"");
                    if (step.Activates) b.Append("; ACTIVATED=1");
                    b.Append('\n');
                }
                b.Append("  fi\nfi\n");
            }

            if (o.Hold)
            {
                long hold = (long)s.HoldTimeout.TotalSeconds;
                b.Append("if [ -z \"$FAILED\" ]; then\n  say '@@JOB_HOLD'; t=$(( $(date +%s) + ").Append(hold).Append(" ))\n")
                 .Append("  while [ ! -e \"$J/commit\" ] && [ ! -e \"$J/abort\" ] && [ \"$(date +%s)\" -lt $t ]; do renew; sleep 0.2; done\n")
                 .Append("  if [ -e \"$J/commit\" ]; then WORKFLOWS=$(cat \"$J/commit\"); note n8n ok \"$(cat \"$J/commit.detail\" 2>/dev/null)\"\n")
                 .Append("  else FAILED=n8n; ERR=\"N8nPublishFailed: $(cat \"$J/abort\" 2>/dev/null || echo 'the client did not confirm the n8n publish in ").Append(hold).Append(" s')\"; note n8n failed N8nPublishFailed; fi\nfi\n");
            }
            else
            {
                // no bundle to publish: the ledger says why, as the client-side runner does for a skipped step
                string why = _run.Request?.N8nSkippedReason ?? "no bundle";
                b.Append("[ -z \"$FAILED\" ] && note n8n skipped ").Append(TargetScripts.Q(why)).Append('\n');
            }

            // the rollback: completed steps undone in reverse (the job's, then the client's)
            b.Append("PROBLEMS=; : > \"$J/problems\"; : > \"$J/todo\"\n");
            b.Append("if [ -n \"$FAILED\" ]; then\n  say '@@JOB_ROLLBACK'\n");
            var undo = new List<(string key, DeployStep step)>();
            for (int i = steps.Count - 1; i >= 0; i--) undo.Add(("j" + i, steps[i]));
            for (int i = doneBefore.Count - 1; i >= 0; i--) undo.Add(("c" + i, doneBefore[i]));
            foreach (var (key, step) in undo)
            {
                if (step.SkipReason(_run) != null && key[0] == 'j') continue;
                List<JobAction> actions = step.JobUndo(_run).ToList();
                if (actions.Count == 0) continue;
                b.Append("  case \"$DONE\" in *\" ").Append(key).Append(" \"*)\n");
                for (int a = 0; a < actions.Count; a++)
                {
                    JobAction act = actions[a];
                    string file = "u-" + key + "-" + a + "-" + step.Name + ".sh";
                    files.Add((file, act.Script));
                    string name = "undo-" + step.Name + (actions.Count > 1 ? "-" + a : "");
                    b.Append("    if ").Append(act.Condition ?? "true").Append("; then\n");
                    b.Append("      if run ").Append(name).Append(' ').Append(file).Append(" 0; then :").Append(act.OnOk.Length > 0 ? "; " + act.OnOk : "").Append('\n');
                    b.Append("      else problem ").Append(TargetScripts.Q(act.Problem)).Append(" \"$J/").Append(name).Append(".out\"");
                    if (act.ToDo != null) b.Append("; printf '%s\\n' ").Append(TargetScripts.Q(act.ToDo)).Append(" >> \"$J/todo\"");
                    b.Append("; fi\n    fi\n");
                }
                b.Append("  ;; esac\n");
            }
            b.Append("fi\n");

            // the outcome, as the ledger says it
            b.Append("if [ -z \"$FAILED\" ]; then STATUS=Succeeded\n")
             .Append("elif [ -n \"$ACTIVATED\" ]; then\n")
             .Append("  if [ -z \"$PROBLEMS\" ]; then STATUS=RolledBack; note rollback ok \"active: ${ACTIVE:-(none)}, database restored: $([ $RESTORED = true ] && echo True || echo False)\"\n")
             .Append("  else STATUS=RollbackIncomplete; todo=$(paste -sd';' \"$J/todo\" | sed 's/;/; /g'); note rollback failed \"$PROBLEMS${todo:+; to do: $todo}\"; ERR=\"$ERR | ROLLBACK INCOMPLETE: $PROBLEMS\"; fi\n")
             .Append("else STATUS=Failed; fi\n");
            b.Append(LedgerWriter(o));
            // free the lock, prune (releases and backups only after a success), clean up
            TargetScripts scripts = _run.Scripts;
            files.Add(("finish-ok.sh", scripts.Finish(null, _run.LockText, o.Keep, s.KeepReleases, s.KeepBackups)));
            files.Add(("finish-failed.sh", scripts.Finish(null, _run.LockText, Array.Empty<string>(), 0)));
            b.Append("if [ $STATUS = Succeeded ]; then bash \"$J/finish-ok.sh\" >> \"$P\" 2>&1; else bash \"$J/finish-failed.sh\" >> \"$P\" 2>&1; fi\n");
            b.Append("rm -f \"$J/pgpass\" \"$J/key\"\n");
            b.Append("printf '%s %s\\n' \"$FAILED\" \"$FAILED_RC\" > \"$J/failed\"\n");
            b.Append("say \"@@JOB_END $STATUS\"\n: > \"$J/done\"\n");
            // the newest 20 job folders stay (for the record); older ones go
            b.Append("ls -1t \"$ROOT/jobs\" 2>/dev/null | tail -n +21 | while read -r d; do [ -e \"$ROOT/jobs/$d/done\" ] && rm -rf \"$ROOT/jobs/$d\"; done\n");
            return b.ToString();
        }

        /// <summary>The bash helpers of job.sh.</summary>
        private const string Functions =
            "say() { printf '%s\\n' \"$*\" >> \"$P\"; }\n" +
            // the lease: the lock's mtime, renewed while the lock is still ours
            "renew() { [ \"$(head -n 1 .lock 2>/dev/null)\" = \"$LOCK_TEXT\" ] && touch .lock; }\n" +
            "ns() { date +%s%N; }\n" +
            // JSON string content as Newtonsoft writes it: printable ASCII only, \\ and \" escaped
            "js() { printf '%s' \"$1\" | tr -c '\\040-\\176' ' ' | head -c 600 | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g'; }\n" +
            "secs() { awk -v a=\"$1\" -v b=\"$2\" 'BEGIN { s = sprintf(\"%.2f\", (b - a) / 1e9); sub(/0+$/, \"\", s); sub(/\\.$/, \"\", s); print s }'; }\n" +
            "STEPS=; T0=$(ns)\n" +
            "note() { local now d=; now=$(ns); [ -n \"${3:-}\" ] && d=\",\\\"Detail\\\":\\\"$(js \"$3\")\\\"\"; STEPS=\"${STEPS:+$STEPS,}{\\\"Name\\\":\\\"$1\\\",\\\"Status\\\":\\\"$2\\\"$d,\\\"Seconds\\\":$(secs \"$T0\" \"$now\")}\"; T0=$now; }\n" +
            // the cause of a failed step: the exception ending a traceback, else the last ERROR/CRITICAL line or marker, else the last line
            "cause() { local c; c=$(awk '/^Traceback \\(most recent call last\\):/ {t=1; next} t && /^[^ \\t]/ {print; exit}' \"$1\" 2>/dev/null)\n" +
            "  [ -z \"$c\" ] && c=$(grep -E ' (ERROR|CRITICAL) |^@@(HEALTH_ANSWERED|UNHEALTHY|NO_SPACE|PSQL_FAILED|STOP_EXIT|RESTART_EXIT|ODOO_EXIT)' \"$1\" 2>/dev/null | tail -n 1)\n" +
            "  [ -z \"$c\" ] && c=$(grep -v '^[[:space:]]*$' \"$1\" 2>/dev/null | tail -n 1)\n  printf '%s' \"$c\"; }\n" +
            "problem() { local t; t=\"$1: $(grep -v '^[[:space:]]*$' \"$2\" 2>/dev/null | tail -n 2 | tr '\\n' ' ')\"; PROBLEMS=\"${PROBLEMS:+$PROBLEMS; }$t\"; printf '%s\\n' \"$t\" >> \"$J/problems\"; }\n" +
            // a step: its own session (so an abort can stop it and what it started), output to <name>.out and the progress file
            "run() { local name=$1 file=$2 intr=$3 sp off=0 sz; RC=0\n" +
            "  say \"@@JOB_STEP $name\"; : > \"$J/$name.out\"\n" +
            "  setsid bash \"$J/$file\" > \"$J/$name.out\" 2>&1 < /dev/null & sp=$!\n" +
            "  while kill -0 \"$sp\" 2>/dev/null; do\n" +
            "    renew\n" +
            "    if [ \"$intr\" = 1 ] && [ -z \"$KILLED\" ] && [ -e \"$J/abort\" ]; then KILLED=1; say \"@@JOB_INTERRUPT $name\"; kill -TERM -- \"-$sp\" 2>/dev/null || kill -TERM \"$sp\" 2>/dev/null; fi\n" +
            "    sz=$(stat -c %s \"$J/$name.out\" 2>/dev/null || echo 0); if [ \"$sz\" -gt \"$off\" ]; then tail -c +$((off + 1)) \"$J/$name.out\" | head -c $((sz - off)) >> \"$P\"; off=$sz; fi\n" +
            "    sleep 0.1\n  done\n" +
            "  wait \"$sp\"; RC=$?\n" +
            "  sz=$(stat -c %s \"$J/$name.out\" 2>/dev/null || echo 0); [ \"$sz\" -gt \"$off\" ] && tail -c +$((off + 1)) \"$J/$name.out\" >> \"$P\"\n" +
            "  say \"@@JOB_STEP_END $name $RC\"; return $RC; }\n" +
            // HMAC-SHA256 with a 64-character key (the job key), message on stdin, in bash + sha256sum
            "hmac() { local k=$1 i c ip= op= inner ib=\n" +
            "  for ((i = 0; i < 64; i++)); do printf -v c '%d' \"'${k:i:1}\"; printf -v ip '%s\\\\x%02x' \"$ip\" $((c ^ 0x36)); printf -v op '%s\\\\x%02x' \"$op\" $((c ^ 0x5c)); done\n" +
            "  inner=$( { printf \"$ip\"; cat; } | sha256sum | cut -d' ' -f1)\n" +
            "  for ((i = 0; i < 64; i += 2)); do ib=\"$ib\\\\x${inner:i:2}\"; done\n" +
            "  { printf \"$op\"; printf \"$ib\"; } | sha256sum | cut -d' ' -f1; }\n";

        /// <summary>The ledger line: the record as the client knew it (Newtonsoft's text, so -Verify re-serializes it to the
        /// same bytes), the job's fields, the link to the previous line, the hash (plain, or signed with the job key).</summary>
        private string LedgerWriter(Options o)
        {
            DeploymentRecord rec = _run.Record;
            var dynamic = new[] { "Status", "ActiveRelease", "Backup", "BackupAt", "DatabaseRestored", "FailedStep", "Error", "Workflows", "FinishedAt", "Steps", "PreviousHash", "Hash", "HashKind" };
            JObject obj = JObject.FromObject(rec, JsonSerializer.Create(new JsonSerializerSettings { NullValueHandling = NullValueHandling.Ignore }));
            foreach (string d in dynamic) obj.Remove(d);
            string prefix = obj.ToString(Formatting.None);
            prefix = prefix.Substring(0, prefix.Length - 1); // without the closing brace
            string preSteps = new JArray(rec.Steps.Select(st => JObject.FromObject(st, JsonSerializer.Create(new JsonSerializerSettings { NullValueHandling = NullValueHandling.Ignore })))).ToString(Formatting.None);
            preSteps = preSteps.Substring(1, preSteps.Length - 2);
            bool keyed = !string.IsNullOrEmpty(o.LedgerKey);
            string previousHash = string.IsNullOrEmpty(o.LedgerTail) ? DeploymentLedger.Genesis : DeploymentLedger.LinkHash(o.LedgerTail!, o.LedgerKey);
            var b = new StringBuilder();
            b.Append("PREFIX=").Append(TargetScripts.Q(prefix)).Append("\nPRE_STEPS=").Append(TargetScripts.Q(preSteps)).Append('\n');
            b.Append("ALL_STEPS=$PRE_STEPS; [ -n \"$STEPS\" ] && ALL_STEPS=\"${ALL_STEPS:+$ALL_STEPS,}$STEPS\"\n");
            b.Append("body=\"$PREFIX,\\\"Status\\\":\\\"$STATUS\\\"\"\n");
            b.Append("[ -n \"$ACTIVE\" ] && body=\"$body,\\\"ActiveRelease\\\":\\\"$(js \"$ACTIVE\")\\\"\"\n");
            b.Append("[ -n \"$BACKUP\" ] && body=\"$body,\\\"Backup\\\":\\\"$(js \"$BACKUP\")\\\",\\\"BackupAt\\\":\\\"$BACKUP_AT\\\"\"\n");
            b.Append("body=\"$body,\\\"DatabaseRestored\\\":$RESTORED\"\n");
            b.Append("[ -n \"$FAILED\" ] && body=\"$body,\\\"FailedStep\\\":\\\"$FAILED\\\",\\\"Error\\\":\\\"$(js \"$ERR\")\\\"\"\n");
            b.Append("body=\"$body,\\\"Workflows\\\":$WORKFLOWS,\\\"FinishedAt\\\":\\\"$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)\\\",\\\"Steps\\\":[$ALL_STEPS],\\\"PreviousHash\\\":\\\"")
             .Append(previousHash).Append("\\\"").Append(keyed ? ",\\\"HashKind\\\":\\\"" + DeploymentLedger.JobKeyed + "\\\"" : "").Append("}\"\n");
            b.Append(keyed
                ? "hash=$(printf '%s' \"$body\" | hmac \"$(cat \"$J/key\")\")\n"
                : "hash=$(printf '%s' \"$body\" | sha256sum | cut -d' ' -f1)\n");
            b.Append("line=\"${body%\\}},\\\"Hash\\\":\\\"$hash\\\"}\"\n");
            b.Append("printf '%s\\n' \"$line\" > \"$J/ledger-line\"\n");
            b.Append("printf '%s\\n' \"$line\" >> ").Append(DeploymentLedger.FileName).Append(" || say '@@JOB_LEDGER_FAILED'\n");
            return b.ToString();
        }

        // ---- following the job from the client ----------------------------------------------------

        /// <summary>A long poll: waits up to ~3 s for more progress (or the end), prints the state and the new bytes.</summary>
        internal string FollowScript(long offset, int waitTenths = 30) => _run.Scripts.Wrap(
            "J=\"$ROOT\"/" + TargetScripts.Q(_dir) + "; off=" + offset + "\n" +
            "size() { stat -c %s \"$J/progress.log\" 2>/dev/null || echo 0; }\n" +
            "for i in $(seq " + waitTenths + "); do [ -e \"$J/done\" ] && break; [ \"$(size)\" -gt \"$off\" ] && break; sleep 0.1; done\n" +
            "pid=$(cat \"$J/pid\" 2>/dev/null); state=running\n" +
            "if [ -e \"$J/done\" ]; then state=done\n" +
            "elif [ -z \"$pid\" ] || ! grep -q job.sh \"/proc/$pid/cmdline\" 2>/dev/null; then [ -e \"$J/done\" ] && state=done || state=died; fi\n" +
            "sz=$(size); n=$((sz - off)); [ $n -lt 0 ] && n=0; [ $state = running ] && [ $n -gt 262144 ] && n=262144\n" +
            "echo \"@@JOBF_OFFSET $((off + n))\"; echo \"@@JOBF_STATE $state\"\n" +
            "if [ $state = done ]; then\n" +
            "  echo '@@JOBF_LEDGER'; cat \"$J/ledger-line\" 2>/dev/null\n" +
            "  fs=; frc=; read -r fs frc < \"$J/failed\" 2>/dev/null; [ -n \"$fs\" ] && echo \"@@JOBF_FAILED $fs ${frc:-1}\"\n" +
            "  while IFS= read -r l; do echo \"@@JOBF_PROBLEM $l\"; done < \"$J/problems\" 2>/dev/null\n" +
            "  while IFS= read -r l; do echo \"@@JOBF_TODO $l\"; done < \"$J/todo\" 2>/dev/null\n" +
            "  if [ -n \"${fs:-}\" ] && [ -f \"$J/$fs.out\" ]; then echo '@@JOBF_FAILED_OUT'; tail -c 65536 \"$J/$fs.out\"; echo; fi\n" +
            "fi\n" +
            "[ $state = died ] && { echo \"@@JOBF_DIED $(tail -n 3 \"$J/job.out\" 2>/dev/null | tr '\\n' ' ')\"; }\n" +
            "echo '@@JOBF_CHUNK'\n[ $n -gt 0 ] && tail -c +$((off + 1)) \"$J/progress.log\" | head -c $n\nexit 0\n", database: false);

        internal string Touch(string file, string? content) => _run.Scripts.Wrap(
            "umask 077; J=\"$ROOT\"/" + TargetScripts.Q(_dir) + "\n[ -d \"$J\" ] || exit 3\n" +
            (content == null ? ": > \"$J/" + file + "\"\n" : "cat > \"$J/" + file + ".tmp\" <<'" + _marker + "'\n" + content + "\n" + _marker + "\nmv -f \"$J/" + file + ".tmp\" \"$J/" + file + "\"\n"), database: false);

        /// <summary>
        /// Starts the job and follows it to its end. Cancellation (Ctrl+C, SIGTERM) asks the job to roll back and waits
        /// for it within the grace period; a lost connection is retried for <see cref="DeploySettings.FollowRetry"/>.
        /// With <paramref name="onHold"/> (the n8n publish), the client's answer decides whether the job commits.
        /// </summary>
        public async Task<JobOutcome> RunAsync(IReadOnlyList<DeployStep> steps, IReadOnlyList<DeployStep> doneBefore, Options o,
            Func<CancellationToken, Task<(bool ok, string detail, string[] workflows)>>? onHold, string activity, CancellationToken ct)
        {
            DeploySettings s = _run.Settings;
            IDeployLog log = _run.Log;
            _steps = steps;
            CommandResult started = await _run.RunAsync(StartScript(steps, doneBefore, o), ct).ConfigureAwait(false);
            if (!started.Stdout.Contains("@@JOB_STARTED "))
                throw new DeployException(ErrorIds.TargetJobNotStarted, ErrorKind.InvalidResult,
                    $"the deploy job could not be started on {_run.Transport.Description}: {DeployRun.Tail(started.Stdout + started.Stderr)}", Dir);
            log.Verbose($"target job {Id} started on {_run.Transport.Description} ({Dir}); it finishes (deployed or rolled back) even if this client goes away");

            var outcome = new JobOutcome();
            long offset = 0;
            string pending = string.Empty;
            bool abortSent = false, held = false;
            DateTime? graceEnd = null;
            DateTime? failingSince = null;
            DateTime cancelledAt = DateTime.MaxValue;
            using CancellationTokenRegistration onCancel = ct.Register(() => cancelledAt = DateTime.UtcNow);
            int stepIndex = 0;
            while (true)
            {
                if (ct.IsCancellationRequested && !abortSent)
                {
                    abortSent = true; outcome.Cancelled = true;
                    // the grace counts from the signal: a runner gives ~10 s between SIGTERM and SIGKILL
                    graceEnd = (cancelledAt == DateTime.MaxValue ? DateTime.UtcNow : cancelledAt) + s.CancelGrace;
                    log.Warning($"cancelled: asking the target job {Id} to roll back; waiting up to {s.CancelGrace.TotalSeconds:0} s for it");
                    await TryAsync(Touch("abort", "cancelled by the client")).ConfigureAwait(false);
                }
                if (graceEnd != null && DateTime.UtcNow > graceEnd)
                {
                    outcome.Why = $"the grace period of {s.CancelGrace.TotalSeconds:0} s ended before the target job {Id} finished rolling back; it goes on on its own and writes the ledger";
                    return outcome;
                }
                CommandResult r;
                try
                {
                    // a long poll, cut short by a cancel (the loop then asks the job to roll back)
                    using var timeout = abortSent ? new CancellationTokenSource(TimeSpan.FromSeconds(30)) : CancellationTokenSource.CreateLinkedTokenSource(ct);
                    if (!abortSent) timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    try { r = await _run.Transport.RunScriptAsync(FollowScript(offset, graceEnd == null ? 30 : 3), timeout.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested && !abortSent) { continue; }
                    if (r.ExitCode != 0 || !r.Stdout.Contains("@@JOBF_STATE ")) throw new DeployException(ErrorIds.TargetJobUnreadable, ErrorKind.ConnectionError, DeployRun.Tail(r.Stdout + r.Stderr));
                    failingSince = null;
                }
                catch (Exception ex)
                {
                    failingSince ??= DateTime.UtcNow;
                    DateTime limit = failingSince.Value + s.FollowRetry;
                    if (graceEnd != null && graceEnd < limit) limit = graceEnd.Value;
                    if (DateTime.UtcNow > limit)
                    {
                        outcome.Why = $"the connection to {_run.Transport.Description} was lost ({ex.Message}); the target job {Id} goes on on its own (deployed or rolled back) and writes the ledger";
                        return outcome;
                    }
                    log.Verbose($"following the target job: {ex.Message}; retrying");
                    await Task.Delay(500, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                string text = r.Stdout;
                int chunkAt = text.IndexOf("@@JOBF_CHUNK\n", StringComparison.Ordinal);
                string head = chunkAt >= 0 ? text.Substring(0, chunkAt) : text;
                string chunk = chunkAt >= 0 ? text.Substring(chunkAt + "@@JOBF_CHUNK\n".Length) : string.Empty;
                if (TargetScripts.Marker(head, "@@JOBF_OFFSET ") is string off && long.TryParse(off, out long next)) offset = next;
                pending += chunk;
                int nl;
                while ((nl = pending.IndexOf('\n')) >= 0)
                {
                    string line = pending.Substring(0, nl); pending = pending.Substring(nl + 1);
                    if (line.StartsWith("@@JOB_STEP ", StringComparison.Ordinal))
                    {
                        string name = line.Substring(11).Trim();
                        log.Progress(activity, name, Math.Min(89, 30 + 60 * stepIndex++ / Math.Max(1, steps.Count * 2)));
                        log.Verbose($"step {name} (on the target)");
                    }
                    else if (line.StartsWith("@@JOB_HOLD", StringComparison.Ordinal)) held = true;
                    else if (line.StartsWith("@@JOB_", StringComparison.Ordinal)) log.Verbose(line.Substring(2).ToLowerInvariant().Replace('_', ' '));
                    else if (line.Length > 0 && !line.StartsWith("@@", StringComparison.Ordinal)) log.Verbose("target: " + line);
                }
                string state = TargetScripts.Marker(head, "@@JOBF_STATE ") ?? "running";
                if (state == "done") { Read(head, outcome); return outcome; }
                if (state == "died")
                {
                    outcome.Why = $"the target job {Id} ended without finishing (killed on the target?) {TargetScripts.Marker(head, "@@JOBF_DIED")}: check the target ({Dir}); the next deploy takes its lock over";
                    return outcome;
                }
                if (held && onHold != null)
                {
                    held = false;
                    var (ok, detail, workflows) = abortSent ? (false, "cancelled", Array.Empty<string>()) : await onHold(ct).ConfigureAwait(false);
                    await TryAsync(ok ? Touch("commit.detail", detail) : Touch("abort", detail)).ConfigureAwait(false);
                    if (ok) await TryAsync(Touch("commit", new JArray(workflows).ToString(Formatting.None))).ConfigureAwait(false);
                }
            }
        }

        private async Task TryAsync(string script)
        {
            for (int i = 0; i < 3; i++)
            {
                CommandResult r = await _run.TryRunAsync(script).ConfigureAwait(false);
                if (r.Succeeded) return;
                await Task.Delay(300).ConfigureAwait(false);
            }
        }

        /// <summary>The job's end: its ledger line (the record), the failed step's error (read by the step's own parser), the rollback's problems.</summary>
        private void Read(string head, JobOutcome outcome)
        {
            outcome.Finished = true;
            int at = head.IndexOf("@@JOBF_LEDGER\n", StringComparison.Ordinal);
            string ledger = at >= 0 ? head.Substring(at + 14).Split('\n')[0] : string.Empty;
            if (ledger.Length > 0) outcome.Entry = DeploymentLedger.Parse(ledger, false).FirstOrDefault();
            string[] failed = (TargetScripts.Marker(head, "@@JOBF_FAILED ") ?? string.Empty).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            foreach (string l in head.Split('\n'))
            {
                if (l.StartsWith("@@JOBF_PROBLEM ", StringComparison.Ordinal)) outcome.Rollback.Problems.Add(l.Substring(15));
                if (l.StartsWith("@@JOBF_TODO ", StringComparison.Ordinal)) outcome.Rollback.ToDo.Add(l.Substring(12));
            }
            if (failed.Length == 0) return;
            outcome.FailedStep = failed[0];
            int rc = failed.Length > 1 && int.TryParse(failed[1], out int x) ? x : 1;
            int o = head.IndexOf("@@JOBF_FAILED_OUT\n", StringComparison.Ordinal);
            string output = o >= 0 ? head.Substring(o + 18) : string.Empty;
            string error = outcome.Entry?.Error ?? string.Empty;
            if (error.StartsWith(ErrorIds.DeployCancelled, StringComparison.Ordinal))
            {
                outcome.Error = new DeployException(ErrorIds.DeployCancelled, ErrorKind.OperationStopped, $"cancelled during step '{outcome.FailedStep}'", outcome.FailedStep);
                return;
            }
            if (outcome.FailedStep == "n8n")
            {
                outcome.Error = new DeployException(ErrorIds.N8nPublishFailed, ErrorKind.InvalidResult, error.Replace("N8nPublishFailed: ", string.Empty), _run.Request?.N8nBundle);
                return;
            }
            DeployStep? step = _steps?.FirstOrDefault(st => st.Name == outcome.FailedStep);
            try
            {
                step?.Interpret(_run, new CommandResult(rc == 0 ? 1 : rc, output, string.Empty));
                outcome.Error = new DeployException(ErrorIds.DeployStepFailed, ErrorKind.NotSpecified, error, outcome.FailedStep);
            }
            catch (DeployException ex) { outcome.Error = ex; }
        }

        private IReadOnlyList<DeployStep>? _steps;
    }
}
