using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Rolls an environment back to an earlier kept release (and optionally its database).</summary>
    [Cmdlet(VerbsCommon.Undo, "InfluenceGenDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Readme + "#get-help-undo-influencegendeployment")]
    [OutputType(typeof(DeploymentRecord))]
    public sealed class UndoInfluenceGenDeploymentCommand : DeployCmdletBase
    {
        /// <summary>The release to go back to (default: the one before the current).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ReleaseCompleter))]
        public string? ToRelease { get; set; }

        /// <summary>Also restore the backup taken before the current release was deployed.</summary>
        [Parameter]
        public SwitchParameter RestoreDatabase { get; set; }

        /// <summary>Seconds to wait for the deploy lock another run holds (0: fail at once).</summary>
        [Parameter]
        [Alias("LockTimeout")]
        [ValidateRange(0, 3600)]
        public int LockTimeoutSec { get; set; }

        /// <summary>Do not ask (CI): with -RestoreDatabase, everything written since the backup is lost.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            Resolve();
            using ITargetTransport transport = Transport();
            DeployService service = Service(transport);
            UndoPlan plan = Run("Reading the deployment ledger", (log, ct) => service.PlanUndoAsync(ToRelease, RestoreDatabase, ct));
            string what = $"roll back from {plan.Current ?? "(none)"} to {plan.Target}" + (RestoreDatabase
                ? $" and restore the database {Settings.Database} from {plan.Backup}, the backup taken at {plan.BackupAt ?? "(unknown time)"}: EVERYTHING WRITTEN TO {Settings.Database} SINCE {plan.BackupAt ?? "that backup"} IS LOST"
                : " (the database stays as it is)");
            if (Force && !WhatIfRequested) { if (RestoreDatabase) Warning(what); }
            else if (!ShouldProcessOrAsk($"{Settings.Environment} ({Settings.Root})", what)) return;
            WriteObject(Run($"Rolling back {Settings.Environment}", (log, ct) => service.UndoAsync(ToRelease, RestoreDatabase,
                System.Environment.UserName, System.TimeSpan.FromSeconds(LockTimeoutSec), log, ct)));
        }
    }
}
