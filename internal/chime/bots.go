package chime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/chimed/chimed/internal/model"
	"golang.org/x/text/unicode/norm"
)

// Bot is a chat bot of an Enterprise account as the server keeps it, with
// what delivering its events needs: its security token (the key events are
// signed with) and its events configuration.
type Bot struct {
	AwsAccountID string
	AccountID    string
	BotID        string
	// DisplayName is the name given at creation followed by " (Bot)", as
	// Chime shows bots.
	DisplayName   string
	Email         string
	SecurityToken string
	Disabled      bool
	// At most one of the two is set: where Chime sends the bot's events.
	OutboundEventsHTTPSEndpoint string
	LambdaFunctionArn           string
	CreatedAt                   time.Time
	UpdatedAt                   time.Time
}

// BotTx reads and writes chat bots.
type BotTx interface {
	// InsertBot fails with ErrNotUnique when the bot's email is already used
	// in the AWS account.
	InsertBot(b *Bot) error
	SaveBot(b *Bot) error
	// GetBot returns ErrNoRows when the bot is not in the account.
	GetBot(accountID, botID string) (*Bot, error)
	// FindBotByEmail looks an email (lower-cased) up across the AWS
	// account's bots, and returns ErrNoRows when none has it.
	FindBotByEmail(awsAccountID, email string) (*Bot, error)
	ListBots(accountID string, p Page) ([]*Bot, error)
}

func (b *Bot) toModel() *model.Bot {
	return &model.Bot{
		BotId:            model.String(b.BotID),
		UserId:           model.String(b.BotID),
		DisplayName:      model.String(b.DisplayName),
		BotEmail:         model.String(b.Email),
		BotType:          model.String(model.BotTypeChatBot),
		Disabled:         model.Bool(b.Disabled),
		SecurityToken:    model.String(b.SecurityToken),
		CreatedTimestamp: model.TimeOf(b.CreatedAt),
		UpdatedTimestamp: model.TimeOf(b.UpdatedAt),
	}
}

func (b *Bot) hasEventsEndpoint() bool {
	return b.OutboundEventsHTTPSEndpoint != "" || b.LambdaFunctionArn != ""
}

const botsWhat = "chat bots"

// accountBot loads a bot of one of the caller's Enterprise accounts.
func accountBot(tx Tx, caller Caller, accountID, botID string) (*Bot, error) {
	a, err := enterpriseAccount(tx, caller, accountID, botsWhat)
	if err != nil {
		return nil, err
	}
	b, err := tx.GetBot(a.AccountID, botID)
	if err := notFoundIfMissing(err, "Bot", botID); err != nil {
		return nil, err
	}
	return b, nil
}

