package bench

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// The two ways of sending a signed GetUser, against the baseline in this
// process, so that cpu-µs/op is the client's cost plus the same small
// baseline cost in both. chimebench signs with the SDK's signer
// (BenchmarkClientSigner, about 55-60 µs) because the full SDK client
// (BenchmarkClientSDK, about 95-105 µs) costs nearly twice the CPU per
// call, CPU the server under test, sharing the machine, would not get:
//
//	go test -run '^$' -bench Client -benchtime 3s -count 3 -cpu 1 ./internal/bench

const userBody = `{"User":{"AccountId":"00000000-1d69-4689-bd73-1847ec8f29bb","UserId":"00000007-5b0e-4a8c-9e0c-1a2b3c4d5e6f",` +
	`"PrimaryEmail":"user00000007@bench.example.com","DisplayName":"Bench User 7","LicenseType":"Pro","UserType":"PrivateUser",` +
	`"UserRegistrationStatus":"Registered","PersonalPIN":"0123456789","RegisteredOn":"2025-01-01T00:00:00.000Z"}}`

func startUserBaseline(b *testing.B) *Baseline {
	b.Helper()
	bl, err := StartBaseline(map[string]canned{getUser.Name: {Status: http.StatusOK, Body: []byte(userBody)}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bl.Close() })
	return bl
}

func BenchmarkClientSigner(b *testing.B) {
	bl := startUserBaseline(b)
	f := NewFixture(1000)
	c := newClient(f, 1)
	g := newGens(getUser, f, 1)[0]
	var buf bytes.Buffer
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		a, err := c.do(ctx, bl.URL, g.next(), &buf)
		if err != nil || a.status != http.StatusOK {
			b.Fatal(a.status, err)
		}
	}
}

func BenchmarkClientSDK(b *testing.B) {
	bl := startUserBaseline(b)
	f := NewFixture(1000)
	client := chime.New(chime.Options{
		Region:       region,
		BaseEndpoint: aws.String(bl.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(f.AccessKeyID, f.SecretKey, ""),
	})
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		i++
		_, err := client.GetUser(ctx, &chime.GetUserInput{AccountId: aws.String(f.AccountID), UserId: aws.String(f.UserID(i % f.Scale))})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the CPU time (this process: client and baseline) per
// call, which, unlike the time per call, does not count waiting.
func reportCPU(b *testing.B) func() {
	start, err := processCPU()
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		end, err := processCPU()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64((end-start).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}
