package e2e

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/server"
)

// orderDelay is what the telephony tests configure: long enough to see an
// order Processing, and the clock moves past it.
const orderDelay = 10 * time.Second

func startTelephony(t *testing.T, opts ...func(*server.Config)) *env {
	t.Helper()
	return start(t, append([]func(*server.Config){func(c *server.Config) {
		c.OrderDelay = orderDelay
		c.CallingNameDelay = time.Hour
		c.DeletionRetention = 7 * 24 * time.Hour
	}}, opts...)...)
}

// search returns up to n available numbers of the area code.
func search(t *testing.T, c *chime.Client, areaCode string, n int32) []string {
	t.Helper()
	out, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String(areaCode), MaxResults: aws.Int32(n)})
	noErr(t, err)
	if len(out.E164PhoneNumbers) != int(n) {
		t.Fatalf("search %s found %d numbers, want %d", areaCode, len(out.E164PhoneNumbers), n)
	}
	return out.E164PhoneNumbers
}

func order(t *testing.T, c *chime.Client, product types.PhoneNumberProductType, numbers ...string) *types.PhoneNumberOrder {
	t.Helper()
	out, err := c.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: product, E164PhoneNumbers: numbers})
	noErr(t, err)
	return out.PhoneNumberOrder
}

func getOrder(t *testing.T, c *chime.Client, id *string) *types.PhoneNumberOrder {
	t.Helper()
	out, err := c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: id})
	noErr(t, err)
	return out.PhoneNumberOrder
}

// acquire orders n numbers of the area code for the key's AWS account and
// lets the order complete.
func (e *env) acquire(t *testing.T, key string, product types.PhoneNumberProductType, areaCode string, n int32) []string {
	t.Helper()
	c := e.client(key)
	numbers := search(t, c, areaCode, n)
	o := order(t, c, product, numbers...)
	e.runJobs(orderDelay)
	if got := getOrder(t, c, o.PhoneNumberOrderId); got.Status != types.PhoneNumberOrderStatusSuccessful {
		t.Fatalf("order %+v did not succeed", got)
	}
	return numbers
}

func orderedStatuses(o *types.PhoneNumberOrder) map[string]types.OrderedPhoneNumberStatus {
	out := map[string]types.OrderedPhoneNumberStatus{}
	for _, n := range o.OrderedPhoneNumbers {
		out[aws.ToString(n.E164PhoneNumber)] = n.Status
	}
	return out
}

