using System.Diagnostics;
using System.Text;
using InfluenceGen.Deploy.Images;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Harness;

namespace InfluenceGen.Deploy.Tests.Images
{
    /// <summary>.dockerignore matching (cases from Docker's documentation and moby/patternmatcher's rules).</summary>
    [Trait("Category", "Fast")]
    public sealed class DockerIgnoreTests
    {
        [Theory]
        [InlineData("*/temp*", "somedir/temporary.txt", true)]
        [InlineData("*/temp*", "somedir/sub/temporary.txt", false)]
        [InlineData("*/temp*", "temporary.txt", false)]
        [InlineData("*/*/temp*", "a/b/temp", true)]
        [InlineData("temp?", "temp1", true)]
        [InlineData("temp?", "temp12", false)]
        [InlineData("**/*.go", "a/b/c/x.go", true)]
        [InlineData("**/*.go", "x.go", true)]
        [InlineData("a/**", "a/b/c", true)]
        [InlineData("a/**/z", "a/z", true)]
        [InlineData("a/**/z", "a/b/c/z", true)]
        [InlineData("build", "build/out/x.o", true)]               // a matched directory excludes what is below
        [InlineData("/build", "build/x", true)]                    // leading slash dropped
        [InlineData("./src/../build", "build/x", true)]            // path-cleaned
        [InlineData("*.md", "docs/readme.md", false)]              // * does not cross /
        [InlineData("file[0-9].txt", "file7.txt", true)]
        [InlineData("file[0-9].txt", "filex.txt", false)]
        [InlineData("a+b(c).txt", "a+b(c).txt", true)]             // regex metacharacters are literal
        [InlineData("\\*star", "*star", true)]
        public void Patterns_match_as_docker_matches_them(string pattern, string path, bool excluded)
        {
            Assert.Equal(excluded, DockerIgnore.Parse(new[] { pattern }).IsExcluded(path));
        }

        [Fact]
        public void Exceptions_reinclude_and_the_last_match_decides()
        {
            var ignore = DockerIgnore.Parse(new[] { "# comment", "", "*.md", "!README*.md", "README-secret.md", "  docs  " });
            Assert.True(ignore.IsExcluded("CHANGES.md"));
            Assert.False(ignore.IsExcluded("README.md"));
            Assert.True(ignore.IsExcluded("README-secret.md"));
            Assert.True(ignore.IsExcluded("docs/a.txt"));
            Assert.False(ignore.IsExcluded("# comment"));
            Assert.True(ignore.HasExceptions);
        }

        [Fact]
        public void Everything_but_exceptions()
        {
            var ignore = DockerIgnore.Parse(new[] { "**", "!out/mod", "!dockerfiles" });
            Assert.True(ignore.IsExcluded("src/a.cs"));
            Assert.False(ignore.IsExcluded("out/mod/bin/x.dll"));
            Assert.False(ignore.IsExcluded("dockerfiles/a.Dockerfile"));
            Assert.True(ignore.IsExcluded("out/other"));
            Assert.True(ignore.MayReinclude("out"));
        }

        [Fact]
        public void A_bad_line_is_an_error_naming_file_and_line()
        {
            var ex = Assert.Throws<DeployException>(() => DockerIgnore.Parse(new[] { "a", "!" }, "ctx/.dockerignore"));
            Assert.Equal("InvalidDockerIgnore", ex.ErrorId);
            Assert.StartsWith("ctx/.dockerignore:2:", ex.Message);
        }
    }

    [Trait("Category", "Fast")]
    public sealed class BuildContextTests
    {
        private static void Tree(TempDir dir, DateTime time, bool reverse)
        {
            var files = new[] { ("Dockerfile", "FROM scratch\nCOPY . /\n"), ("b/two.txt", "two"), ("a/one.txt", "one"), ("a/skip.log", "log"),
                                (".dockerignore", "*/*.log\n"), (new string('d', 60) + "/" + new string('f', 70) + ".txt", "long name") };
            foreach (var (name, text) in reverse ? files.Reverse() : files)
            {
                string path = dir.Write(name, text);
                File.SetLastWriteTimeUtc(path, time);
            }
        }

