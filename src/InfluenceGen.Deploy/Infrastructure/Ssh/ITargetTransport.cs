using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure.Ssh
{
    /// <summary>What a command run on the target answered.</summary>
    public sealed class CommandResult
    {
        public CommandResult(int exitCode, string stdout, string stderr)
        {
            ExitCode = exitCode; Stdout = stdout; Stderr = stderr;
        }

        public int ExitCode { get; }
        public string Stdout { get; }
        public string Stderr { get; }
        public bool Succeeded => ExitCode == 0;
    }

    /// <summary>
    /// A machine the module acts on: this one (<see cref="LocalTransport"/>) or one reached over SSH
    /// (<see cref="SshTransport"/>). Commands are run by a POSIX shell on the target. Secrets must never
    /// be part of <c>command</c> (it is visible in the target's process list): pass them on
    /// <c>stdin</c>, e.g. a script fed to <c>bash -s</c>.
    /// </summary>
    public interface ITargetTransport : IDisposable
    {
        /// <summary>user@host:port or "local", for messages.</summary>
        string Description { get; }

        /// <summary>How many commands, uploads and file reads went to the target (a measure of latency cost).</summary>
        int RoundTrips { get; }

        /// <summary>Runs <paramref name="command"/> with <paramref name="stdin"/> (may be null) as its input.</summary>
        Task<CommandResult> RunAsync(string command, string? stdin, CancellationToken cancellationToken);

        /// <summary>Writes <paramref name="content"/> to <paramref name="remotePath"/> (created or replaced).</summary>
        Task UploadAsync(Stream content, string remotePath, IProgress<long>? progress, CancellationToken cancellationToken);

        /// <summary>The bytes of a file on the target, or null when it does not exist.</summary>
        Task<byte[]?> ReadFileAsync(string remotePath, CancellationToken cancellationToken);
    }

    public static class TargetTransportExtensions
    {
        /// <summary>Runs a bash script sent on stdin (nothing of it shows in the process list).</summary>
        public static Task<CommandResult> RunScriptAsync(this ITargetTransport transport, string script, CancellationToken cancellationToken)
            => transport.RunAsync("bash -s", script, cancellationToken);

        /// <summary>Quotes <paramref name="value"/> for a POSIX shell.</summary>
        public static string ShellQuote(string value) => "'" + value.Replace("'", "'\"'\"'") + "'";
    }
}
