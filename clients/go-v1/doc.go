// Package gov1 runs every Amazon Chime operation through the AWS SDK for Go
// v1 (github.com/aws/aws-sdk-go) against a chimed server: one test per
// operation, named Test<Operation>, ported from the JavaScript suite
// (clients/js). It is a module of its own because v1 is deprecated and must
// not become a dependency of chimed.
//
//	CHIMED_ENDPOINT=http://127.0.0.1:8080 go test -count=1 -json . | go run ./report
package gov1