        [Fact]
        public void The_tar_is_deterministic_and_honours_dockerignore()
        {
            using var one = new TempDir();
            using var two = new TempDir();
            Tree(one, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), false);
            Tree(two, new DateTime(2026, 5, 5, 0, 0, 0, DateTimeKind.Utc), true);
            var a = BuildContext.Scan(one.Path, "Dockerfile");
            var b = BuildContext.Scan(two.Path, "Dockerfile");
            Assert.Equal(a.ComputeDigest(), b.ComputeDigest());
            Assert.DoesNotContain(a.Entries, e => e.Name.EndsWith(".log"));
            Assert.Contains(a.Entries, e => e.Name == ".dockerignore");

            // GNU tar reads it: names (PAX for the long one), sizes, modes, owner and time.
            string tarFile = Path.Combine(one.Path, "..", Path.GetFileName(one.Path) + ".tar");
            using (var output = File.Create(tarFile)) a.OpenTar().CopyTo(output);
            var psi = new ProcessStartInfo("tar", $"--numeric-owner -tvf {tarFile}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            string listing = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            File.Delete(tarFile);
            Assert.Equal(0, p.ExitCode);
            Assert.Contains("-rw-r--r-- 0/0               3 1980-01-01 00:00 a/one.txt", listing);
            Assert.Contains("drwxr-xr-x 0/0               0 1980-01-01 00:00 a/", listing);
            Assert.Contains(new string('d', 60) + "/" + new string('f', 70) + ".txt", listing);
            Assert.DoesNotContain("skip.log", listing);
        }

        [Fact]
        public void A_dockerfile_outside_the_context_travels_with_it_and_a_missing_one_is_named()
        {
            using var ctx = new TempDir();
            using var other = new TempDir();
            ctx.Write("app.txt", "x");
            string df = other.Write("build.Dockerfile", "FROM scratch\n");
            var context = BuildContext.Scan(ctx.Path, df);
            Assert.StartsWith(".dockerfile.", context.DockerfileName);
            Assert.Contains(context.Entries, e => e.Name == context.DockerfileName);
            var ex = Assert.Throws<DeployException>(() => BuildContext.Scan(ctx.Path, "nope.Dockerfile"));
            Assert.Equal("DockerfileNotFound", ex.ErrorId);
        }

        [Fact]
        public void The_context_digest_is_remembered_by_sizes_and_write_times_and_any_change_hashes_again()
        {
            using var ctx = new TempDir();
            using var cacheDir = new TempDir();
            var cache = new BuildFingerprintCache(cacheDir.Path);
            DateTime old = DateTime.UtcNow.AddMinutes(-5);
            foreach (string path in new[] { ctx.Write("Dockerfile", "FROM scratch\nCOPY . /\n"), ctx.Write("a/one.txt", "one"), ctx.Write("b/two.txt", "two") })
                File.SetLastWriteTimeUtc(path, old);

            BuildContext first = BuildContext.Scan(ctx.Path, "Dockerfile");
            string digest = first.ComputeDigest();
            Assert.Equal(digest, cache.ContextDigest(first, out bool remembered));
            Assert.False(remembered);
            BuildContext again = BuildContext.Scan(ctx.Path, "Dockerfile");
            Assert.Equal(first.StatKey(), again.StatKey());
            Assert.Equal(digest, cache.ContextDigest(again, out remembered));
            Assert.True(remembered);

            // The rule is the quick check of make and rsync: the same size and write time is taken as the same file.
            // Shown by putting the old time back on a file rewritten with other bytes (what -NoCache is for).
            string one = ctx.Write("a/one.txt", "ONE");
            File.SetLastWriteTimeUtc(one, old);
            Assert.Equal(digest, cache.ContextDigest(BuildContext.Scan(ctx.Path, "Dockerfile"), out remembered));
            Assert.True(remembered);

            // Negative controls: a new write time, another size, a new file, a mode change: each is hashed anew (and
            // gives the digest of what is on disk now).
            File.SetLastWriteTimeUtc(one, old.AddSeconds(1));
            BuildContext touched = BuildContext.Scan(ctx.Path, "Dockerfile");
            Assert.Equal(touched.ComputeDigest(), cache.ContextDigest(touched, out remembered));
            Assert.False(remembered);
            Assert.NotEqual(digest, touched.ComputeDigest());
            File.SetLastWriteTimeUtc(ctx.Write("b/two.txt", "two!"), old);
            Assert.False(Remembered(cache, ctx.Path));
            File.SetLastWriteTimeUtc(ctx.Write("c/three.txt", "3"), old);
            Assert.False(Remembered(cache, ctx.Path));
            File.SetUnixFileMode(Path.Combine(ctx.Path, "c/three.txt"), (UnixFileMode)0x1ED);
            Assert.False(Remembered(cache, ctx.Path));
            Assert.True(Remembered(cache, ctx.Path));

            // A file written just now is hashed but not remembered (it could change again within its clock's tick).
            ctx.Write("d/fresh.txt", "fresh");
            Assert.False(Remembered(cache, ctx.Path));
            Assert.False(Remembered(cache, ctx.Path));
        }

