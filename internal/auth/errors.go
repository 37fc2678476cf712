package auth

import "net/http"

// The AWS error types Verify can return. Every one is sent with HTTP 403; the
// SDKs pick the exception class from the x-amzn-ErrorType header, so the exact
// spelling matters.
const (
	TypeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	TypeIncompleteSignature        = "IncompleteSignatureException"
	TypeUnrecognizedClient         = "UnrecognizedClientException"
	TypeInvalidSignature           = "InvalidSignatureException"
	TypeExpiredToken               = "ExpiredTokenException"
)

// StatusCode is the HTTP status of every authentication refusal.
const StatusCode = http.StatusForbidden

// Error is what Verify returns on refusal. Type is the AWS error type for the
// x-amzn-ErrorType header; Message is safe to send to the client (it never
// contains the secret key or the signature we computed).
type Error struct {
	Type    string
	Message string
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

// The fixed messages below are the ones AWS services send, so that clients and
// people searching for them find the usual explanations.
var (
	errMissingToken = &Error{TypeMissingAuthenticationToken, "Missing Authentication Token"}
	errUnknownKey   = &Error{TypeUnrecognizedClient, "The security token included in the request is invalid."}
	errMismatch     = &Error{TypeInvalidSignature, "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method."}
	errQueryEncoding = invalid("The query string is not valid percent-encoding.")
	errExpiredToken  = &Error{TypeExpiredToken, "The security token included in the request is expired"}
)

func incomplete(msg string) *Error { return &Error{TypeIncompleteSignature, msg} }

func invalid(msg string) *Error { return &Error{TypeInvalidSignature, msg} }
