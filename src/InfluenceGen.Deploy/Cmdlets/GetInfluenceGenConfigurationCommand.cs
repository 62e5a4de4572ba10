using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Shows the resolved configuration of one or every environment: each setting's value (secrets
    /// masked) and where it came from (parameter, CI variable, environments file and line, default).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "InfluenceGenConfiguration", HelpUri = HelpLinks.Readme + "#get-help-get-influencegenconfiguration")]
    [OutputType(typeof(ConfigurationEntry))]
    public sealed class GetInfluenceGenConfigurationCommand : InfluenceGenCmdlet
    {
        /// <summary>dev, staging, production, local or one of the environments file; all when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        /// <summary>Setting names to show (wildcards).</summary>
        [Parameter]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(SettingNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>The environments file; default $env:INFLUENCEGEN_ENVIRONMENTS_FILE or ./environments.json.</summary>
        [Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>Only settings that have a value.</summary>
        [Parameter]
        public SwitchParameter SetOnly { get; set; }

        protected override void Process()
        {
            ConfigurationResolver resolver = Resolver;
            string? file = resolver.LocateFile(ConfigurationPath, CurrentDirectory);
            if (file != null) Verbose($"Environments file: {file}");
            string[] environments = Environment ?? resolver.KnownEnvironments(file).ToArray();
            var patterns = (Name ?? new[] { "*" }).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
            // Each environment stands alone: one nobody defined is a non-terminating error (the others are shown);
            // a broken environments file stops the command.
            foreach (string environment in environments)
                PerItem(() =>
                {
                    DeployConfiguration configuration = resolver.Resolve(environment, file);
                    foreach (ConfigurationEntry entry in configuration.Entries)
                    {
                        if (!patterns.Any(p => p.IsMatch(entry.Name))) continue;
                        if (SetOnly && !entry.IsSet) continue;
                        WriteObject(entry);
                    }
                }, ex => ex.ErrorId == ErrorIds.UnknownEnvironment);
        }
    }
}
