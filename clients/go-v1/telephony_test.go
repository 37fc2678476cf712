package gov1

// Phone numbers, orders, settings and meeting dial-out, through the AWS SDK for
// Go v1: one test per operation, as clients/js/test/telephony.test.mjs.
// Numbers come the way a customer got them: search, order, wait until the
// order is Successful.

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/chime"
)

const unknownNumber = "+19995550100"

func search(t *testing.T, c *chime.Chime, in *chime.SearchAvailablePhoneNumbersInput) []string {
	t.Helper()
	out, err := c.SearchAvailablePhoneNumbers(in)
	must(t, err)
	return aws.StringValueSlice(out.E164PhoneNumbers)
}

func waitForOrder(t *testing.T, c *chime.Chime, id string) *chime.PhoneNumberOrder {
	t.Helper()
	return waitUntil(t, "order "+id, func() *chime.PhoneNumberOrder {
		out, err := c.GetPhoneNumberOrder(&chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(id)})
		must(t, err)
		return out.PhoneNumberOrder
	}, func(order *chime.PhoneNumberOrder) bool {
		return aws.StringValue(order.Status) != "Processing"
	})
}

// numbers is the setup order of the telephony tests and its numbers: the
// inventory, Unassigned, each number for one test alone.
type numbers struct {
	orderID string
	pool    []string
}

var numbersFixture fixture[*numbers]

func telephony(t *testing.T, c *chime.Chime) *numbers {
	t.Helper()
	return numbersFixture.get(t, func(t *testing.T) *numbers {
		found := search(t, c, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int64(12)})
		out, err := c.CreatePhoneNumberOrder(&chime.CreatePhoneNumberOrderInput{
			ProductType: aws.String("BusinessCalling"), E164PhoneNumbers: aws.StringSlice(found),
		})
		must(t, err)
		id := aws.StringValue(out.PhoneNumberOrder.PhoneNumberOrderId)
		if done := waitForOrder(t, c, id); aws.StringValue(done.Status) != "Successful" {
			t.Fatalf("the setup order ended %s", aws.StringValue(done.Status))
		}
		return &numbers{orderID: id, pool: found}
	})
}

// number takes a number of the pool for one test alone.
func (n *numbers) number(t *testing.T) string {
	t.Helper()
	check(t, len(n.pool) > 0, "the pool of numbers is empty")
	e164 := n.pool[len(n.pool)-1]
	n.pool = n.pool[:len(n.pool)-1]
	return e164
}

func supportedTypes(t *testing.T, countries []*chime.PhoneNumberCountry, code string) []string {
	t.Helper()
	for _, country := range countries {
		if aws.StringValue(country.CountryCode) == code {
			return aws.StringValueSlice(country.SupportedPhoneNumberTypes)
		}
	}
	t.Fatalf("country %s not listed", code)
	return nil
}

func TestListSupportedPhoneNumberCountries(t *testing.T) {
	c := newClient(t)
	countries := func(productType string) []*chime.PhoneNumberCountry {
		out, err := c.ListSupportedPhoneNumberCountries(&chime.ListSupportedPhoneNumberCountriesInput{ProductType: aws.String(productType)})
		must(t, err)
		return out.PhoneNumberCountries
	}
	// Toll-free numbers cannot be Business Calling ones.
	deepEqual(t, "US BusinessCalling types", supportedTypes(t, countries("BusinessCalling"), "US"), []string{"Local"})
	voice := supportedTypes(t, countries("VoiceConnector"), "US")
	slices.Sort(voice)
	deepEqual(t, "US VoiceConnector types", voice, []string{"Local", "TollFree"})
	dialIn := countries("SipMediaApplicationDialIn")
	check(t, len(dialIn) > 1, "%d dial-in countries", len(dialIn))
	_, err := c.ListSupportedPhoneNumberCountries(&chime.ListSupportedPhoneNumberCountriesInput{ProductType: aws.String("Fax")})
	wantError[*chime.BadRequestException](t, err)
}

