using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>
    /// Opens the maintenance window: stops Odoo before the backup, so the backup is the last state users saw
    /// and nothing is written between the backup and a rollback (no acknowledged write can vanish). The window
    /// closes when the restart step starts Odoo again. Undo: start Odoo and check its health (the last act of
    /// every rollback, after the database and the code are back).
    /// Once stopped, the health URL must not answer at all: if something still answers there (another process on
    /// Odoo's port, a stop command that stops the wrong thing), the restart's health check could be answered by it,
    /// so the deploy stops before the switch with HealthAnsweredByAnotherServer (and starts Odoo again).
    /// </summary>
    internal sealed class MaintenanceStep : DeployStep
    {
        public override string Name => "stop";
        public override bool MayActOnFailure => true;
        public override bool Activates => true;

        public override string Describe(DeployRun run) => run.Plan.Restart
            ? $"maintenance window: stop Odoo ({run.Settings.Stop}); Odoo answers nobody until the restart"
            : "maintenance window: none (Odoo keeps serving)";

        public override string? SkipReason(DeployRun run) => run.Plan.Restart ? null : "nothing to restart";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
            => Interpret(run, await run.RunAsync(Script(run.Scripts, run.Settings.HealthUrl), ct).ConfigureAwait(false));

        public override string? TargetScript(DeployRun run) => Script(run.Scripts, run.Settings.HealthUrl);
        public override string JobErrorId => ErrorIds.StopFailed;

        public override string? Interpret(DeployRun run, CommandResult r)
        {
            if (TargetScripts.Marker(r.Stdout, "@@HEALTH_ANSWERED") is string answered)
            {
                int sp = answered.IndexOf(' ');
                string code = sp > 0 ? answered.Substring(0, sp) : answered, url = sp > 0 ? answered.Substring(sp + 1) : run.Settings.HealthUrl ?? string.Empty;
                throw new DeployException(ErrorIds.HealthAnsweredByAnotherServer, ErrorKind.ResourceExists,
                    $"Odoo was stopped for the maintenance window but {url} still answered (HTTP {code}): another server holds Odoo's health URL, " +
                    "so the health check after the restart could not prove it talks to the restarted Odoo. Nothing was switched; Odoo was started again. " +
                    "Stop the other process or give this Odoo its own port (HealthUrl, RestartCommand).", url);
            }
            if (!r.Succeeded)
                throw new DeployException(ErrorIds.StopFailed, ErrorKind.InvalidResult, $"stopping Odoo for the maintenance window failed: {DeployRun.Tail(r.Stdout + r.Stderr)}", run.Settings.Service);
            return null;
        }

        public override IEnumerable<JobAction> JobUndo(DeployRun run) => new[]
        {
            // a first deploy stopped before its switch has no `current` yet: the baseline release, so Odoo can start
            new JobAction(SwitchStep.Script(run.Scripts, SwitchStep.Baseline, true), "making the baseline release to start Odoo on failed",
                "ACTIVE=" + TargetScripts.Q(SwitchStep.Baseline), condition: run.Record.ActiveRelease == null ? "[ ! -e current ] && [ ! -L current ]" : "false"),
            new JobAction(RestartStep.Script(run.Scripts), "starting Odoo after the rollback failed"),
            new JobAction(HealthStep.Script(run), "after the rollback Odoo is not healthy", condition: run.Settings.HealthUrl == null ? "false" : null),
        };

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            if (run.Record.ActiveRelease == null)
            {
                CommandResult baseline = await run.TryRunAsync(SwitchStep.Script(run.Scripts, SwitchStep.Baseline, true)).ConfigureAwait(false);
                if (baseline.Succeeded) run.Record.ActiveRelease = SwitchStep.Baseline;
            }
            CommandResult restart = await run.TryRunAsync(RestartStep.Script(run.Scripts)).ConfigureAwait(false);
            if (!restart.Succeeded) { report.Problems.Add("starting Odoo after the rollback failed: " + DeployRun.Tail(restart.Stdout + restart.Stderr)); return; }
            string? unhealthy = await run.Health(run.Log, CancellationToken.None).ConfigureAwait(false);
            if (unhealthy != null) report.Problems.Add("after the rollback Odoo is not healthy: " + unhealthy);
        }

        /// <summary>Stops Odoo; with <paramref name="silentUrl"/> (the health URL) also proves that nothing answers there
        /// any more (a stop takes up to 2 s to free the port; any HTTP answer after that prints
        /// <c>@@HEALTH_ANSWERED code url</c>, exit 88).</summary>
        internal static string Script(TargetScripts s, string? silentUrl = null)
        {
            string body = "cd \"$ROOT\" || exit 20\n" + s.Settings.Stop + " 2>&1\nrc=$?\n[ $rc -eq 0 ] || { echo \"@@STOP_EXIT $rc\"; exit 86; }\n";
            if (!string.IsNullOrEmpty(silentUrl))
                body += "URL=" + TargetScripts.Q(HealthCheck.BaseUrl(silentUrl!) + "/web/health") + "\n" +
                        "if command -v curl >/dev/null 2>&1; then\n" +
                        "  code=; for i in $(seq 20); do code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' \"$URL\" 2>/dev/null); case \"$code\" in ''|000) code=; break;; esac; sleep 0.1; done\n" +
                        "  if [ -n \"$code\" ]; then echo \"@@HEALTH_ANSWERED $code $URL\"; exit 88; fi\n" +
                        "fi\nexit 0\n";
            return s.Wrap(body);
        }
    }

    /// <summary>Starts Odoo on the new code (closing the maintenance window). Undo: stop it again, so a
    /// database restore that follows loses nothing written meanwhile.</summary>
    internal sealed class RestartStep : DeployStep
    {
        public override string Name => "restart";
        public override bool MayActOnFailure => true;
        public override bool Activates => true;

        public override string Describe(DeployRun run) => run.Plan.Restart ? "restart: " + run.Settings.Restart : "restart: none";
        public override string? SkipReason(DeployRun run) => run.Plan.Restart ? null : "nothing changed";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
            => Interpret(run, await run.RunAsync(Script(run.Scripts), ct).ConfigureAwait(false));

        public override string? TargetScript(DeployRun run) => Script(run.Scripts);
        public override string JobErrorId => ErrorIds.RestartFailed;

        public override string? Interpret(DeployRun run, CommandResult rs)
        {
            if (!rs.Succeeded) throw new DeployException(ErrorIds.RestartFailed, ErrorKind.InvalidResult, $"restarting Odoo failed: {DeployRun.Tail(rs.Stdout + rs.Stderr)}", run.Settings.Service);
            return null;
        }

        public override IEnumerable<JobAction> JobUndo(DeployRun run) => new[]
        {
            new JobAction(MaintenanceStep.Script(run.Scripts), "stopping Odoo before putting things back failed"),
        };

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            CommandResult r = await run.TryRunAsync(MaintenanceStep.Script(run.Scripts)).ConfigureAwait(false);
            if (!r.Succeeded) report.Problems.Add("stopping Odoo before putting things back failed: " + DeployRun.Tail(r.Stdout + r.Stderr));
        }

        internal static string Script(TargetScripts s) => s.Wrap("cd \"$ROOT\" || exit 20\n" + s.Settings.Restart + " 2>&1\nrc=$?\n[ $rc -eq 0 ] || { echo \"@@RESTART_EXIT $rc\"; exit 85; }\n");
    }

    /// <summary>Waits until Odoo is healthy (serving and reaching its database). Nothing to undo.</summary>
    internal sealed class HealthStep : DeployStep
    {
        public override string Name => "health";

        public override string Describe(DeployRun run) => run.Plan.Restart
            ? $"health: {run.Settings.HealthUrl ?? "(no HealthUrl: skipped)"} within {run.Settings.HealthTimeout.TotalSeconds:0}s"
            : "health: none (nothing restarted)";

        public override string? SkipReason(DeployRun run)
            => !run.Plan.Restart ? "nothing restarted" : run.Settings.HealthUrl == null ? "no HealthUrl configured" : null;

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            string? unhealthy = await run.Health(run.Log, ct).ConfigureAwait(false);
            if (unhealthy != null) throw new DeployException(ErrorIds.HealthCheckFailed, ErrorKind.InvalidResult, $"Odoo did not turn healthy: {unhealthy}", run.Settings.HealthUrl);
            return null;
        }

        /// <summary>In the target job the check runs on the target (<see cref="HealthCheck.TargetScript"/>): the
        /// job decides deployed or rolled back without the client.</summary>
        public override string? TargetScript(DeployRun run) => Script(run);
        public override bool Interruptible => true;
        public override string JobErrorId => ErrorIds.HealthCheckFailed;

        public override string? Interpret(DeployRun run, CommandResult r)
        {
            if (!r.Succeeded)
                throw new DeployException(ErrorIds.HealthCheckFailed, ErrorKind.InvalidResult,
                    $"Odoo did not turn healthy: {TargetScripts.Marker(r.Stdout, "@@UNHEALTHY") ?? DeployRun.Tail(r.Stdout + r.Stderr)}", run.Settings.HealthUrl);
            return TargetScripts.Marker(r.Stdout, "@@HEALTHY") is string n ? $"healthy after {n} probe(s)" : null;
        }

        internal static string Script(DeployRun run)
            => HealthCheck.TargetScript(run.Scripts, run.Settings.HealthUrl ?? string.Empty, run.Settings.HealthTimeout, run.HealthInterval);
    }
}
