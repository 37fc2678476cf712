package main

import (
	"fmt"
	"go/format"
	"strings"
)

// genAPI writes the interface the domain implements: one method per operation.
func genAPI(m *Model) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package chime\n\nimport (\n\t\"context\"\n\n\t\"github.com/chimed/chimed/internal/model\"\n)\n\n")
	b.WriteString("// API is the Amazon Chime API: one method per operation of the service model.\n")
	b.WriteString("// Inputs arrive already bound from the HTTP request and checked against the model's constraints.\n")
	b.WriteString("type API interface {\n")
	for _, name := range sortedKeys(m.Operations) {
		op := m.Operations[name]
		fmt.Fprintf(&b, "\t// %s is %s %s (%d).\n", name, op.HTTP.Method, op.HTTP.RequestURI, status(op))
		fmt.Fprintf(&b, "\t%s\n", signature(name, op))
	}
	b.WriteString("}\n")
	return format.Source([]byte(b.String()))
}

func signature(name string, op Operation) string {
	params := "ctx context.Context, caller Caller"
	if op.Input != nil {
		params += ", in *model." + op.Input.Shape
	}
	results := "error"
	if op.Output != nil {
		results = "(*model." + op.Output.Shape + ", error)"
	}
	return fmt.Sprintf("%s(%s) %s", name, params, results)
}

func status(op Operation) int {
	if op.HTTP.ResponseCode == 0 {
		return 200
	}
	return op.HTTP.ResponseCode
}

// genOperations writes the routing table and one binder per operation: it
// fills the input from the path labels, query string and JSON body, checks
// it, calls the API and writes the output.
func genOperations(m *Model) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("package wire\n\nimport (\n\t\"github.com/chimed/chimed/internal/chime\"\n\t\"github.com/chimed/chimed/internal/model\"\n)\n\n")
	b.WriteString("// operations is every operation of the service model with its HTTP binding.\n")
	b.WriteString("var operations = []operation{\n")
	for _, name := range sortedKeys(m.Operations) {
		op := m.Operations[name]
		path, query, _ := strings.Cut(op.HTTP.RequestURI, "?")
		var errs []string
		for _, e := range op.Errors {
			errs = append(errs, fmt.Sprintf("%q", e.Shape))
		}
		fmt.Fprintf(&b, "\t{name: %q, method: %q, path: %q, query: %q, status: %d, errors: []string{%s}, serve: serve%s},\n",
			name, op.HTTP.Method, path, query, status(op), strings.Join(errs, ", "), name)
	}
	b.WriteString("}\n\n")
	for _, name := range sortedKeys(m.Operations) {
		writeServe(&b, m, name, m.Operations[name])
	}
	b.WriteString("// errorStatus is the HTTP status of each modelled error shape.\n")
	b.WriteString("var errorStatus = map[string]int{\n")
	for _, name := range sortedKeys(m.Shapes) {
		if s := m.Shapes[name]; s.Exception && s.Error != nil {
			fmt.Fprintf(&b, "\t%q: %d,\n", name, s.Error.HTTPStatusCode)
		}
	}
	b.WriteString("}\n")
	return format.Source([]byte(b.String()))
}

func writeServe(b *strings.Builder, m *Model, name string, op Operation) {
	fmt.Fprintf(b, "func serve%s(api chime.API, c *call) error {\n", name)
	args := "c.ctx, c.caller"
	if op.Input != nil {
		writeBind(b, m, op.Input.Shape)
		args += ", in"
	}
	if op.Output != nil {
		fmt.Fprintf(b, "\tout, err := api.%s(%s)\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn c.reply(out)\n}\n\n", name, args)
	} else {
		fmt.Fprintf(b, "\tif err := api.%s(%s); err != nil {\n\t\treturn err\n\t}\n\treturn c.reply(nil)\n}\n\n", name, args)
	}
}

// writeBind fills an input structure from the request.
func writeBind(b *strings.Builder, m *Model, shapeName string) {
	s := m.shape(shapeName)
	fmt.Fprintf(b, "\tin := new(model.%s)\n", shapeName)
	hasBody, hasQueryInt := false, false
	for _, mn := range sortedKeys(s.Members) {
		if s.Members[mn].Location == "" {
			hasBody = true
		}
	}
	if hasBody {
		b.WriteString("\tif err := c.decodeBody(in); err != nil {\n\t\treturn err\n\t}\n")
	}
	for _, mn := range sortedKeys(s.Members) {
		mem := s.Members[mn]
		target := m.shape(mem.Shape).Type
		switch {
		case mem.Location == "uri" && target == "string":
			fmt.Fprintf(b, "\tin.%s = c.label(%q)\n", mn, mem.LocationName)
		case mem.Location == "querystring" && target == "string":
			fmt.Fprintf(b, "\tin.%s = c.query(%q)\n", mn, mem.LocationName)
		case mem.Location == "querystring" && target == "integer":
			if !hasQueryInt {
				b.WriteString("\tvar err error\n")
				hasQueryInt = true
			}
			fmt.Fprintf(b, "\tif in.%s, err = c.queryInt32(%q, %q); err != nil {\n\t\treturn err\n\t}\n", mn, mn, mem.LocationName)
		case mem.Location != "":
			panic(fmt.Sprintf("%s.%s: %s member of type %s is not supported", shapeName, mn, mem.Location, target))
		}
	}
	b.WriteString("\tc.bound(in)\n\tif err := in.Validate(); err != nil {\n\t\treturn err\n\t}\n")
}
