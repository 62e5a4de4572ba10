using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.Odoo;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Deploy
{
    /// <summary>Variables exported by tests/setup/20-sshd.sh and 21-postgres.sh.</summary>
    public static class TestServers
    {
        public static string Need(string name) => Environment.GetEnvironmentVariable(name) is string v && v.Length > 0
            ? v : throw new InvalidOperationException($"{name} is not set: run tests/run.sh (it starts the real sshd and PostgreSQL these tests use)");
        public static string SshHost => Need("SSH_TEST_HOST");
        /// <summary>SSH host n of the several-hosts tests: 1 = 20-sshd.sh's, 2 and 3 = tests/setup/23-sshd-hosts.sh's
        /// (own sshd, port, user and home each).</summary>
        public static TestHost Host(int n) => n == 1
            ? new TestHost(SshPort, SshUser, SshHome, Fingerprint)
            : new TestHost(int.Parse(Need($"SSH_TEST_HOST{n}_PORT")), Need($"SSH_TEST_HOST{n}_USER"), Need($"SSH_TEST_HOST{n}_HOME"), Need($"SSH_TEST_HOST{n}_HOST_KEY_FINGERPRINT"));
        public static int SshPort => int.Parse(Need("SSH_TEST_PORT"));
        public static string SshUser => Need("SSH_TEST_USER");
        public static string SshHome => Need("SSH_TEST_HOME");
        public static string SshKey => Need("SSH_TEST_KEY");
        public static string Fingerprint => Need("SSH_TEST_HOST_KEY_FINGERPRINT");
        public static string PgPort => Need("PG_TEST_PORT");
        public static string PgUser => Need("PG_TEST_USER");
        public static string PgPassword => Need("PG_TEST_PASSWORD");
        /// <summary>The second cluster (tests/setup/22-postgres-production.sh) that plays production's server.</summary>
        public static string PgProdPort => Need("PG_PROD_TEST_PORT");
        public static string PgProdPassword => Need("PG_PROD_TEST_PASSWORD");

        public static (int code, string output) Sh(string command, IDictionary<string, string>? env = null)
        {
            var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c"); psi.ArgumentList.Add(command);
            if (env != null) foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
            using var p = Process.Start(psi)!;
            p.StandardInput.Close();
            string o = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, o);
        }
    }

    /// <summary>One real sshd "host" on 127.0.0.1 (its own port, user, home and host key).</summary>
    public sealed record TestHost(int Port, string User, string Home, string Fingerprint)
    {
        public string Name => $"{User}@127.0.0.1:{Port}";
    }

    /// <summary>
    /// One deploy target for a test: a fresh database with Odoo's minimal tables in the real PostgreSQL,
    /// a deploy root and the stand-in odoo in the SSH user's home, a free port for the stand-in web server.
    /// </summary>
    public sealed class DeployTarget : IDisposable
    {
        public DeployTarget(string environment = "staging", bool productionCluster = false, TestHost? host = null, DeployTarget? shareDatabaseOf = null)
        {
            PgPort = productionCluster ? TestServers.PgProdPort : TestServers.PgPort;
            PgPassword = productionCluster ? TestServers.PgProdPassword : TestServers.PgPassword;
            Id = Guid.NewGuid().ToString("N").Substring(0, 10);
            Host = host ?? TestServers.Host(1);
            _ownsDatabase = shareDatabaseOf == null;
            Database = shareDatabaseOf?.Database ?? "igt_" + Id;
            Dir = Path.Combine(Host.Home, "t-" + Id);
            State = Dir + "/state";
            Port = FreePort();
            Directory.CreateDirectory(State);
            foreach (string f in new[] { "odoo", "odoo-http", "odoo-restart", "odoo-stop" })
                File.Copy(Path.Combine(Repo.Root, "tests", "unit", "Deploy", "standin", f), Path.Combine(Dir, f));
            Check(TestServers.Sh($"chmod 755 {Dir}/odoo {Dir}/odoo-http {Dir}/odoo-restart {Dir}/odoo-stop && chown -R {Host.User} {Dir}"));
            if (_ownsDatabase) CreateDatabase();
            Settings = new DeploySettings
            {
                Environment = environment,
                Root = Dir + "/root",
                Database = Database,
                DatabaseHost = "127.0.0.1",
                DatabasePort = int.Parse(PgPort),
                DatabaseUser = TestServers.PgUser,
                DatabasePassword = PgPassword,
                Runtime = "command",
                OdooCommand = $"IG_STANDIN_STATE={State} {Dir}/odoo --addons-path={{current}}",
                RestartCommand = $"IG_STANDIN_STATE={State} {Dir}/odoo-restart {Port} --addons-path={{current}}",
                StopCommand = $"IG_STANDIN_STATE={State} {Dir}/odoo-stop",
                HealthUrl = $"http://127.0.0.1:{Port}",
                HealthTimeout = TimeSpan.FromSeconds(3),
                BackupBeforeUpgrade = true,
                KeepReleases = 3,
                RequireChangeApproval = environment == "production",
            };
        }

        private readonly bool _ownsDatabase;

        /// <summary>The sshd "host" this target's root lives on.</summary>
        public TestHost Host { get; }

        private void CreateDatabase()
        {
            Psql("postgres", $"create database {Database}");
            Psql(Database, "create table ir_module_module (id serial primary key, name varchar not null unique, state varchar, latest_version varchar);" +
                           "create table ir_config_parameter (id serial primary key, key varchar not null unique, value text);" +
                           "create table res_lang (id serial primary key, code varchar not null unique, active boolean);" +
                           "insert into res_lang (code, active) values ('en_US', true), ('fr_FR', false), ('de_DE', true);" +
                           "insert into ir_module_module (name, state, latest_version) values ('base', 'installed', '17.0.1.3');");
        }

        public string Id { get; }
        /// <summary>The PostgreSQL cluster of this target (the first, or the second that plays production).</summary>
        public string PgPort { get; }
        public string PgPassword { get; }
        public string Database { get; }
        public string Dir { get; }
        public string State { get; }
        public int Port { get; }
        public DeploySettings Settings { get; }
        public string Root => Settings.Root;

        /// <summary>This target as an environment of an environments file, JSON (no secrets: those travel as CI variables),
        /// with <paramref name="extra"/> settings appended.</summary>
        public string EnvironmentEntry(string extra = "")
        {
            DeploySettings s = Settings;
            return $$"""
                {
                  "OdooSshHost": "{{TestServers.SshHost}}", "OdooSshPort": {{TestServers.SshPort}}, "OdooSshUser": "{{TestServers.SshUser}}",
                  "OdooSshHostKey": "{{TestServers.Fingerprint}}",
                  "DeployRoot": "{{s.Root}}", "OdooDatabase": "{{s.Database}}", "OdooDatabaseHost": "127.0.0.1", "OdooDatabasePort": {{s.DatabasePort}},
                  "OdooDatabaseUser": "{{s.DatabaseUser}}", "OdooRuntime": "command",
                  "OdooCommand": "{{s.OdooCommand}}", "RestartCommand": "{{s.RestartCommand}}", "StopCommand": "{{s.StopCommand}}", "HealthUrl": "{{s.HealthUrl}}"{{(extra.Length > 0 ? ", " + extra : "")}}
                }
                """;
        }

        public SshTransport Ssh() => new SshTransport(new SshTarget
        {
            Host = TestServers.SshHost, Port = Host.Port, User = Host.User,
            PrivateKey = TestServers.SshKey, HostKeyFingerprint = Host.Fingerprint,
        });

        public DeployService Service(ITargetTransport transport, IChangeGate? gate = null, INotifier? notifier = null)
            => new DeployService(transport, Settings, gate, notifier) { HealthInterval = TimeSpan.FromMilliseconds(300) };

        public void FailAt(string? step)
        {
            string f = Path.Combine(State, "FAIL_AT");
            if (step == null) File.Delete(f); else File.WriteAllText(f, step);
        }

        /// <summary>The newest target job's folder (by the pid file's time), or null.</summary>
        public string? JobDir => Directory.Exists(Root + "/jobs")
            ? Directory.GetDirectories(Root + "/jobs").OrderBy(d => File.Exists(d + "/pid") ? File.GetLastWriteTimeUtc(d + "/pid") : DateTime.MaxValue).LastOrDefault()
            : null;

        /// <summary>The progress file of the newest target job ("" when none).</summary>
        public string JobProgress
        {
            get
            {
                string? dir = JobDir;
                try { return dir != null && File.Exists(dir + "/progress.log") ? File.ReadAllText(dir + "/progress.log") : string.Empty; }
                catch (IOException) { return string.Empty; }
            }
        }

        /// <summary>Waits until no target job runs (every job folder has its done file); false on timeout.</summary>
        public bool WaitJobsDone(TimeSpan timeout)
        {
            DateTime end = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < end)
            {
                if (!Directory.Exists(Root + "/jobs") || Directory.GetDirectories(Root + "/jobs").All(d => File.Exists(d + "/done"))) return true;
                Thread.Sleep(100);
            }
            return false;
        }

        public int OdooCalls => File.Exists(Path.Combine(State, "calls.log")) ? File.ReadAllLines(Path.Combine(State, "calls.log")).Length : 0;
        public string? Current => File.Exists(Root + "/current") || Directory.Exists(Root + "/current") ? new FileInfo(Root + "/current").LinkTarget : null;
        public bool Locked => File.Exists(Root + "/.lock");
        public string[] LedgerLines => File.Exists(Root + "/deployments.jsonl") ? File.ReadAllLines(Root + "/deployments.jsonl") : Array.Empty<string>();
        public DeploymentRecord LastEntry => DeploymentLedger.Parse(string.Join("\n", LedgerLines), true).Last();

        /// <summary>name -> state/latest_version, as Odoo would see it.</summary>
        public Dictionary<string, string> Modules()
            => Psql(Database, "select name || '=' || state || '/' || coalesce(latest_version, '') from ir_module_module where name <> 'base' order by name")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split('=')[0], l => l.Split('=')[1]);

        public string StoredChecksums => Psql(Database, "select value from ir_config_parameter where key = 'module_auto_update.installed_checksums'").Trim();

        public string Psql(string db, string sql)
        {
            var (code, output) = TestServers.Sh($"psql -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {PgPort} -U {TestServers.PgUser} -d {db} -c \"$SQL\"",
                new Dictionary<string, string> { ["PGPASSWORD"] = PgPassword, ["SQL"] = sql });
            if (code != 0) throw new InvalidOperationException("psql failed: " + output);
            return output;
        }

        private static void Check((int code, string output) r)
        {
            if (r.code != 0) throw new InvalidOperationException(r.output);
        }

        private static int FreePort()
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start(); int p = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; l.Stop(); return p;
        }

        public void Dispose()
        {
            try { if (File.Exists(State + "/http.pid")) TestServers.Sh($"kill $(cat {State}/http.pid) 2>/dev/null"); } catch { }
            try { TestServers.Sh($"umount {Root} 2>/dev/null; true"); } catch { }
            if (_ownsDatabase) try { Psql("postgres", $"drop database if exists {Database} with (force)"); } catch { }
            try { Directory.Delete(Dir, true); } catch { }
        }
    }

    /// <summary>Generated addons and packages built with the module's own builder.</summary>
    public sealed class AddonSet : IDisposable
    {
        private readonly TempDir _dir = new TempDir("igaddons");

        public AddonSet(int count, string prefix = "ig_gen")
        {
            Names = Enumerable.Range(1, count).Select(i => $"{prefix}_{i:00}").ToArray();
            foreach (string n in Names) Write(n, "1.0.0", "# v1\n");
        }

        public string[] Names { get; }
        public string Folder => _dir.Path;

        /// <summary>Extra dependencies of an addon (besides base), used by the next Write of it.</summary>
        public Dictionary<string, string> DependsOn { get; } = new Dictionary<string, string>();

        public void Write(string name, string version, string code, string? extraFile = null, string? extraContent = null)
        {
            string depends = DependsOn.TryGetValue(name, out string? d) ? $"'base', '{d}'" : "'base'";
            _dir.Write($"{name}/__manifest__.py", $"{{'name': '{name}', 'version': '17.0.{version}', 'depends': [{depends}], 'license': 'LGPL-3', 'installable': True}}\n");
            _dir.Write($"{name}/__init__.py", "from . import models\n");
            _dir.Write($"{name}/models/__init__.py", code);
            _dir.Write($"{name}/i18n/fr.po", "msgid \"x\"\nmsgstr \"y\"\n");
            _dir.Write($"{name}/i18n/de.po", "msgid \"x\"\nmsgstr \"z\"\n");
            if (extraFile != null) _dir.Write($"{name}/{extraFile}", extraContent ?? "");
        }

        public string Build(string fileName)
        {
            var builder = new AddonPackageBuilder();
            var plan = builder.Plan(new AddonPackageRequest { Paths = new[] { Folder } }, NullDeployLog.Instance);
            string outFile = Path.Combine(_dir.Path, "..", _dir.Path + "-" + fileName);
            OdooAddonPackage pkg = builder.WriteAsync(plan, outFile, NullDeployLog.Instance, CancellationToken.None).GetAwaiter().GetResult();
            return pkg.Path;
        }

        public void Dispose() => _dir.Dispose();
    }

    /// <summary>Records what a service says, for secret scans.</summary>

    public sealed class RecordingNotifier : INotifier
    {
        public List<DeployNotice> Notices { get; } = new List<DeployNotice>();
        public Task SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken) { Notices.Add(notice); return Task.CompletedTask; }
    }

    /// <summary>A transport wrapper for fault injection.</summary>
    public sealed class FaultyTransport : ITargetTransport
    {
        private readonly ITargetTransport _inner;
        public FaultyTransport(ITargetTransport inner) { _inner = inner; }
        public Func<Stream, Stream>? WrapUpload { get; set; }
        /// <summary>Called with each script before it is sent (fault injection at a given step).</summary>
        public Action<string>? OnScript { get; set; }
        /// <summary>Called with each script once the target answered it.</summary>
        public Action<string>? AfterScript { get; set; }
        public string Description => _inner.Description;
        public int RoundTrips => _inner.RoundTrips;
        public async Task<CommandResult> RunAsync(string command, string? stdin, CancellationToken ct)
        {
            if (stdin != null) OnScript?.Invoke(stdin);
            CommandResult r = await _inner.RunAsync(command, stdin, ct);
            if (stdin != null) AfterScript?.Invoke(stdin);
            return r;
        }
        public Task UploadAsync(Stream content, string remotePath, IProgress<long>? progress, CancellationToken ct)
            => _inner.UploadAsync(WrapUpload == null ? content : WrapUpload(content), remotePath, progress, ct);
        public Task<byte[]?> ReadFileAsync(string remotePath, CancellationToken ct) => _inner.ReadFileAsync(remotePath, ct);
        public void Dispose() => _inner.Dispose();
    }

    /// <summary>A read-only stream that runs an action once <paramref name="after"/> bytes were read, or flips one byte.</summary>
    public sealed class TrapStream : Stream
    {
        private readonly Stream _inner; private readonly long _after; private readonly Action? _action; private readonly bool _flip;
        private long _pos; private bool _fired;
        public TrapStream(Stream inner, long after, Action? action, bool flip = false) { _inner = inner; _after = after; _action = action; _flip = flip; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_fired && _pos >= _after && _action != null) { _fired = true; _action(); }
            int n = _inner.Read(buffer, offset, count);
            if (_flip && !_fired && n > 0 && _pos + n > _after) { buffer[offset + (int)(_after - _pos)] ^= 0xFF; _fired = true; }
            _pos += n;
            return n;
        }
        public override bool CanRead => true; public override bool CanSeek => false; public override bool CanWrite => false;
        public override long Length => _inner.Length; public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
