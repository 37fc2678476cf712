package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactHidesSensitiveMembersAtAnyDepth(t *testing.T) {
	in := &CreateUserRequest{AccountId: String("acct"), Email: String("ana@example.com"), UserType: String(UserTypePrivateUser)}
	got := mustJSON(t, Redact(in))
	if strings.Contains(got, "ana@example.com") || !strings.Contains(got, Redacted) || !strings.Contains(got, UserTypePrivateUser) {
		t.Fatalf("CreateUserRequest redacted to %s", got)
	}
	if strings.Contains(got, "acct") {
		t.Fatalf("URI-bound member leaked into the body form: %s", got)
	}

	nested := &BatchUpdatePhoneNumberRequest{UpdatePhoneNumberRequestItems: []UpdatePhoneNumberRequestItem{
		{PhoneNumberId: String("+12065550100"), CallingName: String("Secret Name")},
	}}
	got = mustJSON(t, Redact(nested))
	if strings.Contains(got, "Secret Name") || !strings.Contains(got, "+12065550100") {
		t.Fatalf("list item: want CallingName (sensitive) hidden and PhoneNumberId (not sensitive) kept: %s", got)
	}

	list := &InviteUsersRequest{UserEmailList: []string{"a@example.com", "b@example.com"}}
	got = mustJSON(t, Redact(list))
	if strings.Contains(got, "a@example.com") {
		t.Fatalf("list of sensitive strings not redacted: %s", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