// newSecurityToken returns 30 random bytes in base64: 40 characters, the
// form of the reference's examples.
func newSecurityToken() string {
	var b [30]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

const botEmailSuffix = "-chimebot"

// botEmail builds the bot's address as Chime does (display name "myBot",
// domain "example.com": myBot-chimebot@example.com). The model puts no rule
// on the display name, so any name with a letter or a digit is taken: its
// runs of letters (with their marks), digits, '.', '_' and '-' are joined by
// hyphens ("R&D Bot": R-D-Bot-chimebot@...), and the local part must fit
// the 64 bytes an email address allows it. The name is composed (NFC) first,
// so that "Café" gives one address however its "é" was typed.
func botEmail(displayName, domain string) (string, error) {
	if !strings.ContainsFunc(displayName, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return "", BadRequest("DisplayName: needs a letter or a digit (it names the bot's email address)")
	}
	words := strings.FieldsFunc(norm.NFC.String(displayName), func(r rune) bool {
		return !wordRune(r) && !strings.ContainsRune("._-", r)
	})
	local := strings.Join(words, "-") + botEmailSuffix
	if strings.HasPrefix(local, ".") || strings.Contains(local, "..") {
		return "", BadRequest("DisplayName: may not start with '.' or hold '..' (it names the bot's email address)")
	}
	if len(local) > 64 {
		return "", BadRequest("DisplayName: too long for the bot's email address, whose part before the @ (%s) may have 64 bytes", local)
	}
	return local + "@" + domain, nil
}

// botDomain is the domain given, which must be one the account claimed, or
// the account's first claimed domain.
func botDomain(a *Account, domain *string) (string, error) {
	if domain == nil {
		if len(a.Domains) == 0 {
			return "", BadRequest("Domain: account %s has no claimed domain", a.AccountID)
		}
		return a.Domains[0], nil
	}
	i := slices.IndexFunc(a.Domains, func(d string) bool { return strings.EqualFold(d, *domain) })
	if i < 0 {
		return "", BadRequest("Domain: %s is not a domain claimed by account %s (claimed: %s)", *domain, a.AccountID, strings.Join(a.Domains, ", "))
	}
	return a.Domains[i], nil
}

func (s *Service) CreateBot(ctx context.Context, caller Caller, in *model.CreateBotRequest) (*model.CreateBotResponse, error) {
	var b *Bot
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		a, err := enterpriseAccount(tx, caller, *in.AccountId, botsWhat)
		if err != nil {
			return err
		}
		domain, err := botDomain(a, in.Domain)
		if err != nil {
			return err
		}
		email, err := botEmail(*in.DisplayName, domain)
		if err != nil {
			return err
		}
		// As checkNotBotAddress, the other way round.
		switch u, err := tx.FindUserByEmail(a.AwsAccountID, emailKey(email)); {
		case err == nil:
			return BadRequest("DisplayName: user %s of account %s has the email %s", u.UserID, u.AccountID, email)
		case !errors.Is(err, ErrNoRows):
			return err
		}
		b = &Bot{
			AwsAccountID:  a.AwsAccountID,
			AccountID:     a.AccountID,
			BotID:         NewID(),
			DisplayName:   strings.TrimFunc(*in.DisplayName, isSpace) + " (Bot)",
			Email:         email,
			SecurityToken: newSecurityToken(),
			CreatedAt:     now,
			UpdatedAt:     now,
		}
		err = tx.InsertBot(b)
		if errors.Is(err, ErrNotUnique) {
			return BadRequest("DisplayName: a bot with email %s already exists", email)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateBotResponse{Bot: b.toModel()}, nil
}

// viewBot reads one of the caller's bots.
func (s *Service) viewBot(ctx context.Context, caller Caller, accountID, botID string) (*Bot, error) {
	var b *Bot
	err := s.view(ctx, func(tx Tx) error {
		var err error
		b, err = accountBot(tx, caller, accountID, botID)
		return err
	})
	return b, err
}

func (s *Service) GetBot(ctx context.Context, caller Caller, in *model.GetBotRequest) (*model.GetBotResponse, error) {
	b, err := s.viewBot(ctx, caller, *in.AccountId, *in.BotId)
	if err != nil {
		return nil, err
	}
	return &model.GetBotResponse{Bot: b.toModel()}, nil
}

// UpdateBot stops (Disabled true) or starts the bot.
func (s *Service) UpdateBot(ctx context.Context, caller Caller, in *model.UpdateBotRequest) (*model.UpdateBotResponse, error) {
	b, err := s.changeBot(ctx, caller, *in.AccountId, *in.BotId, func(b *Bot) bool {
		if in.Disabled == nil || *in.Disabled == b.Disabled {
			return false
		}
		b.Disabled = *in.Disabled
		return true
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateBotResponse{Bot: b.toModel()}, nil
}

// RegenerateSecurityToken replaces the bot's token: events are signed with
// the new one from now on.
func (s *Service) RegenerateSecurityToken(ctx context.Context, caller Caller, in *model.RegenerateSecurityTokenRequest) (*model.RegenerateSecurityTokenResponse, error) {
	b, err := s.changeBot(ctx, caller, *in.AccountId, *in.BotId, func(b *Bot) bool {
		b.SecurityToken = newSecurityToken()
		return true
	})
	if err != nil {
		return nil, err
	}
	return &model.RegenerateSecurityTokenResponse{Bot: b.toModel()}, nil
}

// changeBot applies change to a bot of the caller and saves it, with a new
// UpdatedTimestamp, when change says it changed something.
func (s *Service) changeBot(ctx context.Context, caller Caller, accountID, botID string, change func(*Bot) bool) (*Bot, error) {
	var b *Bot
	err := s.update(ctx, func(tx Tx, now time.Time) error {
		var err error
		if b, err = accountBot(tx, caller, accountID, botID); err != nil {
			return err
		}
		if !change(b) {
			return nil
		}
		b.UpdatedAt = now
		return tx.SaveBot(b)
	})
	return b, err
}

func (s *Service) ListBots(ctx context.Context, caller Caller, in *model.ListBotsRequest) (*model.ListBotsResponse, error) {
	listing := listingOf("bots", *in.AccountId)
	after, err := s.decodeToken(in.NextToken, listing, caller.AwsAccountID)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaxResults, 10) // the reference's default
	var found []*Bot
	err = s.view(ctx, func(tx Tx) error {
		a, err := enterpriseAccount(tx, caller, *in.AccountId, botsWhat)
		if err != nil {
			return err
		}
		found, err = tx.ListBots(a.AccountID, Page{After: after, Limit: limit + 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListBotsResponse{Bots: make([]model.Bot, 0, min(len(found), limit))}
	for _, b := range found[:min(len(found), limit)] {
		out.Bots = append(out.Bots, *b.toModel())
	}
	if len(found) > limit {
		out.NextToken = s.encodeToken(listing, caller.AwsAccountID, found[limit-1].BotID)
	}
	return out, nil
}

// lambdaARN is a Lambda function's ARN, optionally with a version or alias:
// arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>].
var lambdaARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$`)

// checkEventsEndpoint accepts exactly one of an outbound endpoint URL (a URL
// with a scheme and a host; http is accepted here beside https, and the
// outbound policy refuses it unless private endpoints are allowed, for bots
// on a development machine) or a Lambda function ARN.
func checkEventsEndpoint(endpoint, arn *string) error {
	switch {
	case endpoint != nil && arn != nil:
		return BadRequest("give either OutboundEventsHTTPSEndpoint or LambdaFunctionArn, not both")
	case endpoint == nil && arn == nil:
		return BadRequest("give one of OutboundEventsHTTPSEndpoint or LambdaFunctionArn")
	case arn != nil:
		if !lambdaARN.MatchString(*arn) {
			return BadRequest("LambdaFunctionArn: %q is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)", *arn)
		}
		return nil
	}
	u, err := url.Parse(*endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" {
		return BadRequest("OutboundEventsHTTPSEndpoint: %q is not an https (or http) URL with a host", *endpoint)
	}
	return nil
}

// checkLambdaAccount refuses a function of another AWS account. chimed
// invokes functions with its own Lambda credentials, so it cannot ask the
// function's resource policy whether this bot's account may call it, as
// Chime did; without this check any tenant could send events to another
// tenant's function.
func checkLambdaAccount(b *Bot, arn string) error {
	if arn == "" {
		return nil
	}
	// arn:partition:lambda:region:account:function:name, as lambdaARN checked.
	if account := strings.Split(arn, ":")[4]; account != b.AwsAccountID {
		return BadRequest("LambdaFunctionArn: the function is in AWS account %s; a bot's function must be in the bot's AWS account, %s", account, b.AwsAccountID)
	}
	return nil
}

func (b *Bot) eventsConfiguration() *model.EventsConfiguration {
	return &model.EventsConfiguration{
		BotId:                       model.String(b.BotID),
		OutboundEventsHTTPSEndpoint: optional(b.OutboundEventsHTTPSEndpoint),
		LambdaFunctionArn:           optional(b.LambdaFunctionArn),
	}
}

// PutEventsConfiguration sets where the bot's events go, replacing any
// previous configuration, once the new target passed its check
// (verifyEventsTarget), made outside any transaction.
func (s *Service) PutEventsConfiguration(ctx context.Context, caller Caller, in *model.PutEventsConfigurationRequest) (*model.PutEventsConfigurationResponse, error) {
	if err := checkEventsEndpoint(in.OutboundEventsHTTPSEndpoint, in.LambdaFunctionArn); err != nil {
		return nil, err
	}
	var b *Bot
	err := s.view(ctx, func(tx Tx) error {
		var err error
		b, err = accountBot(tx, caller, *in.AccountId, *in.BotId)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := checkLambdaAccount(b, model.Value(in.LambdaFunctionArn)); err != nil {
		return nil, err
	}
	if err := s.verifyEventsTarget(ctx, b, model.Value(in.OutboundEventsHTTPSEndpoint), model.Value(in.LambdaFunctionArn)); err != nil {
		return nil, err
	}
	b, err = s.changeBot(ctx, caller, *in.AccountId, *in.BotId, func(b *Bot) bool {
		b.OutboundEventsHTTPSEndpoint = model.Value(in.OutboundEventsHTTPSEndpoint)
		b.LambdaFunctionArn = model.Value(in.LambdaFunctionArn)
		return true
	})
	if err != nil {
		return nil, err
	}
	return &model.PutEventsConfigurationResponse{EventsConfiguration: b.eventsConfiguration()}, nil
}

func (s *Service) GetEventsConfiguration(ctx context.Context, caller Caller, in *model.GetEventsConfigurationRequest) (*model.GetEventsConfigurationResponse, error) {
	b, err := s.viewBot(ctx, caller, *in.AccountId, *in.BotId)
	if err != nil {
		return nil, err
	}
	if !b.hasEventsEndpoint() {
		return nil, NotFound("bot %s has no events configuration", b.BotID)
	}
	return &model.GetEventsConfigurationResponse{EventsConfiguration: b.eventsConfiguration()}, nil
}

// DeleteEventsConfiguration is idempotent: the reference lists no
// NotFoundException for a bot without a configuration. The bot stays in
// the rooms it joined.
func (s *Service) DeleteEventsConfiguration(ctx context.Context, caller Caller, in *model.DeleteEventsConfigurationRequest) error {
	_, err := s.changeBot(ctx, caller, *in.AccountId, *in.BotId, func(b *Bot) bool {
		if !b.hasEventsEndpoint() {
			return false
		}
		b.OutboundEventsHTTPSEndpoint, b.LambdaFunctionArn = "", ""
		return true
	})
	return err
}
