// Command prcomment writes the pull request's one comment from the output of make diff and make
// check-update: the verdicts only (no echoed commands, colours or set-up noise), under a marker
// the workflow finds the comment by, to update it in place on each push, and cut to GitHub's
// comment size limit with a link to the full output.
//
//	go run ./tools/prcomment -diff diff.txt -check check.txt -check-status 1 -artifact-url URL > comment.md
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Marker starts the comment: the pull-request workflow finds the comment to update by it.
const Marker = "<!-- privatepatch:pull-request-diff -->"

// Limit is the most characters GitHub takes in a comment's body: the API refuses more with
// "Body is too long (maximum is 65536 characters)" (issue comments, REST API; the error quoted in
// telia-oss/github-pr-resource#259 and danger/danger#424, read 2026-12-06). The body is kept
// within Limit bytes, which is never more characters.
const Limit = 65536

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: go run ./tools/prcomment -diff diff.txt -check check.txt -check-status N [-artifact-url URL] > comment.md

Writes the pull request's one comment (the pull-request workflow's diff job) from the output of
make -s diff and make -s check-update: check-update's verdict and the cdk diff, without colours,
make's lines or set-up output, under the marker the workflow finds the comment by to update it in
place, cut on a whole line to GitHub's comment limit of 65,536 characters with a link to the full
output.

`)
		flag.PrintDefaults()
	}
	diff := flag.String("diff", "diff.txt", "the output of make -s diff")
	check := flag.String("check", "check.txt", "the output of make -s check-update")
	status := flag.Int("check-status", 0, "make check-update's exit status")
	artifact := flag.String("artifact-url", "", "where the full output is (the workflow's artifact)")
	flag.Parse()
	diffText, err := os.ReadFile(*diff)
	if err != nil {
		fmt.Fprintln(os.Stderr, "prcomment:", err)
		os.Exit(1)
	}
	checkText, err := os.ReadFile(*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "prcomment:", err)
		os.Exit(1)
	}
	io.WriteString(os.Stdout, Comment(string(diffText), string(checkText), *status, *artifact, Limit))
}

var (
	ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")
	// What make and the tools print around the verdicts: make's directory changes and errors,
	// setup's summary, npm's and Go's downloads.
	noise = regexp.MustCompile(`^(make(\[\d+\])?: |setup: node |go: (downloading|finding|extracting) |npm (warn|notice) |added \d+ packages|up to date|\s*$)`)
)

// Clean is the text without colours, make's and set-up's lines, and blank lines at either end.
func Clean(text string) string {
	var kept []string
	for _, line := range strings.Split(ansi.ReplaceAllString(strings.ReplaceAll(text, "\r", ""), ""), "\n") {
		if noise.MatchString(line) && strings.TrimSpace(line) != "" {
			continue
		}
		kept = append(kept, strings.TrimRight(line, " \t"))
	}
	return strings.Trim(strings.Join(kept, "\n"), "\n")
}

// Comment is the comment's body, at most limit bytes: check-update's verdict first, then the
// diff, which is cut (whole lines) when the body would be longer, saying so and where the rest is.
func Comment(diff, check string, checkStatus int, artifactURL string, limit int) string {
	verdict := "passed: nothing that holds data is replaced, nothing clashes with what is deployed"
	if checkStatus != 0 {
		verdict = fmt.Sprintf("**refused** (exit status %d): see below, and the README's \"What you must do by hand\"", checkStatus)
	}
	full := "this run's artifact pull-request-diff"
	if artifactURL != "" {
		full = fmt.Sprintf("[this run's artifact](%s)", artifactURL)
	}
	head := fmt.Sprintf("%s\n### What this pull request does to the deployed stacks\n\n**make check-update** %s\n\n```\n%s\n```\n\n**cdk diff**\n\n```\n",
		Marker, verdict, fence(Clean(check)))
	tail := fmt.Sprintf("\n```\n\nThe full output of `make diff` and `make check-update` is in %s.\n", full)
	body := fence(Clean(diff))
	if len(head)+len(body)+len(tail) <= limit {
		return head + body + tail
	}
	lines := strings.Split(body, "\n")
	note := func(n int) string {
		return fmt.Sprintf("\n... cut here to fit GitHub's comment limit (%d characters): %d of %d lines shown; the rest is in %s",
			Limit, n, len(lines), full)
	}
	// The most whole lines that fit, counted once each: linear however long the diff.
	shown, size := -1, 0 // size: the first n lines joined
	for n := 0; n <= len(lines); n++ {
		if n > 0 {
			size += len(lines[n-1])
			if n > 1 {
				size++
			}
		}
		if len(head)+size+len(note(n))+len(tail) > limit {
			break
		}
		shown = n
	}
	if shown < 0 {
		return head[:min(len(head), limit-len(tail))] + tail
	}
	return head + strings.Join(lines[:shown], "\n") + note(shown) + tail
}

// fence keeps a line of the output from closing the code block it is shown in.
func fence(text string) string {
	return strings.ReplaceAll(text, "```", "'''")
}
