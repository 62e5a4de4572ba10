using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
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
        /// <summary>The scripts' builder (the target job swaps in one without the password while it writes its files).</summary>
        public TargetScripts Scripts { get; set; }
        /// <summary>Between health probes.</summary>
        public TimeSpan HealthInterval { get; set; } = TimeSpan.FromMilliseconds(500);
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

        // ---- on the target, in the detached job (<see cref="TargetJob"/>)

        /// <summary>The step's script when it runs in the target job; null = the step runs only from the client.</summary>
        public virtual string? TargetScript(DeployRun run) => null;

        /// <summary>Reads what the step's target script answered (from the job or a round trip): the ledger detail,
        /// or throws the step's <see cref="DeployException"/>.</summary>
        public virtual string? Interpret(DeployRun run, CommandResult result) => null;

        /// <summary>Bash run in the job after the step succeeded (sets the job's record variables, e.g. ACTIVE).</summary>
        public virtual string JobOnOk(DeployRun run) => string.Empty;

        /// <summary>The ledger detail the job records when the step succeeded.</summary>
        public virtual string? JobDetail(DeployRun run) => null;

        /// <summary>What undoes the step in the job, in order (none = nothing to undo).</summary>
        public virtual IEnumerable<JobAction> JobUndo(DeployRun run) => Array.Empty<JobAction>();

        /// <summary>True when the job may stop the step's command when the client asks for a rollback (the
        /// compensation undoes it anyway); false for steps that must run to their end (switch, restart).</summary>
        public virtual bool Interruptible => false;

        /// <summary>The error id the job writes to the ledger when the step fails.</summary>
        public virtual string JobErrorId => ErrorIds.DeployStepFailed;
    }

    /// <summary>One act of a rollback in the target job: a script, bash run when it worked, and when it did not,
    /// the problem recorded (RollbackIncomplete) and what someone must run by hand.</summary>
    internal sealed class JobAction
    {
        public JobAction(string script, string problem, string onOk = "", string? toDo = null, string? condition = null)
        {
            Script = script; Problem = problem; OnOk = onOk; ToDo = toDo; Condition = condition;
        }
        public string Script { get; }
        public string Problem { get; }
        public string OnOk { get; }
        public string? ToDo { get; }
        /// <summary>A bash test: the action runs only when it holds (e.g. the release is not active).</summary>
        public string? Condition { get; }
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
                        ? new DeployException(ErrorIds.DeployCancelled, ErrorKind.OperationStopped, $"cancelled during step '{step.Name}'", step.Name, ex)
                        : new DeployException(ErrorIds.DeployStepFailed, ErrorKind.NotSpecified, ex.Message, step.Name, ex));
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
