using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Images
{
    /// <summary>
    /// Builds an image through the Docker Engine API (classic builder) from a streamed, deterministic
    /// context tar, tags it, and pushes each tag, reading the registry's digest from the push stream.
    /// The engine reports build and push failures only inside the JSON message stream (Docker.DotNet
    /// does not throw then), so every message is checked.
    /// </summary>
    public sealed class ImageBuildService
    {
        private readonly IDockerClient _docker;
        private readonly BuildFingerprintCache _fingerprints;

        public ImageBuildService(IDockerClient docker, BuildFingerprintCache fingerprints)
        {
            _docker = docker;
            _fingerprints = fingerprints;
        }

        /// <summary>Checks the registry login before anything is built (what <c>docker login</c> does).</summary>
        public async Task LoginAsync(RegistryCredential credential, IDeployLog log, CancellationToken ct)
        {
            log.Verbose($"Logging in to {credential.Server} as {credential.User}");
            try
            {
                await _docker.System.AuthenticateAsync(ToAuth(credential), ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new DeployException(ErrorIds.RegistryLoginFailed, ErrorKind.AuthenticationError,
                    $"the registry {credential.Server} refused the login of '{credential.User}': {ApiMessage(ex)}", credential.Server)
                { RecommendedAction = "Check -Credential or CI_REGISTRY_USER / CI_REGISTRY_PASSWORD." };
            }
        }

        /// <summary>
        /// Builds the image, or reuses the one built here from the same inputs (<see cref="BuildFingerprint"/>). For a
        /// build to be pushed with credentials, the registry login (<see cref="LoginAsync"/>) runs while the context is
        /// scanned and fingerprinted, and must have succeeded before anything is tagged or built.
        /// </summary>
        public async Task<InfluenceGenImage> BuildAsync(ImageBuildRequest request, IDeployLog log, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            RegistryCredential? credential = request.Push ? request.Credential : null;
            // On a pool thread: the client's first request (and its first-use cost) then overlaps the context's hashing.
            Task login = credential != null ? Task.Run(() => LoginAsync(credential, log, ct), ct) : Task.CompletedTask;
            try
            {
                return await BuildAfterLoginAsync(request, login, clock, log, ct).ConfigureAwait(false);
            }
            finally
            {
                // A login still running (or failed) when the scan failed: its outcome is not wanted any more.
                if (!login.IsCompleted) _ = login.ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
        }

        private async Task<InfluenceGenImage> BuildAfterLoginAsync(ImageBuildRequest request, Task login, Stopwatch clock, IDeployLog log, CancellationToken ct)
        {
            BuildContext context = BuildContext.Scan(request.ContextDirectory, request.Dockerfile);
            string dockerfilePath = Path.GetFullPath(Path.Combine(context.Directory, request.Dockerfile));
            DockerfileSteps steps = DockerfileSteps.Load(dockerfilePath);
            string[] references = request.References.ToArray();
            string shown = request.DisplayDockerfile ?? request.Dockerfile;
            log.Verbose($"Build context {context.Directory}: {context.FileCount} file(s), {context.TotalBytes} bytes" +
                        (context.Ignore.Count > 0 ? $", {context.Ignore.Count} .dockerignore pattern(s)" : string.Empty));
            log.Verbose($"Building {string.Join(", ", references)} from {shown}" +
                        (request.Target != null ? $" (target {request.Target})" : string.Empty));

            // An image this engine built from the same inputs is what this build would give again (every step
            // from the cache): then the context is not sent (BuildFingerprint).
            bool contextRemembered = false;
            string? fingerprint = await BuildFingerprint.ComputeAsync(context, steps, request, r => LocalImageIdAsync(r, ct),
                c => _fingerprints.ContextDigest(c, out contextRemembered)).ConfigureAwait(false);
            if (contextRemembered)
                log.Verbose("The context's files have the names, sizes and write times of a context hashed before: its digest is not computed again");
            await login.ConfigureAwait(false);
            if (fingerprint == null)
                log.Verbose("No build fingerprint (a base image named by an unresolved ARG, FROM --platform, a base not present here, or an ADD from a URL): building");
            else if (!request.NoCache)
            {
                InfluenceGenImage? reused = await ReuseAsync(request, references, fingerprint, context, shown, log, ct).ConfigureAwait(false);
                if (reused != null)
                {
                    reused.Duration = clock.Elapsed;
                    return reused;
                }
            }

            var parameters = new ImageBuildParameters
            {
                Dockerfile = context.DockerfileName,
                Tags = references.ToList(),
                BuildArgs = new Dictionary<string, string>(request.BuildArgs),
                Labels = new Dictionary<string, string>(request.Labels),
                Target = string.IsNullOrEmpty(request.Target) ? null : request.Target,
                NoCache = request.NoCache ? true : (bool?)null,
                Platform = string.IsNullOrEmpty(request.Platform) ? null : request.Platform,
                NetworkMode = string.IsNullOrEmpty(request.NetworkMode) ? null : request.NetworkMode,
                Remove = true,
                Version = "1",
            };
            var monitor = new BuildMonitor(steps, shown, log, request.FailureContextLines);
            IEnumerable<AuthConfig> auths = request.Credential == null ? Enumerable.Empty<AuthConfig>() : new[] { ToAuth(request.Credential) };
            using (Stream tar = context.OpenTar())
            {
                try
                {
                    await _docker.Images.BuildImageFromDockerfileAsync(parameters, tar, auths, new Dictionary<string, string>(), monitor, ct).ConfigureAwait(false);
                }
                catch (DockerApiException ex)
                {
                    throw monitor.Failure(ApiMessage(ex));
                }
            }
            monitor.ThrowIfFailed();

            ImageInspectResponse image;
            try
            {
                image = await _docker.Images.InspectImageAsync(references[0], ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new DeployException(ErrorIds.ImageBuildFailed, ErrorKind.InvalidResult,
                    $"the build of {shown} reported success but {references[0]} cannot be inspected: {ApiMessage(ex)}", references[0]);
            }
            log.Verbose($"Built {image.ID} ({monitor.Steps} step(s), {monitor.CachedSteps} from cache) in {clock.Elapsed.TotalSeconds:0.0} s");
            if (fingerprint != null) _fingerprints.Remember(fingerprint, image.ID);
            InfluenceGenImage built = Result(request, image.ID, shown, context);
            built.Steps = monitor.Steps;
            built.CachedSteps = monitor.CachedSteps;
            built.Duration = clock.Elapsed;
            return built;
        }

        private async Task<string?> LocalImageIdAsync(string reference, CancellationToken ct)
        {
            try
            {
                return (await _docker.Images.InspectImageAsync(reference, ct).ConfigureAwait(false)).ID;
            }
            catch (DockerImageNotFoundException)
            {
                return null;
            }
        }

        /// <summary>The image this engine built from <paramref name="fingerprint"/>, tagged as asked (as the build
        /// would), or null: then the build runs.</summary>
        private async Task<InfluenceGenImage?> ReuseAsync(ImageBuildRequest request, string[] references, string fingerprint,
            BuildContext context, string shown, IDeployLog log, CancellationToken ct)
        {
            string? id = _fingerprints.ImageFor(fingerprint);
            if (id == null) return null;
            ImageInspectResponse existing;
            try
            {
                existing = await _docker.Images.InspectImageAsync(id, ct).ConfigureAwait(false);
            }
            catch (DockerImageNotFoundException)
            {
                return null;
            }
            if (existing.ID != id) return null;
            // Built here by the classic builder: its parent (the previous step's image) is present, as the step cache
            // needs; a pulled or loaded image's history shows "<missing>" there.
            IList<ImageHistoryResponse> history = await _docker.Images.GetImageHistoryAsync(id, ct).ConfigureAwait(false);
            if (history.Count < 2 || history[1].ID == null || !history[1].ID.StartsWith("sha256:", StringComparison.Ordinal)) return null;
            foreach (string reference in references)
            {
                // Tags the image already carries need no request (a name the engine spells otherwise is tagged again: harmless).
                if (existing.RepoTags != null && existing.RepoTags.Contains(reference)) continue;
                int colon = reference.LastIndexOf(':');
                await _docker.Images.TagImageAsync(existing.ID, new ImageTagParameters { RepositoryName = reference.Substring(0, colon), Tag = reference.Substring(colon + 1) }, ct).ConfigureAwait(false);
                log.Verbose($"Tagged {reference}");
            }
            log.Verbose($"Unchanged: {existing.ID} was built here from this context, Dockerfile, build arguments, labels and base images " +
                        $"(fingerprint {fingerprint.Substring(7, 12)}); not sending the context again");
            InfluenceGenImage reused = Result(request, existing.ID, shown, context);
            reused.Reused = true;
            return reused;
        }

        /// <summary>The result of a build or a reuse: the image, its tags (digests come with the push) and the context sent.</summary>
        private static InfluenceGenImage Result(ImageBuildRequest request, string imageId, string shown, BuildContext context) => new InfluenceGenImage
        {
            Repository = request.Repository,
            ImageId = imageId,
            Tags = request.Tags.ToArray(),
            TagResults = request.Tags.Select(t => new ImageTagResult { Tag = t, Reference = request.Repository + ":" + t }).ToArray(),
            Dockerfile = shown,
            Context = context.Directory,
            ContextFiles = context.FileCount,
            ContextBytes = context.TotalBytes,
            Labels = new SortedDictionary<string, string>(request.Labels, StringComparer.Ordinal),
        };

        /// <summary>Pushes every tag of <paramref name="image"/> and records the digest the registry reported.</summary>
        public async Task<InfluenceGenImage> PushAsync(InfluenceGenImage image, RegistryCredential? credential, IDeployLog log, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            AuthConfig auth = credential == null ? new AuthConfig() : ToAuth(credential);
            foreach (ImageTagResult tag in image.TagResults)
            {
                log.Verbose($"Pushing {tag.Reference}");
                var monitor = new PushMonitor(tag.Reference, log);
                try
                {
                    await _docker.Images.PushImageAsync(image.Repository, new ImagePushParameters { Tag = tag.Tag }, auth, monitor, ct).ConfigureAwait(false);
                }
                catch (DockerApiException ex)
                {
                    throw PushFailed(tag.Reference, ApiMessage(ex));
                }
                if (monitor.Error != null) throw PushFailed(tag.Reference, monitor.Error);
                if (monitor.Digest == null) throw PushFailed(tag.Reference, "the engine reported no digest for the pushed manifest");
                tag.Digest = monitor.Digest;
                tag.PinnedReference = image.Repository + "@" + monitor.Digest;
                log.Verbose($"Pushed {tag.Reference}: {monitor.Digest}");
            }
            image.Pushed = true;
            image.Digest = image.TagResults.Select(t => t.Digest).FirstOrDefault();
            image.Duration += clock.Elapsed;
            return image;
        }

        private static DeployException PushFailed(string reference, string why) =>
            new DeployException(ErrorIds.ImagePushFailed, ErrorKind.WriteError, $"pushing {reference} failed: {why}", reference)
            { RecommendedAction = "Check the registry address, the credentials (-Credential or CI_REGISTRY_USER / CI_REGISTRY_PASSWORD) and the tag." };

        private static AuthConfig ToAuth(RegistryCredential c) =>
            new AuthConfig { Username = c.User, Password = c.Password, ServerAddress = c.Server };

        internal static string ApiMessage(DockerApiException ex)
        {
            string body = ex.ResponseBody ?? string.Empty;
            Match m = Regex.Match(body, "\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
            string text = m.Success ? Regex.Unescape(m.Groups[1].Value) : body.Trim();
            return text.Length > 0 ? text : $"{(int)ex.StatusCode} {ex.StatusCode}";
        }

        /// <summary>Reads the build's message stream: output to verbose, steps to progress, the first error kept.</summary>
        private sealed class BuildMonitor : IProgress<JSONMessage>
        {
            private static readonly Regex StepLine = new Regex(@"^Step (\d+)/(\d+) : (.*)$");
            private static readonly Regex Ansi = new Regex("\u001b\\[[0-9;]*[A-Za-z]");
            private readonly DockerfileSteps _steps;
            private readonly string _dockerfile;
            private readonly IDeployLog _log;
            private readonly int _keep;
            private readonly Queue<string> _lastLines = new Queue<string>();
            private string _partial = string.Empty;
            private string? _error;
            private int _step, _total;
            private string _stepText = string.Empty;

            public BuildMonitor(DockerfileSteps steps, string dockerfile, IDeployLog log, int keep)
            {
                _steps = steps; _dockerfile = dockerfile; _log = log; _keep = Math.Max(1, keep);
            }

            public int Steps => _step;
            public int CachedSteps { get; private set; }

            public void Report(JSONMessage value)
            {
                if (value.Stream != null) Output(value.Stream);
                if (!string.IsNullOrEmpty(value.Status))
                    _log.Progress("Building image", (value.ID != null ? value.ID + ": " : string.Empty) + value.Status, Percent());
                if (value.Error != null && _error == null)
                    _error = string.IsNullOrEmpty(value.Error.Message) ? "the engine reported an error without a message" : value.Error.Message;
            }

            private void Output(string text)
            {
                _partial += text;
                int nl;
                while ((nl = _partial.IndexOf('\n')) >= 0)
                {
                    string line = Ansi.Replace(_partial.Substring(0, nl), string.Empty).TrimEnd('\r');
                    _partial = _partial.Substring(nl + 1);
                    Line(line);
                }
            }

            private void Line(string line)
            {
                if (line.Length == 0) return;
                _log.Verbose(line);
                Match step = StepLine.Match(line);
                if (step.Success)
                {
                    _step = int.Parse(step.Groups[1].Value);
                    _total = int.Parse(step.Groups[2].Value);
                    _stepText = step.Groups[3].Value;
                    _lastLines.Clear();
                    _log.Progress("Building image", $"Step {_step}/{_total}: {Shorten(_stepText)}", Percent());
                    return;
                }
                if (line.Trim() == "---> Using cache") CachedSteps++;
                _lastLines.Enqueue(line);
                while (_lastLines.Count > _keep) _lastLines.Dequeue();
            }

            private int Percent() => _total == 0 ? -1 : Math.Min(99, (_step - 1) * 100 / _total);

            private static string Shorten(string s) => s.Length > 80 ? s.Substring(0, 77) + "…" : s;

            public void ThrowIfFailed()
            {
                if (_partial.Length > 0) { Line(_partial); _partial = string.Empty; }
                if (_error != null) throw Failure(_error);
            }

            public DeployException Failure(string message)
            {
                if (_partial.Length > 0) { Line(_partial); _partial = string.Empty; }
                string where;
                DockerfileInstruction? instruction = _step > 0 ? _steps.Step(_step) : null;
                Match parse = Regex.Match(message, @"(?:line|Line) (\d+)");
                if (instruction != null)
                    where = $"{_dockerfile}:{instruction.Line}: step {_step}/{_total} `{Shorten(instruction.Text)}` failed";
                else if (_step == 0 && parse.Success)
                    where = $"{_dockerfile}:{parse.Groups[1].Value}: the Dockerfile was refused";
                else
                    where = $"{_dockerfile}: the build failed" + (_step > 0 ? $" at step {_step}/{_total} `{Shorten(_stepText)}`" : string.Empty);
                string output = _lastLines.Count == 0 ? string.Empty
                    : Environment.NewLine + "Last output of the step:" + Environment.NewLine + string.Join(Environment.NewLine, _lastLines.Select(l => "  " + l));
                return new DeployException(ErrorIds.ImageBuildFailed, ErrorKind.InvalidResult, $"{where}: {message.Trim()}{output}", _dockerfile);
            }
        }

        /// <summary>Reads a push's message stream: layer progress, the first error, the manifest digest.</summary>
        private sealed class PushMonitor : IProgress<JSONMessage>
        {
            private static readonly Regex DigestStatus = new Regex(@"digest: (sha256:[0-9a-f]{64})");
            private readonly string _reference;
            private readonly IDeployLog _log;
            private readonly Dictionary<string, (long Current, long Total)> _layers = new Dictionary<string, (long, long)>();

            public PushMonitor(string reference, IDeployLog log) { _reference = reference; _log = log; }

            public string? Error { get; private set; }
            public string? Digest { get; private set; }

            public void Report(JSONMessage value)
            {
                if (value.Error != null && Error == null)
                    Error = string.IsNullOrEmpty(value.Error.Message) ? "the engine reported an error without a message" : value.Error.Message;
                if (value.Aux?.ExtensionData != null && value.Aux.ExtensionData.TryGetValue("Digest", out object? d) && d != null)
                {
                    string digest = d.ToString()!.Trim('"');
                    if (digest.StartsWith("sha256:", StringComparison.Ordinal)) Digest = digest;
                }
                if (string.IsNullOrEmpty(value.Status)) return;
                Match m = DigestStatus.Match(value.Status);
                if (m.Success && Digest == null) Digest = m.Groups[1].Value;
                if (value.ID != null && value.Progress != null && value.Progress.Total > 0)
                    _layers[value.ID] = (value.Progress.Current ?? 0, value.Progress.Total ?? 0);
                else if (value.ID != null && (value.Status == "Pushed" || value.Status == "Layer already exists") && _layers.TryGetValue(value.ID, out var l))
                    _layers[value.ID] = (l.Total, l.Total);
                long total = _layers.Values.Sum(x => x.Total), current = _layers.Values.Sum(x => x.Current);
                int percent = total == 0 ? -1 : (int)(current * 100 / total);
                _log.Progress("Pushing " + _reference, (value.ID != null ? value.ID + ": " : string.Empty) + value.Status, percent);
                if (value.ID == null || value.Status == "Pushed" || value.Status == "Layer already exists" || value.Status == "Mounted from")
                    _log.Verbose((value.ID != null ? value.ID + ": " : string.Empty) + value.Status);
            }
        }
    }
}
