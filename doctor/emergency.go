package doctor

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
)

// installOverrideListYAML is the patch list AWS-RunPatchBaseline's InstallOverrideList names: a
// YAML file with a patches list whose entries carry the update's id (a KB id on Windows) and a
// title ("SSM Command document for patching: AWS-RunPatchBaseline", Systems Manager User Guide;
// InstallOverrideList, "an https URL or an Amazon S3 path-style URL to a list of patches to be
// installed ... in YAML format", InstancePatchState, Systems Manager API Reference; read
// 2026-12-06). With it, Install installs those updates and only those.
func installOverrideListYAML(kbs []string) string {
	var b strings.Builder
	b.WriteString("patches:\n")
	for _, kb := range kbs {
		fmt.Fprintf(&b, "    -\n        id: '%s'\n        title: '%s'\n", kb, kb)
	}
	return b.String()
}

// wsusApproveScript approves the named updates for installation on every computer of the WSUS
// server it runs on (the UpdateServices API, as wsus-setup.ps1 uses it: Get-WsusServer,
// SearchUpdates, IUpdate.Approve for the All Computers group), and fails when WSUS does not know
// one: clients scanning against WSUS see only approved updates, so an override list of
// unapproved ones installs nothing.
func wsusApproveScript(kbs []string) string {
	var numbers []string
	for _, kb := range kbs {
		numbers = append(numbers, "'"+strings.TrimPrefix(kb, "KB")+"'")
	}
	return strings.Join([]string{
		"$ErrorActionPreference = 'Stop'",
		"$wsus = Get-WsusServer",
		"$all = $wsus.GetComputerTargetGroups() | Where-Object { $_.Id -eq [Microsoft.UpdateServices.Administration.ComputerTargetGroupId]::AllComputers }",
		"foreach ($kb in @(" + strings.Join(numbers, ", ") + ")) {",
		"    $updates = @($wsus.SearchUpdates(\"KB$kb\") | Where-Object { $_.KnowledgebaseArticles -contains $kb -and -not $_.IsDeclined })",
		"    if ($updates.Count -eq 0) { throw \"KB$kb is not in the WSUS catalogue: synchronise WSUS, or check its products and classifications\" }",
		"    foreach ($update in $updates) {",
		"        if ($update.RequiresLicenseAgreementAcceptance) { $update.AcceptLicenseAgreement() }",
		"        $update.Approve([Microsoft.UpdateServices.Administration.UpdateApprovalAction]::Install, $all) | Out-Null",
		"        \"approved KB${kb}: $($update.Title)\"",
		"    }",
		"}",
	}, "\n")
}

// installOverrideList approves the updates on WSUS where the fleet uses it, uploads their
// override list to the command output bucket and returns its Amazon S3 path-style URL
// (s3://BUCKET/KEY), which the page requires for a private bucket ("SSM Command document for
// patching: AWS-RunPatchBaseline", InstallOverrideList, read 2026-12-06): the nodes read it with
// their own roles, which may read patchingspec.InstallOverrideListPrefix, through the S3
// endpoint, whose policy allows reading the bucket. (A presigned URL would die with the
// operator's session, before a long run reaches its last node.) ok false when something failed
// and nothing should be installed.
func (p PatchNow) installOverrideList(d *deployment, bucket string, out io.Writer) (string, bool, error) {
	if wsus := d.fleet.Outputs["WsusInstanceId"]; wsus != "" && d.t.WsusEnabled {
		fmt.Fprintf(out, "patch-now: approving %s on WSUS (%s) first: clients see only approved updates\n", strings.Join(p.KBs, ", "), wsus)
		var sent struct {
			Command struct {
				CommandId string `json:"CommandId"`
			} `json:"Command"`
		}
		if err := d.call(&sent, "ssm", "send-command", "--document-name", "AWS-RunPowerShellScript",
			"--targets", jsonOf([]sendTarget{{Key: "InstanceIds", Values: []string{wsus}}}),
			"--parameters", jsonOf(map[string][]string{"commands": {wsusApproveScript(p.KBs)}}),
			"--output-s3-bucket-name", bucket, "--output-s3-key-prefix", "wsus-setup/patch-now/",
			"--comment", "make patch-now approve "+strings.Join(p.KBs, ",")); err != nil {
			return "", false, CouldNotRun{fmt.Errorf("approving on WSUS: %w", err)}
		}
		status, done, err := p.waitCommand(d, sent.Command.CommandId)
		if err != nil {
			return "", false, err
		}
		if !done || !strings.HasPrefix(status, "Success") {
			fmt.Fprintf(out, "patch-now: approving on WSUS ended %s: nothing was installed; its output is under s3://%s/wsus-setup/patch-now/%s/\n",
				orStill(status, done), bucket, sent.Command.CommandId)
			return "", false, nil
		}
	}
	key := patchingspec.InstallOverrideListPrefix + "install-override-list-" + strings.Join(p.KBs, "-") + ".yaml"
	dir := p.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	file := filepath.Join(dir, "privatepatch-"+filepath.Base(key))
	if err := os.WriteFile(file, []byte(installOverrideListYAML(p.KBs)), 0o600); err != nil {
		return "", false, CouldNotRun{err}
	}
	defer os.Remove(file)
	var put struct{}
	if err := d.call(&put, "s3api", "put-object", "--bucket", bucket, "--key", key, "--body", file); err != nil {
		return "", false, CouldNotRun{fmt.Errorf("uploading the install override list: %w", err)}
	}
	url := "s3://" + bucket + "/" + key
	fmt.Fprintf(out, "patch-now: installs %s only (InstallOverrideList %s)\n", strings.Join(p.KBs, ", "), url)
	return url, true, nil
}

func orStill(status string, done bool) string {
	if done {
		return status
	}
	return "still " + status + " when the wait ended"
}
