using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Quality
{
    /// <summary>GitLab Code Quality severities, lowest first.</summary>
    public enum CodeQualitySeverity { Info, Minor, Major, Critical, Blocker }

    /// <summary>One linter finding (table view: InfluenceGen.Deploy.Quality.LintFinding); one entry of
    /// the Code Quality report.</summary>
    public sealed class LintFinding
    {
        /// <summary>flake8 or pylint.</summary>
        public string Linter { get; set; } = string.Empty;
        /// <summary>The linter's code: F401, E501, W0611 (pylint's message id).</summary>
        public string Code { get; set; } = string.Empty;
        /// <summary>pylint's symbol (unused-import); flake8 has none.</summary>
        public string? Symbol { get; set; }
        /// <summary>The linter's own category: pylint convention/refactor/warning/error/fatal/info; flake8 the code's letter class.</summary>
        public string Category { get; set; } = string.Empty;
        public string Message { get; set; } = string.Empty;
        /// <summary>Relative to the repository, with forward slashes.</summary>
        public string Path { get; set; } = string.Empty;
        public int Line { get; set; }
        public int Column { get; set; }
        public CodeQualitySeverity Severity { get; set; }
        public string Fingerprint { get; set; } = string.Empty;

        /// <summary>Code Quality's check_name: linter:code (pylint adds the symbol).</summary>
        public string CheckName => Linter + ":" + Code + (Symbol != null ? "(" + Symbol + ")" : string.Empty);
        public override string ToString() => $"{Path}:{Line}:{Column}: {Code} {Message}";
    }

    /// <summary>The result of Invoke-OdooLint (table view: InfluenceGen.Deploy.Quality.LintResult).</summary>
    public sealed class LintResult
    {
        public LintFinding[] Findings { get; set; } = Array.Empty<LintFinding>();
        public string? ReportPath { get; set; }
        public string RepositoryRoot { get; set; } = string.Empty;
        public string[] Linters { get; set; } = Array.Empty<string>();
        /// <summary>Configuration files the linters were given (.flake8, setup.cfg, .pylintrc), or the module's own
        /// OCA defaults (InfluenceGen.Deploy:lint/flake8, InfluenceGen.Deploy:lint/pylintrc).</summary>
        public string[] ConfigFiles { get; set; } = Array.Empty<string>();
        /// <summary>The Odoo series pylint-odoo checked against (--valid-odoo-versions); null: none known.</summary>
        public string? OdooVersion { get; set; }
        /// <summary>Null: never fail on findings.</summary>
        public CodeQualitySeverity? FailOn { get; set; }

        public int Total => Findings.Length;
        public int Info => Count(CodeQualitySeverity.Info);
        public int Minor => Count(CodeQualitySeverity.Minor);
        public int Major => Count(CodeQualitySeverity.Major);
        public int Critical => Count(CodeQualitySeverity.Critical);
        public int Blocker => Count(CodeQualitySeverity.Blocker);
        public int Flake8 => Findings.Count(f => f.Linter == "flake8");
        public int Pylint => Findings.Count(f => f.Linter == "pylint");
        /// <summary>Findings at or above <see cref="FailOn"/>.</summary>
        public int AboveThreshold => FailOn == null ? 0 : Findings.Count(f => f.Severity >= FailOn.Value);
        public bool Success => AboveThreshold == 0;
        public IDictionary<string, int> BySeverity => Enum.GetValues(typeof(CodeQualitySeverity)).Cast<CodeQualitySeverity>()
            .ToDictionary(s => s.ToString().ToLowerInvariant(), Count);
        public IDictionary<string, int> ByLinter => Findings.GroupBy(f => f.Linter).ToDictionary(g => g.Key, g => g.Count());

        private int Count(CodeQualitySeverity s) => Findings.Count(f => f.Severity == s);
        public override string ToString() => $"{Total} finding(s): {Blocker} blocker, {Critical} critical, {Major} major, {Minor} minor, {Info} info";
    }

    /// <summary>Severity of a linter's finding in Code Quality terms.</summary>
    public static class SeverityMap
    {
        /// <summary>pylint-odoo's checks OCA makes blocking (the Odoo 16.0+ .pylintrc-mandatory of OCA's
        /// oca-addons-repo-template, as far as pylint-odoo 10 has them): at least major, whatever their type.</summary>
        public static readonly IReadOnlyCollection<string> OcaMandatory = new HashSet<string>(StringComparer.Ordinal)
        {
            "attribute-deprecated", "attribute-string-redundant", "context-overridden", "development-status-allowed",
            "except-pass", "external-request-timeout", "license-allowed", "manifest-author-string", "manifest-deprecated-key",
            "manifest-maintainers-list", "manifest-required-author", "manifest-required-key", "manifest-version-format",
            "method-compute", "method-inverse", "method-required-super", "method-search", "missing-return", "print-used",
            "renamed-field-parameter", "resource-not-exist", "sql-injection", "test-folder-imported",
            "translation-contains-variable", "translation-field", "translation-positional-used", "translation-required",
            "use-vim-comment", "website-manifest-key-not-valid-uri",
        };

        /// <summary>pylint's message type: fatal → blocker, error → critical, warning → major,
        /// refactor → minor, convention and info → info; a check OCA makes mandatory (<see cref="OcaMandatory"/>,
        /// e.g. manifest-required-author C8101) at least major.</summary>
        public static CodeQualitySeverity Pylint(string type, string? symbol)
        {
            CodeQualitySeverity byType = Pylint(type);
            return symbol != null && OcaMandatory.Contains(symbol) && byType < CodeQualitySeverity.Major ? CodeQualitySeverity.Major : byType;
        }

        /// <summary>pylint's message type: fatal → blocker, error → critical, warning → major,
        /// refactor → minor, convention and info → info.</summary>
        public static CodeQualitySeverity Pylint(string type)
        {
            switch (type.ToLowerInvariant())
            {
                case "fatal": return CodeQualitySeverity.Blocker;
                case "error": return CodeQualitySeverity.Critical;
                case "warning": return CodeQualitySeverity.Major;
                case "refactor": return CodeQualitySeverity.Minor;
                default: return CodeQualitySeverity.Info;   // convention, info
            }
        }

        /// <summary>flake8's code: E9 (syntax/IO) and F82x (undefined names) → critical, other F (pyflakes)
        /// → major, E/W (pycodestyle) and C9 (complexity) → minor, anything else (plugins) → info.</summary>
        public static CodeQualitySeverity Flake8(string code)
        {
            if (code.StartsWith("E9", StringComparison.Ordinal) || code.StartsWith("F82", StringComparison.Ordinal)) return CodeQualitySeverity.Critical;
            if (code.StartsWith("F", StringComparison.Ordinal)) return CodeQualitySeverity.Major;
            if (code.StartsWith("E", StringComparison.Ordinal) || code.StartsWith("W", StringComparison.Ordinal) || code.StartsWith("C9", StringComparison.Ordinal)) return CodeQualitySeverity.Minor;
            return CodeQualitySeverity.Info;
        }

        public static string Flake8Category(string code)
        {
            if (code.StartsWith("F", StringComparison.Ordinal)) return "pyflakes";
            if (code.StartsWith("C9", StringComparison.Ordinal)) return "mccabe";
            if (code.StartsWith("E", StringComparison.Ordinal)) return "pycodestyle-error";
            if (code.StartsWith("W", StringComparison.Ordinal)) return "pycodestyle-warning";
            return "plugin";
        }
    }

    /// <summary>Writes GitLab's Code Quality report (artifacts:reports:codequality) and computes the
    /// fingerprints: a hash of linter, check, path, the offending line's text with its white space
    /// normalised, and the occurrence index of that same text — not the line number, so a finding keeps
    /// its fingerprint when unrelated lines are added above it.</summary>
    public static class CodeQualityReport
    {
        public static void AssignFingerprints(IEnumerable<LintFinding> findings, Func<string, string[]?> readLines)
        {
            var cache = new Dictionary<string, string[]?>(StringComparer.Ordinal);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (LintFinding f in findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.CheckName, StringComparer.Ordinal))
            {
                if (!cache.TryGetValue(f.Path, out string[]? lines)) cache[f.Path] = lines = readLines(f.Path);
                string text = lines != null && f.Line >= 1 && f.Line <= lines.Length ? Normalise(lines[f.Line - 1]) : "#" + f.Line.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string key = f.Linter + "\n" + f.Code + "\n" + f.Path + "\n" + text;
                seen.TryGetValue(key, out int index);
                seen[key] = index + 1;
                using (SHA256 sha = SHA256.Create())
                {
                    byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(key + "\n" + index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    f.Fingerprint = string.Concat(hash.Take(16).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }

        internal static string Normalise(string line) => Regex.Replace(line.Trim(), @"\s+", " ");

        public static string ToJson(IEnumerable<LintFinding> findings)
        {
            var array = new JArray();
            foreach (LintFinding f in findings)
            {
                array.Add(new JObject
                {
                    ["type"] = "issue",
                    ["engine_name"] = f.Linter,
                    ["check_name"] = f.CheckName,
                    ["description"] = $"{f.Code} {f.Message}",
                    ["categories"] = new JArray(Category(f)),
                    ["severity"] = f.Severity.ToString().ToLowerInvariant(),
                    ["fingerprint"] = f.Fingerprint,
                    ["location"] = new JObject
                    {
                        ["path"] = f.Path,
                        ["lines"] = new JObject { ["begin"] = f.Line },
                    },
                });
            }
            return array.ToString(Formatting.Indented);
        }

        /// <summary>Code Quality's category: Security for pylint-odoo's sql-injection, Style for conventions,
        /// refactorings and flake8's style codes, Bug Risk otherwise.</summary>
        private static string Category(LintFinding f)
        {
            if (f.Symbol == "sql-injection") return "Security";
            return f.Linter == "pylint" && (f.Category == "convention" || f.Category == "refactor") || f.Linter == "flake8" && f.Severity == CodeQualitySeverity.Minor ? "Style" : "Bug Risk";
        }

        public static void Write(IEnumerable<LintFinding> findings, string path)
        {
            string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(path, ToJson(findings) + "\n");
        }
    }
}
