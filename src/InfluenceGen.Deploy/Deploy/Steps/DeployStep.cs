using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>What the steps of one deploy (or undo) share: the target, the plan, and what each step left behind.</summary>
    internal sealed class DeployRun
    {
        public DeployRun(DeploySettings settings, ITargetTransport transport, IDeployLog log, DeploymentRecord record, string lockText)
        {
            Settings = settings; Transport = transport; Log = log; Record = record; LockText = lockText;
            Scripts = new TargetScripts(settings);
            Watch.Start();
        }

        public DeploySettings Settings { get; }
        public ITargetTransport Transport { get; }
        public TargetScripts Scripts { get; }
        public IDeployLog Log { get; }
        public DeploymentRecord Record { get; }
        public string LockText { get; }
        public DeployPlan Plan { get; set; } = new DeployPlan();
        public DeployRequest? Request { get; set; }
        /// <summary>Health of Odoo (null = healthy), wired by the service.</summary>
        public Func<IDeployLog, CancellationToken, Task<string?>> Health { get; set; } = (_, __) => Task.FromResult<string?>(null);

        // ---- what the steps left behind (their compensations read it)
        public string? Upload { get; set; }
        public string? NewRelease { get; set; }
        public string? BackupPath { get; set; }
        /// <summary>The release to put back on rollback (the previous one, or the baseline on a first deploy).</summary>
        public string? RollbackRelease { get; set; }

        public Stopwatch Watch { get; } = new Stopwatch();

        /// <summary>Records a step outcome in the ledger entry (with the seconds since the previous one).</summary>
        public void Note(string name, string status, string? detail)
        {
            Record.Steps.Add(new DeploymentStep { Name = name, Status = status, Detail = detail, Seconds = Math.Round(Watch.Elapsed.TotalSeconds, 2) });
            Watch.Restart();
        }

        public Task<CommandResult> RunAsync(string script, CancellationToken ct) => Transport.RunScriptAsync(script, ct);

        /// <summary>Runs a script during a rollback: never throws (a transport error is a failed result).</summary>
        public async Task<CommandResult> TryRunAsync(string script)
        {
            try { return await Transport.RunScriptAsync(script, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) { return new CommandResult(255, string.Empty, ex.Message); }
        }

        public static string Tail(string text)
        {
            string t = text.Trim();
            return t.Length > 400 ? "…" + t.Substring(t.Length - 400) : t;
        }

        public static string List(IEnumerable<string> items) { string s = string.Join(", ", items); return s.Length == 0 ? "(none)" : s; }
    }

    /// <summary>What a rollback could not put back, and what someone must do about it.</summary>
    internal sealed class RollbackReport
    {
        public List<string> Problems { get; } = new List<string>();
        /// <summary>Exact commands left to run by hand (e.g. the Restore-OdooDatabase line).</summary>
        public List<string> ToDo { get; } = new List<string>();
        public bool DatabaseRestored { get; set; }
        public bool Complete => Problems.Count == 0;
    }

    /// <summary>
    /// One step of a deploy: it describes itself for the plan, executes, and compensates (undoes its own
    /// effect) when a later step fails. Steps are small and know their own target script and its parser.
    /// </summary>
    internal abstract class DeployStep
    {
        public abstract string Name { get; }

        /// <summary>The step's line of the plan (also when it will be skipped).</summary>
        public abstract string Describe(DeployRun run);

        /// <summary>Null when the step runs; else why it is skipped (recorded in the ledger).</summary>
        public virtual string? SkipReason(DeployRun run) => null;

        /// <summary>Does the work; returns the ledger detail. Throws <see cref="DeployException"/> on failure.</summary>
        public abstract Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct);

        /// <summary>Undoes this step's effect (runs with no cancellation; reports, never throws).</summary>
        public virtual Task CompensateAsync(DeployRun run, RollbackReport report) => Task.CompletedTask;

        /// <summary>True when a failure of this step may already have changed the target (then it is compensated too).</summary>
        public virtual bool MayActOnFailure => false;

        /// <summary>True when, once run, users see something else than before (a failure after it is a rollback, not just a failure).</summary>
        public virtual bool Activates => false;
    }

    /// <summary>The end of a run of steps: null FailedStep = all ran.</summary>
    internal sealed class StepOutcome
    {
        public string? FailedStep { get; set; }
        public DeployException? Error { get; set; }
        public RollbackReport? Rollback { get; set; }
        public bool Activated { get; set; }
        public bool Cancelled { get; set; }
    }

    /// <summary>Runs steps in order; on the first failure undoes the completed ones in reverse.</summary>
    internal static class StepRunner
    {
        public static async Task<StepOutcome> RunAsync(IReadOnlyList<DeployStep> steps, DeployRun run, string activity, CancellationToken ct)
        {
            var done = new List<DeployStep>();
            var outcome = new StepOutcome();
            for (int i = 0; i < steps.Count; i++)
            {
                DeployStep step = steps[i];
                string? skip = step.SkipReason(run);
                if (skip != null) { run.Note(step.Name, "skipped", skip); continue; }
                run.Log.Progress(activity, step.Name, i * 100 / steps.Count);
                try
                {
                    ct.ThrowIfCancellationRequested();
                    string? detail = await step.ExecuteAsync(run, ct).ConfigureAwait(false);
                    run.Note(step.Name, "ok", detail);
                    done.Add(step);
                }
                catch (Exception ex)
                {
                    outcome.Cancelled = ex is OperationCanceledException;
                    outcome.FailedStep = ex.Data["step"] as string ?? step.Name;
                    outcome.Error = ex as DeployException ?? (outcome.Cancelled
                        ? new DeployException("DeployCancelled", ErrorCategory.OperationStopped, $"cancelled during step '{step.Name}'", step.Name, ex)
                        : new DeployException("DeployStepFailed", ErrorCategory.NotSpecified, ex.Message, step.Name, ex));
                    run.Note(outcome.FailedStep, "failed", outcome.Error.ErrorId);
                    run.Record.FailedStep = outcome.FailedStep;
                    if (step.MayActOnFailure || outcome.Cancelled) done.Add(step);
                    break;
                }
            }
            if (outcome.FailedStep == null) return outcome;
            outcome.Activated = done.Any(s => s.Activates);
            outcome.Rollback = new RollbackReport();
            if (done.Count > 0)
            {
                run.Log.Warning($"step '{outcome.FailedStep}' failed: {outcome.Error!.Message}; undoing {DeployRun.List(done.Select(s => s.Name).Reverse())}");
                for (int i = done.Count - 1; i >= 0; i--)
                {
                    try { await done[i].CompensateAsync(run, outcome.Rollback).ConfigureAwait(false); }
                    catch (Exception ex) { outcome.Rollback.Problems.Add($"undoing '{done[i].Name}' failed: {ex.Message}"); }
                }
            }
            return outcome;
        }
    }
}
