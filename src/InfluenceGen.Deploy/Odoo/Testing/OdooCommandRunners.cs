using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace InfluenceGen.Deploy.Odoo.Testing
{
    /// <summary>
    /// Where an Odoo command runs: runs <c>argv</c> (argv[0] = the program) to its end, hands every
    /// line it writes on stdout or stderr to <c>onLine</c> as it comes, and returns the exit code.
    /// Cancelling the token stops the command and throws <see cref="OperationCanceledException"/>.
    /// Implementations: <see cref="LocalOdooCommandRunner"/> (a process on this machine, e.g. inside
    /// the Odoo build image of the pipeline), <see cref="DockerExecOdooCommandRunner"/> (docker exec in
    /// a running container through the Engine API). An SSH implementation belongs with the SSH
    /// transport of Deploy-InfluenceGen (Infrastructure/Ssh*) and is passed with -Runner.
    /// </summary>
    public interface IOdooCommandRunner
    {
        /// <summary>Where the command runs, for messages (no secrets).</summary>
        string Description { get; }
        Task<int> RunAsync(IReadOnlyList<string> argv, Action<string> onLine, CancellationToken cancellationToken);
        /// <summary>An HTTP port for a test run of Odoo where the command runs, so it never binds the configuration's
        /// http_port (the running Odoo's): free now on this machine, found free on the target, or a random high one
        /// inside a container.</summary>
        Task<int> FreeHttpPortAsync(CancellationToken cancellationToken);
    }

    internal static class HttpPorts
    {
        private static readonly Random Rng = new Random();
        /// <summary>A random port in 20000–60999 (above the usual services, below Linux's ephemeral range).</summary>
        public static int RandomHigh() { lock (Rng) return Rng.Next(20000, 61000); }
    }

    /// <summary>
    /// Command lines for runners that take one shell command string (an SSH exec channel runs the remote
    /// user's shell): each argument single-quoted for a POSIX shell, so none is ever interpreted.
    /// </summary>
    public static class PosixShell
    {
        public static string Quote(string arg)
        {
            if (arg.Length > 0 && System.Text.RegularExpressions.Regex.IsMatch(arg, @"^[A-Za-z0-9_@%+=:,./\-]+$")) return arg;
            return "'" + arg.Replace("'", "'\\''") + "'";
        }

        public static string Join(IEnumerable<string> argv) => string.Join(" ", argv.Select(Quote));
    }

    /// <summary>Runs the command as a child process of this one.</summary>
    public sealed class LocalOdooCommandRunner : IOdooCommandRunner
    {
        private readonly string? _workingDirectory;
        private readonly IReadOnlyDictionary<string, string>? _environment;

        public LocalOdooCommandRunner(string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
        {
            _workingDirectory = workingDirectory;
            _environment = environment;
        }

        public string Description => "this machine";

        public Task<int> FreeHttpPortAsync(CancellationToken cancellationToken)
        {
            var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            try { return Task.FromResult(((System.Net.IPEndPoint)l.LocalEndpoint).Port); }
            finally { l.Stop(); }
        }

        public async Task<int> RunAsync(IReadOnlyList<string> argv, Action<string> onLine, CancellationToken cancellationToken)
        {
            if (argv.Count == 0) throw new ArgumentException("no command", nameof(argv));
            var psi = new ProcessStartInfo(argv[0], string.Join(" ", argv.Skip(1).Select(QuoteArgument)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
                StandardOutputEncoding = new UTF8Encoding(false),
                StandardErrorEncoding = new UTF8Encoding(false),
            };
            if (_workingDirectory != null) psi.WorkingDirectory = _workingDirectory;
            if (_environment != null) foreach (var kv in _environment) psi.Environment[kv.Key] = kv.Value;

            var gate = new object();
            var outDone = new TaskCompletionSource<bool>();
            var errDone = new TaskCompletionSource<bool>();
            using var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) => { if (e.Data == null) outDone.TrySetResult(true); else lock (gate) onLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data == null) errDone.TrySetResult(true); else lock (gate) onLine(e.Data); };
            var exited = new TaskCompletionSource<bool>();
            process.Exited += (_, __) => exited.TrySetResult(true);
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new FileNotFoundException($"cannot start '{argv[0]}': {ex.Message}", argv[0], ex);
            }
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (process.HasExited) exited.TrySetResult(true);

            var cancelled = new TaskCompletionSource<bool>();
            using (cancellationToken.Register(() => cancelled.TrySetResult(true)))
            {
                Task first = await Task.WhenAny(exited.Task, cancelled.Task).ConfigureAwait(false);
                if (first == cancelled.Task && !process.HasExited)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    process.WaitForExit(10_000);
                    // A grandchild may still hold the pipes: do not wait for their end beyond a moment.
                    await Task.WhenAny(Task.WhenAll(outDone.Task, errDone.Task), Task.Delay(2000)).ConfigureAwait(false);
                    throw new OperationCanceledException(cancellationToken);
                }
            }
            // Exited has fired; the pipes may stay open if Odoo left a child behind: bounded waits only.
            process.WaitForExit(10_000);
            await Task.WhenAny(Task.WhenAll(outDone.Task, errDone.Task), Task.Delay(10_000)).ConfigureAwait(false);
            return process.ExitCode;
        }

        /// <summary>Quotes one argument so that the child's argv gets it unchanged (the rules .NET applies
        /// to ProcessStartInfo.Arguments on every platform).</summary>
        public static string QuoteArgument(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"', '\\' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') { sb.Append('\\', backslashes * 2 + 1); sb.Append('"'); backslashes = 0; continue; }
                sb.Append('\\', backslashes); backslashes = 0;
                sb.Append(c);
            }
            sb.Append('\\', backslashes * 2);
            sb.Append('"');
            return sb.ToString();
        }
    }

    /// <summary>
    /// Runs the command in an existing container with the Docker Engine API's exec (attached, no TTY:
    /// stdout and stderr arrive multiplexed and are split into lines each), then reads the exit code
    /// from the exec's inspect. Endpoints: unix:///path (Docker.DotNet.Unix), tcp://host:port.
    /// </summary>
    public sealed class DockerExecOdooCommandRunner : IOdooCommandRunner, IDisposable
    {
        private readonly DockerClient _client;
        private readonly string _container;
        private readonly string? _user;
        private readonly string? _workingDirectory;

        public DockerExecOdooCommandRunner(Uri dockerHost, string container, string? user = null, string? workingDirectory = null)
        {
            _client = new DockerClientBuilder().WithEndpoint(dockerHost).Build();
            _container = container;
            _user = user;
            _workingDirectory = workingDirectory;
            DockerHost = dockerHost;
        }

        public Uri DockerHost { get; }
        public string Description => $"container {_container} ({DockerHost})";

        /// <summary>A random high port: the test Odoo binds it in the container's own network namespace, where only the
        /// container's Odoo (8069) listens; the Docker API cannot ask the container which ports are free.</summary>
        public Task<int> FreeHttpPortAsync(CancellationToken cancellationToken) => Task.FromResult(HttpPorts.RandomHigh());

        public async Task<int> RunAsync(IReadOnlyList<string> argv, Action<string> onLine, CancellationToken cancellationToken)
        {
            ContainerInspectResponse container;
            try
            {
                container = await _client.Containers.InspectContainerAsync(_container, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw new InvalidOperationException($"container '{_container}' does not exist on {DockerHost}", ex);
            }
            if (container.State == null || !container.State.Running)
                throw new InvalidOperationException($"container '{_container}' is not running ({container.State?.Status})");

            var create = new ContainerExecCreateParameters
            {
                Cmd = argv.ToList(),
                AttachStdout = true,
                AttachStderr = true,
                AttachStdin = false,
                TTY = false,
            };
            if (_user != null) create.User = _user;
            if (_workingDirectory != null) create.WorkingDir = _workingDirectory;
            ContainerExecCreateResponse exec = await _client.Exec.CreateContainerExecAsync(container.ID, create, cancellationToken).ConfigureAwait(false);
            using (MultiplexedStream stream = await _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, cancellationToken).ConfigureAwait(false))
            {
                var splitters = new Dictionary<MultiplexedStream.TargetStream, LineSplitter>
                {
                    [MultiplexedStream.TargetStream.StandardOut] = new LineSplitter(onLine),
                    [MultiplexedStream.TargetStream.StandardError] = new LineSplitter(onLine),
                };
                byte[] buffer = new byte[81920];
                // The stream's read does not always observe the token: race it against cancellation.
                var cancelled = new TaskCompletionSource<MultiplexedStream.ReadResult>();
                using (cancellationToken.Register(() => cancelled.TrySetCanceled()))
                {
                    try
                    {
                        while (true)
                        {
                            Task<MultiplexedStream.ReadResult> readTask = stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                            MultiplexedStream.ReadResult read = await (await Task.WhenAny(readTask, cancelled.Task).ConfigureAwait(false)).ConfigureAwait(false);
                            if (read.EOF) break;
                            if (splitters.TryGetValue(read.Target, out LineSplitter? splitter)) splitter.Add(buffer, read.Count);
                        }
                    }
                    catch (Exception) when (cancellationToken.IsCancellationRequested)
                    {
                        await StopExecAsync(exec.ID).ConfigureAwait(false);
                        throw new OperationCanceledException(cancellationToken);
                    }
                }
                foreach (LineSplitter s in splitters.Values) s.Finish();
            }
            for (int i = 0; i < 100; i++)
            {
                ContainerExecInspectResponse state = await _client.Exec.InspectContainerExecAsync(exec.ID, CancellationToken.None).ConfigureAwait(false);
                if (!state.Running && state.ExitCode.HasValue) return (int)state.ExitCode.Value;
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            throw new InvalidOperationException($"the exec in container '{_container}' did not report an exit code");
        }

        /// <summary>The Engine API cannot kill an exec; when the engine runs on this machine its process
        /// id (host namespace) is known and it is killed directly, otherwise it is left to the container.</summary>
        private async Task StopExecAsync(string execId)
        {
            try
            {
                ContainerExecInspectResponse state = await _client.Exec.InspectContainerExecAsync(execId, CancellationToken.None).ConfigureAwait(false);
                if (state.Running && state.Pid > 0 && DockerHost.Scheme == "unix")
                    Process.GetProcessById((int)state.Pid).Kill();
            }
            catch (Exception) { /* best effort */ }
        }

        public void Dispose() => _client.Dispose();

        private sealed class LineSplitter
        {
            private readonly Action<string> _onLine;
            private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
            private readonly StringBuilder _line = new StringBuilder();

            public LineSplitter(Action<string> onLine) { _onLine = onLine; }

            public void Add(byte[] bytes, int count)
            {
                char[] chars = new char[_decoder.GetCharCount(bytes, 0, count)];
                _decoder.GetChars(bytes, 0, count, chars, 0);
                foreach (char c in chars)
                {
                    if (c == '\n') { Emit(); continue; }
                    _line.Append(c);
                }
            }

            public void Finish() { if (_line.Length > 0) Emit(); }

            private void Emit()
            {
                if (_line.Length > 0 && _line[_line.Length - 1] == '\r') _line.Length--;
                _onLine(_line.ToString());
                _line.Clear();
            }
        }
    }
}

