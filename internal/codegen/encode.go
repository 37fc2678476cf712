package main

import (
	"fmt"
	"go/format"
	"strings"
)

// genEncode writes an AppendJSON method for every structure an output
// reaches: the bytes json.Marshal writes for it (encode_gen_test.go checks),
// without its reflection, which took 3% of chimed's CPU per GetUser and a
// quarter of a ListUsers page's.
func genEncode(m *Model) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package model\n\nimport \"strconv\"\n\n")
	for _, name := range sortedKeys(m.outputShapes()) {
		s := m.shape(name)
		if s.Exception {
			continue
		}
		fmt.Fprintf(&b, "func (s *%s) AppendJSON(b []byte) []byte {\n\tif s == nil {\n\t\treturn append(b, \"null\"...)\n\t}\n\tsep := byte('{')\n", name)
		for _, mn := range sortedKeys(s.Members) {
			mem := s.Members[mn]
			if mem.Location != "" {
				continue // bound to the URI or query string: never in the body
			}
			field := "s." + mn
			switch t := m.shape(mem.Shape); t.Type {
			case "list":
				fmt.Fprintf(&b, "\tif %s != nil {\n\t\tb = appendName(b, &sep, %q)\n", field, mn)
				fmt.Fprintf(&b, "\t\tb = append(b, '[')\n\t\tfor i := range %s {\n\t\t\tif i > 0 {\n\t\t\t\tb = append(b, ',')\n\t\t\t}\n", field)
				fmt.Fprintf(&b, "\t\t\tb = %s\n\t\t}\n\t\tb = append(b, ']')\n\t}\n", m.appendValue(t.Member.Shape, field+"[i]", false))
			default:
				fmt.Fprintf(&b, "\tif %s != nil {\n\t\tb = appendName(b, &sep, %q)\n\t\tb = %s\n\t}\n", field, mn, m.appendValue(mem.Shape, field, true))
			}
		}
		b.WriteString("\tif sep == '{' {\n\t\tb = append(b, '{')\n\t}\n\treturn append(b, '}')\n}\n\n")
	}
	return format.Source([]byte(b.String()))
}

// appendValue is the expression that appends value v of shape name to b;
// v is a pointer (a member) or a value (a list item).
func (m *Model) appendValue(name, v string, pointer bool) string {
	deref := v
	if pointer {
		deref = "*" + v
	}
	switch m.shape(name).Type {
	case "string":
		return "appendString(b, " + deref + ")"
	case "integer":
		return "strconv.AppendInt(b, int64(" + deref + "), 10)"
	case "boolean":
		return "strconv.AppendBool(b, " + deref + ")"
	case "timestamp":
		return v + ".appendJSON(b)"
	case "structure":
		return v + ".AppendJSON(b)"
	}
	panic(fmt.Sprintf("shape %s: no encoding for %s", name, m.shape(name).Type))
}

// genEncodeTest lists every encoded structure for the test that compares
// AppendJSON with json.Marshal.
func genEncodeTest(m *Model) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package model\n\nvar encodedShapes = []any{\n")
	for _, name := range sortedKeys(m.outputShapes()) {
		if !m.shape(name).Exception {
			fmt.Fprintf(&b, "\tnew(%s),\n", name)
		}
	}
	b.WriteString("}\n")
	return format.Source([]byte(b.String()))
}
