using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Odoo.Testing
{
    /// <summary>What to test and how (Invoke-OdooUnitTest's parameters, PowerShell-free).</summary>
    public sealed class OdooTestRequest
    {
        public IReadOnlyList<string> Modules { get; set; } = Array.Empty<string>();
        /// <summary>Odoo's --test-tags value (e.g. "/ig_pass,-slow" or ":TestCampaign"); default: "/mod1,/mod2" of the requested modules.</summary>
        public string? TestTags { get; set; }
        /// <summary>The Odoo executable where the command runs (odoo, odoo-bin, /opt/odoo/src/odoo-bin).</summary>
        public string OdooBin { get; set; } = "odoo";
        public string? ConfigPath { get; set; }
        /// <summary>Null: a new throw-away database igtest_&lt;random&gt;.</summary>
        public string? Database { get; set; }
        public bool KeepDatabase { get; set; }
        /// <summary>The command that drops the database; "{database}" is replaced. Null: Odoo's own
        /// <c>odoo db [-c config] drop &lt;database&gt;</c> (Odoo 17+, also removes the filestore).</summary>
        public IReadOnlyList<string>? DropCommand { get; set; }
        /// <summary>Odoo's --log-level (e.g. "test"); null keeps Odoo's default.</summary>
        public string? LogLevel { get; set; }
        public IReadOnlyList<string> ExtraArguments { get; set; } = Array.Empty<string>();
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);
        /// <summary>Where the log is kept (artifact); null keeps none.</summary>
        public string? LogPath { get; set; }
        public string? JUnitPath { get; set; }
    }

    /// <summary>
    /// Runs Odoo's tests for the chosen addons in a throw-away database, streams Odoo's log, parses it
    /// (<see cref="OdooLogParser"/>), writes JUnit (<see cref="JUnitWriter"/>) and drops the database.
    /// Where Odoo runs is the <see cref="IOdooCommandRunner"/>'s business.
    /// </summary>
    public sealed class OdooTestService
    {
        private readonly IOdooCommandRunner _runner;

        public OdooTestService(IOdooCommandRunner runner) { _runner = runner; }

        public static string NewDatabaseName()
        {
            byte[] bytes = new byte[5];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return "igtest_" + string.Concat(bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        /// <summary>True when the caller chose Odoo's HTTP port (--http-port=N, --http-port N, -p N) in ExtraArguments.</summary>
        public static bool ChoosesHttpPort(OdooTestRequest request)
            => request.ExtraArguments.Any(a => a == "-p" || a == "--http-port" || a.StartsWith("--http-port=", StringComparison.Ordinal) || a.StartsWith("--xmlrpc-port", StringComparison.Ordinal));

        /// <param name="httpPort">Odoo's --http-port (Odoo 17/18): a free one, so the test run never binds the running Odoo's port.</param>
        public static IReadOnlyList<string> TestCommand(OdooTestRequest request, string database, int? httpPort = null)
        {
            var argv = new List<string> { request.OdooBin };
            if (!string.IsNullOrEmpty(request.ConfigPath)) { argv.Add("-c"); argv.Add(request.ConfigPath!); }
            argv.Add("-d"); argv.Add(database);
            argv.Add("-i"); argv.Add(string.Join(",", request.Modules));
            argv.Add("--test-enable");
            argv.Add("--stop-after-init");
            // only the requested modules' tests by default (Odoo: "/mod" = the standard tests of mod), never every
            // installed module's (base alone has ~950)
            argv.Add("--test-tags=" + (!string.IsNullOrEmpty(request.TestTags) ? request.TestTags : string.Join(",", request.Modules.Select(m => "/" + m))));
            if (httpPort != null) argv.Add("--http-port=" + httpPort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(request.LogLevel)) argv.Add("--log-level=" + request.LogLevel);
            argv.AddRange(request.ExtraArguments);
            return argv;
        }

        public static IReadOnlyList<string> DropCommand(OdooTestRequest request, string database)
        {
            if (request.DropCommand != null && request.DropCommand.Count > 0)
                return request.DropCommand.Select(a => a.Replace("{database}", database)).ToList();
            var argv = new List<string> { request.OdooBin, "db" };
            if (!string.IsNullOrEmpty(request.ConfigPath)) { argv.Add("-c"); argv.Add(request.ConfigPath!); }
            argv.Add("drop");
            argv.Add(database);
            return argv;
        }

        public async Task<OdooTestRunResult> RunAsync(OdooTestRequest request, IDeployLog log, CancellationToken cancellationToken)
        {
            if (request.Modules.Count == 0)
                throw new DeployException(ErrorIds.OdooTestNoModule, ErrorKind.InvalidArgument, "No module to test: give -Module names or an addon package, or set the CI variable ODOO_MODULES_TO_TEST.");
            foreach (string m in request.Modules)
                if (!System.Text.RegularExpressions.Regex.IsMatch(m, @"^[A-Za-z0-9_]+$"))
                    throw new DeployException(ErrorIds.OdooTestBadModuleName, ErrorKind.InvalidArgument, $"'{m}' is not an Odoo module name (letters, digits, underscore)", m);

            string database = request.Database ?? NewDatabaseName();
            int? httpPort = ChoosesHttpPort(request) ? (int?)null : await _runner.FreeHttpPortAsync(cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> argv = TestCommand(request, database, httpPort);
            log.Verbose($"Odoo tests of {string.Join(", ", request.Modules)} in database {database} on {_runner.Description}: {string.Join(" ", argv)}");

            var parser = new OdooLogParser();
            int total = request.Modules.Count, loaded = 0;
            string? currentModule = null;
            parser.ModuleLoading += m =>
            {
                currentModule = m;
                if (request.Modules.Contains(m)) loaded++;
                log.Progress("Odoo tests", $"loading {m}", Math.Min(99, 100 * Math.Max(0, loaded - 1) / Math.Max(1, total)));
            };
            parser.TestStarted += t => log.Progress("Odoo tests", $"{t.Module}: {t.Name}" + (t.Phase == OdooTestPhase.PostInstall ? " (post_install)" : string.Empty), Math.Min(99, 100 * Math.Max(0, loaded - 1) / Math.Max(1, total)));
            parser.TestFailed += t => log.Warning($"{t.Outcome.ToString().ToUpperInvariant()}: {t.Module} {t.Name}: {t.Message}");

            StreamWriter? logFile = null;
            if (request.LogPath != null)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(request.LogPath));
                if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                logFile = new StreamWriter(request.LogPath, false, new UTF8Encoding(false)) { AutoFlush = true };
            }

            var watch = Stopwatch.StartNew();
            int? exitCode = null;
            bool timedOut = false;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(request.Timeout);
                try
                {
                    exitCode = await _runner.RunAsync(argv, line =>
                    {
                        logFile?.WriteLine(line);
                        parser.Feed(line);
                        log.Verbose(line);
                    }, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    timedOut = true;
                    log.Warning($"Odoo did not finish within {request.Timeout}; it was stopped");
                }
                catch (Exception ex) when (ex is FileNotFoundException || ex is InvalidOperationException || ex is IOException || ex is Docker.DotNet.DockerApiException || ex is System.Net.Http.HttpRequestException)
                {
                    logFile?.Dispose();
                    throw new DeployException(ErrorIds.OdooTestRunnerFailed, ErrorKind.ConnectionError,
                        $"could not run Odoo on {_runner.Description}: {ex.Message}", request.OdooBin, ex);
                }
                finally
                {
                    if (timedOut || cancellationToken.IsCancellationRequested) logFile?.Dispose();
                }
            }
            logFile?.Dispose();
            watch.Stop();

            OdooTestRunResult result = parser.Complete(request.Modules, exitCode, timedOut);
            result.Database = database;
            result.Duration = watch.Elapsed;
            result.LogPath = request.LogPath;
            log.Verbose($"Odoo exited with {(exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no exit code (stopped)")} after {watch.Elapsed.TotalSeconds:0.0}s: {result}");

            if (!request.KeepDatabase)
            {
                IReadOnlyList<string> drop = DropCommand(request, database);
                try
                {
                    var output = new List<string>();
                    int code = await _runner.RunAsync(drop, output.Add, cancellationToken).ConfigureAwait(false);
                    result.DatabaseDropped = code == 0;
                    if (code == 0) log.Verbose($"Dropped database {database}: {string.Join(" ", drop)}");
                    else log.Warning($"could not drop database {database} ({string.Join(" ", drop)} exited {code}): {string.Join(" | ", output.Skip(Math.Max(0, output.Count - 3)))}");
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    log.Warning($"could not drop database {database}: {ex.Message}");
                }
            }
            else log.Verbose($"Kept database {database} (-KeepDatabase)");

            if (request.JUnitPath != null)
            {
                JUnitWriter.Write(result, request.JUnitPath);
                result.JUnitPath = request.JUnitPath;
            }
            return result;
        }

        /// <summary>The terminating error for a red run: names the failing tests and the problems.</summary>
        public static DeployException ToFailure(OdooTestRunResult result)
        {
            var lines = new List<string>();
            foreach (OdooTestCaseResult t in result.FailedTests.Take(20))
                lines.Add($"{t.Outcome.ToString().ToUpperInvariant()} {t.ClassName}.{t.Method}: {FirstLine(t.Message)}");
            foreach (OdooTestProblem p in result.Problems.Take(20))
                lines.Add(p.Message);
            // A timeout explains the rest (tests not run, no summary), so it wins over everything else.
            OdooTestProblem? timeout = result.Problems.FirstOrDefault(p => p.Kind == OdooTestProblemKind.Timeout);
            string errorId = timeout != null ? timeout.ErrorId
                : result.Failed > 0 || result.Errors > 0 ? ErrorIds.OdooTestsFailed : result.Problems[0].ErrorId;
            string where = result.JUnitPath != null ? $" (JUnit: {result.JUnitPath})" : string.Empty;
            return new DeployException(errorId, ErrorKind.InvalidResult,
                $"Odoo tests failed: {result}{where}\n" + string.Join("\n", lines), result.Database)
            {
                RecommendedAction = result.LogPath != null ? $"Read Odoo's log {result.LogPath}" : "Run with -LogPath to keep Odoo's log",
            };
        }

        private static string FirstLine(string? text) => (text ?? string.Empty).Split('\n')[0];
    }
}