func TestSearchAvailablePhoneNumbers(t *testing.T) {
	c := newClient(t)
	local := search(t, c, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int64(3)})
	equal(t, "numbers", len(local), 3)
	for _, n := range local {
		check(t, strings.HasPrefix(n, "+1206"), "%v", local)
	}
	// The SDK's paginator over toll-free numbers, two a page, for three pages.
	var pages [][]string
	err := c.SearchAvailablePhoneNumbersPages(&chime.SearchAvailablePhoneNumbersInput{
		TollFreePrefix: aws.String("800"), MaxResults: aws.Int64(2),
	}, func(page *chime.SearchAvailablePhoneNumbersOutput, _ bool) bool {
		pages = append(pages, aws.StringValueSlice(page.E164PhoneNumbers))
		return len(pages) < 3
	})
	must(t, err)
	tollFree := slices.Concat(pages...)
	equal(t, "pages", len(pages), 3)
	distinct := slices.Compact(slices.Sorted(slices.Values(tollFree)))
	equal(t, "distinct numbers in "+strings.Join(tollFree, ","), len(distinct), 6)
	for _, n := range tollFree {
		check(t, strings.HasPrefix(n, "+1800"), "%v", tollFree)
	}
	_, err = c.SearchAvailablePhoneNumbers(&chime.SearchAvailablePhoneNumbersInput{MaxResults: aws.Int64(1)})
	wantError[*chime.BadRequestException](t, err)
}

func TestCreatePhoneNumberOrder(t *testing.T) {
	c := newClient(t)
	found := search(t, c, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("425"), MaxResults: aws.Int64(2)})
	out, err := c.CreatePhoneNumberOrder(&chime.CreatePhoneNumberOrderInput{
		ProductType: aws.String("BusinessCalling"), E164PhoneNumbers: aws.StringSlice(found),
	})
	must(t, err)
	order := out.PhoneNumberOrder
	equal(t, "ProductType", aws.StringValue(order.ProductType), "BusinessCalling")
	equal(t, "Status", aws.StringValue(order.Status), "Processing")
	var ordered []string
	for _, n := range order.OrderedPhoneNumbers {
		ordered = append(ordered, aws.StringValue(n.E164PhoneNumber))
	}
	slices.Sort(ordered)
	deepEqual(t, "OrderedPhoneNumbers", ordered, slices.Sorted(slices.Values(found)))
	check(t, isTime(order.CreatedTimestamp), "CreatedTimestamp %v", order.CreatedTimestamp)
	// Toll-free numbers cannot be Business Calling numbers: the order is
	// refused.
	tollFree := search(t, c, &chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("888"), MaxResults: aws.Int64(1)})
	_, err = c.CreatePhoneNumberOrder(&chime.CreatePhoneNumberOrderInput{
		ProductType: aws.String("BusinessCalling"), E164PhoneNumbers: aws.StringSlice(tollFree),
	})
	wantError[*chime.BadRequestException](t, err)
}

func TestGetPhoneNumberOrder(t *testing.T) {
	c := newClient(t)
	n := telephony(t, c)
	out, err := c.GetPhoneNumberOrder(&chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(n.orderID)})
	must(t, err)
	equal(t, "Status", aws.StringValue(out.PhoneNumberOrder.Status), "Successful")
	for _, ordered := range out.PhoneNumberOrder.OrderedPhoneNumbers {
		equal(t, "status of "+aws.StringValue(ordered.E164PhoneNumber), aws.StringValue(ordered.Status), "Acquired")
	}
	_, err = c.GetPhoneNumberOrder(&chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(unknown)})
	wantError[*chime.NotFoundException](t, err)
}

func TestListPhoneNumberOrders(t *testing.T) {
	c := newClient(t)
	n := telephony(t, c)
	found := false
	err := c.ListPhoneNumberOrdersPages(&chime.ListPhoneNumberOrdersInput{MaxResults: aws.Int64(1)},
		func(page *chime.ListPhoneNumberOrdersOutput, _ bool) bool {
			for _, o := range page.PhoneNumberOrders {
				found = found || aws.StringValue(o.PhoneNumberOrderId) == n.orderID
			}
			return true
		})
	must(t, err)
	check(t, found, "order %s not listed", n.orderID)
}

func TestGetPhoneNumber(t *testing.T) {
	c := newClient(t)
	e164 := telephony(t, c).number(t)
	out, err := c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	n := out.PhoneNumber
	equal(t, "PhoneNumberId", aws.StringValue(n.PhoneNumberId), e164)
	equal(t, "E164PhoneNumber", aws.StringValue(n.E164PhoneNumber), e164)
	equal(t, "Status", aws.StringValue(n.Status), "Unassigned")
	equal(t, "ProductType", aws.StringValue(n.ProductType), "BusinessCalling")
	equal(t, "Type", aws.StringValue(n.Type), "Local")
	equal(t, "Country", aws.StringValue(n.Country), "US")
	check(t, n.Capabilities != nil && aws.BoolValue(n.Capabilities.OutboundCall), "Capabilities %v", n.Capabilities)
	_, err = c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(unknownNumber)})
	wantError[*chime.NotFoundException](t, err)
}

