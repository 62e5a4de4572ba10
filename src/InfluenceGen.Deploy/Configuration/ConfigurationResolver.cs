using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Configuration
{
    /// <summary>One resolved setting as Get-InfluenceGenConfiguration shows it (secrets masked).</summary>
    public sealed class ConfigurationEntry
    {
        public string Environment { get; set; } = string.Empty;
        public string Name { get; set; } = string.Empty;
        /// <summary>The value as shown: masked for secrets, empty when unset.</summary>
        public string Value { get; set; } = string.Empty;
        /// <summary>parameter, variable NAME, file PATH:LINE, default, or unset.</summary>
        public string Source { get; set; } = string.Empty;
        public bool IsSecret { get; set; }
        public bool IsSet { get; set; }
        public string Variable { get; set; } = string.Empty;
        public string Description { get; set; } = string.Empty;
    }

    /// <summary>The configuration of one environment, resolved. Values are read by name; secrets are
    /// available to the module's services but are registered with the masker as they are read.</summary>
    public sealed class DeployConfiguration
    {
        private readonly Dictionary<string, string> _values;

        internal DeployConfiguration(string environment, Dictionary<string, string> values, List<ConfigurationEntry> entries, string? file, JobContext? job = null)
        {
            Job = job ?? JobContext.None;
            Environment = environment;
            _values = values;
            Entries = entries;
            File = file;
        }

        public string Environment { get; }
        /// <summary>The job this configuration was resolved in (user, pipeline links, checkout, cache folder).</summary>
        public JobContext Job { get; }
        public IReadOnlyList<ConfigurationEntry> Entries { get; }
        /// <summary>The environments file used, if any.</summary>
        public string? File { get; }

        public string? Get(string name)
        {
            SettingCatalog.Get(name);
            return _values.TryGetValue(name, out string? v) ? v : null;
        }

        public string Require(string name)
        {
            string? value = Get(name);
            if (!string.IsNullOrEmpty(value)) return value!;
            SettingDefinition def = SettingCatalog.Get(name);
            throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                $"{name} is not set for environment '{Environment}': set the CI variable {string.Join(" or ", def.VariablesFor(SettingCatalog.PrefixOf(Environment)))}" +
                (def.IsSecret ? "." : $", or add \"{name}\" to the environments file."), name);
        }

        public bool Toggle(string name) => string.Equals(Get(name), "true", StringComparison.OrdinalIgnoreCase);

        public int Integer(string name) => int.Parse(Require(name), CultureInfo.InvariantCulture);

        // ---- the typed records, each built once
        private PipelineSwitches? _switches;
        private N8nSettings? _n8n;
        private SlackSettings? _slack;
        private ChangeRequestSettings? _changeRequest;
        private ImageSettings? _images;
        private OdooTargetSummary? _target;

        public PipelineSwitches Switches => _switches ??= new PipelineSwitches(this);
        public N8nSettings N8n => _n8n ??= new N8nSettings(this);
        public SlackSettings Slack => _slack ??= new SlackSettings(this);
        public ChangeRequestSettings ChangeRequest => _changeRequest ??= new ChangeRequestSettings(this);
        public ImageSettings Images => _images ??= new ImageSettings(this);
        public OdooTargetSummary Target => _target ??= new OdooTargetSummary(this);
    }

    /// <summary>
    /// The one configuration resolver (docs/design.md, principle 5): an explicit parameter wins, then the
    /// GitLab CI variable, then the environments file of the repository, then the built-in default.
    /// Bad values are errors naming the variable, or the file and line.
    /// </summary>
    public sealed class ConfigurationResolver
    {
        public const string FileVariable = "INFLUENCEGEN_ENVIRONMENTS_FILE";
        public const string DefaultFileName = "environments.json";

        private readonly IReadOnlyDictionary<string, string> _variables;
        private readonly SecretMasker _masker;

        public ConfigurationResolver(IReadOnlyDictionary<string, string> variables, SecretMasker masker)
        {
            _variables = variables;
            _masker = masker;
        }

        private JobContext? _job;

        /// <summary>The job's context (user, checkout, Docker engine, cache folder), built once per resolver.</summary>
        public JobContext Job() => _job ??= JobContext.From(_variables);

        /// <summary>A CI variable that is no setting (GitLab's predefined CI_COMMIT_*, HOME …); null when unset or empty.</summary>
        public string? Variable(string name) => _variables.TryGetValue(name, out string? v) && v.Length > 0 ? v : null;

        /// <summary>The resolver of this process: fed with its environment variables (GitLab's CI variables).</summary>
        public static ConfigurationResolver ForProcess(SecretMasker masker) => new ConfigurationResolver(ProcessVariables(), masker);

        /// <summary>
        /// A secret that is no setting but was given on the command line (e.g. Odoo's --db_password in
        /// Invoke-OdooUnitTest -ExtraArgument): registered with the masker here, like every secret setting.
        /// </summary>
        public void RegisterSecret(string? secret)
        {
            if (!string.IsNullOrEmpty(secret)) _masker.Add(secret!);
        }

        /// <summary>A secret URL (a webhook): the text and the forms a URL is printed in (normalised, its path).</summary>
        public void RegisterSecretUrl(string? secret)
        {
            RegisterSecret(secret);
            if (string.IsNullOrEmpty(secret) || !Uri.TryCreate(secret!.Trim(), UriKind.Absolute, out Uri? uri)) return;
            _masker.Add(uri.OriginalString);
            _masker.Add(uri.AbsoluteUri);
            if (uri.AbsolutePath.Length >= 10) _masker.Add(uri.AbsolutePath);
            if (uri.PathAndQuery.Length >= 10) _masker.Add(uri.PathAndQuery);
        }

        private void Register(SettingDefinition def, string value)
        {
            if (def.Kind == SettingKind.SecretUrl) RegisterSecretUrl(value);
            else if (def.IsSecret) RegisterSecret(value);
        }

        /// <summary>The process environment as a dictionary.</summary>
        private static IReadOnlyDictionary<string, string> ProcessVariables()
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
                result[(string)e.Key] = e.Value as string ?? string.Empty;
            return result;
        }

        /// <summary>Finds the environments file: explicit path, $INFLUENCEGEN_ENVIRONMENTS_FILE, or
        /// environments.json in <paramref name="workingDirectory"/>.</summary>
        public string? LocateFile(string? explicitPath, string workingDirectory)
        {
            if (!string.IsNullOrEmpty(explicitPath))
            {
                string full = Path.GetFullPath(Path.Combine(workingDirectory, explicitPath));
                if (!System.IO.File.Exists(full))
                    throw new DeployException(ErrorIds.ConfigurationFileNotFound, ErrorKind.ObjectNotFound, $"the environments file '{explicitPath}' does not exist", explicitPath);
                return full;
            }
            if (_variables.TryGetValue(FileVariable, out string? fromVariable) && !string.IsNullOrEmpty(fromVariable))
            {
                string full = Path.GetFullPath(Path.Combine(workingDirectory, fromVariable));
                if (!System.IO.File.Exists(full))
                    throw new DeployException(ErrorIds.ConfigurationFileNotFound, ErrorKind.ObjectNotFound,
                        $"{FileVariable} names '{fromVariable}', which does not exist", FileVariable);
                return full;
            }
            string candidate = Path.Combine(workingDirectory, DefaultFileName);
            return System.IO.File.Exists(candidate) ? candidate : null;
        }

        /// <summary>Names of the environments known: the built-in four plus those of the file.</summary>
        public IReadOnlyList<string> KnownEnvironments(string? file)
        {
            var names = new List<string>(DeployEnvironment.BuiltIn);
            if (file != null)
                foreach (string env in EnvironmentsFile.Load(file).Environments.Keys)
                    if (!names.Contains(env, StringComparer.OrdinalIgnoreCase)) names.Add(env);
            return names;
        }

        /// <summary>
        /// A setting that belongs to no environment (e.g. the test job's ODOO_MODULES_TO_TEST): the CI variable (or an
        /// alias), then the environments file's "global" section, then the default; null when unset.
        /// </summary>
        public string? Global(string name, string? file)
        {
            SettingDefinition def = SettingCatalog.Get(name);
            if (def.PerEnvironment) throw new ArgumentException($"{name} is a setting of an environment", nameof(name));
            string? value = null;
            if (FromVariables(def, string.Empty) is (string variable, string fromVariable))
            {
                Check(def, fromVariable, $"variable {variable}");
                value = fromVariable;
            }
            else if (file != null && EnvironmentsFile.Load(file).TryGet(string.Empty, def.Name, out string? fromFile, out int line))
            {
                Check(def, fromFile!, $"{file}:{line} (\"{def.Name}\")");
                value = fromFile;
            }
            else value = def.DefaultFor?.Invoke(string.Empty);
            if (value != null) Register(def, value);
            return value;
        }

        public DeployConfiguration Resolve(string environment, string? file, IReadOnlyDictionary<string, object?>? explicitValues = null)
        {
            if (Environments.ReviewEnvironment.IsReviewName(environment)) return ResolveReview(Environments.ReviewEnvironment.Parse(environment), file, explicitValues);
            EnvironmentsFile? parsed = file == null ? null : EnvironmentsFile.Load(file);
            string env = DeployEnvironment.Normalize(environment);
            bool known = DeployEnvironment.BuiltIn.Contains(env) || (parsed != null && parsed.Environments.ContainsKey(env));
            if (!known)
            {
                var names = new List<string>(DeployEnvironment.BuiltIn);
                if (parsed != null) names.AddRange(parsed.Environments.Keys.Where(k => !names.Contains(k)));
                throw new DeployException(ErrorIds.UnknownEnvironment, ErrorKind.InvalidArgument,
                    $"unknown environment '{environment}'; known: {string.Join(", ", names)}" + (file == null ? " (add others to environments.json)" : $" (from {file})"), environment);
            }

            string prefix = SettingCatalog.PrefixOf(env);
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var entries = new List<ConfigurationEntry>();
            foreach (SettingDefinition def in SettingCatalog.All)
            {
                string variable = def.VariableFor(prefix);
                string? value = null;
                string source = "unset";

                if (explicitValues != null && explicitValues.TryGetValue(def.Name, out object? explicitValue) && explicitValue != null)
                {
                    value = Convert.ToString(explicitValue, CultureInfo.InvariantCulture);
                    source = "parameter";
                    Check(def, value!, $"parameter for {def.Name}");
                }
                else if (FromVariables(def, prefix) is (string setVariable, string fromVariable))
                {
                    value = fromVariable;
                    source = "variable " + setVariable;
                    Check(def, value, $"variable {setVariable}");
                }
                else if (parsed != null && parsed.TryGet(env, def.Name, out string? fromFile, out int line))
                {
                    value = fromFile;
                    source = $"file {Path.GetFileName(file)}:{line}";
                    Check(def, value!, $"{file}:{line} (\"{def.Name}\")");
                }
                else if (def.DefaultFor?.Invoke(env) is string fallback)
                {
                    value = fallback;
                    source = "default";
                }

                if (value != null)
                {
                    if (def.Kind == SettingKind.Toggle) value = value.Trim().ToLowerInvariant();
                    values[def.Name] = value;
                    Register(def, value);
                }
                entries.Add(new ConfigurationEntry
                {
                    Environment = env,
                    Name = def.Name,
                    Value = value == null ? string.Empty : def.IsSecret ? SecretMasker.Mask : value,
                    Source = source,
                    IsSecret = def.IsSecret,
                    IsSet = value != null,
                    Variable = variable,
                    Description = def.Description,
                });
            }
            return new DeployConfiguration(env, values, entries, file, Job());
        }

        /// <summary>
        /// A review environment (review/&lt;slug&gt;): the dev environment's settings, with the database, deploy root,
        /// service, HTTP port and URL derived from the slug (<see cref="Environments.ReviewEnvironment"/>); an explicit
        /// parameter still wins. Never gated, never backed up before upgrades.
        /// </summary>
        private DeployConfiguration ResolveReview(Environments.ReviewEnvironment review, string? file, IReadOnlyDictionary<string, object?>? explicitValues)
        {
            DeployConfiguration dev = Resolve("dev", file, explicitValues);
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (ConfigurationEntry e in dev.Entries)
                if (dev.Get(e.Name) is string v) values[e.Name] = v;
            int port = review.Port(dev.Integer("ReviewPortBase"), dev.Integer("ReviewPortCount"));
            var derived = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["OdooDatabase"] = review.Database(dev.Require("OdooDatabase")),
                ["DeployRoot"] = review.DeployRoot(dev.Require("DeployRoot")),
                ["OdooService"] = review.Service(dev.Get("OdooService") ?? "odoo"),
                ["OdooHttpPort"] = port.ToString(CultureInfo.InvariantCulture),
                ["OdooUrl"] = review.Url(dev.Get("ReviewUrl"), dev.Get("OdooUrl"), port),
                ["HealthUrl"] = null,
                ["FilestorePath"] = null,
                ["BackupBeforeUpgrade"] = "false",
                ["RequireChangeApproval"] = "false",
            };
            var entries = new List<ConfigurationEntry>();
            foreach (ConfigurationEntry e in dev.Entries)
            {
                var copy = new ConfigurationEntry
                {
                    Environment = review.Name, Name = e.Name, Value = e.Value, Source = e.Source, IsSecret = e.IsSecret,
                    IsSet = e.IsSet, Variable = e.Variable, Description = e.Description,
                };
                bool given = explicitValues != null && explicitValues.TryGetValue(e.Name, out object? x) && x != null;
                if (!given && derived.TryGetValue(e.Name, out string? d))
                {
                    if (d == null) values.Remove(e.Name); else values[e.Name] = d;
                    copy.Value = d ?? string.Empty; copy.IsSet = d != null;
                    copy.Source = d == null ? $"unset for {review.Name}" : $"derived from dev for {review.Name}";
                }
                entries.Add(copy);
            }
            return new DeployConfiguration(review.Name, values, entries, file, dev.Job);
        }

        /// <summary>
        /// The CI variable that sets <paramref name="def"/>: its own name or one of its aliases. Two of them set to
        /// different values is an error naming both (values not shown: one may be a secret).
        /// </summary>
        private (string Variable, string Value)? FromVariables(SettingDefinition def, string prefix)
        {
            (string Variable, string Value)? found = null;
            foreach (string variable in def.VariablesFor(prefix))
            {
                if (!_variables.TryGetValue(variable, out string? value) || value.Length == 0) continue;
                if (found == null) found = (variable, value);
                else if (!string.Equals(found.Value.Value, value, StringComparison.Ordinal))
                    throw new DeployException(ErrorIds.ConfigurationConflict, ErrorKind.InvalidData,
                        $"{def.Name} is set twice with different values: by the CI variables {found.Value.Variable} and {variable}. Keep one of them.", def.Name);
            }
            return found;
        }

        private static void Check(SettingDefinition def, string value, string where)
        {
            switch (def.Kind)
            {
                case SettingKind.Toggle:
                    string t = value.Trim().ToLowerInvariant();
                    if (t != "true" && t != "false")
                        throw Invalid(def, where, $"'{value}' is not true or false");
                    break;
                case SettingKind.Integer:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 0)
                        throw Invalid(def, where, $"'{value}' is not a whole number");
                    break;
                case SettingKind.Url:
                case SettingKind.SecretUrl:
                    if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https") || string.IsNullOrEmpty(uri.Host))
                        throw Invalid(def, where, def.IsSecret ? "the value is not an absolute http(s) URL (value not shown: it is a secret)" : $"'{value}' is not an absolute http(s) URL");
                    break;
            }
        }

        private static DeployException Invalid(SettingDefinition def, string where, string why) =>
            new DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidData, $"{where}: {why}", def.Name);
    }

    /// <summary>
    /// The repository's environments file (JSON):
    /// <code>{ "global": { "JiraBaseUrl": "…" }, "environments": { "staging": { "OdooSshHost": "…" } } }</code>
    /// Setting names are those of <see cref="SettingCatalog"/>; secrets are refused here (they belong
    /// in CI variables). Errors name the file and line.
    /// </summary>
    internal sealed class EnvironmentsFile
    {
        private readonly Dictionary<string, (string Value, int Line)> _global = new Dictionary<string, (string, int)>(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, Dictionary<string, (string Value, int Line)>> Environments { get; } =
            new Dictionary<string, Dictionary<string, (string, int)>>(StringComparer.OrdinalIgnoreCase);

        public bool TryGet(string environment, string name, out string? value, out int line)
        {
            if (Environments.TryGetValue(environment, out var env) && env.TryGetValue(name, out var v) ||
                _global.TryGetValue(name, out v))
            {
                value = v.Value;
                line = v.Line;
                return true;
            }
            value = null;
            line = 0;
            return false;
        }

        public static EnvironmentsFile Load(string path)
        {
            JObject root;
            try
            {
                using var reader = new JsonTextReader(new StreamReader(path));
                root = JObject.Load(reader, new JsonLoadSettings { LineInfoHandling = LineInfoHandling.Load, DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
            }
            catch (JsonReaderException ex)
            {
                throw new DeployException(ErrorIds.InvalidConfigurationFile, ErrorKind.ParserError, $"{path}:{ex.LineNumber}:{ex.LinePosition}: {StripPosition(ex.Message)}", path);
            }
            catch (IOException ex)
            {
                throw new DeployException(ErrorIds.InvalidConfigurationFile, ErrorKind.ReadError, $"{path}: {ex.Message}", path);
            }

            var file = new EnvironmentsFile();
            foreach (JProperty top in root.Properties())
            {
                if (top.Name == "global") ReadSettings(path, top.Value, file._global);
                else if (top.Name == "environments")
                {
                    if (!(top.Value is JObject envs)) throw At(path, top.Value, "\"environments\" must be an object of environment names");
                    foreach (JProperty env in envs.Properties())
                    {
                        var settings = new Dictionary<string, (string, int)>(StringComparer.OrdinalIgnoreCase);
                        ReadSettings(path, env.Value, settings);
                        file.Environments[env.Name.ToLowerInvariant()] = settings;
                    }
                }
                else if (top.Name != "$schema" && top.Name != "comment")
                    throw At(path, top, $"unknown key \"{top.Name}\"; expected \"global\" and \"environments\"");
            }
            return file;
        }

        private static void ReadSettings(string path, JToken token, Dictionary<string, (string, int)> into)
        {
            if (!(token is JObject obj)) throw At(path, token, "expected an object of settings");
            foreach (JProperty p in obj.Properties())
            {
                if (p.Name == "comment") continue;
                if (!SettingCatalog.TryGet(p.Name, out SettingDefinition def))
                    throw At(path, p, $"unknown setting \"{p.Name}\"; run Get-InfluenceGenConfiguration to list the settings");
                if (def.IsSecret)
                    throw At(path, p, $"\"{p.Name}\" is a secret and must not be in the repository; set the CI variable {def.Variable.Replace("{ENV}", "<ENV>")} instead");
                if (def.Name == "Hosts")
                {
                    // the one setting that is a list: checked here, where the problem can be named by line
                    if (Deploy.HostSpec.Check(p.Value, out JToken at) is string problem) throw At(path, at, problem);
                    into[def.Name] = (p.Value.ToString(Formatting.None), ((IJsonLineInfo)p).LineNumber);
                    continue;
                }
                if (p.Value.Type == JTokenType.Object || p.Value.Type == JTokenType.Array || p.Value.Type == JTokenType.Null)
                    throw At(path, p, $"\"{p.Name}\" must be a string, number or boolean");
                string value = p.Value.Type == JTokenType.Boolean ? ((bool)p.Value ? "true" : "false") : Convert.ToString(((JValue)p.Value).Value, CultureInfo.InvariantCulture) ?? string.Empty;
                into[def.Name] = (value, ((IJsonLineInfo)p).LineNumber);
            }
        }

        private static DeployException At(string path, JToken token, string message)
        {
            var info = (IJsonLineInfo)token;
            return new DeployException(ErrorIds.InvalidConfigurationFile, ErrorKind.InvalidData, $"{path}:{info.LineNumber}:{info.LinePosition}: {message}", path);
        }

        private static string StripPosition(string message)
        {
            int i = message.IndexOf(" Path '", StringComparison.Ordinal);
            return i > 0 ? message.Substring(0, i) : message;
        }
    }
}
