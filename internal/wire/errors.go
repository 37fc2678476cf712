package wire

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"

	"github.com/chimed/chimed/internal/auth"
	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/model"
)

// errorShapes maps each domain error code (a value of the model's ErrorCode
// enum) to the error shape the SDKs turn into an exception type. The HTTP
// status comes from the shape in the model (errorStatus, generated).
var errorShapes = map[string]string{
	model.ErrorCodeBadRequest:            "BadRequestException",
	model.ErrorCodeConflict:              "ConflictException",
	model.ErrorCodeForbidden:             "ForbiddenException",
	model.ErrorCodeNotFound:              "NotFoundException",
	model.ErrorCodeResourceLimitExceeded: "ResourceLimitExceededException",
	model.ErrorCodeServiceFailure:        "ServiceFailureException",
	model.ErrorCodeServiceUnavailable:    "ServiceUnavailableException",
	model.ErrorCodeThrottled:             "ThrottledClientException",
	model.ErrorCodeUnauthorized:          "UnauthorizedClientException",
	model.ErrorCodeUnprocessable:         "UnprocessableEntityException",
	model.ErrorCodeAccessDenied:          "AccessDeniedException",
}

// Errors outside the model: what AWS answers for them.
const (
	shapeUnknownOperation = "UnknownOperationException"
)

// A request whose client went away before it was answered is not a failure
// of chimed's. It is logged and counted under nginx's code for it, not as a
// 500; the client never sees it.
const (
	statusClientClosed = 499
	shapeClientClosed  = "ClientClosedRequest"
)

// wireError is an error as it goes on the wire.
type wireError struct {
	status  int
	shape   string
	code    string
	message string
}

// toWire classifies err. Anything that is not a known refusal is an internal
// failure: logged, and reported to the client without its details.
func toWire(err error) wireError {
	var (
		domainErr *chime.Error
		validErr  *model.ValidationError
		authErr   *auth.Error
		opErr     *unknownOperationError
	)
	switch {
	case errors.As(err, &opErr):
		return wireError{http.StatusNotFound, shapeUnknownOperation, model.ErrorCodeNotFound, opErr.Error()}
	case errors.As(err, &validErr):
		return wireError{400, "BadRequestException", model.ErrorCodeBadRequest, validErr.Error()}
	case errors.As(err, &authErr):
		return wireError{auth.StatusCode, authErr.Type, model.ErrorCodeForbidden, authErr.Message}
	case errors.As(err, &domainErr):
		if shape, ok := errorShapes[domainErr.Code]; ok {
			return wireError{errorStatus[shape], shape, domainErr.Code, domainErr.Message}
		}
	}
	return wireError{http.StatusInternalServerError, "ServiceFailureException", model.ErrorCodeServiceFailure, "internal error"}
}

// WriteError answers a request with err in the format the SDKs parse: the
// status of the error shape, x-amzn-ErrorType naming the shape, and a JSON
// body {"Code": ..., "Message": ...}.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	we := toWire(err)
	if we.status == http.StatusInternalServerError && errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		we = wireError{statusClientClosed, shapeClientClosed, shapeClientClosed, "the client closed the request"}
	}
	x := exchangeOf(r)
	x.ErrorType, x.ErrorCode = we.shape, we.code
	var domainErr *chime.Error
	refusal := errors.As(err, &domainErr)
	if refusal && domainErr.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(domainErr.RetryAfter.Seconds()))))
	}
	// A modelled 500 that the service chose (the test API's injected
	// faults) is no failure of chimed's: the access log line says enough.
	chosen := refusal && errorShapes[domainErr.Code] != ""
	if we.status >= 500 && we.status != http.StatusServiceUnavailable && !chosen {
		LogInternalError(w, r, err)
	}
	w.Header().Set("x-amzn-ErrorType", we.shape)
	writeJSON(w, we.status, struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
	}{we.code, we.message})
}

// LogInternalError logs a failure of chimed's own (a bug, a store error)
// with what finds its request: its ID, as the client got it, method and path.
func LogInternalError(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "internal error", "request_id", w.Header().Get("x-amzn-RequestId"), "method", r.Method, "path", r.URL.EscapedPath(), "err", err)
}

// ErrorOfShape returns a refusal that goes on the wire as the modelled error
// shape (e.g. "ServiceUnavailableException"), or false when the model has no
// such error.
func ErrorOfShape(shape, message string) (*chime.Error, bool) {
	for code, s := range errorShapes {
		if s == shape {
			return &chime.Error{Code: code, Message: message}, true
		}
	}
	return nil, false
}

// ErrorShapes lists the modelled error shapes a refusal can take.
func ErrorShapes() []string {
	shapes := make([]string, 0, len(errorShapes))
	for _, s := range errorShapes {
		shapes = append(shapes, s)
	}
	sort.Strings(shapes)
	return shapes
}

func unknownOperation(method, path string) error {
	return &unknownOperationError{method + " " + path}
}

type unknownOperationError struct{ what string }

func (e *unknownOperationError) Error() string { return "no operation matches " + e.what }