func TestListPhoneNumbers(t *testing.T) {
	c := newClient(t)
	pool := telephony(t, c).pool
	listed := map[string]bool{}
	var statuses []string
	err := c.ListPhoneNumbersPages(&chime.ListPhoneNumbersInput{
		Status: aws.String("Unassigned"), ProductType: aws.String("BusinessCalling"), MaxResults: aws.Int64(2),
	}, func(page *chime.ListPhoneNumbersOutput, _ bool) bool {
		for _, n := range page.PhoneNumbers {
			listed[aws.StringValue(n.PhoneNumberId)] = true
			statuses = append(statuses, aws.StringValue(n.Status))
		}
		return true
	})
	must(t, err)
	for _, e164 := range pool {
		check(t, listed[e164], "%v not all in %v", pool, listed)
	}
	for _, status := range statuses {
		equal(t, "Status", status, "Unassigned")
	}
}

func TestUpdatePhoneNumber(t *testing.T) {
	c := newClient(t)
	n := telephony(t, c)
	e164 := n.number(t)
	out, err := c.UpdatePhoneNumber(&chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(e164), CallingName: aws.String("Chimed Go")})
	must(t, err)
	equal(t, "CallingName", aws.StringValue(out.PhoneNumber.CallingName), "Chimed Go")
	equal(t, "CallingNameStatus", aws.StringValue(out.PhoneNumber.CallingNameStatus), "UpdateInProgress")
	// A pending change must complete before the next.
	_, err = c.UpdatePhoneNumber(&chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(e164), CallingName: aws.String("Another Name")})
	wantError[*chime.ConflictException](t, err)
	// One attribute at a time.
	_, err = c.UpdatePhoneNumber(&chime.UpdatePhoneNumberInput{
		PhoneNumberId: aws.String(n.number(t)), CallingName: aws.String("Name"), ProductType: aws.String("BusinessCalling"),
	})
	wantError[*chime.BadRequestException](t, err)
}

// phoneNumberErrors lists a batch's errors as [PhoneNumberId, ErrorCode]
// pairs.
func phoneNumberErrors(errs []*chime.PhoneNumberError) [][2]string {
	pairs := [][2]string{}
	for _, e := range errs {
		pairs = append(pairs, [2]string{aws.StringValue(e.PhoneNumberId), aws.StringValue(e.ErrorCode)})
	}
	return pairs
}

func TestBatchUpdatePhoneNumber(t *testing.T) {
	c := newClient(t)
	e164 := telephony(t, c).number(t)
	out, err := c.BatchUpdatePhoneNumber(&chime.BatchUpdatePhoneNumberInput{
		UpdatePhoneNumberRequestItems: []*chime.UpdatePhoneNumberRequestItem{
			{PhoneNumberId: aws.String(e164), CallingName: aws.String("Chimed Batch")},
			{PhoneNumberId: aws.String(unknownNumber), CallingName: aws.String("Chimed Batch")},
		},
	})
	must(t, err)
	deepEqual(t, "PhoneNumberErrors", phoneNumberErrors(out.PhoneNumberErrors), [][2]string{{unknownNumber, "NotFound"}})
	got, err := c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	equal(t, "CallingName", aws.StringValue(got.PhoneNumber.CallingName), "Chimed Batch")
}

func TestDeletePhoneNumber(t *testing.T) {
	c := newClient(t)
	e164 := telephony(t, c).number(t)
	req, _ := c.DeletePhoneNumberRequest(&chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(e164)})
	equal(t, "HTTP status", send(t, req), 204)
	got, err := c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	equal(t, "Status", aws.StringValue(got.PhoneNumber.Status), "DeleteInProgress")
	check(t, isTime(got.PhoneNumber.DeletionTimestamp), "DeletionTimestamp %v", got.PhoneNumber.DeletionTimestamp)
	_, err = c.DeletePhoneNumber(&chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(unknownNumber)})
	wantError[*chime.NotFoundException](t, err)
}

func TestBatchDeletePhoneNumber(t *testing.T) {
	c := newClient(t)
	e164 := telephony(t, c).number(t)
	out, err := c.BatchDeletePhoneNumber(&chime.BatchDeletePhoneNumberInput{PhoneNumberIds: aws.StringSlice([]string{e164, unknownNumber})})
	must(t, err)
	deepEqual(t, "PhoneNumberErrors", phoneNumberErrors(out.PhoneNumberErrors), [][2]string{{unknownNumber, "NotFound"}})
	got, err := c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	equal(t, "Status", aws.StringValue(got.PhoneNumber.Status), "DeleteInProgress")
}

