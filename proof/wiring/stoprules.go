package wiring

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/privatepatch/privatepatch/config"
	"github.com/privatepatch/privatepatch/constructs/patching/patchingspec"
	"github.com/privatepatch/privatepatch/proof/cfntemplate"
)

// A composite alarm's AlarmRule, as PutCompositeAlarm defines it: functions ALARM("name"),
// OK("name"), INSUFFICIENT_DATA("name") ("Alarm names specified in AlarmRule can be surrounded
// with double-quotes, but do not have to be"), TRUE and FALSE, combined with AND, OR and NOT and
// grouped by parentheses ("PutCompositeAlarm", AlarmRule, Amazon CloudWatch API Reference, read
// 2026-12-07). The page gives no precedence; the parser binds NOT, then AND, then OR, and the
// check names any AND or NOT wherever it binds, so precedence does not change a verdict.
type ruleNode struct {
	op    string // OR, AND, NOT, or the function: ALARM, OK, INSUFFICIENT_DATA, TRUE, FALSE
	name  string // the alarm a function names
	terms []*ruleNode
}

type ruleParser struct {
	text string
	pos  int
}

// parseAlarmRule parses rule, or says where it is not an AlarmRule.
func parseAlarmRule(rule string) (*ruleNode, error) {
	p := &ruleParser{text: rule}
	n, err := p.binary("OR", p.and)
	if err == nil && p.skip() < len(p.text) {
		err = fmt.Errorf("unexpected %q at %d", p.text[p.pos:], p.pos)
	}
	return n, err
}

func (p *ruleParser) skip() int {
	for p.pos < len(p.text) && unicode.IsSpace(rune(p.text[p.pos])) {
		p.pos++
	}
	return p.pos
}

// word reads the next keyword (letters and _) without consuming it.
func (p *ruleParser) word() string {
	end := p.skip()
	for end < len(p.text) && (unicode.IsLetter(rune(p.text[end])) || p.text[end] == '_') {
		end++
	}
	return p.text[p.pos:end]
}

func (p *ruleParser) and() (*ruleNode, error) { return p.binary("AND", p.not) }

// binary parses next (op next)*, one node for a chain of the same operator.
func (p *ruleParser) binary(op string, next func() (*ruleNode, error)) (*ruleNode, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	n := &ruleNode{op: op, terms: []*ruleNode{first}}
	for p.word() == op {
		p.pos += len(op)
		term, err := next()
		if err != nil {
			return nil, err
		}
		n.terms = append(n.terms, term)
	}
	if len(n.terms) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *ruleParser) not() (*ruleNode, error) {
	if p.word() == "NOT" {
		p.pos += len("NOT")
		term, err := p.not()
		return &ruleNode{op: "NOT", terms: []*ruleNode{term}}, err
	}
	if p.skip() < len(p.text) && p.text[p.pos] == '(' {
		p.pos++
		n, err := p.binary("OR", p.and)
		if err == nil && (p.skip() >= len(p.text) || p.text[p.pos] != ')') {
			err = fmt.Errorf("unclosed parenthesis at %d", p.pos)
		}
		p.pos++
		return n, err
	}
	return p.function()
}

// function parses ALARM(name), OK(name), INSUFFICIENT_DATA(name), TRUE or FALSE.
func (p *ruleParser) function() (*ruleNode, error) {
	w := p.word()
	p.pos += len(w)
	switch w {
	case "TRUE", "FALSE":
		return &ruleNode{op: w}, nil
	case "ALARM", "OK", "INSUFFICIENT_DATA":
	default:
		return nil, fmt.Errorf("unexpected %q at %d", p.text[p.pos-len(w):], p.pos-len(w))
	}
	if p.skip() >= len(p.text) || p.text[p.pos] != '(' {
		return nil, fmt.Errorf("%s without its alarm at %d", w, p.pos)
	}
	p.pos++
	p.skip()
	end := ")"
	if p.pos < len(p.text) && p.text[p.pos] == '"' {
		p.pos, end = p.pos+1, `"`
	}
	i := strings.Index(p.text[p.pos:], end)
	if i < 0 {
		return nil, fmt.Errorf("%s's alarm name is not closed", w)
	}
	name := strings.TrimSpace(p.text[p.pos : p.pos+i])
	p.pos += i + len(end)
	if end == `"` && (p.skip() >= len(p.text) || p.text[p.pos] != ')') {
		return nil, fmt.Errorf("%s(%q is not closed", w, name)
	}
	if end == `"` {
		p.pos++
	}
	return &ruleNode{op: w, name: name}, nil
}

