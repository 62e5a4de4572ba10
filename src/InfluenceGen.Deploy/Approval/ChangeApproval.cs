using System;
using System.Collections.Generic;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>What the gate concluded.</summary>
    public enum ApprovalOutcome
    {
        /// <summary>The change request is approved for this environment.</summary>
        Approved,
        /// <summary>Not approved yet (another status, approvers missing): waiting may help.</summary>
        Pending,
        /// <summary>Rejected or cancelled: waiting will not help.</summary>
        Rejected,
        /// <summary>The check itself failed (JIRA unreachable, 5xx, timeout, malformed answer): not approved.</summary>
        Unavailable,
        /// <summary>The request cannot be approved as asked (missing id, 401/403/404, wrong project, configuration missing).</summary>
        Invalid,
        /// <summary>JIRA integration is switched off and the caller skipped the gate explicitly, with a reason.</summary>
        Skipped,
    }

    /// <summary>
    /// The result of one gate check (Test-ChangeApproval's output). <see cref="Approved"/> is true
    /// only for <see cref="ApprovalOutcome.Approved"/> and an explicit <see cref="ApprovalOutcome.Skipped"/>;
    /// every failure to reach or understand JIRA is "not approved" with a <see cref="Reason"/>.
    /// </summary>
    public sealed class ChangeApproval
    {
        public string ChangeRequestId { get; set; } = string.Empty;
        public string Environment { get; set; } = string.Empty;
        public bool Approved { get; set; }
        public ApprovalOutcome Outcome { get; set; }
        /// <summary>The issue's status name as JIRA reported it (empty when not read).</summary>
        public string Status { get; set; } = string.Empty;
        public string Project { get; set; } = string.Empty;
        public string Summary { get; set; } = string.Empty;
        /// <summary>Everyone who approved: the technical and business approvers when dual approval is
        /// read, and whoever moved the issue into the approved status (from its changelog).</summary>
        public string[] ApprovedBy { get; set; } = Array.Empty<string>();
        public string? TechnicalApprover { get; set; }
        public string? BusinessApprover { get; set; }
        public bool DualApprovalRequired { get; set; }
        /// <summary>Why it is not approved, or what was checked when it is.</summary>
        public string Reason { get; set; } = string.Empty;
        /// <summary>The reason given with -SkipApproval, when the gate was skipped.</summary>
        public string? SkipReason { get; set; }
        /// <summary>The HTTP status of JIRA's answer, when one came.</summary>
        public int? HttpStatus { get; set; }
        public DateTimeOffset CheckedAt { get; set; }
        /// <summary>The issue's browse link (no credentials in it).</summary>
        public string? Url { get; set; }

        /// <summary>Waiting can change nothing: rejected, or the request is invalid.</summary>
        public bool IsFinal => Outcome == ApprovalOutcome.Rejected || Outcome == ApprovalOutcome.Invalid;

        public override string ToString() => $"{ChangeRequestId}: {(Approved ? "approved" : "not approved")} ({Reason})";
    }

    /// <summary>What was deployed, for the change request's closing comment. Deploy-InfluenceGen's
    /// deployment record can be piped to Complete-ChangeRequest: its properties bind by name.</summary>
    public sealed class DeploymentSummary
    {
        public string Environment { get; set; } = string.Empty;
        public string? ReleaseId { get; set; }
        public IReadOnlyList<string> AddonsInstalled { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> AddonsUpgraded { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> WorkflowsChanged { get; set; } = Array.Empty<string>();
        public string? PipelineUrl { get; set; }
        public string? CommitSha { get; set; }
        /// <summary>Free text appended to the comment.</summary>
        public string? Note { get; set; }
    }

    /// <summary>The result of Complete-ChangeRequest.</summary>
    public sealed class ChangeRequestCompletion
    {
        public string ChangeRequestId { get; set; } = string.Empty;
        public string Transition { get; set; } = string.Empty;
        public string? TransitionId { get; set; }
        public string FromStatus { get; set; } = string.Empty;
        public string ToStatus { get; set; } = string.Empty;
        public bool Transitioned { get; set; }
        public string? CommentId { get; set; }
        public string Environment { get; set; } = string.Empty;
        public string? ReleaseId { get; set; }
        public DateTimeOffset CompletedAt { get; set; }
        public string? Url { get; set; }
    }
}
