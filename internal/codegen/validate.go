package main

import (
	"fmt"
	"go/format"
	"strings"
)

// genValidate writes one validate method per structure reachable from an
// operation input, and a rule variable per string or number shape that has
// a constraint (every string has one: the 2,048-character limit). Every
// constraint the model states is checked: required, length, range, pattern,
// enum, list size.
func genValidate(m *Model) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package model\n\nimport \"fmt\"\n\n")
	inputs := m.inputShapes()
	rules := map[string]bool{}
	for _, name := range sortedKeys(inputs) {
		writeValidate(&b, m, name, rules)
	}
	for _, op := range sortedKeys(m.Operations) {
		in := m.Operations[op].Input
		if in == nil {
			continue
		}
		fmt.Fprintf(&b, "// Validate checks every constraint the model states for %s.\n", in.Shape)
		fmt.Fprintf(&b, "func (s *%s) Validate() error {\n\tif err := s.validate(); err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n\n", in.Shape)
	}
	for _, name := range sortedKeys(rules) {
		writeRule(&b, m, name)
	}
	return format.Source([]byte(b.String()))
}

func writeValidate(b *strings.Builder, m *Model, name string, rules map[string]bool) {
	s := m.shape(name)
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	fmt.Fprintf(b, "func (s *%s) validate() *ValidationError {\n", name)
	for _, mn := range sortedKeys(s.Members) {
		target := m.shape(s.Members[mn].Shape)
		if required[mn] {
			fmt.Fprintf(b, "\tif s.%s == nil {\n\t\treturn missing(%q)\n\t}\n", mn, mn)
		}
		switch target.Type {
		case "string", "integer":
			if hasRule(target) || unbounded(target) {
				rules[s.Members[mn].Shape] = true
				fmt.Fprintf(b, "\tif msg := rule%s.check(s.%s); msg != \"\" {\n\t\treturn invalid(%q, msg)\n\t}\n", s.Members[mn].Shape, mn, mn)
			}
		case "structure":
			fmt.Fprintf(b, "\tif s.%s != nil {\n\t\tif err := s.%s.validate(); err != nil {\n\t\t\treturn err.under(%q)\n\t\t}\n\t}\n", mn, mn, mn)
		case "list":
			writeListChecks(b, m, mn, target, rules)
		}
	}
	b.WriteString("\treturn nil\n}\n\n")
}

func writeListChecks(b *strings.Builder, m *Model, mn string, list Shape, rules map[string]bool) {
	if list.Min != nil || list.Max != nil {
		fmt.Fprintf(b, "\tif msg := checkCount(s.%s != nil, len(s.%s), %s, %s); msg != \"\" {\n\t\treturn invalid(%q, msg)\n\t}\n",
			mn, mn, bound(list.Min), bound(list.Max), mn)
	}
	elem := m.shape(list.Member.Shape)
	switch {
	case elem.Type == "structure":
		fmt.Fprintf(b, "\tfor i := range s.%s {\n\t\tif err := s.%s[i].validate(); err != nil {\n\t\t\treturn err.under(fmt.Sprintf(\"%s[%%d]\", i))\n\t\t}\n\t}\n", mn, mn, mn)
	case elem.Type == "string" && (hasRule(elem) || unbounded(elem)):
		rules[list.Member.Shape] = true
		fmt.Fprintf(b, "\tfor i := range s.%s {\n\t\tif msg := rule%s.check(&s.%s[i]); msg != \"\" {\n\t\t\treturn invalid(fmt.Sprintf(\"%s[%%d]\", i), msg)\n\t\t}\n\t}\n",
			mn, list.Member.Shape, mn, mn)
	}
}

func hasRule(s Shape) bool {
	return s.Min != nil || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0
}

// unbounded says the model sets no upper limit on a string shape's values:
// chimed sets its own (model.MaxUnboundedString), as such values are stored
// and answered again, a listing's page of them at a time.
func unbounded(s Shape) bool {
	return s.Type == "string" && s.Max == nil && len(s.Enum) == 0
}

func bound(v *int64) string {
	if v == nil {
		return "-1"
	}
	return fmt.Sprint(*v)
}

// writeRule declares the checks of one constrained scalar shape.
func writeRule(b *strings.Builder, m *Model, name string) {
	s := m.shape(name)
	switch s.Type {
	case "string":
		fmt.Fprintf(b, "var rule%s = newStringRule(%s, %s, %q, %#v)", name, bound(s.Min), bound(s.Max), s.Pattern, s.Enum)
		if unbounded(s) {
			b.WriteString(".limited()")
		}
		b.WriteString("\n\n")
	case "integer":
		fmt.Fprintf(b, "var rule%s = intRule{min: %s, max: %s}\n\n", name, bound(s.Min), bound(s.Max))
	}
}