// stopRuleProblems are how rule differs from ALARM(a) OR ALARM(b) OR ... of want, each as many
// times as the construct writes it (times: once, unless the configuration lists it again), and
// want's values say why the alarm is there.
func stopRuleProblems(rule string, want map[string]string, times map[string]int) []string {
	root, err := parseAlarmRule(rule)
	if err != nil {
		return []string{fmt.Sprintf("its rule %q is no AlarmRule (%v)", rule, err)}
	}
	var problems []string
	count := map[string]int{}
	var walk func(n *ruleNode)
	walk = func(n *ruleNode) {
		switch n.op {
		case "OR":
			for _, t := range n.terms {
				walk(t)
			}
		case "ALARM":
			count[n.name]++
		case "AND":
			problems = append(problems, "its rule joins alarms with AND, where the construct writes OR: it is in ALARM only when all of them are, so one alone no longer stops the task")
			for _, t := range n.terms {
				walk(t)
			}
		case "NOT":
			problems = append(problems, "its rule has a NOT: NOT ALARM(x) is true while x is not in ALARM, so the task stops when nothing failed")
			walk(n.terms[0])
		default:
			problems = append(problems, fmt.Sprintf("its rule has %s(%s), where the construct writes only ALARM(...): it no longer follows the alarm's ALARM state", n.op, n.name))
		}
	}
	walk(root)
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if count[name] == 0 {
			problems = append(problems, fmt.Sprintf("its rule does not name %s (%s): its ALARM no longer stops the task", name, want[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(count)) {
		switch {
		case want[name] == "":
			problems = append(problems, fmt.Sprintf("its rule names %s, which is not the window's failure alarm, the ring before's, or the task's stopOnAlarms: the task stops on another's failure", name))
		case count[name] != times[name] && count[name] > 1:
			problems = append(problems, fmt.Sprintf("its rule names %s %d times, not %d", name, count[name], times[name]))
		}
	}
	return problems
}

// RolloutStops checks each Install task's stop alarm (patchingspec.StopAlarmName, found by name,
// not by logical id: windows named dev-ring and dev_ring share one, a review's false alarm)
// against what the construct writes: ALARM of the window's own failure alarm and of each failure
// alarm of the ring before (with stopOnFailure on; docs/patching.md, "A rollout that stops
// itself"), and of each of the task's stopOnAlarms, joined by OR, each once. A NOT (mutation run
// 25's A09: the task always stops), an AND (B02: it never does), a dropped alarm (B01; run 9's
// R04, the ring before's) or another window's (B03) is named.
func RolloutStops(patching map[string]any, d *config.Config) []string {
	prefix := d.StackName("patching") + "-"
	byName := map[string]string{}
	composites := cfntemplate.OfType(cfntemplate.Resources(patching), "AWS::CloudWatch::CompositeAlarm")
	for id, c := range composites {
		byName[cfntemplate.Text(c["AlarmName"])] = id
	}
	earlier := map[int][]string{}
	rings := d.RingWindows()
	for i := 1; i < len(rings) && d.Patching.StopsOnFailure(); i++ {
		for _, j := range rings[i] {
			for _, e := range rings[i-1] {
				earlier[j] = append(earlier[j], patchingspec.FailureAlarmName(prefix, d.Patching.MaintenanceWindows[e].Name))
			}
		}
	}
	var problems []string
	for j, w := range d.Patching.MaintenanceWindows {
		for i, t := range w.Tasks {
			id, ok := byName[patchingspec.StopAlarmName(prefix, w.TaskName(i))]
			if !ok || t.Operation != patchingspec.OperationInstall {
				continue
			}
			want, times := map[string]string{}, map[string]int{}
			add := func(names []string, why string) {
				for _, name := range names {
					want[name], times[name] = why, times[name]+1
				}
			}
			add(t.StopOnAlarms, "one of the task's stopOnAlarms")
			add(earlier[j], "the failure alarm of the ring before: a failed earlier ring does not stop this one's Install")
			if d.Patching.StopsOnFailure() {
				add([]string{patchingspec.FailureAlarmName(prefix, w.Name)}, "the window's own failure alarm")
			}
			for _, p := range stopRuleProblems(cfntemplate.Text(composites[id]["AlarmRule"]), want, times) {
				problems = append(problems, fmt.Sprintf("stop alarm %s of task %s: %s", id, w.TaskName(i), p))
			}
		}
	}
	return problems
}

// String writes the node compactly (tests compare parses with it).
func (n *ruleNode) String() string {
	if n.terms == nil {
		return n.op + ":" + n.name
	}
	var terms []string
	for _, t := range n.terms {
		terms = append(terms, t.String())
	}
	return n.op + "[" + strings.Join(terms, " ") + "]"
}
