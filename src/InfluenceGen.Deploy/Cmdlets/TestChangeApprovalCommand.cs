using System.Management.Automation;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Is the JIRA change request approved for deployment to the environment? Fail closed: any
    /// failure to reach or understand JIRA is "not approved" with the reason. Not being approved is
    /// an answer, not an error: the cmdlet writes the approval object (or, with -Quiet, $false).
    /// The work is in <see cref="ChangeApprovalService"/>.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ChangeApproval", DefaultParameterSetName = "Check", HelpUri = HelpLinks.Readme + "#get-help-test-changeapproval")]
    [OutputType(typeof(ChangeApproval), ParameterSetName = new[] { "Check", "Skip" })]
    [OutputType(typeof(bool))]
    public sealed class TestChangeApprovalCommand : ChangeGateCmdlet
    {
        /// <summary>The change request's issue key (default CHANGE_REQUEST_ID).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Key", "IssueKey")]
        [AllowEmptyString]
        public string? ChangeRequestId { get; set; }

        /// <summary>The environment deployed to (default production).</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; } = Configuration.DeployEnvironment.Production;

        /// <summary>Skip the gate. Only honoured for production while
        /// ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY is false; needs -SkipReason.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Skip")]
        public SwitchParameter SkipApproval { get; set; }

        /// <summary>Why the gate is skipped; recorded in the output.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Skip")]
        [ValidateNotNullOrEmpty]
        public string SkipReason { get; set; } = null!;

        /// <summary>Write only $true or $false.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Time limit of one request to JIRA, in seconds (default 30).</summary>
        [Parameter]
        [ValidateRange(0.1, 600)]
        public double TimeoutSec { get => RequestTimeoutSeconds; set => RequestTimeoutSeconds = value; }

        protected override void Process()
        {
            DeployConfiguration config = ResolveGateConfiguration(Environment);
            string id = ChangeRequestId ?? config.ChangeRequest.Id ?? string.Empty;
            var service = new ChangeApprovalService(config, GateOptions(SkipApproval ? SkipReason : null));
            ChangeApproval result = Run($"Checking change request {id}", (log, ct) => service.CheckAsync(id, Environment, log, ct));
            if (!result.Approved) Verbose($"{(result.ChangeRequestId.Length > 0 ? result.ChangeRequestId : "(no id)")} is not approved: {result.Reason}");
            if (Quiet) WriteObject(result.Approved);
            else WriteObject(result);
        }
    }
}
