using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo;

namespace InfluenceGen.Deploy.Quality
{
    /// <summary>What Invoke-OdooLint brings of its own: OCA's default linter configuration (module/lint/pylintrc
    /// and module/lint/flake8, embedded in the assembly) used when the repository has none, the pinned linter
    /// versions (module/lint/requirements.txt) named when one is missing, and the Odoo series pylint-odoo's
    /// <c>--valid-odoo-versions</c> is given.</summary>
    public static class OdooLintSetup
    {
        /// <summary>The pip line that installs the linters (module/lint/requirements.txt).</summary>
        public static string PipInstall => "pip install " + string.Join(" ", Requirements());

        public static string DefaultPylintrc => Resource("pylintrc");
        public static string DefaultFlake8Config => Resource("flake8");

        /// <summary>The requirement lines of module/lint/requirements.txt (pylint-odoo==10.0.12 …).</summary>
        public static IReadOnlyList<string> Requirements() => Resource("requirements.txt").Replace("\r\n", "\n").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal)).ToList();

        private static string Resource(string name)
        {
            using Stream? stream = typeof(OdooLintSetup).Assembly.GetManifestResourceStream("InfluenceGen.Deploy.Quality." + name);
            if (stream == null) throw new InvalidOperationException($"the module's lint/{name} resource is missing (a broken build)");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        private static readonly Regex Series = new Regex(@"^\d+\.\d+$", RegexOptions.Compiled);

        /// <summary>The Odoo series for <c>--valid-odoo-versions</c>: <paramref name="configured"/> (-OdooVersion or
        /// ODOO_VERSION) when given, else the one series all the addons' manifest versions start with
        /// (17.0.1.0.0 → 17.0); null when no manifest names one. Addons of two series are an error: pylint-odoo
        /// would accept either and so miss the mismatch.</summary>
        public static string? OdooSeries(string? configured, IEnumerable<string> targets, IDeployLog log)
        {
            if (!string.IsNullOrWhiteSpace(configured))
            {
                string value = configured!.Trim();
                if (!Series.IsMatch(value))
                    throw new DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidData,
                        $"the Odoo version '{value}' (-OdooVersion or ODOO_VERSION) is not an Odoo series such as 17.0", "OdooVersion");
                return value;
            }
            var bySeries = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string addon in targets.SelectMany(AddonFolders).Distinct())
            {
                AddonManifest? manifest = AddonManifest.Load(addon, null, new List<AddonProblem>());
                string[] parts = manifest?.Version.Split('.') ?? Array.Empty<string>();
                if (parts.Length < 4) continue;   // x.y or x.y.z: no series in it
                string series = parts[0] + "." + parts[1];
                if (!bySeries.TryGetValue(series, out List<string>? names)) bySeries[series] = names = new List<string>();
                names.Add(Path.GetFileName(addon));
            }
            if (bySeries.Count > 1)
                throw new DeployException(ErrorIds.LintOdooVersionAmbiguous, ErrorKind.InvalidData,
                    "the addons' manifests name more than one Odoo series (" + string.Join("; ", bySeries.Select(s => $"{s.Key}: {string.Join(", ", s.Value)}")) +
                    "): give the series they must match with -OdooVersion or ODOO_VERSION", "OdooVersion")
                { RecommendedAction = "Invoke-OdooLint -OdooVersion 17.0 (or set ODOO_VERSION)" };
            if (bySeries.Count == 0)
            {
                log.Verbose("pylint-odoo: no manifest version names an Odoo series (e.g. 17.0.1.0.0) and no -OdooVersion/ODOO_VERSION: its version-specific checks assume any version");
                return null;
            }
            log.Verbose($"pylint-odoo: Odoo series {bySeries.Keys.Single()} from the manifests' versions");
            return bySeries.Keys.Single();
        }

        /// <summary>The addon folders (with a __manifest__.py) at or under a -Path.</summary>
        internal static IEnumerable<string> AddonFolders(string target)
        {
            if (File.Exists(target))
            {
                // A module file: the addon around it, if any.
                for (DirectoryInfo? dir = new FileInfo(target).Directory; dir != null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, AddonManifest.FileName)))
                    {
                        yield return dir.FullName;
                        break;
                    }
                yield break;
            }
            if (!Directory.Exists(target)) yield break;
            if (File.Exists(Path.Combine(target, AddonManifest.FileName)))
            {
                yield return target;
                yield break;
            }
            foreach (string dir in Directory.GetDirectories(target).OrderBy(d => d, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(dir);
                if (name.StartsWith(".", StringComparison.Ordinal) || name == "__pycache__") continue;
                foreach (string addon in AddonFolders(dir)) yield return addon;
            }
        }
    }
}
