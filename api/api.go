// Package api holds the Amazon Chime service model (API version 2018-05-01), the
// contract every generated file in this repository is derived from.
//
// Run `go generate ./...` after editing the model or the generator.
package api

import _ "embed"

//go:generate go run ../internal/codegen -model chime-2018-05-01.model.json -root ..

// Model is the raw service model JSON, used by conformance tests that walk it.
//
//go:embed chime-2018-05-01.model.json
var Model []byte
