using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Quality;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Quality
{
    /// <summary>Invoke-OdooLint's domain against the real flake8 and pylint with pylint-odoo (tests/setup/15-linters.sh
    /// puts them first on PATH) on a sample addon with deliberate findings (testdata/ig_lint_sample). The Odoo-specific
    /// checks are in <see cref="PylintOdooTests"/>.</summary>
    public class OdooLintTests
    {
        public static string Sample => Path.Combine(Repo.Root, "tests", "unit", "Quality", "testdata", "ig_lint_sample");

        internal static void RequireLinters() => Assert.True(Environment.GetEnvironmentVariable("IG_FLAKE8") != null && Environment.GetEnvironmentVariable("IG_PYLINT") != null
            && Environment.GetEnvironmentVariable("IG_PYLINT_ODOO") != null,
            "IG_FLAKE8 / IG_PYLINT / IG_PYLINT_ODOO are not set: run tests/run.sh (tests/setup/15-linters.sh installs flake8, pylint and pylint-odoo)");

        /// <summary>A repository with the sample addon under addons/ (and no configuration files).</summary>
        internal static TempDir NewRepo()
        {
            var repo = new TempDir("iglint");
            foreach (string file in Directory.GetFiles(Sample, "*.py", SearchOption.AllDirectories))
                repo.Write(Path.Combine("addons", "ig_lint_sample", Path.GetRelativePath(Sample, file)), File.ReadAllText(file));
            return repo;
        }

        private static LintRequest Request(TempDir repo, params string[] linters) => new LintRequest
        {
            Paths = new[] { repo.Combine("addons") },
            RepositoryRoot = repo.Path,
            Linters = linters.Length > 0 ? linters : new[] { "flake8", "pylint" },
            ReportPath = repo.Combine("gl-code-quality-report.json"),
            FailOn = CodeQualitySeverity.Critical,
        };

        [Fact]
        public async Task The_real_linters_find_the_deliberate_findings_with_mapped_severities()
        {
            RequireLinters();
            using TempDir repo = NewRepo();
            LintResult r = await new OdooLinter().RunAsync(Request(repo), NullDeployLog.Instance, CancellationToken.None);
            LintFinding F(string linter, string code) => r.Findings.Single(f => f.Linter == linter && f.Code == code && f.Path == "addons/ig_lint_sample/models/thing.py");

            Assert.Equal((13, CodeQualitySeverity.Critical), (F("flake8", "F821").Line, F("flake8", "F821").Severity));   // undefined name
            Assert.Equal((1, CodeQualitySeverity.Major), (F("flake8", "F401").Line, F("flake8", "F401").Severity));        // unused import os
            Assert.Equal((16, CodeQualitySeverity.Minor), (F("flake8", "E722").Line, F("flake8", "E722").Severity));       // bare except
            Assert.Equal((20, CodeQualitySeverity.Minor), (F("flake8", "W291").Line, F("flake8", "W291").Severity));
            // pylint runs OCA's check set (the module's pylintrc: disable=all, then pylint-odoo and OCA's core checks), so
            // plain pylint's undefined-variable / bare-except / singleton-comparison are left to flake8, and the
            // manifest's missing author is an OCA-mandatory finding (major), its missing README an optional one (info).
            LintFinding author = r.Findings.Single(f => f.Code == "C8101");
            Assert.Equal(("addons/ig_lint_sample/__manifest__.py", 2, "manifest-required-author", CodeQualitySeverity.Major), (author.Path, author.Line, author.Symbol, author.Severity));
            Assert.Equal(CodeQualitySeverity.Info, r.Findings.Single(f => f.Symbol == "missing-readme").Severity);
            Assert.DoesNotContain(r.Findings, f => f.Symbol == "import-error" || f.Symbol == "undefined-variable");
            Assert.Equal(new[] { "InfluenceGen.Deploy:lint/flake8", "InfluenceGen.Deploy:lint/pylintrc" }, r.ConfigFiles);
            Assert.Equal("17.0", r.OdooVersion);   // the manifest's 17.0.1.0.0
            Assert.Equal(r.Findings.Length, r.Flake8 + r.Pylint);
            Assert.Equal(r.Total, r.Info + r.Minor + r.Major + r.Critical + r.Blocker);
            Assert.Equal(1, r.Critical);   // F821
            Assert.False(r.Success);
            Assert.Equal(r.Critical + r.Blocker, r.AboveThreshold);
        }

        [Fact]
        public async Task The_report_is_Code_Quality_JSON_GitLab_accepts()
        {
            RequireLinters();
            using TempDir repo = NewRepo();
            LintResult r = await new OdooLinter().RunAsync(Request(repo), NullDeployLog.Instance, CancellationToken.None);
            JArray report = JArray.Parse(File.ReadAllText(repo.Combine("gl-code-quality-report.json")));
            Assert.Equal(r.Total, report.Count);
            var severities = new[] { "info", "minor", "major", "critical", "blocker" };
            foreach (JObject issue in report.Cast<JObject>())
            {
                Assert.False(string.IsNullOrWhiteSpace((string?)issue["description"]));
                Assert.Matches("^(flake8|pylint):[A-Z]+[0-9]+", (string?)issue["check_name"]);
                Assert.Matches("^[0-9a-f]{32}$", (string?)issue["fingerprint"]);
                Assert.Contains((string?)issue["severity"], severities);
                string path = (string)issue["location"]!["path"]!;
                Assert.StartsWith("addons/ig_lint_sample/", path);   // relative to the repository
                Assert.True(File.Exists(repo.Combine(path)));
                Assert.True((int)issue["location"]!["lines"]!["begin"]! >= 1);
            }
            Assert.Equal(report.Count, report.Select(i => (string?)i["fingerprint"]).Distinct().Count());
        }

        [Fact]
        public async Task Fingerprints_survive_a_rerun_and_unrelated_edits_above_the_finding()
        {
            RequireLinters();
            using TempDir repo = NewRepo();
            LintResult first = await new OdooLinter().RunAsync(Request(repo, "flake8"), NullDeployLog.Instance, CancellationToken.None);
            LintResult again = await new OdooLinter().RunAsync(Request(repo, "flake8"), NullDeployLog.Instance, CancellationToken.None);
            Assert.Equal(first.Findings.Select(f => f.Fingerprint), again.Findings.Select(f => f.Fingerprint));

            string thing = repo.Combine("addons", "ig_lint_sample", "models", "thing.py");
            File.WriteAllText(thing, "# an unrelated comment\n# and another one\n" + File.ReadAllText(thing));
            LintResult edited = await new OdooLinter().RunAsync(Request(repo, "flake8"), NullDeployLog.Instance, CancellationToken.None);
            LintFinding before = first.Findings.Single(f => f.Code == "F821");
            LintFinding after = edited.Findings.Single(f => f.Code == "F821");
            Assert.Equal(before.Line + 2, after.Line);
            Assert.Equal(before.Fingerprint, after.Fingerprint);
        }

        [Fact]
        public void The_same_finding_on_identical_lines_gets_distinct_fingerprints()
        {
            var findings = new List<LintFinding>
            {
                new LintFinding { Linter = "flake8", Code = "W291", Path = "a.py", Line = 1 },
                new LintFinding { Linter = "flake8", Code = "W291", Path = "a.py", Line = 3 },
            };
            CodeQualityReport.AssignFingerprints(findings, _ => new[] { "x = 1 ", "", "x  =  1 " });
            Assert.NotEqual(findings[0].Fingerprint, findings[1].Fingerprint);
        }

        [Fact]
        public async Task The_projects_config_files_are_used()
        {
            RequireLinters();
            using TempDir repo = NewRepo();
            repo.Write(".flake8", "[flake8]\nextend-ignore = W291,E225\nmax-line-length = 120\n");
            repo.Write(".pylintrc", "[MESSAGES CONTROL]\ndisable=import-error,missing-module-docstring\n");
            LintResult r = await new OdooLinter().RunAsync(Request(repo), NullDeployLog.Instance, CancellationToken.None);
            Assert.DoesNotContain(r.Findings, f => f.Code == "W291" || f.Code == "E225" || f.Code == "E501");
            Assert.DoesNotContain(r.Findings, f => f.Symbol == "import-error" || f.Symbol == "missing-module-docstring");
            Assert.Contains(r.Findings, f => f.Code == "F821");
            Assert.Contains(r.Findings, f => f.Symbol == "undefined-variable");        // the project's config: pylint's defaults
            Assert.Contains(r.Findings, f => f.Symbol == "manifest-required-author");  // and pylint-odoo all the same
            Assert.Equal(new[] { ".flake8", ".pylintrc" }, r.ConfigFiles);
        }

        [Fact]
        public async Task A_linter_that_is_not_installed_is_an_error_not_an_empty_report()
        {
            using TempDir repo = NewRepo();
            LintRequest request = Request(repo);
            request.PylintPath = repo.Combine("no", "pylint");
            var ex = await Assert.ThrowsAsync<DeployException>(() => new OdooLinter().RunAsync(request, NullDeployLog.Instance, CancellationToken.None));
            Assert.Equal("LinterNotFound", ex.ErrorId);
            Assert.Contains("pylint is not installed", ex.Message);
            Assert.False(File.Exists(request.ReportPath));
        }

        [Fact]
        public async Task A_linter_that_crashes_is_an_error()
        {
            using TempDir repo = NewRepo();
            string fake = repo.Write("bin/flake8", "#!/bin/sh\necho 'flake8: boom' >&2\nexit 3\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            LintRequest request = Request(repo, "flake8");
            request.Flake8Path = fake;
            var ex = await Assert.ThrowsAsync<DeployException>(() => new OdooLinter().RunAsync(request, NullDeployLog.Instance, CancellationToken.None));
            Assert.Equal("LinterFailed", ex.ErrorId);
            Assert.Contains("flake8: boom", ex.Message);
        }

        [Theory]
        [InlineData("fatal", CodeQualitySeverity.Blocker)]
        [InlineData("error", CodeQualitySeverity.Critical)]
        [InlineData("warning", CodeQualitySeverity.Major)]
        [InlineData("refactor", CodeQualitySeverity.Minor)]
        [InlineData("convention", CodeQualitySeverity.Info)]
        public void Pylint_categories_map_to_severities(string type, CodeQualitySeverity expected) => Assert.Equal(expected, SeverityMap.Pylint(type));

        [Theory]
        [InlineData("convention", "manifest-required-author", CodeQualitySeverity.Major)]   // OCA-mandatory: at least major
        [InlineData("convention", "manifest-version-format", CodeQualitySeverity.Major)]
        [InlineData("warning", "translation-positional-used", CodeQualitySeverity.Major)]
        [InlineData("error", "sql-injection", CodeQualitySeverity.Critical)]
        [InlineData("convention", "missing-readme", CodeQualitySeverity.Info)]               // OCA-optional: by type
        [InlineData("warning", "translation-not-lazy", CodeQualitySeverity.Major)]
        [InlineData("error", "deprecated-name-get", CodeQualitySeverity.Critical)]
        [InlineData("convention", "singleton-comparison", CodeQualitySeverity.Info)]
        public void Pylint_odoo_checks_OCA_makes_mandatory_are_at_least_major(string type, string symbol, CodeQualitySeverity expected) =>
            Assert.Equal(expected, SeverityMap.Pylint(type, symbol));

        [Theory]
        [InlineData("E999", CodeQualitySeverity.Critical)]
        [InlineData("F821", CodeQualitySeverity.Critical)]
        [InlineData("F401", CodeQualitySeverity.Major)]
        [InlineData("E501", CodeQualitySeverity.Minor)]
        [InlineData("W605", CodeQualitySeverity.Minor)]
        [InlineData("C901", CodeQualitySeverity.Minor)]
        [InlineData("B008", CodeQualitySeverity.Info)]
        public void Flake8_codes_map_to_severities(string code, CodeQualitySeverity expected) => Assert.Equal(expected, SeverityMap.Flake8(code));
    }
}
