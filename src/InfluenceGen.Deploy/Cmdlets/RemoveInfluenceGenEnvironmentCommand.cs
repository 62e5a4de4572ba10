using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Environments;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Removes a review environment: stops its Odoo, drops its database, deletes its releases (deploy root) and frees
    /// its port. Refuses dev, staging, production, local and anything not named review/&lt;slug&gt;. Removing one that
    /// is already gone succeeds (GitLab may run the stop job twice).
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "InfluenceGenEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Readme + "#get-help-remove-influencegenenvironment")]
    [OutputType(typeof(InfluenceGenEnvironment))]
    public sealed class RemoveInfluenceGenEnvironmentCommand : EnvironmentCmdletBase
    {
        /// <summary>review/&lt;branch slug&gt;.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = null!;

        /// <summary>Do not ask (CI).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            if (ReviewEnvironment.IsFixed(Name))
                throw new DeployException(ErrorIds.FixedEnvironment, ErrorKind.PermissionDenied,
                    $"refused: '{Name}' is a fixed environment; Remove-InfluenceGenEnvironment removes only review environments (review/<branch slug>)", Name);
            ReviewEnvironment review = ReviewEnvironment.Parse(Name);
            var (config, settings) = SettingsOf(review.Name);
            if (!(Force && !WhatIfGiven) && !ShouldProcess($"{review.Name} on {Target(config)}",
                    $"stop its Odoo (port {settings.HttpPort}), DROP the database {settings.Database}, delete {settings.Root}")) return;
            using ITargetTransport dev = DeploySettings.TransportFor(config, CurrentDirectory);
            var service = new ReviewEnvironmentService(review, dev, settings);
            WriteObject(Run("Removing " + review.Name, (log, ct) => service.RemoveAsync(log, ct)));
        }
    }
}
