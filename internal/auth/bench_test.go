package auth

import (
	"testing"
)

// BenchmarkVerify measures one Go-SDK-shaped request (POST with a JSON body,
// operation query, encoded label) as the server sees it, with a warm key cache.
func BenchmarkVerify(b *testing.B) {
	body := `{"E164PhoneNumbers":["+12065550100","+12065550101"],"ProductType":"BusinessCalling"}`
	r := newClientRequest(b, reqSpec{"POST", "/accounts/0123-abcd/phone-numbers/%2B12065550100?operation=associate", map[string]string{
		"Content-Type":          "application/json",
		"Amz-Sdk-Invocation-Id": "2b2a53c1-3c4b-4d1f-9c0e-6a1b2c3d4e5f",
		"Amz-Sdk-Request":       "attempt=1; max=3",
		"User-Agent":            "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.26 api/chime#1.0",
	}, body})
	goSign(b, r, body, testCred, "chime", "us-east-1", testNow)
	sr, got := overWire(b, r)
	v := newTestVerifier()
	if _, err := v.Verify(sr, got); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(sr, got); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyParallel is the same on all cores, to show the cache lock
// does not serialise requests.
func BenchmarkVerifyParallel(b *testing.B) {
	body := `{"Name":"room"}`
	r := newClientRequest(b, reqSpec{"POST", "/accounts/acc/rooms", map[string]string{"Content-Type": "application/json"}, body})
	goSign(b, r, body, testCred, "chime", "us-east-1", testNow)
	sr, got := overWire(b, r)
	v := newTestVerifier()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := v.Verify(sr, got); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
