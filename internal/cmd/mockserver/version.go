package main

import "runtime/debug"

// version is set for releases with -ldflags "-X main.version=VERSION".
var version string

// versionString is the release's version, else the module version the go command recorded
// (`go install ...@vX`, or a pseudo-version for a build in a git checkout), else "dev".
func versionString(ldflag string, info *debug.BuildInfo, ok bool) string {
	if ldflag != "" {
		return ldflag
	}
	if ok && info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