namespace InfluenceGen.Deploy.Odoo.Testing
{
    /// <summary>
    /// Runs Odoo on a deploy target (an environment reached over SSH, or this machine) through the
    /// transport Deploy-InfluenceGen uses. The command goes to the target's shell on stdin, so the SSH
    /// command line shows only <c>bash -s</c>. Odoo's output arrives when the command ends (the
    /// transport buffers it), not line by line.
    /// </summary>
    public sealed class TransportOdooCommandRunner : IOdooCommandRunner, System.IDisposable
    {
        private readonly InfluenceGen.Deploy.Infrastructure.Ssh.ITargetTransport _transport;

        public TransportOdooCommandRunner(InfluenceGen.Deploy.Infrastructure.Ssh.ITargetTransport transport) => _transport = transport;

        public string Description => _transport.Description;

        /// <summary>A random high port that nothing answers on the target's 127.0.0.1 (one round trip; bash's /dev/tcp).</summary>
        public async System.Threading.Tasks.Task<int> FreeHttpPortAsync(System.Threading.CancellationToken cancellationToken)
        {
            var result = await InfluenceGen.Deploy.Infrastructure.Ssh.TargetTransportExtensions.RunScriptAsync(_transport,
                "for i in $(seq 50); do p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 41000 )); (exec 3<>\"/dev/tcp/127.0.0.1/$p\") 2>/dev/null || { echo \"@@PORT $p\"; exit 0; }; done; exit 1\n",
                cancellationToken).ConfigureAwait(false);
            string? line = result.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("@@PORT ", System.StringComparison.Ordinal));
            return line != null && int.TryParse(line.Substring(7).Trim(), out int port) ? port : HttpPorts.RandomHigh();
        }

        public async System.Threading.Tasks.Task<int> RunAsync(System.Collections.Generic.IReadOnlyList<string> argv, System.Action<string> onLine, System.Threading.CancellationToken cancellationToken)
        {
            var result = await InfluenceGen.Deploy.Infrastructure.Ssh.TargetTransportExtensions
                .RunScriptAsync(_transport, "exec " + PosixShell.Join(argv) + "\n", cancellationToken).ConfigureAwait(false);
            foreach (string text in new[] { result.Stdout, result.Stderr })
                foreach (string line in text.Split('\n'))
                    if (line.Length > 0) onLine(line.TrimEnd('\r'));
            return result.ExitCode;
        }

        public void Dispose() => _transport.Dispose();
    }
}