        private static bool Remembered(BuildFingerprintCache cache, string directory)
        {
            BuildContext context = BuildContext.Scan(directory, "Dockerfile");
            Assert.Equal(context.ComputeDigest(), cache.ContextDigest(context, out bool remembered));
            return remembered;
        }
    }

    [Trait("Category", "Fast")]
    public sealed class ImageNamingTests
    {
        private static Func<string, string?> Vars(params (string, string)[] values) =>
            name => values.Where(v => v.Item1 == name).Select(v => v.Item2).FirstOrDefault();

        [Fact]
        public void Ci_tags_are_sha_slug_and_latest_on_the_default_branch()
        {
            var main = Vars(("CI_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567"), ("CI_COMMIT_BRANCH", "main"), ("CI_COMMIT_REF_SLUG", "main"), ("CI_DEFAULT_BRANCH", "main"));
            Assert.Equal(new[] { "0123456789abcdef0123456789abcdef01234567", "main", "latest" }, ImageNaming.Tags(null, main));
            var feature = Vars(("CI_COMMIT_SHA", "abc"), ("CI_COMMIT_BRANCH", "Feature/Images_X"), ("CI_DEFAULT_BRANCH", "main"));
            Assert.Equal(new[] { "abc", "feature-images-x" }, ImageNaming.Tags(null, feature));
            Assert.Equal(new[] { "1.2", "abc", "feature-images-x" }, ImageNaming.Tags(null, name => name == "IMAGE_TAG_PARAM" ? "1.2" : feature(name)));
            Assert.Equal(new[] { "x" }, ImageNaming.Tags(new[] { "x" }, main));
            Assert.Equal(new[] { "latest" }, ImageNaming.Tags(null, Vars()));
            Assert.Equal("InvalidImageTag", Assert.Throws<DeployException>(() => ImageNaming.Tags(new[] { "-bad" }, Vars())).ErrorId);
        }

        [Fact]
        public void Names_go_under_the_registry_prefix_unless_they_have_a_host()
        {
            Assert.Equal("registry.gitlab.com/ig/deploy/pwsh-build", ImageNaming.Repository("pwsh-build", "registry.gitlab.com/ig/deploy"));
            Assert.Equal("127.0.0.1:5000/x", ImageNaming.Repository("127.0.0.1:5000/x", "registry.gitlab.com/ig"));
            Assert.Equal("127.0.0.1:5000/ig/x", ImageNaming.Repository("x", "http://127.0.0.1:5000/ig/"));
            Assert.Equal("x", ImageNaming.Repository("x", null));
            Assert.Equal("127.0.0.1:5000", ImageNaming.RegistryHost("127.0.0.1:5000/ig/x"));
            Assert.Null(ImageNaming.RegistryHost("library/x"));
            Assert.Equal("InvalidImageName", Assert.Throws<DeployException>(() => ImageNaming.Repository("Bad:tag", null)).ErrorId);
        }

        [Fact]
        public void Oci_labels_come_from_ci_variables()
        {
            var labels = ImageNaming.Labels(Vars(("CI_COMMIT_SHA", "abc"), ("CI_PROJECT_URL", "https://gitlab.example/ig/deploy"), ("CI_COMMIT_TIMESTAMP", "2026-11-28T10:00:00+00:00"), ("CI_COMMIT_SHORT_SHA", "abc1")));
            Assert.Equal("abc", labels["org.opencontainers.image.revision"]);
            Assert.Equal("https://gitlab.example/ig/deploy", labels["org.opencontainers.image.source"]);
            Assert.Equal("2026-11-28T10:00:00+00:00", labels["org.opencontainers.image.created"]);
            Assert.Equal("abc1", labels["org.opencontainers.image.version"]);
        }

