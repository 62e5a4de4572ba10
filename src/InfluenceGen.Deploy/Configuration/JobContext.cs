using System;
using System.Collections.Generic;
using System.IO;

namespace InfluenceGen.Deploy.Configuration
{
    /// <summary>
    /// What the module reads of the process it runs in besides settings: who runs the job, the checkout, the Docker
    /// engine, the cache folder. Built by <see cref="ConfigurationResolver.Job"/> (the one reader of process
    /// variables) from the same variables the settings come from, so a test can feed it without touching the process.
    /// </summary>
    public sealed class JobContext
    {
        private JobContext(string user, string? projectDir, string? dockerHost, string cacheHome)
        {
            User = user; ProjectDir = projectDir; DockerHost = dockerHost; CacheHome = cacheHome;
        }

        /// <summary>GITLAB_USER_LOGIN, else the local account name (ledger lines, lock owners).</summary>
        public string User { get; }
        /// <summary>CI_PROJECT_DIR: the checkout of a CI job; null outside CI.</summary>
        public string? ProjectDir { get; }
        /// <summary>DOCKER_HOST, as the docker CLI reads it; null when unset.</summary>
        public string? DockerHost { get; }
        /// <summary>XDG_CACHE_HOME, else ~/.cache: the root of the module's caches.</summary>
        public string CacheHome { get; }

        internal static JobContext From(IReadOnlyDictionary<string, string> variables)
        {
            string? Get(string name) => variables.TryGetValue(name, out string? v) && !string.IsNullOrEmpty(v) ? v : null;
            return new JobContext(
                Get("GITLAB_USER_LOGIN") ?? System.Environment.UserName,
                Get("CI_PROJECT_DIR"),
                Get("DOCKER_HOST"),
                Get("XDG_CACHE_HOME") ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache"));
        }
    }
}
