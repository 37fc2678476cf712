package outbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/chime"
)

// LambdaConfig is where and as whom Lambda functions are invoked.
type LambdaConfig struct {
	// Endpoint replaces AWS Lambda's regional endpoint, for any service
	// that speaks the Lambda Invoke API ("" = AWS).
	Endpoint string
	// AccessKeyID and SecretAccessKey sign the invocations; without them
	// the requests go unsigned, which AWS refuses.
	AccessKeyID     string
	SecretAccessKey string
}

// lambdaInvoker invokes functions through the AWS SDK's Lambda client. The
// endpoint is the operator's, not an API caller's, so the outbound policy
// for bots' URLs does not apply to it.
type lambdaInvoker struct {
	client *lambda.Client
}

func newLambdaInvoker(cfg LambdaConfig) *lambdaInvoker {
	opts := lambda.Options{
		// Region is the function's, set per call from its ARN.
		Region: "us-east-1",
		// The outbox retries; the SDK must not retry on its own.
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: cappedAnswers{http.DefaultTransport.(*http.Transport).Clone()}},
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.AccessKeyID != "" {
		opts.Credentials = credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")
	}
	return &lambdaInvoker{client: lambda.New(opts)}
}

// cappedAnswers reads at most MaxAnswerBytes of each answer, as for an
// HTTPS endpoint. The SDK reads an invocation's payload whole, and the
// function is a tenant's: its answer could be any size (AWS Lambda's own
// limit, 6 MB, does not bind a Lambda-compatible runtime).
type cappedAnswers struct{ next http.RoundTripper }

func (c cappedAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(resp.Body, MaxAnswerBytes), resp.Body}
	}
	return resp, err
}

// Invoke calls the function synchronously (RequestResponse), or with dryRun
// only checks that it may be called (DryRun). An error answer of the Lambda
// API (a missing function, a refused signature, throttling) is returned as
// an answer with its HTTP status and Retry-After, like an HTTPS endpoint's.
func (c *Client) Invoke(ctx context.Context, functionARN string, payload []byte, dryRun bool) (*chime.TargetAnswer, error) {
	in := &lambda.InvokeInput{FunctionName: aws.String(functionARN), Payload: payload, InvocationType: types.InvocationTypeRequestResponse}
	if dryRun {
		in.InvocationType = types.InvocationTypeDryRun
	}
	out, err := c.lambda.client.Invoke(ctx, in, func(o *lambda.Options) { o.Region = arnRegion(functionARN) })
	var apiErr *awshttp.ResponseError
	switch {
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode() != 0:
		// The refusal is the operator's AWS account speaking, and its
		// message can name the operator's role: the log has it, the
		// tenant's error and delivery record only its type.
		slog.WarnContext(ctx, "Lambda API refused an invocation", "function", functionARN, "status", apiErr.HTTPStatusCode(), "err", apiErr.Err)
		return &chime.TargetAnswer{Status: apiErr.HTTPStatusCode(), Body: []byte(errorCode(apiErr.Err)), RetryAfter: retryAfter(apiErr.Response.Response)}, nil
	case err != nil && ctx.Err() == nil:
		// No answer (the SDK's status 0): the text names the operator's
		// endpoint and its address. It goes to the log, not into a
		// tenant's error or delivery record.
		slog.WarnContext(ctx, "Lambda API did not answer", "function", functionARN, "err", err)
		return nil, errLambdaUnreachable
	case err != nil:
		return nil, err
	}
	return &chime.TargetAnswer{Status: int(out.StatusCode), Body: out.Payload, FunctionError: aws.ToString(out.FunctionError)}, nil
}

// errLambdaUnreachable is what a tenant is told when the Lambda API (the
// operator's --lambda-endpoint, or AWS) could not be reached at all.
var errLambdaUnreachable = errors.New("the Lambda service could not be reached")

// arnRegion is the region of arn:aws:lambda:<region>:<account>:function:<name>.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// errorCode is the AWS error type of err ("AccessDeniedException"), or ""
// when the answer named none.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