        [Fact]
        public void Docker_endpoint_is_read_as_the_docker_cli_reads_it()
        {
            using var certs = new TempDir();
            certs.Write("client/ca.pem", "x");
            var dind = DockerEndpoint.Resolve(Vars(("DOCKER_TLS_CERTDIR", certs.Path)));
            Assert.Equal("tcp://docker:2376/", dind.Host.ToString());
            Assert.True(dind.Tls && dind.Verify);
            Assert.Equal(Path.Combine(certs.Path, "client"), dind.CertPath);
            var plain = DockerEndpoint.Resolve(Vars());
            Assert.Equal("unix:///var/run/docker.sock", plain.Host.OriginalString);
            Assert.False(plain.Tls);
            var verify = DockerEndpoint.Resolve(Vars(("DOCKER_HOST", "tcp://10.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/certs")));
            Assert.True(verify.Verify);
            Assert.Equal("/certs", verify.CertPath);
            Assert.Equal("InvalidDockerHost", Assert.Throws<DeployException>(() => DockerEndpoint.Resolve(Vars(("DOCKER_HOST", "ftp://x")))).ErrorId);
        }

        [Fact]
        public void Dockerfile_steps_map_to_lines()
        {
            var steps = DockerfileSteps.Parse(new[] { "# escape=\\", "ARG BASE=x", "", "FROM $BASE", "# comment", "RUN a \\", "  # inside", "    && b", "COPY . /" }, "Dockerfile");
            Assert.Equal(4, steps.Instructions.Count);
            Assert.Equal(2, steps.Step(1)!.Line);
            Assert.Equal(6, steps.Step(3)!.Line);
            Assert.Equal("RUN a && b", steps.Step(3)!.Text);
            Assert.Equal(9, steps.Step(4)!.Line);
        }

        private static IReadOnlyList<string>? Bases(string dockerfile, params (string, string)[] args) =>
            BuildFingerprint.BaseImages(DockerfileSteps.Parse(dockerfile.Split('\n'), "Dockerfile"), args.ToDictionary(a => a.Item1, a => a.Item2));

        [Fact]
        public void Fingerprint_base_images_are_resolved_or_there_is_no_fingerprint()
        {
            // ARGs before FROM: the build argument wins over the default; stages and scratch are no base images.
            Assert.Equal(new[] { "debian:12", "registry.example/tools:3" },
                Bases("ARG BASE=debian:11\nARG T=3\nFROM ${BASE} AS build\nRUN x\nFROM scratch\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=registry.example/tools:$T /c /c", ("BASE", "debian:12")));
            Assert.Equal(new[] { "debian:11" }, Bases("ARG BASE=debian:11\nFROM $BASE"));
            // What a fingerprint cannot see: always a real build.
            Assert.Null(Bases("FROM $UNDECLARED"));
            Assert.Null(Bases("ARG BASE\nFROM ${BASE}"));
            Assert.Null(Bases("FROM --platform=linux/arm64 debian:12"));
            Assert.Null(Bases("FROM debian:12\nADD https://example.com/x.tar.gz /x"));
            Assert.Null(Bases("FROM debian:12\nADD git@example.com:a/b.git /b"));
            Assert.NotNull(Bases("FROM debian:12\nADD local.tar.gz /x"));
        }
    }
}

namespace InfluenceGen.Deploy.Tests.Images
{
    [Trait("Category", "Fast")]
    public sealed class ImagePesterSpecTests
    {
        [Fact]
        public void Spec_parses_and_describes_the_cmdlet()
        {
            string path = Path.Combine(Repo.Root, "tests", "pester", "Build-InfluenceGenImage.Tests.ps1");
            System.Management.Automation.Language.Parser.ParseFile(path, out _, out var errors);
            Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}"));
            Assert.Contains("Describe 'Build-InfluenceGenImage'", File.ReadAllText(path));
        }
    }
}
