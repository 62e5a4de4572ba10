using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Replaces the environment's database with a pg_dump -Fc file on the target.</summary>
    [Cmdlet(VerbsData.Restore, "OdooDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Readme + "#get-help-restore-odoodatabase")]
    [OutputType(typeof(OdooDatabaseBackup))]
    public sealed class RestoreOdooDatabaseCommand : DeployCmdletBase
    {
        /// <summary>The dump on the target (absolute, or relative to the deploy root), or an OdooDatabaseBackup.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        public string Path { get; set; } = null!;

        /// <summary>Do not ask (CI); -WhatIf still only shows what it would do.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            Resolve();
            string path = Path.StartsWith("/", System.StringComparison.Ordinal) ? Path : Settings.Root + "/" + Path;
            if (!ShouldProcessOrAsk($"{Settings.Database} on {Settings.Environment}", $"replace with {path} (restored into a new database, verified, then swapped in by rename)", Force)) return;
            using ITargetTransport transport = Transport();
            Run("Restoring " + Settings.Database, (log, ct) => Service(transport).RestoreAsync(path, ct));
            // The dump now in place, as Backup-OdooDatabase describes one.
            WriteObject(new OdooDatabaseBackup { Environment = Settings.Environment, Database = Settings.Database, Path = path });
        }
    }
}
