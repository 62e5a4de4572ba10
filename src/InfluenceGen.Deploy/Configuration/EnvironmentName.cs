using System;
using System.Collections.Generic;
using System.Linq;

namespace InfluenceGen.Deploy.Configuration
{
    /// <summary>
    /// The names of environments and the one rule of which is production (issue 12: before, "production" was a literal in
    /// nine files and two IsProduction disagreed on "prod"). Names are compared trimmed and lower-case; "prod" is an
    /// alias of production everywhere (the old pipeline's CI variables say PROD_*), so a gate, a prompt or a refusal
    /// never depends on which spelling a job used.
    /// </summary>
    public static class EnvironmentName
    {
        public const string Dev = "dev";
        public const string Staging = "staging";
        public const string Production = "production";
        public const string Local = "local";
        private const string ProductionAlias = "prod";

        /// <summary>The environments every installation knows; an environments file may add more.</summary>
        public static readonly IReadOnlyList<string> BuiltIn = new[] { Dev, Staging, Production, Local };

        /// <summary>The canonical spelling: trimmed, lower-case, "prod" → "production".</summary>
        public static string Canonical(string? name)
        {
            string n = (name ?? string.Empty).Trim().ToLowerInvariant();
            return n == ProductionAlias ? Production : n;
        }

        public static bool IsProduction(string? name) => Canonical(name) == Production;

        /// <summary>Staging and production: the environments whose upgrades are backed up by default.</summary>
        public static bool IsShared(string? name) => Canonical(name) is Staging or Production;

        /// <summary>dev, staging, production (or prod), local.</summary>
        public static bool IsBuiltIn(string? name) => BuiltIn.Contains(Canonical(name));

        /// <summary>The prefix of the environment's CI variables: DEV, STAGING, PROD, LOCAL; other environments use
        /// their upper-cased name with anything but letters and digits as "_".</summary>
        public static string VariablePrefix(string environment) => IsProduction(environment)
            ? "PROD"
            : new string(environment.ToUpperInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
    }
}
