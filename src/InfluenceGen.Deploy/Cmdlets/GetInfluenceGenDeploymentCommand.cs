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
}
