using System.Threading;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    /// <summary>The real clock, except that the retry policy's waits are recorded and end at once (Polly waits
    /// on its pipeline's TimeProvider), so tests see the delays the policy chose without sleeping them.</summary>
    public sealed class RecordingTimeProvider : TimeProvider
    {
        private readonly List<TimeSpan> _waits = new();
        public IReadOnlyList<TimeSpan> Waits { get { lock (_waits) return _waits.ToArray(); } }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_waits) _waits.Add(dueTime);
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }
            return new Fired();
        }

        private sealed class Fired : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;
            public void Dispose() { }
            public ValueTask DisposeAsync() => default;
        }
    }
}
