package server

import "runtime/debug"

// version is set at release build time with
// -ldflags "-X github.com/chimed/chimed/internal/server.version=v1.2.3".
var version string

// Version is the release version, or the module version and VCS revision the
// binary was built from.
func Version() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}
