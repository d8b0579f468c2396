package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Tests that need a feature a CLI lacks skip on it by capability, saying which CLI lacks what:
// OpenTofu reports versions like Terraform's (1.12.6), so a bare version check would claim
// "too old" where the truth is "not in OpenTofu".

// cliFeature is something a CLI offers from some version on; nil: that CLI does not offer it.
type cliFeature struct {
	name                string
	terraform, openTofu *version.Version
}

var (
	featureIdentityImport = cliFeature{"import blocks with identity", tfversion.Version1_12_0, tfversion.Version1_12_0}
	featureActions        = cliFeature{"actions", tfversion.Version1_14_0, nil}
	featureQuery          = cliFeature{"`terraform query` (list resources)", tfversion.Version1_14_0, nil}
)

// missing says why the CLI of the given version lacks f, or "" when it has it.
func (f cliFeature) missing(openTofu bool, v *version.Version) string {
	cli, since := "Terraform", f.terraform
	if openTofu {
		cli, since = "OpenTofu", f.openTofu
	}
	switch {
	case since == nil:
		return fmt.Sprintf("%s %s has no %s", cli, v, f.name)
	case v.Core().LessThan(since):
		return fmt.Sprintf("%s %s has no %s (%s %s or later has)", cli, v, f.name, cli, since)
	}
	return ""
}

// requires is a plugin-testing version check that skips the test on a CLI without f.
func requires(f cliFeature) []tfversion.TerraformVersionCheck {
	return []tfversion.TerraformVersionCheck{featureCheck{f}}
}

type featureCheck struct{ f cliFeature }

func (c featureCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	resp.Skip = c.f.missing(isOpenTofu(os.Getenv("TF_ACC_TERRAFORM_PATH")), req.TerraformVersion)
}

// requires skips a CLI-driven test when the CLI lacks f.
func (c *cli) requires(f cliFeature) {
	c.t.Helper()
	v, err := version.NewVersion(cliVersion(c.t, c.tf))
	if err != nil {
		c.t.Fatalf("the CLI's version: %v", err)
	}
	if why := f.missing(isOpenTofu(c.tf), v); why != "" {
		c.t.Skip(why)
	}
}

// openTofuBinaries remembers which binaries are OpenTofu (`version` prints "OpenTofu v…").
var openTofuBinaries sync.Map

// isOpenTofu reports whether the CLI binary at path (terraform on PATH when empty) is OpenTofu.
func isOpenTofu(path string) bool {
	if path == "" {
		path = "terraform"
	}
	if known, ok := openTofuBinaries.Load(path); ok {
		return known.(bool)
	}
	out, _ := exec.Command(path, "version").Output()
	// Not a prefix: tofu prints a warning first when TF_CLI_CONFIG_FILE names a missing file.
	tofu := strings.Contains(string(out), "OpenTofu v")
	openTofuBinaries.Store(path, tofu)
	return tofu
}

// cliVersion is the CLI binary's version, as `version -json` reports it (OpenTofu too).
func cliVersion(t testing.TB, tf string) string {
	t.Helper()
	out, err := exec.Command(tf, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	return v.Version
}