func TestRestorePhoneNumber(t *testing.T) {
	c := newClient(t)
	e164 := telephony(t, c).number(t)
	_, err := c.DeletePhoneNumber(&chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	out, err := c.RestorePhoneNumber(&chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	equal(t, "Status", aws.StringValue(out.PhoneNumber.Status), "Unassigned")
	check(t, out.PhoneNumber.DeletionTimestamp == nil, "DeletionTimestamp %v", out.PhoneNumber.DeletionTimestamp)
	// Only a number in the deletion queue can be restored.
	_, err = c.RestorePhoneNumber(&chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(e164)})
	wantError[*chime.BadRequestException](t, err)
}

// associatedNumber gives a new user of a new account one of the suite's
// numbers. It returns the account's ID, the user and the number.
func associatedNumber(t *testing.T, c *chime.Chime) (string, *chime.User, string) {
	t.Helper()
	accountID := aws.StringValue(createAccount(t, c, "numbers").AccountId)
	user := createUser(t, c, accountID, "caller")
	e164 := telephony(t, c).number(t)
	_, err := c.AssociatePhoneNumberWithUser(&chime.AssociatePhoneNumberWithUserInput{
		AccountId: aws.String(accountID), UserId: user.UserId, E164PhoneNumber: aws.String(e164),
	})
	must(t, err)
	return accountID, user, e164
}

func TestAssociatePhoneNumberWithUser(t *testing.T) {
	c := newClient(t)
	accountID, user, e164 := associatedNumber(t, c)
	got, err := c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	equal(t, "PrimaryProvisionedNumber", aws.StringValue(got.User.PrimaryProvisionedNumber), e164)
	number, err := c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	equal(t, "Status", aws.StringValue(number.PhoneNumber.Status), "Assigned")
	associations := map[string]string{}
	for _, a := range number.PhoneNumber.Associations {
		associations[aws.StringValue(a.Name)] = aws.StringValue(a.Value)
	}
	deepEqual(t, "Associations", associations, map[string]string{"AccountId": accountID, "UserId": aws.StringValue(user.UserId)})
	byUser, err := c.ListPhoneNumbers(&chime.ListPhoneNumbersInput{FilterName: aws.String("UserId"), FilterValue: user.UserId})
	must(t, err)
	var ids []string
	for _, p := range byUser.PhoneNumbers {
		ids = append(ids, aws.StringValue(p.PhoneNumberId))
	}
	deepEqual(t, "numbers of the user", ids, []string{e164})
	// A number in use cannot be deleted.
	_, err = c.DeletePhoneNumber(&chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(e164)})
	wantError[*chime.BadRequestException](t, err)
	_, err = c.AssociatePhoneNumberWithUser(&chime.AssociatePhoneNumberWithUserInput{
		AccountId: aws.String(accountID), UserId: user.UserId, E164PhoneNumber: aws.String(unknownNumber),
	})
	wantError[*chime.NotFoundException](t, err)
}

