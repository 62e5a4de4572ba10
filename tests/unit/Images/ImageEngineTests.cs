using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Images
{
    /// <summary>The private dockerd (tests/setup/30-docker.sh), the htpasswd registry (31-registry.sh) and
    /// the base images made with mmdebstrap (32-base-images.sh).</summary>
    public sealed class ImageEngine
    {
        public string Host { get; } = Environment.GetEnvironmentVariable("DOCKER_TEST_HOST") ?? "";
        public string Registry { get; } = Environment.GetEnvironmentVariable("REGISTRY_TEST_HOST") ?? "";
        public string User { get; } = Environment.GetEnvironmentVariable("REGISTRY_TEST_USER") ?? "";
        public string Password { get; } = Environment.GetEnvironmentVariable("REGISTRY_TEST_PASSWORD") ?? "";
        public string Debian { get; } = Environment.GetEnvironmentVariable("IG_TEST_DEBIAN_IMAGE") ?? "";
        public string Sdk { get; } = Environment.GetEnvironmentVariable("IG_TEST_SDK_IMAGE") ?? "";

        public void Require() => Assert.True(Host.Length > 0 && Registry.Length > 0 && Debian.Length > 0,
            "DOCKER_TEST_HOST / REGISTRY_TEST_HOST / IG_TEST_DEBIAN_IMAGE are not set: run tests/run.sh (tests/setup/30-docker.sh, 31-registry.sh, 32-base-images.sh)");

        public DockerClient Client() => new DockerClientBuilder().WithEndpoint(new Uri(Host)).Build();

        /// <summary>The docker CLI against the private engine (classic builder).</summary>
        public (int Code, string Out, string Err) Cli(params string[] args)
        {
            var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) psi.ArgumentList.Add(a);
            psi.Environment["DOCKER_HOST"] = Host;
            psi.Environment["DOCKER_BUILDKIT"] = "0";
            using var p = Process.Start(psi)!;
            var so = p.StandardOutput.ReadToEndAsync();
            var se = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, so.Result, se.Result);
        }

        /// <summary>A CI job line under the module's PowerShell host, with the job's variables.</summary>
        public HostProcess.Result Line(string workDir, string line, IDictionary<string, string>? extra = null)
        {
            var env = new Dictionary<string, string> { ["DOCKER_HOST"] = Host, ["CI_REGISTRY_USER"] = User, ["CI_REGISTRY_PASSWORD"] = Password };
            if (extra != null) foreach (var kv in extra) env[kv.Key] = kv.Value;
            return HostProcess.Run(workDir, env, "-NoProfile", "-NonInteractive", "-c", line);
        }
    }

    [Trait("Category", "Docker")]
    public sealed class BuildInfluenceGenImageEngineTests : IClassFixture<ImageEngine>
    {
        private readonly ImageEngine _engine;
        public BuildInfluenceGenImageEngineTests(ImageEngine engine) { _engine = engine; }

        private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N").Substring(0, 8);

        [Fact]
        public async Task Builds_pushes_and_the_digest_pulls_back_the_same_image_and_no_stream_shows_the_password()
        {
            _engine.Require();
            using var ctx = new TempDir();
            ctx.Write("Dockerfile", $"FROM {_engine.Debian}\nARG GREETING=none\nCOPY app/ /app/\nRUN echo \"$GREETING\" > /app/greeting\n");
            ctx.Write("app/hello.txt", Unique("hello-"));
            string name = Unique("push");
            var ci = new Dictionary<string, string>
            {
                ["CI_REGISTRY_IMAGE"] = $"{_engine.Registry}/ig", ["CI_COMMIT_SHA"] = "4f2a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a",
                ["CI_COMMIT_BRANCH"] = "main", ["CI_COMMIT_REF_SLUG"] = "main", ["CI_DEFAULT_BRANCH"] = "main",
                ["CI_PROJECT_URL"] = "https://gitlab.example/ig/deploy",
            };
            var r = _engine.Line(ctx.Path,
                $"Build-InfluenceGenImage -Name {name} -BuildArg @{{ GREETING = 'hi' }} -Push -Verbose | ForEach-Object {{ 'ID=' + $_.ImageId; 'PIN=' + $_.PinnedReference; $_.TagResults | ForEach-Object {{ 'TAG=' + $_.Tag + '=' + $_.Digest }} }}", ci);
            Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
            Assert.DoesNotContain(_engine.Password, r.StdOut + r.StdErr);
            Assert.Matches(@"Step 4/6 : RUN echo[^\n]*\n(.|\n)*Step 6/6 : LABEL org\.opencontainers", r.StdOut + r.StdErr); // build output on -Verbose; the engine adds one LABEL step per label
            string id = Value(r.StdOut, "ID=");
            string pin = Value(r.StdOut, "PIN=");
            string[] tags = r.StdOut.Split('\n').Where(l => l.StartsWith("TAG=")).Select(l => l.Trim()).ToArray();
            Assert.Equal(new[] { "4f2a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a", "main", "latest" }, tags.Select(t => t.Split('=')[1]));
            string digest = tags[0].Split('=')[2];
            Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
            Assert.All(tags, t => Assert.EndsWith("=" + digest, t));
            Assert.Equal($"{_engine.Registry}/ig/{name}@{digest}", pin);

            // The same line again: the unchanged image is reused and pushed (the login runs while the context is hashed);
            // the same digest per tag, and no stream shows the password, -Debug included.
            var again = _engine.Line(ctx.Path,
                $"Build-InfluenceGenImage -Name {name} -BuildArg @{{ GREETING = 'hi' }} -Push -Verbose -Debug | ForEach-Object {{ 'ID=' + $_.ImageId; 'REUSED=' + $_.Reused; $_.TagResults | ForEach-Object {{ 'TAG=' + $_.Tag + '=' + $_.Digest }} }}", ci);
            Assert.True(again.ExitCode == 0, again.StdErr + again.StdOut);
            Assert.Contains("REUSED=True", again.StdOut);
            Assert.Equal(id, Value(again.StdOut, "ID="));
            Assert.Equal(tags, again.StdOut.Split('\n').Where(l => l.StartsWith("TAG=")).Select(l => l.Trim()).ToArray());
            Assert.Contains($"Logging in to {_engine.Registry}", again.StdOut + again.StdErr);
            Assert.DoesNotContain(_engine.Password, again.StdOut + again.StdErr);

            // Pull it back by digest after removing it here: same image id, labels from the CI variables.
            using DockerClient client = _engine.Client();
            foreach (string t in new[] { "4f2a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a", "main", "latest" })
                await client.Images.DeleteImageAsync($"{_engine.Registry}/ig/{name}:{t}", new ImageDeleteParameters { Force = true });
            await Assert.ThrowsAsync<DockerImageNotFoundException>(() => client.Images.InspectImageAsync(id));
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = $"{_engine.Registry}/ig/{name}@{digest}" },
                new AuthConfig { Username = _engine.User, Password = _engine.Password, ServerAddress = _engine.Registry }, new Progress<JSONMessage>());
            ImageInspectResponse pulled = await client.Images.InspectImageAsync(pin);
            Assert.Equal(id, pulled.ID);
            Assert.Equal("https://gitlab.example/ig/deploy", pulled.Config.Labels["org.opencontainers.image.source"]);
            Assert.Equal("4f2a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a", pulled.Config.Labels["org.opencontainers.image.revision"]);
        }

        [Fact]
        public void Bad_credentials_and_a_refused_push_are_errors_that_never_show_the_password()
        {
            _engine.Require();
            using var ctx = new TempDir();
            ctx.Write("Dockerfile", $"FROM {_engine.Debian}\nRUN echo built\n");
            string wrong = Unique("wrong-password-");
            var bad = _engine.Line(ctx.Path, $"Build-InfluenceGenImage -Name {Unique("bad")} -Registry {_engine.Registry}/ig -Push -Verbose -Debug",
                new Dictionary<string, string> { ["CI_REGISTRY_PASSWORD"] = wrong });
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains($"The registry {_engine.Registry} refused the login of '{_engine.User}'", bad.StdErr);
            Assert.DoesNotContain("Step 1/", bad.StdErr);                      // refused before anything was built
            Assert.DoesNotContain(wrong, bad.StdOut + bad.StdErr);

            // No login at all: the engine pushes anonymously and reports the refusal only in its message stream.
            var anonymous = _engine.Line(ctx.Path, $"Build-InfluenceGenImage -Name {Unique("anon")} -Registry {_engine.Registry}/ig -Push",
                new Dictionary<string, string> { ["CI_REGISTRY_USER"] = "", ["CI_REGISTRY_PASSWORD"] = "" });
            Assert.Equal(1, anonymous.ExitCode);
            // (the error view wraps at the job log's width; messages start with a capital)
            Assert.Matches(new System.Text.RegularExpressions.Regex($"pushing {_engine.Registry.Replace(".", "\\.")}/ig/anon[0-9a-f]+:latest failed: .*(auth|unauthorized)",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase), System.Text.RegularExpressions.Regex.Replace(anonymous.StdErr, @"\s+", " "));
        }

        [Fact]
        public void A_failing_step_names_the_dockerfile_line_and_its_last_output()
        {
            _engine.Require();
            using var ctx = new TempDir();
            ctx.Write("build/app.Dockerfile", $"# a comment\nFROM {_engine.Debian}\n\nRUN echo preparing \\\n && echo boom-output-1 \\\n && exit 3\nRUN echo never\n");
            var r = _engine.Line(ctx.Path, $"Build-InfluenceGenImage . -Dockerfile build/app.Dockerfile -Name {Unique("fail")}");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("build/app.Dockerfile:4: step 2/3", r.StdErr);
            Assert.Contains("returned a non-zero code: 3", r.StdErr);
            Assert.Contains("boom-output-1", r.StdErr);
        }

        [Fact]
        public void The_context_holds_what_the_docker_cli_would_send()
        {
            _engine.Require();
            using var ctx = new TempDir();
            foreach (string f in new[] { "keep.txt", "a.md", "README.md", "docs/x.md", "docs/keep/y.md", "build/out.o", "build/keep.txt", "src/deep/er/x.go", "src/y.go", "tmp1", "tmp12", "sub/temp-a" })
                ctx.Write(f, f);
            ctx.Write(".dockerignore", "# rules\n*.md\n!README.md\ndocs\n!docs/keep\nbuild/**\n!build/keep.txt\n**/*.go\n!src/y.go\ntmp?\n*/temp*\n");
            ctx.Write("Dockerfile", $"FROM {_engine.Debian}\nCOPY . /c/\nCMD [\"find\", \"/c\", \"-type\", \"f\"]\n");
            string ours = Unique("ours"), theirs = Unique("cli");
            var r = _engine.Line(ctx.Path, $"Build-InfluenceGenImage -Name {ours} -Tag t");
            Assert.True(r.ExitCode == 0, r.StdErr);
            var cli = _engine.Cli("build", "-q", "-t", theirs + ":t", ctx.Path);
            Assert.True(cli.Code == 0, cli.Err);
            string Files(string image) => string.Join("\n", _engine.Cli("run", "--rm", "--network", "none", image + ":t").Out.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).OrderBy(l => l, StringComparer.Ordinal));
            string expected = Files(theirs);
            Assert.Contains("/c/README.md", expected);
            Assert.Equal(expected, Files(ours));
            Assert.DoesNotContain("/c/tmp1\n", expected + "\n");
        }

        [Fact]
        public void WhatIf_builds_nothing()
        {
            _engine.Require();
            using var ctx = new TempDir();
            ctx.Write("Dockerfile", $"FROM {_engine.Debian}\n");
            string name = Unique("whatif");
            var r = _engine.Line(ctx.Path, $"Build-InfluenceGenImage -Name {name} -Tag t -Registry {_engine.Registry}/ig -Push -WhatIf");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains($"Build {_engine.Registry}/ig/{name}:t", r.StdOut + r.StdErr);
            Assert.NotEqual(0, _engine.Cli("image", "inspect", $"{_engine.Registry}/ig/{name}:t").Code);
        }

        [Fact]
        public async Task An_unchanged_rebuild_reuses_the_image_and_any_changed_input_builds_again()
        {
            _engine.Require();
            using DockerClient client = _engine.Client();
            // A base of our own under a unique name, so the test can move it (the negative control for base images).
            string baseName = Unique("base") + ":1";
            Assert.Equal(0, _engine.Cli("tag", _engine.Debian, baseName).Code);
            using var ctx = new TempDir();
            ctx.Write("Dockerfile", $"FROM {baseName}\nCOPY app/ /app/\nRUN cat /app/* > /all\nCMD [\"cat\", \"/all\"]\n");
            ctx.Write("app/a.txt", "one\n");
            ctx.Write(".dockerignore", "scratch/\n");
            string name = Unique("reuse");
            HostProcess.Result Build(string tags, string extra = "") => _engine.Line(ctx.Path,
                $"Build-InfluenceGenImage -Name {name} -Tag {tags} {extra} -Verbose | ForEach-Object {{ 'ID=' + $_.ImageId; 'REUSED=' + $_.Reused }}");
            string Run(string tag) => _engine.Cli("run", "--rm", "--network", "none", $"{name}:{tag}").Out.Trim();

            var first = Build("t1");
            Assert.True(first.ExitCode == 0, first.StdErr + first.StdOut);
            Assert.Contains("REUSED=False", first.StdOut);
            string id = Value(first.StdOut, "ID=");
            Assert.Equal("one", Run("t1"));

            // Unchanged (an ignored file changes, a second tag is asked for): the same image under both tags, no step runs.
            ctx.Write("scratch/notes.txt", "ignored");
            var again = Build("t1,t2");
            Assert.True(again.ExitCode == 0, again.StdErr + again.StdOut);
            Assert.Contains("REUSED=True", again.StdOut);
            Assert.Contains("not sending the context again", again.StdOut + again.StdErr);
            Assert.DoesNotContain("Step 1/", again.StdOut + again.StdErr);
            Assert.Equal(id, Value(again.StdOut, "ID="));
            Assert.Equal(id, (await client.Images.InspectImageAsync($"{name}:t2")).ID);

            // Unchanged but pushed with a wrong password: refused at the login before anything is tagged, as a build is
            // (the login runs while the context is hashed, and is awaited before the reuse tags the image).
            string wrong = Unique("wrong-password-");
            string refusedRef = $"{_engine.Registry}/ig/{name}:t3";
            var refused = _engine.Line(ctx.Path, $"Build-InfluenceGenImage -Name {name} -Registry {_engine.Registry}/ig -Tag t3 -Push -Verbose -Debug",
                new Dictionary<string, string> { ["CI_REGISTRY_PASSWORD"] = wrong });
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains($"The registry {_engine.Registry} refused the login of '{_engine.User}'", refused.StdErr);
            Assert.DoesNotContain(wrong, refused.StdOut + refused.StdErr);
            Assert.NotEqual(0, _engine.Cli("image", "inspect", refusedRef).Code);

            // The same inputs through the docker CLI's classic builder hit its cache for every step: the same result.
            // Negative controls: a changed file, a changed build argument and a moved base image each build again.
            ctx.Write("app/a.txt", "two\n");
            var changed = Build("t1");
            Assert.True(changed.ExitCode == 0, changed.StdErr + changed.StdOut);
            Assert.Contains("REUSED=False", changed.StdOut);
            Assert.Contains("Step 2/", changed.StdOut + changed.StdErr);
            string changedId = Value(changed.StdOut, "ID=");
            Assert.NotEqual(id, changedId);
            Assert.Equal("two", Run("t1"));

            var withArg = Build("t1", "-BuildArg @{ FLAVOUR = 'x' }");
            Assert.Contains("REUSED=False", withArg.StdOut);

            Assert.Equal(0, _engine.Cli("tag", $"{name}:t2", baseName).Code);   // the base now holds /all = "one"
            var movedBase = Build("t1", "-BuildArg @{ FLAVOUR = 'x' }");
            Assert.True(movedBase.ExitCode == 0, movedBase.StdErr + movedBase.StdOut);
            Assert.Contains("REUSED=False", movedBase.StdOut);
            Assert.NotEqual(Value(withArg.StdOut, "ID="), Value(movedBase.StdOut, "ID="));

            // -NoCache always builds.
            var noCache = Build("t1", "-BuildArg @{ FLAVOUR = 'x' } -NoCache");
            Assert.Contains("REUSED=False", noCache.StdOut);
            Assert.Contains("Step 1/", noCache.StdOut + noCache.StdErr);
        }

        private static string Value(string output, string prefix) =>
            output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(prefix)).Substring(prefix.Length);
    }
}
