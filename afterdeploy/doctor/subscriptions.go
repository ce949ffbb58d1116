package doctor

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// alertsTopicOutput is the patching stack's output that names its alerts topic (stacks/patching.go),
// and alertsTopicPrefix the topic's logical id prefix (constructs/patching Alerts: "Alerts/Topic"),
// read when a stack lacks the output.
const (
	alertsTopicOutput = "AlertsTopicArn"
	alertsTopicPrefix = "AlertsTopic"
)

// pendingConfirmation is the SubscriptionArn Amazon SNS lists for a subscription not confirmed
// yet: "If still unconfirmed, it will show as PendingConfirmation", and "Amazon SNS will not send
// messages to the endpoint until the subscription has been confirmed" ("Step 3: Confirm your
// Amazon SNS subscription", Amazon SNS Developer Guide, read 2026-12-06). An e-mail subscription
// stays so until its recipient follows the link of the confirmation e-mail; "Confirmation tokens
// are valid for two days" (Subscribe, Amazon SNS API Reference, as botocore 1.43.11's model
// carries it, read 2026-12-06). That the e-mail's sender reads "AWS Notifications" and its link
// "Confirm subscription" no AWS page read says: only a run on a deployment shows.
const pendingConfirmation = "PendingConfirmation"

// subscription is one member of ListSubscriptionsByTopic's Subscriptions (Subscription:
// SubscriptionArn, Owner, Protocol, Endpoint, TopicArn; Amazon SNS API Reference, read 2026-12-06).
type subscription struct {
	SubscriptionArn string `json:"SubscriptionArn"`
	Protocol        string `json:"Protocol"`
	Endpoint        string `json:"Endpoint"`
}