func TestDisassociatePhoneNumberFromUser(t *testing.T) {
	c := newClient(t)
	accountID, user, e164 := associatedNumber(t, c)
	in := &chime.DisassociatePhoneNumberFromUserInput{AccountId: aws.String(accountID), UserId: user.UserId}
	_, err := c.DisassociatePhoneNumberFromUser(in)
	must(t, err)
	got, err := c.GetUser(&chime.GetUserInput{AccountId: aws.String(accountID), UserId: user.UserId})
	must(t, err)
	check(t, got.User.PrimaryProvisionedNumber == nil, "PrimaryProvisionedNumber %q", aws.StringValue(got.User.PrimaryProvisionedNumber))
	number, err := c.GetPhoneNumber(&chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	must(t, err)
	equal(t, "Status", aws.StringValue(number.PhoneNumber.Status), "Unassigned")
	// Again, as a retry would: the user has no number, as asked.
	_, err = c.DisassociatePhoneNumberFromUser(in)
	must(t, err)
	_, err = c.DisassociatePhoneNumberFromUser(&chime.DisassociatePhoneNumberFromUserInput{
		AccountId: aws.String(accountID), UserId: aws.String(unknown),
	})
	wantError[*chime.NotFoundException](t, err)
}

func TestGetPhoneNumberSettings(t *testing.T) {
	c := newClient(t)
	req, out := c.GetPhoneNumberSettingsRequest(&chime.GetPhoneNumberSettingsInput{})
	equal(t, "HTTP status", send(t, req), 200)
	if out.CallingName != nil {
		check(t, isTime(out.CallingNameUpdatedTimestamp), "CallingNameUpdatedTimestamp %v", out.CallingNameUpdatedTimestamp)
	}
}

func TestUpdatePhoneNumberSettings(t *testing.T) {
	c := newClient(t)
	req, _ := c.UpdatePhoneNumberSettingsRequest(&chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Chimed Go")})
	equal(t, "HTTP status", send(t, req), 204)
	got, err := c.GetPhoneNumberSettings(&chime.GetPhoneNumberSettingsInput{})
	must(t, err)
	equal(t, "CallingName", aws.StringValue(got.CallingName), "Chimed Go")
	check(t, isTime(got.CallingNameUpdatedTimestamp), "CallingNameUpdatedTimestamp %v", got.CallingNameUpdatedTimestamp)
	// The default calling name may change once every 7 days.
	_, err = c.UpdatePhoneNumberSettings(&chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Again")})
	wantError[*chime.BadRequestException](t, err)
}

func TestGetGlobalSettings(t *testing.T) {
	c := newClient(t)
	// The JavaScript suite checks that BusinessCalling and VoiceConnector
	// are objects when present: v1 fails the call when it cannot decode
	// them into its structures.
	req, _ := c.GetGlobalSettingsRequest(&chime.GetGlobalSettingsInput{})
	equal(t, "HTTP status", send(t, req), 200)
}

func TestUpdateGlobalSettings(t *testing.T) {
	c := newClient(t)
	bucket := strings.ToLower(unique("chimed-cdrs"))
	req, _ := c.UpdateGlobalSettingsRequest(&chime.UpdateGlobalSettingsInput{
		BusinessCalling: &chime.BusinessCallingSettings{CdrBucket: aws.String(bucket)},
	})
	equal(t, "HTTP status", send(t, req), 204)
	got, err := c.GetGlobalSettings(&chime.GetGlobalSettingsInput{})
	must(t, err)
	check(t, got.BusinessCalling != nil, "no BusinessCalling")
	equal(t, "CdrBucket", aws.StringValue(got.BusinessCalling.CdrBucket), bucket)
	_, err = c.UpdateGlobalSettings(&chime.UpdateGlobalSettingsInput{
		VoiceConnector: &chime.VoiceConnectorSettings{CdrBucket: aws.String("Not A Bucket!")},
	})
	wantError[*chime.BadRequestException](t, err)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestCreateMeetingDialOut(t *testing.T) {
	c := newClient(t)
	n := telephony(t, c)
	meetingID := newUUID()
	to := search(t, c, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("212"), MaxResults: aws.Int64(1)})
	check(t, len(to) == 1, "search found %v", to)
	joinToken := aws.String("am9pbi10b2tlbg")
	// The From number must be the caller's.
	_, err := c.CreateMeetingDialOut(&chime.CreateMeetingDialOutInput{
		MeetingId: aws.String(meetingID), FromPhoneNumber: aws.String(unknownNumber), ToPhoneNumber: aws.String(to[0]), JoinToken: joinToken,
	})
	wantError[*chime.ForbiddenException](t, err)
	in := &chime.CreateMeetingDialOutInput{
		MeetingId: aws.String(meetingID), FromPhoneNumber: aws.String(n.number(t)), ToPhoneNumber: aws.String(to[0]), JoinToken: joinToken,
	}
	if os.Getenv("CHIMED_SIP_TRUNK") == "" {
		// No SIP trunk: the server says dial-out is not configured.
		_, err := c.CreateMeetingDialOut(in)
		wantError[*chime.ForbiddenException](t, err)
		return
	}
	out, err := c.CreateMeetingDialOut(in)
	must(t, err)
	id := aws.StringValue(out.TransactionId)
	check(t, uuidPattern.MatchString(id), "TransactionId %q", id)
	// The far end (clients/sipuas.py) answers: the call reaches "answered".
	type progress struct {
		status int
		body   []byte
		state  string
	}
	last := waitUntil(t, "dial-out "+id, func() progress {
		resp := extension(t, http.MethodGet, "/_chimed/dial-outs/"+id, nil)
		p := progress{status: resp.Status, body: resp.Body}
		if resp.Status == http.StatusOK {
			var got struct{ DialOut struct{ Status string } }
			resp.decode(t, &got)
			p.state = got.DialOut.Status
		}
		return p
	}, func(p progress) bool {
		return p.status != http.StatusOK || slices.Contains([]string{"answered", "ended", "failed"}, p.state)
	})
	equal(t, "HTTP status "+string(last.body), last.status, 200)
	check(t, last.state == "answered" || last.state == "ended", "dial-out %s", last.body)
}
