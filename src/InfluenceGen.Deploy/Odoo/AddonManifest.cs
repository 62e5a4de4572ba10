using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Odoo
{
    /// <summary>One problem found in an addon, pointing at the file (and line/column when known).</summary>
    public sealed class AddonProblem
    {
        public AddonProblem(string errorId, string path, int line, int column, string message)
        {
            ErrorId = errorId; Path = path; Line = line; Column = column; Message = message;
        }

        public string ErrorId { get; }
        public string Path { get; }
        public int Line { get; }
        public int Column { get; }
        public string Message { get; }

        public override string ToString() => Line > 0 ? $"{Path}:{Line}:{Column}: {Message}" : $"{Path}: {Message}";
    }

    /// <summary>An addon's <c>__manifest__.py</c>, parsed as a literal and checked the way Odoo loads it.</summary>
    public sealed class AddonManifest
    {
        public const string FileName = "__manifest__.py";

        public string Name { get; private set; } = string.Empty;       // the manifest's display name
        public string Version { get; private set; } = "1.0";
        public IReadOnlyList<string> Depends { get; private set; } = Array.Empty<string>();
        public bool Installable { get; private set; } = true;
        public bool AutoInstall { get; private set; }
        public string? License { get; private set; }
        public string? Summary { get; private set; }

        // Odoo's adapt_version(): x.y, x.y.z, serie.x.y or serie.x.y.z (odoo/modules/module.py).
        private static readonly Regex BaseVersion = new Regex(@"^[0-9]+\.[0-9]+(?:\.[0-9]+)?$", RegexOptions.Compiled);
        private static readonly Regex AddonName = new Regex(@"^[A-Za-z0-9_]+$", RegexOptions.Compiled);

        /// <summary>
        /// Reads and validates the manifest of the addon in <paramref name="addonDir"/>. Problems are
        /// added to <paramref name="problems"/>; null is returned when the manifest is unusable.
        /// </summary>
        public static AddonManifest? Load(string addonDir, string? odooSeries, List<AddonProblem> problems)
        {
            string path = System.IO.Path.Combine(addonDir, FileName);
            string text;
            try
            {
                text = File.ReadAllText(path, new UTF8Encoding(false, true));
            }
            catch (DecoderFallbackException)
            {
                problems.Add(new AddonProblem(ErrorIds.ManifestNotUtf8, path, 0, 0, "the manifest is not valid UTF-8"));
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                problems.Add(new AddonProblem(ErrorIds.ManifestUnreadable, path, 0, 0, "cannot read the manifest: " + ex.Message));
                return null;
            }

            object? parsed;
            try
            {
                parsed = PythonLiteralParser.Parse(text);
            }
            catch (PythonSyntaxException ex)
            {
                problems.Add(new AddonProblem(ErrorIds.ManifestSyntaxError, path, ex.Line, ex.Column, ex.Message));
                return null;
            }
            if (!(parsed is PythonDict dict))
            {
                problems.Add(new AddonProblem(ErrorIds.ManifestNotADict, path, 1, 1, "the manifest must be a literal dict ({ ... }), found " + Describe(parsed)));
                return null;
            }

            var manifest = new AddonManifest();
            int before = problems.Count;
            void Problem(string key, string message)
            {
                var (line, column) = dict.PositionOf(key);
                problems.Add(new AddonProblem(ErrorIds.InvalidManifest, path, line, column, message));
            }

            if (!dict.TryGet("name", out object? name) || !(name is string nameText) || nameText.Trim().Length == 0)
                Problem("name", "'name' is required and must be a non-empty string");
            else
                manifest.Name = nameText;

            if (dict.TryGet("version", out object? version))
            {
                if (!(version is string versionText))
                    Problem("version", $"'version' must be a string such as '{odooSeries ?? "17.0"}.1.0.0', found {Describe(version)}");
                else if (!IsValidVersion(versionText, odooSeries, out string? why))
                    Problem("version", why!);
                else
                    manifest.Version = versionText;
            }

            if (dict.TryGet("depends", out object? depends))
            {
                if (!(depends is PythonList dependList) || dependList.Any(d => !(d is string s) || !AddonName.IsMatch(s)))
                    Problem("depends", "'depends' must be a list of addon names (letters, digits, '_')");
                else
                    manifest.Depends = dependList.Cast<string>().Distinct(StringComparer.Ordinal).ToArray();
            }

            manifest.Installable = ReadBool(dict, "installable", true, Problem);
            if (dict.TryGet("auto_install", out object? autoInstall))
                manifest.AutoInstall = autoInstall is bool b ? b : autoInstall is PythonList;

            if (dict.TryGet("license", out object? license) && license is string licenseText) manifest.License = licenseText;
            if (dict.TryGet("summary", out object? summary) && summary is string summaryText) manifest.Summary = summaryText;

            // Every file listed in data/demo (and the legacy *_xml keys) must exist.
            foreach (string key in new[] { "data", "demo", "init_xml", "update_xml", "demo_xml" })
            {
                if (!dict.TryGet(key, out object? files)) continue;
                if (!(files is PythonList list)) { Problem(key, $"'{key}' must be a list of file paths"); continue; }
                for (int i = 0; i < list.Count; i++)
                {
                    var (line, column) = list.PositionOf(i);
                    if (!(list[i] is string file))
                    {
                        problems.Add(new AddonProblem(ErrorIds.InvalidManifest, path, line, column, $"'{key}' entry {i + 1} must be a string"));
                        continue;
                    }
                    string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(addonDir, file.Replace('\\', '/')));
                    string root = System.IO.Path.GetFullPath(addonDir).TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
                    if (!full.StartsWith(root, StringComparison.Ordinal))
                        problems.Add(new AddonProblem(ErrorIds.InvalidManifest, path, line, column, $"'{key}' lists '{file}', which is outside the addon"));
                    else if (!File.Exists(full))
                        problems.Add(new AddonProblem(ErrorIds.ManifestFileMissing, path, line, column, $"'{key}' lists '{file}', which does not exist"));
                }
            }
            return problems.Count == before ? manifest : null;
        }

        /// <summary>Odoo's <c>adapt_version</c> rule. With <paramref name="series"/> unknown, a
        /// 4- or 5-part version is read as series.x.y[.z].</summary>
        public static bool IsValidVersion(string version, string? series, out string? why)
        {
            why = null;
            string baseVersion = version;
            if (series != null)
            {
                if (version != series && version.StartsWith(series + ".", StringComparison.Ordinal))
                    baseVersion = version.Substring(series.Length + 1);
            }
            else
            {
                string[] parts = version.Split('.');
                if (parts.Length >= 4) baseVersion = string.Join(".", parts.Skip(2));
            }
            if (BaseVersion.IsMatch(baseVersion)) return true;
            string s = series ?? "17.0";
            why = $"'version' is '{version}': Odoo accepts x.y, x.y.z, {s}.x.y or {s}.x.y.z";
            return false;
        }

        private static bool ReadBool(PythonDict dict, string key, bool fallback, Action<string, string> problem)
        {
            if (!dict.TryGet(key, out object? value)) return fallback;
            if (value is bool b) return b;
            problem(key, $"'{key}' must be True or False, found {Describe(value)}");
            return fallback;
        }

        private static string Describe(object? value) => value switch
        {
            null => "nothing",
            NoneValue _ => "None",
            string _ => "a string",
            bool _ => "a boolean",
            long _ => "an integer",
            double _ => "a float",
            PythonList l when l.IsTuple => "a tuple",
            PythonList _ => "a list",
            PythonDict _ => "a dict",
            _ => value.GetType().Name,
        };
    }
}
