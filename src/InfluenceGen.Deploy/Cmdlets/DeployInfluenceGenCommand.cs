using System;
using System.Management.Automation;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Odoo;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Deploys an addon package (and optionally an n8n bundle) to an environment: lock, gate, upload and
    /// verify, decide install/upgrade, backup, atomic switch, Odoo, restart, health, ledger; rolls back on
    /// failure. -WhatIf prints the plan. The work is in <see cref="DeployService"/>.
    /// </summary>
    [Cmdlet("Deploy", "InfluenceGen", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Deploy", HelpUri = HelpLinks.Readme + "#get-help-deploy-influencegen")]
    [OutputType(typeof(DeploymentRecord), typeof(DeployPlan))]
    public sealed class DeployInfluenceGenCommand : DeployCmdletBase
    {
        /// <summary>The addon package: a zip path or the OdooAddonPackage object New-OdooAddonPackage writes.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 1, ParameterSetName = "Deploy")]
        [ValidateNotNull]
        [AddonPackageTransformation]
        public OdooAddonPackage Package { get; set; } = null!;

        /// <summary>Removes the environment's deploy lock (a holder that is not provably gone: e.g. a runner that crashed
        /// within its lease), with a ledger line naming the holder and -Reason. Refused while a target job holds it.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "BreakLock")]
        public SwitchParameter BreakLock { get; set; }

        /// <summary>Why the lock is broken (goes into the ledger).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "BreakLock")]
        [ValidateNotNullOrEmpty]
        public string Reason { get; set; } = null!;

        /// <summary>An n8n workflow bundle to publish after Odoo is healthy.</summary>
        [Parameter]
        public string? N8nPackage { get; set; }

        /// <summary>The JIRA change request (default: CHANGE_REQUEST_ID).</summary>
        [Parameter]
        public string? ChangeRequestId { get; set; }

        /// <summary>Deploy without asking the change gate; requires -SkipReason, recorded in the ledger.</summary>
        [Parameter]
        public SwitchParameter SkipApproval { get; set; }

        /// <summary>Why the change gate is skipped (recorded in the ledger); required with -SkipApproval.</summary>
        [Parameter]
        public string? SkipReason { get; set; }

        /// <summary>Seconds to wait for another deployment's lock (default 0: fail fast).</summary>
        [Parameter]
        [Alias("LockTimeout")]
        [ValidateRange(0, 3600)]
        public int LockTimeoutSec { get; set; }

        /// <summary>Do not ask for confirmation on production.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            if (BreakLock) { BreakTheLock(); return; }
            // [AddonPackageTransformation] made a zip path or FileInfo a package with its Path.
            string path = Package.Path; string? sha = Package.Sha256.Length > 0 ? Package.Sha256 : null;
            if (SkipApproval && string.IsNullOrWhiteSpace(SkipReason))
                throw new DeployException(ErrorIds.SkipReasonMissing, ErrorKind.InvalidArgument, "-SkipApproval needs -SkipReason: say why the change gate is skipped (it goes into the ledger)", "SkipReason");

            Resolve();
            // As Test-ChangeApproval: skipping the gate of production is only for when JIRA integration
            // is switched off (ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY=false) - never a silent bypass.
            if (SkipApproval && Settings.IsProduction && Config.Switches.JiraForProduction)
                throw new DeployException(ErrorIds.SkipApprovalNotAllowed, ErrorKind.PermissionDenied,
                    "-SkipApproval is refused for production while JIRA integration is on (ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY=true): get the change request approved", "SkipApproval");
            DeployPackage deployPackage = DeployPackage.Open(path, sha);
            // The toggles switch a part off for every deploy of this environment (CI variable, environments
            // file): a switched-off part is skipped on the record, not attempted.
            bool odoo = Config.Switches.OdooDeploy;
            bool n8n = Config.Switches.N8nDeploy;
            string? bundle = N8nPackage == null || !n8n ? null : ResolveOutputPath(N8nPackage);
            if (N8nPackage != null && !n8n)
                Verbose($"n8n deploy is switched off (ENABLE_N8N_DEPLOY=false): {N8nPackage} is not published");
            if (bundle != null && !System.IO.File.Exists(bundle))
                throw new DeployException(ErrorIds.N8nPackageNotFound, ErrorKind.ObjectNotFound,
                    $"the n8n bundle {bundle} does not exist: build it with New-N8nWorkflowPackage, or switch n8n deploys off (ENABLE_N8N_DEPLOY=false)", bundle);
            if (!odoo)
                Verbose($"Odoo deploy is switched off (ENABLE_ODOO_DEPLOY=false): {System.IO.Path.GetFileName(path)} is not deployed");
            var request = new DeployRequest
            {
                Package = deployPackage,
                N8nBundle = bundle,
                DeployOdoo = odoo,
                OdooSkippedReason = odoo ? null : "ENABLE_ODOO_DEPLOY=false",
                N8nSkippedReason = n8n ? null : "ENABLE_N8N_DEPLOY=false",
                ChangeRequestId = ChangeRequestId ?? Config.ChangeRequest.Id,
                SkipApproval = SkipApproval,
                SkipReason = SkipReason,
                LockTimeout = TimeSpan.FromSeconds(LockTimeoutSec),
                User = Job.User,
            };
            using ITargetTransport transport = Transport();
            DeployService service = Service(transport);
            // The full plan costs a round trip: read the target first only when someone will see it
            // (-WhatIf, a confirmation prompt); otherwise the deploy reads the target under its lock.
            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w) && ((SwitchParameter)w).IsPresent;
            bool confirm = MyInvocation.BoundParameters.TryGetValue("Confirm", out object? c) && ((SwitchParameter)c).IsPresent;
            bool prompts = confirm || (GetVariableValue("ConfirmPreference") is ConfirmImpact pref && pref != ConfirmImpact.None && pref <= ConfirmImpact.Medium
                                       && !MyInvocation.BoundParameters.ContainsKey("Confirm"));
            bool productionPrompt = Settings.IsProduction && !Force;
            if (whatIf || prompts || productionPrompt)
            {
                DeployPlan plan = Run("Planning the deploy", (log, ct) => service.PlanAsync(request, log, ct));
                string text = plan.ToString();
                if (!ShouldProcess(text, text + "\nDeploy?", $"Deploy-InfluenceGen {Settings.Environment}"))
                {
                    if (whatIf) WriteObject(plan);
                    return;
                }
                if (productionPrompt && !ShouldContinue(text + "\nThis changes PRODUCTION. Continue?", "Deploy to production"))
                    return;
            }
            else if (!ShouldProcess($"{Settings.Environment} ({transport.Description}:{Settings.Root})", $"Deploy {System.IO.Path.GetFileName(path)}"))
                return;
            DeploymentRecord record = Run($"Deploying to {Settings.Environment}", (log, ct) => service.DeployAsync(request, log, ct));
            Verbose($"{transport.Description}: {transport.RoundTrips} round trip(s)");
            WriteObject(record);
        }

        /// <summary>-BreakLock: High impact, so it asks (ShouldProcess, then ShouldContinue) unless -Force.</summary>
        private void BreakTheLock()
        {
            Resolve();
            using ITargetTransport transport = Transport();
            string what = $"break the deploy lock of {Settings.Environment} ({transport.Description}:{Settings.Root}/.lock): reason '{Reason}'";
            if (!ShouldProcess($"{Settings.Environment} ({Settings.Root}/.lock)", what)) return;
            if (!Force && !ShouldContinue(what + "\nOnly do this when no deployment to it is running. Continue?", "Break the deploy lock")) return;
            string user = Job.User;
            WriteObject(Run($"Breaking the lock of {Settings.Environment}", (log, ct) => Service(transport).BreakLockAsync(Reason, user, ct)));
        }
    }
}
