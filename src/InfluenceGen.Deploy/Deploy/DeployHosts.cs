using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>
    /// One Odoo server of an environment as configured: an entry of <c>OdooSshHost</c> (<c>[user@]host[:port]</c>,
    /// comma-separated) or of the environments file's <c>Hosts</c> array (a host name, or an object whose fields
    /// override the environment's: Host, Port, User, HostKey, KnownHosts, DeployRoot, HttpPort, HealthUrl).
    /// </summary>
    public sealed class HostSpec
    {
        public string Host { get; set; } = string.Empty;
        public int? Port { get; set; }
        public string? User { get; set; }
        public string? HostKey { get; set; }
        public string? KnownHosts { get; set; }
        public string? DeployRoot { get; set; }
        public int? HttpPort { get; set; }
        public string? HealthUrl { get; set; }

        internal static readonly string[] Fields = { "Host", "Port", "User", "HostKey", "KnownHosts", "DeployRoot", "HttpPort", "HealthUrl" };

        /// <summary>The hosts of an environment: <c>Hosts</c> when set, else the comma-separated <c>OdooSshHost</c>.</summary>
        public static IReadOnlyList<HostSpec> From(DeployConfiguration config)
        {
            if (config.Get("Hosts") is string json && json.Trim().Length > 0) return ParseJson(json, "Hosts of " + config.Environment);
            string hosts = config.Require("OdooSshHost");
            var list = hosts.Split(',').Select(h => h.Trim()).Where(h => h.Length > 0).Select(h => ParseShort(h, "OdooSshHost of " + config.Environment)).ToList();
            if (list.Count == 0) throw Invalid("OdooSshHost of " + config.Environment, $"'{hosts}' names no host", "OdooSshHost");
            return list;
        }

        /// <summary><c>[user@]host[:port]</c>.</summary>
        internal static HostSpec ParseShort(string text, string where)
        {
            var spec = new HostSpec();
            string rest = text;
            int at = rest.LastIndexOf('@');
            if (at >= 0) { spec.User = rest.Substring(0, at); rest = rest.Substring(at + 1); }
            int colon = rest.LastIndexOf(':');
            if (colon > 0 && rest.IndexOf(':') == colon)
            {
                if (!int.TryParse(rest.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
                    throw Invalid(where, $"'{text}': '{rest.Substring(colon + 1)}' is not a port", "OdooSshHost");
                spec.Port = port; rest = rest.Substring(0, colon);
            }
            if (rest.Length == 0 || rest.Any(char.IsWhiteSpace) || spec.User?.Length == 0) throw Invalid(where, $"'{text}' is not [user@]host[:port]", "OdooSshHost");
            spec.Host = rest;
            return spec;
        }

        /// <summary>The JSON array of the <c>Hosts</c> setting (the environments file checked its shape with line numbers already;
        /// a CI variable is checked here).</summary>
        internal static IReadOnlyList<HostSpec> ParseJson(string json, string where)
        {
            JToken token;
            try { token = JToken.Parse(json); }
            catch (JsonException ex) { throw Invalid(where, "not a JSON array of hosts: " + ex.Message, "Hosts"); }
            string? problem = Check(token, out _);
            if (problem != null) throw Invalid(where, problem, "Hosts");
            return ((JArray)token).Select(e => e.Type == JTokenType.String ? ParseShort((string)e!, where) : FromObject((JObject)e)).ToList();
        }

        /// <summary>Why a Hosts value is not an array of hosts (null when it is), and the token at fault (the environments
        /// file names its line).</summary>
        internal static string? Check(JToken token, out JToken at)
        {
            at = token;
            if (!(token is JArray array) || array.Count == 0) return "\"Hosts\" must be a non-empty array of hosts (\"host\", \"user@host:port\" or {\"Host\": …})";
            foreach (JToken e in array)
            {
                at = e;
                if (e.Type == JTokenType.String) continue;
                if (!(e is JObject o)) return "each host is a string or an object";
                foreach (JProperty p in o.Properties())
                {
                    at = p;
                    if (!Fields.Contains(p.Name, StringComparer.OrdinalIgnoreCase)) return $"unknown host field \"{p.Name}\" (known: {string.Join(", ", Fields)})";
                    bool number = p.Name.Equals("Port", StringComparison.OrdinalIgnoreCase) || p.Name.Equals("HttpPort", StringComparison.OrdinalIgnoreCase);
                    if (number && p.Value.Type != JTokenType.Integer) return $"\"{p.Name}\" must be a whole number";
                    if (!number && p.Value.Type != JTokenType.String) return $"\"{p.Name}\" must be a string";
                }
                at = e;
                if (!(o.Properties().FirstOrDefault(p => p.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))?.Value is JValue h) || string.IsNullOrWhiteSpace((string?)h))
                    return "a host object needs \"Host\"";
                if (o.Properties().FirstOrDefault(p => p.Name.Equals("DeployRoot", StringComparison.OrdinalIgnoreCase))?.Value is JValue root && !((string?)root ?? "").StartsWith("/", StringComparison.Ordinal))
                    return "\"DeployRoot\" must be an absolute path on the host";
                if (o.Properties().FirstOrDefault(p => p.Name.Equals("HealthUrl", StringComparison.OrdinalIgnoreCase))?.Value is JValue url
                    && !(Uri.TryCreate((string?)url, UriKind.Absolute, out Uri? u) && (u.Scheme == "http" || u.Scheme == "https")))
                    return $"\"HealthUrl\" '{url}' is not an absolute http(s) URL";
            }
            return null;
        }

        private static HostSpec FromObject(JObject o)
        {
            string? S(string name) => (string?)o.Properties().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
            int? I(string name) => (int?)o.Properties().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;
            return new HostSpec
            {
                Host = S("Host")!, Port = I("Port"), User = S("User"), HostKey = S("HostKey"), KnownHosts = S("KnownHosts"),
                DeployRoot = S("DeployRoot")?.TrimEnd('/'), HttpPort = I("HttpPort"), HealthUrl = S("HealthUrl"),
            };
        }

        private static DeployException Invalid(string where, string why, string setting)
            => new DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidData, $"{where}: {why}", setting);

        /// <summary>The environment's settings as they hold on this host: its deploy root, HTTP port and health URL.
        /// Without its own HealthUrl, a host's health URL is the environment's with the host name replaced by this
        /// host's (and the port by its HttpPort): a load balancer's URL would not prove THIS server healthy.</summary>
        internal DeploySettings Apply(DeploySettings environment, bool several)
        {
            DeploySettings s = environment.Copy();
            if (DeployRoot != null) s.Root = DeployRoot;
            if (HttpPort != null) s.HttpPort = HttpPort;
            if (HealthUrl != null) s.HealthUrl = HealthUrl;
            else if ((several || HttpPort != null) && environment.HealthUrl != null && Uri.TryCreate(environment.HealthUrl, UriKind.Absolute, out Uri? u))
            {
                var b = new UriBuilder(u) { Host = Host };
                if (HttpPort != null) b.Port = HttpPort.Value;
                s.HealthUrl = b.Uri.ToString().TrimEnd('/');
            }
            return s;
        }
    }

    /// <summary>One Odoo server of a deploy: its transport and the environment's settings as they hold on it.</summary>
    public sealed class DeployHost
    {
        public DeployHost(ITargetTransport transport, HostSpec spec) { Transport = transport; Spec = spec; }
        public ITargetTransport Transport { get; }
        public HostSpec Spec { get; }
        /// <summary>user@host:port, as errors and the ledger name the host.</summary>
        public string Name => Transport.Description;
    }

    /// <summary>What one host answered to a step run on several: a value, or the exception.</summary>
    internal sealed class HostResult<T>
    {
        public HostResult(DeployHost host, T value, Exception? error) { Host = host; Value = value; Error = error; }
        public DeployHost Host { get; }
        public T Value { get; }
        public Exception? Error { get; }
    }

    /// <summary>
    /// The Odoo servers of an environment. As a transport it is the first ("primary") host, where what runs once
    /// runs (database decisions, backup, <c>-i/-u</c>, Backup-/Restore-OdooDatabase); <see cref="RunAllAsync{T}"/> runs
    /// one piece of work on every host with bounded parallelism and collects each host's result. One host = no group
    /// (<see cref="DeploySettings.TransportFor"/> returns that host's transport, as before).
    /// </summary>
    public sealed class HostGroup : ITargetTransport, IStreamingTransport
    {
        public HostGroup(IReadOnlyList<DeployHost> hosts, int maxParallel = 8)
        {
            if (hosts.Count == 0) throw new ArgumentException("no hosts", nameof(hosts));
            Hosts = hosts; MaxParallel = Math.Max(1, maxParallel);
        }

        public IReadOnlyList<DeployHost> Hosts { get; }
        public DeployHost Primary => Hosts[0];
        public int MaxParallel { get; }

        public string Description => Primary.Name + $" (+{Hosts.Count - 1} host{(Hosts.Count == 2 ? "" : "s")})";
        public int RoundTrips => Hosts.Sum(h => h.Transport.RoundTrips);

        public Task<CommandResult> RunAsync(string command, string? stdin, CancellationToken cancellationToken) => Primary.Transport.RunAsync(command, stdin, cancellationToken);
        public Task UploadAsync(Stream content, string remotePath, IProgress<long>? progress, CancellationToken cancellationToken) => Primary.Transport.UploadAsync(content, remotePath, progress, cancellationToken);
        public Task<byte[]?> ReadFileAsync(string remotePath, CancellationToken cancellationToken) => Primary.Transport.ReadFileAsync(remotePath, cancellationToken);

        public Task<CommandResult> RunStreamingAsync(string command, string? stdin, Func<Stream, Task> consume, CancellationToken cancellationToken)
            => Primary.Transport is IStreamingTransport s ? s.RunStreamingAsync(command, stdin, consume, cancellationToken)
                : throw new NotSupportedException($"{Primary.Name} cannot stream");

        /// <summary>Runs <paramref name="work"/> on each of <paramref name="hosts"/> (default: all), at most
        /// <see cref="MaxParallel"/> at a time; never throws for a host's failure (it is that host's result).</summary>
        internal async Task<List<HostResult<T>>> RunAllAsync<T>(Func<DeployHost, CancellationToken, Task<T>> work, CancellationToken ct, IEnumerable<DeployHost>? hosts = null)
        {
            List<DeployHost> targets = (hosts ?? Hosts).ToList();
            EnsurePoolThreads(Math.Min(targets.Count, MaxParallel));
            using var gate = new SemaphoreSlim(MaxParallel);
            var tasks = targets.Select(async h =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                // on the thread pool: a transport's connect is synchronous, and hosts must connect at the same time
                try { return new HostResult<T>(h, await Task.Run(() => work(h, ct), ct).ConfigureAwait(false), null); }
                catch (Exception ex) { return new HostResult<T>(h, default!, ex); }
                finally { gate.Release(); }
            }).ToList();
            return (await Task.WhenAll(tasks).ConfigureAwait(false)).ToList();
        }

        /// <summary>Opens the other hosts' SSH connections while the primary is being locked (a handshake per host; their
        /// lock then costs one round trip). The SFTP connections open at once in the upload, when there is one to do.
        /// Failures are left to the step that needs the host, which names it.</summary>
        /// <summary>
        /// SSH.NET connects and waits for a command's end synchronously, so every host in flight holds a thread-pool thread
        /// (two on a two-core runner by default) and the pool adds more only about twice a second: four hosts took 1.6 s to
        /// lock instead of one round trip. Raises the pool's minimum (never lowers it) so each host in flight has a thread.
        /// </summary>
        private static void EnsurePoolThreads(int hostsInFlight)
        {
            ThreadPool.GetMinThreads(out int workers, out int io);
            int wanted = Environment.ProcessorCount + 2 * hostsInFlight;
            if (workers < wanted) ThreadPool.SetMinThreads(wanted, io);
        }

        public void Dispose()
        {
            foreach (DeployHost h in Hosts) h.Transport.Dispose();
        }
    }

    /// <summary>A log whose lines name the host they are about (several hosts work at once).</summary>
    internal sealed class HostLog : IDeployLog
    {
        private readonly IDeployLog _inner; private readonly string _host;
        public HostLog(IDeployLog inner, string host) { _inner = inner; _host = host; }
        public void Verbose(string message) => _inner.Verbose($"[{_host}] {message}");
        public void Warning(string message) => _inner.Warning($"[{_host}] {message}");
        public void Progress(string activity, string status, int percent) => _inner.Progress(activity, $"{_host}: {status}", percent);
    }
}
