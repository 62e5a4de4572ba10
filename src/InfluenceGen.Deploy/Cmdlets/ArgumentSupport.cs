using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Odoo;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Lets a parameter typed <see cref="OdooAddonPackage"/> take what users have at hand: the object
    /// New-OdooAddonPackage wrote (also deserialized, e.g. from Import-Clixml), a zip path relative to the
    /// session's location, or a FileInfo (Get-Item odoo_addons.zip). A path becomes a package with only its
    /// Path set (the zip is read and verified where it is used).
    /// </summary>
    public sealed class AddonPackageTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (value)
            {
                case OdooAddonPackage package: return package;
                case FileInfo file: return new OdooAddonPackage { Path = file.FullName };
                case string path when path.Length > 0:
                    return new OdooAddonPackage { Path = engineIntrinsics.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path) };
            }
            if (PSObject.AsPSObject(inputData).Properties["Path"]?.Value is string p && p.Length > 0)
                return new OdooAddonPackage
                {
                    Path = engineIntrinsics.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p),
                    Sha256 = PSObject.AsPSObject(inputData).Properties["Sha256"]?.Value as string ?? string.Empty,
                };
            throw new ArgumentTransformationMetadataException(
                $"-Package takes a zip path, a FileInfo or the OdooAddonPackage New-OdooAddonPackage writes, not {value?.GetType().FullName ?? "null"}.");
        }
    }

    /// <summary>
    /// Turns what -Module of Invoke-OdooUnitTest / ConvertFrom-OdooTestLog is given into module names: names
    /// (also comma-separated, "ig_base,ig_campaign"), an OdooAddonPackage (its addons, in installation order),
    /// an OdooAddon, or a deserialized package with Addons.
    /// </summary>
    public sealed class OdooModuleNameTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var names = new List<string>();
            object value = inputData is PSObject pso ? pso.BaseObject : inputData;
            IEnumerable items = value is string || value is OdooAddonPackage || !(value is IEnumerable e) ? new[] { inputData } : e;
            try
            {
                foreach (object item in items) names.AddRange(InvokeOdooUnitTestCommand.ModuleNames(item));
            }
            catch (DeployException ex)
            {
                throw new ArgumentTransformationMetadataException(InfluenceGenCmdlet.Sentence(ex.Message), ex);
            }
            return names.ToArray();
        }
    }

    /// <summary>Shared by the completers: the session's current folder and the -ConfigurationPath typed so far.</summary>
    internal static class CompletionContext
    {
        public static string CurrentLocation()
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

        /// <summary>The environments file the command being completed would read: its typed -ConfigurationPath
        /// (relative to the current folder), else the default lookup.</summary>
        public static (ConfigurationResolver Resolver, string? File, string Location) Configuration(IDictionary fakeBoundParameters)
        {
            string location = CurrentLocation();
            var resolver = ConfigurationResolver.ForProcess(SecretMasker.Default);
            string? typed = fakeBoundParameters?["ConfigurationPath"] is object v ? (v is PSObject p ? p.BaseObject : v)?.ToString() : null;
            if (typed != null && !Path.IsPathRooted(typed)) typed = Path.GetFullPath(Path.Combine(location, typed));
            return (resolver, resolver.LocateFile(typed, location), location);
        }

        public static IEnumerable<CompletionResult> Matching(IEnumerable<string> values, string? word)
            => values.Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(n => n.StartsWith((word ?? string.Empty).Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n.IndexOfAny(new[] { ' ', '$', '\'', '`', ';' }) >= 0 ? "'" + n.Replace("'", "''") + "'" : n,
                    n, CompletionResultType.ParameterValue, n));
    }

    /// <summary>Tab completion of -Name of Get-InfluenceGenConfiguration: the settings of the catalog.</summary>
    public sealed class SettingNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
            => CompletionContext.Matching(SettingCatalog.All.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal), wordToComplete);
    }

    /// <summary>Tab completion of -Module: the addons (folders with __manifest__.py) under the current folder.</summary>
    public sealed class OdooModuleCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            List<string> addons;
            try
            {
                addons = AddonDiscovery.Find(new[] { CompletionContext.CurrentLocation() }, new List<AddonProblem>())
                    .Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is DeployException)
            {
                addons = new List<string>();
            }
            return CompletionContext.Matching(addons, wordToComplete);
        }
    }

    /// <summary>Tab completion of -ToRelease of Undo-InfluenceGenDeployment: the releases kept on the target
    /// of the -Environment typed so far (read over its transport, given a few seconds).</summary>
    public sealed class ReleaseCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string? environment = fakeBoundParameters?["Environment"] is object e ? (e is PSObject p ? p.BaseObject : e)?.ToString() : null;
            if (string.IsNullOrEmpty(environment)) return Enumerable.Empty<CompletionResult>();
            try
            {
                var (resolver, file, location) = CompletionContext.Configuration(fakeBoundParameters!);
                DeployConfiguration config = resolver.Resolve(environment!, file);
                DeploySettings settings = DeploySettings.From(config, location);
                using ITargetTransport transport = DeploySettings.TransportFor(config, location);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var service = DeployServices.For(config, settings, transport);
                var (_, releases, current) = service.ReadLedgerAsync(false, timeout.Token).GetAwaiter().GetResult();
                return CompletionContext.Matching(releases.Where(r => r != current).OrderByDescending(r => r, StringComparer.Ordinal), wordToComplete);
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                return Enumerable.Empty<CompletionResult>();
            }
        }
    }
}

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>Where Get-Help -Online goes: the README's "Cmdlet reference" section, one heading per cmdlet
    /// ("Get-Help New-OdooAddonPackage" becomes the anchor #get-help-new-odooaddonpackage).</summary>
    public static class HelpLinks
    {
        public const string Readme = "https://gitlab.com/influencegen/deploy/-/blob/main/README.md";
    }
}
