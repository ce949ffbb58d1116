package doctor

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
// override list to the command output bucket and returns an https URL the nodes can read it from
// (a presigned URL: the nodes' instance profiles may write command output to the bucket but not
// read from it, and the S3 endpoint policy allows reading it); ok false when something failed
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
	key := "patch-now/install-override-list-" + strings.Join(p.KBs, "-") + ".yaml"
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
	// aws s3 presign prints the URL itself, not JSON.
	url, err := d.aws.JSON("s3", "presign", "s3://"+bucket+"/"+key, "--expires-in", fmt.Sprint(int(max(p.Wait, 3600e9).Seconds())))
	if err != nil {
		return "", false, CouldNotRun{fmt.Errorf("presigning the install override list: %w", err)}
	}
	fmt.Fprintf(out, "patch-now: installs %s only (InstallOverrideList s3://%s/%s)\n", strings.Join(p.KBs, ", "), bucket, key)
	return strings.TrimSpace(string(url)), true, nil
}

func orStill(status string, done bool) string {
	if done {
		return status
	}
	return "still " + status + " when the wait ended"
}
