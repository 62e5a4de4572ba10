using System.Management.Automation;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Tests.Quality;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Cmdlets
{
    public class OdooLintCmdletTests
    {
        private static PsResult Run(PowerShellSession ps, string script) => OdooTestCmdletTests.Run(ps, script);

        private static int I(PSObject o, string name) => Convert.ToInt32(o.Properties[name].Value);

        [Fact]
        public void The_lint_job_line_writes_the_report_and_exits_1_on_critical_findings()
        {
            OdooLintTests.RequireLinters();
            using TempDir repo = OdooLintTests.NewRepo();
            HostProcess.Result run = HostProcess.Run(repo.Path, new Dictionary<string, string> { ["CI_PROJECT_DIR"] = repo.Path }, "-c",
                "Invoke-OdooLint -Path addons -ReportPath gl-code-quality-report.json");
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
            Assert.Contains("lint finding(s) at or above critical", run.StdErr + run.StdOut);
            Assert.Contains("addons/ig_lint_sample/models/thing.py:13", run.StdErr + run.StdOut);
            JArray report = JArray.Parse(File.ReadAllText(repo.Combine("gl-code-quality-report.json")));
            Assert.Contains(report, i => (string?)i["check_name"] == "flake8:F821" && (string?)i["severity"] == "critical");
        }

        [Fact]
        public void ODOO_VERSION_and_OdooVersion_give_pylint_odoo_the_series_to_check_against()
        {
            OdooLintTests.RequireLinters();
            using var repo = new TempDir("iglint");
            string sample = Path.Combine(Repo.Root, "tests", "unit", "Quality", "testdata", "odoo", "ig_oca_deprecated");   // written for 16.0
            foreach (string file in Directory.GetFiles(sample, "*", SearchOption.AllDirectories))
                repo.Write(Path.Combine("addons", "ig_oca_deprecated", Path.GetRelativePath(sample, file)), File.ReadAllText(file));
            var env = new Dictionary<string, string> { ["CI_PROJECT_DIR"] = repo.Path, ["ODOO_VERSION"] = "16.0" };

            HostProcess.Result on16 = HostProcess.Run(repo.Path, env, "-NoProfile", "-NonInteractive", "-c", "Invoke-OdooLint -Path addons -ReportPath cq16.json");
            Assert.True(on16.ExitCode == 0, $"exit {on16.ExitCode}\n{on16.StdOut}\n{on16.StdErr}");
            Assert.DoesNotContain(JArray.Parse(File.ReadAllText(repo.Combine("cq16.json"))), i => ((string)i["check_name"]!).Contains("deprecated-name-get"));

            HostProcess.Result on17 = HostProcess.Run(repo.Path, env, "-NoProfile", "-NonInteractive", "-c", "Invoke-OdooLint -Path addons -ReportPath cq17.json -OdooVersion 17.0");
            Assert.True(on17.ExitCode == 1, $"exit {on17.ExitCode}\n{on17.StdOut}\n{on17.StdErr}");
            Assert.Contains("addons/ig_oca_deprecated/models/partner.py:7 pylint E8146", on17.StdErr + on17.StdOut);
            JArray report = JArray.Parse(File.ReadAllText(repo.Combine("cq17.json")));
            Assert.Contains(report, i => (string?)i["check_name"] == "pylint:E8146(deprecated-name-get)" && (string?)i["severity"] == "critical");
            Assert.Contains(report, i => (string?)i["check_name"] == "pylint:C8106(manifest-version-format)");
        }

        [Fact]
        public void The_old_lint_jobs_variables_name_the_target_and_the_report_folder()
        {
            OdooLintTests.RequireLinters();
            using TempDir repo = OdooLintTests.NewRepo();
            var env = new Dictionary<string, string> { ["CI_PROJECT_DIR"] = repo.Path, ["LINT_TARGET_PATH"] = "addons", ["LINT_REPORTS_DIR"] = "reports/lint" };
            HostProcess.Result run = HostProcess.Run(repo.Path, env, "-NoProfile", "-NonInteractive", "-c", "Invoke-OdooLint -FailOn none");
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StdOut}\n{run.StdErr}");
            JArray report = JArray.Parse(File.ReadAllText(repo.Combine("reports", "lint", "gl-code-quality-report.json")));
            Assert.Contains(report, i => (string?)i["check_name"] == "flake8:F821");

            HostProcess.Result none = HostProcess.Run(repo.Path, new Dictionary<string, string> { ["LINT_TARGET_PATH"] = "" }, "-NoProfile", "-NonInteractive", "-c", "Invoke-OdooLint");
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("LINT_TARGET_PATH", none.StdErr);
        }

        [Fact]
        public void FailOn_decides_and_the_summary_counts_by_severity_and_linter()
        {
            OdooLintTests.RequireLinters();
            using TempDir repo = OdooLintTests.NewRepo();
            using var ps = new PowerShellSession(repo.Path);
            PsResult ok = Run(ps, "Invoke-OdooLint addons -Linter flake8 -FailOn none -RepositoryRoot . -ReportPath cq.json");
            Assert.Null(ok.Terminating);
            PSObject result = ok.Single();
            int total = I(result, "Total");
            Assert.Equal(total, I(result, "Flake8"));
            Assert.Equal(0, I(result, "Pylint"));
            Assert.Equal(1, I(result, "Critical"));   // F821
            Assert.Equal(total, JArray.Parse(File.ReadAllText(repo.Combine("cq.json"))).Count);

            PsResult blocker = Run(ps, "Invoke-OdooLint addons -Linter flake8 -FailOn blocker -RepositoryRoot .");
            Assert.Null(blocker.Terminating);
            PsResult major = ps.Invoke("Invoke-OdooLint addons -Linter flake8 -FailOn major -RepositoryRoot . -PassThru");
            // Above the threshold: a non-terminating error after the findings (pwsh -c still exits 1).
            Assert.Null(major.Terminating);
            Assert.Equal("LintFindingsAboveThreshold,InfluenceGen.Deploy.Cmdlets.InvokeOdooLintCommand", Assert.Single(major.Errors).FullyQualifiedErrorId);
            Assert.All(major.Output, o => Assert.Equal("InfluenceGen.Deploy.Quality.LintFinding", o.TypeNames[0]));
            Assert.Equal(total, major.Output.Count);
        }

        [Fact]
        public void A_package_on_the_pipeline_is_linted_from_its_sources()
        {
            OdooLintTests.RequireLinters();
            using TempDir repo = OdooLintTests.NewRepo();
            using var ps = new PowerShellSession(repo.Path);
            PsResult r = Run(ps, "New-OdooAddonPackage addons -OutFile addons.zip | Invoke-OdooLint -Linter flake8 -FailOn none -RepositoryRoot .");
            Assert.True(r.Terminating == null, r.Terminating?.ToString());
            var findings = ((System.Collections.IEnumerable)r.Single().Properties["Findings"].Value).Cast<object>().Select(PSObject.AsPSObject).ToList();
            Assert.All(findings, f => Assert.StartsWith("addons/ig_lint_sample/", (string)f.Properties["Path"].Value));
            Assert.Contains(findings, f => (string)f.Properties["Code"].Value == "F821");
        }

        [Fact]
        public void A_missing_linter_is_the_error_LinterNotFound()
        {
            using TempDir repo = OdooLintTests.NewRepo();
            using var ps = new PowerShellSession(repo.Path);
            PsResult r = Run(ps, "Invoke-OdooLint addons -PylintPath ./no/pylint -ReportPath cq.json");
            Assert.Equal("LinterNotFound,InfluenceGen.Deploy.Cmdlets.InvokeOdooLintCommand", r.Terminating!.FullyQualifiedErrorId);
            Assert.Contains("pylint", r.Terminating.Exception.Message);
            Assert.False(File.Exists(repo.Combine("cq.json")));
        }
    }
}
