// A test peer, not part of the doctor: OpenBao's transit seal wrapper served as an external KMS plugin, the way
// OpenBao 2.6+ runs `plugin "kms"` binaries (github.com/openbao/go-kms-wrapping/plugin/v2 Serve with a
// WrapperFactoryFunc, as openbao-plugins' kms/*/cmd/main.go do). Built by scripts/peers-openbao27.sh from the Go module
// proxy, pinned by this folder's go.sum; the conformance test test/targets/openbao27-plugin.test.ts gives it to a real
// OpenBao 2.7 (which no longer builds in the cloud seals) and to the doctor.
package main

import (
	"github.com/openbao/go-kms-wrapping/plugin/v2"
	wrapping "github.com/openbao/go-kms-wrapping/v2"
	transit "github.com/openbao/go-kms-wrapping/wrappers/transit/v2"
)

func main() {
	plugin.Serve(&plugin.ServeOpts{
		WrapperFactoryFunc: func() wrapping.Wrapper { return transit.NewWrapper() },
	})
}