func TestOrderLifecycle(t *testing.T) {
	e := startTelephony(t)
	e.clock.Stop() // to find the order done at the very millisecond it is due
	c := e.client(keyA)
	numbers := search(t, c, "206", 2)

	o := order(t, c, types.PhoneNumberProductTypeBusinessCalling, numbers...)
	if o.Status != types.PhoneNumberOrderStatusProcessing || o.ProductType != types.PhoneNumberProductTypeBusinessCalling ||
		o.CreatedTimestamp == nil || !o.CreatedTimestamp.Equal(aws.ToTime(o.UpdatedTimestamp)) {
		t.Fatalf("new order %+v", o)
	}
	for n, status := range orderedStatuses(o) {
		if status != types.OrderedPhoneNumberStatusProcessing || !slices.Contains(numbers, n) {
			t.Fatalf("new order lists %s as %s", n, status)
		}
	}
	// Order IDs are GUIDs (the model's GuidString): either case finds one.
	if upper := getOrder(t, c, aws.String(strings.ToUpper(aws.ToString(o.PhoneNumberOrderId)))); aws.ToString(upper.PhoneNumberOrderId) != aws.ToString(o.PhoneNumberOrderId) {
		t.Fatalf("the order by its upper-case ID is %s, want %s", aws.ToString(upper.PhoneNumberOrderId), aws.ToString(o.PhoneNumberOrderId))
	}
	// While the order is processed its numbers are being acquired.
	got, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(numbers[0])})
	noErr(t, err)
	if got.PhoneNumber.Status != types.PhoneNumberStatusAcquireInProgress {
		t.Fatalf("ordered number is %s", got.PhoneNumber.Status)
	}

	e.runJobs(orderDelay - time.Millisecond)
	if o := getOrder(t, c, o.PhoneNumberOrderId); o.Status != types.PhoneNumberOrderStatusProcessing {
		t.Fatalf("order completed before its delay: %s", o.Status)
	}
	e.runJobs(time.Millisecond)
	done := getOrder(t, c, o.PhoneNumberOrderId)
	if done.Status != types.PhoneNumberOrderStatusSuccessful || !done.UpdatedTimestamp.After(aws.ToTime(done.CreatedTimestamp)) {
		t.Fatalf("order after its delay: %+v", done)
	}
	for n, status := range orderedStatuses(done) {
		if status != types.OrderedPhoneNumberStatusAcquired {
			t.Fatalf("%s is %s", n, status)
		}
	}
	for _, n := range numbers {
		got, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(n)})
		noErr(t, err)
		p := got.PhoneNumber
		if p.Status != types.PhoneNumberStatusUnassigned || aws.ToString(p.PhoneNumberId) != n || aws.ToString(p.E164PhoneNumber) != n ||
			p.Type != types.PhoneNumberTypeLocal || aws.ToString(p.Country) != "US" || p.ProductType != types.PhoneNumberProductTypeBusinessCalling ||
			p.CallingNameStatus != types.CallingNameStatusUnassigned || len(p.Associations) != 0 || p.DeletionTimestamp != nil {
			t.Fatalf("acquired number %+v", p)
		}
		if caps := p.Capabilities; !aws.ToBool(caps.InboundCall) || !aws.ToBool(caps.OutboundCall) || !aws.ToBool(caps.InboundSMS) || !aws.ToBool(caps.OutboundMMS) {
			t.Fatalf("a Business Calling number's capabilities %+v", caps)
		}
	}
}

// Each number of an order that cannot be had fails on its own; the order is
// Partial when some numbers were acquired, Failed when none.
func TestOrderFailures(t *testing.T) {
	e := startTelephony(t)
	a, b := e.client(keyA), e.client(keyB)
	local := search(t, a, "503", 4)
	gb, err := a.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)})
	noErr(t, err)
	ownedByB := e.acquire(t, keyB, types.PhoneNumberProductTypeVoiceConnector, "212", 1)[0]
	ownedByA := e.acquire(t, keyA, types.PhoneNumberProductTypeVoiceConnector, "212", 1)[0]
	tests := []struct {
		name    string
		product types.PhoneNumberProductType
		ok      []string
		failed  []string
		want    types.PhoneNumberOrderStatus
	}{
		{"not a valid number", types.PhoneNumberProductTypeVoiceConnector, local[:1], []string{"+19999999999"}, types.PhoneNumberOrderStatusPartial},
		{"valid but not in the catalogue", types.PhoneNumberProductTypeVoiceConnector, nil, []string{"+15035550000"}, types.PhoneNumberOrderStatusFailed},
		{"another AWS account's number", types.PhoneNumberProductTypeVoiceConnector, local[2:3], []string{ownedByB}, types.PhoneNumberOrderStatusPartial},
		{"a number the account already has", types.PhoneNumberProductTypeVoiceConnector, nil, []string{ownedByA}, types.PhoneNumberOrderStatusFailed},
		{"outside the US as SipMediaApplicationDialIn", types.PhoneNumberProductTypeSipMediaApplicationDialIn, gb.E164PhoneNumbers, nil, types.PhoneNumberOrderStatusSuccessful},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order(t, a, tt.product, append(slices.Clone(tt.ok), tt.failed...)...)
			e.runJobs(orderDelay)
			done := getOrder(t, a, o.PhoneNumberOrderId)
			if done.Status != tt.want {
				t.Fatalf("order is %s, want %s", done.Status, tt.want)
			}
			statuses := orderedStatuses(done)
			for _, n := range tt.ok {
				if statuses[n] != types.OrderedPhoneNumberStatusAcquired {
					t.Errorf("%s is %s, want Acquired", n, statuses[n])
				}
			}
			for _, n := range tt.failed {
				if statuses[n] != types.OrderedPhoneNumberStatusFailed {
					t.Errorf("%s is %s, want Failed", n, statuses[n])
				}
			}
		})
	}
	// B's number stayed B's.
	_, err = a.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(ownedByB)})
	wantError(t, err, "NotFoundException")
	_, err = b.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(ownedByB)})
	noErr(t, err)
}

