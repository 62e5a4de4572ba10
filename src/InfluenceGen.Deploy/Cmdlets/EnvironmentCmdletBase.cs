using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>What the environment cmdlets (Copy-OdooDatabase, New-/Remove-InfluenceGenEnvironment) share.</summary>
    public abstract class EnvironmentCmdletBase : InfluenceGenCmdlet
    {
        /// <summary>The environments file (default: $INFLUENCEGEN_ENVIRONMENTS_FILE or ./environments.json).</summary>
        [System.Management.Automation.Parameter]
        public string? ConfigurationPath { get; set; }

        protected (DeployConfiguration, DeploySettings) SettingsOf(string environment)
        {
            DeployConfiguration config = ResolveConfiguration(environment, ConfigurationPath);
            DeploySettings settings = DeploySettings.From(config, CurrentDirectory);
            return (config, settings);
        }

        /// <summary>user@host:port of an environment's target (or "local"), without connecting.</summary>
        protected static string Target(DeployConfiguration c)
            => c.Target.Describe();

        /// <summary>Production's settings and target when production is configured enough to compare; else null.</summary>
        protected (DeploySettings, string)? Production()
        {
            try
            {
                DeployConfiguration c = ResolveConfiguration(DeployEnvironment.Production, ConfigurationPath);
                if (c.Target.SshHost == null && !c.Target.IsLocal) return null;
                return (DeploySettings.From(c, CurrentDirectory), Target(c));
            }
            catch (DeployException) { return null; }
        }

        protected bool WhatIfGiven => MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w) && ((System.Management.Automation.SwitchParameter)w).IsPresent;
    }
}
