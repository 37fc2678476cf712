// Package wire speaks the Amazon Chime REST-JSON protocol: it routes requests
// to operations, binds and checks their inputs, and writes outputs and errors
// exactly as the AWS SDKs expect.
package wire
