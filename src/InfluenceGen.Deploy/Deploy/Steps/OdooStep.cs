using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>
    /// Odoo's install/upgrade (<c>odoo -d DB -i … -u … --stop-after-init</c>), then the module_auto_update
    /// checksums. Undo: restore the backup into a new database and swap it in by rename, verified
    /// (<see cref="DatabaseRestore"/>); without a backup the database stays as Odoo left it.
    /// </summary>
    internal sealed class OdooStep : DeployStep
    {
        public override string Name => "odoo";
        public override bool MayActOnFailure => true;
        public override bool Activates => true;

        public override string Describe(DeployRun run)
        {
            DeployPlan p = run.Plan; DeploySettings s = run.Settings;
            return p.Install.Length + p.Upgrade.Length > 0
                ? "odoo: " + s.OdooCli + " -d " + s.Database + (p.Install.Length > 0 ? " -i " + string.Join(",", p.Install) : "") + (p.Upgrade.Length > 0 ? " -u " + string.Join(",", p.Upgrade) : "") + " --stop-after-init"
                : "odoo: no command";
        }

        public override string? SkipReason(DeployRun run) => run.Plan.Install.Length + run.Plan.Upgrade.Length > 0 ? null
            : run.Request?.DeployOdoo == false ? run.Request.OdooSkippedReason ?? "Odoo deploy switched off" : "nothing to install or upgrade";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
            => Interpret(run, await run.RunAsync(TargetScript(run)!, ct).ConfigureAwait(false));

        public override string? TargetScript(DeployRun run) => Script(run.Scripts, run.Plan.Install, run.Plan.Upgrade, run.Plan.ChecksumsJson);
        public override bool Interruptible => true;
        public override string JobErrorId => ErrorIds.OdooUpgradeFailed;
        public override string? JobDetail(DeployRun run) => $"-i {DeployRun.List(run.Plan.Install)} -u {DeployRun.List(run.Plan.Upgrade)}";

        public override string? Interpret(DeployRun run, CommandResult o)
        {
            DeployPlan p = run.Plan;
            foreach (string line in o.Stdout.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("@@", StringComparison.Ordinal)).Take(400)) run.Log.Verbose("odoo: " + line);
            if (!o.Succeeded)
                throw new DeployException(ErrorIds.OdooUpgradeFailed, ErrorKind.InvalidResult,
                    $"Odoo's install/upgrade failed ({TargetScripts.Marker(o.Stdout, "@@ODOO_EXIT") ?? "exit " + o.ExitCode}): {Cause(o.Stdout)}", run.Settings.Database);
            return JobDetail(run);
        }

        /// <summary>In the job: restore the backup (verified, by rename); without one the database stays upgraded.</summary>
        public override IEnumerable<JobAction> JobUndo(DeployRun run)
        {
            if (!run.Plan.Backup)
                return new[] { new JobAction("exit 1", "the database was upgraded and no backup was taken (BackupBeforeUpgrade off): it stays upgraded", condition: "[ \"$FAILED\" != odoo ]") };
            string dump = run.Settings.Root + "/" + run.Scripts.BackupPath(run.Plan.Release);
            return new[]
            {
                new JobAction(DatabaseRestore.Script(run.Scripts, dump), $"restoring the database from {dump} failed, the database was left as it was before the restore",
                    "RESTORED=true", $"Restore-OdooDatabase -Environment {run.Settings.Environment} -Path '{dump}' -Force", condition: "[ -n \"$BACKUP\" ]"),
            };
        }

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            if (run.BackupPath == null)
            {
                if (run.Record.FailedStep != Name)
                    report.Problems.Add("the database was upgraded and no backup was taken (BackupBeforeUpgrade off): it stays upgraded");
                return;
            }
            RestoreResult r = await DatabaseRestore.RunAsync(run, run.BackupPath, CancellationToken.None).ConfigureAwait(false);
            if (r.Ok) { report.DatabaseRestored = true; run.Record.DatabaseRestored = true; return; }
            report.Problems.Add($"restoring the database from {run.BackupPath} failed, the database was left as it was before the restore: {r.Problem}");
            report.ToDo.Add($"Restore-OdooDatabase -Environment {run.Settings.Environment} -Path '{run.BackupPath}' -Force");
        }

        // ---- the target script and its parser

        internal static string Script(TargetScripts s, IReadOnlyList<string> install, IReadOnlyList<string> upgrade, string? checksumsJson)
        {
            var cmd = new StringBuilder(s.Settings.OdooCli).Append(" -d ").Append(TargetScripts.Q(s.Settings.Database));
            if (install.Count > 0) cmd.Append(" -i ").Append(TargetScripts.Q(string.Join(",", install)));
            if (upgrade.Count > 0) cmd.Append(" -u ").Append(TargetScripts.Q(string.Join(",", upgrade)));
            cmd.Append(" --stop-after-init");
            var b = new StringBuilder("cd \"$ROOT\" || exit 20\n");
            b.Append(cmd).Append(" 2>&1\nrc=$?\nif [ $rc -ne 0 ]; then echo \"@@ODOO_EXIT $rc\"; exit 80; fi\n");
            if (checksumsJson != null)
            {
                string tag = "$igjson$";
                b.Append(TargetScripts.Psql).Append(" <<'IG_SQL_END' || exit 81\n")
                 .Append("update ir_config_parameter set value = ").Append(tag).Append(checksumsJson).Append(tag).Append(" where key = 'module_auto_update.installed_checksums';\n")
                 .Append("insert into ir_config_parameter (key, value) select 'module_auto_update.installed_checksums', ").Append(tag).Append(checksumsJson).Append(tag)
                 .Append(" where not exists (select 1 from ir_config_parameter where key = 'module_auto_update.installed_checksums');\nIG_SQL_END\n");
            }
            return s.Wrap(b.ToString());
        }

        /// <summary>The cause of a failed Odoo run from its log: the exception line that ends the first traceback
        /// (e.g. <c>ValueError: Invalid field …</c>, the reason under a <c>ParseError</c>), else the last ERROR line.</summary>
        internal static string Cause(string output)
        {
            var lines = output.Replace("\r\n", "\n").Split('\n').Where(l => !l.StartsWith("@@", StringComparison.Ordinal)).ToList();
            string? error = lines.LastOrDefault(l => l.Contains(" ERROR ") || l.Contains(" CRITICAL "));
            // the line after "Traceback (most recent call last):" that is not indented = the exception
            string? exception = null;
            for (int i = 0; i < lines.Count && exception == null; i++)
            {
                if (!lines[i].StartsWith("Traceback (most recent call last):", StringComparison.Ordinal)) continue;
                for (int j = i + 1; j < lines.Count; j++)
                    if (lines[j].Length > 0 && !char.IsWhiteSpace(lines[j][0])) { exception = lines[j].Trim(); break; }
            }
            if (exception == null) exception = lines.LastOrDefault(l => l.Length > 0 && !char.IsWhiteSpace(l[0]) && System.Text.RegularExpressions.Regex.IsMatch(l, @"^[A-Za-z_.]*(Error|Exception)\b.*:"))?.Trim();
            if (exception != null && error != null) return $"{exception} (Odoo: {Trimmed(error)})";
            return exception ?? (error != null ? Trimmed(error) : DeployRun.Tail(output));
        }

        private static string Trimmed(string logLine)
        {
            // drop the timestamp and pid of "2026-11-22 23:17:30,372 7315 ERROR db logger: message"
            var m = System.Text.RegularExpressions.Regex.Match(logLine, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (.*)$");
            return (m.Success ? m.Groups[1].Value : logLine).Trim();
        }
    }

    /// <summary>Publishes the n8n workflow bundle after Odoo is healthy. Nothing to undo here (n8n keeps its own versions).</summary>
    internal sealed class N8nStep : DeployStep
    {
        private readonly IWorkflowPublisher _publisher;
        public N8nStep(IWorkflowPublisher publisher) { _publisher = publisher; }
        public override string Name => "n8n";
        public override string Describe(DeployRun run) => run.Plan.Workflows.Length > 0 ? $"n8n: publish {DeployRun.List(run.Plan.Workflows)}" : "n8n: none";
        public override string? SkipReason(DeployRun run) => run.Request?.N8nBundle == null ? run.Request?.N8nSkippedReason ?? "no bundle" : null;

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            IReadOnlyList<string> published;
            try { published = await _publisher.PublishAsync(run.Request!.N8nBundle!, run.Log, ct).ConfigureAwait(false); }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is DeployException))
            {
                throw new DeployException(ErrorIds.N8nPublishFailed, ErrorKind.InvalidResult, "publishing the n8n workflows failed: " + ex.Message, run.Request!.N8nBundle, ex);
            }
            run.Record.Workflows = published.ToArray();
            return DeployRun.List(published);
        }
    }

    /// <summary>A step that only computes (decide): nothing on the target, nothing to undo.</summary>
    internal sealed class ComputeStep : DeployStep
    {
        private readonly string _name; private readonly Func<DeployRun, string> _describe; private readonly Func<DeployRun, CancellationToken, Task<string?>> _run;
        public ComputeStep(string name, Func<DeployRun, string> describe, Func<DeployRun, CancellationToken, Task<string?>> run) { _name = name; _describe = describe; _run = run; }
        public override string Name => _name;
        public override string Describe(DeployRun run) => _describe(run);
        public override Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct) => _run(run, ct);
    }
}