func TestOrderRefusals(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	n := search(t, a, "617", 1)[0]
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf("+1617555%04d", i)
	}
	tests := []struct {
		name    string
		numbers []string
		want    string
	}{
		{"no numbers", []string{}, "BadRequestException"},
		{"a number twice", []string{n, n}, "BadRequestException"},
		{"not E.164", []string{"+0123"}, "BadRequestException"},
		{"more than 500", many, "ResourceLimitExceededException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: types.PhoneNumberProductTypeVoiceConnector, E164PhoneNumbers: tt.numbers})
			wantError(t, err, tt.want)
		})
	}
	_, err := a.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: "Fax", E164PhoneNumbers: []string{n}})
	wantError(t, err, "BadRequestException")

	// The reference's product-type rules refuse the whole order at once,
	// as UpdatePhoneNumber refuses the same changes.
	tollFree, err := a.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("888"), MaxResults: aws.Int32(1)})
	noErr(t, err)
	gb, err := a.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{Country: aws.String("GB"), PhoneNumberType: types.PhoneNumberTypeLocal, MaxResults: aws.Int32(1)})
	noErr(t, err)
	for _, tt := range []struct {
		name    string
		product types.PhoneNumberProductType
		numbers []string
	}{
		{"toll-free as BusinessCalling", types.PhoneNumberProductTypeBusinessCalling, append([]string{n}, tollFree.E164PhoneNumbers...)},
		{"outside the US not SipMediaApplicationDialIn", types.PhoneNumberProductTypeVoiceConnector, gb.E164PhoneNumbers},
		// The rules follow from the number, whether or not it is for sale.
		{"toll-free not in the catalogue as BusinessCalling", types.PhoneNumberProductTypeBusinessCalling, []string{"+18005550100"}},
		{"Canadian not in the catalogue as VoiceConnector", types.PhoneNumberProductTypeVoiceConnector, []string{"+14165550199"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: tt.product, E164PhoneNumbers: tt.numbers})
			wantErrorMessage(t, err, "BadRequestException", "ProductType: ")
		})
	}
	orders, err := a.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{})
	noErr(t, err)
	inventory, err := a.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{})
	noErr(t, err)
	if len(orders.PhoneNumberOrders) != 0 || len(inventory.PhoneNumbers) != 0 {
		t.Fatalf("refused orders left %d orders and %d numbers behind", len(orders.PhoneNumberOrders), len(inventory.PhoneNumbers))
	}

	o := order(t, a, types.PhoneNumberProductTypeVoiceConnector, n)
	_, err = e.client(keyB).GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: o.PhoneNumberOrderId})
	wantError(t, err, "NotFoundException")
	_, err = a.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantError(t, err, "NotFoundException")
	_, err = a.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String("not-a-uuid")})
	wantError(t, err, "BadRequestException")
}

func TestListPhoneNumberOrders(t *testing.T) {
	e := startTelephony(t)
	a := e.client(keyA)
	numbers := search(t, a, "312", 5)
	var ids []string
	for _, n := range numbers {
		ids = append(ids, aws.ToString(order(t, a, types.PhoneNumberProductTypeVoiceConnector, n).PhoneNumberOrderId))
		e.clock.Advance(time.Millisecond) // distinct creation times
	}
	order(t, e.client(keyB), types.PhoneNumberProductTypeVoiceConnector, search(t, e.client(keyB), "313", 1)...)

	var listed []string
	var token *string
	pages := 0
	for {
		out, err := a.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{MaxResults: aws.Int32(2), NextToken: token})
		noErr(t, err)
		pages++
		for _, o := range out.PhoneNumberOrders {
			listed = append(listed, aws.ToString(o.PhoneNumberOrderId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if !slices.Equal(listed, ids) || pages != 3 {
		t.Fatalf("listed %v in %d pages, want %v (oldest first) in 3", listed, pages, ids)
	}
	_, err := a.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{MaxResults: aws.Int32(100)})
	wantError(t, err, "BadRequestException")
	out, err := a.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{MaxResults: aws.Int32(2)})
	noErr(t, err)
	_, err = e.client(keyB).ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{NextToken: out.NextToken})
	wantError(t, err, "BadRequestException")
}

