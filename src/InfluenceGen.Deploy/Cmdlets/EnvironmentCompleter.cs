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
        /// <summary>The session's current folder (completion runs on the session's thread).</summary>
        private static string CurrentLocation()
        {
            try
            {
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddScript("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath");
                return ps.Invoke().FirstOrDefault()?.BaseObject as string ?? Environment.CurrentDirectory;
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is InvalidOperationException || ex is RuntimeException)
            {
                return Environment.CurrentDirectory;
            }
        }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            IReadOnlyList<string> names;
            try
            {
                var resolver = new ConfigurationResolver(ConfigurationResolver.ProcessVariables(), SecretMasker.Default);
                names = resolver.KnownEnvironments(resolver.LocateFile(null, CurrentLocation()));
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
