package chime

import (
	"slices"
	"testing"
)

func TestMentioned(t *testing.T) {
	bot := func(name, email string) *Membership {
		return &Membership{MemberID: name, FullName: name + " (Bot)", Email: email}
	}
	helper := bot("Helper", "Helper-chimebot@example.com")
	deploy := bot("Deploy", "Deploy-chimebot@example.com")
	checker := bot("Deploy Checker", "Deploy-Checker-chimebot@example.com")
	other := bot("Other", "Other-chimebot@example.com")
	cafe := bot("Café Bot", "Café-Bot-chimebot@example.com")
	namas := bot("नमस", "नमस-chimebot@example.com")
	bots := []*Membership{helper, deploy, checker, other, cafe, namas}
	for _, tc := range []struct {
		text string
		want []*Membership
	}{
		{"@Helper hello", []*Membership{helper}},
		{"hello @helper (bot)!", []*Membership{helper}},
		{"mail @Helper-chimebot@example.com", []*Membership{helper}},
		{"**@Helper** and <@Other>", []*Membership{helper, other}},
		{"(@Helper)", []*Membership{helper}},
		{"@Helpers is someone else", nil},
		{"@Helper_2 is someone else", nil},
		// An @ inside a word is an email address or a URL, not a mention.
		{"please mail ops@helper.example.org", nil},
		{"see https://git.example.com/@other/repo", nil},
		// The longest name that matches at an @ is the one meant.
		{"@Deploy Checker run", []*Membership{checker}},
		{"@Deploy now, then @Deploy Checker", []*Membership{deploy, checker}},
		{"@Deploy", []*Membership{deploy}},
		{"no mention at all", nil},
		// Names beyond ASCII: any case, an accent typed apart (NFD), any
		// script's opening brackets and quotes, and marks that go on a word.
		{"@CAFÉ BOT hi", []*Membership{cafe}},
		{"@Cafe\u0301 Bot hi", []*Membership{cafe}},
		{"（@Deploy） «@Helper»", []*Membership{deploy, helper}},
		{"@नमस ok", []*Membership{namas}},
		{"@नमस्ते is someone else", nil},
		{"@", nil},
	} {
		if got := mentioned(tc.text, bots); !slices.Equal(got, tc.want) {
			names := func(ms []*Membership) (out []string) {
				for _, m := range ms {
					out = append(out, m.MemberID)
				}
				return out
			}
			t.Errorf("%q mentions %v, want %v", tc.text, names(got), names(tc.want))
		}
	}
}
