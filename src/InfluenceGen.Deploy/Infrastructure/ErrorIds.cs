// The stable error ids of the module, in one place. Generated once from the list in docs/errors.md and kept in
// step with it by tests/unit/Infrastructure/ErrorIdCatalogTests.cs: add an id here AND to docs/errors.md.
namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>
    /// Every ErrorId the module gives an ErrorRecord (<c>$Error[0].FullyQualifiedErrorId</c> starts with it). Scripts and
    /// tests match these strings, so a value never changes once released; each constant's value is its name. Code throws
    /// <c>new DeployException(ErrorIds.X, ErrorKind.Y, …)</c>, never a string literal (a test scans for that).
    /// </summary>
    public static class ErrorIds
    {
        // ---- Configuration and arguments ----
        /// <summary>The environment name is not known (the message lists the known ones: the built-in environments, those of the environments file, review/&lt;slug&gt;). <b>Fix:</b> Check -Environment, or add the environment to the environments file.</summary>
        public const string UnknownEnvironment = "UnknownEnvironment";
        /// <summary>The environments file given by -ConfigurationPath or INFLUENCEGEN_ENVIRONMENTS_FILE does not exist. <b>Fix:</b> Fix the path, or leave it out to use the built-in defaults.</summary>
        public const string ConfigurationFileNotFound = "ConfigurationFileNotFound";
        /// <summary>The environments file is not valid JSON or has a field of the wrong type; the message names file, line and field. <b>Fix:</b> Fix the file at the line the message names.</summary>
        public const string InvalidConfigurationFile = "InvalidConfigurationFile";
        /// <summary>A setting has a value the module cannot use (not a URL, not a number, not one of the allowed words); the message names the setting and its CI variable. <b>Fix:</b> Set the named CI variable (or environments-file field) to an allowed value.</summary>
        public const string InvalidConfigurationValue = "InvalidConfigurationValue";
        /// <summary>A setting is present but contradicts another one or is out of range (e.g. ReviewPortCount below 1, a database name too long). <b>Fix:</b> Change the named setting as the message says.</summary>
        public const string ConfigurationInvalid = "ConfigurationInvalid";
        /// <summary>A setting the chosen mode needs is not set (e.g. a restart command for runtime "command", FilestorePath for -IncludeFilestore, JIRA_BASE_URL). <b>Fix:</b> Set the named CI variable or environments-file field.</summary>
        public const string ConfigurationMissing = "ConfigurationMissing";
        /// <summary>One setting is given twice with different values (two CI variable names for the same setting). <b>Fix:</b> Keep one of the two variables.</summary>
        public const string ConfigurationConflict = "ConfigurationConflict";
        /// <summary>The cmdlet must ask before acting but the session cannot ask (pwsh -NonInteractive, a CI job). <b>Fix:</b> Pass -Force or -Confirm:$false on the CI job line, or -WhatIf to only see the plan.</summary>
        public const string ConfirmationNotPossible = "ConfirmationNotPossible";
        /// <summary>A path given to the cmdlet (or an SQL file of a setting) does not exist. <b>Fix:</b> Fix the path.</summary>
        public const string PathNotFound = "PathNotFound";

        // ---- Packaging Odoo addons ----
        /// <summary>-Path of New-OdooAddonPackage names a file; it takes folders that contain addons. <b>Fix:</b> Pass the folder that holds the addons.</summary>
        public const string PathIsNotAFolder = "PathIsNotAFolder";
        /// <summary>No folder with a __manifest__.py was found under -Path (after -Include/-Exclude). <b>Fix:</b> Point -Path at the addons folder, or loosen -Include/-Exclude.</summary>
        public const string NoAddonsFound = "NoAddonsFound";
        /// <summary>Two addons under -Path have the same technical name. <b>Fix:</b> Keep one, or -Exclude the other.</summary>
        public const string DuplicateAddon = "DuplicateAddon";
        /// <summary>A folder or file of an addon cannot be read. <b>Fix:</b> Fix the file permissions.</summary>
        public const string AddonUnreadable = "AddonUnreadable";
        /// <summary>An addon holds a symbolic link that points outside the addon. <b>Fix:</b> Replace the link by the file, or remove it.</summary>
        public const string UnsafeSymlink = "UnsafeSymlink";
        /// <summary>__manifest__.py cannot be read. <b>Fix:</b> Fix the file permissions.</summary>
        public const string ManifestUnreadable = "ManifestUnreadable";
        /// <summary>__manifest__.py is not valid UTF-8. <b>Fix:</b> Save the manifest as UTF-8.</summary>
        public const string ManifestNotUtf8 = "ManifestNotUtf8";
        /// <summary>__manifest__.py is not a valid Python literal; the message gives line and column. <b>Fix:</b> Fix the syntax at the position shown.</summary>
        public const string ManifestSyntaxError = "ManifestSyntaxError";
        /// <summary>__manifest__.py holds a Python literal that is not a dict. <b>Fix:</b> Make the manifest one dict literal.</summary>
        public const string ManifestNotADict = "ManifestNotADict";
        /// <summary>A manifest field has the wrong type or value (name, version, depends, data, installable, …). <b>Fix:</b> Fix the field the message names.</summary>
        public const string InvalidManifest = "InvalidManifest";
        /// <summary>A manifest lists a data/demo/asset file that does not exist in the addon. <b>Fix:</b> Add the file or remove it from the manifest.</summary>
        public const string ManifestFileMissing = "ManifestFileMissing";
        /// <summary>An addon depends on an addon that is neither in the package nor listed with -AvailableAddon. <b>Fix:</b> Add the addon to the package, or name it with -AvailableAddon (Odoo's own addons are known).</summary>
        public const string MissingDependency = "MissingDependency";
        /// <summary>The addons' depends form a cycle. <b>Fix:</b> Break the cycle the message lists.</summary>
        public const string DependencyCycle = "DependencyCycle";
        /// <summary>More than one addon problem was found; each was reported as its own error before this summary. <b>Fix:</b> Fix the problems listed before it.</summary>
        public const string InvalidAddons = "InvalidAddons";
        /// <summary>-OutFile names an existing folder. <b>Fix:</b> Give the path of the zip to write.</summary>
        public const string OutFileIsFolder = "OutFileIsFolder";
        /// <summary>-OutFile lies inside the folder being packaged, so the package would contain itself. <b>Fix:</b> Write the zip elsewhere.</summary>
        public const string OutFileInsideInput = "OutFileInsideInput";
        /// <summary>The folder of -OutFile cannot be created because a file of that name exists. <b>Fix:</b> Remove the file or choose another -OutFile.</summary>
        public const string OutFolderIsFile = "OutFolderIsFile";

        // ---- n8n workflows ----
        /// <summary>-Path of New-N8nWorkflowPackage resolved to more than one folder. <b>Fix:</b> Pass one folder of workflows.</summary>
        public const string OneFolderExpected = "OneFolderExpected";
        /// <summary>The folder holds no workflow JSON (objects with nodes and connections, as n8n exports them). <b>Fix:</b> Point -Path at the exported workflows.</summary>
        public const string NoWorkflowsFound = "NoWorkflowsFound";
        /// <summary>A workflow file is not well-formed JSON; the message gives line and column. <b>Fix:</b> Fix the JSON at the position shown.</summary>
        public const string InvalidWorkflowJson = "InvalidWorkflowJson";
        /// <summary>A workflow has no "name" (a non-empty string). <b>Fix:</b> Give the workflow a name in n8n and export it again.</summary>
        public const string MissingWorkflowName = "MissingWorkflowName";
        /// <summary>A workflow has no "nodes" array. <b>Fix:</b> Export the workflow again from n8n.</summary>
        public const string MissingWorkflowNodes = "MissingWorkflowNodes";
        /// <summary>A workflow has no "connections" object. <b>Fix:</b> Export the workflow again from n8n.</summary>
        public const string MissingWorkflowConnections = "MissingWorkflowConnections";
        /// <summary>A node has no name or type, or is not an object. <b>Fix:</b> Fix the node the message names.</summary>
        public const string InvalidWorkflowNode = "InvalidWorkflowNode";
        /// <summary>Two nodes of one workflow have the same name (n8n's connections refer to nodes by name). <b>Fix:</b> Rename one of the nodes.</summary>
        public const string DuplicateNodeName = "DuplicateNodeName";
        /// <summary>A connection starts or ends at a node the workflow does not have. <b>Fix:</b> Fix or remove the connection.</summary>
        public const string UnknownConnectionNode = "UnknownConnectionNode";
        /// <summary>A tag of a workflow has no name. <b>Fix:</b> Fix the tag.</summary>
        public const string InvalidWorkflowTag = "InvalidWorkflowTag";
        /// <summary>A workflow is marked active but has no trigger node, which n8n refuses to activate. <b>Fix:</b> Add a trigger, or mark the workflow inactive.</summary>
        public const string ActiveWithoutTrigger = "ActiveWithoutTrigger";
        /// <summary>Two workflow files have the same name (the name is how publishing finds a workflow on the server). <b>Fix:</b> Rename one of them.</summary>
        public const string DuplicateWorkflowIdentity = "DuplicateWorkflowIdentity";
        /// <summary>More than one workflow problem was found; each was reported as its own error before this summary. <b>Fix:</b> Fix the problems listed before it.</summary>
        public const string InvalidWorkflows = "InvalidWorkflows";
        /// <summary>The workflow source is neither a folder nor a readable zip. <b>Fix:</b> Pass the folder or the zip built by New-N8nWorkflowPackage.</summary>
        public const string InvalidPackage = "InvalidPackage";
        /// <summary>Publish-N8nWorkflow has neither -BaseUri/-ApiKey nor -Environment. <b>Fix:</b> Give -BaseUri and -ApiKey, or -Environment with &lt;ENV&gt;_N8N_API_URL and &lt;ENV&gt;_N8N_API_KEY set.</summary>
        public const string N8nServerNotGiven = "N8nServerNotGiven";
        /// <summary>The environment has no n8n URL. <b>Fix:</b> Set &lt;ENV&gt;_N8N_API_URL or pass -BaseUri.</summary>
        public const string N8nApiUrlMissing = "N8nApiUrlMissing";
        /// <summary>The environment has no n8n API key. <b>Fix:</b> Set &lt;ENV&gt;_N8N_API_KEY or pass -ApiKey.</summary>
        public const string N8nApiKeyMissing = "N8nApiKeyMissing";
        /// <summary>n8n refused the API key (401/403). <b>Fix:</b> Use a valid, unexpired n8n API key with workflow scopes.</summary>
        public const string N8nUnauthorized = "N8nUnauthorized";
        /// <summary>n8n could not be reached (connection refused, DNS, timeout after retries). <b>Fix:</b> Check the URL and that n8n is running.</summary>
        public const string N8nUnreachable = "N8nUnreachable";
        /// <summary>n8n answered 404 for a workflow or tag the publisher expected. <b>Fix:</b> Check the URL (it must be the n8n base, not /api/v1) and retry; another client may have deleted it.</summary>
        public const string N8nNotFound = "N8nNotFound";
        /// <summary>n8n answered 400: it rejected the workflow body. <b>Fix:</b> Read n8n's message in the error; fix the workflow.</summary>
        public const string N8nRejected = "N8nRejected";
        /// <summary>n8n answered another error, or an answer without the expected fields. <b>Fix:</b> Read n8n's message; check the n8n version.</summary>
        public const string N8nApiError = "N8nApiError";
        /// <summary>A workflow cannot be published because of what is on the server (see AmbiguousWorkflow, WorkflowNotManaged). <b>Fix:</b> Resolve the conflict the message describes.</summary>
        public const string WorkflowConflict = "WorkflowConflict";
        /// <summary>Several managed workflows on the server have the same name. <b>Fix:</b> Delete or rename all but one on the server.</summary>
        public const string AmbiguousWorkflow = "AmbiguousWorkflow";
        /// <summary>A workflow of that name exists on the server but does not carry the module's tag. <b>Fix:</b> Add the tag to it so the module takes it over, or rename one of them.</summary>
        public const string WorkflowNotManaged = "WorkflowNotManaged";
        /// <summary>-Prune would delete most of the managed workflows because the source holds few: an empty or wrong folder looks like that. Nothing was changed. <b>Fix:</b> Check the source folder; pass -Force to prune anyway.</summary>
        public const string PruneGuard = "PruneGuard";
        /// <summary>A workflow failed to publish (per item), or the deploy's n8n step failed. <b>Fix:</b> Read the per-workflow errors before it.</summary>
        public const string N8nPublishFailed = "N8nPublishFailed";
        /// <summary>Deploy-InfluenceGen was given an n8n bundle but no n8n publisher is wired in the session. <b>Fix:</b> Report it: the module's wiring is incomplete.</summary>
        public const string N8nPublisherMissing = "N8nPublisherMissing";
        /// <summary>The n8n bundle given to Deploy-InfluenceGen does not exist. <b>Fix:</b> Build it with New-N8nWorkflowPackage, or switch n8n deploys off (ENABLE_N8N_DEPLOY=false).</summary>
        public const string N8nPackageNotFound = "N8nPackageNotFound";

        // ---- Unit tests and lint ----
        /// <summary>No module to test: no -Module, no addon package, and ODOO_MODULES_TO_TEST is empty. <b>Fix:</b> Give -Module names or a package, or set ODOO_MODULES_TO_TEST.</summary>
        public const string OdooTestNoModule = "OdooTestNoModule";
        /// <summary>A module name is not an Odoo module name (letters, digits, underscore). <b>Fix:</b> Fix the name.</summary>
        public const string OdooTestBadModuleName = "OdooTestBadModuleName";
        /// <summary>-Module got something that is neither names nor an addon package. <b>Fix:</b> Pass names or the output of New-OdooAddonPackage.</summary>
        public const string OdooTestBadModule = "OdooTestBadModule";
        /// <summary>-DockerHost is not a URI. <b>Fix:</b> Pass unix:///var/run/docker.sock or tcp://host:2375.</summary>
        public const string OdooTestBadDockerHost = "OdooTestBadDockerHost";
        /// <summary>Odoo could not be started at all (command not found, container not created). <b>Fix:</b> Check -OdooCommand / -Image / -DockerHost.</summary>
        public const string OdooTestRunnerFailed = "OdooTestRunnerFailed";
        /// <summary>Odoo ran the tests and at least one failed or errored; the JUnit XML lists them. <b>Fix:</b> Fix the failing tests.</summary>
        public const string OdooTestsFailed = "OdooTestsFailed";
        /// <summary>Odoo ran but no test ran for the chosen modules. <b>Fix:</b> Check the module names and that they have tests (tests/__init__.py imports them).</summary>
        public const string OdooTestNoTestsRun = "OdooTestNoTestsRun";
        /// <summary>Odoo did not find a chosen module on its addons path. <b>Fix:</b> Fix the module name or the addons path.</summary>
        public const string OdooTestModuleNotFound = "OdooTestModuleNotFound";
        /// <summary>A module failed to load or install before its tests. <b>Fix:</b> Fix the error Odoo logged (quoted in the message).</summary>
        public const string OdooTestModuleLoadFailed = "OdooTestModuleLoadFailed";
        /// <summary>Odoo logged an ERROR or CRITICAL record outside a test. <b>Fix:</b> Fix the error Odoo logged (quoted in the message).</summary>
        public const string OdooTestLogError = "OdooTestLogError";
        /// <summary>Odoo exited non-zero without a failing test in its log. <b>Fix:</b> Read the quoted log tail.</summary>
        public const string OdooTestOdooExitCode = "OdooTestOdooExitCode";
        /// <summary>The test run exceeded -TimeoutSec and Odoo was stopped. <b>Fix:</b> Raise -TimeoutSec or test fewer modules.</summary>
        public const string OdooTestTimeout = "OdooTestTimeout";
        /// <summary>The log has no Odoo test summary line (the run was cut short). <b>Fix:</b> Read the log; rerun.</summary>
        public const string OdooTestNoSummary = "OdooTestNoSummary";
        /// <summary>Invoke-OdooLint has nothing to lint: no -Path, no package, and LINT_TARGET_PATH unset. <b>Fix:</b> Give -Path or a package.</summary>
        public const string LintNoPath = "LintNoPath";
        /// <summary>An addon package read back from a zip does not say where its addons came from. <b>Fix:</b> Lint the source folder with -Path.</summary>
        public const string LintNoSource = "LintNoSource";
        /// <summary>-Linter names a linter the module does not run. <b>Fix:</b> Use flake8 or pylint.</summary>
        public const string LintUnknownLinter = "LintUnknownLinter";
        /// <summary>The linter is not installed (not on PATH). <b>Fix:</b> Install it (the build image has it).</summary>
        public const string LinterNotFound = "LinterNotFound";
        /// <summary>The addons name more than one Odoo series in their manifest versions and no Odoo version was given, so pylint-odoo's version-specific checks cannot be chosen. <b>Fix:</b> Pass -OdooVersion (or set ODOO_VERSION) to the series the addons target.</summary>
        public const string LintOdooVersionAmbiguous = "LintOdooVersionAmbiguous";
        /// <summary>The linter crashed or exited with a usage error. <b>Fix:</b> Read the quoted output.</summary>
        public const string LinterFailed = "LinterFailed";
        /// <summary>There are findings at or above -FailOn; the Code Quality report lists them. <b>Fix:</b> Fix the findings, or change -FailOn.</summary>
        public const string LintFindingsAboveThreshold = "LintFindingsAboveThreshold";

        // ---- Change gate and notifications ----
        /// <summary>No change request id: neither -ChangeRequestId nor CHANGE_REQUEST_ID. <b>Fix:</b> Pass -ChangeRequestId or set CHANGE_REQUEST_ID.</summary>
        public const string ChangeRequestIdMissing = "ChangeRequestIdMissing";
        /// <summary>The id is not a JIRA issue key (PROJECT-123). <b>Fix:</b> Fix the id.</summary>
        public const string InvalidChangeRequestId = "InvalidChangeRequestId";
        /// <summary>The issue belongs to another project than the change-management project. <b>Fix:</b> Use an issue of CHANGE_MANAGEMENT_PROJECT_KEY.</summary>
        public const string NotAChangeRequest = "NotAChangeRequest";
        /// <summary>The change request is not (yet) in the approved status (or a required approver is missing). The gate fails closed. <b>Fix:</b> Get it approved in JIRA, then retry the job.</summary>
        public const string ChangeNotApproved = "ChangeNotApproved";
        /// <summary>The change request is in a rejected status; it will not become approved. <b>Fix:</b> Raise a new change request, or reopen this one.</summary>
        public const string ChangeRequestRejected = "ChangeRequestRejected";
        /// <summary>JIRA cannot answer usefully (credentials, configuration, unknown issue): the change will not be approved as things are. <b>Fix:</b> Fix the id, the credentials or the configuration the message names.</summary>
        public const string ChangeApprovalNotPossible = "ChangeApprovalNotPossible";
        /// <summary>Wait-ChangeApproval reached its timeout without approval. <b>Fix:</b> Get the change request approved, then retry; or raise -TimeoutSeconds.</summary>
        public const string ChangeApprovalTimeout = "ChangeApprovalTimeout";
        /// <summary>JIRA could not be reached or answered 5xx after retries. The gate treats this as not approved. <b>Fix:</b> Check JIRA_BASE_URL and JIRA's status.</summary>
        public const string JiraUnavailable = "JiraUnavailable";
        /// <summary>JIRA answered with a body that is not the JSON expected. <b>Fix:</b> Check JIRA_BASE_URL (a proxy or login page answers HTML).</summary>
        public const string JiraMalformedAnswer = "JiraMalformedAnswer";
        /// <summary>A JIRA request answered an unexpected status. <b>Fix:</b> Read JIRA's message in the error.</summary>
        public const string JiraRequestFailed = "JiraRequestFailed";
        /// <summary>Complete-ChangeRequest could not add its comment. <b>Fix:</b> Check the account's permission to comment.</summary>
        public const string JiraCommentFailed = "JiraCommentFailed";
        /// <summary>Complete-ChangeRequest could not transition the issue. <b>Fix:</b> Check the workflow and the account's permission.</summary>
        public const string JiraTransitionFailed = "JiraTransitionFailed";
        /// <summary>No transition named: neither -Transition nor CHANGE_COMPLETE_TRANSITION. <b>Fix:</b> Pass -Transition or set CHANGE_COMPLETE_TRANSITION.</summary>
        public const string TransitionMissing = "TransitionMissing";
        /// <summary>The current status has no transition of that name; the message lists the available ones. <b>Fix:</b> Pass one of the available names.</summary>
        public const string TransitionNotAvailable = "TransitionNotAvailable";
        /// <summary>-WebhookUri is not an absolute http(s) URL (the value is never shown: it is a secret). <b>Fix:</b> Fix the URL.</summary>
        public const string InvalidWebhookUri = "InvalidWebhookUri";
        /// <summary>The Slack/Mattermost webhook did not accept the message after retries. <b>Fix:</b> Check SLACK_WEBHOOK_URL_INFO / SLACK_WEBHOOK_URL_CRITICAL (or -WebhookUri) and the service's status.</summary>
        public const string NoticeNotDelivered = "NoticeNotDelivered";

        // ---- Deploy, rollback, ledger ----
        /// <summary>-SkipApproval without -SkipReason. <b>Fix:</b> Say why the gate is skipped with -SkipReason (it goes into the ledger).</summary>
        public const string SkipReasonMissing = "SkipReasonMissing";
        /// <summary>-SkipApproval on production while ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY is true. <b>Fix:</b> Get the change request approved instead.</summary>
        public const string SkipApprovalNotAllowed = "SkipApprovalNotAllowed";
        /// <summary>A production deploy has no HealthUrl (nor OdooUrl): it could not prove Odoo healthy. Nothing was done. <b>Fix:</b> Set PROD_ODOO_HEALTH_URL.</summary>
        public const string HealthUrlMissing = "HealthUrlMissing";
        /// <summary>The addon package zip does not exist. <b>Fix:</b> Build it with New-OdooAddonPackage, or fix the path.</summary>
        public const string PackageNotFound = "PackageNotFound";
        /// <summary>The package is not a readable zip. <b>Fix:</b> Rebuild it.</summary>
        public const string PackageCorrupt = "PackageCorrupt";
        /// <summary>The zip has no InfluenceGen metadata (not built by New-OdooAddonPackage). <b>Fix:</b> Build it with New-OdooAddonPackage.</summary>
        public const string PackageMetadataMissing = "PackageMetadataMissing";
        /// <summary>The package's metadata cannot be parsed. <b>Fix:</b> Rebuild the package.</summary>
        public const string PackageMetadataInvalid = "PackageMetadataInvalid";
        /// <summary>The package's sha256 differs from the one recorded when it was built. <b>Fix:</b> Rebuild it; do not edit a built package.</summary>
        public const string PackageChanged = "PackageChanged";
        /// <summary>-Package of Test-InfluenceGenEnvironment is neither a zip path nor a package object. <b>Fix:</b> Pass the zip or the object New-OdooAddonPackage returned.</summary>
        public const string PackageInvalid = "PackageInvalid";
        /// <summary>Another deployment holds the environment's lock; the message names the holder. <b>Fix:</b> Wait for it, or -BreakLock if the holder is gone.</summary>
        public const string DeploymentLocked = "DeploymentLocked";
        /// <summary>-BreakLock refused: the holder is a deploy job still running on the target; it frees the lock itself. <b>Fix:</b> Wait for it to end.</summary>
        public const string LockHeldByRunningJob = "LockHeldByRunningJob";
        /// <summary>-BreakLock refused: the lock changed hands while breaking it. <b>Fix:</b> Look again with Get-InfluenceGenDeployment; retry.</summary>
        public const string LockChanged = "LockChanged";
        /// <summary>-BreakLock found no lock. <b>Fix:</b> Nothing to do.</summary>
        public const string NotLocked = "NotLocked";
        /// <summary>Removing the lock file failed on the target. <b>Fix:</b> Read the quoted output (permissions of &lt;root&gt;/.lock).</summary>
        public const string BreakLockFailed = "BreakLockFailed";
        /// <summary>The deploy job could not be started on the target. <b>Fix:</b> Read the quoted output (disk, permissions, shell).</summary>
        public const string TargetJobNotStarted = "TargetJobNotStarted";
        /// <summary>The connection to the target was lost while following the deploy job; the job goes on there and ends deployed or rolled back. <b>Fix:</b> Read the outcome with Get-InfluenceGenDeployment -Environment &lt;env&gt; -Last 1.</summary>
        public const string TargetJobUnreachable = "TargetJobUnreachable";
        /// <summary>The deploy job ended without writing its ledger line. <b>Fix:</b> Read &lt;root&gt;/jobs/&lt;id&gt;/progress.log on the target.</summary>
        public const string TargetJobUnreadable = "TargetJobUnreadable";
        /// <summary>The deploy was cancelled (Ctrl+C, job cancelled); the target rolled back. <b>Fix:</b> Read the outcome in the ledger.</summary>
        public const string DeployCancelled = "DeployCancelled";
        /// <summary>A deploy step failed that has no more specific id. <b>Fix:</b> Read the quoted cause.</summary>
        public const string DeployStepFailed = "DeployStepFailed";
        /// <summary>A step of one host of a several-host environment failed (the message names the host; the original error, e.g. HealthCheckFailed, is the inner error); every host was rolled back. <b>Fix:</b> Read the inner error and fix that host.</summary>
        public const string DeployHostFailed = "DeployHostFailed";
        /// <summary>Uploading the package to the target failed. <b>Fix:</b> Check disk space and permissions under the target root.</summary>
        public const string UploadFailed = "UploadFailed";
        /// <summary>The package arrived on the target with another sha256. <b>Fix:</b> Retry; check the transport.</summary>
        public const string PackageChecksumMismatch = "PackageChecksumMismatch";
        /// <summary>The target refused the package: an entry would land outside the release folder. <b>Fix:</b> Rebuild the package with New-OdooAddonPackage.</summary>
        public const string UnsafeZipEntry = "UnsafeZipEntry";
        /// <summary>Extracting the package into releases/&lt;id&gt; failed. <b>Fix:</b> Read the quoted output (disk space, permissions).</summary>
        public const string ExtractFailed = "ExtractFailed";
        /// <summary>The state of the database (installed modules, checksums) could not be read on the target. <b>Fix:</b> Check the database settings of the environment and that PostgreSQL runs.</summary>
        public const string DatabaseUnreachable = "DatabaseUnreachable";
        /// <summary>The backup would not fit on the target's disk; nothing was switched. <b>Fix:</b> Free space under &lt;root&gt;/backups.</summary>
        public const string BackupNoSpace = "BackupNoSpace";
        /// <summary>pg_dump failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string BackupFailed = "BackupFailed";
        /// <summary>Stopping Odoo for the maintenance window failed. <b>Fix:</b> Check the runtime settings (service name, compose file, stop command).</summary>
        public const string StopFailed = "StopFailed";
        /// <summary>Switching current to the new release failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string SwitchFailed = "SwitchFailed";
        /// <summary>odoo -i/-u --stop-after-init failed; the deploy rolled back. <b>Fix:</b> Read Odoo's quoted log.</summary>
        public const string OdooUpgradeFailed = "OdooUpgradeFailed";
        /// <summary>Restarting Odoo failed. <b>Fix:</b> Check the runtime settings.</summary>
        public const string RestartFailed = "RestartFailed";
        /// <summary>Odoo did not become healthy (with its database) within HealthTimeout; the deploy rolled back. <b>Fix:</b> Read the quoted probe answers.</summary>
        public const string HealthCheckFailed = "HealthCheckFailed";
        /// <summary>Odoo was stopped but its health URL still answered: another server holds it. <b>Fix:</b> Fix HealthUrl so it reaches this environment's Odoo.</summary>
        public const string HealthAnsweredByAnotherServer = "HealthAnsweredByAnotherServer";
        /// <summary>A failed deploy or copy could not be fully rolled back; the message lists what is left to do. <b>Fix:</b> Do the listed steps by hand, then check the environment.</summary>
        public const string RollbackIncomplete = "RollbackIncomplete";
        /// <summary>Undo-InfluenceGenDeployment found no earlier release to go back to. <b>Fix:</b> Nothing to undo.</summary>
        public const string NoReleaseToUndo = "NoReleaseToUndo";
        /// <summary>The release asked for is not kept on the target; the message lists the kept ones. <b>Fix:</b> Pick one of them.</summary>
        public const string ReleaseNotFound = "ReleaseNotFound";
        /// <summary>The ledger's hash chain (or HMAC) does not verify. <b>Fix:</b> Investigate the named line; the ledger was edited or truncated.</summary>
        public const string LedgerTampered = "LedgerTampered";
        /// <summary>pg_restore failed, or the restored database does not hold what the dump lists. <b>Fix:</b> Read the quoted output.</summary>
        public const string RestoreFailed = "RestoreFailed";

        // ---- SSH transport ----
        /// <summary>An SSH setting is missing or invalid (host, user, key, port); the message names the setting. <b>Fix:</b> Set the named setting.</summary>
        public const string SshConfigurationInvalid = "SshConfigurationInvalid";
        /// <summary>The SSH private key cannot be read (a wrong passphrase gives this too). <b>Fix:</b> Fix the key or its passphrase.</summary>
        public const string SshKeyInvalid = "SshKeyInvalid";
        /// <summary>The server's host key does not match the pinned fingerprint or known_hosts, or it is unknown and trust on first use is off. <b>Fix:</b> Pin the right key (&lt;ENV&gt;_ODOO_SSH_HOST_KEY or known_hosts).</summary>
        public const string SshHostKeyRejected = "SshHostKeyRejected";
        /// <summary>The server refused the key. <b>Fix:</b> Install the public key for that user on the server.</summary>
        public const string SshAuthenticationFailed = "SshAuthenticationFailed";
        /// <summary>The SSH connection could not be made or was lost. <b>Fix:</b> Check host, port and network.</summary>
        public const string SshConnectFailed = "SshConnectFailed";

        // ---- Environments: copies and review environments ----
        /// <summary>Copy-OdooDatabase was asked to write into production; it never does. <b>Fix:</b> Copy from production, not into it.</summary>
        public const string DestinationIsProduction = "DestinationIsProduction";
        /// <summary>Source and destination of the copy are the same database. <b>Fix:</b> Pick two different environments.</summary>
        public const string SameDatabase = "SameDatabase";
        /// <summary>The source transport cannot stream a dump. <b>Fix:</b> Use an SSH or local environment as the source.</summary>
        public const string TransportCannotStream = "TransportCannotStream";
        /// <summary>The size or state of the source database cannot be read. <b>Fix:</b> Check the source environment's database settings.</summary>
        public const string SourceUnreadable = "SourceUnreadable";
        /// <summary>-IncludeFilestore but the source has no filestore at FilestorePath. <b>Fix:</b> Fix FilestorePath or leave out -IncludeFilestore.</summary>
        public const string FilestoreNotFound = "FilestoreNotFound";
        /// <summary>A review environment was to be made from a source that is not neutralized. <b>Fix:</b> Refresh the source first: Copy-OdooDatabase -From production -To staging -Neutralize.</summary>
        public const string SourceNotNeutralized = "SourceNotNeutralized";
        /// <summary>The destination cannot hold the copy; the message gives the sizes. <b>Fix:</b> Free space on the destination.</summary>
        public const string InsufficientSpace = "InsufficientSpace";
        /// <summary>Creating or transferring the copy failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string TransferFailed = "TransferFailed";
        /// <summary>pg_dump of the source failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string DumpFailed = "DumpFailed";
        /// <summary>The neutralize command ran but database.is_neutralized is not set. <b>Fix:</b> Check NeutralizeCommand.</summary>
        public const string NeutralizeFailed = "NeutralizeFailed";
        /// <summary>The refresh SQL file has a statement that is not allowed (transaction control, psql meta-commands). <b>Fix:</b> Remove it: the statements run inside the copy's own transaction.</summary>
        public const string RefreshSqlInvalid = "RefreshSqlInvalid";
        /// <summary>The refresh SQL statements failed; none of them was kept. <b>Fix:</b> Fix the statement the quoted psql error names.</summary>
        public const string RefreshSqlFailed = "RefreshSqlFailed";
        /// <summary>Swapping the copy in for the destination database failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string SwapFailed = "SwapFailed";
        /// <summary>The name is not a review environment (review/&lt;branch slug&gt;). <b>Fix:</b> Use review/$CI_COMMIT_REF_SLUG.</summary>
        public const string NotAReviewEnvironment = "NotAReviewEnvironment";
        /// <summary>The branch slug is not a GitLab ref slug. <b>Fix:</b> Pass $CI_COMMIT_REF_SLUG.</summary>
        public const string InvalidReviewName = "InvalidReviewName";
        /// <summary>Remove-InfluenceGenEnvironment was asked to remove a fixed environment; it removes only review environments. <b>Fix:</b> Name a review environment.</summary>
        public const string FixedEnvironment = "FixedEnvironment";
        /// <summary>The review environment's port is held by another live review environment. <b>Fix:</b> Remove that one, or widen DEV_REVIEW_PORT_COUNT.</summary>
        public const string ReviewPortTaken = "ReviewPortTaken";
        /// <summary>Creating the review database from its template failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string ReviewCreateFailed = "ReviewCreateFailed";
        /// <summary>Removing the review environment failed on the target. <b>Fix:</b> Read the quoted output.</summary>
        public const string ReviewRemoveFailed = "ReviewRemoveFailed";
        /// <summary>The review environment could not be registered on the target. <b>Fix:</b> Read the quoted output.</summary>
        public const string TargetUnreadable = "TargetUnreadable";
        /// <summary>A check of Test-InfluenceGenEnvironment failed (per check). <b>Fix:</b> Read the check's message.</summary>
        public const string EnvironmentCheckFailed = "EnvironmentCheckFailed";
        /// <summary>Test-InfluenceGenEnvironment could not read the installed modules of the database. <b>Fix:</b> Check the environment's database settings.</summary>
        public const string EnvironmentDatabaseUnreachable = "EnvironmentDatabaseUnreachable";
        /// <summary>Test-InfluenceGenEnvironment has nothing to check. <b>Fix:</b> Set OdooUrl (or TEST_ENVIRONMENT_URL), N8nApiUrl, or give -Package.</summary>
        public const string NothingToCheck = "NothingToCheck";

        // ---- Images ----
        /// <summary>No image name: neither -Name nor IMAGE_NAME_PARAM. <b>Fix:</b> Pass -Name or set IMAGE_NAME_PARAM.</summary>
        public const string ImageNameMissing = "ImageNameMissing";
        /// <summary>The image repository name is not valid (lower-case, digits, . _ - separated by /; no tag). <b>Fix:</b> Fix the name; give tags with -Tag.</summary>
        public const string InvalidImageName = "InvalidImageName";
        /// <summary>A tag is not a valid image tag. <b>Fix:</b> Use up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -.</summary>
        public const string InvalidImageTag = "InvalidImageTag";
        /// <summary>The build context is not a folder. <b>Fix:</b> Fix -Path.</summary>
        public const string BuildContextNotFound = "BuildContextNotFound";
        /// <summary>The Dockerfile does not exist. <b>Fix:</b> Fix -Dockerfile.</summary>
        public const string DockerfileNotFound = "DockerfileNotFound";
        /// <summary>.dockerignore has a pattern Docker rejects. <b>Fix:</b> Fix the line the message names.</summary>
        public const string InvalidDockerIgnore = "InvalidDockerIgnore";
        /// <summary>DOCKER_HOST is not a unix://, tcp:// or npipe:// address. <b>Fix:</b> Fix DOCKER_HOST or -DockerHost.</summary>
        public const string InvalidDockerHost = "InvalidDockerHost";
        /// <summary>DOCKER_TLS_VERIFY is set but the client certificate files do not exist. <b>Fix:</b> Set DOCKER_CERT_PATH to the folder of ca.pem, cert.pem, key.pem.</summary>
        public const string DockerTlsCertificateMissing = "DockerTlsCertificateMissing";
        /// <summary>The Docker client certificate cannot be read. <b>Fix:</b> Fix the certificate files.</summary>
        public const string DockerTlsCertificateInvalid = "DockerTlsCertificateInvalid";
        /// <summary>TLS client certificates need PowerShell 7. <b>Fix:</b> Run under PowerShell 7.</summary>
        public const string DockerTlsUnsupported = "DockerTlsUnsupported";
        /// <summary>The Docker build failed (a step's error is quoted), or its image cannot be inspected. <b>Fix:</b> Fix the Dockerfile step the message quotes.</summary>
        public const string ImageBuildFailed = "ImageBuildFailed";
        /// <summary>The registry refused the login. <b>Fix:</b> Check -Credential or CI_REGISTRY_USER / CI_REGISTRY_PASSWORD.</summary>
        public const string RegistryLoginFailed = "RegistryLoginFailed";
        /// <summary>Pushing the image failed (Docker reports this only in a progress message, which the module checks). <b>Fix:</b> Check the registry address, the credentials and the tag.</summary>
        public const string ImagePushFailed = "ImagePushFailed";

        // ---- Training portal ----
        /// <summary>A training-portal setting is missing or invalid; the message names setting and CI variable. <b>Fix:</b> Set the named variable.</summary>
        public const string TrainingConfigurationInvalid = "TrainingConfigurationInvalid";
        /// <summary>The training material (folder or zip) does not exist. <b>Fix:</b> Fix -Path or TRAINING_MATERIALS_ARTIFACT_PATH.</summary>
        public const string TrainingSourceNotFound = "TrainingSourceNotFound";
        /// <summary>The training material is not a readable zip. <b>Fix:</b> Rebuild the artifact.</summary>
        public const string TrainingSourceInvalid = "TrainingSourceInvalid";
        /// <summary>The training material holds no files. <b>Fix:</b> Check the artifact.</summary>
        public const string TrainingSourceEmpty = "TrainingSourceEmpty";
        /// <summary>A file name cannot be published (control characters, invalid UTF-8, a name the portal cannot serve); nothing was published. <b>Fix:</b> Rename the file.</summary>
        public const string TrainingFileNameInvalid = "TrainingFileNameInvalid";
        /// <summary>A zip entry would land outside the portal folder; nothing was published. <b>Fix:</b> Rebuild the zip.</summary>
        public const string TrainingZipEntryUnsafe = "TrainingZipEntryUnsafe";
        /// <summary>No (or incomplete) AWS credentials for the S3 portal. <b>Fix:</b> Set AWS_ACCESS_KEY_ID_SECRET and AWS_SECRET_ACCESS_KEY_SECRET (or the standard AWS variables).</summary>
        public const string TrainingS3CredentialsMissing = "TrainingS3CredentialsMissing";
        /// <summary>S3 denied access to the bucket or an object. <b>Fix:</b> Check the credentials' policy for the bucket and prefix.</summary>
        public const string TrainingS3AccessDenied = "TrainingS3AccessDenied";
        /// <summary>The bucket does not exist at the endpoint. <b>Fix:</b> Check TRAINING_S3_BUCKET_URL (and AWS_ENDPOINT_URL_S3).</summary>
        public const string TrainingS3BucketNotFound = "TrainingS3BucketNotFound";
        /// <summary>The S3 endpoint could not be reached. <b>Fix:</b> Check the endpoint and the network.</summary>
        public const string TrainingS3Unreachable = "TrainingS3Unreachable";
        /// <summary>S3 answered an unexpected error. <b>Fix:</b> Read S3's code and message in the error.</summary>
        public const string TrainingS3RequestFailed = "TrainingS3RequestFailed";
        /// <summary>Some objects could not be deleted during pruning. <b>Fix:</b> Read the first failure the message names.</summary>
        public const string TrainingS3DeleteFailed = "TrainingS3DeleteFailed";
        /// <summary>S3 answered an upload with an ETag that is not the MD5 (or md5-of-part-md5s-N) of the bytes hashed here: the object may not be what was sent; later phases were not published. <b>Fix:</b> Run the publish again; if it repeats, check a proxy or the S3-compatible server between.</summary>
        public const string TrainingS3UploadMismatch = "TrainingS3UploadMismatch";
        /// <summary>A deletion would have touched a key outside the portal prefix; refused. <b>Fix:</b> Report it: this is a safety stop.</summary>
        public const string TrainingDeleteOutsidePrefix = "TrainingDeleteOutsidePrefix";
        /// <summary>A file failed to upload (per file). <b>Fix:</b> Read the file's error.</summary>
        public const string TrainingUploadFailed = "TrainingUploadFailed";
        /// <summary>Some files failed to publish; the previous portal is still served. <b>Fix:</b> Read the per-file errors; run again.</summary>
        public const string TrainingPublishFailed = "TrainingPublishFailed";
        /// <summary>The SSH connection to the web server was lost during a phase; current stays on the release it served. <b>Fix:</b> Run again: the next publish completes this one.</summary>
        public const string TrainingWebServerConnectionLost = "TrainingWebServerConnectionLost";
        /// <summary>A script on the web server failed. <b>Fix:</b> Read the quoted output.</summary>
        public const string TrainingWebServerScriptFailed = "TrainingWebServerScriptFailed";
    }
}
