package report

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// leadKeys are the keys of one lead in the YAML form of a leads file.
var leadKeys = []string{"name", "email", "federations"}

// readLeadsYAML reads the YAML form of a leads file (see [ReadLeads]):
// a mapping whose "leads" key holds a list of leads. Each problem is a
// [*LeadError] with the line of the entry or key it concerns.
func readLeadsYAML(data []byte) ([]Lead, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, []byte(utf8BOM)), &doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	list, err := leadsNode(root)
	if err != nil {
		return nil, err
	}
	var leads []Lead
	var errs []error
	for _, item := range list {
		l, err := yamlLead(item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		leads = append(leads, l)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return validateLeads(leads)
}

// leadsNode returns the entries of the leads list of root.
func leadsNode(root *yaml.Node) ([]*yaml.Node, error) {
	if root.Kind != yaml.MappingNode {
		return nil, &LeadError{Line: root.Line, Err: errors.New(`want "leads:" and a list of leads with name, email and federations`)}
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "leads" {
			return nil, &LeadError{Line: k.Line, Err: fmt.Errorf(`unknown key %q (want "leads")`, k.Value)}
		}
		list = v
	}
	switch {
	case list == nil:
		return nil, &LeadError{Line: root.Line, Err: errors.New(`no "leads" key`)}
	case list.Tag == "!!null":
		return nil, nil
	case list.Kind != yaml.SequenceNode:
		return nil, &LeadError{Line: list.Line, Err: errors.New("leads: want a list, one entry per lead")}
	}
	return list.Content, nil
}

// yamlLead reads one entry of the leads list.
func yamlLead(n *yaml.Node) (Lead, error) {
	l := Lead{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return l, &LeadError{Line: n.Line, Err: errors.New("want a lead with name, email and federations")}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			l.Name, err = yamlScalar(v)
		case "email":
			l.Email, err = yamlScalar(v)
		case "federations":
			l.Federations, err = yamlFederations(v)
		default:
			return l, &LeadError{Line: k.Line, Err: fmt.Errorf("unknown key %q (want %s)", k.Value, andList(quoteAll(leadKeys)))}
		}
		if err != nil {
			return l, &LeadError{Line: k.Line, Err: fmt.Errorf("%s: %w", k.Value, err)}
		}
	}
	return l, nil
}

func yamlScalar(v *yaml.Node) (string, error) {
	switch {
	case v.Tag == "!!null":
		return "", nil
	case v.Kind != yaml.ScalarNode:
		return "", errors.New("want a single value")
	}
	return v.Value, nil
}

// yamlFederations reads a list of federation names, or one string of
// names separated by ";".
func yamlFederations(v *yaml.Node) ([]string, error) {
	if v.Kind != yaml.SequenceNode {
		s, err := yamlScalar(v)
		return splitFederations(s), err
	}
	var out []string
	for _, item := range v.Content {
		s, err := yamlScalar(item)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", item.Line, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
