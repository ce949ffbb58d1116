package doctor

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

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

// WSUS downloads an update's files only once it is approved: wsus-setup.ps1 keeps content on the
// server (HostBinariesOnMicrosoftUpdate false) and leaves DownloadUpdateBinariesAsNeeded at its
// default, true ("IUpdateServerConfiguration.DownloadUpdateBinariesAsNeeded": "WSUS downloads the
// update file only after it is approved for deployment"); until then the approval is Pending
// ("UpdateApprovalState Enumeration": "The WSUS server is downloading the update") and the update's
// State NotReady; Ready once its files are there, Failed or Canceled when the download stopped
// ("UpdateState Enumeration"; Microsoft Learn, WSUS API reference, read 2026-12-06). A client told
// to install it before then finds nothing to download. So the approve script waits, at most
// wsusDownloadWait, which stays under the hour AWS-RunPowerShellScript runs a script by default
// (executionTimeout 3600).
const wsusDownloadWait = 45 * time.Minute

// WsusApproveScript approves the named updates for installation on every computer of the WSUS
// server it runs on (the UpdateServices API, as wsus-setup.ps1 uses it: Get-WsusServer,
// SearchUpdates, IUpdate.Approve for the All Computers group), and fails when WSUS does not know
// one: clients scanning against WSUS see only approved updates, so an override list of
// unapproved ones installs nothing. Then it waits until WSUS has downloaded every approved
// update's files (each IUpdate's State Ready), and fails naming the updates whose download
// failed, or that are not there after wsusDownloadWait.
func WsusApproveScript(kbs []string) string {
	var numbers []string
	for _, kb := range kbs {
		numbers = append(numbers, "'"+strings.TrimPrefix(kb, "KB")+"'")
	}
	return strings.Join([]string{
		"$ErrorActionPreference = 'Stop'",
		"$wsus = Get-WsusServer",
		"$approved = @()",
		"$all = $wsus.GetComputerTargetGroups() | Where-Object { $_.Id -eq [Microsoft.UpdateServices.Administration.ComputerTargetGroupId]::AllComputers }",
		"foreach ($kb in @(" + strings.Join(numbers, ", ") + ")) {",
		"    $updates = @($wsus.SearchUpdates(\"KB$kb\") | Where-Object { $_.KnowledgebaseArticles -contains $kb -and -not $_.IsDeclined })",
		"    if ($updates.Count -eq 0) { throw \"KB$kb is not in the WSUS catalogue: synchronise WSUS, or check its products and classifications\" }",
		"    foreach ($update in $updates) {",
		"        if ($update.RequiresLicenseAgreementAcceptance) { $update.AcceptLicenseAgreement() }",
		"        $update.Approve([Microsoft.UpdateServices.Administration.UpdateApprovalAction]::Install, $all) | Out-Null",
		"        \"approved KB${kb}: $($update.Title)\"",
		"        $approved += $update",
		"    }",
		"}",
		"$states = [Microsoft.UpdateServices.Administration.UpdateState]",
		fmt.Sprintf("$deadline = (Get-Date).AddMinutes(%d)", int(wsusDownloadWait.Minutes())),
		"while ($true) {",
		"    $waiting = @()",
		"    foreach ($update in $approved) {",
		"        $update.Refresh()",
		"        if ($update.State -eq $states::Failed -or $update.State -eq $states::Canceled) {",
		"            throw \"WSUS could not download $($update.Title) ($($update.State)): check the server's connection to Microsoft Update and its update store, then run make patch-now again\"",
		"        }",
		"        if ($update.State -ne $states::Ready) { $waiting += $update }",
		"    }",
		"    if ($waiting.Count -eq 0) { 'WSUS has downloaded every approved update: clients can install them'; break }",
		"    if ((Get-Date) -gt $deadline) {",
		fmt.Sprintf("        throw \"WSUS has not downloaded $(($waiting | ForEach-Object { $_.Title }) -join ', ') after %d minutes (state $(($waiting | ForEach-Object { $_.State }) -join ', ')): nothing was installed; run make patch-now again once they are Ready\"", int(wsusDownloadWait.Minutes())),
		"    }",
		"    Start-Sleep -Seconds 30",
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
			"--parameters", jsonOf(map[string][]string{"commands": {WsusApproveScript(p.KBs)}}),
			"--output-s3-bucket-name", bucket, "--output-s3-key-prefix", "wsus-setup/patch-now/",
			"--comment", commandComment("make patch-now approve "+strings.Join(p.KBs, ","))); err != nil {
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
