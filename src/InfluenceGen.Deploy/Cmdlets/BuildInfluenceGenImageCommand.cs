using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Docker.DotNet;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Images;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Builds a Docker image through the Docker Engine API and, with -Push, pushes its tags and returns
    /// the registry digest per tag. Replaces docker_images.sh (docker build / login / tag / push).
    /// The work is in <see cref="ImageBuildService"/>; names, tags and labels in <see cref="ImageNaming"/>.
    /// </summary>
    // "Build" is an approved lifecycle verb of PowerShell 6+ (PowerShellStandard 5.1 has no constant for it).
    [Cmdlet("Build", "InfluenceGenImage", SupportsShouldProcess = true, HelpUri = HelpLinks.Readme + "#get-help-build-influencegenimage")]
    [OutputType(typeof(InfluenceGenImage))]
    public sealed class BuildInfluenceGenImageCommand : InfluenceGenCmdlet
    {
        /// <summary>The build context folder.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = ".";

        /// <summary>The Dockerfile (relative to the current location); default: DOCKERFILE_PATH_PARAM, else Dockerfile in the context.</summary>
        [Parameter]
        public string? Dockerfile { get; set; }

        /// <summary>Image name, put under -Registry / REGISTRY_URL_PARAM / CI_REGISTRY_IMAGE; default IMAGE_NAME_PARAM.</summary>
        [Parameter(Position = 1)]
        public string? Name { get; set; }

        /// <summary>Tags; default IMAGE_TAG_PARAM plus, in CI, the commit SHA, the branch slug and latest on the default branch.</summary>
        [Parameter]
        public string[]? Tag { get; set; }

        [Parameter]
        public Hashtable? BuildArg { get; set; }

        [Parameter]
        public string? Target { get; set; }

        [Parameter]
        public SwitchParameter Push { get; set; }

        /// <summary>Registry prefix (host[/path]); default REGISTRY_URL_PARAM, then CI_REGISTRY_IMAGE.</summary>
        [Parameter]
        public string? Registry { get; set; }

        /// <summary>Registry login; default CI_REGISTRY_USER / CI_REGISTRY_PASSWORD.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        [Parameter]
        public SwitchParameter NoCache { get; set; }

        [Parameter]
        [ValidatePattern("^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$")]
        public string? Platform { get; set; }

        /// <summary>Network mode of the build's RUN steps (e.g. host).</summary>
        [Parameter]
        public string? Network { get; set; }

        /// <summary>Docker engine address; default DOCKER_HOST as the docker CLI reads it.</summary>
        [Parameter]
        public string? DockerHost { get; set; }

        [Parameter]
        public string? ConfigurationPath { get; set; }

        protected override void End()
        {
            DeployConfiguration config = ResolveConfiguration("local", ConfigurationPath);
            Func<string, string?> variable = CiVariables(config);

            string context = ResolvePaths(Path, literal: false).First();
            string? dockerfile = Dockerfile ?? config.Images.Dockerfile;
            string dockerfilePath = dockerfile == null ? System.IO.Path.Combine(context, "Dockerfile") : ResolveOutputPath(dockerfile);
            string name = Name ?? config.Images.ImageName ?? throw new DeployException(ErrorIds.ImageNameMissing, ErrorKind.InvalidArgument,
                "no image name: pass -Name or set IMAGE_NAME_PARAM", "Name");
            string repository = ImageNaming.Repository(name, Registry ?? config.Images.RegistryPrefix);
            RegistryCredential? credential = LoginFor(repository, config);
            if (Push && credential == null)
                Warning($"No registry credentials (-Credential or CI_REGISTRY_USER / CI_REGISTRY_PASSWORD): pushing to {ImageNaming.RegistryHost(repository) ?? "Docker Hub"} anonymously");

            var request = new ImageBuildRequest
            {
                ContextDirectory = context,
                Dockerfile = dockerfilePath,
                DisplayDockerfile = dockerfile ?? System.IO.Path.Combine(Path, "Dockerfile"),
                Repository = repository,
                Tags = ImageNaming.Tags(Tag, variable),
                BuildArgs = (BuildArg ?? new Hashtable()).Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? string.Empty),
                Labels = ImageNaming.Labels(variable),
                Target = Target,
                NoCache = NoCache,
                Platform = Platform,
                NetworkMode = Network,
                Push = Push,
                Credential = credential,
            };
            DockerEndpoint endpoint = DockerEndpoint.Resolve(variable, DockerHost);
            string references = string.Join(", ", request.References);
            if (!ShouldProcess($"Build {references} from {request.DisplayDockerfile} (context {context}) on {endpoint}", $"Build {references}?", "Build-InfluenceGenImage"))
                return;

            using DockerClient client = endpoint.CreateClient();
            var service = new ImageBuildService(client, new BuildFingerprintCache(Job.CacheFor("image-builds")));
            // With -Push and credentials, the service logs in first (while it reads the context).
            InfluenceGenImage image = Run("Building image", (log, ct) => service.BuildAsync(request, log, ct));
            if (Push && ShouldProcess($"Push {references} to {ImageNaming.RegistryHost(repository) ?? "Docker Hub"}", $"Push {references}?", "Build-InfluenceGenImage"))
                image = Run("Pushing image", (log, ct) => service.PushAsync(image, credential, log, ct));
            WriteObject(image);
        }

        private RegistryCredential? LoginFor(string repository, DeployConfiguration config)
        {
            string server = ImageNaming.RegistryHost(repository) ?? "https://index.docker.io/v1/";
            if (Credential != null)
            {
                string password = Credential.GetNetworkCredential().Password;
                Resolver.RegisterSecret(password);
                return new RegistryCredential(server, Credential.UserName, password);
            }
            string? user = config.Images.RegistryUser, secret = config.Images.RegistryPassword;
            return string.IsNullOrEmpty(user) || string.IsNullOrEmpty(secret) ? null : new RegistryCredential(server, user!, secret!);
        }

        /// <summary>A variable lookup for the CI facts and the docker CLI's variables: settings through the
        /// resolved configuration, GitLab's predefined CI_COMMIT_* and HOME through the resolver.</summary>
        private Func<string, string?> CiVariables(DeployConfiguration config)
        {
            ConfigurationResolver resolver = Resolver;
            return variable =>
            {
                SettingDefinition? setting = SettingCatalog.All.FirstOrDefault(s => !s.PerEnvironment && s.Variable == variable);
                return setting != null ? config.Get(setting.Name) : resolver.Variable(variable);
            };
        }
    }
}
