using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Quality;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Quality
{
    /// <summary>pylint-odoo's Odoo-specific checks through Invoke-OdooLint, asserted in the Code Quality report: sample
    /// addons in testdata/odoo that each trip one family (manifest, SQL injection, translations, a deprecated API of the
    /// target version) and one that trips none. The linters come from tests/setup/15-linters.sh: OCA's pylint-odoo from
    /// PyPI, or where PyPI cannot be reached its test stand-in (IG_PYLINT_ODOO=standin, testdata/standin).</summary>
    public class PylintOdooTests
    {
        private static string Samples => Path.Combine(Repo.Root, "tests", "unit", "Quality", "testdata", "odoo");

        /// <summary>A repository with the named sample addons under addons/.</summary>
        private static TempDir NewRepo(params string[] addons)
        {
            var repo = new TempDir("igpylintodoo");
            foreach (string addon in addons)
                foreach (string file in Directory.GetFiles(Path.Combine(Samples, addon), "*", SearchOption.AllDirectories))
                    repo.Write(Path.Combine("addons", addon, Path.GetRelativePath(Path.Combine(Samples, addon), file)), File.ReadAllText(file));
            return repo;
        }

        private static LintRequest Request(TempDir repo, string? odooVersion = "17.0", params string[] linters) => new LintRequest
        {
            Paths = new[] { repo.Combine("addons") },
            RepositoryRoot = repo.Path,
            Linters = linters.Length > 0 ? linters : new[] { "flake8", "pylint" },
            ReportPath = repo.Combine("gl-code-quality-report.json"),
            FailOn = CodeQualitySeverity.Critical,
            OdooVersion = odooVersion,
        };

        private static async Task<(LintResult Result, JArray Report)> Lint(TempDir repo, LintRequest request)
        {
            OdooLintTests.RequireLinters();
            LintResult r = await new OdooLinter().RunAsync(request, NullDeployLog.Instance, CancellationToken.None);
            return (r, JArray.Parse(File.ReadAllText(request.ReportPath!)));
        }

        /// <summary>The report's pylint-odoo issues as (check_name, path, line, severity), in report order.</summary>
        private static List<(string Check, string Path, int Line, string Severity)> OdooIssues(JArray report) => report
            .Where(i => System.Text.RegularExpressions.Regex.IsMatch((string)i["check_name"]!, @"^pylint:[CRWEF]8\d{3}\("))
            .Select(i => ((string)i["check_name"]!, (string)i["location"]!["path"]!, (int)i["location"]!["lines"]!["begin"]!, (string)i["severity"]!))
            .ToList();

        [Fact]
        public async Task A_manifest_without_author_and_license_is_reported_on_the_manifest()
        {
            using TempDir repo = NewRepo("ig_oca_manifest");
            (LintResult r, JArray report) = await Lint(repo, Request(repo));
            Assert.Equal(new[]
            {
                ("pylint:C8101(manifest-required-author)", "addons/ig_oca_manifest/__manifest__.py", 2, "major"),
                ("pylint:C8102(manifest-required-key)", "addons/ig_oca_manifest/__manifest__.py", 2, "major"),
            }, OdooIssues(report).OrderBy(i => i.Check));
            Assert.Contains("license", (string)report.Single(i => ((string)i["check_name"]!).StartsWith("pylint:C8102"))["description"]!);
            Assert.True(r.Success);   // major: below the default critical
        }

        [Fact]
        public async Task Cr_execute_with_string_formatting_is_sql_injection_and_fails_the_run()
        {
            using TempDir repo = NewRepo("ig_oca_sql");
            (LintResult r, JArray report) = await Lint(repo, Request(repo));
            Assert.Equal(new[] { ("pylint:E8103(sql-injection)", "addons/ig_oca_sql/models/partner_report.py", 9, "critical") }, OdooIssues(report));
            JObject issue = report.Cast<JObject>().Single(i => (string?)i["check_name"] == "pylint:E8103(sql-injection)");
            Assert.Equal("Security", (string?)issue["categories"]![0]);
            Assert.StartsWith("E8103 SQL injection risk", (string?)issue["description"]);
            Assert.False(r.Success);   // the parametrised query on line 13 is not reported; line 9 fails the job
            Assert.Equal(1, r.AboveThreshold);
        }

        [Fact]
        public async Task Translations_whose_format_does_not_match_their_arguments_are_reported_where_they_are_called()
        {
            using TempDir repo = NewRepo("ig_oca_translation");
            (LintResult r, JArray report) = await Lint(repo, Request(repo));
            const string items = "addons/ig_oca_translation/models/items.py";
            Assert.Equal(new[]
            {
                ("pylint:W8301(translation-not-lazy)", items, 9, "major"),          // _("%s items" % count)
                ("pylint:E8306(translation-too-few-args)", items, 12, "critical"),  // _("%s of %s done", done)
                ("pylint:W8120(translation-positional-used)", items, 12, "major"),
                ("pylint:E8305(translation-too-many-args)", items, 15, "critical"), // _("%s item", count, total)
            }, OdooIssues(report).OrderBy(i => i.Line).ThenBy(i => i.Check, StringComparer.Ordinal));
            Assert.Equal(2, r.AboveThreshold);
        }

        [Fact]
        public async Task The_Odoo_version_decides_the_version_specific_findings()
        {
            using TempDir repo = NewRepo("ig_oca_deprecated");   // written for 16.0: version 16.0.1.0.0, name_get
            (LintResult on17, JArray report17) = await Lint(repo, Request(repo, "17.0"));
            Assert.Equal("17.0", on17.OdooVersion);
            Assert.Equal(new[]
            {
                ("pylint:C8106(manifest-version-format)", "addons/ig_oca_deprecated/__manifest__.py", 5, "major"),
                ("pylint:E8146(deprecated-name-get)", "addons/ig_oca_deprecated/models/partner.py", 7, "critical"),
            }, OdooIssues(report17).OrderBy(i => i.Check));
            Assert.False(on17.Success);

            (LintResult on16, JArray report16) = await Lint(repo, Request(repo, "16.0"));
            Assert.Equal("16.0", on16.OdooVersion);
            Assert.Empty(OdooIssues(report16));
            Assert.True(on16.Success);

            // No -OdooVersion / ODOO_VERSION: the series the manifest names (16.0), so the addon is linted as what it says it is.
            (LintResult derived, JArray reportDerived) = await Lint(repo, Request(repo, null));
            Assert.Equal("16.0", derived.OdooVersion);
            Assert.Empty(OdooIssues(reportDerived));
        }

        [Fact]
        public async Task A_clean_addon_gives_no_findings()
        {
            using TempDir repo = NewRepo("ig_oca_clean");
            (LintResult r, JArray report) = await Lint(repo, Request(repo, null));
            Assert.Empty(report);
            Assert.Equal(0, r.Total);
            Assert.True(r.Success);
            Assert.Equal("17.0", r.OdooVersion);
        }

        [Fact]
        public async Task Addons_of_two_Odoo_series_without_a_version_are_an_error_naming_them()
        {
            using TempDir repo = NewRepo("ig_oca_clean", "ig_oca_deprecated");
            var ex = await Assert.ThrowsAsync<DeployException>(() => Lint(repo, Request(repo, null)));
            Assert.Equal("LintOdooVersionAmbiguous", ex.ErrorId);
            Assert.Contains("16.0: ig_oca_deprecated", ex.Message);
            Assert.Contains("17.0: ig_oca_clean", ex.Message);
            Assert.Contains("-OdooVersion", ex.Message);
            Assert.False(File.Exists(repo.Combine("gl-code-quality-report.json")));

            var bad = await Assert.ThrowsAsync<DeployException>(() => Lint(repo, Request(repo, "17")));
            Assert.Equal("InvalidConfigurationValue", bad.ErrorId);
            Assert.Contains("'17'", bad.Message);

            (LintResult r, _) = await Lint(repo, Request(repo, "17.0"));
            Assert.Contains(r.Findings, f => f.Symbol == "deprecated-name-get");
        }

        [Fact]
        public async Task Pylint_odoo_findings_keep_their_fingerprints_when_lines_are_added_above()
        {
            using TempDir repo = NewRepo("ig_oca_sql");
            (LintResult first, _) = await Lint(repo, Request(repo, "17.0", "pylint"));
            string file = repo.Combine("addons", "ig_oca_sql", "models", "partner_report.py");
            File.WriteAllText(file, "# a new comment\n" + File.ReadAllText(file));
            (LintResult edited, _) = await Lint(repo, Request(repo, "17.0", "pylint"));
            LintFinding before = first.Findings.Single(f => f.Code == "E8103"), after = edited.Findings.Single(f => f.Code == "E8103");
            Assert.Equal(before.Line + 1, after.Line);
            Assert.Equal(before.Fingerprint, after.Fingerprint);
        }

        /// <summary>A pylint whose environment lacks pylint_odoo (shadowed by a module that is not there, as pip
        /// uninstall would leave it): LinterNotFound with the pip line, never a clean report, whether pylint stops at
        /// --valid-odoo-versions or, with no version to give, reports bad-plugin-value under OCA's disable=all.</summary>
        [Theory]
        [InlineData("17.0")]
        [InlineData(null)]
        public async Task A_pylint_without_pylint_odoo_is_LinterNotFound_saying_what_to_install(string? odooVersion)
        {
            OdooLintTests.RequireLinters();
            using TempDir repo = NewRepo("ig_oca_sql");
            if (odooVersion == null)   // no series anywhere: pylint gets no --valid-odoo-versions
                File.WriteAllText(repo.Combine("addons", "ig_oca_sql", "__manifest__.py"),
                    File.ReadAllText(repo.Combine("addons", "ig_oca_sql", "__manifest__.py")).Replace("17.0.1.0.0", "1.0"));
            repo.Write("shadow/pylint_odoo/__init__.py", "raise ModuleNotFoundError(\"No module named 'pylint_odoo'\", name='pylint_odoo')\n");
            string pylint = repo.Write("bin/pylint", $"#!/bin/sh\nPYTHONPATH='{repo.Combine("shadow")}' exec '{Environment.GetEnvironmentVariable("IG_PYLINT")}' \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pylint, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            LintRequest request = Request(repo, odooVersion, "pylint");
            request.PylintPath = pylint;
            var ex = await Assert.ThrowsAsync<DeployException>(() => new OdooLinter().RunAsync(request, NullDeployLog.Instance, CancellationToken.None));
            Assert.Equal("LinterNotFound", ex.ErrorId);
            Assert.Contains("pylint-odoo", ex.Message);
            Assert.Contains("pip install pylint-odoo==10.0.12", ex.Message);
            Assert.Contains("pip install pylint-odoo==10.0.12", ex.RecommendedAction);
            Assert.False(File.Exists(request.ReportPath));
        }

        [Fact]
        public void The_module_ships_OCAs_configuration_and_the_pinned_linters()
        {
            Assert.Contains("load-plugins=pylint_odoo", OdooLintSetup.DefaultPylintrc);
            Assert.Contains("disable=all", OdooLintSetup.DefaultPylintrc);
            Assert.Contains("enable=odoolint", OdooLintSetup.DefaultPylintrc);
            Assert.Contains("max-line-length = 88", OdooLintSetup.DefaultFlake8Config);
            Assert.Contains("pylint-odoo==10.0.12", OdooLintSetup.Requirements());
            Assert.Equal(File.ReadAllText(Path.Combine(Repo.Root, "module", "lint", "pylintrc")), OdooLintSetup.DefaultPylintrc);
        }
    }
}