// Racing orders of one number, from two AWS accounts: one order gets it,
// the others fail, and it is in exactly one inventory.
func TestConcurrentOrdersNeverSellANumberTwice(t *testing.T) {
	e := startTelephony(t)
	clients := []*chime.Client{e.client(keyA), e.client(keyB)}
	n := search(t, clients[0], "415", 1)[0]
	const racers = 10
	orders := make([]*types.PhoneNumberOrder, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			out, err := clients[i%2].CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: types.PhoneNumberProductTypeVoiceConnector, E164PhoneNumbers: []string{n}})
			if err != nil {
				t.Error(err)
				return
			}
			orders[i] = out.PhoneNumberOrder
		})
	}
	wg.Wait()
	e.runJobs(orderDelay)
	won, owners := 0, 0
	for i, o := range orders {
		if o == nil {
			t.FailNow()
		}
		switch getOrder(t, clients[i%2], o.PhoneNumberOrderId).Status {
		case types.PhoneNumberOrderStatusSuccessful:
			won++
		case types.PhoneNumberOrderStatusFailed:
		default:
			t.Fatalf("order %d is neither Successful nor Failed", i)
		}
	}
	for _, c := range clients {
		if _, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(n)}); err == nil {
			owners++
		}
	}
	if won != 1 || owners != 1 {
		t.Fatalf("%d orders succeeded and %d accounts hold %s, want 1 and 1", won, owners, n)
	}
}

// Pending orders are in the database: a server started on it after a
// restart completes them.
func TestOrderCompletesAfterRestart(t *testing.T) {
	first := startTelephony(t)
	a := first.client(keyA)
	n := search(t, a, "303", 1)
	o := order(t, a, types.PhoneNumberProductTypeVoiceConnector, n...)
	first.stop(t)

	second := startTelephony(t, func(c *server.Config) { c.DB = first.db })
	second.runJobs(orderDelay)
	if got := getOrder(t, second.client(keyA), o.PhoneNumberOrderId); got.Status != types.PhoneNumberOrderStatusSuccessful {
		t.Fatalf("order after a restart: %s", got.Status)
	}
}

// Two instances on one PostgreSQL database run the fulfilment job at the
// same moment: each order completes once, and its numbers enter the
// inventory once.
func TestTwoInstancesFulfilOrdersOnce(t *testing.T) {
	one, two := startPair(t)
	c := one.client(keyA)
	numbers := search(t, c, "206", 6)
	var ids []*string
	for i := 0; i < len(numbers); i += 2 {
		ids = append(ids, order(t, c, types.PhoneNumberProductTypeVoiceConnector, numbers[i:i+2]...).PhoneNumberOrderId)
	}
	one.clock.Advance(time.Minute)

	counts, total := runOnBoth(t, one, two, (*chimed.Service).FulfilPhoneNumberOrders)
	if total != len(ids) {
		t.Fatalf("the instances fulfilled %v orders, %d in all, want %d", counts, total, len(ids))
	}
	for _, id := range ids {
		if o := getOrder(t, two.client(keyA), id); o.Status != types.PhoneNumberOrderStatusSuccessful {
			t.Fatalf("order %s is %s", aws.ToString(id), o.Status)
		}
	}
	if got := listNumbers(t, two.client(keyA), &chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusUnassigned}); len(got) != len(numbers) {
		t.Fatalf("%d numbers in the inventory, want %d", len(got), len(numbers))
	}
}
