using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Deploy.Steps
{
    /// <summary>Uploads the package to a temporary name, verifies its sha256 on the target and extracts it
    /// into releases/&lt;id&gt; (temp folder + rename). Undo: remove the upload and the release if it is not active.</summary>
    internal sealed class UploadStep : DeployStep
    {
        public override string Name => "upload";

        public override string Describe(DeployRun run)
        {
            DeployPackage pkg = run.Request!.Package; DeployPlan p = run.Plan;
            return p.Upload ? $"upload {Path.GetFileName(pkg.Path)} ({pkg.Size} bytes), verify sha256 {pkg.Sha256.Substring(0, 12)}…, extract into releases/{p.Release}"
                            : $"upload: none (release {p.Release} already holds this package)";
        }

        public override string? SkipReason(DeployRun run) => run.Plan.Upload ? null : "release already active";

        public override bool MayActOnFailure => true;

        public override async Task<string?> ExecuteAsync(DeployRun run, CancellationToken ct)
        {
            DeployPackage pkg = run.Request!.Package; string release = run.Plan.Release;
            run.Upload = $"releases/.upload-{release}.zip";
            try
            {
                using var file = File.OpenRead(pkg.Path);
                await run.Transport.UploadAsync(file, run.Settings.Root + "/" + run.Upload,
                    new Progress<long>(n => run.Log.Progress("Upload", $"{n}/{pkg.Size} bytes", (int)(n * 100 / Math.Max(1, pkg.Size)))), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is DeployException))
            {
                throw new DeployException(ErrorIds.UploadFailed, ErrorKind.ConnectionError, $"uploading {pkg.Path} to {run.Transport.Description} failed: {ex.Message}", pkg.Path, ex);
            }
            run.NewRelease = release;
            CommandResult x = await run.RunAsync(Script(run.Scripts, run.Upload, release, pkg.Sha256), ct).ConfigureAwait(false);
            if (x.Succeeded) run.Upload = null;
            Check(x, run, pkg);
            return $"{pkg.Size} bytes, releases/{release}";
        }

        public override async Task CompensateAsync(DeployRun run, RollbackReport report)
        {
            string? release = run.NewRelease != null && run.Record.ActiveRelease != run.NewRelease ? run.NewRelease : null;
            if (run.Upload == null && release == null) return;
            await run.TryRunAsync(Cleanup(run.Scripts, run.Upload, release)).ConfigureAwait(false);
        }

        /// <summary>In the job: the release extracted by this deploy goes when it is not the active one.</summary>
        public override System.Collections.Generic.IEnumerable<JobAction> JobUndo(DeployRun run)
        {
            if (run.NewRelease == null) return Array.Empty<JobAction>();
            return new[] { new JobAction(Cleanup(run.Scripts, null, run.NewRelease), "removing the unused release failed", condition: "[ \"$ACTIVE\" != " + TargetScripts.Q(run.NewRelease) + " ]") };
        }

        // ---- the target script and its parser

        internal static string Script(TargetScripts s, string upload, string releaseId, string sha256) => s.Wrap(
            "cd \"$ROOT\" || exit 20\n" +
            "UP=" + TargetScripts.Q(upload) + "; REL=" + TargetScripts.Q(releaseId) + "; SHA=" + TargetScripts.Q(sha256) + "\n" +
            "got=$(sha256sum \"$UP\" | cut -d' ' -f1)\n" +
            "if [ \"$got\" != \"$SHA\" ]; then echo \"@@SHA_MISMATCH $got\"; rm -f \"$UP\"; exit 41; fi\n" +
            "list=$(unzip -Z1 \"$UP\") || { echo '@@UNREADABLE'; rm -f \"$UP\"; exit 42; }\n" +
            "if printf '%s\\n' \"$list\" | grep -qE '^/|(^|/)\\.\\.(/|$)|\\\\'; then echo '@@UNSAFE'; printf '%s\\n' \"$list\" | grep -E '^/|(^|/)\\.\\.(/|$)|\\\\' | head -n 3; rm -f \"$UP\"; exit 43; fi\n" +
            "TMP=\"releases/.$REL.tmp\"; rm -rf \"$TMP\"; mkdir -p \"$TMP\" || { echo '@@EXTRACT_FAILED'; rm -f \"$UP\"; exit 44; }\n" +
            "if ! unzip -q -o \"$UP\" -d \"$TMP\" 2>&1 || ! printf '%s\\n' \"$SHA\" > \"$TMP/.influencegen-package.sha256\"; then\n" +
            "  echo '@@EXTRACT_FAILED'; rm -rf \"$TMP\"; rm -f \"$UP\"; exit 44; fi\n" +
            "rm -rf \"releases/$REL\"; mv -T \"$TMP\" \"releases/$REL\" || { echo '@@EXTRACT_FAILED'; rm -rf \"$TMP\"; rm -f \"$UP\"; exit 44; }\n" +
            "rm -f \"$UP\"\necho '@@EXTRACTED'\n", database: false);

        private static void Check(CommandResult x, DeployRun run, DeployPackage pkg)
        {
            if (x.Stdout.Contains("@@SHA_MISMATCH"))
                throw new DeployException(ErrorIds.PackageChecksumMismatch, ErrorKind.InvalidData,
                    $"the package arrived on {run.Transport.Description} with another sha256 ({TargetScripts.Marker(x.Stdout, "@@SHA_MISMATCH")}) than sent ({pkg.Sha256}); nothing was extracted", pkg.Path)
                { Data = { ["step"] = "verify" } };
            if (x.Stdout.Contains("@@UNSAFE"))
                throw new DeployException(ErrorIds.UnsafeZipEntry, ErrorKind.SecurityError, $"the target refused unsafe entries in the package: {DeployRun.Tail(x.Stdout)}", pkg.Path) { Data = { ["step"] = "verify" } };
            if (!x.Succeeded)
                throw new DeployException(ErrorIds.ExtractFailed, ErrorKind.WriteError,
                    $"extracting into {run.Settings.Root}/releases/{run.Plan.Release} failed (exit {x.ExitCode}): {DeployRun.Tail(x.Stdout + x.Stderr)}", run.Settings.Root) { Data = { ["step"] = "extract" } };
        }

        internal static string Cleanup(TargetScripts s, string? upload, string? releaseId)
        {
            var b = new System.Text.StringBuilder("cd \"$ROOT\" || exit 0\n");
            if (upload != null) b.Append("rm -f ").Append(TargetScripts.Q(upload)).Append('\n');
            if (releaseId != null) b.Append("rm -rf ").Append(TargetScripts.Q("releases/." + releaseId + ".tmp")).Append(' ').Append(TargetScripts.Q("releases/" + releaseId)).Append('\n');
            return s.Wrap(b.ToString(), database: false);
        }
    }
}
