using System.Xml.Linq;
using InfluenceGen.Deploy.Odoo.Testing;

namespace InfluenceGen.Deploy.Tests.Odoo.Testing
{
    [Trait("Category", "Fast")]
    public class OdooLogParserTests
    {
        [Theory]
        [MemberData(nameof(OdooFixtures.WithSummary), MemberType = typeof(OdooFixtures))]
        public void Every_real_log_gives_Odoos_exact_counts(string name, int failed, int errors, int tests)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name), exitCode: OdooFixtures.ExitCode(name));
            Assert.True(r.CountsFromOdoo);
            Assert.Equal((failed, errors, tests), (r.Failed, r.Errors, r.Tests));
            // ... and the tests the log names add up to the same numbers (nothing guessed).
            Assert.Equal(failed, r.TestCases.Count(t => t.Outcome == OdooTestOutcome.Failed));
            Assert.Equal(errors, r.TestCases.Count(t => t.Outcome == OdooTestOutcome.Error));
            Assert.Equal(tests, r.TestCases.Count(t => !t.IsFixtureError));
            Assert.Empty(r.Notes);
            Assert.Equal(0, r.UnnamedPassed);
            Assert.Empty(r.Problems);
            Assert.Equal(failed == 0 && errors == 0, r.Success);
            Assert.Contains("odoo.tests.result", r.OdooSummary);
        }

        [Theory]
        [MemberData(nameof(OdooFixtures.WithSummary), MemberType = typeof(OdooFixtures))]
        public void Every_real_log_converts_to_valid_JUnit_with_Odoos_counts(string name, int failed, int errors, int tests)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name));
            string xml = JUnitWriter.ToXml(r, new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc));
            OdooFixtures.ValidateJUnit(xml);
            XDocument doc = XDocument.Parse(xml);
            var cases = doc.Descendants("testcase").ToList();
            Assert.Equal(failed, cases.Count(c => c.Element("failure") != null));
            Assert.Equal(errors, cases.Count(c => c.Element("error") != null));
            // A setUpClass error is a testcase of its own, but not one of Odoo's tests.
            Assert.Equal(tests, cases.Count(c => c.Attribute("name")!.Value != "setUpClass"));
            Assert.Equal(cases.Count.ToString(), doc.Root!.Attribute("tests")!.Value);
            Assert.Equal(failed.ToString(), doc.Root.Attribute("failures")!.Value);
            Assert.Equal(errors.ToString(), doc.Root.Attribute("errors")!.Value);
            foreach (XElement suite in doc.Descendants("testsuite"))
                Assert.Equal(suite.Elements("testcase").Count().ToString(), suite.Attribute("tests")!.Value);
        }

        [Theory]
        [InlineData("fail_test_level")]
        [InlineData("17.0-current/fail_default")]
        [InlineData("18.0/fail_default")]
        public void A_failure_names_class_method_message_and_traceback(string name)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name));
            OdooTestCaseResult t = r.TestCases.Single(c => c.Method == "test_qty_doubles");
            Assert.Equal(("ig_fail", "TestThing", OdooTestOutcome.Failed), (t.Module, t.Class, t.Outcome));
            Assert.Equal("odoo.addons.ig_fail.tests.test_thing.TestThing", t.ClassName);
            Assert.Equal("AssertionError: 4 != 5 : qty should double to 5", t.Message);
            Assert.Equal("AssertionError", t.ExceptionType);
            Assert.StartsWith("Traceback (most recent call last):", t.Traceback);
            Assert.Contains("ig_fail/tests/test_thing.py\", line 11, in test_qty_doubles", t.Traceback);
            Assert.NotNull(t.Duration);
            Assert.Contains(t.LogLines, l => l.Contains("Starting TestThing.test_qty_doubles"));
            Assert.Equal("names must be required", r.TestCases.Single(c => c.Method == "test_name_required").Message!.Split(" : ")[1]);
            OdooTestCaseResult passed = r.TestCases.Single(c => c.Method == "test_default_qty");
            Assert.Equal(OdooTestOutcome.Passed, passed.Outcome);
            OdooTestModuleResult module = r.Modules.Single(m => m.Module == "ig_fail");
            Assert.Equal((3, 1, 2, 0), (module.Tests, module.Passed, module.Failed, module.Errors));
            Assert.Contains("Module ig_fail: 2 failures, 0 errors of 3 tests", module.OdooSummary);
        }

        [Theory]
        [InlineData("error_default")]
        [InlineData("18.0/error_test_level")]
        public void A_setUpClass_that_raises_is_an_error_of_the_class_not_a_test(string name)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name));
            OdooTestCaseResult fixture = r.TestCases.Single(c => c.IsFixtureError);
            Assert.Equal(("ig_error", "TestSetupError", "setUpClass", OdooTestOutcome.Error), (fixture.Module, fixture.Class, fixture.Method, fixture.Outcome));
            Assert.Equal("odoo.addons.ig_error.tests.test_setup_error.TestSetupError", fixture.ClassName);
            Assert.Equal("RuntimeError: fixture data could not be created", fixture.Message);
            Assert.DoesNotContain(r.TestCases, c => c.Class == "TestSetupError" && !c.IsFixtureError);
            OdooTestCaseResult raises = r.TestCases.Single(c => c.Method == "test_raises");
            Assert.Equal(("KeyError", "KeyError: 'missing_key'"), (raises.ExceptionType, raises.Message));
            Assert.Equal(1, r.Passed);   // test_ok: 2 tests, 2 errors, one of them the class's
        }

        [Theory]
        [InlineData("pass_default")]
        [InlineData("18.0/pass_test_level")]
        public void Post_install_tests_run_in_the_second_phase(string name)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name));
            Assert.Equal(OdooTestPhase.AtInstall, r.TestCases.Single(c => c.Method == "test_launch_sets_live").Phase);
            Assert.All(r.TestCases.Where(c => c.Class == "TestCampaign"), c => Assert.Equal(OdooTestPhase.PostInstall, c.Phase));
            Assert.Equal(3, r.Passed);
            // odoo.tests.stats says "ig_pass: 7 tests": not a test count.
            Assert.Equal(3, r.Modules.Single(m => m.Module == "ig_pass").Tests);
            Assert.True(r.Modules.Single(m => m.Module == "ig_pass").HasStats);
        }

        [Theory]
        [InlineData("upgrade_fail")]
        [InlineData("18.0/upgrade_fail")]
        public void A_module_that_fails_to_load_is_a_problem_naming_it(string name)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name), new[] { "ig_pass" }, OdooFixtures.ExitCode(name));
            Assert.False(r.Success);
            OdooTestProblem p = Assert.Single(r.Problems);
            Assert.Equal(OdooTestProblemKind.ModuleLoadFailed, p.Kind);
            Assert.Equal("ig_pass", p.Module);
            Assert.Contains("Failed to load registry", p.Message);
            Assert.Contains("Failed to initialize database", p.Detail);
            Assert.Contains("Traceback", p.Detail);
            string xml = JUnitWriter.ToXml(r, DateTime.UtcNow);
            OdooFixtures.ValidateJUnit(xml);
            Assert.Contains("OdooTestModuleLoadFailed", xml);
        }

        [Theory]
        [MemberData(nameof(OdooFixtures.AllLogs), MemberType = typeof(OdooFixtures))]
        public void Every_fixture_log_parses_and_writes_valid_JUnit(string name)
        {
            OdooTestRunResult r = OdooLogParser.ParseFile(OdooFixtures.Log(name), exitCode: OdooFixtures.ExitCode(name));
            OdooFixtures.ValidateJUnit(JUnitWriter.ToXml(r, DateTime.UtcNow));
            // A log without a summary is never green: either its exit code or the missing summary says why.
            if (r.OdooSummary == null) Assert.False(r.Success);
        }

        [Fact]
        public void A_requested_module_without_tests_and_an_unknown_module_are_problems()
        {
            string log = File.ReadAllText(OdooFixtures.Log("pass_default"))
                .Replace("INFO t_pass2 odoo.modules.loading: updating modules list \n",
                         "INFO t_pass2 odoo.modules.loading: updating modules list \n2026-11-22 23:13:40,951 6964 WARNING t_pass2 odoo.modules.loading: invalid module names, ignored: ig_typo \n");
            Assert.Contains("invalid module names", log);
            OdooTestRunResult r = OdooLogParser.ParseText(log, new[] { "ig_pass", "ig_typo", "ig_notests" }, exitCode: 0);
            Assert.Equal((0, 0, 3), (r.Failed, r.Errors, r.Tests));
            Assert.False(r.Success);
            Assert.Equal(OdooTestProblemKind.ModuleNotFound, r.Problems.Single(p => p.Module == "ig_typo").Kind);
            Assert.Equal(OdooTestProblemKind.NoTestsRun, r.Problems.Single(p => p.Module == "ig_notests").Kind);
            Assert.DoesNotContain(r.Problems, p => p.Module == "ig_pass");
        }

        [Fact]
        public void An_error_record_outside_the_tests_is_a_problem_but_one_inside_a_test_belongs_to_it()
        {
            string[] lines = File.ReadAllLines(OdooFixtures.Log("pass_default"));
            var edited = new List<string>();
            foreach (string l in lines)
            {
                edited.Add(l);
                if (l.Contains("Starting TestLaunch.test_launch_sets_live"))
                    edited.Add("2026-11-22 23:13:41,320 6964 ERROR t_pass2 odoo.sql_db: bad query inside a test");
                if (l.Contains("Modules loaded."))
                {
                    edited.Add("2026-11-22 23:13:41,950 6964 ERROR t_pass2 odoo.addons.base.models.ir_cron: cron job crashed");
                    edited.Add("Traceback (most recent call last):");
                    edited.Add("ValueError: boom");
                }
            }
            OdooTestRunResult r = OdooLogParser.ParseText(string.Join("\n", edited), new[] { "ig_pass" }, 0);
            OdooTestProblem p = Assert.Single(r.Problems);
            Assert.Equal(OdooTestProblemKind.LogError, p.Kind);
            Assert.Contains("odoo.addons.base.models.ir_cron: cron job crashed", p.Message);
            Assert.Contains("ValueError: boom", p.Detail);
            Assert.Contains(r.TestCases.Single(t => t.Method == "test_launch_sets_live").LogLines, l => l.Contains("bad query inside a test"));
        }

        [Fact]
        public void Older_report_forms_are_read_without_guessing()
        {
            string log = string.Join("\n", new[]
            {
                "2024-01-01 10:00:00,000 1 INFO db odoo.modules.loading: Loading module ig_old (2/3)",
                "2024-01-01 10:00:01,000 1 ERROR db odoo.addons.ig_old.tests.test_x: FAIL: test_x (odoo.addons.ig_old.tests.test_x.TestX)",
                "Traceback (most recent call last):",
                "  File \"/x/test_x.py\", line 3, in test_x",
                "AssertionError: 1 != 2",
                " ",
                "2024-01-01 10:00:01,500 1 ERROR db odoo.addons.ig_old.tests.test_x: ERROR: test_y (odoo.addons.ig_old.tests.test_x.TestX.test_y)",
                "Traceback (most recent call last):",
                "ZeroDivisionError: division by zero",
                "2024-01-01 10:00:02,000 1 INFO db odoo.modules.loading: Module ig_old loaded in 0.2s",
                "2024-01-01 10:00:02,000 1 ERROR db odoo.modules.loading: Module ig_old: 1 failures, 1 errors",
            });
            OdooTestRunResult r = OdooLogParser.ParseText(log, new[] { "ig_old" }, exitCode: 1);
            OdooTestCaseResult x = r.TestCases.Single(t => t.Method == "test_x");
            Assert.Equal(("ig_old", "TestX", "odoo.addons.ig_old.tests.test_x", OdooTestOutcome.Failed), (x.Module, x.Class, x.PythonModule, x.Outcome));
            OdooTestCaseResult y = r.TestCases.Single(t => t.Method == "test_y");
            Assert.Equal(("TestX", OdooTestOutcome.Error, "ZeroDivisionError"), (y.Class, y.Outcome, y.ExceptionType));
            Assert.Equal((1, 1), (r.Failed, r.Errors));
            Assert.False(r.CountsFromOdoo);
            Assert.Contains("1 failures, 1 errors", r.Modules.Single(m => m.Module == "ig_old").OdooSummary);
            Assert.Empty(r.Notes);
            Assert.Empty(r.Problems);   // failures are tests, not problems; the missing summary is explained by them
        }

        [Fact]
        public void Passing_tests_the_log_does_not_name_are_counted_from_the_summary_and_said_so()
        {
            string log = string.Join("\n", File.ReadAllLines(OdooFixtures.Log("pass_default")).Where(l => !l.Contains("Starting Test")));
            OdooTestRunResult r = OdooLogParser.ParseText(log, new[] { "ig_pass" }, 0);
            Assert.Equal((3, 3, 3), (r.Tests, r.Passed, r.UnnamedPassed));
            Assert.Contains(r.Notes, n => n.Contains("not named in the log"));
            Assert.True(r.Success);   // the stats line shows ig_pass had tests
        }

        [Fact]
        public void A_nonzero_exit_without_failures_and_a_timeout_are_problems()
        {
            Assert.Equal(OdooTestProblemKind.OdooExitCode, Assert.Single(OdooLogParser.ParseFile(OdooFixtures.Log("pass_default"), exitCode: 137).Problems).Kind);
            var p = new OdooLogParser();
            foreach (string l in File.ReadLines(OdooFixtures.Log("pass_default")).Take(20)) p.Feed(l);
            OdooTestRunResult r = p.Complete(new[] { "ig_pass" }, null, timedOut: true);
            Assert.Contains(r.Problems, x => x.Kind == OdooTestProblemKind.Timeout);
        }
    }
}
