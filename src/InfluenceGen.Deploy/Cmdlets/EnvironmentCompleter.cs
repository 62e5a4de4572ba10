using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Tab completion of -Environment: the built-in environments and those of the
    /// environments file in the current folder.</summary>
    public sealed class EnvironmentCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IReadOnlyList<string> names;
            try
            {
                var resolver = new ConfigurationResolver(ConfigurationResolver.ProcessVariables(), SecretMasker.Default);
                names = resolver.KnownEnvironments(resolver.LocateFile(null, Environment.CurrentDirectory));
            }
            catch (DeployException)
            {
                names = SettingCatalog.BuiltInEnvironments;
            }
            return names
                .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }
}
