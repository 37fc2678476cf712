package chime

import (
	"errors"
	"fmt"
	"time"

	"github.com/chimed/chimed/internal/model"
)

// Error is a refusal the caller can act on. Code is a value of the model's
// ErrorCode enum; the wire layer maps it to the error shape, HTTP status and
// x-amzn-ErrorType the SDKs expect. Any other error is an internal failure.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when set, tells a throttled client how long to wait.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadRequest, NotFound, ... build the refusals the domain uses.
func BadRequest(format string, args ...any) *Error {
	return errorf(model.ErrorCodeBadRequest, format, args...)
}
func NotFound(format string, args ...any) *Error {
	return errorf(model.ErrorCodeNotFound, format, args...)
}
func Conflict(format string, args ...any) *Error {
	return errorf(model.ErrorCodeConflict, format, args...)
}
func Forbidden(format string, args ...any) *Error {
	return errorf(model.ErrorCodeForbidden, format, args...)
}
func Unavailable(format string, args ...any) *Error {
	return errorf(model.ErrorCodeServiceUnavailable, format, args...)
}

// ErrorCode returns the Code of err if it is (or wraps) an *Error, else "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// ErrNotUnique is what a store returns when a write breaks a uniqueness rule
// the database enforces (an email already in use, a token already spent).
var ErrNotUnique = errors.New("unique constraint violated")

// ErrRacedInsert is what an Update's function returns when a write breaks a
// uniqueness rule on a record the same transaction read as absent. Only a
// concurrent transaction can have written it, and PostgreSQL does not always
// report that as a serialization failure (its snapshot cannot see the other
// row): the store runs the function again, as for a lost race.
var ErrRacedInsert = errors.New("a record read as absent was written concurrently")

// ErrIDTaken is what a store returns when it cannot file a new record under
// its ID (a user's ID maps to a key another user has): the caller gives the
// record another ID.
var ErrIDTaken = errors.New("record ID unusable")

// ErrNoRows is what a store returns when a lookup finds nothing.
var ErrNoRows = errors.New("no such record")

// ErrNoAccount is what a store returns when a read of a record in an account
// finds no live account.
var ErrNoAccount = errors.New("no such live account")
