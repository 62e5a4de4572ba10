@{
    RootModule           = 'InfluenceGen.Deploy.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c2a51-3c1e-4b7e-9d0a-5b2f7c4e8a11'
    Author               = 'InfluenceGen'
    CompanyName          = 'InfluenceGen'
    Copyright            = '(c) InfluenceGen. All rights reserved.'
    Description          = 'Delivers InfluenceGen''s Odoo addons and n8n workflows from a commit to production: package, test, lint, gate, deploy with rollback, publish, notify.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # One line each: branches that add a capability add a line (merges stay trivial).
    FormatsToProcess     = @(
        'InfluenceGen.Deploy.Format.ps1xml'
        'InfluenceGen.Deploy.Gate.Format.ps1xml'
        'InfluenceGen.Deploy.Quality.Format.ps1xml'
        'InfluenceGen.Deploy.Deploy.Format.ps1xml'
        'InfluenceGen.Deploy.N8n.Format.ps1xml'
        'InfluenceGen.Deploy.Checks.Format.ps1xml'
        'InfluenceGen.Deploy.Images.Format.ps1xml'
        'InfluenceGen.Deploy.Training.Format.ps1xml'
        'InfluenceGen.Deploy.Environments.Format.ps1xml'
    )
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Get-InfluenceGenConfiguration'
        'New-OdooAddonPackage'
        'New-N8nWorkflowPackage'
        'Publish-N8nWorkflow'
        'Test-ChangeApproval'
        'Wait-ChangeApproval'
        'Complete-ChangeRequest'
        'Send-SlackNotice'
        'Invoke-OdooUnitTest'
        'ConvertFrom-OdooTestLog'
        'Invoke-OdooLint'
        'Deploy-InfluenceGen'
        'Get-InfluenceGenDeployment'
        'Undo-InfluenceGenDeployment'
        'Export-InfluenceGenDeploymentLog'
        'Backup-OdooDatabase'
        'Restore-OdooDatabase'
        'Test-InfluenceGenEnvironment'
        'Build-InfluenceGenImage'
        'Publish-TrainingMaterial'
        'Copy-OdooDatabase'
        'New-InfluenceGenEnvironment'
        'Remove-InfluenceGenEnvironment'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Odoo', 'n8n', 'GitLab', 'Deployment', 'CI')
            ProjectUri = 'https://gitlab.com/influencegen/deploy'
        }
    }
}
