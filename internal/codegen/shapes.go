package main

import (
	"fmt"
	"go/format"
	"strings"
)

// goType is the Go type of a member whose target shape is name. Scalars are
// pointers so "absent" and "zero" stay different, as they are on the wire.
func (m *Model) goType(name string) string {
	s := m.shape(name)
	switch s.Type {
	case "string":
		return "*string"
	case "integer":
		return "*int32"
	case "boolean":
		return "*bool"
	case "timestamp":
		return "*Time"
	case "structure":
		return "*" + name
	case "list":
		return "[]" + m.elemType(s.Member.Shape)
	}
	panic(fmt.Sprintf("shape %s: unsupported type %s", name, s.Type))
}

// elemType is the Go type of a list element: values, not pointers, since a
// list item is never "absent".
func (m *Model) elemType(name string) string {
	s := m.shape(name)
	switch s.Type {
	case "string":
		return "string"
	case "structure":
		return name
	}
	panic(fmt.Sprintf("list of %s (%s) is not supported", name, s.Type))
}

func genShapes(m *Model) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package model\n\n")
	for _, name := range sortedKeys(m.Shapes) {
		s := m.Shapes[name]
		if s.Type == "string" && len(s.Enum) > 0 {
			fmt.Fprintf(&b, "// %s values.\nconst (\n", name)
			for _, v := range s.Enum {
				fmt.Fprintf(&b, "\t%s%s = %q\n", name, v, v)
			}
			b.WriteString(")\n\n")
		}
	}
	for _, name := range sortedKeys(m.Shapes) {
		s := m.Shapes[name]
		if s.Type != "structure" || s.Exception {
			continue
		}
		fmt.Fprintf(&b, "type %s struct {\n", name)
		for _, mn := range sortedKeys(s.Members) {
			mem := s.Members[mn]
			// Absent members are omitted, never null. A list the server
			// filled but left empty is still sent (as AWS sends "Users": []):
			// omitzero drops only a nil slice.
			omit := "omitempty"
			if m.shape(mem.Shape).Type == "list" {
				omit = "omitzero"
			}
			tag := fmt.Sprintf("json:\"%s,%s\"", mn, omit)
			if mem.Location != "" {
				// Bound to the URI or query string, never read from the body.
				tag = "json:\"-\""
			}
			fmt.Fprintf(&b, "\t%s %s `%s`\n", mn, m.goType(mem.Shape), tag)
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("// sensitiveMembers are the members whose values the model marks sensitive\n")
	b.WriteString("// (directly, or as items of a list): never logged or audited in clear.\n")
	b.WriteString("var sensitiveMembers = map[string]bool{\n")
	for _, name := range sortedKeys(m.Shapes) {
		s := m.Shapes[name]
		if s.Type != "structure" || s.Exception {
			continue
		}
		for _, mn := range sortedKeys(s.Members) {
			if m.isSensitive(s.Members[mn].Shape) {
				fmt.Fprintf(&b, "\t%q: true,\n", name+"."+mn)
			}
		}
	}
	b.WriteString("}\n")
	return format.Source([]byte(b.String()))
}

func (m *Model) isSensitive(name string) bool {
	s := m.shape(name)
	if s.Type == "list" {
		return m.shape(s.Member.Shape).Sensitive
	}
	return s.Sensitive
}
