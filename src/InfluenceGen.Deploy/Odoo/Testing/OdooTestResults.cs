using System;
using System.Collections.Generic;
using System.Linq;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Odoo.Testing
{
    public enum OdooTestOutcome { Passed, Failed, Error, Skipped }

    /// <summary>Which of Odoo's two test phases ran a test.</summary>
    public enum OdooTestPhase { AtInstall, PostInstall }

    /// <summary>One test as Odoo's log reports it (table view: InfluenceGen.Deploy.Odoo.Testing.OdooTestCaseResult).</summary>
    public sealed class OdooTestCaseResult
    {
        /// <summary>The addon the test belongs to (ig_fail).</summary>
        public string Module { get; set; } = string.Empty;
        /// <summary>The Python module of the test file (odoo.addons.ig_fail.tests.test_thing), empty when Odoo did not name it.</summary>
        public string PythonModule { get; set; } = string.Empty;
        /// <summary>The test class (TestThing).</summary>
        public string Class { get; set; } = string.Empty;
        /// <summary>The test method (test_qty_doubles), or setUpClass/setUpModule/tearDownClass for a class-level error.</summary>
        public string Method { get; set; } = string.Empty;
        public OdooTestOutcome Outcome { get; set; }
        public OdooTestPhase Phase { get; set; }
        /// <summary>True for an error of a class or module fixture (setUpClass raising): Odoo counts it as
        /// an error but not as a test.</summary>
        public bool IsFixtureError { get; set; }
        /// <summary>Measured from the log's timestamps (Odoo does not log a per-test duration): from the
        /// test's "Starting" line to the next test's start or the end of its module's tests. Null when
        /// the log does not say when the test started.</summary>
        public TimeSpan? Duration { get; set; }
        /// <summary>The exception line (AssertionError: 4 != 5 : qty should double to 5).</summary>
        public string? Message { get; set; }
        /// <summary>The exception type (AssertionError, KeyError).</summary>
        public string? ExceptionType { get; set; }
        public string? Traceback { get; set; }
        /// <summary>Odoo's log lines of this test, as written.</summary>
        public List<string> LogLines { get; set; } = new List<string>();
        /// <summary>Line number (1-based) of the log line that started or reported the test.</summary>
        public int LogLine { get; set; }

        /// <summary>Class.method, the way Odoo names a test.</summary>
        public string Name => string.IsNullOrEmpty(Class) ? Method : Class + "." + Method;
        /// <summary>The dotted class path JUnit calls classname.</summary>
        public string ClassName => string.IsNullOrEmpty(PythonModule) ? (string.IsNullOrEmpty(Class) ? Module : Module + "." + Class)
            : (string.IsNullOrEmpty(Class) ? PythonModule : PythonModule + "." + Class);
        public double? Seconds => Duration?.TotalSeconds;

        public override string ToString() => $"{Module} {Name} {Outcome}";
    }

    /// <summary>The tests of one addon (table view: InfluenceGen.Deploy.Odoo.Testing.OdooTestModuleResult).</summary>
    public sealed class OdooTestModuleResult
    {
        public string Module { get; set; } = string.Empty;
        /// <summary>Tests that started (named in the log).</summary>
        public int Tests { get; set; }
        public int Passed { get; set; }
        public int Failed { get; set; }
        public int Errors { get; set; }
        public int Skipped { get; set; }
        /// <summary>Odoo's own per-module line (Module ig_fail: 2 failures, 0 errors of 3 tests), only
        /// written by Odoo when something failed.</summary>
        public string? OdooSummary { get; set; }
        /// <summary>The module was requested with -Module.</summary>
        public bool Requested { get; set; }
        /// <summary>Odoo logged "Loading module X".</summary>
        public bool Loaded { get; set; }
        /// <summary>Odoo's odoo.tests.stats line named the module (it had tests; its numbers are not test counts).</summary>
        public bool HasStats { get; set; }

        public override string ToString() => $"{Module}: {Failed} failed, {Errors} error(s) of {Tests} tests";
    }

    /// <summary>Why a run is not green other than a failing test: shown in JUnit and as the terminating error.</summary>
    public enum OdooTestProblemKind { NoTestsRun, ModuleNotFound, ModuleLoadFailed, LogError, OdooExitCode, Timeout, NoSummary }

    public sealed class OdooTestProblem
    {
        public OdooTestProblemKind Kind { get; set; }
        public string? Module { get; set; }
        public string Message { get; set; } = string.Empty;
        /// <summary>The log record(s) behind it.</summary>
        public string? Detail { get; set; }
        public int LogLine { get; set; }

        /// <summary>The stable error id of the cmdlet's terminating error for this kind.</summary>
        public string ErrorId => Kind switch
        {
            OdooTestProblemKind.NoTestsRun => ErrorIds.OdooTestNoTestsRun,
            OdooTestProblemKind.ModuleNotFound => ErrorIds.OdooTestModuleNotFound,
            OdooTestProblemKind.ModuleLoadFailed => ErrorIds.OdooTestModuleLoadFailed,
            OdooTestProblemKind.LogError => ErrorIds.OdooTestLogError,
            OdooTestProblemKind.OdooExitCode => ErrorIds.OdooTestOdooExitCode,
            OdooTestProblemKind.Timeout => ErrorIds.OdooTestTimeout,
            _ => ErrorIds.OdooTestNoSummary,
        };
        public override string ToString() => Message;
    }

    /// <summary>
    /// The result of one Odoo test run (or of a log converted with ConvertFrom-OdooTestLog)
    /// (table view: InfluenceGen.Deploy.Odoo.Testing.OdooTestRunResult). <see cref="Tests"/>,
    /// <see cref="Failed"/> and <see cref="Errors"/> are Odoo's own numbers from its summary line
    /// (odoo.tests.result) when the log has it.
    /// </summary>
    public sealed class OdooTestRunResult
    {
        public string Database { get; set; } = string.Empty;
        /// <summary>Odoo's "of T tests".</summary>
        public int Tests { get; set; }
        /// <summary>Odoo's "F failed".</summary>
        public int Failed { get; set; }
        /// <summary>Odoo's "E error(s)" (a setUpClass that raises counts here, not in Tests).</summary>
        public int Errors { get; set; }
        public int Skipped { get; set; }
        /// <summary>Tests - Failed - test errors - Skipped; when the log names fewer passing tests than
        /// this (no "Starting" lines), <see cref="UnnamedPassed"/> says how many are only counted.</summary>
        public int Passed { get; set; }
        public int UnnamedPassed { get; set; }
        /// <summary>Odoo's summary line as written, or null when the log has none (crash, no --test-enable).</summary>
        public string? OdooSummary { get; set; }
        /// <summary>The numbers came from Odoo's summary line (not counted by the parser).</summary>
        public bool CountsFromOdoo { get; set; }
        public int? ExitCode { get; set; }
        public bool TimedOut { get; set; }
        public TimeSpan Duration { get; set; }
        public string[] RequestedModules { get; set; } = Array.Empty<string>();
        public OdooTestModuleResult[] Modules { get; set; } = Array.Empty<OdooTestModuleResult>();
        public OdooTestCaseResult[] TestCases { get; set; } = Array.Empty<OdooTestCaseResult>();
        public OdooTestProblem[] Problems { get; set; } = Array.Empty<OdooTestProblem>();
        public string? LogPath { get; set; }
        public string? JUnitPath { get; set; }
        public bool DatabaseDropped { get; set; }
        /// <summary>Where the parser's own count differs from Odoo's, or what it could only derive.</summary>
        public string[] Notes { get; set; } = Array.Empty<string>();

        public bool Success => Failed == 0 && Errors == 0 && Problems.Length == 0;
        public string Status => Success ? "Passed" : "Failed";
        public IEnumerable<OdooTestCaseResult> FailedTests => TestCases.Where(t => t.Outcome == OdooTestOutcome.Failed || t.Outcome == OdooTestOutcome.Error);

        public override string ToString() => $"{Failed} failed, {Errors} error(s) of {Tests} tests" + (Problems.Length > 0 ? $"; {Problems.Length} problem(s)" : "");
    }
}
