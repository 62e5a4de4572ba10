using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;
using InfluenceGen.Deploy.Training;

namespace InfluenceGen.Deploy.Tests.Training
{
    /// <summary>
    /// In a fresh process the target's first use (the SDK's first request, SSH.NET's handshake) is the slowest step of
    /// a small publish: the publisher starts it before it opens the source, so the two overlap.
    /// </summary>
    [Trait("Category", "Fast")]
    public class TrainingPlanOrderTests
    {
        /// <summary>A target whose read waits until the source has been opened: a publisher that opened the source
        /// before starting the read would wait for <see cref="ReadStarted"/> in vain.</summary>
        private sealed class WaitingTarget : IPortalTarget
        {
            public readonly ManualResetEventSlim ReadStarted = new ManualResetEventSlim();
            public readonly TaskCompletionSource SourceOpened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            public bool RecordedAsked;
            public RemoteState? Record;

            public string Kind => "TEST";
            public string Description => "test-target";
            public string TargetOf(string relativePath) => relativePath;

            public async Task<RemoteState> ReadAsync(IDeployLog log, CancellationToken cancellationToken)
            {
                ReadStarted.Set();
                await SourceOpened.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                return new RemoteState(new Dictionary<string, RemoteFile>());
            }

            public RemoteState? Recorded(IDeployLog log, CancellationToken cancellationToken)
            {
                RecordedAsked = true;
                ReadStarted.Set();
                return Record;
            }

            public Task VerifyAsync(RemoteState state, IDeployLog log, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task<bool> SameContentAsync(TrainingFile file, RemoteFile remote, IDeployLog log, CancellationToken cancellationToken) => Task.FromResult(false);
            public Task BeginAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task UploadAsync(TrainingFileResult item, IProgress<long> bytesSent, IDeployLog log, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task DeleteAsync(IReadOnlyList<TrainingFileResult> items, IDeployLog log, CancellationToken cancellationToken) => Task.CompletedTask;
            public Task<string> CommitAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken) => Task.FromResult(string.Empty);
            public void Dispose() { }
        }

        private static Func<TrainingSource> Opening(WaitingTarget target, string root)
        {
            return () =>
            {
                // fails (times out) unless the target was reached before the source is opened
                Assert.True(target.ReadStarted.Wait(TimeSpan.FromSeconds(10)), "the source was opened before the target was reached");
                TrainingSource source = TrainingSource.Load(root);
                target.SourceOpened.TrySetResult();
                return source;
            };
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task The_target_is_reached_before_the_source_is_opened(bool recorded)
        {
            using var tmp = new TempDir();
            var portal = new Portal(tmp.Combine("site"), 2, 1000);
            using var target = new WaitingTarget();
            if (recorded) target.Record = new RemoteState(new Dictionary<string, RemoteFile>(), "r1") { Assumed = true };
            var options = new TrainingPublishOptions { Environment = "test", UseRecordedState = recorded };

            TrainingPlan plan = await new TrainingPublisher(target).PlanAsync(Opening(target, portal.Root), options, new RecordingLog(), CancellationToken.None);

            Assert.Equal(recorded, target.RecordedAsked);
            Assert.Equal(portal.Files().Count(), plan.Transfers.Count());
        }

        [Fact]
        public async Task A_source_that_cannot_be_opened_fails_the_plan_with_its_own_error()
        {
            using var target = new WaitingTarget();
            var options = new TrainingPublishOptions { Environment = "test" };
            DeployException ex = await Assert.ThrowsAsync<DeployException>(() => new TrainingPublisher(target).PlanAsync(
                () => TrainingSource.Load("/nonexistent/training_docs.zip"), options, new RecordingLog(), CancellationToken.None));
            Assert.Contains("training_docs.zip", ex.Message);
            target.SourceOpened.TrySetResult();
        }
    }
}
