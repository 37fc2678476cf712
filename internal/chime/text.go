package chime

import (
	"strings"
	"unicode"
)

// isSpace is white space both as Go sees it and as the model's patterns do
// (ECMAScript's \s, which also counts U+FEFF, the byte-order mark that a
// CSV export puts before its first field).
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' }

// wordRune says whether r belongs to a word: a letter, a digit, or a mark
// (the vowel signs of Devanagari or Thai, a combining accent) on one.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

// blank says whether s is empty or white space only.
func blank(s string) bool { return strings.TrimFunc(s, isSpace) == "" }

// invisible says whether r shows nothing where it stands: white space, a
// control character, or a format character (zero-width space, word joiner,
// soft hyphen, byte-order mark).
func invisible(r rune) bool {
	return isSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}
