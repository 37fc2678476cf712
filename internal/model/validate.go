package model

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidationError says which input member broke which rule of the model.
// Field is the member's path from the request root, e.g. "UserIdList[3]" or
// "UpdateUserRequestItems[0].UserId".
type ValidationError struct {
	Field string
	Rule  string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Rule }

func missing(field string) *ValidationError {
	return &ValidationError{Field: field, Rule: "required member is missing"}
}

func invalid(field, rule string) *ValidationError {
	return &ValidationError{Field: field, Rule: rule}
}

// under prefixes the path of a nested structure's error with the member that
// holds it, so errors are built only on failure and validation of valid input
// allocates nothing.
func (e *ValidationError) under(parent string) *ValidationError {
	e.Field = parent + "." + e.Field
	return e
}

// stringRule is the set of constraints of one string shape. Its messages are
// built once, at start-up.
type stringRule struct {
	min, max int
	// matches is the pattern's test: the compiled regular expression, or
	// an equivalent plain function for the patterns on every request.
	matches    func(string) bool
	enum       []string
	lengthMsg  string
	patternMsg string
	enumMsg    string
}

// MaxUnboundedString is chimed's limit, in characters, on the string members
// the model sets no maximum for (a room's name, a bot's display name, an
// Alexa for Business room ARN, an events endpoint), and on the IDs that
// extension endpoints take: without one, a 1 MiB value each made a
// ListUsers page hundreds of megabytes.
const MaxUnboundedString = 2048

// limited gives a rule without a maximum length chimed's.
func (r *stringRule) limited() *stringRule {
	r.max = MaxUnboundedString
	if r.min >= 0 {
		r.lengthMsg = fmt.Sprintf("length must be between %d and %d (chimed's maximum: the model sets none)", r.min, r.max)
	} else {
		r.lengthMsg = fmt.Sprintf("length must be at most %d (chimed's limit: the model sets none)", r.max)
	}
	return r
}

// newStringRule compiles a shape's pattern. Model patterns are matched against
// the whole value, as the AWS services do, with the meaning ECMAScript gives
// them (ecmaPattern).
func newStringRule(min, max int, pattern string, enum []string) *stringRule {
	r := &stringRule{min: min, max: max, enum: enum}
	switch {
	case min >= 0 && max >= 0 && min == max:
		r.lengthMsg = fmt.Sprintf("length must be exactly %d", min)
	case min >= 0 && max >= 0:
		r.lengthMsg = fmt.Sprintf("length must be between %d and %d", min, max)
	case min >= 0:
		r.lengthMsg = fmt.Sprintf("length must be at least %d", min)
	case max >= 0:
		r.lengthMsg = fmt.Sprintf("length must be at most %d", max)
	}
	if pattern != "" {
		r.matches = fastPatterns[pattern]
		if r.matches == nil {
			r.matches = compilePattern(pattern).MatchString
		}
		r.patternMsg = "must match pattern " + pattern
	}
	if len(enum) > 0 {
		r.enumMsg = "must be one of " + strings.Join(enum, ", ")
	}
	return r
}

// check returns "" when v (if present) satisfies the rule, else the rule it
// breaks.
func (r *stringRule) check(v *string) string {
	if v == nil {
		return ""
	}
	if r.min >= 0 || r.max >= 0 {
		n := utf8.RuneCountInString(*v)
		if (r.min >= 0 && n < r.min) || (r.max >= 0 && n > r.max) {
			return r.lengthMsg
		}
	}
	if r.matches != nil && !r.matches(*v) {
		return r.patternMsg
	}
	if len(r.enum) > 0 && !contains(r.enum, *v) {
		return r.enumMsg
	}
	return ""
}

// compilePattern compiles a model pattern to match whole values.
func compilePattern(pattern string) *regexp.Regexp {
	return regexp.MustCompile("^(?:" + ecmaPattern(pattern) + ")$")
}

// The model's patterns are ECMAScript regular expressions (Smithy says so),
// and Go's differ from them in three places those patterns use: ECMAScript's
// \s also holds \v, U+FEFF, the line and paragraph separators and every
// Unicode space separator, and its . excludes \r and those separators as well
// as \n. Go's \s is [\t\n\f\r ]: a name of only \v or no-break spaces would
// pass ".*\S.*".
const (
	ecmaSpaces = `\t\n\v\f\r\x{2028}\x{2029}\x{feff}\p{Zs}`
	ecmaDot    = `[^\n\r\x{2028}\x{2029}]`
)

// ecmaPattern rewrites . \s and \S outside character classes (where the model
// has them) into Go classes that mean what they mean in ECMAScript.
func ecmaPattern(pattern string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			switch next := pattern[i]; {
			case next == 's' && !inClass:
				b.WriteString("[" + ecmaSpaces + "]")
			case next == 'S' && !inClass:
				b.WriteString("[^" + ecmaSpaces + "]")
			default:
				b.WriteByte(c)
				b.WriteByte(next)
			}
		case c == '[':
			inClass = true
			b.WriteByte(c)
		case c == ']':
			inClass = false
			b.WriteByte(c)
		case c == '.' && !inClass:
			b.WriteString(ecmaDot)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ecmaSpace says whether r is white space to ECMAScript's \s.
func ecmaSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r' // \t \n \v \f \r
	}
	return unicode.Is(unicode.Zs, r) || r == '\u2028' || r == '\u2029' || r == '\ufeff'
}

// fastPatterns are plain functions for patterns that the account and user
// ids of nearly every request are checked against, where the regular
// expression was 2% of chimed's CPU per GetUser. Each agrees with the
// pattern's compiled regular expression (validate_test.go checks).
var fastPatterns = map[string]func(string) bool{
	// NonEmptyString: one line (. excludes the line terminators) with a
	// character that is not white space.
	`.*\S.*`: oneLineNotBlank,
}

// oneLineNotBlank is `.*\S.*` in one pass over v, with no rune decoding for
// ASCII (strings.ContainsAny decodes every rune of v for each non-ASCII
// character it looks for).
func oneLineNotBlank(v string) bool {
	notBlank := false
	for _, r := range v {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			return false
		case !notBlank:
			notBlank = !ecmaSpace(r)
		}
	}
	return notBlank
}

type intRule struct{ min, max int64 }

func (r intRule) check(v *int32) string {
	if v == nil {
		return ""
	}
	n := int64(*v)
	if (r.min >= 0 && n < r.min) || (r.max >= 0 && n > r.max) {
		switch {
		case r.min >= 0 && r.max >= 0:
			return fmt.Sprintf("must be between %d and %d", r.min, r.max)
		case r.min >= 0:
			return fmt.Sprintf("must be at least %d", r.min)
		default:
			return fmt.Sprintf("must be at most %d", r.max)
		}
	}
	return ""
}

// checkCount enforces a list's item-count bounds (-1 means unbounded).
func checkCount(present bool, n, min, max int) string {
	if !present {
		return ""
	}
	if min >= 0 && n < min {
		return fmt.Sprintf("must contain at least %d %s", min, items(min))
	}
	if max >= 0 && n > max {
		return fmt.Sprintf("must contain at most %d %s", max, items(max))
	}
	return ""
}

func items(n int) string {
	if n == 1 {
		return "item"
	}
	return "items"
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
