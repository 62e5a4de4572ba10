using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Odoo;
using InfluenceGen.Deploy.Odoo.Testing;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Runs Odoo's tests of chosen addons in a throw-away database (locally, in a container, or through
    /// a given runner), streams the log, writes JUnit for GitLab and ends in a terminating error when
    /// anything is not green. The work is in <see cref="OdooTestService"/>.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "OdooUnitTest", SupportsShouldProcess = true, DefaultParameterSetName = "Local", HelpUri = HelpLinks.Readme + "#get-help-invoke-odoounittest")]
    [OutputType(typeof(OdooTestRunResult), typeof(OdooTestCaseResult))]
    public sealed class InvokeOdooUnitTestCommand : InfluenceGenCmdlet
    {
        private readonly List<string> _modules = new List<string>();

        /// <summary>Module names, or an addon package from New-OdooAddonPackage (its addons).</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [OdooModuleNameTransformation]
        [ArgumentCompleter(typeof(OdooModuleCompleter))]
        public string[] Module { get; set; } = null!;

        [Parameter] public string? TestTags { get; set; }

        /// <summary>The Odoo executable where the tests run (odoo, odoo-bin, /opt/odoo/src/odoo-bin).</summary>
        [Parameter] [ValidateNotNullOrEmpty] public string OdooBin { get; set; } = "odoo";

        /// <summary>Odoo's own configuration file where the tests run (odoo -c); not the module's environments
        /// file, which is -ConfigurationPath. The old name -ConfigPath still works.</summary>
        [Parameter] [Alias("ConfigPath")] public string? OdooConfigPath { get; set; }

        /// <summary>Run in this running container (name or id) with docker exec.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Container")] [ValidateNotNullOrEmpty]
        public string Container { get; set; } = null!;

        /// <summary>The Docker Engine endpoint (unix:///var/run/docker.sock, tcp://host:2375). Default: $env:DOCKER_HOST, else the local socket.</summary>
        [Parameter(ParameterSetName = "Container")] public string? DockerHost { get; set; }

        /// <summary>The user the exec runs as (the official image's is odoo).</summary>
        [Parameter(ParameterSetName = "Container")] public string? ContainerUser { get; set; }

        /// <summary>Where Odoo runs, for transports the module adds (an SSH runner of a deploy target).</summary>
        /// <summary>Run Odoo on this environment's server (over SSH, or locally for the local environment),
        /// through the transport Deploy-InfluenceGen uses.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Environment")]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string Environment { get; set; } = null!;

        /// <summary>The environments file for -Environment.</summary>
        [Parameter(ParameterSetName = "Environment")]
        public string? ConfigurationPath { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Runner")] [ValidateNotNull]
        public IOdooCommandRunner Runner { get; set; } = null!;

        /// <summary>The database name; default a new igtest_&lt;random&gt;.</summary>
        [Parameter] [ValidatePattern(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")] public string? Database { get; set; }

        [Parameter] public SwitchParameter KeepDatabase { get; set; }

        /// <summary>How to drop the database; {database} is replaced. Default: odoo db [-c config] drop {database}.</summary>
        [Parameter] public string[]? DropCommand { get; set; }

        /// <summary>Odoo's --log-level, e.g. test.</summary>
        [Parameter] [ValidateSet("debug_sql", "debug_rpc_answer", "debug_rpc", "debug", "test", "info", "warn", "error", "critical", "notset")]
        public string? LogLevel { get; set; }

        /// <summary>More arguments for Odoo (e.g. --without-demo=all).</summary>
        [Parameter] public string[] ExtraArgument { get; set; } = new string[0];

        /// <summary>Seconds Odoo may run before it is stopped (a failure). Default 3600.</summary>
        [Parameter] [Alias("Timeout")] [ValidateRange(1, 86400)] public int TimeoutSec { get; set; } = 3600;

        /// <summary>Keep Odoo's log in this file (the job's artifact).</summary>
        [Parameter] public string? LogPath { get; set; }

        /// <summary>Write JUnit XML here (artifacts:reports:junit).</summary>
        [Parameter] public string? JUnitPath { get; set; }

        /// <summary>Return one object per test instead of the summary.</summary>
        [Parameter] public SwitchParameter PassThru { get; set; }

        protected override void Process()
        {
            foreach (object item in Module ?? new object[0])
                _modules.AddRange(ModuleNames(item));
        }

        /// <summary>
        /// The test job's inputs of the old pipeline when the parameters are not given: ODOO_MODULES_TO_TEST (comma or
        /// space separated), ODOO_DB_NAME, and TEST_REPORTS_OUTPUT_DIR (the JUnit file lands there).
        /// </summary>
        private void ApplyJobSettings()
        {
            if (_modules.Count == 0 && GlobalSetting("TestModules") is string modules)
                _modules.AddRange(modules.Split(new[] { ',', ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(m => m.Trim()));
            if (Database == null && GlobalSetting("TestDatabase") is string database && database.Length > 0)
            {
                if (!System.Text.RegularExpressions.Regex.IsMatch(database, @"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"))
                    throw new DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidData, $"ODOO_DB_NAME '{database}' is not a database name (letters, digits, _ . -).", "TestDatabase");
                Database = database;
            }
            if (JUnitPath == null && GlobalSetting("TestReportsDir") is string reports && reports.Length > 0)
                JUnitPath = System.IO.Path.Combine(reports, "junit-odoo.xml");
        }

        /// <summary>Names from a string, an OdooAddonPackage (also deserialized) or an OdooAddon.</summary>
        internal static IEnumerable<string> ModuleNames(object? item)
        {
            object? value = item is PSObject ps ? ps.BaseObject : item;
            switch (value)
            {
                case null: yield break;
                case string s:
                    foreach (string n in s.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries)) yield return n.Trim();
                    yield break;
                case OdooAddonPackage package:
                    foreach (OdooAddon a in package.Addons) yield return a.Name;
                    yield break;
                case OdooAddon addon:
                    yield return addon.Name;
                    yield break;
            }
            if (item is PSObject pso && pso.Properties["Addons"]?.Value is object addons)
            {
                foreach (object a in LanguagePrimitives.GetEnumerable(addons) ?? new object[0])
                    if ((a is PSObject ap ? ap.Properties["Name"]?.Value : null) is object name) yield return name.ToString()!;
                yield break;
            }
            throw new DeployException(ErrorIds.OdooTestBadModule, ErrorKind.InvalidArgument,
                $"-Module takes module names or an addon package from New-OdooAddonPackage, not {value.GetType().FullName}", value);
        }

        protected override void End()
        {
            ApplyJobSettings();
            IOdooCommandRunner runner;
            System.IDisposable? docker = null;
            switch (ParameterSetName)
            {
                case "Environment":
                    var config = ResolveConfiguration(Environment, ConfigurationPath);
                    runner = new TransportOdooCommandRunner(InfluenceGen.Deploy.Deploy.DeploySettings.TransportFor(config, CurrentDirectory));
                    docker = (System.IDisposable)runner;
                    break;
                case "Container":
                    string host = DockerHost ?? Job.DockerHost ?? "unix:///var/run/docker.sock";
                    if (!Uri.TryCreate(host, UriKind.Absolute, out Uri? uri))
                        throw new DeployException(ErrorIds.OdooTestBadDockerHost, ErrorKind.InvalidArgument, $"-DockerHost '{host}' is not a URI (unix:///var/run/docker.sock, tcp://host:2375)", host);
                    var exec = new DockerExecOdooCommandRunner(uri, Container, ContainerUser);
                    runner = exec;
                    docker = exec;
                    break;
                case "Runner":
                    runner = Runner;
                    break;
                default:
                    runner = new LocalOdooCommandRunner(CurrentDirectory);
                    break;
            }
            // A password on Odoo's command line (better: the config file or PGPASSWORD) never reaches our output.
            for (int i = 0; i < ExtraArgument.Length; i++)
            {
                string a = ExtraArgument[i];
                if ((a == "-w" || a == "--db_password") && i + 1 < ExtraArgument.Length) Resolver.RegisterSecret(ExtraArgument[i + 1]);
                else if (a.StartsWith("--db_password=", StringComparison.Ordinal)) Resolver.RegisterSecret(a.Substring("--db_password=".Length));
            }
            try
            {
                var request = new OdooTestRequest
                {
                    Modules = _modules.Distinct().ToList(),
                    TestTags = TestTags,
                    OdooBin = OdooBin,
                    ConfigPath = OdooConfigPath != null && ParameterSetName == "Local" ? ResolveOutputPath(OdooConfigPath) : OdooConfigPath,
                    Database = Database,
                    KeepDatabase = KeepDatabase,
                    DropCommand = DropCommand,
                    LogLevel = LogLevel,
                    ExtraArguments = ExtraArgument,
                    Timeout = TimeSpan.FromSeconds(TimeoutSec),
                    LogPath = LogPath != null ? ResolveOutputPath(LogPath) : null,
                    JUnitPath = JUnitPath != null ? ResolveOutputPath(JUnitPath) : null,
                };
                if (!ShouldProcess($"Odoo tests of {string.Join(", ", request.Modules)} on {runner.Description} in a throw-away database{(KeepDatabase ? " (kept)" : string.Empty)}", "Run Odoo tests?", "Invoke-OdooUnitTest"))
                    return;
                var service = new OdooTestService(runner);
                OdooTestRunResult result = Run("Odoo tests", (log, ct) => service.RunAsync(request, log, ct));
                foreach (string note in result.Notes) Warning(note);
                if (PassThru) foreach (OdooTestCaseResult t in result.TestCases) WriteObject(t);
                else WriteObject(result);
                // The run itself completed: red tests are a non-terminating error after the results, so
                // -ErrorAction decides (SilentlyContinue keeps the objects, Stop throws) and `pwsh -c` exits 1.
                if (!result.Success) ReportError(OdooTestService.ToFailure(result));
            }
            finally
            {
                docker?.Dispose();
            }
        }
    }
}
