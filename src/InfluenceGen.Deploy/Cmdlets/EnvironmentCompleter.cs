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
    /// <summary>Tab completion of -Environment: the built-in environments and those of the environments
    /// file the command would read (its typed -ConfigurationPath, else the current folder's).</summary>
    public sealed class EnvironmentCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IReadOnlyList<string> names;
            try
            {
                // The environments file the command would read: a -ConfigurationPath typed before -Environment counts.
                var (resolver, file, _) = CompletionContext.Configuration(fakeBoundParameters);
                names = resolver.KnownEnvironments(file);
            }
            catch (DeployException)
            {
                names = DeployEnvironment.BuiltIn;
            }
            return names
                .Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
        }
    }
}
