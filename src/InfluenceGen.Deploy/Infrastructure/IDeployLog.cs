using System;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// What a domain service may tell the user while it works. Services are PowerShell-free: the
    /// cmdlet base implements this by marshalling each message back to the pipeline thread; tests
    /// and the console host can pass <see cref="NullDeployLog"/> or a recording log.
    /// </summary>
    public interface IDeployLog
    {
        void Verbose(string message);
        void Warning(string message);
        /// <summary>Progress of a long step. <paramref name="percent"/> -1 = unknown.</summary>
        void Progress(string activity, string status, int percent);
    }

    public sealed class NullDeployLog : IDeployLog
    {
        public static readonly NullDeployLog Instance = new NullDeployLog();
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void Progress(string activity, string status, int percent) { }
    }
}