// alertsTopic is the ARN of the patching stack's alerts topic: its AlertsTopicArn output, else the
// physical id of its AWS::SNS::Topic (a topic's Ref, and so its physical id, is its ARN); "" without
// either.
func (d *deployment) alertsTopic() string {
	if arn := d.patching.Outputs[alertsTopicOutput]; arn != "" {
		return arn
	}
	if ids := d.patching.physical("AWS::SNS::Topic", alertsTopicPrefix); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// subscriptionsOf reads every subscription of a topic. "ListSubscriptionsByTopic: Returns a list
// of the subscriptions to a specific topic. Each call returns a limited list of subscriptions, up
// to 100. If there are more subscriptions, a NextToken is also returned. Use the NextToken
// parameter in a new ListSubscriptionsByTopic call to get further results" (ListSubscriptionsByTopic,
// Amazon SNS API Reference, read 2026-12-06). The CLI pages it itself unless told otherwise
// ("list-subscriptions-by-topic is a paginated operation ... You can disable pagination by
// providing the --no-paginate argument", AWS CLI Command Reference, read 2026-12-06): the calls say
// --no-paginate, so that each answer is one page of the API's, and the doctor follows NextToken
// with --next-token, which the CLI passes on as given, turning its own pagination off
// (check_should_enable_pagination, awscli/customizations/paginate.py, AWS CLI 1.45.11).
func (d *deployment) subscriptionsOf(topic string) ([]subscription, error) {
	var all []subscription
	seen := map[string]bool{}
	token := ""
	for {
		args := []string{"sns", "list-subscriptions-by-topic", "--topic-arn", topic, "--no-paginate"}
		if token != "" {
			args = append(args, "--next-token", token)
		}
		var page struct {
			Subscriptions []subscription `json:"Subscriptions"`
			NextToken     string         `json:"NextToken"`
		}
		if err := d.call(&page, args...); err != nil {
			return nil, err
		}
		all = append(all, page.Subscriptions...)
		if page.NextToken == "" {
			return all, nil
		}
		if seen[page.NextToken] {
			return nil, fmt.Errorf("aws sns list-subscriptions-by-topic --topic-arn %s: NextToken %q came back a second time, after %d subscriptions: the pages do not end", topic, page.NextToken, len(all))
		}
		seen[page.NextToken] = true
		token = page.NextToken
	}
}

// checkAlertSubscriptions: does anyone receive the alerts? The alert rules, the windows' failure
// notifications and the alarms publish to the patching stack's topic, which delivers only to its
// confirmed subscriptions. The default configuration subscribes nobody (patching.notifications.
// emails), and an e-mail subscription is PendingConfirmation until its recipient confirms it: no
// subscription fails, only pending ones warn (after a deploy that subscribed addresses, they are
// expected until the e-mails are read).
func (d *deployment) checkAlertSubscriptions() ([]Result, error) {
	const check = "alert subscriptions"
	topic := d.alertsTopic()
	if topic == "" {
		return []Result{{Check: check, State: Fail, Evidence: "the patching stack has no alerts topic (no " + alertsTopicOutput + " output, no AWS::SNS::Topic): alerts reach nobody",
			Action: "make deploy"}}, nil
	}
	return d.subscriptionsRow(check, topic, "patching.notifications.emails")
}

// subscriptionsRow judges a topic's subscriptions (checkAlertSubscriptions); emailsKey is the
// configuration key that subscribes e-mail addresses to it.
func (d *deployment) subscriptionsRow(check, topic, emailsKey string) ([]Result, error) {
	subscriptions, err := d.subscriptionsOf(topic)
	if err != nil {
		return nil, err
	}
	name := topic[strings.LastIndex(topic, ":")+1:]
	protocols := map[string]int{}
	var pending, other []string
	for _, s := range subscriptions {
		switch {
		case s.SubscriptionArn == pendingConfirmation:
			pending = append(pending, s.Endpoint+" ("+s.Protocol+")")
		case strings.HasPrefix(s.SubscriptionArn, "arn:"):
			protocols[s.Protocol]++
		default:
			other = append(other, fmt.Sprintf("%s (%s, %s)", s.Endpoint, s.Protocol, s.SubscriptionArn))
		}
	}
	subscribe := d.inRegion("aws sns subscribe --topic-arn " + shellWord(topic) + " --protocol email --notification-endpoint you@example.com")
	confirmed := 0
	for _, n := range protocols {
		confirmed += n
	}
	switch {
	case confirmed == 0 && len(pending) == 0:
		evidence := "topic " + name + " has no subscription: alerts reach nobody"
		if len(other) > 0 {
			evidence = "topic " + name + " has no confirmed or pending subscription (" + endpoints(other) + "): alerts reach nobody"
		}
		return []Result{{Check: check, State: Fail, Evidence: evidence,
			Action: "add " + emailsKey + " to the configuration and make deploy (each address then confirms its e-mail), or subscribe an endpoint: " + subscribe}}, nil
	case confirmed == 0:
		return []Result{{Check: check, State: Warn,
			Evidence: fmt.Sprintf("every subscription of topic %s is %s: %s; alerts reach nobody until one is confirmed", name, pendingConfirmation, endpoints(pending)),
			Action: "each recipient opens the subscription confirmation e-mail from AWS Notifications and chooses Confirm subscription; a confirmation is valid for two days: " +
				"past that, subscribe the address again (" + subscribe + ")"}}, nil
	}
	var kinds []string
	for _, p := range slices.Sorted(maps.Keys(protocols)) {
		if protocols[p] > 1 {
			p = fmt.Sprintf("%d %s", protocols[p], p)
		}
		kinds = append(kinds, p)
	}
	evidence := fmt.Sprintf("%d confirmed subscription(s) to topic %s (%s)", confirmed, name, strings.Join(kinds, ", "))
	if len(pending) > 0 {
		evidence += "; still " + pendingConfirmation + ": " + endpoints(pending)
	}
	return []Result{{Check: check, State: OK, Evidence: evidence}}, nil
}

// endpoints lists the first ten, and how many more.
func endpoints(list []string) string {
	if len(list) <= 10 {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:10], ", "), len(list)-10)
}
