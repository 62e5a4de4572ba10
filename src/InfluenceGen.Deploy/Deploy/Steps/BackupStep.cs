using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>pg_dump -Fc (and the filestore) into backups/ before any install or upgrade, inside the
    /// maintenance window. Nothing to undo: the dump stays, it is what a rollback restores.</summary>
    internal sealed class BackupStep : DeployStep
    {
        public override string Name => "backup";

        public override string Describe(DeployRun run)
        {
            bool odoo = run.Plan.Install.Length + run.Plan.Upgrade.Length > 0;
            return run.Plan.Backup ? $"backup: yes, pg_dump -Fc to {run.Scripts.BackupPath(run.Plan.Release)}" + (run.Settings.FilestorePath != null ? " + filestore" : "")
                                   : $"backup: no{(odoo ? " (BackupBeforeUpgrade is off)" : " (nothing to install or upgrade)")}";
        }

        public override string? SkipReason(DeployRun run)
            => run.Plan.Backup ? null : run.Plan.Install.Length + run.Plan.Upgrade.Length > 0 ? "BackupBeforeUpgrade off" : "nothing to install or upgrade";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
            => Interpret(run, await run.RunAsync(TargetScript(run)!, ct).ConfigureAwait(false));

        public override string? TargetScript(DeployRun run) => run.Scripts.Backup(run.Plan.Release);
        public override string JobErrorId => ErrorIds.BackupFailed;
        public override string? JobDetail(DeployRun run) => run.Settings.Root + "/" + run.Scripts.BackupPath(run.Plan.Release);
        public override string JobOnOk(DeployRun run)
            => "BACKUP=" + TargetScripts.Q(JobDetail(run)!) + "; BACKUP_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)";

        public override string? Interpret(DeployRun run, CommandResult b)
        {
            if (TargetScripts.Marker(b.Stdout, "@@NO_SPACE") is string space)
                throw new DeployException(ErrorIds.BackupNoSpace, ErrorKind.ResourceUnavailable,
                    $"the backup of {run.Settings.Database} does not fit on the target's disk ({space} bytes): nothing was switched; free space under {run.Settings.Root}/backups", run.Settings.Root + "/backups");
            if (!b.Succeeded)
                throw new DeployException(ErrorIds.BackupFailed, ErrorKind.WriteError, $"pg_dump of {run.Settings.Database} failed (exit {b.ExitCode}): {DeployRun.Tail(b.Stdout + b.Stderr)}", run.Settings.Database);
            run.BackupPath = JobDetail(run);
            run.Record.Backup = run.BackupPath;
            run.Record.BackupAt ??= System.DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            return run.BackupPath;
        }
    }

    /// <summary>Points current at a release atomically. On a first deploy an empty baseline release is made
    /// first, so there is always a release to go back to. Undo: point current back.</summary>
    internal sealed class SwitchStep : DeployStep
    {
        /// <summary>The baseline release of a first deploy: one non-installable placeholder module, so Odoo
        /// accepts the folder in its addons path (Odoo refuses a path holding no module).</summary>
        public const string Baseline = ".baseline";

        private readonly System.Func<DeployRun, string> _target;
        public SwitchStep(System.Func<DeployRun, string> target) { _target = target; }

        public override string Name => "switch";
        public override bool MayActOnFailure => true;
        public override bool Activates => true;

        public override string Describe(DeployRun run) => run.Plan.Switch
            ? $"switch current: {run.Plan.CurrentRelease ?? "(none: a baseline release is made to go back to)"} -> {_target(run)}" : "switch: none";

        public override string? SkipReason(DeployRun run) => run.Plan.Switch ? null : "already current";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
            => Interpret(run, await run.RunAsync(TargetScript(run)!, ct).ConfigureAwait(false));

        public override string? TargetScript(DeployRun run)
        {
            run.RollbackRelease = run.Record.ActiveRelease ?? Baseline;
            return Script(run.Scripts, _target(run), run.Record.ActiveRelease == null);
        }

        public override string JobErrorId => ErrorIds.SwitchFailed;
        public override string? JobDetail(DeployRun run) => $"{run.Record.ActiveRelease ?? "(none)"} -> {_target(run)}";
        public override string JobOnOk(DeployRun run) => "ACTIVE=" + TargetScripts.Q(_target(run));

        public override string? Interpret(DeployRun run, CommandResult sw)
        {
            string target = _target(run);
            if (!sw.Succeeded) throw new DeployException(ErrorIds.SwitchFailed, ErrorKind.WriteError, $"switching current to {target} failed: {DeployRun.Tail(sw.Stdout + sw.Stderr)}", run.Settings.Root);
            string detail = $"{run.Record.ActiveRelease ?? "(none)"} -> {target}";
            run.Record.ActiveRelease = target;
            return detail;
        }

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            string back = run.RollbackRelease ?? Baseline;
            CommandResult r = await run.TryRunAsync(Script(run.Scripts, back, back == Baseline)).ConfigureAwait(false);
            if (r.Succeeded) run.Record.ActiveRelease = back;
            else report.Problems.Add($"switching current back to {back} failed: " + DeployRun.Tail(r.Stdout + r.Stderr));
        }

        public override IEnumerable<JobAction> JobUndo(DeployRun run)
        {
            string back = run.Record.ActiveRelease ?? Baseline;
            return new[] { new JobAction(Script(run.Scripts, back, back == Baseline), $"switching current back to {back} failed", "ACTIVE=" + TargetScripts.Q(back)) };
        }

        /// <summary>ln -s to a temporary name, then mv -T (atomic); with <paramref name="makeBaseline"/>, makes releases/.baseline first.</summary>
        internal static string Script(TargetScripts s, string releaseId, bool makeBaseline)
        {
            var b = new System.Text.StringBuilder("cd \"$ROOT\" || exit 20\n");
            if (makeBaseline)
                b.Append("B=releases/").Append(Baseline).Append("\nif [ ! -d \"$B\" ]; then\n")
                 .Append("  mkdir -p \"$B.tmp/ig_release_baseline\" && : > \"$B.tmp/ig_release_baseline/__init__.py\" &&\n")
                 .Append("  printf '%s\\n' \"{'name': 'InfluenceGen baseline (placeholder, never installed)', 'version': '1.0', 'installable': False, 'license': 'LGPL-3'}\" > \"$B.tmp/ig_release_baseline/__manifest__.py\" &&\n")
                 .Append("  mv -T \"$B.tmp\" \"$B\" || { rm -rf \"$B.tmp\"; echo '@@BASELINE_FAILED'; exit 72; }\nfi\n");
            b.Append("[ -d ").Append(TargetScripts.Q("releases/" + releaseId)).Append(" ] || { echo '@@NO_RELEASE'; exit 70; }\n")
             .Append("tmp=\"current.tmp-$$-$RANDOM\"\nln -s ").Append(TargetScripts.Q("releases/" + releaseId)).Append(" \"$tmp\" && mv -T \"$tmp\" current || { rm -f \"$tmp\"; exit 71; }\n");
            return s.Wrap(b.ToString(), database: false);
        }
    }
}
