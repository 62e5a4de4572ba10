using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo.Testing;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Quality
{
    public sealed class LintRequest
    {
        /// <summary>Addon folders (or folders of addons) to lint.</summary>
        public IReadOnlyList<string> Paths { get; set; } = Array.Empty<string>();
        /// <summary>Finding paths are made relative to it; the linters run there and read its config files.</summary>
        public string RepositoryRoot { get; set; } = string.Empty;
        /// <summary>flake8, pylint or both (default).</summary>
        public IReadOnlyList<string> Linters { get; set; } = new[] { "flake8", "pylint" };
        /// <summary>Executables; null: looked up on PATH.</summary>
        public string? Flake8Path { get; set; }
        public string? PylintPath { get; set; }
        /// <summary>Null: every finding is reported, none fails.</summary>
        public CodeQualitySeverity? FailOn { get; set; }
        public string? ReportPath { get; set; }
        /// <summary>Extra PATH-like search folders for the executables (tests).</summary>
        public string? SearchPath { get; set; }
        /// <summary>Odoo series for pylint-odoo's --valid-odoo-versions (-OdooVersion or ODOO_VERSION); null: from the
        /// addons' manifest versions.</summary>
        public string? OdooVersion { get; set; }
    }

    /// <summary>
    /// Runs flake8 and pylint with OCA's pylint-odoo plugin over Odoo addons with the repository's configuration
    /// (<c>.flake8</c>, <c>setup.cfg</c> or <c>tox.ini</c> for flake8; <c>.pylintrc</c>, <c>pylintrc</c>,
    /// <c>setup.cfg</c> or <c>pyproject.toml</c> for pylint, given explicitly with --config/--rcfile), else OCA's
    /// (<see cref="OdooLintSetup"/>); pylint always with <c>--load-plugins=pylint_odoo</c> and
    /// <c>--valid-odoo-versions</c> of the addons' Odoo series. Parses flake8's fixed <c>--format</c> and pylint's
    /// <c>--output-format=json</c>, and writes GitLab Code Quality JSON.
    /// </summary>
    public sealed class OdooLinter
    {
        private const string Flake8Format = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s";
        private static readonly Regex Flake8Line = new Regex(@"^(?<path>[^\t]+)\t(?<row>\d+)\t(?<col>\d+)\t(?<code>[A-Z]+\d+)\t(?<text>.*)$", RegexOptions.Compiled);

        public async Task<LintResult> RunAsync(LintRequest request, IDeployLog log, CancellationToken cancellationToken)
        {
            if (request.Paths.Count == 0)
                throw new DeployException(ErrorIds.LintNoPath, ErrorKind.InvalidArgument, "nothing to lint: give -Path or an addon package");
            string root = Path.GetFullPath(request.RepositoryRoot.Length > 0 ? request.RepositoryRoot : Directory.GetCurrentDirectory());
            var linters = request.Linters.Select(l => l.ToLowerInvariant()).Distinct().ToList();
            foreach (string l in linters)
                if (l != "flake8" && l != "pylint")
                    throw new DeployException(ErrorIds.LintUnknownLinter, ErrorKind.InvalidArgument, $"unknown linter '{l}' (flake8, pylint)", l);

            // Resolve every executable first: a missing linter is an error, never an empty report.
            var executables = new Dictionary<string, string>();
            foreach (string l in linters)
            {
                string? exe = Resolve(l == "flake8" ? request.Flake8Path ?? "flake8" : request.PylintPath ?? "pylint", request.SearchPath);
                if (exe == null)
                    throw new DeployException(ErrorIds.LinterNotFound, ErrorKind.ObjectNotFound,
                        $"{l} is not installed: '{(l == "flake8" ? request.Flake8Path ?? "flake8" : request.PylintPath ?? "pylint")}' was not found on PATH. " +
                        $"Install the linters into a venv: python3 -m venv lint && lint/bin/{OdooLintSetup.PipInstall} (the module's lint/requirements.txt), and put lint/bin on PATH", l)
                    { RecommendedAction = $"{OdooLintSetup.PipInstall} (in a venv), or leave {l} out with -Linter." };
                executables[l] = exe;
            }

            var targets = request.Paths.Select(p => Path.GetFullPath(p)).ToList();
            foreach (string t in targets)
                if (!Directory.Exists(t) && !File.Exists(t))
                    throw new DeployException(ErrorIds.PathNotFound, ErrorKind.ObjectNotFound, $"the path '{t}' does not exist", t);
            var relTargets = targets.Select(t => Relative(root, t)).ToList();

            string? series = linters.Contains("pylint") ? OdooLintSetup.OdooSeries(request.OdooVersion, targets, log) : null;
            var configFiles = new List<string>();
            var findings = new List<LintFinding>();
            using var defaults = new TempDirectory();
            foreach (string linter in linters)
            {
                List<string>? args = linter == "flake8" ? Flake8Arguments(root, relTargets, configFiles, defaults)
                    : PylintArguments(root, targets, series, configFiles, defaults);
                if (args == null)
                {
                    log.Verbose($"pylint: no Python package or module under {string.Join(", ", relTargets)}");
                    continue;
                }
                findings.AddRange(await RunLinterAsync(linter, executables[linter], args, root, relTargets.Count, log, cancellationToken).ConfigureAwait(false));
            }

            CodeQualityReport.AssignFingerprints(findings, rel =>
            {
                string full = Path.Combine(root, rel);
                return File.Exists(full) ? File.ReadAllLines(full) : null;
            });
            findings = findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.Linter, StringComparer.Ordinal).ThenBy(f => f.Code, StringComparer.Ordinal).ToList();
            var result = new LintResult
            {
                Findings = findings.ToArray(),
                RepositoryRoot = root,
                Linters = linters.ToArray(),
                ConfigFiles = configFiles.ToArray(),
                OdooVersion = series,
                FailOn = request.FailOn,
            };
            if (request.ReportPath != null)
            {
                CodeQualityReport.Write(findings, request.ReportPath);
                result.ReportPath = request.ReportPath;
            }
            return result;
        }

        /// <summary>flake8's arguments: the repository's configuration, else the module's (OCA's).</summary>
        private static List<string> Flake8Arguments(string root, List<string> relTargets, List<string> configFiles, TempDirectory defaults)
        {
            string? config = new[] { ".flake8", "setup.cfg", "tox.ini" }.Select(n => Path.Combine(root, n)).FirstOrDefault(f => File.Exists(f) && HasSection(f, "flake8"));
            configFiles.Add(config != null ? Relative(root, config) : DefaultConfigName + "flake8");
            var args = new List<string> { "--config=" + (config ?? defaults.Write("flake8", OdooLintSetup.DefaultFlake8Config)), "--format=" + Flake8Format, "--exit-zero" };
            args.AddRange(relTargets);
            return args;
        }

        /// <summary>pylint's arguments: the repository's configuration, else the module's (OCA's), always with pylint-odoo
        /// and the Odoo series; null when there is no Python package or module to give it.</summary>
        private static List<string>? PylintArguments(string root, List<string> targets, string? series, List<string> configFiles, TempDirectory defaults)
        {
            // pylint takes a folder without __init__.py (samples/addons) for a namespace package whose module path it
            // cannot load (one F0010 instead of the findings): give it the packages (the addons) and loose modules
            // inside instead, each importable from its parent folder.
            List<string> packages = targets.SelectMany(PylintTargets).Distinct().Select(t => Relative(root, t)).ToList();
            if (packages.Count == 0) return null;
            string? config = new[] { ".pylintrc", "pylintrc" }.Select(n => Path.Combine(root, n)).FirstOrDefault(File.Exists)
                ?? new[] { "setup.cfg", "pyproject.toml" }.Select(n => Path.Combine(root, n)).FirstOrDefault(f => File.Exists(f) && HasSection(f, "pylint"));
            configFiles.Add(config != null ? Relative(root, config) : DefaultConfigName + "pylintrc");
            var args = new List<string>
            {
                "--rcfile=" + (config ?? defaults.Write("pylintrc", OdooLintSetup.DefaultPylintrc)),
                // pylint-odoo always (a repository's own rcfile may load it too: loading twice is harmless); a missing
                // plugin must show even under disable=all, so bad-plugin-value stays on.
                "--load-plugins=" + PylintOdooPlugin,
                "--enable=bad-plugin-value",
            };
            if (series != null) args.Add("--valid-odoo-versions=" + series);
            args.AddRange(new[] { "--output-format=json", "--exit-zero", "--persistent=n" });
            args.AddRange(packages);
            return args;
        }

        /// <summary>The plugin pylint loads: OCA's pylint-odoo (PyPI pylint-odoo, module pylint_odoo).</summary>
        public const string PylintOdooPlugin = "pylint_odoo";
        /// <summary>How <see cref="LintResult.ConfigFiles"/> names the module's own (OCA) configuration.</summary>
        public const string DefaultConfigName = "InfluenceGen.Deploy:lint/";

        private static async Task<List<LintFinding>> RunLinterAsync(string linter, string exe, List<string> args, string root, int pathCount, IDeployLog log, CancellationToken cancellationToken)
        {
            log.Progress("Linting", $"{linter} over {pathCount} path(s)", -1);
            log.Verbose($"{linter}: {exe} {string.Join(" ", args)} (in {root})");
            var watch = Stopwatch.StartNew();
            (int code, string stdout, string stderr) = await RunProcessAsync(exe, args, root, cancellationToken).ConfigureAwait(false);
            List<LintFinding> found;
            try
            {
                if (linter == "pylint") ThrowIfPluginMissing(exe, code, stdout + "\n" + stderr);
                if (code != 0) throw new FormatException($"exit code {code}");
                found = linter == "flake8" ? ParseFlake8(stdout, root) : ParsePylint(stdout, root);
            }
            catch (Exception ex) when (ex is FormatException || ex is Newtonsoft.Json.JsonException)
            {
                throw new DeployException(ErrorIds.LinterFailed, ErrorKind.InvalidResult,
                    $"{linter} failed ({ex.Message}): {Tail(stderr.Length > 0 ? stderr : stdout)}", linter);
            }
            if (linter == "pylint" && found.FirstOrDefault(f => f.Symbol == "bad-plugin-value" && f.Message.IndexOf(PylintOdooPlugin, StringComparison.Ordinal) >= 0) is LintFinding bad)
                throw PluginMissing(exe, bad.Message);
            log.Verbose($"{linter}: {found.Count} finding(s) in {watch.Elapsed.TotalSeconds:0.0}s");
            return found;
        }

        /// <summary>pylint without pylint-odoo rejects --valid-odoo-versions (exit 32, "Unrecognized option") or
        /// reports bad-plugin-value; either way the Odoo checks did not run, which must not pass as a clean report.</summary>
        private static void ThrowIfPluginMissing(string exe, int code, string output)
        {
            if (code != 0 && (output.IndexOf("valid-odoo-versions", StringComparison.Ordinal) >= 0 || output.IndexOf("No module named '" + PylintOdooPlugin + "'", StringComparison.Ordinal) >= 0))
                throw PluginMissing(exe, Tail(output));
        }

        private static DeployException PluginMissing(string pylint, string detail) =>
            new DeployException(ErrorIds.LinterNotFound, ErrorKind.ObjectNotFound,
                $"pylint-odoo (OCA's Odoo checks, the pylint plugin {PylintOdooPlugin}) is not installed beside '{pylint}': {detail.Trim()}. " +
                $"Install the linters into a venv: python3 -m venv lint && lint/bin/{OdooLintSetup.PipInstall} (the module's lint/requirements.txt), and put lint/bin on PATH or give -PylintPath lint/bin/pylint", "pylint")
            { RecommendedAction = OdooLintSetup.PipInstall + " (in a venv; pylint-odoo brings the pylint it needs)" };

        /// <summary>What pylint is given for one -Path: the path itself when it is a module or a package
        /// (has __init__.py), else the packages and modules inside it, recursively (hidden folders and
        /// __pycache__ left out).</summary>
        internal static IEnumerable<string> PylintTargets(string target)
        {
            if (File.Exists(target) || File.Exists(Path.Combine(target, "__init__.py")))
            {
                yield return target;
                yield break;
            }
            if (!Directory.Exists(target)) yield break;
            foreach (string file in Directory.GetFiles(target, "*.py").OrderBy(f => f, StringComparer.Ordinal))
                yield return file;
            foreach (string dir in Directory.GetDirectories(target).OrderBy(d => d, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(dir);
                if (name.StartsWith(".", StringComparison.Ordinal) || name == "__pycache__") continue;
                foreach (string t in PylintTargets(dir)) yield return t;
            }
        }

        public static List<LintFinding> ParseFlake8(string output, string root)
        {
            var list = new List<LintFinding>();
            foreach (string raw in output.Replace("\r\n", "\n").Split('\n'))
            {
                if (raw.Trim().Length == 0) continue;
                Match m = Flake8Line.Match(raw);
                if (!m.Success) throw new FormatException($"unexpected flake8 output line: {raw}");
                string code = m.Groups["code"].Value;
                list.Add(new LintFinding
                {
                    Linter = "flake8",
                    Code = code,
                    Category = SeverityMap.Flake8Category(code),
                    Message = m.Groups["text"].Value,
                    Path = Relative(root, Path.Combine(root, m.Groups["path"].Value)),
                    Line = int.Parse(m.Groups["row"].Value, CultureInfo.InvariantCulture),
                    Column = int.Parse(m.Groups["col"].Value, CultureInfo.InvariantCulture),
                    Severity = SeverityMap.Flake8(code),
                });
            }
            return list;
        }

        public static List<LintFinding> ParsePylint(string output, string root)
        {
            var list = new List<LintFinding>();
            string json = output.Trim();
            if (json.Length == 0) return list;   // pylint prints nothing at all when there is nothing to say
            foreach (JObject o in JArray.Parse(json).OfType<JObject>())
            {
                string type = (string?)o["type"] ?? "error";
                list.Add(new LintFinding
                {
                    Linter = "pylint",
                    Code = (string?)o["message-id"] ?? string.Empty,
                    Symbol = (string?)o["symbol"],
                    Category = type,
                    Message = (string?)o["message"] ?? string.Empty,
                    Path = Relative(root, Path.Combine(root, (string?)o["path"] ?? string.Empty)),
                    Line = Math.Max(1, (int?)o["line"] ?? 1),
                    Column = ((int?)o["column"] ?? 0) + 1,
                    Severity = SeverityMap.Pylint(type, (string?)o["symbol"]),
                });
            }
            return list;
        }

        internal static string Relative(string root, string path)
        {
            string full = Path.GetFullPath(path);
            string r = root.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? root : root + Path.DirectorySeparatorChar;
            string rel = full.StartsWith(r, StringComparison.Ordinal) ? full.Substring(r.Length) : full == root ? "." : full;
            return rel.Replace('\\', '/');
        }

        private static bool HasSection(string file, string tool)
        {
            foreach (string line in File.ReadLines(file))
            {
                string t = line.Trim();
                if (t == "[" + tool + "]" || t.StartsWith("[" + tool + ".", StringComparison.Ordinal) || t.StartsWith("[tool." + tool, StringComparison.Ordinal) || t.StartsWith("[" + tool + ":", StringComparison.Ordinal))
                    return true;
            }
            return false;
        }

        internal static string? Resolve(string name, string? extraSearchPath)
        {
            if (name.IndexOf('/') >= 0 || name.IndexOf('\\') >= 0) return File.Exists(name) ? Path.GetFullPath(name) : null;
            string path = (extraSearchPath != null ? extraSearchPath + Path.PathSeparator : string.Empty) + (Environment.GetEnvironmentVariable("PATH") ?? string.Empty);
            var exts = Path.DirectorySeparatorChar == '\\' ? new[] { ".exe", ".cmd", ".bat", "" } : new[] { "" };
            foreach (string dir in path.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
                foreach (string ext in exts)
                {
                    string candidate = Path.Combine(dir, name + ext);
                    if (File.Exists(candidate)) return candidate;
                }
            return null;
        }

        /// <summary>The module's default configuration files for one run, written to a private temporary folder
        /// (pylint and flake8 read files) and removed after it.</summary>
        private sealed class TempDirectory : IDisposable
        {
            private string? _path;

            public string Write(string name, string text)
            {
                _path ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "iglint-" + Guid.NewGuid().ToString("N"))).FullName;
                string file = Path.Combine(_path, name);
                File.WriteAllText(file, text, new UTF8Encoding(false));
                return file;
            }

            public void Dispose()
            {
                try { if (_path != null) Directory.Delete(_path, true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        private static string Tail(string text)
        {
            string[] lines = text.Trim().Split('\n');
            return string.Join("\n", lines.Skip(Math.Max(0, lines.Length - 5)));
        }

        private static async Task<(int, string, string)> RunProcessAsync(string exe, IEnumerable<string> args, string cwd, CancellationToken ct)
        {
            var psi = new ProcessStartInfo(exe, string.Join(" ", args.Select(LocalOdooCommandRunner.QuoteArgument)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                WorkingDirectory = cwd,
                StandardOutputEncoding = new UTF8Encoding(false),
                StandardErrorEncoding = new UTF8Encoding(false),
            };
            using var process = Process.Start(psi)!;
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using (ct.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
            {
                await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
                process.WaitForExit();
            }
            ct.ThrowIfCancellationRequested();
            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }
}
