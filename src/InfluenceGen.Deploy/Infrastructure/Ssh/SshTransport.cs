using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace InfluenceGen.Deploy.Infrastructure.Ssh
{
    /// <summary>How to reach and trust an SSH target. The key and passphrase are secrets.</summary>
    public sealed class SshTarget
    {
        public string Host { get; set; } = string.Empty;
        public int Port { get; set; } = 22;
        public string User { get; set; } = string.Empty;
        /// <summary>The private key: its text, or the path of a file holding it.</summary>
        public string PrivateKey { get; set; } = string.Empty;
        public string? KeyPassphrase { get; set; }
        /// <summary>Pinned host key fingerprint, "SHA256:…" as ssh-keygen -lf prints it (prefix optional).</summary>
        public string? HostKeyFingerprint { get; set; }
        /// <summary>A known_hosts file naming the host's key.</summary>
        public string? KnownHostsFile { get; set; }
        /// <summary>Accept a key when neither a fingerprint nor a known_hosts entry names the host.</summary>
        public bool TrustOnFirstUse { get; set; }
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);
        /// <summary>Key exchange algorithms offered first, in this order (the rest of SSH.NET's list follows);
        /// null keeps SSH.NET's order. SSH.NET's first choice, the post-quantum hybrid sntrup761x25519, is
        /// computed in managed code and costs ~100 ms per connection here; a caller whose session carries only
        /// public data may prefer curve25519-sha256. Authentication and the host key check do not change.</summary>
        public IReadOnlyList<string>? KeyExchangePreference { get; set; }
        /// <summary>The settings the values came from, named in errors (default: the Odoo target's).</summary>
        public SshSettingNames SettingNames { get; set; } = SshSettingNames.Odoo;
    }

    /// <summary>The names of the settings an <see cref="SshTarget"/> was resolved from, for error messages.</summary>
    public sealed class SshSettingNames
    {
        public static readonly SshSettingNames Odoo = new SshSettingNames();
        public string Host { get; set; } = "OdooSshHost";
        public string User { get; set; } = "OdooSshUser";
        public string PrivateKey { get; set; } = "OdooSshPrivateKey";
        public string HostKey { get; set; } = "OdooSshHostKey";
        public string KnownHosts { get; set; } = "OdooSshKnownHosts";
        public string TrustOnFirstUse { get; set; } = "OdooSshTrustOnFirstUse";
    }

    /// <summary>
    /// An SSH target through SSH.NET: key authentication only, the host key pinned (fingerprint or
    /// known_hosts), an unknown or changed key refused unless trust on first use is explicitly on.
    /// Connections are opened lazily and re-opened after a drop, so cleanup still reaches the target.
    /// </summary>
    public sealed class SshTransport : ITargetTransport, IStreamingTransport
    {
        private readonly SshTarget _target;
        private readonly object _gate = new object();
        private SshClient? _ssh;
        private SftpClient? _sftp;
        private int _roundTrips;
        private string? _hostKeyProblem;

        public SshTransport(SshTarget target)
        {
            _target = target;
            SshSettingNames n = target.SettingNames;
            if (string.IsNullOrEmpty(target.Host)) throw Config(n.Host, $"the SSH host is not set ({n.Host})");
            if (string.IsNullOrEmpty(target.User)) throw Config(n.User, $"the SSH user is not set ({n.User})");
            if (string.IsNullOrEmpty(target.PrivateKey)) throw Config(n.PrivateKey, $"no SSH private key is set ({n.PrivateKey}; key authentication only)");
            if (string.IsNullOrEmpty(target.HostKeyFingerprint) && string.IsNullOrEmpty(target.KnownHostsFile) && !target.TrustOnFirstUse)
                throw Config(n.HostKey, "the host key of " + target.Host + $" is not pinned: set {n.HostKey} (SHA256:… from ssh-keygen -lf) or {n.KnownHosts}, or {n.TrustOnFirstUse}=true");
        }

        public string Description => $"{_target.User}@{_target.Host}:{_target.Port}";
        public int RoundTrips => _roundTrips;
        /// <summary>The fingerprint of the host key seen (SHA256:…), after a connection.</summary>
        public string? SeenFingerprint { get; private set; }

        private static DeployException Config(string setting, string message)
            => new DeployException(ErrorIds.SshConfigurationInvalid, ErrorKind.InvalidArgument, message, setting);

        private ConnectionInfo Connection()
        {
            PrivateKeyFile key;
            try
            {
                Stream keyStream = File.Exists(_target.PrivateKey)
                    ? new MemoryStream(File.ReadAllBytes(_target.PrivateKey))
                    : new MemoryStream(Encoding.UTF8.GetBytes(_target.PrivateKey.Replace("\r\n", "\n").Trim() + "\n"));
                key = string.IsNullOrEmpty(_target.KeyPassphrase) ? new PrivateKeyFile(keyStream) : new PrivateKeyFile(keyStream, _target.KeyPassphrase);
            }
            catch (Exception ex) when (!(ex is DeployException))
            {
                // SSH.NET's messages do not contain the key or passphrase; keep only the type of problem.
                throw new DeployException(ErrorIds.SshKeyInvalid, ErrorKind.InvalidArgument,
                    $"the SSH private key for {Description} cannot be read ({ex.GetType().Name}: {ex.Message}); a wrong passphrase gives this too", _target.SettingNames.PrivateKey);
            }
            var info = new ConnectionInfo(_target.Host, _target.Port, _target.User, new PrivateKeyAuthenticationMethod(_target.User, key))
            {
                Timeout = _target.ConnectTimeout,
            };
            if (_target.KeyExchangePreference is { Count: > 0 } preferred)
            {
                // SSH.NET offers the dictionary's keys in enumeration order: rebuild it, preferred ones first.
                var all = info.KeyExchangeAlgorithms.ToList();
                info.KeyExchangeAlgorithms.Clear();
                foreach (string name in preferred)
                    foreach (var kv in all.Where(a => a.Key == name)) info.KeyExchangeAlgorithms.Add(kv.Key, kv.Value);
                foreach (var kv in all.Where(a => !preferred.Contains(a.Key))) info.KeyExchangeAlgorithms.Add(kv.Key, kv.Value);
            }
            return info;
        }

        private void CheckHostKey(object? sender, HostKeyEventArgs e)
        {
            SeenFingerprint = "SHA256:" + e.FingerPrintSHA256;
            if (!string.IsNullOrEmpty(_target.HostKeyFingerprint))
            {
                string pinned = _target.HostKeyFingerprint!.Trim();
                if (pinned.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase)) pinned = pinned.Substring(7);
                pinned = pinned.TrimEnd('=');
                e.CanTrust = string.Equals(pinned, e.FingerPrintSHA256.TrimEnd('='), StringComparison.Ordinal);
                if (!e.CanTrust) _hostKeyProblem = $"the host key of {_target.Host}:{_target.Port} ({SeenFingerprint}) does not match the pinned {_target.SettingNames.HostKey}; if the server's key really changed, pin the new one";
                return;
            }
            if (!string.IsNullOrEmpty(_target.KnownHostsFile))
            {
                var known = KnownHosts(_target.KnownHostsFile!, _target.Host, _target.Port);
                string blob = Convert.ToBase64String(e.HostKey);
                if (known.Any(k => k.type == e.HostKeyName && k.blob == blob)) { e.CanTrust = true; return; }
                if (known.Count > 0)
                {
                    e.CanTrust = false;
                    _hostKeyProblem = $"the host key of {_target.Host}:{_target.Port} ({SeenFingerprint}) differs from the one in {_target.KnownHostsFile}: refused (possible man-in-the-middle)";
                    return;
                }
                if (!_target.TrustOnFirstUse)
                {
                    e.CanTrust = false;
                    _hostKeyProblem = $"{_target.Host}:{_target.Port} is not in {_target.KnownHostsFile} (key {SeenFingerprint}): refused; add it or set {_target.SettingNames.TrustOnFirstUse}=true";
                    return;
                }
                File.AppendAllText(_target.KnownHostsFile!, $"{(_target.Port == 22 ? _target.Host : $"[{_target.Host}]:{_target.Port}")} {e.HostKeyName} {blob}\n");
                e.CanTrust = true;
                return;
            }
            e.CanTrust = _target.TrustOnFirstUse;
            if (!e.CanTrust) _hostKeyProblem = $"the host key of {_target.Host} is not pinned: refused";
        }

        internal static List<(string type, string blob)> KnownHosts(string file, string host, int port)
        {
            var result = new List<(string, string)>();
            if (!File.Exists(file)) return result;
            string[] names = port == 22 ? new[] { host, $"[{host}]:22" } : new[] { $"[{host}]:{port}" };
            foreach (string raw in File.ReadAllLines(file))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal)) continue;
                string[] parts = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 3) continue;
                if (parts[0].StartsWith("@", StringComparison.Ordinal)) continue; // @revoked / @cert-authority: not supported
                if (parts[0].Split(',').Any(n => names.Contains(n, StringComparer.OrdinalIgnoreCase)))
                    result.Add((parts[1], parts[2]));
            }
            return result;
        }

        private T Connect<T>(ref T? client, Func<ConnectionInfo, T> create) where T : BaseClient
        {
            lock (_gate)
            {
                if (client != null && client.IsConnected) return client;
                client?.Dispose();
                client = create(Connection());
                client.HostKeyReceived += CheckHostKey;
                _hostKeyProblem = null;
                try
                {
                    client.Connect();
                }
                catch (SshConnectionException) when (_hostKeyProblem != null)
                {
                    throw new DeployException(ErrorIds.SshHostKeyRejected, ErrorKind.SecurityError, _hostKeyProblem, Description);
                }
                catch (SshAuthenticationException ex)
                {
                    throw new DeployException(ErrorIds.SshAuthenticationFailed, ErrorKind.AuthenticationError, $"{Description} refused the key: {ex.Message}", Description);
                }
                catch (Exception ex) when (ex is SocketException || ex is SshException || ex is TimeoutException || ex is SshOperationTimeoutException)
                {
                    if (_hostKeyProblem != null)
                        throw new DeployException(ErrorIds.SshHostKeyRejected, ErrorKind.SecurityError, _hostKeyProblem, Description);
                    throw new DeployException(ErrorIds.SshConnectFailed, ErrorKind.ConnectionError, $"cannot connect to {Description}: {ex.Message}", Description);
                }
                return client;
            }
        }

        /// <summary>Opens the command connection now (key exchange, host key check, authentication) on a
        /// worker thread, so a caller can overlap the handshake with local work; later commands reuse it.
        /// Not a round trip of its own. Errors are those of the first command (SshHostKeyRejected, …).</summary>
        public Task ConnectAsync(CancellationToken cancellationToken) =>
            Task.Run(() => { Connect(ref _ssh, c => new SshClient(c)); }, cancellationToken);

        /// <summary>The key exchange algorithm of the command connection (after a connection), for diagnostics.</summary>
        public string? KeyExchangeAlgorithm { get { lock (_gate) return _ssh?.ConnectionInfo?.CurrentKeyExchangeAlgorithm; } }

        public async Task<CommandResult> RunAsync(string command, string? stdin, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            SshClient ssh = Connect(ref _ssh, c => new SshClient(c));
            return await Task.Run(() =>
            {
                using SshCommand cmd = ssh.CreateCommand(command);
                using CancellationTokenRegistration reg = cancellationToken.Register(() => { try { cmd.CancelAsync(); } catch (Exception) { } });
                IAsyncResult pending = cmd.BeginExecute();
                Stream? input = null;
                try
                {
                    input = cmd.CreateInputStream();
                }
                catch (InvalidOperationException)
                {
                    // SSH.NET refuses the input stream once the channel has closed: the command ended (or the server
                    // closed the channel) before its script was sent. Its result says what happened.
                }
                if (input != null)
                {
                    using (input)
                    {
                        if (stdin != null)
                        {
                            byte[] bytes = new UTF8Encoding(false).GetBytes(stdin);
                            input.Write(bytes, 0, bytes.Length);
                        }
                    }
                }
                cmd.EndExecute(pending);
                if (input == null && stdin != null)
                    return new CommandResult(cmd.ExitStatus is int code && code != 0 ? code : 255, cmd.Result,
                        cmd.Error + $"\n{Description} ended the command before its script was sent");
                cancellationToken.ThrowIfCancellationRequested();
                return new CommandResult(cmd.ExitStatus ?? 255, cmd.Result, cmd.Error);
            }, cancellationToken).ConfigureAwait(false);
        }

        public async Task<CommandResult> RunStreamingAsync(string command, string? stdin, Func<Stream, Task> consume, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            SshClient ssh = Connect(ref _ssh, c => new SshClient(c));
            using SshCommand cmd = ssh.CreateCommand(command);
            using CancellationTokenRegistration reg = cancellationToken.Register(() => { try { cmd.CancelAsync(); } catch (Exception) { } });
            IAsyncResult pending = cmd.BeginExecute();
            using (Stream input = cmd.CreateInputStream())
            {
                if (stdin != null)
                {
                    byte[] bytes = new UTF8Encoding(false).GetBytes(stdin);
                    input.Write(bytes, 0, bytes.Length);
                }
            }
            Exception? consumeError = null;
            try { await consume(cmd.OutputStream).ConfigureAwait(false); }
            catch (Exception ex)
            {
                // the reader gave up: stop the command rather than let it block on a full channel
                consumeError = ex;
                try { cmd.CancelAsync(); } catch (Exception) { }
            }
            try { await Task.Run(() => cmd.EndExecute(pending)).ConfigureAwait(false); }
            catch (Exception) when (consumeError != null || cancellationToken.IsCancellationRequested) { }
            if (consumeError != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(consumeError).Throw();
            cancellationToken.ThrowIfCancellationRequested();
            return new CommandResult(cmd.ExitStatus ?? 255, string.Empty, cmd.Error);
        }

        public async Task UploadAsync(Stream content, string remotePath, IProgress<long>? progress, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            SftpClient sftp = Connect(ref _sftp, c => new SftpClient(c));
            var report = progress == null ? null : new Progress<UploadFileProgressReport>(r => progress.Report((long)r.TotalBytesUploaded));
            await sftp.UploadFileAsync(content, remotePath, true, report, cancellationToken).ConfigureAwait(false);
        }

        public async Task<byte[]?> ReadFileAsync(string remotePath, CancellationToken cancellationToken)
        {
            CommandResult r = await RunAsync("cat -- " + TargetTransportExtensions.ShellQuote(remotePath) + " 2>/dev/null | base64 -w0; exit ${PIPESTATUS[0]}", null, cancellationToken).ConfigureAwait(false);
            if (!r.Succeeded) return null;
            return Convert.FromBase64String(r.Stdout.Trim());
        }

        /// <summary>Closes the connections (the next call opens new ones).</summary>
        public void Disconnect()
        {
            lock (_gate)
            {
                try { _sftp?.Dispose(); } catch (Exception) { }
                try { _ssh?.Dispose(); } catch (Exception) { }
                _sftp = null; _ssh = null;
            }
        }

        public void Dispose() => Disconnect();
    }
}
