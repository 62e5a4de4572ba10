using System;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>The change gate: production (or any environment configured so) needs an approved change
    /// request; errors reaching the gate mean not approved. Changes nothing, so nothing to undo.</summary>
    internal sealed class GateStep : DeployStep
    {
        private readonly IChangeGate _gate;
        public GateStep(IChangeGate gate) { _gate = gate; }
        public override string Name => "gate";

        public override string Describe(DeployRun run)
        {
            DeployRequest r = run.Request!;
            if (!run.Settings.RequireChangeApproval) return "gate: not required";
            return r.SkipApproval ? $"gate: SKIPPED ({r.SkipReason})" : $"gate: change request {r.ChangeRequestId ?? "(none given)"} must be approved";
        }

        public override string? SkipReason(DeployRun run) => run.Settings.RequireChangeApproval ? null : "not required";

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            DeployRequest r = run.Request!;
            if (r.SkipApproval)
            {
                run.Record.ApprovalSkippedReason = r.SkipReason;
                run.Log.Warning($"change approval SKIPPED for {run.Settings.Environment}: {r.SkipReason}");
                return "SKIPPED: " + r.SkipReason;
            }
            ChangeGateDecision decision;
            try { decision = await _gate.CheckAsync(r.ChangeRequestId, run.Settings.Environment, run.Log, ct).ConfigureAwait(false); }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                decision = new ChangeGateDecision(false, "the change gate could not be asked (" + ex.Message + "): not approved");
            }
            if (!decision.Approved)
                throw new DeployException(ErrorIds.ChangeNotApproved, ErrorKind.PermissionDenied,
                    $"deploy to {run.Settings.Environment} refused: change request {r.ChangeRequestId ?? "(none)"} is not approved: {decision.Reason}", r.ChangeRequestId);
            return decision.Reason;
        }
    }
}
