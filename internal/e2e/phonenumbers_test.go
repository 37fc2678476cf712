package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/server"
)

func getNumber(t *testing.T, c *chime.Client, id string) *types.PhoneNumber {
	t.Helper()
	out, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(id)})
	noErr(t, err)
	return out.PhoneNumber
}

func listNumbers(t *testing.T, c *chime.Client, in *chime.ListPhoneNumbersInput) []string {
	t.Helper()
	var out []string
	for {
		page, err := c.ListPhoneNumbers(ctx, in)
		noErr(t, err)
		for _, n := range page.PhoneNumbers {
			out = append(out, aws.ToString(n.PhoneNumberId))
		}
		if page.NextToken == nil {
			return out
		}
		in.NextToken = page.NextToken
	}
}

func TestGetPhoneNumberTenancyAndIDForms(t *testing.T) {
	e := startTelephony(t)
	n := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "206", 1)[0]
	a := e.client(keyA)
	// The + may be left out; the SDK sends it percent-encoded in the path.
	for _, id := range []string{n, n[1:]} {
		if got := aws.ToString(getNumber(t, a, id).PhoneNumberId); got != n {
			t.Fatalf("GetPhoneNumber(%s) = %s", id, got)
		}
	}
	// The raw path form of the reference's examples, which also show an
	// unassociated number with "Associations": [].
	r := e.send(t, keyA, rawRequest{method: http.MethodGet, path: "/phone-numbers/%2B" + n[1:]})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"Associations":[]`) {
		t.Fatalf("GET /phone-numbers/%%2B...: %v", r)
	}
	_, err := e.client(keyB).GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(n)})
	wantError(t, err, "NotFoundException")
	_, err = a.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String("+12065550199")})
	wantError(t, err, "NotFoundException")
	if got := listNumbers(t, e.client(keyB), &chime.ListPhoneNumbersInput{}); len(got) != 0 {
		t.Fatalf("another AWS account lists %v", got)
	}
}

// Only a percent-encoded + is decoded in a phone number ID. An ID such as
// "%00", decoded again, became a NUL (or "%FF" a byte that is not UTF-8)
// which PostgreSQL refused with an internal error, failing whole batches.
func TestPhoneNumberIDsDecodeOnlyThePlus(t *testing.T) {
	e := startTelephony(t)
	n := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "206", 1)[0]
	for _, id := range []string{"%2500", "%25FF", "%2500x"} {
		r := e.send(t, keyA, rawRequest{method: http.MethodGet, path: "/phone-numbers/" + id})
		if r.status != http.StatusNotFound {
			t.Errorf("GET /phone-numbers/%s: %v", id, r)
		}
	}
	r := e.send(t, keyA, rawRequest{method: http.MethodPost, path: "/phone-numbers", query: "operation=batch-delete",
		body: []byte(`{"PhoneNumberIds":["%00","%FF","%2b` + n[1:] + `"]}`)})
	var out chime.BatchDeletePhoneNumberOutput
	if r.status != http.StatusOK || json.Unmarshal(r.body, &out) != nil || len(out.PhoneNumberErrors) != 2 {
		t.Fatalf("batch delete of two unknown IDs and one known: %v", r)
	}
	for _, item := range out.PhoneNumberErrors {
		if item.ErrorCode != types.ErrorCodeNotFound {
			t.Errorf("item %s: %s, want NotFound", aws.ToString(item.PhoneNumberId), item.ErrorCode)
		}
	}
	if got := getNumber(t, e.client(keyA), n); got.Status != types.PhoneNumberStatusDeleteInProgress {
		t.Fatalf("%s is %s after the batch named it as %%2b...", n, got.Status)
	}
}

func TestListPhoneNumbersFiltersAndPages(t *testing.T) {
	e := startTelephony(t)
	business := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 3)
	voice := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "425", 2)
	a := e.client(keyA)
	accountID, userID := newPhoneUser(t, a, "lister@example.com")
	_, err := a.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: accountID, UserId: userID, E164PhoneNumber: aws.String(business[1])})
	noErr(t, err)
	_, err = a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(voice[0])})
	noErr(t, err)
	all := append(slices.Clone(business), voice...)
	slices.Sort(all)
	tests := []struct {
		name string
		in   chime.ListPhoneNumbersInput
		want []string
	}{
		{"all, one page at a time", chime.ListPhoneNumbersInput{MaxResults: aws.Int32(1)}, all},
		{"product type", chime.ListPhoneNumbersInput{ProductType: types.PhoneNumberProductTypeVoiceConnector}, voice},
		{"status Assigned", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusAssigned}, business[1:2]},
		{"status DeleteInProgress", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusDeleteInProgress}, voice[:1]},
		{"user", chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameUserId, FilterValue: userID}, business[1:2]},
		{"account", chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameAccountId, FilterValue: accountID}, business[1:2]},
		{"user, empty ID", chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameUserId, FilterValue: aws.String("")}, nil},
		{"account, empty ID", chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameAccountId, FilterValue: aws.String("")}, nil},
		{"voice connector (none in this API)", chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameVoiceConnectorId, FilterValue: aws.String("abcdef1ghij")}, nil},
		{"status and product type", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusUnassigned, ProductType: types.PhoneNumberProductTypeBusinessCalling}, []string{business[0], business[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listNumbers(t, a, &tt.in); !slices.Equal(got, tt.want) {
				t.Fatalf("listed %v, want %v", got, tt.want)
			}
		})
	}
	_, err = a.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameUserId})
	wantError(t, err, "BadRequestException")
	_, err = a.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{MaxResults: aws.Int32(100)})
	wantError(t, err, "BadRequestException")
	_, err = a.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{Status: "Lost"})
	wantError(t, err, "BadRequestException")
	// A token continues the listing of its filters only.
	page, err := a.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusUnassigned, MaxResults: aws.Int32(1)})
	noErr(t, err)
	for _, other := range []chime.ListPhoneNumbersInput{
		{Status: types.PhoneNumberStatusUnassigned, ProductType: types.PhoneNumberProductTypeVoiceConnector},
		{Status: types.PhoneNumberStatusAssigned},
		{},
		{Status: types.PhoneNumberStatusUnassigned, FilterName: types.PhoneNumberAssociationNameAccountId, FilterValue: accountID},
	} {
		other.NextToken = page.NextToken
		_, err = a.ListPhoneNumbers(ctx, &other)
		wantErrorMessage(t, err, "BadRequestException", "NextToken")
	}
}

func TestUpdatePhoneNumberProductType(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	local := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "718", 2)
	tollFree, err := a.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("877"), MaxResults: aws.Int32(1)})
	noErr(t, err)
	o := order(t, a, types.PhoneNumberProductTypeVoiceConnector, tollFree.E164PhoneNumbers...)
	e.runJobs(orderDelay)
	checkOrder(t, a, o)

	out, err := a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(local[0]), ProductType: types.PhoneNumberProductTypeBusinessCalling})
	noErr(t, err)
	if p := out.PhoneNumber; p.ProductType != types.PhoneNumberProductTypeBusinessCalling || !aws.ToBool(p.Capabilities.OutboundSMS) {
		t.Fatalf("updated number %+v", p)
	}
	refusals := []struct {
		name string
		in   chime.UpdatePhoneNumberInput
		want string
	}{
		{"toll-free as BusinessCalling", chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(tollFree.E164PhoneNumbers[0]), ProductType: types.PhoneNumberProductTypeBusinessCalling}, "BadRequestException"},
		{"two attributes at once", chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(local[1]), ProductType: types.PhoneNumberProductTypeVoiceConnector, CallingName: aws.String("Acme")}, "BadRequestException"},
		{"nothing to update", chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(local[1])}, "BadRequestException"},
		{"unknown product type", chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(local[1]), ProductType: "Fax"}, "BadRequestException"},
		{"not in the inventory", chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String("+17185550100"), ProductType: types.PhoneNumberProductTypeVoiceConnector}, "NotFoundException"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.UpdatePhoneNumber(ctx, &tt.in)
			wantError(t, err, tt.want)
		})
	}
	_, err = e.client(keyB).UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(local[1]), ProductType: types.PhoneNumberProductTypeBusinessCalling})
	wantError(t, err, "NotFoundException")

	// A number assigned to a user keeps its product type.
	accountID, userID := newPhoneUser(t, a, "typed@example.com")
	_, err = a.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: accountID, UserId: userID, E164PhoneNumber: aws.String(local[0])})
	noErr(t, err)
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(local[0]), ProductType: types.PhoneNumberProductTypeVoiceConnector})
	wantError(t, err, "BadRequestException")
}

func checkOrder(t *testing.T, c *chime.Client, o *types.PhoneNumberOrder) {
	t.Helper()
	if got := getOrder(t, c, o.PhoneNumberOrderId); got.Status != types.PhoneNumberOrderStatusSuccessful {
		t.Fatalf("order is %s", got.Status)
	}
}

// A calling name is UpdateInProgress for the configured delay, refuses a
// second change meanwhile, then succeeds, at the very millisecond it is due.
func TestCallingNameLifecycle(t *testing.T) {
	e := startTelephony(t)
	e.clock.Stop()
	a := e.client(keyA)
	n := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 1)[0]

	out, err := a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String("Acme Support")})
	noErr(t, err)
	if p := out.PhoneNumber; aws.ToString(p.CallingName) != "Acme Support" || p.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("after the update: %q %s", aws.ToString(p.CallingName), p.CallingNameStatus)
	}
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String("Other")})
	wantError(t, err, "ConflictException")

	e.runJobs(30 * time.Minute)
	// The same name again (an SDK's retry) is not a second change: it
	// succeeds, and the pending one keeps its time.
	again, err := a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String("Acme Support")})
	noErr(t, err)
	if p := again.PhoneNumber; p.CallingNameStatus != types.CallingNameStatusUpdateInProgress || !p.UpdatedTimestamp.Equal(aws.ToTime(out.PhoneNumber.UpdatedTimestamp)) {
		t.Fatalf("after the same name again: %s, updated %v (first update %v)", p.CallingNameStatus, p.UpdatedTimestamp, out.PhoneNumber.UpdatedTimestamp)
	}
	if p := getNumber(t, a, n); p.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("finished early: %s", p.CallingNameStatus)
	}
	e.runJobs(30*time.Minute - time.Millisecond)
	if p := getNumber(t, a, n); p.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("finished a millisecond early: %s", p.CallingNameStatus)
	}
	e.runJobs(time.Millisecond)
	if p := getNumber(t, a, n); p.CallingNameStatus != types.CallingNameStatusUpdateSucceeded || aws.ToString(p.CallingName) != "Acme Support" {
		t.Fatalf("after the delay: %q %s", aws.ToString(p.CallingName), p.CallingNameStatus)
	}
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String("Acme Support")})
	noErr(t, err)
	if p := getNumber(t, a, n); p.CallingNameStatus != types.CallingNameStatusUpdateSucceeded {
		t.Fatalf("the name it has, set again: %s, want UpdateSucceeded still", p.CallingNameStatus)
	}
	// Now it may change again; an empty name clears it.
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String("")})
	noErr(t, err)
	e.runJobs(time.Hour)
	if p := getNumber(t, a, n); p.CallingName != nil || p.CallingNameStatus != types.CallingNameStatusUnassigned {
		t.Fatalf("after clearing: %q %s", aws.ToString(p.CallingName), p.CallingNameStatus)
	}
	for _, bad := range []string{"A", "Acme_Support!", "ThisNameIsMuchTooLong"} {
		_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n), CallingName: aws.String(bad)})
		wantError(t, err, "BadRequestException")
	}

	// Calling names (CNAM) are a US service: a number abroad gets none.
	gb, err := a.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)})
	noErr(t, err)
	order(t, a, types.PhoneNumberProductTypeSipMediaApplicationDialIn, gb.E164PhoneNumbers...)
	e.runJobs(orderDelay)
	abroad := gb.E164PhoneNumbers[0]
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(abroad), CallingName: aws.String("Acme Support")})
	wantErrorMessage(t, err, "BadRequestException", "CallingName: ")
	e.runJobs(time.Hour)
	if p := getNumber(t, a, abroad); p.CallingName != nil || p.CallingNameStatus != types.CallingNameStatusUnassigned {
		t.Fatalf("number abroad after a refused calling name: %q %s", aws.ToString(p.CallingName), p.CallingNameStatus)
	}
}

func TestBatchUpdatePhoneNumber(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "206", 3)
	out, err := a.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: []types.UpdatePhoneNumberRequestItem{
		{PhoneNumberId: aws.String(numbers[0]), ProductType: types.PhoneNumberProductTypeBusinessCalling},
		{PhoneNumberId: aws.String(numbers[1]), CallingName: aws.String("phonenumber1")},
		{PhoneNumberId: aws.String(numbers[1]), CallingName: aws.String("phonenumber2")},
		{PhoneNumberId: aws.String(numbers[2]), ProductType: types.PhoneNumberProductTypeBusinessCalling, CallingName: aws.String("both")},
		{PhoneNumberId: aws.String("+12065550100"), ProductType: types.PhoneNumberProductTypeBusinessCalling},
	}})
	noErr(t, err)
	codes := map[string]types.ErrorCode{}
	for _, pe := range out.PhoneNumberErrors {
		codes[aws.ToString(pe.PhoneNumberId)+"/"+string(pe.ErrorCode)] = pe.ErrorCode
		if aws.ToString(pe.ErrorMessage) == "" {
			t.Errorf("error without a message: %+v", pe)
		}
	}
	want := []string{numbers[1] + "/Conflict", numbers[2] + "/BadRequest", "+12065550100/NotFound"}
	if len(codes) != len(want) {
		t.Fatalf("errors %v, want %v", codes, want)
	}
	for _, w := range want {
		if _, ok := codes[w]; !ok {
			t.Fatalf("errors %v, want %v", codes, want)
		}
	}
	if p := getNumber(t, a, numbers[0]); p.ProductType != types.PhoneNumberProductTypeBusinessCalling {
		t.Fatalf("first item not applied: %s", p.ProductType)
	}
	if p := getNumber(t, a, numbers[1]); aws.ToString(p.CallingName) != "phonenumber1" {
		t.Fatalf("second item not applied: %q", aws.ToString(p.CallingName))
	}
	// The reference's example form: ids with the + percent-encoded.
	// When nothing fails the answer is the reference's example, an empty
	// list rather than an absent one.
	r := e.send(t, keyA, rawRequest{method: http.MethodPost, path: "/phone-numbers", query: "operation=batch-update",
		body: []byte(`{"UpdatePhoneNumberRequestItems":[{"PhoneNumberId":"%2B` + numbers[2][1:] + `","ProductType":"BusinessCalling"}]}`)})
	if r.status != http.StatusOK || string(r.body) != `{"PhoneNumberErrors":[]}` {
		t.Fatalf("batch update: %v", r)
	}
}

// Delete moves a number into the deletion queue; it can be restored until
// the retention ends, then it is gone and back in the catalogue.
func TestDeleteRestoreAndPurge(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 2)
	_, err := a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(numbers[0]), CallingName: aws.String("myBusiness")})
	noErr(t, err)

	_, err = a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	noErr(t, err)
	p := getNumber(t, a, numbers[0])
	if p.Status != types.PhoneNumberStatusDeleteInProgress || p.DeletionTimestamp == nil {
		t.Fatalf("deleted number %+v", p)
	}
	_, err = a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	wantError(t, err, "BadRequestException")
	_, err = a.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(numbers[0]), ProductType: types.PhoneNumberProductTypeVoiceConnector})
	wantError(t, err, "BadRequestException")
	_, err = e.client(keyB).RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	wantError(t, err, "NotFoundException")

	e.runJobs(6 * 24 * time.Hour)
	restored, err := a.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	noErr(t, err)
	if p := restored.PhoneNumber; p.Status != types.PhoneNumberStatusUnassigned || p.DeletionTimestamp != nil || aws.ToString(p.CallingName) != "myBusiness" {
		t.Fatalf("restored number %+v", p)
	}
	_, err = a.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	wantError(t, err, "BadRequestException")

	_, err = a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(numbers[1])})
	noErr(t, err)
	e.runJobs(7*24*time.Hour - time.Minute)
	getNumber(t, a, numbers[1])
	e.runJobs(2 * time.Minute)
	_, err = a.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(numbers[1])})
	wantError(t, err, "NotFoundException")
	_, err = a.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(numbers[1])})
	wantError(t, err, "NotFoundException")
	// Released, the number can be ordered again, by anyone.
	o := order(t, e.client(keyB), types.PhoneNumberProductTypeVoiceConnector, numbers[1])
	e.runJobs(orderDelay)
	checkOrder(t, e.client(keyB), o)
}

// A restore at the end of the retention fails even before the purge job has
// run: when that job runs must not decide it.
func TestRestoreAfterRetentionBeforeThePurge(t *testing.T) {
	e := startTelephony(t)
	e.clock.Stop()
	a := e.client(keyA)
	n := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "206", 1)[0]
	_, err := a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(n)})
	noErr(t, err)
	e.clock.Advance(7 * 24 * time.Hour) // the jobs do not run
	_, err = a.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(n)})
	wantError(t, err, "NotFoundException")
}

func TestBatchDeletePhoneNumber(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 4)
	accountID, userID := newPhoneUser(t, a, "holder@example.com")
	_, err := a.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: accountID, UserId: userID, E164PhoneNumber: aws.String(numbers[2])})
	noErr(t, err)

	// A number listed twice, in any spelling, is deleted once, and its
	// second mention is no failure.
	out, err := a.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{
		"%2B" + numbers[0][1:], numbers[1], numbers[2], "+12065550100", numbers[0], numbers[1][1:],
	}})
	noErr(t, err)
	got := map[string]types.ErrorCode{}
	for _, pe := range out.PhoneNumberErrors {
		got[aws.ToString(pe.PhoneNumberId)] = pe.ErrorCode
	}
	want := map[string]types.ErrorCode{numbers[2]: types.ErrorCodePhoneNumberAssociationsExist, "+12065550100": types.ErrorCodeNotFound}
	if len(got) != len(want) || got[numbers[2]] != want[numbers[2]] || got["+12065550100"] != want["+12065550100"] {
		t.Fatalf("errors %v, want %v", got, want)
	}
	for _, n := range numbers[:2] {
		if p := getNumber(t, a, n); p.Status != types.PhoneNumberStatusDeleteInProgress {
			t.Fatalf("%s is %s", n, p.Status)
		}
	}
	// DeletePhoneNumber refuses an associated number with a BadRequest.
	_, err = a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(numbers[2])})
	wantError(t, err, "BadRequestException")
	r := e.send(t, keyA, rawRequest{method: http.MethodPost, path: "/phone-numbers", query: "operation=batch-delete",
		body: []byte(`{"PhoneNumberIds":["` + numbers[3] + `"]}`)})
	if r.status != http.StatusOK || string(r.body) != `{"PhoneNumberErrors":[]}` {
		t.Fatalf("batch delete: %v", r)
	}
	_, err = a.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{}})
	wantError(t, err, "BadRequestException")
}

// The deletion queue survives a restart, and its purge runs on the new
// server's clock.
func TestDeletionQueueSurvivesRestart(t *testing.T) {
	first := startTelephony(t)
	n := first.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "206", 1)[0]
	_, err := first.client(keyA).DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(n)})
	noErr(t, err)
	first.stop(t)

	second := startTelephony(t, func(c *server.Config) { c.DB = first.db })
	getNumber(t, second.client(keyA), n)
	second.runJobs(7*24*time.Hour + time.Minute)
	_, err = second.client(keyA).GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(n)})
	wantError(t, err, "NotFoundException")
}

// The batches of numbers hold at most 500 items, as an order does (the
// model sets no limit): a body of 64,000 IDs held SQLite's writer for
// seconds and answered 6.9 MB of errors.
func TestPhoneNumberBatchesAreCapped(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	ids := make([]string, 501)
	items := make([]types.UpdatePhoneNumberRequestItem, 501)
	for i := range ids {
		ids[i] = fmt.Sprintf("+1206555%04d", i)
		items[i] = types.UpdatePhoneNumberRequestItem{PhoneNumberId: aws.String(ids[i]), CallingName: aws.String("Example")}
	}
	_, err := a.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: ids})
	wantErrorMessage(t, err, "BadRequestException", "PhoneNumberIds: at most 500 items, got 501")
	_, err = a.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: items})
	wantErrorMessage(t, err, "BadRequestException", "UpdatePhoneNumberRequestItems: at most 500 items, got 501")

	deleted, err := a.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: ids[:500]})
	noErr(t, err)
	if len(deleted.PhoneNumberErrors) != 500 {
		t.Fatalf("500 unknown numbers: %d errors", len(deleted.PhoneNumberErrors))
	}
	updated, err := a.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: items[:500]})
	noErr(t, err)
	if len(updated.PhoneNumberErrors) != 500 {
		t.Fatalf("500 unknown numbers: %d errors", len(updated.PhoneNumberErrors))
	}
}

// At the very millisecond a number's time in the deletion queue ends, it is
// released: a restore is refused, and the jobs of that moment purged it. A
// test that advances the clock by exactly the retention within the
// millisecond of the deletion must see it gone.
func TestDeletionQueueEndsToTheMillisecond(t *testing.T) {
	e := startTelephony(t)
	e.clock.Stop()
	a := e.client(keyA)
	numbers := e.acquire(t, keyA, types.PhoneNumberProductTypeBusinessCalling, "206", 2)
	for _, n := range numbers {
		_, err := a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(n)})
		noErr(t, err)
	}

	e.runJobs(7*24*time.Hour - time.Millisecond)
	_, err := a.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	noErr(t, err)
	if p := getNumber(t, a, numbers[1]); p.Status != types.PhoneNumberStatusDeleteInProgress {
		t.Fatalf("a millisecond before its release the number is %s", p.Status)
	}

	e.runJobs(time.Millisecond)
	_, err = a.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(numbers[1])})
	wantError(t, err, "NotFoundException")
	_, err = a.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(numbers[1])})
	wantError(t, err, "NotFoundException")
}
