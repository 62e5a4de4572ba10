using System;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>Waiting for an approval (Wait-ChangeApproval): the check repeated until approved, final, or out of time.</summary>
    internal sealed class ApprovalWait
    {
        private readonly ApprovalCheck _check;
        private readonly ChangeGateOptions _options;

        public ApprovalWait(ApprovalCheck check, ChangeGateOptions options) { _check = check; _options = options; }

        /// <summary>
        /// Polls <see cref="ApprovalCheck.CheckAsync"/> every <paramref name="interval"/> until approved (returned),
        /// rejected or invalid (DeployException ChangeRequestRejected / ChangeApprovalNotPossible), or
        /// <paramref name="timeout"/> passed (DeployException ChangeApprovalTimeout; with a zero timeout, one
        /// check and DeployException ChangeNotApproved). Transient trouble
        /// (JIRA down, other status, approvers missing) keeps it waiting.
        /// </summary>
        public async Task<ChangeApproval> WaitAsync(string changeRequestId, string environment, TimeSpan interval, TimeSpan timeout,
            IDeployLog log, CancellationToken cancellationToken)
        {
            log ??= NullDeployLog.Instance;
            if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval));
            DateTimeOffset started = _options.Clock();
            DateTimeOffset deadline = started + timeout;
            for (int poll = 1; ; poll++)
            {
                ChangeApproval result = await _check.CheckAsync(changeRequestId, environment, log, cancellationToken).ConfigureAwait(false);
                if (result.Approved) return result;
                if (result.IsFinal)
                {
                    bool rejected = result.Outcome == ApprovalOutcome.Rejected;
                    throw new DeployException(rejected ? ErrorIds.ChangeRequestRejected : ErrorIds.ChangeApprovalNotPossible,
                        rejected ? ErrorKind.PermissionDenied : ErrorKind.InvalidArgument,
                        $"{(result.ChangeRequestId.Length > 0 ? "change request " + result.ChangeRequestId : "the change request (no id was given)")} will not be approved: {result.Reason}", result.ChangeRequestId)
                    { RecommendedAction = rejected ? "Raise a new change request, or reopen this one in JIRA." : "Fix the change request id, the credentials or the configuration named in the message." };
                }
                DateTimeOffset now = _options.Clock();
                TimeSpan remaining = deadline - now;
                if (timeout <= TimeSpan.Zero)
                    throw new DeployException(ErrorIds.ChangeNotApproved, ErrorKind.PermissionDenied,
                        $"change request {(result.ChangeRequestId.Length > 0 ? result.ChangeRequestId : "(none)")} is not approved for {result.Environment}: {result.Reason}", result.ChangeRequestId)
                    { RecommendedAction = "Get the change request approved in JIRA, then retry the job." };
                if (remaining <= TimeSpan.Zero)
                    throw new DeployException(ErrorIds.ChangeApprovalTimeout, ErrorKind.OperationTimeout,
                        $"change request {result.ChangeRequestId} was not approved within {Format(timeout)} ({poll} check(s)); last: {result.Reason}", result.ChangeRequestId)
                    { RecommendedAction = "Get the change request approved, then retry the job; or raise -TimeoutSeconds." };
                TimeSpan wait = interval < remaining ? interval : remaining;
                double elapsed = (now - started).TotalSeconds;
                int percent = timeout.TotalSeconds <= 0 ? -1 : (int)Math.Min(99, 100 * elapsed / timeout.TotalSeconds);
                log.Progress($"Waiting for approval of {result.ChangeRequestId}",
                    $"check {poll}: {result.Reason}; next check in {Format(wait)}, giving up in {Format(remaining)}", percent);
                log.Verbose($"{result.ChangeRequestId} not approved yet (check {poll}): {result.Reason}");
                await _options.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private static string Format(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0.##} s";
    }
}
