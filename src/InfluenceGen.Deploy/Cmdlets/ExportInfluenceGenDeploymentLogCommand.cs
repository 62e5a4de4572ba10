using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
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
