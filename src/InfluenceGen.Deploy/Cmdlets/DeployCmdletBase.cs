using System.Collections.Generic;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>The shared part of the deploy cmdlets: configuration, transport and service of an environment.</summary>
    public abstract class DeployCmdletBase : InfluenceGenCmdlet
    {
        /// <summary>The environment: dev, staging, production, local, or one of the environments file.</summary>
        [System.Management.Automation.Parameter(Mandatory = true, Position = 0)]
        [System.Management.Automation.ArgumentCompleter(typeof(EnvironmentCompleter))]
        [System.Management.Automation.ValidateNotNullOrEmpty]
        public string Environment { get; set; } = null!;

        /// <summary>The environments file (default: $INFLUENCEGEN_ENVIRONMENTS_FILE or ./environments.json).</summary>
        [System.Management.Automation.Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>Deploy cmdlets change a target: SIGTERM cancels them like Ctrl+C (see the base).</summary>
        protected override bool CancelOnTerminate => true;

        protected DeployConfiguration Config = null!;
        protected DeploySettings Settings = null!;

        protected void Resolve(IReadOnlyDictionary<string, object?>? explicitValues = null)
        {
            Config = ResolveConfiguration(Environment, ConfigurationPath, explicitValues);
            Settings = DeploySettings.From(Config, CurrentDirectory);
        }

        protected ITargetTransport Transport() => DeploySettings.TransportFor(Config, CurrentDirectory);

        protected DeployService Service(ITargetTransport transport) => DeployServices.For(Config, Settings, transport);
    }
}
