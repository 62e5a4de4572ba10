using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using InfluenceGen.Deploy.Checks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Odoo;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Checks a deployed environment (the integration_test_services job): Odoo answers and reaches its database,
    /// its version over XML-RPC, every packaged addon installed at the packaged version, n8n ready, every webhook
    /// of an active packaged workflow registered. One object per check; each failed check is a non-terminating
    /// error, so `pwsh -c` exits 1 and -ErrorAction decides. The work is in <see cref="EnvironmentChecker"/>.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "InfluenceGenEnvironment", HelpUri = HelpLinks.Readme + "#get-help-test-influencegenenvironment")]
    [OutputType(typeof(EnvironmentCheck))]
    public sealed class TestInfluenceGenEnvironmentCommand : InfluenceGenCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string Environment { get; set; } = null!;

        /// <summary>The addon package whose addons must be installed at their packaged versions.</summary>
        [Parameter(Position = 1, ValueFromPipeline = true)]
        public object? Package { get; set; }

        /// <summary>The n8n workflow package (or folder) whose active workflows' webhooks must be registered.</summary>
        [Parameter]
        public string? N8nPackage { get; set; }

        /// <summary>Odoo's URL (default: the environment's OdooUrl or HealthUrl; TEST_ENVIRONMENT_URL for dev).</summary>
        [Parameter]
        public string? OdooUrl { get; set; }

        [Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>Seconds each HTTP call may take.</summary>
        [Parameter]
        [ValidateRange(1, 600)]
        public int TimeoutSec { get; set; } = 30;

        private string? _package;

        protected override void Process()
        {
            object? value = Package is PSObject pso ? pso.BaseObject : Package;
            _package = value switch
            {
                null => _package,
                OdooAddonPackage built => built.Path,
                string s => ResolveOutputPath(s),
                System.IO.FileInfo fi => fi.FullName,
                _ => PSObject.AsPSObject(value).Properties["Path"]?.Value is string p ? ResolveOutputPath(p)
                    : throw new DeployException(ErrorIds.PackageInvalid, ErrorKind.InvalidArgument, "-Package takes a zip path or an OdooAddonPackage object.", Package),
            };
        }

        protected override void End()
        {
            DeployConfiguration config = ResolveConfiguration(Environment, ConfigurationPath);
            var request = new EnvironmentCheckRequest
            {
                Environment = config.Environment,
                OdooUrl = OdooUrl ?? config.Target.OdooUrl ?? config.Target.HealthUrl ?? GlobalSetting("TestEnvironmentUrl", ConfigurationPath),
                N8nUrl = config.Switches.N8nDeploy ? config.N8n.ApiUrl : null,
            };
            if (request.OdooUrl == null && _package == null && request.N8nUrl == null)
                throw new DeployException(ErrorIds.NothingToCheck, ErrorKind.InvalidArgument,
                    $"Nothing to check in '{config.Environment}': set OdooUrl (or TEST_ENVIRONMENT_URL), N8nApiUrl, or give -Package.", Environment);
            if (_package != null) request.Addons = EnvironmentExpectations.Addons(_package);
            if (N8nPackage != null && request.N8nUrl != null)
                request.Webhooks = EnvironmentExpectations.Webhooks(ResolveOutputPath(N8nPackage), NullDeployLog.Instance);

            ITargetTransport? transport = null;
            try
            {
                IModuleStateReader? reader = null;
                if (request.Addons.Count > 0)
                {
                    DeploySettings settings = DeploySettings.From(config, CurrentDirectory);
                    transport = DeploySettings.TransportFor(config, CurrentDirectory);
                    reader = new TransportModuleStateReader(transport, settings);
                }
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(TimeoutSec) };
                var checker = new EnvironmentChecker(http, reader);
                List<EnvironmentCheck> checks = Run($"Checking {config.Environment}", (log, ct) => checker.RunAsync(request, log, ct));
                foreach (EnvironmentCheck check in checks)
                {
                    WriteObject(check);
                    if (!check.Ok)
                        ReportError(new DeployException(ErrorIds.EnvironmentCheckFailed, ErrorKind.InvalidResult,
                            $"{check.Check} {check.Target}: {check.Detail}", check.Target));
                }
            }
            finally
            {
                transport?.Dispose();
            }
        }
    }
}
