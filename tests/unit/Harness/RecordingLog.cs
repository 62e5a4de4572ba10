using System.Collections.Generic;
using System.Linq;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Tests.Harness
{
    /// <summary>
    /// The one <see cref="IDeployLog"/> the tests hand to services: records every call in order, from any thread.
    /// <see cref="Lines"/> holds "V message", "W message" and "P activity status" (a test matches the kind by prefix).
    /// </summary>
    public sealed class RecordingLog : IDeployLog
    {
        private readonly List<string> _lines = new();
        private readonly List<(string Activity, string Status, int Percent)> _progress = new();

        public void Verbose(string message) { lock (_lines) _lines.Add("V " + message); }
        public void Warning(string message) { lock (_lines) _lines.Add("W " + message); }
        public void Progress(string activity, string status, int percent)
        {
            lock (_lines) { _lines.Add($"P {activity} {status}"); _progress.Add((activity, status, percent)); }
        }

        /// <summary>A snapshot of every call so far, in order.</summary>
        public List<string> Lines { get { lock (_lines) return _lines.ToList(); } }
        /// <summary>Every line, one per line: what secret scans search.</summary>
        public string All => string.Join("\n", Lines);
        public IReadOnlyList<string> VerboseMessages => Of("V ");
        public IReadOnlyList<string> Warnings => Of("W ");
        public IReadOnlyList<(string Activity, string Status, int Percent)> ProgressRecords { get { lock (_lines) return _progress.ToList(); } }

        private IReadOnlyList<string> Of(string prefix) => Lines.Where(l => l.StartsWith(prefix)).Select(l => l.Substring(prefix.Length)).ToList();
    }
}
