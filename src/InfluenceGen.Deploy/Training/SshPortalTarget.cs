using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Infrastructure.Ssh;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>
    /// The portal on a web server, over the module's SSH transport, Capistrano style:
    /// <code>
    /// DIR/releases/&lt;id&gt;/…            one complete portal per publish
    /// DIR/releases/&lt;id&gt;.manifest     "sha256 size path" per file: what the next publish compares with
    /// DIR/current -&gt; releases/&lt;id&gt;   the web server serves DIR/current
    /// </code>
    /// A publish stages DIR/releases/.incoming-&lt;id&gt; with every unchanged file hard-linked from the
    /// served release (cp -al, then the changed and removed ones unlinked), uploads only new and changed
    /// files (SFTP, bounded parallelism, each retried through the one retry policy), verifies their
    /// SHA-256 there, and only then renames the folder and switches <c>current</c> atomically
    /// (<c>ln -s</c> to a temporary name, <c>mv -T</c>). Old releases beyond N are pruned. A publish that
    /// fails or is cut off leaves <c>current</c> untouched; its staging folder is removed by a later publish.
    /// Every script goes to <c>bash -s</c> on stdin: no path list or secret on a command line.
    /// <para>With a <see cref="TrainingReleaseCache"/> a publish from the same machine plans against the
    /// release it recorded last time (no read first; the SSH handshake runs meanwhile) and a small change is
    /// one script: check that <c>current</c> is still that release with that manifest hash, stage, unpack,
    /// verify, switch. The new manifest is built on the target from the previous one (only changed lines
    /// travel) and checked against the hash computed here. When the target serves something else the script
    /// changes nothing and answers the real state (<see cref="TargetStateChangedException"/>).</para>
    /// </summary>
    public sealed class SshPortalTarget : IPortalTarget
    {
        private readonly ITargetTransport _transport;
        private readonly string _dir;
        private readonly int _keep;
        private readonly RetryPolicy _retry;
        private readonly string _release;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _inlineFiles = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        private readonly HashSet<string> _sentInBatches = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<string> _batchFiles = new List<string>();
        private string? _staging;
        private readonly int _concurrency;
        private readonly TrainingReleaseCache? _releases;
        /// <summary>The served release's manifest, byte for byte (from the read or the record).</summary>
        private TrainingReleaseCache.Record? _served;
        private Task? _connecting;

        /// <summary>Files up to this size travel in tar batches (one `tar -x` per batch) instead of one SFTP
        /// transfer each; larger files go over SFTP.</summary>
        public const long SmallFile = 1024 * 1024;
        /// <summary>Raw bytes of one tar batch.</summary>
        public const long BatchBytes = 8 * 1024 * 1024;

        /// <summary>Changes up to this size travel inside the one script that stages and switches the
        /// release (a tar stream, base64 on stdin): no SFTP session, one round trip after reading the
        /// manifest. (Larger ones go over SFTP, which moves bulk data far faster than a command's stdin.)</summary>
        public const long InlineLimit = 512 * 1024;

        public SshPortalTarget(ITargetTransport transport, string targetDir, int keepReleases, RetryPolicy? retry = null, string? releaseId = null, int concurrency = 4,
            TrainingReleaseCache? releases = null)
        {
            _releases = releases;
            _concurrency = Math.Max(1, Math.Min(8, concurrency));
            _transport = transport;
            _dir = targetDir.TrimEnd('/');
            _keep = Math.Max(2, keepReleases);
            _retry = retry ?? RetryPolicy.Default;
            // Names sort in creation order (the prune keeps the newest by name): milliseconds, so two publishes within one
            // second do not fall back on the random suffix's order.
            _release = releaseId ?? DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);
        }

        public string Kind => "WEBSERVER_SSH";
        public string Description => $"{_transport.Description}:{_dir}";
        /// <summary>The release this publish creates.</summary>
        public string ReleaseId => _release;
        private string Incoming => $"{_dir}/releases/.incoming-{_release}";
        public string TargetOf(string relativePath) => $"{_dir}/releases/{_release}/{relativePath}";
        private static string Q(string s) => TargetTransportExtensions.ShellQuote(s);

        /// <summary>A script fragment that prints the served release ("release ID" or "release -"), its
        /// manifest's hash ("sha HEX") and the manifest; $D is the target folder.</summary>
        private const string StateScript = @"if [ -L ""$D/current"" ]; then
  t=$(readlink ""$D/current""); r=${t##*/}
  echo ""release $r""
  if [ -f ""$D/releases/$r.manifest"" ] && [ -d ""$D/releases/$r"" ]; then
    echo ""sha $(sha256sum < ""$D/releases/$r.manifest"" | cut -c1-64)""
    cat ""$D/releases/$r.manifest""
  fi
elif [ -e ""$D/current"" ]; then
  echo ""$D/current exists and is not a symlink: move it away (the portal is served from $D/current -> releases/<id>)"" >&2; exit 3
else
  echo 'release -'
fi
";

        /// <summary>Staging folders of publishes cut off more than an hour ago go (find runs only when there is one:
        /// the glob is the shell's own, no process).</summary>
        private const string CleanupScript = "set -- \"$D\"/releases/.incoming-*\nif [ -e \"$1\" ]; then find \"$D/releases\" -mindepth 1 -maxdepth 1 -name '.incoming-*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true; fi\n";

        public async Task<RemoteState> ReadAsync(IDeployLog log, CancellationToken cancellationToken)
        {
            // One round trip: the served release and its manifest.
            string script = "set -eu\nD=" + Q(_dir) + "\nmkdir -p \"$D/releases\"\n" + CleanupScript + StateScript;
            CommandResult r = await Script(script, "read the served release of " + Description, cancellationToken).ConfigureAwait(false);
            return Served(r.Stdout);
        }

        /// <summary>Parses <see cref="StateScript"/>'s answer, keeps the manifest as served and records it.</summary>
        private RemoteState Served(string stdout)
        {
            string? release = null, sha = null;
            int pos = 0;
            while (pos < stdout.Length)
            {
                int eol = stdout.IndexOf('\n', pos);
                string line = eol < 0 ? stdout.Substring(pos) : stdout.Substring(pos, eol - pos);
                if (line.StartsWith("release ", StringComparison.Ordinal)) { string id = line.Substring(8).Trim(); release = id == "-" ? null : id; }
                else if (line.StartsWith("sha ", StringComparison.Ordinal)) sha = line.Substring(4).Trim();
                else if (line.Length > 0) break;
                pos = eol < 0 ? stdout.Length : eol + 1;
            }
            string manifest = stdout.Substring(pos);
            _served = release != null && sha != null && string.Equals(Hashing.Sha256Hex(manifest), sha, StringComparison.OrdinalIgnoreCase)
                ? new TrainingReleaseCache.Record(release, sha.ToLowerInvariant(), manifest) : null;
            if (_served != null) _releases?.Save(Description, _served);
            else _releases?.Forget(Description);
            return new RemoteState(ParseManifest(release != null ? manifest : string.Empty), release);
        }

        private static Dictionary<string, RemoteFile> ParseManifest(string manifest)
        {
            var files = new Dictionary<string, RemoteFile>(StringComparer.Ordinal);
            foreach (string line in manifest.Split('\n'))
            {
                string[] parts = line.Split(new[] { '\t' }, 3);
                if (parts.Length != 3 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long size)) continue;
                files[parts[2]] = new RemoteFile(parts[2], size, sha256: parts[0]);
            }
            return files;
        }

        public RemoteState? Recorded(IDeployLog log, CancellationToken cancellationToken)
        {
            // The handshake (key exchange, host key check, authentication) starts first and runs while the record
            // is read and the source compared; without a record, ReadAsync's script goes over that connection.
            if (_connecting == null && _transport is SshTransport ssh) _connecting = ssh.ConnectAsync(cancellationToken);
            TrainingReleaseCache.Record? record = _releases?.Load(Description);
            if (record == null) return null;
            _served = record;
            return new RemoteState(ParseManifest(record.Manifest), record.Release) { Assumed = true };
        }

        /// <summary>A script fragment (after D=…) that stops with exit 75 and the served state unless the target
        /// still serves <paramref name="state"/>'s release with the manifest recorded for it.</summary>
        private string Guard(RemoteState state)
        {
            if (!state.Assumed) return string.Empty;
            if (_served == null || state.Release != _served.Release) throw new InvalidOperationException("an assumed state without its record");
            // current is a symlink to that release's folder (-ef: the same directory), and its manifest has the recorded
            // hash: shell tests and one sha256sum, no command substitution (each one a fork, each tool an exec).
            return "E=" + Q(_served.Release) + "\nS=" + Q(_served.ManifestSha256) + "\n" +
                   "if ! { [ -L \"$D/current\" ] && [ \"$D/current\" -ef \"$D/releases/$E\" ] && " +
                   "sha256sum --status -c - <<<\"$S  $D/releases/$E.manifest\" 2>/dev/null; }; then\n" +
                   "echo moved\n" + StateScript + "exit 75\nfi\n" + CleanupScript;
        }

        public async Task VerifyAsync(RemoteState state, IDeployLog log, CancellationToken cancellationToken)
        {
            if (!state.Assumed) return;
            await Script("set -eu\nD=" + Q(_dir) + "\n" + Guard(state) + "echo same\n", "check the served release of " + Description, cancellationToken, state).ConfigureAwait(false);
            log.Verbose($"{Description} still serves release {state.Release}");
        }

        public Task<bool> SameContentAsync(TrainingFile file, RemoteFile remote, IDeployLog log, CancellationToken cancellationToken) =>
            Task.FromResult(remote.Size == file.Length && string.Equals(remote.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase));

        public async Task BeginAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken)
        {
            // Stage: a new folder with the served release hard-linked in (cp -al: one process for
            // all files), minus the files that change or go; then the folders the uploads need.
            _staging = null;
            _inlineFiles.Clear();
            _sentInBatches.Clear();
            _batchFiles.Clear();
            var sb = new StringBuilder();
            sb.Append("set -eu\nD=").Append(Q(_dir)).Append('\n').Append(Guard(plan.Remote)).Append("N=").Append(Q(Incoming)).Append('\n');
            // Every process on the target counts in a small publish (a fork and an exec each): the copy is one cp
            // creating $N, short lists are arguments of one rm, and the inline tar creates the folders it needs.
            sb.Append("if [ -e \"$N\" ]; then rm -rf \"$N\"; fi\n");
            if (plan.Remote.Release != null)
                sb.Append("P=\"$D/releases/\"").Append(Q(plan.Remote.Release)).Append("\nif [ -d \"$P\" ]; then cp -al \"$P\" \"$N\"; else mkdir -p \"$N\"; fi\n");
            else
                sb.Append("mkdir -p \"$N\"\n");
            IEnumerable<string> unlink = plan.Items.Where(i => i.Action == TrainingFileAction.Update || i.Action == TrainingFileAction.Delete).Select(i => i.Path);
            AppendCommand(sb, "rm -f --", unlink);
            if (plan.Transfers.Sum(t => t.Size) <= InlineLimit)
            {
                _staging = sb.ToString();   // sent with the files and the switch, in one script (CommitAsync)
                return;
            }
            // SFTP and the tar batches need the folders first.
            IEnumerable<string> dirs = plan.Transfers.Select(t => t.Path).Where(p => p.Contains('/')).Select(p => p.Substring(0, p.LastIndexOf('/'))).Distinct(StringComparer.Ordinal);
            AppendCommand(sb, "mkdir -p --", dirs);
            await Script(sb.ToString(), "stage release " + _release, cancellationToken, plan.Remote).ConfigureAwait(false);

            // Many small files: a few tar batches, in parallel, instead of one SFTP round trip each.
            var batches = new List<List<TrainingFileResult>>();
            long size = 0;
            foreach (TrainingFileResult t in plan.Transfers.Where(t => t.Size <= SmallFile))
            {
                if (batches.Count == 0 || size + t.Size > BatchBytes) { batches.Add(new List<TrainingFileResult>()); size = 0; }
                batches[batches.Count - 1].Add(t);
                size += t.Size;
            }
            using var gate = new SemaphoreSlim(_concurrency);
            await Task.WhenAll(batches.Select(async (batch, i) =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    string remote = $"{Incoming}.batch-{i + 1:000}.tar";
                    byte[] tar = Tar(batch.Select(b => (b.Path, ReadAll(b.Source!))));
                    await _retry.ExecuteAsync(async (_, ct) =>
                    {
                        await _transport.UploadAsync(new MemoryStream(tar, false), remote, null, ct).ConfigureAwait(false);
                        return true;
                    }, ex => ex is DeployException ? RetryDecision.Stop : RetryPolicy.ClassifyHttp(null, null, ex is Renci.SshNet.Common.SshException ? new IOException(ex.Message) : ex),
                       log, $"batch {i + 1} of {batches.Count}", cancellationToken).ConfigureAwait(false);
                    lock (_batchFiles) _batchFiles.Add(remote);
                }
                finally { gate.Release(); }
            })).ConfigureAwait(false);
            foreach (List<TrainingFileResult> batch in batches) foreach (TrainingFileResult t in batch) _sentInBatches.Add(t.Path);
            if (batches.Count > 0) log.Verbose($"{batches.Sum(b => b.Count)} small file(s) sent in {batches.Count} tar batch(es)");
        }

        private static byte[] Tar(IEnumerable<(string Path, byte[] Bytes)> files)
        {
            using var tar = new MemoryStream();
            var writer = new TarWriter(tar);
            foreach (var (path, bytes) in files) writer.AddFile(path, bytes);
            writer.Finish();
            return tar.ToArray();
        }

        /// <summary>A script fragment that unpacks <paramref name="files"/> into the staged release: a tar
        /// stream, base64 on stdin (one base64 and one tar process for all of them).</summary>
        private static string TarScript(IEnumerable<(string Path, byte[] Bytes)> files)
        {
            string marker = "IG_TAR_" + Guid.NewGuid().ToString("N");
            return "base64 -d <<'" + marker + "' | tar -x -f - -C \"$N\" --no-same-owner\n" +
                   Convert.ToBase64String(Tar(files), Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n") + "\n" + marker + "\n";
        }

        private static byte[] ReadAll(TrainingFile file)
        {
            byte[] bytes = new byte[file.Length];
            using Stream s = file.Open();
            int total = 0, n;
            while (total < bytes.Length && (n = s.Read(bytes, total, bytes.Length - total)) > 0) total += n;
            if (total != bytes.Length || s.ReadByte() >= 0)
                throw new DeployException(ErrorIds.TrainingSourceInvalid, ErrorKind.InvalidData, $"'{file.RelativePath}' changed while it was published", file.RelativePath);
            return bytes;
        }

        /// <summary>Runs <paramref name="command"/> on the paths (relative to $N): a few as its arguments (one process),
        /// more through xargs reading them from a here-document (no argument list limit).</summary>
        internal static void AppendCommand(StringBuilder sb, string command, IEnumerable<string> paths)
        {
            List<string> list = paths.ToList();
            if (list.Count == 0) return;
            if (list.Count > ArgumentPaths || list.Sum(p => p.Length) > ArgumentBytes)
            {
                AppendList(sb, "cd \"$N\" && xargs -r -d '\\n' " + command, list);
                return;
            }
            sb.Append(command);
            foreach (string p in list) sb.Append(" \"$N\"/").Append(Q(p));
            sb.Append('\n');
        }

        /// <summary>Paths given to one command as its arguments at most (beyond: xargs).</summary>
        internal const int ArgumentPaths = 64;
        private const int ArgumentBytes = 16 * 1024;

        private static void AppendList(StringBuilder sb, string command, IEnumerable<string> lines)
        {
            List<string> list = lines.ToList();
            if (list.Count == 0) return;
            string marker = "IG_LIST_" + Guid.NewGuid().ToString("N");
            sb.Append('(').Append(command).Append(") <<'").Append(marker).Append("'\n");
            foreach (string l in list) sb.Append(l).Append('\n');
            sb.Append(marker).Append('\n');
        }

        public async Task UploadAsync(TrainingFileResult item, IProgress<long> bytesSent, IDeployLog log, CancellationToken cancellationToken)
        {
            TrainingFile file = item.Source ?? throw new InvalidOperationException("no source for " + item.Path);
            string remote = $"{Incoming}/{file.RelativePath}";
            if (_sentInBatches.Contains(file.RelativePath)) { bytesSent.Report(file.Length); return; }
            if (_staging != null)
            {
                byte[] bytes = ReadAll(file);
                _inlineFiles[file.RelativePath] = bytes;
                bytesSent.Report(bytes.Length);
                return;
            }
            await _retry.ExecuteAsync(async (attempt, ct) =>
            {
                long reported = 0;
                var progress = new TrainingPublisher.Progress(total => { bytesSent.Report(total - reported); reported = total; });
                try
                {
                    using Stream s = file.Open();
                    await _transport.UploadAsync(s, remote, progress, ct).ConfigureAwait(false);
                    if (reported < file.Length) bytesSent.Report(file.Length - reported);
                }
                catch
                {
                    bytesSent.Report(-reported);
                    throw;
                }
                return true;
            }, ex => ex is DeployException ? RetryDecision.Stop : RetryPolicy.ClassifyHttp(null, null, ex is Renci.SshNet.Common.SshException ? new IOException(ex.Message) : ex),
               log, "upload " + file.RelativePath, cancellationToken).ConfigureAwait(false);
        }

        public Task DeleteAsync(IReadOnlyList<TrainingFileResult> items, IDeployLog log, CancellationToken cancellationToken)
        {
            // Removed files were left out of the staged release (BeginAsync); the switch makes it so.
            log.Verbose($"{items.Count} file(s) left out of release {_release}");
            return Task.CompletedTask;
        }

        public async Task<string> CommitAsync(TrainingPlan plan, IDeployLog log, CancellationToken cancellationToken)
        {
            var sb = new StringBuilder();
            if (_staging != null)
            {
                sb.Append(_staging);
                if (!_inlineFiles.IsEmpty)
                    sb.Append("set -o pipefail\n").Append(TarScript(_inlineFiles.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.Value))));
            }
            sb.Append("set -eu\nD=").Append(Q(_dir)).Append("\nN=").Append(Q(Incoming)).Append("\nR=").Append(Q(_release)).Append('\n');
            // 0. the tar batches sent over SFTP (beside the staged folder, not in it)
            foreach (string batch in _batchFiles.OrderBy(b => b, StringComparer.Ordinal))
                sb.Append("tar -x -f ").Append(Q(batch)).Append(" -C \"$N\" --no-same-owner && rm -f ").Append(Q(batch)).Append('\n');
            // 1. the uploaded bytes are what we hashed
            List<TrainingFileResult> sent = plan.Transfers.ToList();
            if (sent.Count > 0)
            {
                string marker = "IG_SUMS_" + Guid.NewGuid().ToString("N");
                sb.Append("sha256sum --quiet --strict -c - <<'").Append(marker).Append("'\n");
                foreach (TrainingFileResult t in sent) sb.Append(t.Source!.Sha256).Append("  ").Append(Incoming).Append('/').Append(t.Path).Append('\n');
                sb.Append(marker).Append('\n');
            }
            // 2. the manifest of the new release: the source's files, plus (without -Delete) the served
            //    release's files the source no longer has, which stay linked in.
            string manifest = AppendManifest(sb, plan);
            // 3. rename into place, switch current atomically, prune (never the served release)
            sb.Append(@"mv -T ""$N"" ""$D/releases/$R""
mv -T ""$D/releases/.$R.manifest.tmp"" ""$D/releases/$R.manifest""
ln -s ""releases/$R"" ""$D/.current.$R""
mv -T ""$D/.current.$R"" ""$D/current""
cd ""$D/releases""
LC_ALL=C
r=()
for x in *; do case ""$x"" in *.manifest) ;; *) if [ -e ""$x"" ]; then r+=(""$x""); fi ;; esac; done
old=()
i=$(( ${#r[@]} - ").Append(_keep).Append(@" ))
while [ ""$i"" -gt 0 ]; do i=$((i - 1)); if [ ""${r[$i]}"" != ""$R"" ]; then old+=(""${r[$i]}"" ""${r[$i]}.manifest""); fi; done
if [ ${#old[@]} -gt 0 ]; then rm -rf -- ""${old[@]}""; fi
echo ""switched $R""
");
            await Script(sb.ToString(), "switch " + Description + " to release " + _release, cancellationToken, _staging != null ? plan.Remote : null).ConfigureAwait(false);
            _served = new TrainingReleaseCache.Record(_release, Hashing.Sha256Hex(manifest), manifest);
            _releases?.Save(Description, _served);
            log.Verbose($"{_dir}/current -> releases/{_release}");
            return _release;
        }

        /// <summary>
        /// Appends the script part that writes the new release's manifest to $D/releases/.$R.manifest.tmp and
        /// returns its text. When the served release's manifest is known byte for byte, the target builds the
        /// new one from it (the lines of files that change or go dropped, those of new and changed files
        /// appended) and checks the result's hash against this text's: only the changed lines travel.
        /// Otherwise the whole manifest is sent (ordinal order).
        /// </summary>
        private string AppendManifest(StringBuilder sb, TrainingPlan plan)
        {
            string Line(string path, string sha, long size) => sha + "\t" + size.ToString(CultureInfo.InvariantCulture) + "\t" + path + "\n";
            TrainingReleaseCache.Record? previous = _served;
            if (previous != null && plan.Remote.Release == previous.Release && (previous.Manifest.Length == 0 || previous.Manifest.EndsWith("\n", StringComparison.Ordinal)))
            {
                var drop = new HashSet<string>(plan.Items.Where(i => i.Action == TrainingFileAction.Update || i.Action == TrainingFileAction.Delete).Select(i => i.Path), StringComparer.Ordinal);
                var text = new StringBuilder(previous.Manifest.Length + 256);
                foreach (string line in previous.Manifest.Split('\n'))
                {
                    if (line.Length == 0) continue;
                    string[] parts = line.Split(new[] { '\t' }, 4);
                    if (!(parts.Length >= 3 && drop.Contains(parts[2]))) text.Append(line).Append('\n');
                }
                var added = new StringBuilder();
                foreach (TrainingFileResult t in plan.Transfers.OrderBy(t => t.Path, StringComparer.Ordinal)) added.Append(Line(t.Path, t.Source!.Sha256, t.Source.Length));
                text.Append(added);
                string result = text.ToString();
                sb.Append("P=").Append(Q(previous.Release)).Append("\nM=\"$D/releases/.$R.manifest.tmp\"\n");
                // One awk (the dropped paths on its stdin, never empty here: NR == FNR only while reading it), the added
                // lines by the shell's printf, one sha256sum.
                if (drop.Count > 0)
                {
                    string dm = "IG_LIST_" + Guid.NewGuid().ToString("N");
                    sb.Append("awk -F'\\t' 'NR == FNR { d[$0] = 1; next } !($3 in d)' - \"$D/releases/$P.manifest\" > \"$M\" <<'").Append(dm).Append("'\n");
                    foreach (string p in drop.OrderBy(p => p, StringComparer.Ordinal)) sb.Append(p).Append('\n');
                    sb.Append(dm).Append('\n');
                }
                else
                    sb.Append("cp \"$D/releases/$P.manifest\" \"$M\"\n");
                if (added.Length > 0)
                    sb.Append("printf '%s' ").Append(Q(added.ToString())).Append(" >> \"$M\"\n");
                sb.Append("sha256sum --status -c - <<<\"").Append(Hashing.Sha256Hex(result))
                  .Append("  $M\" || { echo \"the manifest built from release $P's differs from the expected one: not switched\" >&2; exit 4; }\n");
                return result;
            }
            var manifest = new SortedDictionary<string, (string sha, long size)>(StringComparer.Ordinal);
            foreach (TrainingFileResult i in plan.Items.Where(i => i.Source != null)) manifest[i.Path] = (i.Source!.Sha256, i.Source.Length);
            bool deleting = plan.Items.Any(i => i.Action == TrainingFileAction.Delete);
            foreach (RemoteFile r in plan.Remote.Files.Values)
                if (!manifest.ContainsKey(r.Path) && !deleting) manifest[r.Path] = (r.Sha256 ?? string.Empty, r.Size);
            var full = new StringBuilder();
            foreach (var kv in manifest) full.Append(Line(kv.Key, kv.Value.sha, kv.Value.size));
            string mm = "IG_MANIFEST_" + Guid.NewGuid().ToString("N");
            sb.Append("cat > \"$D/releases/.$R.manifest.tmp\" <<'").Append(mm).Append("'\n").Append(full).Append(mm).Append('\n');
            return full.ToString();
        }

        /// <summary>Runs a script on the target. It is wrapped in a function called on its last line: bash
        /// reads a script from stdin as it goes, so a connection cut mid-script must not leave a truncated
        /// command to run; an incomplete function is a syntax error and nothing of it runs. A script that
        /// starts with <see cref="Guard"/> for an <paramref name="assumed"/> state and finds the target moved
        /// throws <see cref="TargetStateChangedException"/> with the served state (nothing was changed).</summary>
        private async Task<CommandResult> Script(string script, string what, CancellationToken cancellationToken, RemoteState? assumed = null)
        {
            CommandResult r;
            try
            {
                if (_connecting != null)
                {
                    Task connecting = _connecting;
                    _connecting = null;
                    await connecting.ConfigureAwait(false);
                }
                r = await _transport.RunScriptAsync("ig_publish_step() {\n" + script + "}\nig_publish_step\n", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!(ex is DeployException) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw new DeployException(ErrorIds.TrainingWebServerConnectionLost, ErrorKind.ConnectionError,
                    $"the connection to {_transport.Description} was lost during '{what}' ({ex.GetType().Name}: {ex.Message}); current stays on the release it served " +
                    "(a script cut off runs none of its commands), and the next publish completes this one", Description, ex);
            }
            if (assumed != null && assumed.Assumed && r.ExitCode == 75 && r.Stdout.StartsWith("moved\n", StringComparison.Ordinal))
            {
                RemoteState served = Served(r.Stdout.Substring(6));
                throw new TargetStateChangedException(served, served.Release == assumed.Release
                    ? $"{Description} serves release {served.Release} with another manifest than the one recorded by the last publish from here; nothing was changed"
                    : $"{Description} serves release {served.Release ?? "(none)"}, not {assumed.Release} as recorded by the last publish from here; nothing was changed");
            }
            if (!r.Succeeded)
                throw new DeployException(ErrorIds.TrainingWebServerScriptFailed, ErrorKind.InvalidResult,
                    $"{what} failed on {_transport.Description} (exit {r.ExitCode}): {r.Stderr.Trim()}", Description);
            return r;
        }

        public void Dispose() => _transport.Dispose();
    }
}
