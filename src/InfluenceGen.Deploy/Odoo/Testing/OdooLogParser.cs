using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace InfluenceGen.Deploy.Odoo.Testing
{
    /// <summary>One record of Odoo's log: the prefixed line and the lines that follow it without a prefix
    /// (a traceback, a multi-line message).</summary>
    public sealed class OdooLogRecord
    {
        public DateTime? Time { get; set; }
        public string Level { get; set; } = string.Empty;
        public string Database { get; set; } = string.Empty;
        public string Logger { get; set; } = string.Empty;
        public string Message { get; set; } = string.Empty;
        /// <summary>Lines after the first (traceback), without the final blank line.</summary>
        public List<string> Continuation { get; } = new List<string>();
        public List<string> RawLines { get; } = new List<string>();
        public int LineNumber { get; set; }
        public bool IsRecord => Level.Length > 0;
        public bool IsErrorLevel => Level == "ERROR" || Level == "CRITICAL";
    }

    /// <summary>
    /// Turns Odoo's server log of a <c>--test-enable</c> run into test results. Written against real
    /// Odoo 17.0 and 18.0 logs (fixtures/odoo): the <c>Starting Class.method ...</c> line of each test,
    /// <c>FAIL: Class.method</c> / <c>ERROR: Class.method</c> records with their traceback,
    /// <c>ERROR: setUpClass (dotted.Class)</c> from odoo.tests.suite (an error of the class, counted
    /// by Odoo as an error but not as a test), the <c>Starting post tests</c> phase, the per-module line
    /// <c>Module X: F failures, E errors of T tests</c> and the authoritative summary
    /// <c>F failed, E error(s) of T tests when loading database 'DB'</c> (odoo.tests.result). The
    /// odoo.tests.stats lines are not test counts and are only used to know that a module had tests.
    /// Older forms are accepted without guessing: <c>FAIL: test_x (odoo.addons.m.tests.t.Class)</c>
    /// and <c>Module X: N failures, M errors</c>. Feed lines as they come (<see cref="Feed"/>), then
    /// <see cref="Complete"/>.
    /// </summary>
    public sealed class OdooLogParser
    {
        private static readonly Regex RecordLine = new Regex(
            @"^(?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (?<pid>\d+) (?<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|TEST|RUNBOT|\w+) (?<db>\S+) (?<logger>[\w.\-]+): ?(?<msg>.*)$",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);
        private static readonly Regex TestLogger = new Regex(@"^odoo\.addons\.(?<m>\w+)\.tests(?:\.[\w.]+)?$", RegexOptions.Compiled);
        private static readonly Regex Starting = new Regex(@"^Starting (?<cls>\w+)\.(?<meth>\w+) \.\.\.$", RegexOptions.Compiled);
        private static readonly Regex Report = new Regex(@"^(?<flavour>FAIL|ERROR): (?<desc>.+)$", RegexOptions.Compiled);
        private static readonly Regex NewDescription = new Regex(@"^(?<cls>\w+)\.(?<meth>\w+)(?<sub> \(.*\))?$", RegexOptions.Compiled);
        private static readonly Regex OldDescription = new Regex(@"^(?<meth>\w+) \((?<path>[\w.]+)\)(?<sub> \(.*\))?$", RegexOptions.Compiled);
        private static readonly Regex Skip = new Regex(@"^skipped (?<cls>\w+)\.(?<meth>\w+)", RegexOptions.Compiled | RegexOptions.IgnoreCase);
        private static readonly Regex LoadingModule = new Regex(@"^Loading module (?<m>\w+) \(\d+/\d+\)$", RegexOptions.Compiled);
        private static readonly Regex ModuleLoaded = new Regex(@"^Module (?<m>\w+) loaded in ", RegexOptions.Compiled);
        private static readonly Regex ModuleSummary = new Regex(@"^Module (?<m>\w+): (?<f>\d+) failures?, (?<e>\d+) errors?(?: of (?<t>\d+) tests?)?", RegexOptions.Compiled);
        private static readonly Regex ResultSummary = new Regex(@"^(?<f>\d+) failed, (?<e>\d+) error\(s\) of (?<t>\d+) tests?", RegexOptions.Compiled);
        private static readonly Regex Stats = new Regex(@"^(?<m>\w+): \d+ tests? ", RegexOptions.Compiled);
        private static readonly Regex PostTestsEnd = new Regex(@"^\d+ post-tests in ", RegexOptions.Compiled);
        private static readonly Regex InvalidNames = new Regex(@"invalid module names, ignored: (?<names>.*)$", RegexOptions.Compiled);
        private static readonly HashSet<string> FixtureMethods = new HashSet<string>(StringComparer.Ordinal)
            { "setUpClass", "tearDownClass", "setUpModule", "tearDownModule" };

        private readonly List<OdooLogRecord> _records = new List<OdooLogRecord>();
        private readonly List<OdooTestCaseResult> _tests = new List<OdooTestCaseResult>();
        private readonly Dictionary<string, OdooTestModuleResult> _modules = new Dictionary<string, OdooTestModuleResult>(StringComparer.Ordinal);
        private readonly List<OdooTestProblem> _problems = new List<OdooTestProblem>();
        private readonly List<string> _notes = new List<string>();
        private readonly HashSet<string> _invalidNames = new HashSet<string>(StringComparer.Ordinal);
        private OdooLogRecord? _pending;
        private OdooTestCaseResult? _open;
        private string? _loadingModule;
        private OdooTestPhase _phase = OdooTestPhase.AtInstall;
        private int _lineNumber;
        private Match? _summary;
        private string? _summaryLine;
        private string _database = string.Empty;

        /// <summary>Raised for each test as soon as its start is seen (live progress).</summary>
        public event Action<OdooTestCaseResult>? TestStarted;
        /// <summary>Raised when a test is reported failed or in error.</summary>
        public event Action<OdooTestCaseResult>? TestFailed;
        /// <summary>Raised when Odoo starts loading a module ("Loading module X (i/n)").</summary>
        public event Action<string>? ModuleLoading;

        public static OdooTestRunResult ParseFile(string path, IEnumerable<string>? requestedModules = null, int? exitCode = null)
        {
            var parser = new OdooLogParser();
            using (var reader = new StreamReader(path, new UTF8Encoding(false), true))
            {
                string? line;
                while ((line = reader.ReadLine()) != null) parser.Feed(line);
            }
            OdooTestRunResult result = parser.Complete(requestedModules, exitCode, timedOut: false);
            result.LogPath = path;
            return result;
        }

        public static OdooTestRunResult ParseText(string text, IEnumerable<string>? requestedModules = null, int? exitCode = null)
        {
            var parser = new OdooLogParser();
            foreach (string line in text.Replace("\r\n", "\n").Split('\n')) parser.Feed(line);
            return parser.Complete(requestedModules, exitCode, timedOut: false);
        }

        /// <summary>Feeds one line of the log (without its newline).</summary>
        public void Feed(string line)
        {
            _lineNumber++;
            Match m = RecordLine.Match(line);
            if (m.Success)
            {
                Flush();
                _pending = new OdooLogRecord
                {
                    Time = DateTime.TryParseExact(m.Groups["ts"].Value, "yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime t) ? t : (DateTime?)null,
                    Level = m.Groups["level"].Value,
                    Database = m.Groups["db"].Value,
                    Logger = m.Groups["logger"].Value,
                    Message = m.Groups["msg"].Value.TrimEnd(),
                    LineNumber = _lineNumber,
                };
                _pending.RawLines.Add(line);
                return;
            }
            if (_pending == null)
            {
                // Text before the first record (or tool chatter such as reportlab's "Warn: ..."): kept, not parsed.
                var stray = new OdooLogRecord { LineNumber = _lineNumber, Message = line };
                stray.RawLines.Add(line);
                Handle(stray);
                return;
            }
            _pending.RawLines.Add(line);
            _pending.Continuation.Add(line);
        }

        private void Flush()
        {
            if (_pending == null) return;
            OdooLogRecord record = _pending;
            _pending = null;
            // Odoo ends a traceback with a line holding one space.
            while (record.Continuation.Count > 0 && record.Continuation[record.Continuation.Count - 1].Trim().Length == 0)
                record.Continuation.RemoveAt(record.Continuation.Count - 1);
            Handle(record);
        }

        private OdooTestModuleResult ModuleOf(string name)
        {
            if (!_modules.TryGetValue(name, out OdooTestModuleResult? module))
                _modules[name] = module = new OdooTestModuleResult { Module = name };
            return module;
        }

        private void CloseOpenTest(DateTime? at)
        {
            if (_open == null) return;
            if (_open.Duration == null && at != null && _openStart != null && at >= _openStart)
                _open.Duration = at.Value - _openStart.Value;
            _open = null;
        }

        private DateTime? _openStart;

        private void Handle(OdooLogRecord r)
        {
            _records.Add(r);
            if (!r.IsRecord)
            {
                _open?.LogLines.Add(r.Message);
                return;
            }
            if (r.Database != "?" && _database.Length == 0) _database = r.Database;
            Match m;
            bool testLogger = TestLogger.IsMatch(r.Logger);
            bool handled = false;

            if (r.Logger == "odoo.modules.loading")
            {
                if ((m = LoadingModule.Match(r.Message)).Success)
                {
                    _loadingModule = m.Groups["m"].Value;
                    ModuleOf(_loadingModule).Loaded = true;
                    ModuleLoading?.Invoke(_loadingModule);
                    handled = true;
                }
                else if ((m = ModuleLoaded.Match(r.Message)).Success)
                {
                    CloseOpenTest(r.Time);
                    if (_loadingModule == m.Groups["m"].Value) _loadingModule = null;
                    handled = true;
                }
                else if ((m = ModuleSummary.Match(r.Message)).Success)
                {
                    ModuleOf(m.Groups["m"].Value).OdooSummary = r.Message;
                    handled = true;
                }
                else if (r.Message.StartsWith("At least one test failed", StringComparison.Ordinal))
                    handled = true;
            }
            else if (r.Logger == "odoo.service.server")
            {
                if (r.Message.StartsWith("Starting post tests", StringComparison.Ordinal))
                {
                    CloseOpenTest(r.Time);
                    _phase = OdooTestPhase.PostInstall;
                }
                else if (PostTestsEnd.IsMatch(r.Message))
                    CloseOpenTest(r.Time);
            }
            else if (r.Logger == "odoo.tests.result" && (m = ResultSummary.Match(r.Message)).Success)
            {
                _summary = m;
                _summaryLine = r.RawLines[0];
                handled = true;
            }
            else if (r.Logger == "odoo.tests.stats" && (m = Stats.Match(r.Message)).Success)
            {
                ModuleOf(m.Groups["m"].Value).HasStats = true;
                handled = true;
            }

            if (testLogger && (m = Starting.Match(r.Message)).Success)
            {
                CloseOpenTest(r.Time);
                string module = TestLogger.Match(r.Logger).Groups["m"].Value;
                var test = new OdooTestCaseResult
                {
                    Module = module,
                    PythonModule = r.Logger,
                    Class = m.Groups["cls"].Value,
                    Method = m.Groups["meth"].Value,
                    Outcome = OdooTestOutcome.Passed,
                    Phase = _phase,
                    LogLine = r.LineNumber,
                };
                test.LogLines.AddRange(r.RawLines);
                _tests.Add(test);
                ModuleOf(module);
                _open = test;
                _openStart = r.Time;
                TestStarted?.Invoke(test);
                return;
            }

            if ((testLogger || r.Logger.StartsWith("odoo.tests", StringComparison.Ordinal)) && r.IsErrorLevel && (m = Report.Match(r.Message)).Success)
            {
                HandleReport(r, m, testLogger ? TestLogger.Match(r.Logger).Groups["m"].Value : null);
                return;
            }

            if (testLogger && (m = Skip.Match(r.Message)).Success)
            {
                OdooTestCaseResult? test = Find(TestLogger.Match(r.Logger).Groups["m"].Value, m.Groups["cls"].Value, m.Groups["meth"].Value);
                if (test != null) { test.Outcome = OdooTestOutcome.Skipped; test.Message = r.Message; test.LogLines.AddRange(r.RawLines); return; }
            }

            if ((m = InvalidNames.Match(r.Message)).Success)
            {
                foreach (string name in m.Groups["names"].Value.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries))
                    _invalidNames.Add(name.Trim('\'', '"', '[', ']'));
            }

            // The separator line before a report belongs to the report, not to the test that ran before.
            if (_open != null && testLogger && r.Message.StartsWith("=====", StringComparison.Ordinal))
            {
                _open.LogLines.AddRange(r.RawLines);
                return;
            }

            if (_open != null)
            {
                _open.LogLines.AddRange(r.RawLines);
                return;   // records during a test belong to the test (Odoo's own test loggers decide about them)
            }

            if (!handled && r.IsErrorLevel)
            {
                bool loadFailure = r.Message.StartsWith("Failed to load registry", StringComparison.Ordinal)
                    || r.Message.StartsWith("Failed to initialize database", StringComparison.Ordinal)
                    || (r.Logger == "odoo.modules.loading" && _loadingModule != null);
                string detail = string.Join("\n", r.RawLines).TrimEnd();
                if (loadFailure)
                {
                    OdooTestProblem? existing = _problems.FirstOrDefault(p => p.Kind == OdooTestProblemKind.ModuleLoadFailed && p.Module == _loadingModule);
                    if (existing != null) { existing.Detail += "\n" + detail; return; }
                    _problems.Add(new OdooTestProblem
                    {
                        Kind = OdooTestProblemKind.ModuleLoadFailed,
                        Module = _loadingModule,
                        Message = _loadingModule != null
                            ? $"module {_loadingModule} failed to load (log line {r.LineNumber}: {r.Message})"
                            : $"Odoo failed to load the modules (log line {r.LineNumber}: {r.Message})",
                        Detail = detail,
                        LogLine = r.LineNumber,
                    });
                }
                else
                {
                    _problems.Add(new OdooTestProblem
                    {
                        Kind = OdooTestProblemKind.LogError,
                        Module = _loadingModule,
                        Message = $"{r.Level} record outside the tests at log line {r.LineNumber}: {r.Logger}: {r.Message}",
                        Detail = detail,
                        LogLine = r.LineNumber,
                    });
                }
            }
        }

        private OdooTestCaseResult? Find(string module, string cls, string method)
            => _tests.LastOrDefault(t => t.Module == module && t.Class == cls && t.Method == method);

        private void HandleReport(OdooLogRecord r, Match report, string? loggerModule)
        {
            bool fail = report.Groups["flavour"].Value == "FAIL";
            string desc = report.Groups["desc"].Value;
            string module = loggerModule ?? string.Empty, cls, method, python = loggerModule != null ? r.Logger : string.Empty, sub = string.Empty;
            Match d;
            if ((d = OldDescription.Match(desc)).Success && d.Groups["path"].Value.Contains("."))
            {
                method = d.Groups["meth"].Value;
                sub = d.Groups["sub"].Value;
                var parts = d.Groups["path"].Value.Split('.').ToList();
                if (parts.Count > 0 && parts[parts.Count - 1] == method) parts.RemoveAt(parts.Count - 1);   // Python 3.11+: (pkg.Class.test_x)
                bool moduleFixture = method == "setUpModule" || method == "tearDownModule";
                cls = moduleFixture || parts.Count == 0 ? string.Empty : parts[parts.Count - 1];
                if (!moduleFixture && parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                python = string.Join(".", parts);
                if (parts.Count >= 3 && parts[0] == "odoo" && parts[1] == "addons") module = parts[2];
            }
            else if ((d = NewDescription.Match(desc)).Success)
            {
                cls = d.Groups["cls"].Value;
                method = d.Groups["meth"].Value;
                sub = d.Groups["sub"].Value;
            }
            else
            {
                cls = string.Empty;
                method = desc;
            }
            if (module.Length == 0) module = _loadingModule ?? "odoo";

            bool fixture = FixtureMethods.Contains(method);
            OdooTestCaseResult? test = fixture ? null : Find(module, cls, method);
            if (test != null && (test.Outcome != OdooTestOutcome.Passed || sub.Length > 0 && test.Message != null))
                test = null;   // a second subtest failure of the same test: its own entry
            if (test == null)
            {
                test = new OdooTestCaseResult
                {
                    Module = module,
                    PythonModule = python,
                    Class = cls,
                    Method = method + sub,
                    Phase = _phase,
                    IsFixtureError = fixture,
                    LogLine = r.LineNumber,
                };
                _tests.Add(test);
            }
            else if (sub.Length > 0)
            {
                test.Method = method + sub;
            }
            ModuleOf(module);
            test.Outcome = fail ? OdooTestOutcome.Failed : OdooTestOutcome.Error;
            test.Traceback = string.Join("\n", r.Continuation);
            (test.ExceptionType, test.Message) = ExceptionOf(r.Continuation);
            if (test.Message == null) test.Message = r.Message;
            test.LogLines.AddRange(r.RawLines);
            if (_open == test && r.Time != null && _openStart != null) test.Duration = r.Time.Value - _openStart.Value;
            if (_open == test) _open = null;
            TestFailed?.Invoke(test);
        }

        /// <summary>The exception line(s) of a Python traceback: what follows the last stack frame.</summary>
        internal static (string? Type, string? Message) ExceptionOf(IReadOnlyList<string> traceback)
        {
            int start = -1;
            for (int i = traceback.Count - 1; i >= 0; i--)
            {
                string line = traceback[i];
                if (line.StartsWith("  ", StringComparison.Ordinal) || line.StartsWith("Traceback ", StringComparison.Ordinal)) break;
                if (line.Length > 0 && !char.IsWhiteSpace(line[0])) start = i;
            }
            if (start < 0) return (null, null);
            string message = string.Join("\n", traceback.Skip(start)).TrimEnd();
            Match t = Regex.Match(traceback[start], @"^(?<t>[A-Za-z_][\w.]*)(?::|$)");
            return (t.Success ? t.Groups["t"].Value : null, message);
        }

        /// <summary>Ends the log: counts, per-module results and what makes the run not green.</summary>
        public OdooTestRunResult Complete(IEnumerable<string>? requestedModules, int? exitCode, bool timedOut)
        {
            Flush();
            CloseOpenTest(_records.LastOrDefault(r => r.Time != null)?.Time);
            string[] requested = (requestedModules ?? Enumerable.Empty<string>()).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct().ToArray();
            foreach (string name in requested) ModuleOf(name).Requested = true;

            foreach (OdooTestModuleResult module in _modules.Values)
            {
                var tests = _tests.Where(t => t.Module == module.Module).ToList();
                module.Tests = tests.Count(t => !t.IsFixtureError);
                module.Failed = tests.Count(t => t.Outcome == OdooTestOutcome.Failed);
                module.Errors = tests.Count(t => t.Outcome == OdooTestOutcome.Error);
                module.Skipped = tests.Count(t => t.Outcome == OdooTestOutcome.Skipped);
                module.Passed = tests.Count(t => t.Outcome == OdooTestOutcome.Passed);
                if (module.OdooSummary != null)
                {
                    Match s = ModuleSummary.Match(module.OdooSummary);
                    int f = int.Parse(s.Groups["f"].Value, CultureInfo.InvariantCulture), e = int.Parse(s.Groups["e"].Value, CultureInfo.InvariantCulture);
                    if (f != module.Failed || e != module.Errors)
                        _notes.Add($"module {module.Module}: the log reports {module.Failed} failure(s) and {module.Errors} error(s), Odoo's module line says \"{module.OdooSummary}\"");
                }
            }

            var result = new OdooTestRunResult
            {
                Database = _database,
                RequestedModules = requested,
                ExitCode = exitCode,
                TimedOut = timedOut,
                TestCases = _tests.ToArray(),
            };
            int namedTests = _tests.Count(t => !t.IsFixtureError);
            int parsedFailed = _tests.Count(t => t.Outcome == OdooTestOutcome.Failed);
            int parsedErrors = _tests.Count(t => t.Outcome == OdooTestOutcome.Error);
            int fixtureErrors = _tests.Count(t => t.IsFixtureError && t.Outcome == OdooTestOutcome.Error);
            result.Skipped = _tests.Count(t => t.Outcome == OdooTestOutcome.Skipped);
            if (_summary != null)
            {
                result.CountsFromOdoo = true;
                result.OdooSummary = _summaryLine;
                result.Failed = int.Parse(_summary.Groups["f"].Value, CultureInfo.InvariantCulture);
                result.Errors = int.Parse(_summary.Groups["e"].Value, CultureInfo.InvariantCulture);
                result.Tests = int.Parse(_summary.Groups["t"].Value, CultureInfo.InvariantCulture);
                if (result.Failed != parsedFailed || result.Errors != parsedErrors)
                    _notes.Add($"the log names {parsedFailed} failure(s) and {parsedErrors} error(s); Odoo's summary says {result.Failed} failed, {result.Errors} error(s): the summary's numbers are used");
                if (namedTests > result.Tests)
                    _notes.Add($"the log names {namedTests} tests; Odoo's summary counts {result.Tests}");
            }
            else
            {
                result.Failed = parsedFailed;
                result.Errors = parsedErrors;
                result.Tests = namedTests;
            }
            result.Passed = Math.Max(0, result.Tests - result.Failed - Math.Max(0, result.Errors - fixtureErrors) - result.Skipped);
            int namedPassed = _tests.Count(t => t.Outcome == OdooTestOutcome.Passed);
            result.UnnamedPassed = Math.Max(0, result.Passed - namedPassed);
            if (result.UnnamedPassed > 0)
                _notes.Add($"{result.UnnamedPassed} passing test(s) are counted by Odoo's summary but not named in the log (run with --log-level=test to name them)");

            // What else makes the run red.
            var problems = new List<OdooTestProblem>();
            foreach (string name in requested.Where(_invalidNames.Contains))
                problems.Add(new OdooTestProblem { Kind = OdooTestProblemKind.ModuleNotFound, Module = name, Message = $"module {name} does not exist in Odoo's addons path (Odoo: \"invalid module names, ignored\")" });
            foreach (string name in _invalidNames.Where(n => !requested.Contains(n)))
                problems.Add(new OdooTestProblem { Kind = OdooTestProblemKind.ModuleNotFound, Module = name, Message = $"Odoo ignored the invalid module name {name}" });
            problems.AddRange(_problems);
            bool loadFailed = _problems.Any(p => p.Kind == OdooTestProblemKind.ModuleLoadFailed);
            foreach (string name in requested.Where(n => !_invalidNames.Contains(n)))
            {
                OdooTestModuleResult module = _modules[name];
                bool hadTests = module.Tests > 0 || _tests.Any(t => t.Module == name) || module.HasStats || module.OdooSummary != null;
                if (!hadTests && !(loadFailed && module.Module == _problems.First(p => p.Kind == OdooTestProblemKind.ModuleLoadFailed).Module))
                    problems.Add(new OdooTestProblem { Kind = OdooTestProblemKind.NoTestsRun, Module = name, Message = $"no test ran for module {name}" + (module.Loaded ? " (it was installed but has no tests, or none match -TestTags)" : " (Odoo did not load it)") });
            }
            if (timedOut) // the cause of everything else missing: first, so it names the run's error
                problems.Insert(0, new OdooTestProblem { Kind = OdooTestProblemKind.Timeout, Message = "Odoo did not finish in time and was stopped" + (_open != null ? $" (during {_open.Name})" : string.Empty) });
            else if (exitCode.HasValue && exitCode.Value != 0 && result.Failed == 0 && result.Errors == 0 && !loadFailed)
                problems.Add(new OdooTestProblem { Kind = OdooTestProblemKind.OdooExitCode, Message = $"Odoo exited with code {exitCode.Value} without a failing test" + (_summary == null ? " and without its test summary (it crashed?)" : string.Empty) });
            else if (exitCode.HasValue && exitCode.Value == 0 && (result.Failed > 0 || result.Errors > 0))
                _notes.Add("Odoo exited with code 0 although tests failed");
            if (_summary == null && problems.Count == 0 && result.Failed == 0 && result.Errors == 0)
                problems.Add(new OdooTestProblem { Kind = OdooTestProblemKind.NoSummary, Message = "the log has no test summary (odoo.tests.result): Odoo did not run tests (--test-enable missing?) or stopped before the end" });

            DateTime? first = _records.FirstOrDefault(r => r.Time != null)?.Time, last = _records.LastOrDefault(r => r.Time != null)?.Time;
            if (first != null && last != null && last >= first) result.Duration = last.Value - first.Value;
            result.Problems = problems.ToArray();
            result.Modules = _modules.Values.OrderBy(mo => mo.Module, StringComparer.Ordinal).ToArray();
            result.Notes = _notes.ToArray();
            result.Database = _database;
            return result;
        }
    }
}
