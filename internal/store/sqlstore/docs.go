package sqlstore

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chimed/chimed/internal/chime"
)

// decodeUser decodes a user's document into a new User as json.Unmarshal
// does, in a fifth of the time: a GetUser spent longer decoding the
// document (5 µs) than SQLite spent finding it, and a ListUsers page
// decodes a hundred.
func decodeUser(doc string, u *chime.User) error { return decodeFlat(doc, u, (*docReader).userMember) }

// decodeAccount is decodeUser for an account: most operations on an
// account or its resources read it first, and json.Unmarshal took a tenth
// of a GetAccount's time.
func decodeAccount(doc string, a *chime.Account) error {
	return decodeFlat(doc, a, (*docReader).accountMember)
}

// decodeFlat reads the flat object that encode writes into v, a new
// record, each member's value by member. A document it does not expect (a
// member it does not know, whitespace, an escape in a name) goes to
// json.Unmarshal instead.
func decodeFlat[T any](doc string, v *T, member func(d *docReader, v *T, name string) bool) error {
	d := &docReader{s: doc}
	if d.object(func(name string) bool { return member(d, v, name) }) {
		return nil
	}
	var zero T
	*v = zero
	return json.Unmarshal([]byte(doc), v)
}

// docReader reads a document from its start; each method moves past what
// it read and says whether it was what the method reads. The strings it
// reads are slices of the document, not copies.
type docReader struct {
	s string
	i int
}

// object reads a flat object, each member's value by member.
func (d *docReader) object(member func(name string) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return d.i == len(d.s)
	}
	for {
		name, ok := d.name()
		if !ok || !d.next(':') || !member(name) {
			return false
		}
		if !d.next(',') {
			return d.next('}') && d.i == len(d.s)
		}
	}
}

// userMember reads the value of the member named name into u.
func (d *docReader) userMember(u *chime.User, name string) bool {
	switch name {
	case "AwsAccountID":
		return d.string(&u.AwsAccountID)
	case "AccountID":
		return d.string(&u.AccountID)
	case "UserID":
		return d.string(&u.UserID)
	case "Email":
		return d.string(&u.Email)
	case "DisplayName":
		return d.string(&u.DisplayName)
	case "UserType":
		return d.string(&u.UserType)
	case "LicenseType":
		return d.string(&u.LicenseType)
	case "RegistrationStatus":
		return d.string(&u.RegistrationStatus)
	case "InvitationStatus":
		return d.string(&u.InvitationStatus)
	case "PersonalPIN":
		return d.string(&u.PersonalPIN)
	case "PrimaryProvisionedNumber":
		return d.string(&u.PrimaryProvisionedNumber)
	case "AlexaForBusinessRoomArn":
		return d.string(&u.AlexaForBusinessRoomArn)
	case "AlexaForBusinessEnabled":
		return pointer(d, &u.AlexaForBusinessEnabled, d.bool)
	case "InboundCalling":
		return d.bool(&u.InboundCalling)
	case "OutboundCalling":
		return d.bool(&u.OutboundCalling)
	case "SMS":
		return d.bool(&u.SMS)
	case "InvitedOn":
		return pointer(d, &u.InvitedOn, d.time)
	case "RegisteredOn":
		return pointer(d, &u.RegisteredOn, d.time)
	case "LoggedOutAt":
		return pointer(d, &u.LoggedOutAt, d.time)
	case "CreatedAt":
		return d.time(&u.CreatedAt)
	}
	return false
}

// accountMember reads the value of the member named name into a.
func (d *docReader) accountMember(a *chime.Account, name string) bool {
	switch name {
	case "AwsAccountID":
		return d.string(&a.AwsAccountID)
	case "AccountID":
		return d.string(&a.AccountID)
	case "Name":
		return d.string(&a.Name)
	case "AccountType":
		return d.string(&a.AccountType)
	case "DefaultLicense":
		return d.string(&a.DefaultLicense)
	case "SupportedLicenses":
		return d.strings(&a.SupportedLicenses)
	case "SigninDelegateGroups":
		return d.strings(&a.SigninDelegateGroups)
	case "Domains":
		return d.strings(&a.Domains)
	case "DisableRemoteControl":
		return d.bool(&a.DisableRemoteControl)
	case "EnableDialOut":
		return d.bool(&a.EnableDialOut)
	case "CreatedAt":
		return d.time(&a.CreatedAt)
	case "DeletedAt":
		return pointer(d, &a.DeletedAt, d.time)
	}
	return false
}

func (d *docReader) next(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *docReader) literal(s string) bool {
	if strings.HasPrefix(d.s[d.i:], s) {
		d.i += len(s)
		return true
	}
	return false
}

// name reads a member's name: a string without escapes.
func (d *docReader) name() (string, bool) {
	token, escaped, ok := d.stringToken()
	if !ok || escaped {
		return "", false
	}
	return token[1 : len(token)-1], true
}

// string reads a string into s, its escapes decoded by json.Unmarshal.
func (d *docReader) string(s *string) bool {
	token, escaped, ok := d.stringToken()
	switch {
	case !ok:
		return false
	case escaped:
		return json.Unmarshal([]byte(token), s) == nil
	}
	*s = token[1 : len(token)-1]
	return true
}

// stringToken reads a string, quotes included, saying whether it has
// escapes. It refuses what json.Unmarshal would refuse or change: a
// control character, or bytes that are not UTF-8.
func (d *docReader) stringToken() (token string, escaped, ok bool) {
	if !d.next('"') {
		return "", false, false
	}
	start, ascii := d.i-1, true
	for ; d.i < len(d.s); d.i++ {
		switch c := d.s[d.i]; {
		case c == '"':
			d.i++
			token = d.s[start:d.i]
			return token, escaped, ascii || utf8.ValidString(token)
		case c == '\\':
			escaped = true
			d.i++
		case c < 0x20:
			return "", false, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false, false
}

func (d *docReader) bool(b *bool) bool {
	switch {
	case d.literal("true"):
		*b = true
	case d.literal("false"):
		*b = false
	default:
		return false
	}
	return true
}

// strings reads a list of strings into l: null, or an array, empty or not.
func (d *docReader) strings(l *[]string) bool {
	if d.literal("null") {
		*l = nil
		return true
	}
	if !d.next('[') {
		return false
	}
	*l = []string{}
	if d.next(']') {
		return true
	}
	for {
		var s string
		if !d.string(&s) {
			return false
		}
		*l = append(*l, s)
		if !d.next(',') {
			return d.next(']')
		}
	}
}

// time reads a timestamp into t, as json.Unmarshal does (time.Time's
// UnmarshalJSON).
func (d *docReader) time(t *time.Time) bool {
	token, escaped, ok := d.stringToken()
	return ok && !escaped && t.UnmarshalJSON([]byte(token)) == nil
}

// pointer reads a pointer member: null, or a value that read reads.
func pointer[T any](d *docReader, p **T, read func(*T) bool) bool {
	if d.literal("null") {
		*p = nil
		return true
	}
	v := new(T)
	if !read(v) {
		return false
	}
	*p = v
	return true
}
