using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>pg_dump -Fc of the environment's database (and filestore) into &lt;root&gt;/backups on the target.</summary>
    [Cmdlet(VerbsData.Backup, "OdooDatabase", SupportsShouldProcess = true, HelpUri = HelpLinks.Readme + "#get-help-backup-odoodatabase")]
    [OutputType(typeof(OdooDatabaseBackup))]
    public sealed class BackupOdooDatabaseCommand : DeployCmdletBase
    {
        /// <summary>Name part of the dump file (default: manual-yyyyMMdd-HHmmss).</summary>
        [Parameter]
        [ValidatePattern("^[A-Za-z0-9._-]+$")]
        public string? Label { get; set; }

        protected override void Process()
        {
            Resolve();
            string label = Label ?? "manual-" + System.DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
            if (!ShouldProcessOrAsk($"{Settings.Database} on {Settings.Environment}", $"pg_dump -Fc to {Settings.Root}/backups/{Settings.Database}-{label}.dump")) return;
            using ITargetTransport transport = Transport();
            string path = Run("Backing up " + Settings.Database, (log, ct) => Service(transport).BackupAsync(label, ct));
            WriteObject(new OdooDatabaseBackup { Environment = Settings.Environment, Database = Settings.Database, Path = path });
        }
    }
}
