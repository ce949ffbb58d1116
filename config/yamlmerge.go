package config

import "go.yaml.in/yaml/v3"

// expandMerges rewrites every mapping of a YAML document that holds merge keys (<<: *anchor, or a
// list of anchors) into the mapping they mean: its own keys, then those of each merged mapping
// that it does not set itself, earlier ones first (the YAML merge key type, which the decoder
// applies). The walks that check the document's keys and types then see what the decoder
// decoded, not a key named <<. Each node is rewritten once, in place, sharing the merged values:
// the work is linear in the document.
func expandMerges(node *yaml.Node) {
	expandMergesOnce(node, map[*yaml.Node]bool{})
}

func expandMergesOnce(node *yaml.Node, done map[*yaml.Node]bool) {
	if node == nil || done[node] {
		return
	}
	done[node] = true
	if node.Kind == yaml.AliasNode {
		expandMergesOnce(node.Alias, done)
		return
	}
	for _, child := range node.Content {
		expandMergesOnce(child, done)
	}
	if node.Kind != yaml.MappingNode {
		return
	}
	var own, merges []*yaml.Node
	for i := 0; i+1 < len(node.Content); i += 2 {
		if key := node.Content[i]; key.Kind == yaml.ScalarNode && key.Tag == "!!merge" {
			merges = append(merges, node.Content[i+1])
		} else {
			own = append(own, key, node.Content[i+1])
		}
	}
	if len(merges) == 0 {
		return
	}
	present := map[string]bool{}
	for i := 0; i < len(own); i += 2 {
		present[own[i].Value] = true
	}
	for _, merge := range merges {
		sources := []*yaml.Node{merge}
		if resolve(merge).Kind == yaml.SequenceNode {
			sources = resolve(merge).Content
		}
		for _, source := range sources {
			m := resolve(source)
			if m.Kind != yaml.MappingNode {
				continue // the decoder reports a merge of something else
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				if k := m.Content[i].Value; !present[k] {
					present[k] = true
					own = append(own, m.Content[i], m.Content[i+1])
				}
			}
		}
	}
	node.Content = own
}

// resolve follows an alias to its anchored node.
func resolve(node *yaml.Node) *yaml.Node {
	for node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	return node
}
