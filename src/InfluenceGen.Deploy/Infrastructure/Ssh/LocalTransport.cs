using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure.Ssh
{
    /// <summary>The target is this machine: commands run through /bin/bash, files are copied.</summary>
    public sealed class LocalTransport : ITargetTransport, IStreamingTransport
    {
        private int _roundTrips;
        private readonly string _workingDirectory;

        public LocalTransport(string? workingDirectory = null)
        {
            _workingDirectory = workingDirectory ?? Directory.GetCurrentDirectory();
        }

        public string Description => "local";
        public int RoundTrips => _roundTrips;

        public async Task<CommandResult> RunAsync(string command, string? stdin, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            var psi = new ProcessStartInfo("/bin/bash")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = _workingDirectory,
            };
            psi.Arguments = "-c " + QuoteArgument(command);
            using var process = Process.Start(psi) ?? throw new IOException("cannot start /bin/bash");
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            try
            {
                if (stdin != null) await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException) { /* the command did not read its input */ }
            using (cancellationToken.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
            {
                await Task.Run(() => process.WaitForExit(), CancellationToken.None).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }

        public async Task<CommandResult> RunStreamingAsync(string command, string? stdin, Func<Stream, Task> consume, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            var psi = new ProcessStartInfo("/bin/bash")
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                UseShellExecute = false, WorkingDirectory = _workingDirectory,
                Arguments = "-c " + QuoteArgument(command),
            };
            using var process = Process.Start(psi) ?? throw new IOException("cannot start /bin/bash");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            try
            {
                if (stdin != null) await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException) { /* the command did not read its input */ }
            using (cancellationToken.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
            {
                try { await consume(process.StandardOutput.BaseStream).ConfigureAwait(false); }
                catch (Exception)
                {
                    try { process.Kill(); } catch (InvalidOperationException) { }
                    throw;
                }
                await Task.Run(() => process.WaitForExit(), CancellationToken.None).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            return new CommandResult(process.ExitCode, string.Empty, await stderr.ConfigureAwait(false));
        }

        public async Task UploadAsync(Stream content, string remotePath, IProgress<long>? progress, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            string path = Path.Combine(_workingDirectory, remotePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer, 0, read, cancellationToken).ConfigureAwait(false);
                total += read;
                progress?.Report(total);
            }
        }

        public Task<byte[]?> ReadFileAsync(string remotePath, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _roundTrips);
            string path = Path.Combine(_workingDirectory, remotePath);
            return Task.FromResult(File.Exists(path) ? File.ReadAllBytes(path) : null);
        }

        public void Dispose() { }

        /// <summary>Quotes one argument for .NET's command-line splitting (the rules of CommandLineToArgvW).</summary>
        internal static string QuoteArgument(string value)
        {
            var sb = new System.Text.StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in value)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') { sb.Append('\\', backslashes * 2 + 1); sb.Append('"'); }
                else { sb.Append('\\', backslashes); sb.Append(c); }
                backslashes = 0;
            }
            sb.Append('\\', backslashes * 2);
            sb.Append('"');
            return sb.ToString();
        }
    }
}
