using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Reads the deployment ledger of an environment (newest last); -Verify checks its hash chain.</summary>
    [Cmdlet(VerbsCommon.Get, "InfluenceGenDeployment", HelpUri = HelpLinks.Readme + "#get-help-get-influencegendeployment")]
    [OutputType(typeof(DeploymentRecord))]
    public sealed class GetInfluenceGenDeploymentCommand : DeployCmdletBase
    {
        /// <summary>Only the last N entries.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; }

        /// <summary>Check every entry's hash and its link to the previous line; a broken chain is an error.</summary>
        [Parameter]
        public SwitchParameter Verify { get; set; }

        /// <summary>The Hash of the last entry as kept outside the target (e.g. the deploy result's Hash in a job
        /// artifact): an entry with it must still be in the ledger, so lines removed at the end are detected. Implies -Verify.</summary>
        [Parameter]
        [ValidatePattern("^[0-9a-fA-F]{64}$")]
        public string? ExpectedHead { get; set; }

        protected override void Process()
        {
            Resolve();
            using ITargetTransport transport = Transport();
            bool verify = Verify || ExpectedHead != null;
            var (records, _, _) = Run("Reading the deployment ledger", (log, ct) => Service(transport).ReadLedgerAsync(verify, ct, ExpectedHead));
            var shown = Last > 0 ? records.Skip(System.Math.Max(0, records.Count - Last)).ToList() : records;
            foreach (DeploymentRecord r in shown) WriteObject(r);
            DeploymentRecord? broken = records.FirstOrDefault(r => r.Verified == false);
            if (broken != null)
                Fail(new DeployException(ErrorIds.LedgerTampered, ErrorKind.InvalidData,
                    $"the ledger {Settings.Root}/{DeploymentLedger.FileName} of {Settings.Environment} fails verification: {broken.VerifyProblem}", broken.Line));
        }
    }

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

    /// <summary>The result of Backup-OdooDatabase.</summary>
    public sealed class OdooDatabaseBackup
    {
        public string Environment { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public string Path { get; set; } = string.Empty;
        public override string ToString() => Path;
    }

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

    /// <summary>What Export-InfluenceGenDeploymentLog wrote (table view in InfluenceGen.Deploy.Deploy.Format.ps1xml).</summary>
    public sealed class DeploymentLogExport
    {
        public string Environment { get; set; } = string.Empty;
        public string Format { get; set; } = string.Empty;
        /// <summary>The file written; its SHA-256 is in Path.sha256.</summary>
        public string Path { get; set; } = string.Empty;
        public string Sha256 { get; set; } = string.Empty;
        /// <summary>The ledger entries exported.</summary>
        public int Entries { get; set; }
        public override string ToString() => Path;
    }

    /// <summary>Writes the ledger as CSV or JSON, with a .sha256 file beside it.</summary>
    [Cmdlet(VerbsData.Export, "InfluenceGenDeploymentLog", SupportsShouldProcess = true, HelpUri = HelpLinks.Readme + "#get-help-export-influencegendeploymentlog")]
    [OutputType(typeof(DeploymentLogExport), typeof(System.IO.FileInfo))]
    public sealed class ExportInfluenceGenDeploymentLogCommand : DeployCmdletBase
    {
        /// <summary>Csv or Json.</summary>
        [Parameter(Mandatory = true)]
        [ValidateSet("Csv", "Json")]
        public string Format { get; set; } = "Json";

        /// <summary>The file to write (replaced atomically); its SHA-256 goes to OutFile.sha256.</summary>
        [Parameter(Mandatory = true)]
        public string OutFile { get; set; } = null!;

        /// <summary>Return the written file (a FileInfo) instead of the export summary.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void Process()
        {
            Resolve();
            string target = ResolveOutputPath(OutFile);
            if (!ShouldProcess(target, "Export the deployment ledger of " + Settings.Environment)) return;
            using ITargetTransport transport = Transport();
            var (records, _, _) = Run("Reading the deployment ledger", (log, ct) => Service(transport).ReadLedgerAsync(true, ct));
            string text = Format == "Json" ? Newtonsoft.Json.JsonConvert.SerializeObject(records, Newtonsoft.Json.Formatting.Indented) : DeploymentExport.ToCsv(records);
            AtomicFile.WriteAllText(target, text);
            string sha = DeploymentLedger.Sha256Hex(text);
            AtomicFile.WriteAllText(target + ".sha256", sha + "  " + System.IO.Path.GetFileName(target) + "\n");
            if (PassThru) WriteObject(InvokeProvider.Item.Get(target).FirstOrDefault() ?? (object)new System.IO.FileInfo(target));
            else WriteObject(new DeploymentLogExport { Environment = Settings.Environment, Format = Format, Path = target, Sha256 = sha, Entries = records.Count });
        }
    }
}
