// A test peer, not part of the doctor: OpenBao's awskms seal wrapper (go-kms-wrapping wrappers/awskms/v2 v2.3.0: the module
// proxy here does not serve v2.4.0, which OpenBao 2.6.2 builds in, nor v2.5.0; all are on aws-sdk-go v1) served as an
// external KMS plugin, the way
// OpenBao 2.6+ runs `plugin "kms"` binaries (github.com/openbao/go-kms-wrapping/plugin/v2 Serve with a
// WrapperFactoryFunc, as openbao-plugins' kms/*/cmd/main.go do). Built by scripts/peers-openbao27.sh from the Go module
// proxy, pinned by this folder's go.sum; the conformance test test/targets/openbao27-plugin.test.ts gives it to a real
// OpenBao 2.7 (which no longer builds in the cloud seals) and to the doctor.
package main

import (
	"github.com/openbao/go-kms-wrapping/plugin/v2"
	wrapping "github.com/openbao/go-kms-wrapping/v2"
	awskms "github.com/openbao/go-kms-wrapping/wrappers/awskms/v2"
)

func main() {
	plugin.Serve(&plugin.ServeOpts{
		WrapperFactoryFunc: func() wrapping.Wrapper { return awskms.NewWrapper() },
	})
}
